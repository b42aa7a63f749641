// inference() end to end on the CPU provider with models built in code.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "mlrt/config/inference.hpp"
#include "support/models.hpp"
#include "support/temp_dir.hpp"
#include "test_util.hpp"

using namespace mlrt;
using namespace mlrt::config;
using mlrt::test::error_of;

namespace {

constexpr int kW = 12, kH = 8;

// A clip whose sample at (plane p, index i, frame n) has a known value.
Clip make_clip(ColorFamily family, SampleKind kind, int bits, int frames) {
    Clip clip;
    clip.format = {.width = kW,
                   .height = kH,
                   .color_family = family,
                   .sample_type = kind,
                   .bits_per_sample = bits,
                   .num_planes = family == ColorFamily::GRAY ? 1 : 3};
    const std::size_t n = kW * kH;
    for (int f = 0; f < frames; ++f) {
        ClipFrame frame;
        frame.props["_FrameNumber"] = std::int64_t{f};
        for (int p = 0; p < clip.format.num_planes; ++p) {
            std::vector<std::byte> plane(n * bytes_per_sample(clip.format));
            for (std::size_t i = 0; i < n; ++i) {
                const unsigned raw = static_cast<unsigned>(
                    (i * 7 + static_cast<std::size_t>(p) * 50 + static_cast<std::size_t>(f) * 3) %
                    256);
                if (kind == SampleKind::Integer && bits == 8) {
                    plane[i] = static_cast<std::byte>(raw);
                } else if (kind == SampleKind::Integer) {
                    // 10-bit, every residue of 4: a path that drops the low bits shows.
                    const auto v = static_cast<std::uint16_t>(raw * 4 + i % 4);
                    std::memcpy(plane.data() + 2 * i, &v, 2);
                } else if (bits == 32) {
                    const float v = static_cast<float>(raw) / 255.0f;
                    std::memcpy(plane.data() + 4 * i, &v, 4);
                } else {
                    const std::uint16_t v = float_to_half(static_cast<float>(raw) / 255.0f);
                    std::memcpy(plane.data() + 2 * i, &v, 2);
                }
            }
            frame.planes.push_back(std::move(plane));
        }
        clip.frames.push_back(std::move(frame));
    }
    return clip;
}

// The sample as float, whatever the clip stores. Integers as VapourSynth's resize makes them,
// written out here rather than taken from the library: RGB full range and GRAY and YUV limited
// range unless _ColorRange says otherwise; Y to [0, 1] and U, V to [-0.5, 0.5].
float sample(const Clip& clip, int frame, int plane, std::size_t i) {
    const ClipFormat& f = clip.format;
    const ClipFrame& fr = clip.frames[static_cast<std::size_t>(frame)];
    const auto& bytes = fr.planes[static_cast<std::size_t>(plane)];
    if (f.sample_type == SampleKind::Integer) {
        double v = 0;
        if (f.bits_per_sample == 8) {
            v = static_cast<double>(bytes[i]);
        } else {
            std::uint16_t raw;
            std::memcpy(&raw, bytes.data() + 2 * i, 2);
            v = raw;
        }
        const double max = static_cast<double>((1u << f.bits_per_sample) - 1u);
        const double unit = static_cast<double>(1u << (f.bits_per_sample - 8));
        const bool chroma = f.color_family == ColorFamily::YUV && plane > 0;
        const auto range = fr.props.find("_ColorRange");
        const bool full = range == fr.props.end() ? f.color_family == ColorFamily::RGB
                                                  : range->second == ArgValue(std::int64_t{0});
        if (full) return static_cast<float>(chroma ? (v - (max + 1) / 2) / max : v / max);
        return static_cast<float>(chroma ? (v - 128 * unit) / (224 * unit)
                                         : (v - 16 * unit) / (219 * unit));
    }
    if (f.bits_per_sample == 32) {
        float v;
        std::memcpy(&v, bytes.data() + 4 * i, 4);
        return v;
    }
    std::uint16_t h;
    std::memcpy(&h, bytes.data() + 2 * i, 2);
    return half_to_float(h);
}

void expect_same_samples(const Clip& in, int in_plane, const Clip& out, int out_plane,
                         double tolerance) {
    ASSERT_EQ(out.num_frames(), in.num_frames());
    for (int f = 0; f < in.num_frames(); ++f)
        for (std::size_t i = 0; i < static_cast<std::size_t>(kW * kH); ++i)
            ASSERT_NEAR(sample(out, f, out_plane, i), sample(in, f, in_plane, i), tolerance)
                << "frame " << f << " plane " << out_plane << " sample " << i;
}

ModelSource identity(int channels, bool float16 = false) {
    return ModelSource::from_bytes(test::identity_model(channels, float16), "identity");
}

TEST(Inference, IntegerClipWithFp16GivesFloat16) {
    const Clip in = make_clip(ColorFamily::RGB, SampleKind::Integer, 8, 3);
    const auto out = inference(ORT_CPU(), std::vector{in}, identity(3), {0, 0}, {kW, kH});
    ASSERT_EQ(out.size(), 1u);
    const ClipFormat& f = out[0].format;
    EXPECT_EQ(f.width, kW);
    EXPECT_EQ(f.height, kH);
    EXPECT_EQ(f.color_family, ColorFamily::RGB);
    EXPECT_EQ(f.sample_type, SampleKind::Float);
    EXPECT_EQ(f.bits_per_sample, 16) << "output_format resolves to FP16 with fp16";
    for (int p = 0; p < 3; ++p) expect_same_samples(in, p, out[0], p, 1e-3);
    EXPECT_EQ(out[0].frames[2].props.at("_FrameNumber"), ArgValue(std::int64_t{2}));
}

TEST(Inference, IntegerClipWithoutFp16GivesFloat32) {
    const Clip in = make_clip(ColorFamily::GRAY, SampleKind::Integer, 10, 2);
    const auto out =
        inference(ORT_CPU({.fp16 = false}), std::vector{in}, identity(1), {0, 0}, {kW, kH});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].format.color_family, ColorFamily::GRAY);
    EXPECT_EQ(out[0].format.bits_per_sample, 32);
    expect_same_samples(in, 0, out[0], 0, 1e-6);
}

