// The int8 QDQ rewrite as a graph: weights per channel behind DequantizeLinear, Q -> DQ pairs on
// the activations, int32 biases, the blacklist, opset rules and what it refuses.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "int8_test_support.hpp"
#include "mlrt/error.hpp"

namespace mlrt::test::int8 {
namespace {

template <typename T>
std::vector<T> raw_values(const onnx::TensorProto& t) {
    EXPECT_TRUE(t.has_raw_data()) << t.name();
    std::vector<T> v(t.raw_data().size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), t.raw_data().data(), v.size() * sizeof(T));
    return v;
}

std::vector<std::int64_t> dims(const onnx::TensorProto& t) {
    return {t.dims().begin(), t.dims().end()};
}

// The DequantizeLinear that feeds input `index` of `node`, with its three initializers.
struct Dq {
    const onnx::NodeProto* node = nullptr;
    const onnx::TensorProto* values = nullptr;
    const onnx::TensorProto* scale = nullptr;
    const onnx::TensorProto* zero_point = nullptr;
};

Dq dq_of(const onnx::GraphProto& g, const onnx::NodeProto& node, int index) {
    Dq d;
    d.node = producer(g, node.input(index));
    if (d.node == nullptr || d.node->op_type() != "DequantizeLinear") {
        ADD_FAILURE() << node.name() << " input " << index << " ('" << node.input(index)
                      << "') is not produced by a DequantizeLinear";
        d.node = nullptr;
        return d;
    }
    d.values = find_initializer(g, d.node->input(0));
    d.scale = find_initializer(g, d.node->input(1));
    d.zero_point = find_initializer(g, d.node->input(2));
    EXPECT_NE(d.scale, nullptr);
    EXPECT_NE(d.zero_point, nullptr);
    return d;
}

// The QuantizeLinear -> DequantizeLinear pair that feeds input `index` of `node`; returns the
// float tensor the QuantizeLinear reads ("" when the pair is missing).
std::string qdq_source(const onnx::GraphProto& g, const onnx::NodeProto& node, int index) {
    const onnx::NodeProto* dq = producer(g, node.input(index));
    if (dq == nullptr || dq->op_type() != "DequantizeLinear") {
        ADD_FAILURE() << node.name() << " input " << index << " has no DequantizeLinear";
        return {};
    }
    if (find_initializer(g, dq->input(0)) != nullptr) {
        ADD_FAILURE() << node.name() << " input " << index << " is a constant, not an activation";
        return {};
    }
    const onnx::NodeProto* q = producer(g, dq->input(0));
    if (q == nullptr || q->op_type() != "QuantizeLinear") {
        ADD_FAILURE() << node.name() << " input " << index << ": DQ not fed by a QuantizeLinear";
        return {};
    }
    EXPECT_EQ(q->input(1), dq->input(1)) << "Q and DQ must share the scale";
    EXPECT_EQ(q->input(2), dq->input(2)) << "Q and DQ must share the zero point";
    const auto* zp = find_initializer(g, q->input(2));
    EXPECT_TRUE(zp != nullptr && zp->data_type() == kUint8) << "activations are uint8";
    return q->input(0);
}

std::vector<const onnx::NodeProto*> quantized_convs(const onnx::GraphProto& g) {
    std::vector<const onnx::NodeProto*> found;
    for (const auto* n : nodes_of(g, "Conv"))
        if (find_initializer(g, n->input(1)) == nullptr) found.push_back(n);
    return found;
}

bool float_weight(const onnx::GraphProto& g, const onnx::NodeProto& node) {
    const auto* w = find_initializer(g, node.input(1));
    return w != nullptr && w->data_type() == kFloat;
}

onnx::ModelProto quantized_stack(const std::vector<std::string>& blacklist, int layers = 4) {
    onnx::ModelProto m = parse(conv_stack_model(stack_spec(layers)));
    const RangeTable r = ranges_for(m);
    quantize(m, r, options(blacklist));
    return m;
}

TEST(Int8Quantizer, EveryConvWrappedWithPerChannelWeights) {
    const onnx::ModelProto original = parse(conv_stack_model(stack_spec(4, 16)));
    onnx::ModelProto m = original;
    quantize(m, ranges_for(m), options({}));
    const auto& g = m.graph();
    expect_valid(m);

    const auto convs = nodes_of(g, "Conv");
    ASSERT_EQ(convs.size(), 4u);
    for (std::size_t l = 0; l < convs.size(); ++l) {
        const auto& conv = *convs[l];
        SCOPED_TRACE(conv.name());
        const std::int64_t out_channels = l + 1 == convs.size() ? 3 : 16;
        const std::int64_t in_channels = l == 0 ? 3 : 16;

        const Dq w = dq_of(g, conv, 1);
        ASSERT_NE(w.node, nullptr);
        ASSERT_NE(w.values, nullptr);
        EXPECT_EQ(w.values->data_type(), kInt8);
        EXPECT_EQ(dims(*w.values), (std::vector<std::int64_t>{out_channels, in_channels, 3, 3}));
        EXPECT_EQ(dims(*w.scale), std::vector<std::int64_t>{out_channels});
        EXPECT_EQ(w.zero_point->data_type(), kInt8);
        for (auto z : raw_values<std::int8_t>(*w.zero_point)) EXPECT_EQ(z, 0) << "symmetric";
        EXPECT_EQ(int_attr(*w.node, "axis"), 0);

        // Activation input through Q -> DQ from the tensor the float Conv read.
        EXPECT_EQ(qdq_source(g, conv, 0), original.graph().node(static_cast<int>(2 * l)).input(0));

        const Dq b = dq_of(g, conv, 2);
        ASSERT_NE(b.node, nullptr);
        ASSERT_NE(b.values, nullptr);
        EXPECT_EQ(b.values->data_type(), kInt32);
        EXPECT_EQ(dims(*b.values), std::vector<std::int64_t>{out_channels});
        EXPECT_EQ(b.zero_point->data_type(), kInt32);

        // The output is quantized for the next reader as well.
        bool output_quantized = false;
        for (const auto& n : g.node())
            if (n.op_type() == "QuantizeLinear" && n.input(0) == conv.output(0))
                output_quantized = true;
        EXPECT_TRUE(output_quantized) << "no QuantizeLinear reads " << conv.output(0);
    }
    // No float weight or bias survives: every initializer is int8/int32 data or a scale.
    for (const auto& t : g.initializer()) {
        if (t.data_type() != kFloat) continue;
        EXPECT_LE(t.dims_size(), 1) << t.name() << " is a float tensor of rank > 1";
        EXPECT_EQ(find_initializer(original.graph(), t.name()), nullptr)
            << "float initializer " << t.name() << " of the original model remains";
    }
    EXPECT_TRUE(topologically_ordered(g));
}

TEST(Int8Quantizer, WeightsDequantizeToTheOriginal) {
    for (bool reduce : {false, true}) {
        SCOPED_TRACE(reduce ? "7-bit" : "8-bit");
        const onnx::ModelProto original = parse(conv_stack_model(stack_spec(2, 8)));
        onnx::ModelProto m = original;
        quantize(m, ranges_for(m), options({}, reduce));
        const auto& g = m.graph();
        const auto& conv = *nodes_of(g, "Conv").at(0);
        const Dq w = dq_of(g, conv, 1);
        ASSERT_NE(w.values, nullptr);
        const auto q = raw_values<std::int8_t>(*w.values);
        const auto scale = raw_values<float>(*w.scale);
        const auto want = float_data(*find_initializer(original.graph(), "w0"));
        ASSERT_EQ(q.size(), want.size());
        ASSERT_EQ(scale.size(), 8u);
        const int qmax = reduce ? 63 : 127;
        const std::size_t per_channel = want.size() / scale.size();
        for (std::size_t c = 0; c < scale.size(); ++c) {
            int largest = 0;
            for (std::size_t i = c * per_channel; i < (c + 1) * per_channel; ++i) {
                EXPECT_LE(std::abs(q[i]), qmax);
                largest = std::max(largest, std::abs(static_cast<int>(q[i])));
                EXPECT_NEAR(q[i] * scale[c], want[i], scale[c] * 0.5001f) << "element " << i;
            }
            EXPECT_EQ(largest, qmax) << "channel " << c << " does not use the full range";
        }
    }
}

TEST(Int8Quantizer, BiasAtInputScaleTimesWeightScale) {
    const onnx::ModelProto original = parse(conv_stack_model(stack_spec(2, 8)));
    onnx::ModelProto m = original;
    RangeTable r = ranges_for(m);
    r["input"] = {0.0f, 1.0f};  // x_scale = 1/255
    quantize(m, r, options({}));
    const auto& g = m.graph();
    const auto& conv = *nodes_of(g, "Conv").at(0);
    const auto w_scale = raw_values<float>(*dq_of(g, conv, 1).scale);
    const Dq b = dq_of(g, conv, 2);
    ASSERT_NE(b.values, nullptr);
    EXPECT_EQ(int_attr(*b.node, "axis"), 0);
    const auto q = raw_values<std::int32_t>(*b.values);
    const auto scale = raw_values<float>(*b.scale);
    const auto want = float_data(*find_initializer(original.graph(), "b0"));
    ASSERT_EQ(q.size(), want.size());
    ASSERT_EQ(scale.size(), want.size());
    for (std::size_t c = 0; c < q.size(); ++c) {
        EXPECT_FLOAT_EQ(scale[c], w_scale[c] / 255.0f) << c;
        EXPECT_NEAR(static_cast<double>(q[c]) * scale[c], want[c], scale[c] * 0.5001) << c;
    }
}

TEST(Int8Quantizer, ActivationRangeWidenedToHoldZero) {
    onnx::ModelProto m = parse(conv_stack_model(stack_spec(2, 8)));
    RangeTable r = ranges_for(m);
    r["input"] = {0.25f, 1.0f};       // widened to [0, 1]: zero point 0
    r["conv0_relu"] = {-1.0f, 3.0f};  // scale 4/255, zero point 64
    quantize(m, r, options({}));
    const auto& g = m.graph();
    const auto convs = nodes_of(g, "Conv");
    const auto check = [&](const onnx::NodeProto& conv, float scale, int zero_point) {
        const onnx::NodeProto* dq = producer(g, conv.input(0));
        ASSERT_NE(dq, nullptr);
        EXPECT_FLOAT_EQ(raw_values<float>(*find_initializer(g, dq->input(1))).at(0), scale);
        EXPECT_EQ(raw_values<std::uint8_t>(*find_initializer(g, dq->input(2))).at(0), zero_point);
    };
    check(*convs.at(0), 1.0f / 255.0f, 0);
    check(*convs.at(1), 4.0f / 255.0f, 64);
}

TEST(Int8Quantizer, DefaultBlacklistKeepsFirstAndLastFloat) {
    EXPECT_EQ(detail::int8::default_int8_blacklist(), (std::vector<std::string>{"first", "last"}));
    const onnx::ModelProto m = quantized_stack(detail::int8::default_int8_blacklist());
    const auto& g = m.graph();
    expect_valid(m);
    const auto convs = nodes_of(g, "Conv");
    ASSERT_EQ(convs.size(), 4u);
    EXPECT_TRUE(float_weight(g, *convs[0]));
    EXPECT_TRUE(float_weight(g, *convs[3]));
    EXPECT_EQ(find_initializer(g, "w0"), find_initializer(g, convs[0]->input(1)));
    EXPECT_NE(find_initializer(g, "w3"), nullptr);
    EXPECT_NE(find_initializer(g, "b3"), nullptr);
    // The first Conv reads the graph input directly: nothing of it is quantized.
    EXPECT_EQ(convs[0]->input(0), "input");
    for (int l : {1, 2}) {
        SCOPED_TRACE(convs[static_cast<std::size_t>(l)]->name());
        EXPECT_FALSE(float_weight(g, *convs[static_cast<std::size_t>(l)]));
        EXPECT_EQ(dq_of(g, *convs[static_cast<std::size_t>(l)], 1).values->data_type(), kInt8);
        EXPECT_EQ(find_initializer(g, "w" + std::to_string(l)), nullptr);
    }
    const auto plan = plan_quantization(parse(conv_stack_model(stack_spec(4))),
                                        options(detail::int8::default_int8_blacklist()));
    EXPECT_EQ(plan.nodes, (std::vector<int>{2, 4}));  // Conv_3, Conv_5
}

TEST(Int8Quantizer, FirstAndLastAlone) {
    const auto model = parse(conv_stack_model(stack_spec(4)));
    EXPECT_EQ(plan_quantization(model, options({"first"})).nodes, (std::vector<int>{2, 4, 6}));
    EXPECT_EQ(plan_quantization(model, options({"last"})).nodes, (std::vector<int>{0, 2, 4}));
    EXPECT_EQ(plan_quantization(model, options({})).nodes, (std::vector<int>{0, 2, 4, 6}));
    // The tensors a plan needs: each quantized node's activation input and output.
    EXPECT_EQ(plan_quantization(model, options({"first", "last"})).tensors,
              (std::vector<std::string>{"conv0_relu", "conv1", "conv1_relu", "conv2"}));
}

TEST(Int8Quantizer, BlacklistByOpTypeQuantizesNothing) {
    const onnx::ModelProto original = parse(conv_stack_model(stack_spec(4)));
    onnx::ModelProto m = original;
    quantize(m, ranges_for(m), options({"Conv"}));
    EXPECT_TRUE(plan_quantization(original, options({"Conv"})).nodes.empty());
    EXPECT_EQ(m.SerializeAsString(), original.SerializeAsString()) << "graph changed";
    EXPECT_TRUE(nodes_of(m.graph(), "QuantizeLinear").empty());
    EXPECT_TRUE(nodes_of(m.graph(), "DequantizeLinear").empty());
}

TEST(Int8Quantizer, BlacklistByNodeName) {
    const onnx::ModelProto m = quantized_stack({"Conv_3"});
    const auto& g = m.graph();
    expect_valid(m);
    const auto* named = find_node(g, "Conv_3");
    ASSERT_NE(named, nullptr);
    EXPECT_TRUE(float_weight(g, *named));
    EXPECT_EQ(named->input(1), "w1");
    for (const char* other : {"Conv_1", "Conv_5", "Conv_7"}) {
        const auto* n = find_node(g, other);
        ASSERT_NE(n, nullptr) << other;
        EXPECT_FALSE(float_weight(g, *n)) << other;
    }
    EXPECT_EQ(quantized_convs(g).size(), 3u);
}

TEST(Int8Quantizer, MatMulWeightsPerColumn) {
    onnx::ModelProto m = matmul_model(6, 5);
    quantize(m, ranges_for(m), options({}));
    expect_valid(m);
    const auto& g = m.graph();
    const auto& mm = *nodes_of(g, "MatMul").at(0);
    const Dq w = dq_of(g, mm, 1);
    ASSERT_NE(w.values, nullptr);
    EXPECT_EQ(w.values->data_type(), kInt8);
    EXPECT_EQ(int_attr(*w.node, "axis"), 1);
    EXPECT_EQ(dims(*w.scale), std::vector<std::int64_t>{5});
    EXPECT_EQ(qdq_source(g, mm, 0), "X");
    EXPECT_EQ(find_initializer(g, "W"), nullptr);
}

TEST(Int8Quantizer, GemmAxisFollowsTransB) {
    for (bool trans_b : {true, false}) {
        SCOPED_TRACE(trans_b ? "transB=1" : "transB=0");
        onnx::ModelProto m = gemm_model(trans_b, 13, 6, 5);
        quantize(m, ranges_for(m), options({}));
        expect_valid(m);
        const auto& g = m.graph();
        const auto& gemm = *nodes_of(g, "Gemm").at(0);
        const Dq w = dq_of(g, gemm, 1);
        ASSERT_NE(w.values, nullptr);
        EXPECT_EQ(int_attr(*w.node, "axis"), trans_b ? 0 : 1);
        EXPECT_EQ(dims(*w.scale), std::vector<std::int64_t>{5});  // N either way
        const Dq b = dq_of(g, gemm, 2);
        ASSERT_NE(b.values, nullptr);
        EXPECT_EQ(b.values->data_type(), kInt32);
        EXPECT_EQ(dims(*b.scale), std::vector<std::int64_t>{5});
        EXPECT_EQ(find_initializer(g, "W"), nullptr);
        EXPECT_EQ(find_initializer(g, "B"), nullptr);
    }
}

TEST(Int8Quantizer, ConvTransposeWeightsPerOutputChannelOnAxis1) {
    onnx::ModelProto m = conv_transpose_model();
    quantize(m, ranges_for(m), options({}));
    expect_valid(m);
    const auto& g = m.graph();
    const auto& ct = *nodes_of(g, "ConvTranspose").at(0);
    const Dq w = dq_of(g, ct, 1);
    ASSERT_NE(w.values, nullptr);
    EXPECT_EQ(int_attr(*w.node, "axis"), 1);
    EXPECT_EQ(dims(*w.scale), std::vector<std::int64_t>{3});
    EXPECT_EQ(dims(*w.values), (std::vector<std::int64_t>{4, 3, 3, 3}));
    EXPECT_EQ(dq_of(g, ct, 2).values->data_type(), kInt32);
}

TEST(Int8Quantizer, GroupedConvTransposeIsPerTensor) {
    onnx::ModelProto m = make_model();
    auto& g = *m.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 4, 5, 5});
    *g.add_initializer() = float_tensor("W", {4, 1, 3, 3}, ramp(4 * 9));
    auto& ct = add_node(g, "ConvTranspose", {"X", "W"}, {"T"}, "deconv");
    set_int(ct, "group", 2);
    set_ints(ct, "kernel_shape", {3, 3});
    add_node(g, "Relu", {"T"}, {"Y"}, "relu");
    *g.add_output() = tensor_info("Y", kFloat, {1, 2, 7, 7});
    quantize(m, ranges_for(m), options({}));
    expect_valid(m);
    const Dq w = dq_of(m.graph(), *nodes_of(m.graph(), "ConvTranspose").at(0), 1);
    ASSERT_NE(w.node, nullptr);
    EXPECT_EQ(attr(*w.node, "axis"), nullptr);
    EXPECT_EQ(w.scale->dims_size(), 0);
}

