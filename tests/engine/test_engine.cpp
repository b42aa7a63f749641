#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <functional>
#include <thread>

#include "engine/tile_copy.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/error.hpp"
#include "mlrt/version.hpp"
#include "support/frames.hpp"
#include "support/models.hpp"
#include "support/temp_dir.hpp"

using namespace mlrt;
using mlrt::test::ConvStackSpec;

namespace {

InputFormat format(int w, int h, std::vector<int> planes = {3},
                   SampleType t = SampleType::Float32) {
    return {w, h, t, std::move(planes)};
}

Frame run_one(const std::string& model, const Frame& in, EngineOptions o) {
    Engine e(ModelSource::from_bytes(model),
             format(in.width(), in.height(), {in.num_planes()}, in.type()), o);
    FrameView v = in.view();
    return e.run(std::span<const FrameView>(&v, 1));
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "<no error>";
}

}  // namespace

TEST(Engine, IdentityReturnsInputExactly) {
    Frame in = test::make_frame(37, 23, 3);
    Frame out = run_one(test::identity_model(3), in, {});
    ASSERT_EQ(out.width(), 37);
    ASSERT_EQ(out.height(), 23);
    EXPECT_EQ(test::max_abs_diff(in, out), 0.0);
}

TEST(Engine, NearestUpscaleGeometry) {
    Frame in = test::make_frame(19, 11, 1);
    EngineOptions o;
    o.tile_width = 8;
    o.tile_height = 8;
    o.overlap_width = 1;
    o.overlap_height = 1;
    Frame out = run_one(test::nearest_upscale_model(1, 4), in, o);
    ASSERT_EQ(out.width(), 76);
    ASSERT_EQ(out.height(), 44);
    for (int y = 0; y < 44; ++y)
        for (int x = 0; x < 76; ++x)
            ASSERT_EQ(out.plane<float>(0)[static_cast<std::size_t>(y * 76 + x)],
                      in.plane<float>(0)[static_cast<std::size_t>((y / 4) * 19 + x / 4)])
                << x << "," << y;
}

struct TileCase {
    int scale;
    int w, h;
    int tile_w, tile_h;
    int overlap;
    TileMode mode;
};

class TiledEqualsUntiled : public ::testing::TestWithParam<TileCase> {};

