// Where a session's time goes: ONNX Runtime's profile read back, from a trace written here and
// from a real engine and plain session.
#include <gtest/gtest.h>

#include "mlrt/baseline.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/error.hpp"
#include "support/frames.hpp"
#include "support/models.hpp"

namespace {

TEST(Profile, ParsesOnnxRuntimesTrace) {
    const std::string trace = R"([
      {"cat": "Session", "name": "model_loading_array", "dur": 900},
      {"cat": "Session", "name": "model_run", "dur": 3000},
      {"cat": "Node", "name": "conv1_fence_before", "dur": 1},
      {"cat": "Node", "name": "conv1_kernel_time", "dur": 1500,
       "args": {"op_name": "Conv", "provider": "CPUExecutionProvider"}},
      {"cat": "Node", "name": "conv2_kernel_time", "dur": 500,
       "args": {"op_name": "Conv", "provider": "CPUExecutionProvider"}},
      {"cat": "Node", "name": "up_kernel_time", "dur": 700,
       "args": {"op_name": "Resize", "provider": "CPUExecutionProvider"}},
      {"cat": "Session", "name": "model_run", "dur": 2000},
      {"cat": "Node", "name": "conv1_kernel_time", "dur": 1000,
       "args": {"op_name": "Conv", "provider": "CPUExecutionProvider"}}
    ])";
    const mlrt::Profile p = mlrt::parse_ort_profile(trace);
    EXPECT_EQ(p.runs, 2);
    EXPECT_DOUBLE_EQ(p.run_ms, 5.0);
    ASSERT_EQ(p.nodes.size(), 3u);
    EXPECT_EQ(p.nodes[0].node, "conv1");
    EXPECT_DOUBLE_EQ(p.nodes[0].ms, 2.5);
    EXPECT_EQ(p.nodes[0].calls, 2);
    EXPECT_EQ(p.nodes[1].node, "up");
    const auto ops = p.by_op_type();
    ASSERT_EQ(ops.size(), 2u);
    EXPECT_EQ(ops[0].op_type, "Conv");
    EXPECT_DOUBLE_EQ(ops[0].ms, 3.0);
    EXPECT_EQ(ops[0].calls, 3);
    EXPECT_DOUBLE_EQ(p.kernel_ms(), 3.7);
    EXPECT_THROW(mlrt::parse_ort_profile("{not json"), mlrt::Error);
}

TEST(Profile, LeavesOutTheWarmUpRuns) {
    // Events in the order ONNX Runtime writes them: a run's nodes, then the run ("ts" is each
    // event's start in microseconds). The first run is slow, as a cold one is.
    const std::string trace = R"([
      {"cat": "Session", "name": "model_loading_array", "ts": 0, "dur": 900},
      {"cat": "Node", "name": "conv_kernel_time", "ts": 1000, "dur": 9000,
       "args": {"op_name": "Conv"}},
      {"cat": "Node", "name": "cold_kernel_time", "ts": 10000, "dur": 500,
       "args": {"op_name": "Resize"}},
      {"cat": "Session", "name": "model_run", "ts": 1000, "dur": 9600},
      {"cat": "Node", "name": "conv_kernel_time", "ts": 20000, "dur": 1000,
       "args": {"op_name": "Conv"}},
      {"cat": "Session", "name": "model_run", "ts": 20000, "dur": 1100},
      {"cat": "Node", "name": "conv_kernel_time", "ts": 30000, "dur": 3000,
       "args": {"op_name": "Conv"}},
      {"cat": "Session", "name": "model_run", "ts": 30000, "dur": 3100}
    ])";
    const mlrt::Profile all = mlrt::parse_ort_profile(trace);
    EXPECT_EQ(all.runs, 3);
    EXPECT_DOUBLE_EQ(all.kernel_ms(), 13.5);
    const mlrt::Profile warm = mlrt::parse_ort_profile(trace, 1);
    EXPECT_EQ(warm.runs, 2);
    EXPECT_DOUBLE_EQ(warm.run_ms, 4.2);
    ASSERT_EQ(warm.nodes.size(), 1u);  // the node seen only in the warm-up run is gone
    EXPECT_EQ(warm.nodes[0].node, "conv");
    EXPECT_DOUBLE_EQ(warm.nodes[0].ms, 4.0);
    EXPECT_EQ(warm.nodes[0].calls, 2);
    EXPECT_EQ(mlrt::parse_ort_profile(trace, 2).runs, 1);
    try {
        (void)mlrt::parse_ort_profile(trace, 3);
        FAIL() << "a profile of warm-up runs only was accepted";
    } catch (const mlrt::Error& e) {
        EXPECT_NE(std::string(e.what()).find("holds 3 run(s), none after the 3 warm-up run(s)"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Profile, EngineAndPlainSessionReportTheirNodes) {
    mlrt::test::ConvStackSpec spec;
    spec.layers = 3;
    spec.scale = 2;
    const auto model = mlrt::ModelSource::from_bytes(mlrt::test::conv_stack_model(spec), "conv");
    const mlrt::Frame in = mlrt::test::make_frame(40, 24, 3);
    mlrt::EngineOptions o;
    o.profile = true;
    const mlrt::Engine e(model, {40, 24, mlrt::SampleType::Float32, {3}}, o);
    const mlrt::FrameView v = in.view();
    for (int i = 0; i < 3; ++i) (void)e.run({&v, 1});
    const mlrt::Profile p = e.end_profile(1);  // the first frame is the warm-up
    EXPECT_EQ(p.runs, 2);
    double conv_ms = 0;
    int conv_calls = 0;
    for (const auto& t : p.by_op_type())
        if (t.op_type.find("Conv") != std::string::npos) {
            conv_ms += t.ms;
            conv_calls += t.calls;
        }
    EXPECT_EQ(conv_calls, 6);  // three convolutions (ReLUs fused into them), two runs kept
    EXPECT_GT(conv_ms, 0);
    EXPECT_LE(p.kernel_ms(), p.run_ms);

    mlrt::PlainSession plain(model, o, 0);
    plain.set_input(v);
    plain.run();
    plain.run();
    EXPECT_EQ(plain.end_profile(1).runs, 1);

    const mlrt::Engine quiet(model, {40, 24, mlrt::SampleType::Float32, {3}}, {});
    EXPECT_THROW((void)quiet.end_profile(), mlrt::Error);
}

}  // namespace
