// The in-memory clip: validation and the integer -> float conversion inference() applies.
#include <gtest/gtest.h>

#include <cstring>

#include "config/clip_convert.hpp"
#include "mlrt/config/clip.hpp"
#include "test_util.hpp"

using namespace mlrt;
using namespace mlrt::config;
using mlrt::test::error_of;

namespace {

template <class T>
std::vector<std::byte> bytes_of(const std::vector<T>& values) {
    std::vector<std::byte> out(values.size() * sizeof(T));
    std::memcpy(out.data(), values.data(), out.size());
    return out;
}

template <class T>
std::vector<T> values_of(const std::vector<std::byte>& bytes) {
    std::vector<T> out(bytes.size() / sizeof(T));
    std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
}

TEST(Clip, SampleAndPlaneSizes) {
    EXPECT_EQ(bytes_per_sample({.sample_type = SampleKind::Integer, .bits_per_sample = 8}), 1u);
    EXPECT_EQ(bytes_per_sample({.sample_type = SampleKind::Integer, .bits_per_sample = 10}), 2u);
    EXPECT_EQ(bytes_per_sample({.sample_type = SampleKind::Integer, .bits_per_sample = 16}), 2u);
    EXPECT_EQ(bytes_per_sample({.sample_type = SampleKind::Float, .bits_per_sample = 16}), 2u);
    EXPECT_EQ(bytes_per_sample({.sample_type = SampleKind::Float, .bits_per_sample = 32}), 4u);
    const ClipFormat yuv420{.width = 8,
                            .height = 4,
                            .color_family = ColorFamily::YUV,
                            .sample_type = SampleKind::Integer,
                            .bits_per_sample = 8,
                            .num_planes = 3,
                            .subsampling_w = 1,
                            .subsampling_h = 1};
    EXPECT_EQ(plane_size(yuv420, 0), 32u);
    EXPECT_EQ(plane_size(yuv420, 1), 8u);
}

TEST(Clip, ValidateNamesTheProblem) {
    Clip good{.format = {.width = 2, .height = 2}, .frames = {}};
    good.frames.push_back({.planes = {std::vector<std::byte>(16)}, .props = {}});
    EXPECT_NO_THROW(validate(good));

    Clip wrong_size = good;
    wrong_size.frames[0].planes[0].resize(15);
    auto msg = error_of([&] { validate(wrong_size, "clips[1]"); });
    EXPECT_NE(msg.find("clips[1]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("frame 0"), std::string::npos) << msg;

    Clip bits = good;
    bits.format.sample_type = SampleKind::Integer;
    bits.format.bits_per_sample = 17;
    EXPECT_NE(error_of([&] { validate(bits); }).find("8..16"), std::string::npos);

    Clip planes = good;
    planes.format.color_family = ColorFamily::RGB;
    EXPECT_NE(error_of([&] { validate(planes); }).find("planes"), std::string::npos);
}

TEST(ClipConvert, EngineSampleType) {
    const ClipFormat u8{.sample_type = SampleKind::Integer, .bits_per_sample = 8};
    const ClipFormat f16{.sample_type = SampleKind::Float, .bits_per_sample = 16};
    const ClipFormat f32{.sample_type = SampleKind::Float, .bits_per_sample = 32};
    EXPECT_EQ(detail::engine_sample_type(u8, true), SampleType::Float16);
    EXPECT_EQ(detail::engine_sample_type(u8, false), SampleType::Float32);
    EXPECT_EQ(detail::engine_sample_type(f16, false), SampleType::Float16);
    EXPECT_EQ(detail::engine_sample_type(f32, true), SampleType::Float32);
}

TEST(ClipConvert, EightBitToFloat32) {
    const ClipFormat f{
        .width = 4, .height = 1, .sample_type = SampleKind::Integer, .bits_per_sample = 8};
    const auto out = values_of<float>(detail::integer_plane_to_float(
        bytes_of(std::vector<std::uint8_t>{0, 51, 128, 255}), f,
        plane_coding(ColorFamily::RGB, 0, ColorRange::Full, 8), SampleType::Float32));
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[0], 0.0f);
    EXPECT_FLOAT_EQ(out[1], 0.2f);
    EXPECT_FLOAT_EQ(out[2], 128.0f / 255.0f);
    EXPECT_EQ(out[3], 1.0f);
}

TEST(ClipConvert, TenAndSixteenBitToFloat16) {
    const ClipFormat ten{
        .width = 3, .height = 1, .sample_type = SampleKind::Integer, .bits_per_sample = 10};
    const auto out = values_of<std::uint16_t>(detail::integer_plane_to_float(
        bytes_of(std::vector<std::uint16_t>{0, 1023, 512}), ten,
        plane_coding(ColorFamily::RGB, 0, ColorRange::Full, 10), SampleType::Float16));
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(half_to_float(out[0]), 0.0f);
    EXPECT_EQ(half_to_float(out[1]), 1.0f);
    EXPECT_NEAR(half_to_float(out[2]), 512.0f / 1023.0f, 1e-3);

    const ClipFormat sixteen{
        .width = 2, .height = 1, .sample_type = SampleKind::Integer, .bits_per_sample = 16};
    const auto wide = values_of<float>(detail::integer_plane_to_float(
        bytes_of(std::vector<std::uint16_t>{65535, 0}), sixteen,
        plane_coding(ColorFamily::RGB, 0, ColorRange::Full, 16), SampleType::Float32));
    EXPECT_EQ(wide[0], 1.0f);
    EXPECT_EQ(wide[1], 0.0f);
}

}  // namespace
