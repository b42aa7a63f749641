// The command line's colour conversion (zimg, through ToFloat and FromFloat) against the
// library's one definition of the float convention (mlrt/config/convention.hpp): every code of
// GRAY, YUV 4:4:4 and RGB at 8 and 10 bits, limited and full range, to float and back, overshoot
// included. A 4:4:4 source keeps zimg from resampling, so every sample is one code's value.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "media/converter.hpp"
#include "mlrt/config/convention.hpp"

namespace {

using namespace mlrt::cli;
using mlrt::config::ColorFamily;
using mlrt::config::ColorRange;
using mlrt::config::plane_coding;

constexpr int kW = 64, kH = 16;  // 1024 samples: every 10-bit code

struct Case {
    AVPixelFormat format;
    int bits;
    ColorFamily family;
};

const Case kCases[] = {
    {AV_PIX_FMT_GRAY8, 8, ColorFamily::GRAY},  {AV_PIX_FMT_GRAY10LE, 10, ColorFamily::GRAY},
    {AV_PIX_FMT_YUV444P, 8, ColorFamily::YUV}, {AV_PIX_FMT_YUV444P10LE, 10, ColorFamily::YUV},
    {AV_PIX_FMT_GBRP, 8, ColorFamily::RGB},    {AV_PIX_FMT_GBRP10LE, 10, ColorFamily::RGB},
};

// Components in Y, U, V (R, G, B) order: FFmpeg's planar RGB stores G, B, R.
int plane_of(const Case& c, int component) {
    if (c.family != ColorFamily::RGB) return component;
    return component == 0 ? 2 : component - 1;
}

// Every code of the depth, spread over the frame (a different order in each plane).
std::uint32_t code_at(const Case& c, int component, int x, int y) {
    const std::uint32_t n = 1u << c.bits;
    return (static_cast<std::uint32_t>(y * kW + x) + static_cast<std::uint32_t>(component) * 77) %
           n;
}

Family family_of(ColorFamily f) {
    return f == ColorFamily::GRAY  ? Family::Gray
           : f == ColorFamily::RGB ? Family::Rgb
                                   : Family::Yuv;
}

ColourSpec colour_of(const Case& c, ColorRange range) {
    ColourSpec s;
    s.matrix = c.family == ColorFamily::RGB   ? AVCOL_SPC_RGB
               : c.family == ColorFamily::YUV ? AVCOL_SPC_BT709
                                              : AVCOL_SPC_UNSPECIFIED;
    s.range = range == ColorRange::Full ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
    return s;
}

std::string name(const Case& c, ColorRange r) {
    return std::string(av::pix_fmt_name(c.format)) + " " + mlrt::config::to_string(r);
}

TEST(FloatConvention, ToFloatGivesTheLibrarysPlanes) {
    for (const Case& c : kCases)
        for (const ColorRange range : {ColorRange::Limited, ColorRange::Full}) {
            if (c.family == ColorFamily::RGB && range == ColorRange::Limited) continue;
            const FloatFormat out{family_of(c.family), mlrt::SampleType::Float32, kW, kH};
            ToFloat to(c.format, colour_of(c, range), out, AVCOL_SPC_BT709);
            av::FramePtr in = av::alloc_video_frame(c.format, kW, kH);
            const int components = c.family == ColorFamily::GRAY ? 1 : 3;
            for (int p = 0; p < components; ++p)
                for (int y = 0; y < kH; ++y)
                    for (int x = 0; x < kW; ++x) {
                        std::uint8_t* row =
                            in->data[plane_of(c, p)] + y * in->linesize[plane_of(c, p)];
                        const std::uint32_t code = code_at(c, p, x, y);
                        if (c.bits == 8) {
                            row[x] = static_cast<std::uint8_t>(code);
                        } else {
                            const auto v = static_cast<std::uint16_t>(code);
                            std::memcpy(row + 2 * x, &v, 2);
                        }
                    }
            PlaneBuffer planes(kW, kH, out.planes(), out.type);
            to.convert(*in, planes);
            for (int p = 0; p < components; ++p) {
                const auto coding = plane_coding(c.family, p, range, c.bits);
                for (int y = 0; y < kH; ++y)
                    for (int x = 0; x < kW; ++x) {
                        float got;
                        std::memcpy(&got, planes.plane(p) + y * planes.stride() + 4 * x, 4);
                        ASSERT_NEAR(got, coding.to_float(code_at(c, p, x, y)), 2e-6)
                            << name(c, range) << " plane " << p << " at " << x << "," << y;
                    }
            }
        }
}

TEST(FloatConvention, LumaOfYuvIsTheLibrarysY) {
    // What a 1-channel model gets from a YUV source: Y in the convention, at any subsampling.
    for (const AVPixelFormat format : {AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV422P10LE})
        for (const ColorRange range : {ColorRange::Limited, ColorRange::Full}) {
            const int bits = format == AV_PIX_FMT_YUV420P ? 8 : 10;
            const Case c{format, bits, ColorFamily::YUV};
            ToFloat to(format, colour_of(c, range),
                       FloatFormat{Family::Gray, mlrt::SampleType::Float32, kW, kH},
                       AVCOL_SPC_BT709);
            av::FramePtr in = av::alloc_video_frame(format, kW, kH);
            for (int p = 0; p < 3; ++p)  // chroma: anything, it must not leak into luma
                std::memset(in->data[p], p == 0 ? 0 : 200,
                            static_cast<std::size_t>(in->linesize[p]) * kH);
            for (int y = 0; y < kH; ++y)
                for (int x = 0; x < kW; ++x) {
                    std::uint8_t* row = in->data[0] + y * in->linesize[0];
                    const std::uint32_t code = code_at(c, 0, x, y);
                    if (bits == 8) {
                        row[x] = static_cast<std::uint8_t>(code);
                    } else {
                        const auto v = static_cast<std::uint16_t>(code);
                        std::memcpy(row + 2 * x, &v, 2);
                    }
                }
            PlaneBuffer planes(kW, kH, 1, mlrt::SampleType::Float32);
            to.convert(*in, planes);
            const auto coding = plane_coding(ColorFamily::YUV, 0, range, bits);
            for (int y = 0; y < kH; ++y)
                for (int x = 0; x < kW; ++x) {
                    float got;
                    std::memcpy(&got, planes.plane(0) + y * planes.stride() + 4 * x, 4);
                    ASSERT_NEAR(got, coding.to_float(code_at(c, 0, x, y)), 2e-6)
                        << name(c, range) << " at " << x << "," << y;
                }
        }
}

TEST(FloatConvention, FromFloatGivesTheLibrarysCodesAndKeepsOvershoot) {
    // Values between codes, and beyond the nominal range on both sides.
    const float extra[] = {-1.0f, -0.3f, -0.05f, 1.05f, 1.3f, 2.0f, 0.55f, -0.55f};
    for (const Case& c : kCases)
        for (const ColorRange range : {ColorRange::Limited, ColorRange::Full}) {
            if (c.family == ColorFamily::RGB && range == ColorRange::Limited) continue;
            const FloatFormat in{family_of(c.family), mlrt::SampleType::Float32, kW, kH};
            FromFloat from(in, c.format, colour_of(c, range), Dither::None);
            PlaneBuffer planes(kW, kH, in.planes(), in.type);
            const int components = in.planes();
            auto value_at = [&](int p, int x, int y) {
                const auto coding = plane_coding(c.family, p, range, c.bits);
                if (y == 0 && x < 8) return extra[x];
                // A third of a code above each code: rounds to that code.
                return coding.to_float(code_at(c, p, x, y)) + static_cast<float>(coding.scale / 3);
            };
            for (int p = 0; p < components; ++p)
                for (int y = 0; y < kH; ++y)
                    for (int x = 0; x < kW; ++x) {
                        const float v = value_at(p, x, y);
                        std::memcpy(planes.plane(p) + y * planes.stride() + 4 * x, &v, 4);
                    }
            const av::FramePtr out = from.convert(planes);
            for (int p = 0; p < components; ++p) {
                const auto coding = plane_coding(c.family, p, range, c.bits);
                for (int y = 0; y < kH; ++y)
                    for (int x = 0; x < kW; ++x) {
                        const std::uint8_t* row =
                            out->data[plane_of(c, p)] + y * out->linesize[plane_of(c, p)];
                        std::uint32_t got = row[x];
                        if (c.bits > 8) {
                            std::uint16_t v;
                            std::memcpy(&v, row + 2 * x, 2);
                            got = v;
                        }
                        ASSERT_EQ(got, coding.to_code(value_at(p, x, y), c.bits))
                            << name(c, range) << " plane " << p << " at " << x << "," << y
                            << " value " << value_at(p, x, y);
                    }
            }
        }
}

}  // namespace
