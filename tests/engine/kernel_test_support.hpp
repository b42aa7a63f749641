#pragma once
// What the tests of mlrt's own kernels (engine/kernels) share: a serial ParallelFor, random
// bytes and a uint8 scalar initializer (a zero point).
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "engine/kernels/resize.hpp"

namespace mlrt::test::kernel_tests {

inline const detail::kernels::ParallelFor kSerial = [](std::size_t n,
                                                       const std::function<void(std::size_t)>& f) {
    for (std::size_t i = 0; i < n; ++i) f(i);
};

inline std::vector<std::uint8_t> random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) b = static_cast<std::uint8_t>(rng() & 0xFF);
    return v;
}

inline onnx::TensorProto uint8_scalar(const std::string& name, std::uint8_t v) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(onnx::TensorProto_DataType_UINT8);
    t.set_raw_data(std::string(1, static_cast<char>(v)));
    return t;
}

}  // namespace mlrt::test::kernel_tests
