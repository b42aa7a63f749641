// A strided ConvTranspose rewritten as Conv + DepthToSpace (+ Slice) gives ONNX Runtime's
// ConvTranspose output over strides, kernels, pads, output padding and odd sizes; and the nodes
// the rewrite cannot express are left as they were, saying why.
#include <gtest/gtest.h>
#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/onnx_builder.hpp"
#include "engine/ort_env.hpp"
#include "engine/subpixel.hpp"

namespace {

using namespace mlrt::detail;

struct Case {
    std::int64_t cin, cout, height, width, kh, kw, stride;
    std::vector<std::int64_t> pads;            // begin_y, begin_x, end_y, end_x
    std::vector<std::int64_t> output_padding;  // y, x
    bool bias;
};

std::vector<float> values(std::size_t n, float phase) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = std::sin(static_cast<float>(i) * 0.37f + phase) * (1.0f + static_cast<float>(i % 7));
    return v;
}

onnx::ModelProto conv_transpose_model(const Case& c, int opset = 13) {
    auto m = make_model(opset, "mlrt-tests", "convtranspose");
    auto& g = *m.mutable_graph();
    const auto wn = static_cast<std::size_t>(c.cin * c.cout * c.kh * c.kw);
    add_initializer(g, raw_float_tensor("w", {c.cin, c.cout, c.kh, c.kw}, values(wn, 0.5f)));
    std::vector<std::string> inputs{"x", "w"};
    if (c.bias) {
        add_initializer(
            g, float_tensor("b", {c.cout}, values(static_cast<std::size_t>(c.cout), 2.0f)));
        inputs.push_back("b");
    }
    auto& n = add_node(g, "ConvTranspose", inputs, {"y"}, "up");
    set_ints(n, "strides", {c.stride, c.stride});
    set_ints(n, "pads", c.pads);
    if (c.output_padding[0] || c.output_padding[1]) set_ints(n, "output_padding", c.output_padding);
    *g.add_input() =
        tensor_info("x", onnx::TensorProto_DataType_FLOAT, {1, c.cin, "height", "width"});
    *g.add_output() =
        tensor_info("y", onnx::TensorProto_DataType_FLOAT, {1, c.cout, "out_h", "out_w"});
    return m;
}

struct Output {
    std::vector<std::int64_t> dims;
    std::vector<float> data;
};

Output run(const onnx::ModelProto& model, const Case& c) {
    Ort::SessionOptions so;
    so.SetIntraOpNumThreads(1);
    const std::string bytes = model.SerializeAsString();
    Ort::Session s(ort_env(), bytes.data(), bytes.size(), so);
    std::vector<float> x = values(static_cast<std::size_t>(c.cin * c.height * c.width), 0.0f);
    const std::vector<std::int64_t> dims{1, c.cin, c.height, c.width};
    const auto mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
    Ort::Value in = Ort::Value::CreateTensor<float>(mem, x.data(), x.size(), dims.data(), 4);
    const char* in_names[] = {"x"};
    const char* out_names[] = {"y"};
    auto out = s.Run(Ort::RunOptions{}, in_names, &in, 1, out_names, 1);
    const auto info = out[0].GetTensorTypeAndShapeInfo();
    const float* data = out[0].GetTensorData<float>();
    return {info.GetShape(), {data, data + info.GetElementCount()}};
}

std::string describe(const Case& c) {
    std::string s = std::to_string(c.cin) + "->" + std::to_string(c.cout) + " " +
                    std::to_string(c.height) + "x" + std::to_string(c.width) + " kernel " +
                    std::to_string(c.kh) + "x" + std::to_string(c.kw) + " stride " +
                    std::to_string(c.stride) + " pads";
    for (auto p : c.pads) s += " " + std::to_string(p);
    s += " output_padding " + std::to_string(c.output_padding[0]) + "," +
         std::to_string(c.output_padding[1]);
    return s + (c.bias ? " bias" : "");
}