TEST_P(TiledEqualsUntiled, WhenReceptiveFieldWithinOverlap) {
    const TileCase c = GetParam();
    ConvStackSpec spec;
    spec.layers = 3;  // receptive field radius 3
    spec.scale = c.scale;
    const std::string model = test::conv_stack_model(spec);
    Frame in = test::make_frame(c.w, c.h, 3);
    Frame whole = run_one(model, in, {});
    EngineOptions o;
    o.tile_width = c.tile_w;
    o.tile_height = c.tile_h;
    o.overlap_width = c.overlap;
    o.overlap_height = c.overlap;
    o.tile_mode = c.mode;
    Frame tiled = run_one(model, in, o);
    ASSERT_EQ(tiled.width(), c.w * c.scale);
    EXPECT_LE(test::max_abs_diff(whole, tiled), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Scales, TiledEqualsUntiled,
                         ::testing::Values(TileCase{1, 67, 45, 24, 20, 3, TileMode::Literal},
                                           TileCase{2, 67, 45, 24, 20, 3, TileMode::Literal},
                                           TileCase{4, 67, 45, 24, 20, 3, TileMode::Literal},
                                           TileCase{2, 67, 45, 24, 20, 4, TileMode::Balanced},
                                           TileCase{4, 61, 39, 16, 16, 3, TileMode::Balanced},
                                           TileCase{2, 31, 17, 64, 64, 3, TileMode::Literal},
                                           TileCase{1, 33, 29, 12, 40, 5, TileMode::Literal}));

TEST(Engine, TiledDiffersWhenOverlapTooSmall) {
    // Guards the test above: with no overlap, seams must show up.
    ConvStackSpec spec;
    spec.layers = 3;
    spec.scale = 2;
    const std::string model = test::conv_stack_model(spec);
    Frame in = test::make_frame(64, 40, 3);
    Frame whole = run_one(model, in, {});
    EngineOptions o;
    o.tile_width = 20;
    o.tile_height = 20;
    o.tile_mode = TileMode::Literal;
    EXPECT_GT(test::max_abs_diff(whole, run_one(model, in, o)), 1e-3);
}

TEST(Engine, SpaceToDepthModelPadsOddFrames) {
    ConvStackSpec spec;
    spec.layers = 2;
    spec.space_to_depth = true;
    const std::string model = test::conv_stack_model(spec);
    Frame in = test::make_frame(45, 33, 3);
    Engine e(ModelSource::from_bytes(model), format(45, 33), {});
    EXPECT_EQ(e.model_info().size_multiple, 2);
    FrameView v = in.view();
    Frame whole = e.run(std::span<const FrameView>(&v, 1));
    EXPECT_EQ(whole.width(), 45);
    EngineOptions o;
    o.tile_width = o.tile_height = 20;
    o.overlap_width = o.overlap_height = 6;  // two 3x3 convs at half resolution: radius 4
    EXPECT_LE(test::max_abs_diff(whole, run_one(model, in, o)), 1e-5);
}

// Swin-style window partitioning computes its shapes from the input's (Shape, Gather, Div,
// Reshape), and exporters leave value_info from the size they exported at. The engine pins the
// input to its tile size: the graph must still load and run at other sizes.
TEST(Engine, ShapeComputingModelRunsAtSizesOtherThanItsExport) {
    const std::string model = test::window_partition_model(3, 4, 64);
    for (auto [w, h] : {std::pair{64, 64}, std::pair{100, 60}, std::pair{8, 4}}) {
        SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
        Frame in = test::make_frame(w, h, 3);
        Frame out = run_one(model, in, {});
        ASSERT_EQ(out.width(), w);
        ASSERT_EQ(out.height(), h);
        const auto n = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
        for (int p = 0; p < 3; ++p)
            for (std::size_t i = 0; i < n; ++i)
                ASSERT_EQ(test::sample(out, p, i), 2 * test::sample(in, p, i)) << p << " " << i;
    }
    // Tiled, at tiles that are multiples of the window.
    EngineOptions o;
    o.tile_width = 48;
    o.tile_height = 20;
    Frame in = test::make_frame(96, 60, 3);
    EXPECT_EQ(test::max_abs_diff(run_one(model, in, o), run_one(model, in, {})), 0.0);
    // Other sizes fail in ONNX Runtime's Reshape; the message says what to change.
    EXPECT_NE(error_of([&] { run_one(model, test::make_frame(25, 20, 3), {}); }).find("tile size"),
              std::string::npos);
}

TEST(Engine, FixedSizeModel) {
    ConvStackSpec spec;
    spec.layers = 2;
    spec.fixed_w = 32;
    spec.fixed_h = 24;
    const std::string model = test::conv_stack_model(spec);
    Frame in = test::make_frame(70, 50, 3);
    EngineOptions o;
    o.overlap_width = o.overlap_height = 2;
    Frame out = run_one(model, in, o);
    EXPECT_EQ(out.width(), 70);
    Engine e(ModelSource::from_bytes(model), format(70, 50), o);
    EXPECT_EQ(e.layout().x.tile, 32);
    EXPECT_EQ(e.layout().y.tile, 24);
    // A frame smaller than the fixed size is padded rather than refused.
    Frame small = test::make_frame(20, 10, 3);
    EXPECT_EQ(run_one(model, small, {}).width(), 20);
    EngineOptions literal;
    literal.tile_mode = TileMode::Literal;
    literal.tile_width = 40;
    literal.tile_height = 24;
    EXPECT_NE(error_of([&] { run_one(model, in, literal); }).find("fixed at 32"),
              std::string::npos);
}

TEST(Engine, TwoClipsConcatenateOnChannels) {
    ConvStackSpec spec;
    spec.in_channels = 4;
    spec.out_channels = 1;
    spec.layers = 1;
    const std::string model = test::conv_stack_model(spec);
    Frame a = test::make_frame(30, 20, 3, 1);
    Frame b = test::make_frame(30, 20, 1, 2);
    Frame joined(30, 20, 4, SampleType::Float32);
    for (int p = 0; p < 3; ++p)
        std::copy_n(a.plane<float>(p).data(), 600, joined.plane<float>(p).data());
    std::copy_n(b.plane<float>(0).data(), 600, joined.plane<float>(3).data());
    Engine two(ModelSource::from_bytes(model), format(30, 20, {3, 1}), {});
    FrameView views[] = {a.view(), b.view()};
    Frame out2 = two.run(views);
    Frame out1 = run_one(model, joined, {});
    EXPECT_EQ(out2.num_planes(), 1);
    EXPECT_EQ(test::max_abs_diff(out1, out2), 0.0);
}

TEST(Engine, FlexibleOutputAnyChannelCount) {
    const std::string model = test::channel_split_model(3, 5);
    Frame in = test::make_frame(16, 12, 3);
    EXPECT_NE(error_of([&] { run_one(model, in, {}); }).find("5 channels"), std::string::npos);
    EngineOptions o;
    o.flexible_output = true;
    Frame out = run_one(model, in, o);
    ASSERT_EQ(out.num_planes(), 5);
    for (int k = 0; k < 5; ++k)
        for (std::size_t i = 0; i < 16 * 12; ++i)
            ASSERT_EQ(out.plane<float>(k)[i], in.plane<float>(k % 3)[i]);
}

TEST(Engine, StreamsGiveIdenticalOutputUnderConcurrency) {
    ConvStackSpec spec;
    spec.layers = 3;
    spec.scale = 2;
    const std::string model = test::conv_stack_model(spec);
    std::vector<Frame> inputs;
    for (unsigned i = 0; i < 8; ++i) inputs.push_back(test::make_frame(48, 40, 3, 100 + i));
    EngineOptions o;
    o.tile_width = o.tile_height = 24;
    o.overlap_width = o.overlap_height = 4;
    std::vector<Frame> reference;
    {
        Engine single(ModelSource::from_bytes(model), format(48, 40), o);
        for (auto& f : inputs) {
            FrameView v = f.view();
            reference.push_back(single.run(std::span<const FrameView>(&v, 1)));
        }
    }
    o.num_streams = 4;
    Engine multi(ModelSource::from_bytes(model), format(48, 40), o);
    std::vector<std::thread> callers;
    std::atomic<int> mismatches{0};
    for (int t = 0; t < 8; ++t)
        callers.emplace_back([&, t] {
            for (int rep = 0; rep < 3; ++rep) {
                const Frame& f = inputs[static_cast<std::size_t>((t + rep) % 8)];
                FrameView v = f.view();
                Frame out = multi.run(std::span<const FrameView>(&v, 1));
                if (test::max_abs_diff(out, reference[static_cast<std::size_t>((t + rep) % 8)]) !=
                    0.0)
                    ++mismatches;
            }
        });
    for (auto& c : callers) c.join();
    EXPECT_EQ(mismatches.load(), 0);
}

TEST(Engine, LoadFromPath) {
    const test::TempDir dir("mlrt-engine-test");
    const auto path = dir / "identity.onnx";
    { std::ofstream(path, std::ios::binary) << test::identity_model(1); }
    Engine e(ModelSource::from_path(path), format(8, 8, {1}), {});
    EXPECT_EQ(e.model_info().input_channels, 1);
    EXPECT_EQ(e.output_planes(), 1);
}

// Planes in separate buffers with padded rows: never a tensor, so the engine copies.
struct ScatteredFrame {
    int width, height;
    std::vector<std::vector<float>> planes;
    std::vector<MutablePlaneView> views;
    std::vector<PlaneView> const_views;
    ScatteredFrame(int w, int h, int n, const Frame* from = nullptr) : width(w), height(h) {
        const int stride = w + 7;
        for (int p = 0; p < n; ++p) planes.emplace_back(static_cast<std::size_t>(stride * h), -9.f);
        for (int p = 0; p < n; ++p) {
            auto* data = reinterpret_cast<std::byte*>(planes[static_cast<std::size_t>(p)].data());
            views.push_back({data, stride * 4});
            const_views.push_back({data, stride * 4});
            if (from)
                for (int y = 0; y < h; ++y)
                    std::memcpy(data + y * stride * 4, from->plane<float>(p).data() + y * w,
                                static_cast<std::size_t>(w) * 4);
        }
    }
    MutableFrameView view() { return {width, height, SampleType::Float32, views}; }
    FrameView const_view() const { return {width, height, SampleType::Float32, const_views}; }
    Frame frame() const {
        Frame f(width, height, static_cast<int>(planes.size()), SampleType::Float32);
        for (std::size_t p = 0; p < planes.size(); ++p)
            for (int y = 0; y < height; ++y)
                std::memcpy(f.plane<float>(static_cast<int>(p)).data() + y * width,
                            planes[p].data() + y * (width + 7),
                            static_cast<std::size_t>(width) * 4);
        return f;
    }
};

TEST(Engine, FrameMemoryIsATensorOnlyWhenLaidOutAsOne) {
    Frame f = test::make_frame(20, 6, 3);
    const FrameView v = f.view();
    EXPECT_EQ(detail::frame_as_tensor(v, SampleType::Float32), f.plane_bytes(0).data());
    EXPECT_EQ(detail::frame_as_tensor(v, SampleType::Float16), nullptr);
    const MutableFrameView mv = f.mutable_view();
    EXPECT_EQ(detail::frame_as_tensor(mv, SampleType::Float32), f.plane_bytes(0).data());
    // Planes out of order, padded rows, or a base off the 64-byte boundary: not a tensor.
    std::vector<PlaneView> swapped(v.planes.begin(), v.planes.end());
    std::swap(swapped[1], swapped[2]);
    EXPECT_EQ(detail::frame_as_tensor(FrameView{20, 6, SampleType::Float32, swapped},
                                      SampleType::Float32),
              nullptr);
    const ScatteredFrame padded(20, 6, 3);
    EXPECT_EQ(detail::frame_as_tensor(padded.const_view(), SampleType::Float32), nullptr);
    std::vector<PlaneView> shifted;
    for (int p = 0; p < 3; ++p)
        shifted.push_back({f.plane_bytes(0).data() + 4 + p * 19 * 4 * 6, 19 * 4});
    EXPECT_EQ(detail::frame_as_tensor(FrameView{19, 6, SampleType::Float32, shifted},
                                      SampleType::Float32),
              nullptr);
}

TEST(Engine, WholeFrameRunsReadAndWriteFramesInPlace) {
    // Frames that are tensors are bound as the session's input and output; frames that are not
    // are copied. Each run binds afresh: a run into other memory must leave the last output
    // alone, which a binding left on it would overwrite.
    ConvStackSpec spec;
    spec.scale = 2;
    spec.layers = 3;
    const std::string model = test::conv_stack_model(spec);
    const Engine e(ModelSource::from_bytes(model), format(40, 24), {});
    const Frame in1 = test::make_frame(40, 24, 3, 11), in2 = test::make_frame(40, 24, 3, 12);
    auto through_copies = [&](const Frame& in) {
        const ScatteredFrame src(40, 24, 3, &in);
        ScatteredFrame dst(80, 48, 3);
        const FrameView v = src.const_view();
        e.run(std::span<const FrameView>(&v, 1), dst.view());
        return dst.frame();
    };
    const Frame want1 = through_copies(in1), want2 = through_copies(in2);
    ASSERT_GT(test::max_abs_diff(want1, want2), 1e-3);

    Frame a(80, 48, 3, SampleType::Float32);
    const FrameView v1 = in1.view(), v2 = in2.view();
    e.run(std::span<const FrameView>(&v1, 1), a.mutable_view());
    EXPECT_EQ(test::max_abs_diff(a, want1), 0.0);
    ScatteredFrame b(80, 48, 3);
    e.run(std::span<const FrameView>(&v2, 1), b.view());
    EXPECT_EQ(test::max_abs_diff(b.frame(), want2), 0.0);
    EXPECT_EQ(test::max_abs_diff(a, want1), 0.0) << "a later run wrote the earlier output";
    const ScatteredFrame src2(40, 24, 3, &in2);
    const FrameView s2 = src2.const_view();
    Frame c(80, 48, 3, SampleType::Float32);
    e.run(std::span<const FrameView>(&s2, 1), c.mutable_view());  // copied in, written in place
    EXPECT_EQ(test::max_abs_diff(c, want2), 0.0);

    // The output may be the input's own memory (a filter applied in place).
    spec.scale = 1;
    const Engine same(ModelSource::from_bytes(test::conv_stack_model(spec)), format(40, 24), {});
    const Frame want = same.run(std::span<const FrameView>(&v1, 1));
    Frame io = in1;
    const FrameView iv = io.view();
    same.run(std::span<const FrameView>(&iv, 1), io.mutable_view());
    EXPECT_EQ(test::max_abs_diff(io, want), 0.0);
}

TEST(EngineErrors, NameTheProblem) {
    auto err = [](const std::string& model, InputFormat f, EngineOptions o = {}) {
        return error_of([&] { Engine(ModelSource::from_bytes(model, "test.onnx"), f, o); });
    };
    auto has = [](const std::string& msg, const std::string& part) {
        return msg.find(part) != std::string::npos
                   ? ::testing::AssertionSuccess()
                   : ::testing::AssertionFailure() << "'" << msg << "' lacks '" << part << "'";
    };
    EXPECT_TRUE(has(err("not a model", format(8, 8)), "test.onnx: not a valid ONNX model"));
    EXPECT_TRUE(has(err("", format(8, 8)), "the model is empty"));
    EXPECT_TRUE(has(err(test::two_input_model(), format(8, 8)), "exactly one input, it has 2"));
    EXPECT_TRUE(has(err(test::two_output_model(), format(8, 8)), "exactly one output, it has 2"));
    EXPECT_TRUE(has(err(test::rank3_model(), format(8, 8)), "must be 4-D"));
    EXPECT_TRUE(has(err(test::batch2_model(), format(8, 8)), "batch size 2"));
    EXPECT_TRUE(has(err(test::int_input_model(), format(8, 8)), "must be float32 or float16"));
    EXPECT_TRUE(has(err(test::identity_model(3), format(8, 8, {1})),
                    "takes 3 channels, but the input clips have 1"));
    EXPECT_TRUE(has(err(test::identity_model(3), format(8, 8, {2, 2})),
                    "takes 3 channels, but the input clips have 4"));
    EXPECT_TRUE(has(err(test::bad_scale_model(), format(8, 8)), "one integer scale"));
    EXPECT_TRUE(has(err(test::identity_model(3), format(0, 8)), "positive size"));
    EXPECT_TRUE(has(err(test::identity_model(3), format(8, 8, {})), "at least one input clip"));
    EXPECT_TRUE(has(err(test::identity_model(3, true), format(8, 8)),
                    "clips are float32 but the model's input"));
    EngineOptions o;
    o.num_streams = 0;
    EXPECT_TRUE(
        has(err(test::identity_model(3), format(8, 8), o), "num_streams must be at least 1"));
    o = {};
    o.tile_width = 8;
    o.overlap_width = 4;
    EXPECT_TRUE(
        has(err(test::identity_model(3), format(32, 8), o), "overlap width (4) leaves no step"));
    o = {};
    o.overlap_width = 1 << 30;
    EXPECT_TRUE(has(err(test::identity_model(3), format(32, 8), o),
                    "overlap width must be between 0 and 1048576"));
    EXPECT_TRUE(has(
        error_of([] { Engine(ModelSource::from_path("/nonexistent/m.onnx"), format(8, 8), {}); }),
        "cannot open model file '/nonexistent/m.onnx'"));
    EXPECT_TRUE(has(error_of([] { parse_provider("TPU"); }), "provider 'TPU' is unknown"));
}

TEST(EngineErrors, ProviderThatDoesNotLoadIsNamed) {
    if (provider_loads(Provider::CUDA))
        GTEST_SKIP() << "CUDA loads on this machine: no unloadable provider to ask for";
    EngineOptions o;
    o.provider = Provider::CUDA;
    const std::string cuda = error_of(
        [&] { Engine(ModelSource::from_bytes(test::identity_model(3)), format(8, 8), o); });
    EXPECT_NE(cuda.find("provider CUDA cannot be loaded"), std::string::npos) << cuda;
    EXPECT_NE(cuda.find("providers that load here: CPU"), std::string::npos) << cuda;
}

TEST(EngineErrors, RunChecksFrames) {
    Engine e(ModelSource::from_bytes(test::identity_model(3)), format(16, 8), {});
    Frame wrong_size = test::make_frame(15, 8, 3);
    Frame wrong_planes = test::make_frame(16, 8, 1);
    Frame half = test::make_frame(16, 8, 3, 1, SampleType::Float16);
    Frame out(16, 8, 3, SampleType::Float32);
    auto run = [&](const Frame& f) {
        return error_of([&] {
            FrameView v = f.view();
            e.run(std::span<const FrameView>(&v, 1), out.mutable_view());
        });
    };
    EXPECT_NE(run(wrong_size).find("input clip 0 is 15x8, expected 16x8"), std::string::npos);
    EXPECT_NE(run(wrong_planes).find("has 1 planes, expected 3"), std::string::npos);
    EXPECT_NE(run(half).find("holds float16 samples, expected float32"), std::string::npos);
    Frame bad_out(8, 8, 3, SampleType::Float32);
    Frame in = test::make_frame(16, 8, 3);
    EXPECT_NE(error_of([&] {
                  FrameView v = in.view();
                  e.run(std::span<const FrameView>(&v, 1), bad_out.mutable_view());
              }).find("output frame must be 16x8"),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  e.run(std::span<const FrameView>());
              }).find("expected 1 input clip(s), got 0"),
              std::string::npos);
}

TEST(Version, ReportsRuntimeAndProviders) {
    const RuntimeInfo info = runtime_info();
    EXPECT_EQ(info.mlrt_version, version());
    EXPECT_FALSE(info.onnxruntime_version.empty());
    ASSERT_FALSE(info.loadable_providers.empty());
    EXPECT_EQ(info.loadable_providers.front(), "CPU");
    EXPECT_NE(std::find(info.reported_providers.begin(), info.reported_providers.end(),
                        "CPUExecutionProvider"),
              info.reported_providers.end());
}
