// int8 through the engine: agreement with float32 within quantization error, tiled equal to
// untiled, float16 frames, and psnr().
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "int8_test_support.hpp"
#include "mlrt/error.hpp"
#include "support/temp_dir.hpp"

namespace mlrt::test::int8 {
namespace {

double psnr_of(const Frame& ref, const Frame& test) {
    return psnr(ref.view(), test.view());
}

// Peak-to-peak of all samples.
double peak_to_peak(const Frame& f) {
    double lo = 1e30, hi = -1e30;
    const auto n = static_cast<std::size_t>(f.width()) * static_cast<std::size_t>(f.height());
    for (int p = 0; p < f.num_planes(); ++p)
        for (std::size_t i = 0; i < n; ++i) {
            lo = std::min(lo, static_cast<double>(sample(f, p, i)));
            hi = std::max(hi, static_cast<double>(sample(f, p, i)));
        }
    return hi - lo;
}

// Signal (the reference's variance) over the error's mean square, in dB: unlike psnr(), it
// does not depend on how far the output is from filling [0, 1].
double snr_db(const Frame& ref, const Frame& test) {
    const auto n = static_cast<std::size_t>(ref.width()) * static_cast<std::size_t>(ref.height());
    double sum = 0, sum2 = 0, err = 0;
    for (int p = 0; p < ref.num_planes(); ++p)
        for (std::size_t i = 0; i < n; ++i) {
            const double r = sample(ref, p, i), t = sample(test, p, i);
            sum += r;
            sum2 += r * r;
            err += (r - t) * (r - t);
        }
    const double count = static_cast<double>(n) * ref.num_planes();
    const double var = sum2 / count - (sum / count) * (sum / count);
    return 10.0 * std::log10(var / std::max(err / count, 1e-30));
}

// The 4-layer, 16-channel stack with its last layer's weights and bias scaled by `gain`, so
// that its output spans a good part of [0, 1] and psnr() is a fair judge (the plain stack's
// output spans about 0.03).
std::string amplified_stack(float gain) {
    onnx::ModelProto m = parse(conv_stack_model(stack_spec(4, 16)));
    for (auto& t : *m.mutable_graph()->mutable_initializer()) {
        if (t.name() != "w3" && t.name() != "b3") continue;
        std::vector<float> v = float_data(t);
        for (auto& x : v) x *= gain;
        t = float_tensor(t.name(), {t.dims().begin(), t.dims().end()}, v);
    }
    return m.SerializeAsString();
}

class Int8Engine : public ::testing::Test {
  protected:
    // A smooth 4-layer, 16-channel stack, calibrated on two frames unlike the test frame.
    static void SetUpTestSuite() {
        model_ = new std::string(amplified_stack(16.0f));
        calibration_ = new std::shared_ptr<const Int8Calibration>(
            calibrate(*model_, {frame(80, 60, 11), frame(80, 60, 12)}));
    }
    static void TearDownTestSuite() {
        delete model_;
        delete calibration_;
        model_ = nullptr;
        calibration_ = nullptr;
    }

    EngineOptions options(
        std::optional<std::vector<std::string>> blacklist = std::vector<std::string>{}) const {
        return int8_options(*calibration_, cache_.path(), std::move(blacklist));
    }