TEST(SubpixelRewrite, EqualsOnnxRuntimesConvTranspose) {
    const Case cases[] = {
        {4, 3, 5, 7, 2, 2, 2, {0, 0, 0, 0}, {0, 0}, true},   // UNet upsampling (k = s)
        {4, 3, 6, 5, 4, 4, 2, {3, 3, 3, 3}, {0, 0}, true},   // waifu2x UpConv7's last layer
        {3, 2, 5, 5, 4, 4, 2, {1, 1, 1, 1}, {0, 0}, false},  // DCGAN-style
        {3, 5, 4, 7, 3, 3, 2, {1, 1, 1, 1}, {1, 1}, true},   // PyTorch's exact 2x
        {2, 3, 5, 4, 5, 3, 3, {2, 1, 1, 0}, {0, 2}, true},   // uneven kernel and pads
        {2, 2, 3, 5, 3, 3, 3, {0, 0, 0, 0}, {0, 0}, false},  // k = s = 3
        {2, 2, 4, 3, 1, 1, 2, {0, 0, 0, 0}, {1, 0}, true},   // kernel under the stride
        {3, 4, 5, 6, 2, 2, 2, {1, 0, 0, 1}, {0, 0}, true},   // asymmetric pads
        {5, 3, 7, 9, 8, 8, 4, {2, 2, 2, 2}, {0, 0}, true},   // 4x
    };
    for (const Case& c : cases) {
        const std::string what = describe(c);
        const onnx::ModelProto original = conv_transpose_model(c);
        onnx::ModelProto rewritten = original;
        const SubpixelReport report = rewrite_conv_transposes(rewritten);
        ASSERT_EQ(report.rewritten, 1) << what << ": " << mlrt::detail::describe(report);
        for (const auto& n : rewritten.graph().node()) EXPECT_NE(n.op_type(), "ConvTranspose");
        const Output want = run(original, c), got = run(rewritten, c);
        ASSERT_EQ(got.dims, want.dims) << what;
        float worst = 0.0f, scale = 0.0f;
        for (std::size_t i = 0; i < want.data.size(); ++i) {
            worst = std::max(worst, std::fabs(got.data[i] - want.data[i]));
            scale = std::max(scale, std::fabs(want.data[i]));
        }
        EXPECT_LE(worst, 1e-5f * std::max(1.0f, scale)) << what;
        EXPECT_GT(scale, 1.0f) << what;  // the data can tell a wrong tap from a right one
    }
}

// Sets an attribute the model builder may already have set.
void replace_ints(onnx::NodeProto& n, const std::string& name, const std::vector<std::int64_t>& v) {
    auto* attrs = n.mutable_attribute();
    for (int i = attrs->size() - 1; i >= 0; --i)
        if (attrs->Get(i).name() == name) attrs->DeleteSubrange(i, 1);
    set_ints(n, name, v);
}