TEST(Int8Quantizer, Opset11IsPerTensor) {
    onnx::ModelProto m = parse(conv_stack_model(stack_spec(3, 8)));
    m.mutable_opset_import(0)->set_version(11);
    quantize(m, ranges_for(m), options({}));
    expect_valid(m);
    const auto& g = m.graph();
    const auto convs = nodes_of(g, "Conv");
    ASSERT_EQ(convs.size(), 3u);
    for (const auto* conv : convs) {
        SCOPED_TRACE(conv->name());
        const Dq w = dq_of(g, *conv, 1);
        ASSERT_NE(w.node, nullptr);
        EXPECT_EQ(w.values->data_type(), kInt8);
        EXPECT_EQ(attr(*w.node, "axis"), nullptr);
        EXPECT_EQ(w.scale->dims_size(), 0) << "scale must be a scalar";
        const Dq b = dq_of(g, *conv, 2);
        ASSERT_NE(b.node, nullptr);
        EXPECT_EQ(attr(*b.node, "axis"), nullptr);
        EXPECT_EQ(b.scale->dims_size(), 0);
        EXPECT_EQ(b.values->data_type(), kInt32);
    }
}

TEST(Int8Quantizer, Opset11GemmWithTransBAndBias) {
    // W is [N=5, K=6]; the bias has N entries, so the node is quantizable per tensor.
    onnx::ModelProto m = gemm_model(true, 11, 6, 5);
    ASSERT_EQ(plan_quantization(m, {}).nodes, std::vector<int>{0});
    quantize(m, ranges_for(m), options({}));
    expect_valid(m);
    const auto& g = m.graph();
    const Dq w = dq_of(g, *nodes_of(g, "Gemm").at(0), 1);
    ASSERT_NE(w.node, nullptr);
    EXPECT_EQ(attr(*w.node, "axis"), nullptr);
    EXPECT_EQ(w.scale->dims_size(), 0);
}