TEST(Inference, IntegerYuvAndGrayAreLimitedRangeUnlessMarkedFull) {
    for (const int bits : {8, 10}) {
        Clip yuv = make_clip(ColorFamily::YUV, SampleKind::Integer, bits, 2);
        yuv.frames[1].props["_ColorRange"] = std::int64_t{0};  // frame 1 full, frame 0 unmarked
        const auto out =
            inference(ORT_CPU({.fp16 = false}), std::vector{yuv}, identity(3), {0, 0}, {kW, kH});
        for (int p = 0; p < 3; ++p) expect_same_samples(yuv, p, out[0], p, 1e-6);
        // Spot values, so the helper's formulas are pinned too: 8-bit code 16 is limited black.
        if (bits == 8) {
            std::vector<std::byte>& y = yuv.frames[0].planes[0];
            y[0] = std::byte{16};
            y[1] = std::byte{235};
            y[2] = std::byte{255};
            std::vector<std::byte>& u = yuv.frames[0].planes[1];
            u[0] = std::byte{128};
            u[1] = std::byte{240};
            const auto spot = inference(ORT_CPU({.fp16 = false}), std::vector{yuv}, identity(3),
                                        {0, 0}, {kW, kH});
            const auto at = [&](int plane, std::size_t i) { return sample(spot[0], 0, plane, i); };
            EXPECT_FLOAT_EQ(at(0, 0), 0.0f);
            EXPECT_FLOAT_EQ(at(0, 1), 1.0f);
            EXPECT_FLOAT_EQ(at(0, 2), 239.0f / 219.0f);  // above white survives
            EXPECT_FLOAT_EQ(at(1, 0), 0.0f);
            EXPECT_FLOAT_EQ(at(1, 1), 0.5f);
        }
    }
    Clip gray = make_clip(ColorFamily::GRAY, SampleKind::Integer, 8, 1);
    gray.frames[0].planes[0][0] = std::byte{16};
    const auto out =
        inference(ORT_CPU({.fp16 = false}), std::vector{gray}, identity(1), {0, 0}, {kW, kH});
    EXPECT_FLOAT_EQ(sample(out[0], 0, 0, 0), 0.0f);
}

