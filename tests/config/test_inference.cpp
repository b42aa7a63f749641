// inference() end to end on the CPU provider with models built in code.
#include <gtest/gtest.h>

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
                    const auto v = static_cast<std::uint16_t>(raw * 4);  // 10-bit
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

// The sample as float, whatever the clip stores; integers normalised like inference() does.
float sample(const Clip& clip, int frame, int plane, std::size_t i) {
    const ClipFormat& f = clip.format;
    const auto& bytes =
        clip.frames[static_cast<std::size_t>(frame)].planes[static_cast<std::size_t>(plane)];
    if (f.sample_type == SampleKind::Integer) {
        const float max = static_cast<float>((1u << f.bits_per_sample) - 1u);
        if (f.bits_per_sample == 8) return static_cast<float>(bytes[i]) / max;
        std::uint16_t v;
        std::memcpy(&v, bytes.data() + 2 * i, 2);
        return static_cast<float>(v) / max;
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
    // Three GRAY clips make the three channels of an RGB output.
    std::vector<Clip> clips;
    for (int i = 0; i < 3; ++i) {
        clips.push_back(make_clip(ColorFamily::GRAY, SampleKind::Float, 32, 5));
        for (auto& frame : clips.back().frames)  // tell them apart
            for (auto& b : frame.planes[0])
                b = static_cast<std::byte>(static_cast<int>(b) ^ (i * 16));
    }
    const auto out =
        inference(ORT_CPU({.num_streams = 2, .fp16 = false}), clips, identity(3), {2, 2}, {8, 6});
    ASSERT_EQ(out[0].format.color_family, ColorFamily::RGB);
    for (int p = 0; p < 3; ++p) expect_same_samples(clips[p], 0, out[0], p, 0);
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