TEST(Int8Quantizer, OldOpsetRefused) {
    onnx::ModelProto m = parse(conv_stack_model(stack_spec(2, 4)));
    m.mutable_opset_import(0)->set_version(9);
    try {
        quantize(m, ranges_for(m), options({}));
        FAIL() << "opset 9 was quantized";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidModel);
        EXPECT_NE(std::string(e.what()).find("opset 9"), std::string::npos) << e.what();
    }
}

TEST(Int8Quantizer, MissingRangeNamesTheTensor) {
    onnx::ModelProto m = parse(conv_stack_model(stack_spec(3, 8)));
    RangeTable r = ranges_for(m);
    ASSERT_EQ(r.erase("conv1_relu"), 1u);
    const std::string before = m.SerializeAsString();
    try {
        quantize(m, r, options({}));
        FAIL() << "quantized without a range for conv1_relu";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidModel);
        EXPECT_NE(std::string(e.what()).find("'conv1_relu'"), std::string::npos) << e.what();
    }
    EXPECT_EQ(m.SerializeAsString(), before) << "a failed quantization changed the model";
}

TEST(Int8Quantizer, NonFiniteRangeRefused) {
    onnx::ModelProto m = parse(conv_stack_model(stack_spec(2, 4)));
    RangeTable r = ranges_for(m);
    r["conv0_relu"] = {0.0f, INFINITY};
    EXPECT_THROW(quantize(m, r, options({})), Error);
}

