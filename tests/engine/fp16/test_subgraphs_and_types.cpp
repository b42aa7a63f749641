// The fp16 conversion of If/Loop bodies and sequences, and the element types it derives where
// the model declares none.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <string>

#include "fp16_test_models.hpp"
#include "support/onnx_inspect.hpp"

namespace mlrt::test::fp16 {
namespace {

// Y = If(cond) then X + c else X * k, with a Constant in one branch and an initializer in the
// other; X goes through a Relu first so that the branches read a float16 outer value.
onnx::ModelProto if_model() {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("cond", kBool, {});
    *g.add_input() = tensor_info("X", kFloat, {4});
    add_node(g, "Relu", {"X"}, {"xr"}, "relu");

    onnx::GraphProto then_branch;
    then_branch.set_name("then");
    auto& c = add_node(then_branch, "Constant", {}, {"c"}, "then_const");
    set_tensor(c, "value", float_tensor("", {4}, {1, 2, 3, 4}));
    add_node(then_branch, "Add", {"xr", "c"}, {"then_out"}, "then_add");
    *then_branch.add_output() = tensor_info("then_out", kFloat, {4});

    onnx::GraphProto else_branch;
    else_branch.set_name("else");
    *else_branch.add_initializer() = float_tensor("k", {4}, {0.5f, 0.5f, 0.5f, 0.5f});
    add_node(else_branch, "Mul", {"xr", "k"}, {"else_out"}, "else_mul");
    *else_branch.add_output() = tensor_info("else_out", kFloat, {4});

    auto& node = add_node(g, "If", {"cond"}, {"Y"}, "if");
    set_graph(node, "then_branch", then_branch);
    set_graph(node, "else_branch", else_branch);
    *g.add_output() = tensor_info("Y", kFloat, {4});
    return model;
}

TEST(Fp16Convert, IfSubgraphsAreConverted) {
    onnx::ModelProto model = if_model();
    convert_to_fp16(model, options());
    const auto& g = model.graph();
    expect_valid(model);
    const auto* node = find_node(g, "if");
    ASSERT_TRUE(node);
    const auto& then_branch = node->attribute(0).g();
    const auto& else_branch = node->attribute(1).g();
    EXPECT_EQ(elem(then_branch.output(0)), kHalf);
    EXPECT_EQ(elem(else_branch.output(0)), kHalf);
    EXPECT_EQ(attr(*find_node(then_branch, "then_const"), "value")->t().data_type(), kHalf);
    EXPECT_EQ(find_initializer(else_branch, "k")->data_type(), kHalf);
    EXPECT_EQ(find_node(then_branch, "then_add")->input(0), "xr");
    EXPECT_EQ(inferred_type(model, node->output(0)), kHalf);
    EXPECT_EQ(producer(g, "Y")->op_type(), "Cast");
}

TEST(Fp16Convert, BlacklistedIfKeepsItsBodyFloat32) {
    onnx::ModelProto model = if_model();
    convert_to_fp16(model, options({"If"}));
    const auto& g = model.graph();
    expect_valid(model);
    const auto* node = find_node(g, "if");
    const auto& then_branch = node->attribute(0).g();
    const auto& else_branch = node->attribute(1).g();
    EXPECT_EQ(elem(then_branch.output(0)), kFloat);
    EXPECT_EQ(attr(*find_node(then_branch, "then_const"), "value")->t().data_type(), kFloat);
    EXPECT_EQ(find_initializer(else_branch, "k")->data_type(), kFloat);
    // The outer float16 value is cast back inside each branch.
    EXPECT_EQ(cast_source(then_branch, *find_node(then_branch, "then_add"), 0, kFloat), "xr");
    EXPECT_EQ(cast_source(else_branch, *find_node(else_branch, "else_mul"), 0, kFloat), "xr");
    EXPECT_EQ(producer(g, "Y"), node);  // float32 already: no output Cast
}

TEST(Fp16Convert, LoopBodyIsConverted) {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {2});
    *g.add_initializer() = int64_tensor("M", {}, {3});
    onnx::GraphProto body;
    body.set_name("body");
    *body.add_input() = tensor_info("i", kInt64, {});
    *body.add_input() = tensor_info("cond_in", kBool, {});
    *body.add_input() = tensor_info("acc_in", kFloat, {2});
    auto& step = add_node(body, "Constant", {}, {"step"}, "step");
    set_tensor(step, "value", float_tensor("", {2}, {0.25f, 0.5f}));
    add_node(body, "Add", {"acc_in", "step"}, {"acc_out"}, "acc_add");
    add_node(body, "Identity", {"cond_in"}, {"cond_out"}, "cond_id");
    *body.add_output() = tensor_info("cond_out", kBool, {});
    *body.add_output() = tensor_info("acc_out", kFloat, {2});
    auto& loop = add_node(g, "Loop", {"M", "", "X"}, {"Y"}, "loop");
    set_graph(loop, "body", body);
    *g.add_output() = tensor_info("Y", kFloat, {2});
    convert_to_fp16(model, options());
    expect_valid(model);
    const auto& b = find_node(g, "loop")->attribute(0).g();
    EXPECT_EQ(elem(b.input(0)), kInt64);
    EXPECT_EQ(elem(b.input(2)), kHalf);
    EXPECT_EQ(elem(b.output(1)), kHalf);
    EXPECT_EQ(cast_source(g, *find_node(g, "loop"), 2, kHalf), "X");
}

TEST(Fp16Convert, UndeclaredTypesAreDerived) {
    // No value_info at all, and a Loop body whose inputs carry no types.
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {2});
    *g.add_initializer() = int64_tensor("M", {}, {2});
    onnx::GraphProto body;
    body.set_name("body");
    for (const char* name : {"i", "cond_in", "acc_in"}) body.add_input()->set_name(name);
    add_node(body, "Sigmoid", {"acc_in"}, {"acc_out"}, "body_sigmoid");
    add_node(body, "Identity", {"cond_in"}, {"cond_out"}, "cond_id");
    body.add_output()->set_name("cond_out");
    body.add_output()->set_name("acc_out");
    add_node(g, "Relu", {"X"}, {"r"}, "relu");
    auto& loop = add_node(g, "Loop", {"M", "", "r"}, {"l"}, "loop");
    set_graph(loop, "body", body);
    add_node(g, "Shape", {"l"}, {"shape"}, "shape_of");
    auto& cast = add_node(g, "Cast", {"shape"}, {"shape_f"}, "shape_to_float");
    set_int(cast, "to", kFloat);
    add_node(g, "Mul", {"l", "shape_f"}, {"Y"}, "mul");
    *g.add_output() = tensor_info("Y", kFloat, {2});
    convert_to_fp16(model, options());
    expect_valid(model);
    EXPECT_EQ(find_node(g, "loop")->input(2), "r");  // float16 in, no Cast around the Loop
    EXPECT_EQ(find_node(g, "mul")->input(0), "l");
    EXPECT_EQ(int_attr(*find_node(g, "shape_to_float"), "to"), kHalf);
    EXPECT_EQ(inferred_type(model, "l"), kHalf);
}

