// The library's helpers for model inputs beyond one frame's planes (mlrt/workload.hpp), and the
// engine running the workloads they assemble: constant planes, windows, pairs, size multiples.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#include "mlrt/engine.hpp"
#include "mlrt/workload.hpp"
#include "support/frames.hpp"
#include "support/models.hpp"

namespace {

using mlrt::Engine;
using mlrt::Error;
using mlrt::Frame;
using mlrt::FrameView;
using mlrt::ModelSource;
using mlrt::SampleType;

float at(const mlrt::PlaneView& p, int x, int y) {
    float v;
    std::memcpy(&v, p.data + static_cast<std::ptrdiff_t>(y) * p.stride + std::ptrdiff_t{x} * 4, 4);
    return v;
}

std::size_t index(int x, int y, int width) {
    return static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
           static_cast<std::size_t>(x);
}

TEST(ConstantPlanes, FillsEveryRowAndCachesPerWidthTypeAndValue) {
    mlrt::ConstantPlanes planes;
    const mlrt::PlaneView p = planes.plane(7, SampleType::Float32, 0.25f);
    EXPECT_EQ(p.stride, 0);  // one row, shown for every y
    for (int y : {0, 3, 1000})
        for (int x = 0; x < 7; ++x) EXPECT_EQ(at(p, x, y), 0.25f);
    EXPECT_EQ(planes.plane(7, SampleType::Float32, 0.25f).data, p.data);
    EXPECT_NE(planes.plane(8, SampleType::Float32, 0.25f).data, p.data);
    EXPECT_NE(planes.plane(7, SampleType::Float32, 0.5f).data, p.data);
    const mlrt::PlaneView h = planes.plane(7, SampleType::Float16, 0.25f);
    std::uint16_t bits;
    std::memcpy(&bits, h.data + std::ptrdiff_t{6} * 2, 2);
    EXPECT_EQ(mlrt::half_to_float(bits), 0.25f);
    EXPECT_EQ(planes.cached_rows(), 4u);
    EXPECT_THROW(planes.plane(0, SampleType::Float32, 1.f), Error);
}

TEST(ConstantPlanes, AsAnEngineClipEqualsTheSamePlaneInTheFrame) {
    const std::string model = mlrt::test::unet_model(4, 3);
    const Frame rgb = mlrt::test::make_frame(40, 24, 3);
    Frame four(40, 24, 4, SampleType::Float32);
    for (int p = 0; p < 3; ++p)
        std::copy_n(rgb.plane<float>(p).data(), 40 * 24, four.plane<float>(p).data());
    std::fill_n(four.plane<float>(3).data(), 40 * 24, 0.0196f);

    const Engine one(ModelSource::from_bytes(model), {40, 24, SampleType::Float32, {4}}, {});
    const FrameView whole = four.view();
    const Frame expected = one.run(std::span<const FrameView>(&whole, 1));

    mlrt::ConstantPlanes planes;
    std::vector<mlrt::PlaneView> storage;
    const Engine two(ModelSource::from_bytes(model), {40, 24, SampleType::Float32, {3, 1}}, {});
    const FrameView clips[] = {rgb.view(),
                               planes.frame(40, 24, SampleType::Float32, {0.0196f}, storage)};
    const Frame got = two.run(clips);
    EXPECT_EQ(mlrt::test::max_abs_diff(expected, got), 0.0);
}

TEST(SizeMultiple, StridedUNetNeedsEightAndRunsOnOtherSizesByMirrorPadding) {
    const std::string model = mlrt::test::unet_model(3, 3);
    const Engine engine(ModelSource::from_bytes(model), {100, 60, SampleType::Float32, {3}}, {});
    EXPECT_EQ(engine.model_info().size_multiple, 8);
    EXPECT_EQ(engine.layout().x.tile, 104);
    EXPECT_EQ(engine.layout().y.tile, 64);
    const Frame in = mlrt::test::make_frame(100, 60, 3);
    const FrameView v = in.view();
    const Frame out = engine.run(std::span<const FrameView>(&v, 1));
    ASSERT_EQ(out.width(), 100);
    ASSERT_EQ(out.height(), 60);

    // The same as running the mirror-padded 104x64 frame and cropping.
    Frame padded(104, 64, 3, SampleType::Float32);
    const auto mirror = [](int i, int n) { return i < n ? i : 2 * (n - 1) - i; };
    for (int p = 0; p < 3; ++p)
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 104; ++x)
                padded.plane<float>(p)[index(x, y, 104)] =
                    in.plane<float>(p)[index(mirror(x, 100), mirror(y, 60), 100)];
    const Engine big(ModelSource::from_bytes(model), {104, 64, SampleType::Float32, {3}}, {});
    const FrameView pv = padded.view();
    const Frame full = big.run(std::span<const FrameView>(&pv, 1));
    double diff = 0;
    for (int p = 0; p < 3; ++p)
        for (int y = 0; y < 60; ++y)
            for (int x = 0; x < 100; ++x)
                diff = std::max(
                    diff, static_cast<double>(std::fabs(out.plane<float>(p)[index(x, y, 100)] -
                                                        full.plane<float>(p)[index(x, y, 104)])));
    EXPECT_LT(diff, 1e-5);
}

TEST(SizeMultiple, SpaceToDepthStillCounts) {
    mlrt::test::ConvStackSpec s;
    s.space_to_depth = true;
    const Engine engine(ModelSource::from_bytes(mlrt::test::conv_stack_model(s)),
                        {31, 17, SampleType::Float32, {3}}, {});
    EXPECT_EQ(engine.model_info().size_multiple, 2);
    EXPECT_EQ(engine.output_width(), 31);
}