TEST(Int8Quantizer, OnePairPerTensorAllConsumersRewired) {
    // X -> Relu -> R; R feeds two Convs and an Add (not quantizable): one Q -> DQ pair for R,
    // read by all three.
    onnx::ModelProto m = make_model();
    auto& g = *m.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 2, 6, 6});
    *g.add_initializer() = float_tensor("Wa", {2, 2, 1, 1}, {0.5f, -0.25f, 0.125f, 1.0f});
    *g.add_initializer() = float_tensor("Wb", {2, 2, 1, 1}, {-0.5f, 0.75f, 0.25f, 0.5f});
    add_node(g, "Relu", {"X"}, {"R"}, "relu");
    add_node(g, "Conv", {"R", "Wa"}, {"A"}, "conv_a");
    add_node(g, "Conv", {"R", "Wb"}, {"B"}, "conv_b");
    add_node(g, "Add", {"A", "R"}, {"S"}, "add1");
    add_node(g, "Add", {"S", "B"}, {"Y"}, "add2");
    *g.add_output() = tensor_info("Y", kFloat, {1, 2, 6, 6});
    quantize(m, ranges_for(m), options({}));
    expect_valid(m);
    const auto* q = &m.graph();
    int readers_of_r = 0;
    std::string dq_r;
    for (const auto& n : q->node()) {
        for (const auto& in : n.input())
            if (in == "R") {
                ++readers_of_r;
                EXPECT_EQ(n.op_type(), "QuantizeLinear") << n.name() << " still reads R";
            }
    }
    EXPECT_EQ(readers_of_r, 1);
    const auto& conv_a = *find_node(*q, "conv_a");
    const auto& conv_b = *find_node(*q, "conv_b");
    EXPECT_EQ(qdq_source(*q, conv_a, 0), "R");
    EXPECT_EQ(conv_a.input(0), conv_b.input(0));
    EXPECT_EQ(find_node(*q, "add1")->input(1), conv_a.input(0));
}

