// Calibration: the Calibrator over frames, the text file (round trip, parse errors), the range
// observer's percentile clipping, and the engine's refusals around calibrations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "engine/int8/range_observer.hpp"
#include "engine/model_cache.hpp"
#include "int8_test_support.hpp"
#include "mlrt/error.hpp"
#include "support/temp_dir.hpp"

namespace mlrt::test::int8 {
namespace {

using detail::int8::RangeObserver;

// What `f` throws as an mlrt::Error (kind and message); fails the test when it does not throw.
template <typename F>
Error thrown(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "no mlrt::Error thrown";
    return Error(ErrorKind::Runtime, "<nothing thrown>");
}

bool contains(const Error& e, const std::string& text) {
    return std::string(e.what()).find(text) != std::string::npos;
}

const std::string& stack_model() {
    static const std::string m = conv_stack_model(stack_spec(3, 8));
    return m;
}

Int8Calibration sample_calibration() {
    Int8Calibration c;
    c.model_digest = "0123456789abcdef0123456789abcdef";
    c.method = "percentile 99.99 (test)";
    c.frames = 3;
    c.tiles = 7;
    c.ranges = {{"input", 0.0f, 1.0f},
                {"conv0_relu", -0.1f, 3.14159274f},
                {"name with spaces", -1e-8f, 1e8f},
                {"tiny", 1.17549435e-38f, 0.333333343f}};
    return c;
}

TEST(Int8Calibration, SerializeParseRoundTripsExactly) {
    const Int8Calibration c = sample_calibration();
    const std::string text = c.serialize();
    const Int8Calibration back = Int8Calibration::parse(text, "test");
    EXPECT_EQ(back.serialize(), text);
    EXPECT_EQ(back.model_digest, c.model_digest);
    EXPECT_EQ(back.method, c.method);
    EXPECT_EQ(back.frames, 3);
    EXPECT_EQ(back.tiles, 7);
    ASSERT_EQ(back.ranges.size(), c.ranges.size());
    for (std::size_t i = 0; i < c.ranges.size(); ++i) {
        EXPECT_EQ(back.ranges[i].tensor, c.ranges[i].tensor);
        EXPECT_EQ(back.ranges[i].lo, c.ranges[i].lo) << "bit-exact float round trip";
        EXPECT_EQ(back.ranges[i].hi, c.ranges[i].hi);
    }
}

TEST(Int8Calibration, SaveLoadRoundTripsACalibratorResult) {
    TempDir dir("mlrt-int8-cal");
    const auto c = calibrate(stack_model(), {frame(40, 30, 1), frame(40, 30, 2)});
    EXPECT_EQ(c->frames, 2);
    EXPECT_GE(c->tiles, 2);
    EXPECT_EQ(c->model_digest, detail::content_digest(stack_model()));
    const auto path = dir / "stack.calibration";
    c->save(path);
    const Int8Calibration back = Int8Calibration::load(path);
    EXPECT_EQ(back.serialize(), c->serialize());
    // Saving again over the file replaces it, leaving no temporary behind.
    back.save(path);
    EXPECT_EQ(Int8Calibration::load(path).serialize(), c->serialize());
    int files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++files;
    EXPECT_EQ(files, 1);
}

TEST(Int8Calibration, ParseErrorsNameTheLine) {
    const std::string header = "mlrt-int8-calibration 1\n";
    {
        const Error e = thrown([] { Int8Calibration::parse("mlrt-int8-calibration 2\n", "x"); });
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
        EXPECT_TRUE(contains(e, "line 1")) << e.what();
    }
    {
        const Error e = thrown(
            [&] { Int8Calibration::parse(header + "model abc\nrange 0 1\n", "file 'c.txt'"); });
        EXPECT_TRUE(contains(e, "file 'c.txt' line 3")) << e.what();
    }
    {
        const Error e = thrown(
            [&] { Int8Calibration::parse(header + "model abc\nframes 2\nrange zero 1 t\n", "x"); });
        EXPECT_TRUE(contains(e, "line 4")) << e.what();
    }
    {
        const Error e = thrown([&] {
            Int8Calibration::parse(header + "model abc\nrange 0 1 ok\nrange 2 1 backwards\n", "x");
        });
        EXPECT_TRUE(contains(e, "line 4")) << e.what();
        EXPECT_TRUE(contains(e, "'backwards'")) << e.what();
        EXPECT_TRUE(contains(e, "lo > hi")) << e.what();
    }
    {
        const Error e = thrown([&] { Int8Calibration::parse(header + "frames -1\n", "x"); });
        EXPECT_TRUE(contains(e, "line 2")) << e.what();
    }
    {
        const Error e = thrown([&] { Int8Calibration::parse(header + "bogus 1\n", "x"); });
        EXPECT_TRUE(contains(e, "line 2")) << e.what();
        EXPECT_TRUE(contains(e, "'bogus'")) << e.what();
    }
    EXPECT_THROW(Int8Calibration::parse("", "x"), Error);
    // A calibration must say which model it is for.
    const Error e = thrown([&] { Int8Calibration::parse(header + "range 0 1 t\n", "x"); });
    EXPECT_TRUE(contains(e, "names no model")) << e.what();
}

TEST(Int8Calibration, LoadOfMissingFileNamesIt) {
    TempDir dir("mlrt-int8-cal");
    const auto path = dir / "no-such.calibration";
    const Error e = thrown([&] { Int8Calibration::load(path); });
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_TRUE(contains(e, path.string())) << e.what();
}

TEST(Int8Calibration, LoadNamesFileAndLineOfABadEntry) {
    TempDir dir("mlrt-int8-cal");
    const auto path = dir / "bad.calibration";
    std::ofstream(path) << "mlrt-int8-calibration 1\nmodel abc\nrange 1 0 t\n";
    const Error e = thrown([&] { Int8Calibration::load(path); });
    EXPECT_TRUE(contains(e, path.string())) << e.what();
    EXPECT_TRUE(contains(e, "line 3")) << e.what();
}

TEST(Int8Calibration, CoversEveryTensorTheQuantizerNeeds) {
    const auto c = calibrate(stack_model(), {frame(24, 16)});
    const auto plan = plan_quantization(parse(stack_model()), {});
    std::vector<std::string> names;
    for (const auto& r : c->ranges) {
        names.push_back(r.tensor);
        EXPECT_LE(r.lo, r.hi) << r.tensor;
    }
    std::vector<std::string> want = plan.tensors;
    std::sort(want.begin(), want.end());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, want);
    // The input range is that of the frame (make_frame: 0.5 +- 0.3 +- 0.1), ReLU outputs >= 0.
    for (const auto& r : c->ranges) {
        if (r.tensor == "input") {
            EXPECT_GT(r.lo, 0.05f);
            EXPECT_LT(r.hi, 0.95f);
            EXPECT_GT(r.hi - r.lo, 0.5f);
        }
        if (r.tensor.ends_with("_relu")) {
            EXPECT_GE(r.lo, 0.0f) << r.tensor;
        }
    }
}

TEST(Int8Calibration, TiledCalibrationCountsTiles) {
    EngineOptions o;
    o.tile_width = 16;
    o.tile_height = 16;
    const auto c = calibrate(stack_model(), {frame(32, 32)}, o);
    EXPECT_EQ(c->frames, 1);
    EXPECT_EQ(c->tiles, 4);
}

// X -> Relu -> Y (the graph output), and Y also feeds a Conv whose result nothing reads: the
// Conv's activation input is the graph output itself.
std::string output_feeds_conv_model() {
    onnx::ModelProto m = make_model();
    auto& g = *m.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 3, "h", "w"});
    *g.add_initializer() = float_tensor("W", {2, 3, 1, 1}, ramp(6, 0.05f));
    *g.add_initializer() = float_tensor("B", {2}, {0.25f, -0.5f});
    add_node(g, "Relu", {"X"}, {"Y"}, "relu");
    add_node(g, "Conv", {"Y", "W", "B"}, {"C"}, "conv");
    *g.add_output() = tensor_info("Y", kFloat, {1, 3, "h", "w"});
    return m.SerializeAsString();
}