TEST(Inference, NonLinearModelGetsTheConventionsPlanes) {
    // Biases and a ReLU: its output changes when its input is offset or scaled, so it tells
    // limited from full range. Reference: the same model on float planes made by the formulas.
    test::ConvStackSpec spec;
    spec.layers = 2;
    spec.hidden = 8;
    spec.seed = 7;
    const auto model = ModelSource::from_bytes(test::conv_stack_model(spec), "conv");
    for (const bool full : {false, true}) {
        Clip yuv = make_clip(ColorFamily::YUV, SampleKind::Integer, 10, 1);
        if (full) yuv.frames[0].props["_ColorRange"] = std::int64_t{0};
        Clip planes = make_clip(ColorFamily::YUV, SampleKind::Float, 32, 1);
        for (int p = 0; p < 3; ++p)
            for (std::size_t i = 0; i < static_cast<std::size_t>(kW * kH); ++i) {
                const float v = sample(yuv, 0, p, i);
                std::memcpy(planes.frames[0].planes[static_cast<std::size_t>(p)].data() + 4 * i, &v,
                            4);
            }
        const ORT_CPU cpu({.fp16 = false});
        const auto got = inference(cpu, std::vector{yuv}, model, {0, 0}, {kW, kH});
        const auto want = inference(cpu, std::vector{planes}, model, {0, 0}, {kW, kH});
        for (int p = 0; p < 3; ++p) expect_same_samples(want[0], p, got[0], p, 1e-5);
        // The other range gives another result: the model can tell them apart.
        Clip other = yuv;
        other.frames[0].props["_ColorRange"] = std::int64_t{full ? 1 : 0};
        const auto wrong = inference(cpu, std::vector{other}, model, {0, 0}, {kW, kH});
        double most = 0;
        for (std::size_t i = 0; i < static_cast<std::size_t>(kW * kH); ++i)
            most = std::max(most, std::abs(static_cast<double>(sample(wrong[0], 0, 0, i)) -
                                           sample(got[0], 0, 0, i)));
        EXPECT_GT(most, 1e-3);  // 100x the tolerance above
    }
}

TEST(Inference, BadColorRangePropertyIsNamed) {
    Clip gray = make_clip(ColorFamily::GRAY, SampleKind::Integer, 8, 1);
    gray.frames[0].props["_ColorRange"] = std::int64_t{2};
    const auto msg = error_of([&] {
        inference(ORT_CPU({.fp16 = false}), std::vector{gray}, identity(1), {0, 0}, {kW, kH});
    });
    EXPECT_NE(msg.find("clips[0]: frame property _ColorRange is 2; it must be 0 (full range) or 1"),
              std::string::npos)
        << msg;
}

TEST(Inference, FloatClipsGoInAsTheyAre) {
    const Clip in = make_clip(ColorFamily::RGB, SampleKind::Float, 32, 2);
    // fp16 with output_format FP32: the model runs in half precision, the clip stays float32.
    const auto out = inference(ORT_CPU({.output_format = OutputFormat::FP32}), std::vector{in},
                               identity(3), {0, 0}, {kW, kH});
    EXPECT_EQ(out[0].format.bits_per_sample, 32);
    for (int p = 0; p < 3; ++p) expect_same_samples(in, p, out[0], p, 1e-3);

    const Clip half = make_clip(ColorFamily::GRAY, SampleKind::Float, 16, 1);
    const auto out16 =
        inference(ORT_CPU({.fp16 = false}), std::vector{half}, identity(1, true), {0, 0}, {kW, kH});
    EXPECT_EQ(out16[0].format.bits_per_sample, 16);
    expect_same_samples(half, 0, out16[0], 0, 0);
}

TEST(Inference, SeveralClipsAndTilesAndStreams) {
    // Three GRAY clips make the three channels of an RGB input.
    std::vector<Clip> clips;
    Clip rgb = make_clip(ColorFamily::RGB, SampleKind::Float, 32, 5);
    for (int i = 0; i < 3; ++i) {
        clips.push_back(make_clip(ColorFamily::GRAY, SampleKind::Float, 32, 5));
        for (std::size_t n = 0; n < clips.back().frames.size(); ++n) {
            auto& plane = clips.back().frames[n].planes[0];
            for (std::size_t k = 0; k < plane.size(); k += 4)  // tell them apart
                plane[k] = static_cast<std::byte>(static_cast<int>(plane[k]) ^ (i * 16));
            rgb.frames[n].planes[static_cast<std::size_t>(i)] = plane;
        }
    }
    // Two 3x3 convolutions: a receptive field of radius 2, which overlap 2 covers exactly.
    test::ConvStackSpec spec;
    spec.layers = 2;
    const auto model = ModelSource::from_bytes(test::conv_stack_model(spec), "conv");
    const ORT_CPU two_streams({.num_streams = 2, .fp16 = false});
    const auto whole = inference(two_streams, std::vector{rgb}, model, {0, 0}, {kW, kH});
    const auto out = inference(two_streams, clips, model, {2, 2}, {8, 6});
    ASSERT_EQ(out[0].format.color_family, ColorFamily::RGB);
    for (int p = 0; p < 3; ++p) expect_same_samples(whole[0], p, out[0], p, 1e-5);
    // Without the overlap the tiles' edges differ: the comparison above can fail.
    const auto seams = inference(two_streams, clips, model, {0, 0}, {8, 6});
    double most = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(kW * kH); ++i)
        most = std::max(most, std::abs(static_cast<double>(sample(seams[0], 0, 0, i)) -
                                       sample(whole[0], 0, 0, i)));
    EXPECT_GT(most, 1e-3);
}