TEST(Fp16Convert, SequencesStayConsistent) {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {2});
    *g.add_initializer() = int64_tensor("zero", {}, {0});
    add_node(g, "Relu", {"X"}, {"r"}, "relu");
    add_node(g, "SequenceConstruct", {"r", "r"}, {"seq"}, "construct");
    add_node(g, "SequenceAt", {"seq", "zero"}, {"y"}, "pick");
    add_node(g, "Sigmoid", {"y"}, {"Y"}, "sigmoid");
    *g.add_output() = tensor_info("Y", kFloat, {2});
    convert_to_fp16(model, options());
    expect_valid(model);
    EXPECT_EQ(inferred_type(model, "r"), kHalf);
    EXPECT_EQ(inferred_type(model, "Y"), kFloat);
    // Sequence ops' output types are not tied to their inputs' by a type parameter, so they
    // are kept float32 and the tensors around them cast.
    EXPECT_EQ(cast_source(g, *find_node(g, "construct"), 0, kFloat), "r");
    EXPECT_EQ(inferred_type(model, "y"), kFloat);
    EXPECT_EQ(cast_source(g, *find_node(g, "sigmoid"), 0, kHalf), "y");
}

TEST(Fp16Convert, InconsistentShapesDoNotCrash) {
    // A 3-D input into a 2-D convolution: ONNX 1.12's own shape inference crashes on this; the
    // conversion only needs element types and must get through.
    onnx::ModelProto model = conv_relu_model();
    auto* shape = model.mutable_graph()
                      ->mutable_input(0)
                      ->mutable_type()
                      ->mutable_tensor_type()
                      ->mutable_shape();
    shape->mutable_dim()->RemoveLast();
    EXPECT_NO_THROW(convert_to_fp16(model, options()));
    EXPECT_EQ(find_initializer(model.graph(), "W")->data_type(), kHalf);
    EXPECT_TRUE(topologically_ordered(model.graph()));
}

TEST(Fp16Convert, ValueInfoFollowsTheConversion) {
    onnx::ModelProto model = conv_resize_relu_model();
    auto& g = *model.mutable_graph();
    *g.add_value_info() = tensor_info("c", kFloat, {1, 1, 4, 4});
    *g.add_value_info() = tensor_info("r", kFloat, {1, 1, 8, 8});
    convert_to_fp16(model, options());
    expect_valid(model);
    int seen = 0;
    for (const auto& vi : g.value_info()) {
        if (vi.name() == "c" || vi.name() == "r") ++seen;
        if (vi.name() == "c") {
            EXPECT_EQ(elem(vi), kHalf);
        }
        if (vi.name() == "r") {
            EXPECT_EQ(elem(vi), kFloat);
        }
    }
    EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace mlrt::test::fp16