TEST(Int8Quantizer, ValueMovingOpsRunOnUint8WithoutRequantizing) {
    // Conv -> DepthToSpace -> Conv, both Convs quantized, the shuffle's output calibrated to a
    // range of its own: the shuffle takes its input's quantization, reads the uint8 tensor, and
    // feeds the second Conv's DequantizeLinear with no QuantizeLinear between.
    onnx::ModelProto m = make_model();
    auto& g = *m.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 2, 4, 4});
    *g.add_initializer() = float_tensor("Wa", {8, 2, 1, 1}, ramp(16, 0.05f));
    *g.add_initializer() = float_tensor("Wb", {2, 2, 1, 1}, {0.5f, -0.25f, 0.125f, 1.0f});
    add_node(g, "Conv", {"X", "Wa"}, {"A"}, "conv_a");
    set_int(add_node(g, "DepthToSpace", {"A"}, {"D"}, "shuffle"), "blocksize", 2);
    add_node(g, "Conv", {"D", "Wb"}, {"Y"}, "conv_b");
    *g.add_output() = tensor_info("Y", kFloat, {1, 2, 8, 8});
    RangeTable ranges = ranges_for(m);
    ranges["D"] = {-3.0f, 5.0f};  // what calibration would see is a permutation of A's values
    quantize(m, ranges, options({}));
    expect_valid(m);
    const auto& q = m.graph();
    const onnx::NodeProto& shuffle = *find_node(q, "shuffle");
    const onnx::NodeProto* in = producer(q, shuffle.input(0));
    ASSERT_NE(in, nullptr);
    EXPECT_EQ(in->op_type(), "QuantizeLinear");
    EXPECT_EQ(in->input(0), "A");
    const onnx::NodeProto* dq = producer(q, find_node(q, "conv_b")->input(0));
    ASSERT_NE(dq, nullptr);
    EXPECT_EQ(dq->op_type(), "DequantizeLinear");
    EXPECT_EQ(dq->input(0), shuffle.output(0));
    // At A's scale, not D's own.
    EXPECT_EQ(float_data(*find_initializer(q, dq->input(1))),
              float_data(*find_initializer(q, in->input(1))));
    EXPECT_EQ(nodes_of(q, "QuantizeLinear").size(), 2u);  // of X and of A
    for (const auto& n : q.node()) {
        if (n.op_type() == "QuantizeLinear") {
            EXPECT_NE(n.input(0), "D") << n.name();
        }
    }
}