    static std::string* model_;
    static std::shared_ptr<const Int8Calibration>* calibration_;
    TempDir cache_{"mlrt-int8-engine"};
};

std::string* Int8Engine::model_ = nullptr;
std::shared_ptr<const Int8Calibration>* Int8Engine::calibration_ = nullptr;

TEST_F(Int8Engine, CloseToFloat32ButNotEqual) {
    const Frame in = frame(80, 60, 7);
    const Frame ref = run(*model_, in, {});
    Engine e(ModelSource::from_bytes(*model_), format_of(in), options());
    EXPECT_TRUE(e.model_info().int8_quantized);
    EXPECT_EQ(e.model_info().int8_nodes, 4);
    EXPECT_FALSE(e.model_info().fp16_converted);
    EXPECT_EQ(e.model_info().input_type, SampleType::Float32);
    const Frame got = run(e, in);
    ASSERT_EQ(got.type(), SampleType::Float32);
    ASSERT_EQ(got.width(), 80);
    ASSERT_EQ(got.height(), 60);
    const double db = psnr_of(ref, got);
    const double diff = max_abs_diff(ref, got);
    RecordProperty("psnr_db", std::to_string(db));
    RecordProperty("max_abs_diff", std::to_string(diff));
    RecordProperty("snr_db", std::to_string(snr_db(ref, got)));
    RecordProperty("ref_peak", std::to_string(peak_to_peak(ref)));
    EXPECT_GE(db, 35.0);
    EXPECT_GE(snr_db(ref, got), 36.0) << "error large next to the output's own variation";
    EXPECT_GT(peak_to_peak(ref), 0.3) << "the reference hardly varies: psnr() proves little";
    EXPECT_LT(diff, 0.05);
    EXPECT_LT(diff, 0.1 * peak_to_peak(ref));
    EXPECT_GT(diff, 0.0) << "int8 output is bit-identical to float32: was it quantized?";
    EXPECT_TRUE(std::isfinite(db));
}

TEST_F(Int8Engine, DefaultBlacklistQuantizesTheMiddle) {
    const Frame in = frame(48, 32, 7);
    const Frame ref = run(*model_, in, {});
    Engine e(ModelSource::from_bytes(*model_), format_of(in), options(std::nullopt));
    EXPECT_TRUE(e.model_info().int8_quantized);
    EXPECT_EQ(e.model_info().int8_nodes, 2);
    const Frame got = run(e, in);
    EXPECT_GE(psnr_of(ref, got), 35.0);
    EXPECT_GE(snr_db(ref, got), 36.0);
    EXPECT_GT(max_abs_diff(ref, got), 0.0);
}

TEST_F(Int8Engine, NothingQuantizedWhenEverythingIsBlacklisted) {
    const Frame in = frame(48, 32, 7);
    Engine e(ModelSource::from_bytes(*model_), format_of(in),
             options(std::vector<std::string>{"Conv"}));
    EXPECT_EQ(e.model_info().int8_nodes, 0);
    // Nothing to quantize: the model runs as float32 (up to summation order).
    EXPECT_LT(max_abs_diff(run(*model_, in, {}), run(e, in)), 1e-5);
}

TEST_F(Int8Engine, TiledEqualsUntiledBitForBit) {
    // Four 3x3 layers: receptive field radius 4 <= overlap.
    const Frame in = frame(80, 60, 7);
    const Frame whole = run(*model_, in, options());
    for (int overlap : {4, 6}) {
        SCOPED_TRACE("overlap " + std::to_string(overlap));
        EngineOptions o = options();
        o.tile_width = 32;
        o.tile_height = 32;
        o.overlap_width = overlap;
        o.overlap_height = overlap;
        Engine e(ModelSource::from_bytes(*model_), format_of(in), o);
        EXPECT_GT(e.layout().x.starts.size() * e.layout().y.starts.size(), 1u) << "not tiled";
        const Frame tiled = run(e, in);
        EXPECT_TRUE(identical(whole, tiled)) << "max diff " << max_abs_diff(whole, tiled);
    }
}

TEST_F(Int8Engine, TooLittleOverlapIsNotExact) {
    // Guards the test above: with no overlap the seams differ, so equality there means
    // something.
    const Frame in = frame(80, 60, 7);
    const Frame whole = run(*model_, in, options());
    EngineOptions o = options();
    o.tile_width = 32;
    o.tile_height = 32;
    EXPECT_FALSE(identical(whole, run(*model_, in, o)));
}

TEST_F(Int8Engine, HalfFramesInAndOut) {
    const Frame in32 = frame(48, 32, 7);
    const Frame in16 = frame(48, 32, 7, SampleType::Float16);
    const Frame want = run(*model_, in32, options());
    EngineOptions o = options();
    o.output_type = SampleType::Float16;
    Engine e(ModelSource::from_bytes(*model_), format_of(in16), o);
    EXPECT_TRUE(e.model_info().int8_quantized);
    EXPECT_EQ(e.model_info().input_type, SampleType::Float16);
    EXPECT_EQ(e.model_info().output_type, SampleType::Float16);
    const Frame got = run(e, in16);
    ASSERT_EQ(got.type(), SampleType::Float16);
    RecordProperty("psnr_db", std::to_string(psnr_of(want, got)));
    RecordProperty("max_abs_diff", std::to_string(max_abs_diff(want, got)));
    EXPECT_GE(psnr_of(want, got), 40.0);
    EXPECT_LT(max_abs_diff(want, got), 0.01);
    // Float16 in, float32 out.
    EngineOptions mixed = options();
    mixed.output_type = SampleType::Float32;
    const Frame got32 = run(*model_, in16, mixed);
    ASSERT_EQ(got32.type(), SampleType::Float32);
    EXPECT_GE(psnr_of(want, got32), 40.0);
}

TEST_F(Int8Engine, RefusesFloat16Models) {
    ConvStackSpec s = stack_spec(2, 4);
    s.float16 = true;
    const Frame in = frame(16, 16, 7, SampleType::Float16);
    try {
        run(conv_stack_model(s), in, options());
        FAIL() << "a float16 model was quantized";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidModel);
        EXPECT_NE(std::string(e.what()).find("float32"), std::string::npos) << e.what();
    }
}

TEST(Int8Psnr, EqualFramesAreInfinite) {
    const Frame a = frame(17, 9, 3);
    EXPECT_EQ(psnr(a.view(), a.view()), std::numeric_limits<double>::infinity());
    const Frame copy = a;
    EXPECT_EQ(psnr(a.view(), copy.view()), std::numeric_limits<double>::infinity());
}

TEST(Int8Psnr, ConstantDifference) {
    for (float d : {0.5f, 0.1f, 0.01f, 0.0009765625f}) {
        const Frame a = frame(17, 9, 3);
        Frame b = a;
        for (int p = 0; p < b.num_planes(); ++p)
            for (auto& v : b.plane<float>(p)) v += (p % 2 == 0 ? d : -d);
        // Adding d to samples near 0.5 rounds by an ulp at most: well inside 0.01 dB.
        const double want = 10.0 * std::log10(1.0 / (static_cast<double>(d) * d));
        EXPECT_NEAR(psnr(a.view(), b.view()), want, 0.01) << d;
        EXPECT_NEAR(psnr(b.view(), a.view()), want, 0.01) << d;
    }
}

TEST(Int8Psnr, ExactConstantDifferenceOnZeroFrames) {
    Frame a(8, 4, 2, SampleType::Float32);
    Frame b(8, 4, 2, SampleType::Float32);
    for (int p = 0; p < 2; ++p) {
        for (auto& v : a.plane<float>(p)) v = 0.0f;
        for (auto& v : b.plane<float>(p)) v = 0.25f;
    }
    EXPECT_DOUBLE_EQ(psnr(a.view(), b.view()), 10.0 * std::log10(1.0 / 0.0625));  // 12.04 dB
}

TEST(Int8Psnr, HalfAgainstFloatAndMismatchRefused) {
    const Frame f32 = frame(16, 8, 3);
    const Frame f16 = frame(16, 8, 3, SampleType::Float16);
    const double db = psnr(f32.view(), f16.view());
    EXPECT_GT(db, 60.0);  // float16 rounding of values in [0, 1]
    EXPECT_TRUE(std::isfinite(db));
    EXPECT_THROW(psnr(f32.view(), frame(8, 16, 3).view()), Error);
    EXPECT_THROW(psnr(f32.view(), make_frame(16, 8, 1).view()), Error);
}

}  // namespace
}  // namespace mlrt::test::int8