TEST(Inference, FlexibleGivesOneClipPerChannel) {
    const Clip in = make_clip(ColorFamily::RGB, SampleKind::Integer, 8, 2);
    const auto out = inference(ORT_CPU({.fp16 = false}), std::vector{in},
                               ModelSource::from_bytes(test::channel_split_model(3, 5), "split"),
                               {0, 0}, {kW, kH}, /*flexible=*/true);
    ASSERT_EQ(out.size(), 5u);
    for (int k = 0; k < 5; ++k) {
        EXPECT_EQ(out[k].format.color_family, ColorFamily::GRAY);
        EXPECT_EQ(out[k].format.num_planes, 1);
        expect_same_samples(in, k % 3, out[k], 0, 1e-6);
        EXPECT_EQ(out[k].frames[1].props.at("_FrameNumber"), ArgValue(std::int64_t{1}));
    }
}

TEST(Inference, FlexibleOffKeepsOneClip) {
    const Clip in = make_clip(ColorFamily::RGB, SampleKind::Float, 32, 1);
    const auto out = inference(ORT_CPU({.fp16 = false}), std::vector{in},
                               ModelSource::from_bytes(test::channel_split_model(3, 3), "split"),
                               {0, 0}, {kW, kH}, /*flexible=*/false);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].format.color_family, ColorFamily::RGB);
    for (int p = 0; p < 3; ++p) expect_same_samples(in, p, out[0], p, 0);
}

TEST(Inference, PathAndSerializedModel) {
    const Clip in = make_clip(ColorFamily::GRAY, SampleKind::Float, 32, 1);
    const auto bytes = test::identity_model(1);
    const auto serialized = inference(ORT_CPU({.fp16 = false}), std::vector{in}, bytes, {0, 0},
                                      {kW, kH}, false, {{"path_is_serialization", true}});
    expect_same_samples(in, 0, serialized[0], 0, 0);

    const test::TempDir dir("mlrt-config");
    const auto path = dir / "identity.onnx";
    std::ofstream(path, std::ios::binary) << bytes;
    const auto from_file =
        inference(ORT_CPU({.fp16 = false}), std::vector{in}, path.string(), {0, 0}, {kW, kH});
    expect_same_samples(in, 0, from_file[0], 0, 0);
}

TEST(Inference, ExtraArgsWin) {
    const Clip in = make_clip(ColorFamily::GRAY, SampleKind::Integer, 8, 1);
    // The backend says fp16 (float16 output); extra turns it off: the integer clip goes in as
    // float32 and comes out float32.
    const auto out = inference(ORT_CPU(), std::vector{in}, identity(1), {0, 0}, {kW, kH}, false,
                               {{"fp16", false}});
    EXPECT_EQ(out[0].format.bits_per_sample, 32);
    expect_same_samples(in, 0, out[0], 0, 1e-6);
    // And extra output_format 0 keeps a float32 output with fp16 on.
    const auto fp32_out = inference(ORT_CPU(), std::vector{in}, identity(1), {0, 0}, {kW, kH},
                                    false, {{"output_format", std::int64_t{0}}});
    EXPECT_EQ(fp32_out[0].format.bits_per_sample, 32);
    expect_same_samples(in, 0, fp32_out[0], 0, 1e-3);
}

TEST(Inference, Errors) {
    const Clip gray = make_clip(ColorFamily::GRAY, SampleKind::Float, 32, 2);
    const Clip shorter = make_clip(ColorFamily::GRAY, SampleKind::Float, 32, 1);
    auto msg = error_of([&] {
        inference(ORT_CPU(), std::vector<Clip>{}, identity(1), {0, 0}, {kW, kH});
    });
    EXPECT_NE(msg.find("clips"), std::string::npos) << msg;
    msg = error_of([&] {
        inference(ORT_CPU(), std::vector{gray, shorter}, identity(2), {0, 0}, {kW, kH});
    });
    EXPECT_NE(msg.find("clips[1]"), std::string::npos) << msg;
    msg = error_of([&] {
        inference(ORT_CPU(), std::vector{gray}, identity(1), {0, 0}, {kW, kH}, false,
                  {{"num_streams", std::int64_t{-1}}});
    });
    EXPECT_NE(msg.find("num_streams"), std::string::npos) << msg;
    msg = error_of([&] {
        inference(ORT_CPU(), std::vector{gray}, identity(1), {-1, 0}, {kW, kH});
    });
    EXPECT_NE(msg.find("overlap"), std::string::npos) << msg;
    msg = error_of([&] {
        inference(ORT_CPU(), std::vector{gray}, identity(1), {0, 0}, {kW, kH}, false,
                  {{"network_path", std::string("x.onnx")}});
    });
    EXPECT_NE(msg.find("network_path"), std::string::npos) << msg;
}

}  // namespace
