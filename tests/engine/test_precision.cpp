// fp16 through the engine: the converted graph against float32, float16 frames in and out,
// output_format, natively float16 models, and the real model's PSNR.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "mlrt/engine.hpp"
#include "mlrt/error.hpp"
#include "support/frames.hpp"
#include "support/models.hpp"

using namespace mlrt;

namespace {

EngineOptions fp16_options(std::optional<SampleType> out = std::nullopt) {
    EngineOptions o;
    o.fp16 = true;
    o.output_type = out;
    o.fp16_cache_dir = std::filesystem::temp_directory_path() / "mlrt-test-fp16-cache";
    return o;
}

Frame run(const std::string& model, const Frame& in, const EngineOptions& o) {
    Engine e(ModelSource::from_bytes(model),
             {in.width(), in.height(), in.type(), {in.num_planes()}}, o);
    FrameView v = in.view();
    return e.run(std::span<const FrameView>(&v, 1));
}

double max_rel_error(const Frame& ref, const Frame& got) {
    double max_ref = 0;
    for (int p = 0; p < ref.num_planes(); ++p)
        for (std::size_t i = 0; i < static_cast<std::size_t>(ref.width() * ref.height()); ++i)
            max_ref = std::max(max_ref, static_cast<double>(std::fabs(test::sample(ref, p, i))));
    return test::max_abs_diff(ref, got) / std::max(max_ref, 1e-6);
}

}  // namespace

TEST(Precision, Fp16ConversionCloseToFloat32) {
    for (int scale : {1, 2, 4}) {
        test::ConvStackSpec spec;
        spec.layers = 3;
        spec.scale = scale;
        const std::string model = test::conv_stack_model(spec);
        Frame in = test::make_frame(33, 21, 3);
        Frame ref = run(model, in, {});
        Frame half_out = run(model, in, fp16_options());
        EXPECT_EQ(half_out.type(), SampleType::Float16);
        EXPECT_LT(max_rel_error(ref, half_out), 1e-2) << "scale " << scale;
        Frame float_out = run(model, in, fp16_options(SampleType::Float32));
        EXPECT_EQ(float_out.type(), SampleType::Float32);
        EXPECT_LT(max_rel_error(ref, float_out), 1e-2);
    }
}

TEST(Precision, HalfFramesInAndOut) {
    test::ConvStackSpec spec;
    spec.scale = 2;
    const std::string model = test::conv_stack_model(spec);
    Frame in32 = test::make_frame(20, 14, 3);
    Frame in16 = test::make_frame(20, 14, 3, 7, SampleType::Float16);
    Frame ref = run(model, in32, {});
    Frame out = run(model, in16, fp16_options());
    EXPECT_EQ(out.type(), SampleType::Float16);
    EXPECT_LT(max_rel_error(ref, out), 1e-2);
    Frame out32 = run(model, in16, fp16_options(SampleType::Float32));
    EXPECT_EQ(out32.type(), SampleType::Float32);
    EXPECT_LT(max_rel_error(ref, out32), 1e-2);
}

TEST(Precision, NativeFloat16Model) {
    test::ConvStackSpec spec;
    spec.float16 = true;
    spec.scale = 2;
    const std::string model = test::conv_stack_model(spec);
    Frame in16 = test::make_frame(16, 10, 3, 7, SampleType::Float16);
    Frame plain = run(model, in16, {});
    EXPECT_EQ(plain.type(), SampleType::Float16);
    // The converter must leave an already-float16 graph meaning the same thing.
    Frame converted = run(model, in16, fp16_options());
    EXPECT_EQ(test::max_abs_diff(plain, converted), 0.0);
    // A float32 output is asked for: the engine converts the model's float16 output.
    EngineOptions o;
    o.output_type = SampleType::Float32;
    Frame widened = run(model, in16, o);
    EXPECT_EQ(widened.type(), SampleType::Float32);
    EXPECT_EQ(test::max_abs_diff(plain, widened), 0.0);
}

TEST(Precision, TiledFp16EqualsUntiledFp16) {
    test::ConvStackSpec spec;
    spec.layers = 3;
    spec.scale = 2;
    const std::string model = test::conv_stack_model(spec);
    Frame in = test::make_frame(50, 30, 3);
    Frame whole = run(model, in, fp16_options());
    EngineOptions o = fp16_options();
    o.tile_width = o.tile_height = 20;
    o.overlap_width = o.overlap_height = 4;
    EXPECT_EQ(test::max_abs_diff(whole, run(model, in, o)), 0.0);
}

TEST(Precision, RealModelFp16Psnr) {
    const std::filesystem::path model = MLRT_SHARED_MODELS "/realesr-animevideov3-x2.onnx";
    if (!std::filesystem::exists(model)) GTEST_SKIP() << model << " is absent";
    // A natural-looking image: smooth shading, edges and fine texture.
    const int w = 96, h = 64;
    Frame in(w, h, 3, SampleType::Float32);
    for (int p = 0; p < 3; ++p)
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const float fx = static_cast<float>(x) / w, fy = static_cast<float>(y) / h;
                float v = 0.3f + 0.4f * fx * fy + 0.1f * static_cast<float>(p);
                if ((x - 48) * (x - 48) + (y - 32) * (y - 32) < 300)
                    v = 0.9f - 0.2f * static_cast<float>(p);
                v += 0.05f * std::sin(static_cast<float>(x * 3 + y * 2));
                in.plane<float>(p)[static_cast<std::size_t>(y * w + x)] = std::clamp(v, 0.f, 1.f);
            }
    auto run_model = [&](const EngineOptions& o) {
        Engine e(ModelSource::from_path(model), {w, h, SampleType::Float32, {3}}, o);
        FrameView v = in.view();
        return e.run(std::span<const FrameView>(&v, 1));
    };
    Frame ref = run_model({});
    Frame half_out = run_model(fp16_options(SampleType::Float32));
    double mse = 0;
    for (int p = 0; p < 3; ++p)
        for (std::size_t i = 0; i < static_cast<std::size_t>(ref.width() * ref.height()); ++i) {
            const double d = test::sample(ref, p, i) - test::sample(half_out, p, i);
            mse += d * d;
        }
    mse /= 3.0 * ref.width() * ref.height();
    const double psnr = 10 * std::log10(1.0 / std::max(mse, 1e-20));
    RecordProperty("psnr_db", std::to_string(psnr));
    EXPECT_GE(psnr, 45.0);
}