TEST(SubpixelRewrite, KeepsWhatItCannotExpressAndSaysWhy) {
    const Case base{2, 2, 4, 4, 4, 4, 2, {1, 1, 1, 1}, {0, 0}, true};
    struct Refusal {
        const char* why;
        void (*change)(onnx::NodeProto&);
    };
    const Refusal refusals[] = {
        {"grouped", [](onnx::NodeProto& n) { set_int(n, "group", 2); }},
        {"dilated",
         [](onnx::NodeProto& n) {
             set_ints(n, "dilations", {2, 2});
         }},
        {"auto_pad SAME_UPPER",
         [](onnx::NodeProto& n) { set_string(n, "auto_pad", "SAME_UPPER"); }},
        {"output_shape given",
         [](onnx::NodeProto& n) {
             set_ints(n, "output_shape", {8, 8});
         }},
        {"pads",
         [](onnx::NodeProto& n) {
             replace_ints(n, "pads", {1, -1, 1, 1});
         }},
        {"output_padding",
         [](onnx::NodeProto& n) {
             set_ints(n, "output_padding", {2, 0});
         }},
        {"stride 17",
         [](onnx::NodeProto& n) {
             replace_ints(n, "strides", {17, 17});
         }},
    };
    for (const Refusal& r : refusals) {
        onnx::ModelProto m = conv_transpose_model(base);
        r.change(*m.mutable_graph()->mutable_node(0));
        const SubpixelReport report = rewrite_conv_transposes(m);
        EXPECT_EQ(report.rewritten, 0) << r.why;
        ASSERT_EQ(report.kept.size(), 1u) << r.why;
        EXPECT_EQ(report.kept[0], std::string("ConvTranspose 'up': ") + r.why);
        EXPECT_EQ(m.graph().node(0).op_type(), "ConvTranspose") << r.why;
        EXPECT_EQ(mlrt::detail::describe(report),
                  std::string("left as they were: ConvTranspose 'up': ") + r.why);
    }
    // Attributes the constructor sets: strides per axis, stride 1.
    onnx::ModelProto m = conv_transpose_model(base);
    replace_ints(*m.mutable_graph()->mutable_node(0), "strides", {2, 3});
    EXPECT_EQ(rewrite_conv_transposes(m).kept.at(0),
              "ConvTranspose 'up': strides differ between axes");
    Case one = base;
    one.stride = 1;
    m = conv_transpose_model(one);
    EXPECT_EQ(rewrite_conv_transposes(m).kept.at(0), "ConvTranspose 'up': stride 1");
    // Weights computed in the graph, and an opset whose Slice has no inputs.
    m = conv_transpose_model(base);
    m.mutable_graph()->mutable_initializer(0)->set_name("w_elsewhere");
    EXPECT_EQ(rewrite_conv_transposes(m).kept.at(0),
              "ConvTranspose 'up': weights not a constant in the model");
    m = conv_transpose_model(base, 10);
    EXPECT_EQ(rewrite_conv_transposes(m).kept.at(0), "ConvTranspose 'up': opset under 11");
    // Weights or a bias holding fewer values than their shape says: left for ONNX Runtime to
    // refuse, not read past their end.
    m = conv_transpose_model(base);
    for (auto& t : *m.mutable_graph()->mutable_initializer())
        if (t.name() == "w") t.mutable_raw_data()->resize(12);
    EXPECT_EQ(rewrite_conv_transposes(m).kept.at(0), "ConvTranspose 'up': weights malformed");
    m = conv_transpose_model(base);
    m.mutable_graph()->mutable_initializer(0)->set_dims(1, -2);
    EXPECT_EQ(rewrite_conv_transposes(m).kept.at(0), "ConvTranspose 'up': weights malformed");
    m = conv_transpose_model(base);
    for (auto& t : *m.mutable_graph()->mutable_initializer())
        if (t.name() == "b") t.mutable_float_data()->RemoveLast();
    EXPECT_EQ(rewrite_conv_transposes(m).kept.at(0), "ConvTranspose 'up': bias malformed");
    // Narrow layers, where ONNX Runtime's own is faster in float.
    m = conv_transpose_model(base);
    EXPECT_EQ(rewrite_conv_transposes(m, nullptr, 32).kept.at(0),
              "ConvTranspose 'up': 2 input channels (ONNX Runtime's is faster under 32)");
    // Pads wider than the kernel reaches.
    Case wide = base;
    wide.pads = {5, 5, 0, 0};
    m = conv_transpose_model(wide);
    EXPECT_EQ(rewrite_conv_transposes(m).kept.at(0),
              "ConvTranspose 'up': pads wider than the kernel");
}

TEST(SubpixelRewrite, FilterChoosesAndNamesDependOnlyOnTheGraph) {
    const Case c{2, 2, 4, 4, 4, 4, 2, {1, 1, 1, 1}, {0, 0}, true};
    onnx::ModelProto a = conv_transpose_model(c), b = conv_transpose_model(c);
    std::string asked;
    const SubpixelReport no =
        rewrite_conv_transposes(a, [&](const onnx::NodeProto& n, const std::string& out) {
            asked = n.name() + " " + out;
            return false;
        });
    EXPECT_EQ(no.rewritten, 0);
    EXPECT_EQ(no.kept.at(0), "ConvTranspose 'up': not asked");
    EXPECT_EQ(asked, "up up/subpixel");
    EXPECT_EQ(a.graph().node(0).op_type(), "ConvTranspose");
    // The Conv keeps the node's name and writes the tensor the filter was told of; the last
    // node writes the ConvTranspose's output; the transposed weights are gone.
    const SubpixelReport yes = rewrite_conv_transposes(b);
    ASSERT_EQ(yes.rewritten, 1);
    EXPECT_EQ(mlrt::detail::describe(yes), "1 ConvTranspose node(s) as Conv + DepthToSpace");
    const auto& g = b.graph();
    ASSERT_EQ(g.node_size(), 3);
    EXPECT_EQ(g.node(0).op_type(), "Conv");
    EXPECT_EQ(g.node(0).name(), "up");
    EXPECT_EQ(g.node(0).output(0), "up/subpixel");
    EXPECT_EQ(g.node(1).op_type(), "DepthToSpace");
    EXPECT_EQ(g.node(2).op_type(), "Slice");
    EXPECT_EQ(g.node(2).output(0), "y");
    for (const auto& t : g.initializer()) EXPECT_NE(t.name(), "w");
}

}  // namespace
