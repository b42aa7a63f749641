// Float tensor payloads through the fp16 conversion: rounding, both encodings, Constant
// attributes, and what must stay untouched.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "fp16_test_models.hpp"
#include "mlrt/error.hpp"
#include "support/onnx_inspect.hpp"

namespace mlrt::test::fp16 {
namespace {

TEST(Fp16Convert, HalfRoundingOfSampleValues) {
    // raw_data form
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {8});
    const float nan = std::numeric_limits<float>::quiet_NaN();
    *g.add_initializer() = raw_float_tensor(
        "C", {8}, {70000.0f, -70000.0f, 1e-10f, 1.0f, -1e-10f, 65504.0f, 65520.0f, nan});
    *g.add_initializer() = float_tensor(
        "D", {8},
        {0.1f, 1e-7f, 6.1035156e-05f, -2.0f, 3.0e-8f, 65519.0f, 1.0009766f, 1.00048828125f});
    add_node(g, "Add", {"X", "C"}, {"T"});
    add_node(g, "Add", {"T", "D"}, {"Y"});
    *g.add_output() = tensor_info("Y", kFloat, {8});
    convert_to_fp16(model, options());
    expect_valid(model);

    const auto c = half_bits(*find_initializer(g, "C"));
    ASSERT_EQ(c.size(), 8u);
    EXPECT_EQ(c[0], 0x7c00);  // 70000 -> +inf
    EXPECT_EQ(c[1], 0xfc00);  // -70000 -> -inf
    EXPECT_EQ(c[2], 0x0000);  // 1e-10 -> 0
    EXPECT_EQ(c[3], 0x3c00);  // 1.0 exact
    EXPECT_EQ(c[4], 0x8000);  // -1e-10 -> -0
    EXPECT_EQ(c[5], 0x7bff);  // largest finite
    EXPECT_EQ(c[6], 0x7c00);  // halfway above max rounds (to even) to inf
    EXPECT_TRUE(std::isnan(half_to_float(c[7])));

    const auto d = half_bits(*find_initializer(g, "D"));
    ASSERT_EQ(d.size(), 8u);
    EXPECT_EQ(d[0], 0x2e66);  // 0.1
    EXPECT_EQ(d[1], 0x0002);  // 1e-7 is a subnormal: 2 * 2^-24
    EXPECT_EQ(d[2], 0x0400);  // smallest normal
    EXPECT_EQ(d[3], 0xc000);  // -2
    EXPECT_EQ(d[4], 0x0001);  // 3e-8 > 2^-25 rounds up to the smallest subnormal
    EXPECT_EQ(d[5], 0x7bff);  // below the halfway point to inf
    EXPECT_EQ(d[6], 0x3c01);  // exactly representable
    EXPECT_EQ(d[7], 0x3c00);  // tie between 0x3c00 and 0x3c01 -> even
    EXPECT_FLOAT_EQ(half_to_float(d[0]), 0.099975586f);
}

TEST(Fp16Convert, ConvReluModel) {
    onnx::ModelProto model = conv_relu_model();
    const std::vector<float> w = float_data(*find_initializer(model.graph(), "W"));
    convert_to_fp16(model, options());
    const auto& g = model.graph();
    expect_valid(model);

    const auto* wt = find_initializer(g, "W");
    const auto* bt = find_initializer(g, "B");
    ASSERT_TRUE(wt && bt);
    EXPECT_EQ(wt->data_type(), kHalf);
    EXPECT_EQ(bt->data_type(), kHalf);
    EXPECT_EQ(wt->float_data_size(), 0);
    const auto wb = half_bits(*wt);
    ASSERT_EQ(wb.size(), w.size());
    for (std::size_t i = 0; i < w.size(); ++i) EXPECT_EQ(half_to_float(wb[i]), w[i]);
    const auto bb = half_bits(*bt);
    ASSERT_EQ(bb.size(), 4u);
    EXPECT_EQ(half_to_float(bb[1]), -1.0f);

    // Outer I/O stays float32 (default options), the computation is float16.
    EXPECT_EQ(elem(g.input(0)), kFloat);
    EXPECT_EQ(elem(g.output(0)), kFloat);
    EXPECT_EQ(g.output(0).name(), "Y");
    const auto* conv = find_node(g, "conv");
    const auto* relu = find_node(g, "relu");
    ASSERT_TRUE(conv && relu);
    EXPECT_EQ(cast_source(g, *conv, 0, kHalf), "X");
    EXPECT_EQ(inferred_type(model, conv->output(0)), kHalf);
    EXPECT_EQ(inferred_type(model, relu->output(0)), kHalf);
    const auto* last = producer(g, "Y");
    ASSERT_TRUE(last);
    EXPECT_EQ(last->op_type(), "Cast");
    EXPECT_EQ(int_attr(*last, "to"), kFloat);
    EXPECT_EQ(last->input(0), relu->output(0));
    EXPECT_EQ(nodes_of(g, "Cast").size(), 2u);
}

TEST(Fp16Convert, ConstantAttributesAreConverted) {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {2});
    auto& c1 = add_node(g, "Constant", {}, {"c1"}, "const_tensor");
    set_tensor(c1, "value", raw_float_tensor("", {2}, {1.5f, 70000.0f}));
    auto& c2 = add_node(g, "Constant", {}, {"c2"}, "const_float");
    set_float(c2, "value_float", 0.5f);
    *g.add_initializer() = int64_tensor("shape", {1}, {2});
    add_node(g, "ConstantOfShape", {"shape"}, {"zeros"}, "zeros");
    auto& ones = add_node(g, "ConstantOfShape", {"shape"}, {"ones"}, "ones");
    set_tensor(ones, "value", float_tensor("", {1}, {1.0f}));
    add_node(g, "Add", {"X", "c1"}, {"a"});
    add_node(g, "Mul", {"a", "c2"}, {"b"});
    add_node(g, "Add", {"b", "zeros"}, {"c"});
    add_node(g, "Add", {"c", "ones"}, {"Y"});
    *g.add_output() = tensor_info("Y", kFloat, {2});
    convert_to_fp16(model, options());
    expect_valid(model);

