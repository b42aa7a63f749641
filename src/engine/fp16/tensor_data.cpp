#include "engine/fp16/tensor_data.hpp"

#include <bit>
#include <cstdint>
#include <utility>

#include "engine/fp16/diagnostics.hpp"
#include "engine/fp16/types.hpp"
#include "mlrt/frame.hpp"

namespace mlrt::detail::fp16 {

using mlrt::float_to_half;

bool is_external(const onnx::TensorProto& t) {
    return t.data_location() == onnx::TensorProto::EXTERNAL;
}

void check_float_tensor(const onnx::TensorProto& t, const std::string& what) {
    if (t.data_type() == kFloat && !is_external(t) && t.raw_data().size() % 4 != 0)
        fail(what + " has float raw_data whose size is not a multiple of 4");
}

std::vector<float> float_values(const onnx::TensorProto& t) {
    if (!t.has_raw_data()) return {t.float_data().begin(), t.float_data().end()};
    // raw_data is little-endian by definition, whatever the host is.
    const std::string& raw = t.raw_data();
    std::vector<float> values(raw.size() / 4);
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::uint32_t bits = 0;
        for (int b = 3; b >= 0; --b)
            bits =
                (bits << 8) | static_cast<unsigned char>(raw[4 * i + static_cast<std::size_t>(b)]);
        values[i] = std::bit_cast<float>(bits);
    }
    return values;
}

void tensor_to_half(onnx::TensorProto& t) {
    if (t.data_type() != kFloat) return;
    const std::vector<float> values = float_values(t);
    std::string raw(values.size() * 2, '\0');
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::uint16_t h = float_to_half(values[i]);
        raw[2 * i] = static_cast<char>(h & 0xffu);
        raw[2 * i + 1] = static_cast<char>(h >> 8);
    }
    t.clear_float_data();
    t.set_data_type(kHalf);
    t.set_raw_data(std::move(raw));
}

onnx::TensorProto half_constant(const std::vector<float>& values, bool scalar) {
    onnx::TensorProto t;
    t.set_data_type(kFloat);
    if (!scalar) t.add_dims(static_cast<std::int64_t>(values.size()));
    for (float v : values) t.add_float_data(v);
    tensor_to_half(t);
    return t;
}

}  // namespace mlrt::detail::fp16
