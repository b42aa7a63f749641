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
    const mlrt::Profile p = e.end_profile();
    EXPECT_EQ(p.runs, 3);
    double conv_ms = 0;
    int conv_calls = 0;
    for (const auto& t : p.by_op_type())
        if (t.op_type.find("Conv") != std::string::npos) {
            conv_ms += t.ms;
            conv_calls += t.calls;
        }
    EXPECT_EQ(conv_calls, 9);  // three convolutions (ReLUs fused into them), three runs
    EXPECT_GT(conv_ms, 0);
    EXPECT_LE(p.kernel_ms(), p.run_ms);

    mlrt::PlainSession plain(model, o, 0);
    plain.set_input(v);
    plain.run();
    EXPECT_EQ(plain.end_profile().runs, 1);

    const mlrt::Engine quiet(model, {40, 24, mlrt::SampleType::Float32, {3}}, {});
    EXPECT_THROW((void)quiet.end_profile(), mlrt::Error);
}

}  // namespace