TEST(Int8Quantizer, SharedWeightKeptWhileAFloatNodeReadsIt) {
    // Two Convs share W; the blacklisted one still needs the float W.
    onnx::ModelProto m = make_model();
    auto& g = *m.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 2, 6, 6});
    *g.add_initializer() = float_tensor("W", {2, 2, 1, 1}, {0.5f, -0.25f, 0.125f, 1.0f});
    add_node(g, "Conv", {"X", "W"}, {"A"}, "conv_a");
    add_node(g, "Relu", {"A"}, {"R"}, "relu");
    add_node(g, "Conv", {"R", "W"}, {"Y"}, "conv_b");
    *g.add_output() = tensor_info("Y", kFloat, {1, 2, 6, 6});

    onnx::ModelProto one = m;
    quantize(one, ranges_for(one), options({"conv_b"}));
    expect_valid(one);
    EXPECT_NE(find_initializer(one.graph(), "W"), nullptr);
    EXPECT_EQ(find_node(one.graph(), "conv_b")->input(1), "W");
    EXPECT_NE(find_node(one.graph(), "conv_a")->input(1), "W");

    onnx::ModelProto both = m;
    quantize(both, ranges_for(both), options({}));
    expect_valid(both);
    EXPECT_EQ(find_initializer(both.graph(), "W"), nullptr);
}