TEST(Int8Calibration, ObservesATensorThatIsAlsoTheGraphOutput) {
    TempDir cache("mlrt-int8-cache");
    const std::string model = output_feeds_conv_model();
    const Frame f = frame(16, 12);
    const auto c = calibrate(model, {f});
    bool has_y = false;
    for (const auto& r : c->ranges)
        if (r.tensor == "Y") {
            has_y = true;
            EXPECT_GT(r.hi, 0.5f);
        }
    EXPECT_TRUE(has_y) << c->serialize();
    Engine e(ModelSource::from_bytes(model), format_of(f),
             int8_options(c, cache.path(), std::vector<std::string>{}));
    EXPECT_EQ(e.model_info().int8_nodes, 1);
    // The output is Relu(X), which int8 leaves alone.
    EXPECT_TRUE(identical(run(e, f), run(model, f, {})));
}

TEST(Int8Calibration, FinishWithoutFramesFails) {
    const Frame f = frame(16, 16);
    Calibrator c(ModelSource::from_bytes(stack_model()), format_of(f), {});
    EXPECT_EQ(c.frames(), 0);
    const Error e = thrown([&] { (void)c.finish(); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_TRUE(contains(e, "at least one frame")) << e.what();
}

TEST(Int8Calibration, CalibratorRejectsMismatchedClips) {
    const Frame f = frame(16, 12);
    Calibrator c(ModelSource::from_bytes(stack_model()), format_of(f), {});
    const Frame wrong_size = frame(12, 16);
    const FrameView ws = wrong_size.view();
    EXPECT_THROW(c.add(std::span<const FrameView>(&ws, 1)), Error);
    const Frame wrong_planes = make_frame(16, 12, 1);
    const FrameView wp = wrong_planes.view();
    const Error e = thrown([&] { c.add(std::span<const FrameView>(&wp, 1)); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_TRUE(contains(e, "planes")) << e.what();
    const Frame wrong_type = frame(16, 12, 7, SampleType::Float16);
    const FrameView wt = wrong_type.view();
    EXPECT_THROW(c.add(std::span<const FrameView>(&wt, 1)), Error);
    EXPECT_EQ(c.frames(), 0) << "a rejected clip counted as a frame";
    const FrameView ok = f.view();
    c.add(std::span<const FrameView>(&ok, 1));
    EXPECT_EQ(c.frames(), 1);
}

TEST(Int8Calibration, CalibratorRefusesModelsWithNothingToQuantize) {
    const Frame f = frame(8, 8);
    EXPECT_THROW(Calibrator(ModelSource::from_bytes(identity_model(3)), format_of(f), {}), Error);
    EXPECT_THROW(Calibrator(ModelSource::from_bytes(identity_model(3, true)),
                            {8, 8, SampleType::Float16, {3}}, {}),
                 Error);
}

TEST(Int8Calibration, HalfFramesCalibrateLikeFloatFrames) {
    const auto f32 = calibrate(stack_model(), {frame(24, 16)});
    const auto f16 = calibrate(stack_model(), {frame(24, 16, 7, SampleType::Float16)});
    ASSERT_EQ(f32->ranges.size(), f16->ranges.size());
    for (std::size_t i = 0; i < f32->ranges.size(); ++i) {
        EXPECT_EQ(f32->ranges[i].tensor, f16->ranges[i].tensor);
        const float span = f32->ranges[i].hi - f32->ranges[i].lo;
        EXPECT_NEAR(f16->ranges[i].lo, f32->ranges[i].lo, 0.01f * span + 1e-4f);
        EXPECT_NEAR(f16->ranges[i].hi, f32->ranges[i].hi, 0.01f * span + 1e-4f);
    }
}

TEST(Int8Calibration, EngineRefusesCalibrationOfAnotherModel) {
    TempDir cache("mlrt-int8-cache");
    const auto a = calibrate(stack_model(), {frame(16, 16)});
    const std::string model_b = conv_stack_model(stack_spec(3, 8, /*seed=*/2));
    const Frame f = frame(16, 16);
    const Error e = thrown([&] { run(model_b, f, int8_options(a, cache.path())); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_TRUE(contains(e, "another model")) << e.what();
    // The same refusal from the converter itself.
    const Error d =
        thrown([&] { detail::int8::quantize_cached(model_b, "model-b", *a, {}, cache.path()); });
    EXPECT_TRUE(contains(d, "model-b")) << d.what();
    EXPECT_TRUE(contains(d, "another model")) << d.what();
}

TEST(Int8Calibration, EngineRefusesInt8WithoutCalibration) {
    TempDir cache("mlrt-int8-cache");
    const Error e =
        thrown([&] { run(stack_model(), frame(16, 16), int8_options({}, cache.path())); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_TRUE(contains(e, "calibration")) << e.what();
}

TEST(Int8Calibration, EngineRefusesInt8WithFp16) {
    TempDir cache("mlrt-int8-cache");
    EngineOptions o = int8_options(calibrate(stack_model(), {frame(16, 16)}), cache.path());
    o.fp16 = true;
    const Error e = thrown([&] { run(stack_model(), frame(16, 16), o); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_TRUE(contains(e, "fp16")) << e.what();
}

// Feeds `values` in pieces small enough to be kept whole (no per-tile subsampling).
void observe_all(RangeObserver& o, const std::vector<float>& values) {
    for (std::size_t i = 0; i < values.size(); i += RangeObserver::kSamplesPerTile)
        o.observe(values.data() + i, std::min(RangeObserver::kSamplesPerTile, values.size() - i));
}

// n values evenly over [0, 0.999].
std::vector<float> ramp(std::size_t n) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<float>(i % 1000) / 1000.0f;
    return v;
}

TEST(Int8RangeObserver, PercentileClipsRareOutliers) {
    // 3 of a million on each side: under the 0.001% that each side may lose.
    std::vector<float> v = ramp(1000000);
    for (std::size_t i : {123u, 4567u, 890123u}) v[i] = 1000.0f;
    for (std::size_t i : {77u, 65432u, 999000u}) v[i] = -1000.0f;
    RangeObserver o;
    observe_all(o, v);
    const Range r = o.range();
    EXPECT_GE(r.lo, 0.0f);
    EXPECT_LT(r.lo, 0.01f);
    EXPECT_LE(r.hi, 1.0f);
    EXPECT_GT(r.hi, 0.99f);
}

TEST(Int8RangeObserver, KeepsRareLargeValuesThatAreNotOutliers) {
    // 50 in a million (0.005%) at 10, as the few strong activations of an upscaler's edges:
    // the 99.99th percentile clipped them to 1 (waifu2x UpConv7 lost 5 dB to that); the range
    // must reach them.
    std::vector<float> v = ramp(1000000);
    for (std::size_t i = 0; i < 50; ++i) v[i * 19997 + 5] = 10.0f;
    RangeObserver o;
    observe_all(o, v);
    EXPECT_EQ(o.range().hi, 10.0f);
    EXPECT_EQ(o.range().lo, 0.0f);
}

TEST(Int8RangeObserver, ALongCalibrationKeepsAUniformSampleOfBoundedSize) {
    // 3 * 2^20 values kept whole by the tiles: the first third in [0, 1), the rest in [2, 3).
    // A sample that kept only the first values would end near 1, one that kept only the last
    // would start near 2; a uniform one holds a third of its values in [0, 1).
    std::vector<float> v = ramp(3 * RangeObserver::kMaxSamples);
    for (std::size_t i = RangeObserver::kMaxSamples; i < v.size(); ++i) v[i] += 2.0f;
    RangeObserver o;
    observe_all(o, v);
    const Range r = o.range();
    EXPECT_LT(r.lo, 0.01f);
    EXPECT_GT(r.hi, 2.99f);
    // The same values in the opposite order give the same range, within the levels' step.
    std::reverse(v.begin(), v.end());
    RangeObserver reversed;
    observe_all(reversed, v);
    EXPECT_NEAR(reversed.range().lo, r.lo, 0.01f);
    EXPECT_NEAR(reversed.range().hi, r.hi, 0.01f);
}

TEST(Int8RangeObserver, IgnoresNonFiniteAndPoolsCalls) {
    RangeObserver o;
    EXPECT_EQ(o.range().lo, 0.0f);
    EXPECT_EQ(o.range().hi, 0.0f);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> bad{nan, inf, -inf};
    o.observe(bad.data(), bad.size());
    EXPECT_EQ(o.range().lo, 0.0f);
    EXPECT_EQ(o.range().hi, 0.0f);
    const std::vector<float> a{-2.0f, -1.0f, nan};
    const std::vector<float> b{3.0f, inf, 5.0f};
    o.observe(a.data(), a.size());
    o.observe(b.data(), b.size());
    EXPECT_EQ(o.range().lo, -2.0f);
    EXPECT_EQ(o.range().hi, 5.0f);
}

TEST(Int8RangeObserver, LargeTensorsAreSubsampledAcrossColumns) {
    // A 512-wide plane whose odd columns hold 1 and even columns 0: a subsample that kept
    // landing on the same column parity would miss one of them.
    const std::size_t w = 512, h = 512;
    std::vector<float> v(w * h);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = (i % w) % 2 == 0 ? 0.0f : 1.0f;
    RangeObserver o;
    o.observe(v.data(), v.size());
    EXPECT_EQ(o.range().lo, 0.0f);
    EXPECT_EQ(o.range().hi, 1.0f);
}

}  // namespace
}  // namespace mlrt::test::int8
