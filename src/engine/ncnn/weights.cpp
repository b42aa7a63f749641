#include "engine/ncnn/weights.hpp"

#include <fmt/core.h>

#include <cstdint>
#include <cstring>

#include "mlrt/error.hpp"
#include "mlrt/frame.hpp"

namespace mlrt::detail::ncnn {

namespace {

constexpr std::uint32_t kFloat16Tag = 0x01306B47;
constexpr std::uint32_t kInt8Tag = 0x000D4B38;
constexpr std::uint32_t kFloat32Tag = 0x0002C056;

std::size_t align4(std::size_t bytes) {
    return (bytes + 3) / 4 * 4;
}

}  // namespace

const unsigned char* WeightReader::take(std::size_t bytes, const std::string& what) {
    if (bytes > data_.size() - offset_ || bytes > (std::size_t{1} << 40))
        throw Error(ErrorKind::InvalidModel,
                    fmt::format("{}: ends at byte {} while reading {} ({} more bytes needed): the "
                                ".bin does not belong to this .param, or it is truncated",
                                path_, data_.size(), what, bytes - (data_.size() - offset_)));
    const auto* at = reinterpret_cast<const unsigned char*>(data_.data()) + offset_;
    offset_ += bytes;
    return at;
}

std::vector<float> WeightReader::raw(std::size_t count, const std::string& what) {
    // Taken before allocating: a count the file cannot hold is an error, not an allocation.
    const unsigned char* at = take(count * sizeof(float), what);
    std::vector<float> values(count);
    std::memcpy(values.data(), at, count * sizeof(float));
    return values;
}

std::vector<float> WeightReader::tagged(std::size_t count, const std::string& what) {
    const unsigned char* flag = take(4, what);
    std::uint32_t tag = 0;
    std::memcpy(&tag, flag, 4);
    if (count > size() - offset())  // at least a byte per value in any storage
        take(count, what);          // throws, naming what and how much is missing
    std::vector<float> values(count);
    if (tag == kFloat16Tag) {
        const unsigned char* bits = take(align4(count * 2), what);
        for (std::size_t i = 0; i < count; ++i) {
            std::uint16_t h = 0;
            std::memcpy(&h, bits + i * 2, 2);
            values[i] = mlrt::half_to_float(h);
        }
        return values;
    }
    if (tag == kInt8Tag)
        throw Error(ErrorKind::InvalidModel,
                    fmt::format("{}: {} is stored as int8 (an ncnn int8 model): mlrt imports "
                                "float32 and float16 ncnn models; quantize the ONNX model with "
                                "`--int8` instead",
                                path_, what));
    if (tag == kFloat32Tag) return raw(count, what);
    if (tag != 0) {
        // Any other non-zero flag: a 256-entry float table, then one byte index per value.
        const std::vector<float> table = raw(256, what);
        const unsigned char* index = take(align4(count), what);
        for (std::size_t i = 0; i < count; ++i) values[i] = table[index[i]];
        return values;
    }
    return raw(count, what);
}

}  // namespace mlrt::detail::ncnn