TEST(Int8Quantizer, InitializerListedAsInputIsDropped) {
    // Old exporters list initializers among the graph inputs; a dropped weight goes from both.
    onnx::ModelProto m = parse(conv_stack_model(stack_spec(2, 4)));
    *m.mutable_graph()->add_input() = tensor_info("w1", kFloat, {3, 4, 3, 3});
    quantize(m, ranges_for(m), options({}));
    expect_valid(m);
    for (const auto& in : m.graph().input()) EXPECT_NE(in.name(), "w1");
    EXPECT_EQ(find_initializer(m.graph(), "w1"), nullptr);
}

TEST(Int8Quantizer, QuantizedInputThatIsAlsoAGraphOutput) {
    // R is both a graph output and the input of a quantized Conv: it still needs a range (the
    // Conv's bias is scaled by it), and quantizing must not fail.
    onnx::ModelProto m = make_model();
    auto& g = *m.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 2, 6, 6});
    *g.add_initializer() = float_tensor("W", {2, 2, 1, 1}, {0.5f, -0.25f, 0.125f, 1.0f});
    *g.add_initializer() = float_tensor("B", {2}, {0.5f, -0.25f});
    add_node(g, "Relu", {"X"}, {"R"}, "relu");
    add_node(g, "Conv", {"R", "W", "B"}, {"C"}, "conv");
    add_node(g, "Relu", {"C"}, {"Y"}, "relu2");
    *g.add_output() = tensor_info("R", kFloat, {1, 2, 6, 6});
    *g.add_output() = tensor_info("Y", kFloat, {1, 2, 6, 6});
    const auto plan = plan_quantization(m, {});
    EXPECT_NE(std::find(plan.tensors.begin(), plan.tensors.end(), "R"), plan.tensors.end());
    quantize(m, ranges_for(m), options({}));
    expect_valid(m);
    const auto& conv = *find_node(m.graph(), "conv");
    EXPECT_EQ(qdq_source(m.graph(), conv, 0), "R");
    EXPECT_EQ(dq_of(m.graph(), conv, 2).values->data_type(), kInt32);
}

TEST(Int8Quantizer, ConstantOrNonFloatWeightsAreLeftAlone) {
    onnx::ModelProto m = make_model();
    auto& g = *m.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 2, 6, 6});
    *g.add_input() = tensor_info("Wdyn", kFloat, {2, 2, 1, 1});
    add_node(g, "Conv", {"X", "Wdyn"}, {"Y"}, "conv");  // weight is not an initializer
    *g.add_output() = tensor_info("Y", kFloat, {1, 2, 6, 6});
    EXPECT_TRUE(plan_quantization(m, {}).nodes.empty());
    const std::string before = m.SerializeAsString();
    quantize(m, {}, options({}));
    EXPECT_EQ(m.SerializeAsString(), before);
}

}  // namespace
}  // namespace mlrt::test::int8
