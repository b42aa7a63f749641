// Faults inside a run: the failing frame gets a clear error, other frames and streams carry on,
// and the engine stays usable.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "mlrt/engine.hpp"
#include "mlrt/error.hpp"
#include "support/frames.hpp"
#include "support/models.hpp"
#include "support/temp_dir.hpp"

using namespace mlrt;

TEST(Faults, RuntimeFailureAffectsOnlyItsFrame) {
    EngineOptions o;
    o.num_streams = 4;
    o.log_severity = LogSeverity::Fatal;  // the injected failures would otherwise be logged by ORT
    Engine e(ModelSource::from_bytes(test::poison_model(3)), {24, 16, SampleType::Float32, {3}}, o);
    Frame good = test::make_frame(24, 16, 3);
    Frame bad = good;
    bad.plane<float>(1)[37] = 5.0f;  // max >= 2: out-of-bounds Gather inside ONNX Runtime
    std::atomic<int> ok{0}, failed{0}, wrong{0};
    std::vector<std::thread> callers;
    for (int t = 0; t < 8; ++t)
        callers.emplace_back([&, t] {
            for (int i = 0; i < 10; ++i) {
                const bool poison = (t + i) % 3 == 0;
                FrameView v = poison ? bad.view() : good.view();
                try {
                    Frame out = e.run(std::span<const FrameView>(&v, 1));
                    if (poison || test::max_abs_diff(out, good) != 0.0) ++wrong;
                    ++ok;
                } catch (const Error& err) {
                    if (!poison || err.kind() != ErrorKind::Runtime ||
                        std::string(err.what()).find("ONNX Runtime failed to run the model") ==
                            std::string::npos)
                        ++wrong;
                    ++failed;
                }
            }
        });
    for (auto& c : callers) c.join();
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_GT(failed.load(), 0);
    EXPECT_GT(ok.load(), 0);
    // Every stream still works after its failures.
    for (int i = 0; i < 8; ++i) {
        FrameView v = good.view();
        EXPECT_EQ(test::max_abs_diff(e.run(std::span<const FrameView>(&v, 1)), good), 0.0);
    }
}

TEST(Faults, ModelFileChangingOnDiskDoesNotAffectALoadedEngine) {
    const test::TempDir dir("mlrt-faults");
    const auto path = dir / "model.onnx";
    test::ConvStackSpec spec;
    spec.scale = 2;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << test::conv_stack_model(spec);
    Engine e(ModelSource::from_path(path), {20, 12, SampleType::Float32, {3}}, {});
    Frame in = test::make_frame(20, 12, 3);
    FrameView v = in.view();
    Frame before = e.run(std::span<const FrameView>(&v, 1));
    // Overwrite with garbage, then truncate: the loaded engine keeps its own copy.
    std::ofstream(path, std::ios::binary | std::ios::trunc) << "garbage";
    EXPECT_EQ(test::max_abs_diff(e.run(std::span<const FrameView>(&v, 1)), before), 0.0);
    std::filesystem::resize_file(path, 0);
    EXPECT_EQ(test::max_abs_diff(e.run(std::span<const FrameView>(&v, 1)), before), 0.0);
    // A new engine on the changed file reports it clearly.
    try {
        Engine again(ModelSource::from_path(path), {20, 12, SampleType::Float32, {3}}, {});
        FAIL() << "expected an error";
    } catch (const Error& err) {
        EXPECT_NE(std::string(err.what()).find("the model is empty"), std::string::npos)
            << err.what();
    }
}