std::vector<std::vector<int>> values(const std::vector<std::vector<std::shared_ptr<int>>>& ws) {
    std::vector<std::vector<int>> out;
    for (const auto& w : ws) {
        out.emplace_back();
        for (const auto& p : w) out.back().push_back(*p);
    }
    return out;
}

TEST(FrameWindow, CentresEachFrameAndRepeatsTheEdges) {
    mlrt::FrameWindow<std::shared_ptr<int>> window(3);
    std::vector<std::vector<int>> got;
    for (int i = 0; i < 5; ++i)
        for (auto& w : values(window.push(std::make_shared<int>(i)))) got.push_back(w);
    for (auto& w : values(window.finish())) got.push_back(w);
    EXPECT_EQ(got, (std::vector<std::vector<int>>{
                       {0, 0, 1}, {0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 4}}));
}

TEST(FrameWindow, StreamsShorterThanTheWindow) {
    mlrt::FrameWindow<std::shared_ptr<int>> window(5);
    std::vector<std::vector<int>> got;
    for (int i = 0; i < 2; ++i)
        for (auto& w : values(window.push(std::make_shared<int>(i)))) got.push_back(w);
    for (auto& w : values(window.finish())) got.push_back(w);
    EXPECT_EQ(got, (std::vector<std::vector<int>>{{0, 0, 0, 1, 1}, {0, 0, 1, 1, 1}}));
}

TEST(FrameWindow, HoldsNoMoreThanTheWindow) {
    mlrt::FrameWindow<std::shared_ptr<int>> window(3);
    std::vector<std::weak_ptr<int>> seen;
    for (int i = 0; i < 50; ++i) {
        auto p = std::make_shared<int>(i);
        seen.push_back(p);
        (void)window.push(std::move(p));
        int alive = 0;
        for (const auto& w : seen) alive += !w.expired();
        EXPECT_LE(alive, 2) << "after frame " << i;  // K - 1 kept between pushes
    }
}

TEST(FrameWindow, RefusesEvenOrSmallSizes) {
    for (int k : {-1, 0, 1, 2, 4}) {
        try {
            mlrt::FrameWindow<int> w(k);
            FAIL() << k;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("odd and at least 3"), std::string::npos);
        }
    }
}

TEST(FramePairs, PairsConsecutiveFramesAndKeepsTheLast) {
    mlrt::FramePairs<int> pairs;
    EXPECT_TRUE(pairs.push(1).empty());
    EXPECT_EQ(pairs.push(2), (std::vector<std::pair<int, int>>{{1, 2}}));
    EXPECT_EQ(pairs.push(3), (std::vector<std::pair<int, int>>{{2, 3}}));
    ASSERT_NE(pairs.last(), nullptr);
    EXPECT_EQ(*pairs.last(), 3);
}

TEST(Interpolation, TimestepsAndFrameCount) {
    const mlrt::Interpolation x4(4);
    EXPECT_EQ(x4.timestep(0), 0.f);
    EXPECT_EQ(x4.timestep(1), 0.25f);
    EXPECT_EQ(x4.timestep(3), 0.75f);
    EXPECT_EQ(x4.output_frames(10), 40);
    EXPECT_THROW(mlrt::Interpolation(1), Error);
}

TEST(InputLayout, NamesWhatTheModelExpectsAndWhatWasGiven) {
    mlrt::InputLayout pair{.frames = 2, .timestep = true};
    EXPECT_EQ(pair.total(), 7);
    EXPECT_NO_THROW(mlrt::check_input_layout(pair, 7, "rife.onnx"));
    EXPECT_NO_THROW(mlrt::check_input_layout(pair, -1, "rife.onnx"));  // dynamic channels
    try {
        mlrt::check_input_layout(pair, 9, "m.onnx");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), mlrt::ErrorKind::InvalidModel);
        EXPECT_STREQ(e.what(),
                     "model 'm.onnx' takes 9 input planes, but the flags give 2 frames x 3 "
                     "planes (RGB) + 1 timestep plane = 7 planes");
    }
    mlrt::InputLayout dpir{.extra_planes = 1};
    EXPECT_EQ(dpir.describe(), "3 planes (RGB) + 1 constant plane (--extra-plane) = 4 planes");
    EXPECT_EQ(mlrt::image_planes_for(4, 1, 1, false, "m"), 3);
    EXPECT_EQ(mlrt::image_planes_for(9, 3, 0, false, "m"), 3);
    EXPECT_EQ(mlrt::image_planes_for(7, 2, 0, true, "m"), 3);
    EXPECT_THROW(mlrt::image_planes_for(8, 3, 0, false, "m"), Error);
    EXPECT_THROW(mlrt::image_planes_for(1, 1, 1, false, "m"), Error);
}

TEST(Interpolator, AtTimeZeroGivesFrameAAndRunsUnderGridSample) {
    const Engine engine(ModelSource::from_bytes(mlrt::test::interpolator_model(3)),
                        {48, 32, SampleType::Float32, {3, 3, 1}}, {});
    const Frame a = mlrt::test::make_frame(48, 32, 3, 1);
    const Frame b = mlrt::test::make_frame(48, 32, 3, 2);
    mlrt::ConstantPlanes planes;
    std::vector<mlrt::PlaneView> storage;
    const FrameView at0[] = {a.view(), b.view(),
                             planes.frame(48, 32, SampleType::Float32, {0.f}, storage)};
    EXPECT_LT(mlrt::test::max_abs_diff(engine.run(at0), a), 1e-5);
    std::vector<mlrt::PlaneView> storage1;
    const FrameView at1[] = {a.view(), b.view(),
                             planes.frame(48, 32, SampleType::Float32, {1.f}, storage1)};
    EXPECT_LT(mlrt::test::max_abs_diff(engine.run(at1), b), 1e-5);
}

}  // namespace