    const auto* v1 = attr(*find_node(g, "const_tensor"), "value");
    ASSERT_TRUE(v1);
    EXPECT_EQ(half_bits(v1->t()), (std::vector<std::uint16_t>{0x3e00, 0x7c00}));
    const auto* v2 = attr(*find_node(g, "const_float"), "value");
    ASSERT_TRUE(v2) << "value_float is rewritten as a float16 tensor";
    EXPECT_EQ(v2->t().dims_size(), 0);
    EXPECT_EQ(half_bits(v2->t()), (std::vector<std::uint16_t>{0x3800}));
    const auto* v3 = attr(*find_node(g, "zeros"), "value");
    ASSERT_TRUE(v3) << "the implicit float32 zero becomes an explicit float16 one";
    EXPECT_EQ(half_bits(v3->t()), (std::vector<std::uint16_t>{0x0000}));
    EXPECT_EQ(half_bits(attr(*find_node(g, "ones"), "value")->t()),
              (std::vector<std::uint16_t>{0x3c00}));
    EXPECT_EQ(find_initializer(g, "shape")->data_type(), kInt64);
    EXPECT_EQ(inferred_type(model, "c"), kHalf);
}

TEST(Fp16Convert, NonFloatTensorsUntouched) {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {2, 3});
    *g.add_initializer() = int64_tensor("shape", {2}, {3, 2});
    add_node(g, "Reshape", {"X", "shape"}, {"r"}, "reshape");
    add_node(g, "Shape", {"r"}, {"s"}, "shape_of");
    add_node(g, "Relu", {"r"}, {"Y"}, "relu");
    *g.add_output() = tensor_info("Y", kFloat, {3, 2});
    *g.add_output() = tensor_info("s", kInt64, {2});
    convert_to_fp16(model, options());
    expect_valid(model);
    EXPECT_EQ(find_initializer(g, "shape")->data_type(), kInt64);
    EXPECT_EQ(find_node(g, "reshape")->input(1), "shape");
    EXPECT_EQ(elem(g.output(1)), kInt64);
    EXPECT_EQ(inferred_type(model, "r"), kHalf);
}

TEST(Fp16Convert, ErrorsNameTheCulprit) {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1});
    auto& c = add_node(g, "Constant", {}, {"c"}, "broken_constant");
    onnx::TensorProto bad = raw_float_tensor("", {1}, {1.0f});
    bad.mutable_raw_data()->pop_back();
    set_tensor(c, "value", bad);
    add_node(g, "Add", {"X", "c"}, {"Y"});
    *g.add_output() = tensor_info("Y", kFloat, {1});
    try {
        convert_to_fp16(model, options());
        ADD_FAILURE() << "no error";
    } catch (const mlrt::Error& e) {
        EXPECT_EQ(e.kind(), mlrt::ErrorKind::InvalidModel);
        EXPECT_NE(std::string(e.what()).find("broken_constant"), std::string::npos) << e.what();
    }

    // A sequence of float16 tensors cannot be cast back for a node kept in float32.
    onnx::ModelProto seq = make_model();
    auto& sg = *seq.mutable_graph();
    onnx::ValueInfoProto input;
    input.set_name("S");
    input.mutable_type()
        ->mutable_sequence_type()
        ->mutable_elem_type()
        ->mutable_tensor_type()
        ->set_elem_type(kFloat);
    *sg.add_input() = input;
    *sg.add_initializer() = int64_tensor("zero", {}, {0});
    add_node(sg, "SequenceAt", {"S", "zero"}, {"Y"}, "pick");
    *sg.add_output() = tensor_info("Y", kFloat, {2});
    try {
        convert_to_fp16(seq, options({"pick"}, false, true));
        ADD_FAILURE() << "no error";
    } catch (const mlrt::Error& e) {
        EXPECT_EQ(e.kind(), mlrt::ErrorKind::InvalidModel);
        EXPECT_NE(std::string(e.what()).find("pick"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace mlrt::test::fp16
