// The float convention (mlrt/config/convention.hpp), pinned to VapourSynth's numbers: the code
// points each range maps to 0, 1 and +-0.5, at 8, 10 and 16 bits, and the way back.
#include <gtest/gtest.h>

#include <limits>

#include "mlrt/config/convention.hpp"
#include "test_util.hpp"

using namespace mlrt::config;
using mlrt::test::error_of;

namespace {

TEST(Convention, LimitedRangeExpandsTheNominalCodes) {
    const PlaneCoding y8 = plane_coding(ColorFamily::YUV, 0, ColorRange::Limited, 8);
    const PlaneCoding u8 = plane_coding(ColorFamily::YUV, 1, ColorRange::Limited, 8);
    EXPECT_FLOAT_EQ(y8.to_float(16), 0.0f);
    EXPECT_FLOAT_EQ(y8.to_float(235), 1.0f);
    EXPECT_FLOAT_EQ(y8.to_float(255), 239.0f / 219.0f);  // superwhite is kept, not clipped
    EXPECT_FLOAT_EQ(u8.to_float(128), 0.0f);
    EXPECT_FLOAT_EQ(u8.to_float(16), -0.5f);
    EXPECT_FLOAT_EQ(u8.to_float(240), 0.5f);
    const PlaneCoding y10 = plane_coding(ColorFamily::GRAY, 0, ColorRange::Limited, 10);
    const PlaneCoding v10 = plane_coding(ColorFamily::YUV, 2, ColorRange::Limited, 10);
    EXPECT_FLOAT_EQ(y10.to_float(64), 0.0f);
    EXPECT_FLOAT_EQ(y10.to_float(940), 1.0f);
    EXPECT_FLOAT_EQ(v10.to_float(512), 0.0f);
    EXPECT_FLOAT_EQ(v10.to_float(960), 0.5f);
    const PlaneCoding y16 = plane_coding(ColorFamily::YUV, 0, ColorRange::Limited, 16);
    EXPECT_FLOAT_EQ(y16.to_float(16 << 8), 0.0f);
    EXPECT_FLOAT_EQ(y16.to_float(235 << 8), 1.0f);
}

TEST(Convention, FullRangeAndRgb) {
    const PlaneCoding y8 = plane_coding(ColorFamily::YUV, 0, ColorRange::Full, 8);
    const PlaneCoding u8 = plane_coding(ColorFamily::YUV, 1, ColorRange::Full, 8);
    EXPECT_FLOAT_EQ(y8.to_float(0), 0.0f);
    EXPECT_FLOAT_EQ(y8.to_float(255), 1.0f);
    EXPECT_FLOAT_EQ(u8.to_float(128), 0.0f);
    EXPECT_FLOAT_EQ(u8.to_float(0), -128.0f / 255.0f);
    EXPECT_FLOAT_EQ(u8.to_float(255), 127.0f / 255.0f);
    for (int p = 0; p < 3; ++p) {
        const PlaneCoding rgb = plane_coding(ColorFamily::RGB, p, ColorRange::Full, 10);
        EXPECT_FLOAT_EQ(rgb.to_float(0), 0.0f);
        EXPECT_FLOAT_EQ(rgb.to_float(1023), 1.0f);
        // Limited RGB, which VapourSynth's resize honours: every plane coded as luma.
        const PlaneCoding tv = plane_coding(ColorFamily::RGB, p, ColorRange::Limited, 10);
        EXPECT_FLOAT_EQ(tv.to_float(64), 0.0f);
        EXPECT_FLOAT_EQ(tv.to_float(940), 1.0f);
    }
}

TEST(Convention, BackToCodesKeepsOvershootWithinTheCodeRange) {
    const PlaneCoding y8 = plane_coding(ColorFamily::YUV, 0, ColorRange::Limited, 8);
    EXPECT_EQ(y8.to_code(0.0f, 8), 16u);
    EXPECT_EQ(y8.to_code(1.0f, 8), 235u);
    EXPECT_EQ(y8.to_code(1.05f, 8), 246u);  // 16 + 1.05 * 219 = 245.95
    EXPECT_EQ(y8.to_code(-0.05f, 8), 5u);   // 16 - 10.95
    EXPECT_EQ(y8.to_code(2.0f, 8), 255u);
    EXPECT_EQ(y8.to_code(-1.0f, 8), 0u);
    EXPECT_EQ(y8.to_code(std::numeric_limits<float>::quiet_NaN(), 8), 0u);
    const PlaneCoding u10 = plane_coding(ColorFamily::YUV, 1, ColorRange::Limited, 10);
    EXPECT_EQ(u10.to_code(0.5f, 10), 960u);
    EXPECT_EQ(u10.to_code(0.55f, 10), 1005u);  // 512 + 0.55 * 896 = 1004.8: beyond 960, kept
    const PlaneCoding rgb16 = plane_coding(ColorFamily::RGB, 0, ColorRange::Full, 16);
    EXPECT_EQ(rgb16.to_code(1.0f, 16), 65535u);
    EXPECT_EQ(rgb16.to_code(1.5f, 16), 65535u);
    // Every code survives the round trip at every depth and range.
    for (const int bits : {8, 10, 12, 16})
        for (const ColorRange r : {ColorRange::Full, ColorRange::Limited})
            for (int p = 0; p < 3; ++p) {
                const PlaneCoding c = plane_coding(ColorFamily::YUV, p, r, bits);
                for (std::uint32_t code = 0; code<(1u << bits); code += bits> 10 ? 97 : 1)
                    ASSERT_EQ(c.to_code(c.to_float(code), bits), code)
                        << bits << " bits, plane " << p << ", " << to_string(r);
            }
}

TEST(Convention, RangeOfAFrame) {
    EXPECT_EQ(range_of(ColorFamily::YUV, {}), ColorRange::Limited);
    EXPECT_EQ(range_of(ColorFamily::GRAY, {}), ColorRange::Limited);
    EXPECT_EQ(range_of(ColorFamily::RGB, {}), ColorRange::Full);
    EXPECT_EQ(range_of(ColorFamily::YUV, {{"_ColorRange", std::int64_t{0}}}), ColorRange::Full);
    EXPECT_EQ(range_of(ColorFamily::GRAY, {{"_ColorRange", std::int64_t{1}}}), ColorRange::Limited);
    EXPECT_EQ(range_of(ColorFamily::RGB, {{"_ColorRange", std::int64_t{1}}}), ColorRange::Limited);
    auto msg = error_of([] {
        range_of(ColorFamily::YUV, {{"_ColorRange", std::int64_t{3}}}, "clip 2");
    });
    EXPECT_EQ(msg,
              "clip 2: frame property _ColorRange is 3; it must be 0 (full range) or 1 "
              "(limited range)");
    msg = error_of([] { range_of(ColorFamily::YUV, {{"_ColorRange", std::string("tv")}}); });
    EXPECT_NE(msg.find("_ColorRange is 'tv'"), std::string::npos) << msg;
}

TEST(Convention, NamesAndBadArguments) {
    EXPECT_EQ(parse_range("limited"), ColorRange::Limited);
    EXPECT_EQ(parse_range("tv"), ColorRange::Limited);
    EXPECT_EQ(parse_range("full"), ColorRange::Full);
    EXPECT_EQ(parse_range("pc"), ColorRange::Full);
    EXPECT_FALSE(parse_range("studio"));
    EXPECT_STREQ(to_string(ColorRange::Full), "full");
    EXPECT_NE(error_of([] {
                  plane_coding(ColorFamily::GRAY, 1, ColorRange::Full, 8);
              }).find("plane 1 is not a plane of a clip with 1 plane(s)"),
              std::string::npos);
    EXPECT_NE(error_of([] {
                  plane_coding(ColorFamily::YUV, 0, ColorRange::Full, 7);
              }).find("8 to 16 bits, not 7"),
              std::string::npos);
}

}  // namespace
