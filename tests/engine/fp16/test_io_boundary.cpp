// The fp16 conversion at the graph boundary: the outer input/output types the options ask
// for, and natively half models.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstddef>
#include <string>

#include "fp16_test_models.hpp"
#include "support/onnx_inspect.hpp"

namespace mlrt::test::fp16 {
namespace {

// A natively half model (float16 weights; its float32 Resize scales are on purpose).
onnx::ModelProto native_half_model() {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kHalf, {1, 1, 4, 4});
    *g.add_initializer() = half_tensor("W", {1, 1, 1, 1}, {0x4000});
    *g.add_initializer() = float_tensor("S", {4}, {1, 1, 2, 2});
    add_node(g, "Conv", {"X", "W"}, {"c"}, "conv");
    add_node(g, "Resize", {"c", "", "S"}, {"Y"}, "resize");
    *g.add_output() = tensor_info("Y", kHalf, {1, 1, 8, 8});
    return model;
}

TEST(Fp16Convert, NativeHalfModelIsUnchanged) {
    const onnx::ModelProto original = native_half_model();
    onnx::ModelProto converted = original;
    convert_to_fp16(converted, options(default_fp16_blacklist(), false, false));
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(original, converted));
}

TEST(Fp16Convert, NativeHalfModelOnlyGetsBoundaryCasts) {
    const onnx::ModelProto original = native_half_model();
    onnx::ModelProto model = original;
    convert_to_fp16(model, options(default_fp16_blacklist(), true, true));
    const auto& g = model.graph();
    expect_valid(model);
    // Outer I/O as asked, so that float32 buffers can be fed and read.
    EXPECT_EQ(elem(g.input(0)), kFloat);
    EXPECT_EQ(elem(g.output(0)), kFloat);
    EXPECT_EQ(g.input(0).name(), "X");
    EXPECT_EQ(g.output(0).name(), "Y");
    EXPECT_EQ(cast_source(g, *find_node(g, "conv"), 0, kHalf), "X");
    const auto* last = producer(g, "Y");
    ASSERT_TRUE(last);
    EXPECT_EQ(last->op_type(), "Cast");
    EXPECT_EQ(int_attr(*last, "to"), kFloat);
    EXPECT_EQ(last->input(0), find_node(g, "resize")->output(0));
    // The body itself is untouched: no second conversion of the float32 scales.
    EXPECT_EQ(g.node_size(), original.graph().node_size() + 2);
    EXPECT_EQ(find_initializer(g, "S")->data_type(), kFloat);
    EXPECT_EQ(find_initializer(g, "W")->data_type(), kHalf);
    EXPECT_EQ(find_node(g, "resize")->input(2), "S");
    EXPECT_EQ(inferred_type(model, find_node(g, "resize")->output(0)), kHalf);
}

// X (float16) -> Cast(to=FLOAT) -> Conv(float32 W) -> Y (float32)
onnx::ModelProto half_input_model() {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kHalf, {1, 1, 2, 2});
    auto& cast = add_node(g, "Cast", {"X"}, {"xf"}, "to_float");
    set_int(cast, "to", kFloat);
    *g.add_initializer() = float_tensor("W", {1, 1, 1, 1}, {3.0f});
    add_node(g, "Conv", {"xf", "W"}, {"Y"}, "conv");
    *g.add_output() = tensor_info("Y", kFloat, {1, 1, 2, 2});
    return model;
}

TEST(Fp16Convert, HalfInputWithFloatBody) {
    onnx::ModelProto model = half_input_model();
    convert_to_fp16(model, options(default_fp16_blacklist(), false, false));
    const auto& g = model.graph();
    expect_valid(model);
    EXPECT_EQ(elem(g.input(0)), kHalf);
    EXPECT_EQ(elem(g.output(0)), kHalf);
    EXPECT_EQ(find_node(g, "to_float")->input(0), "X");
    EXPECT_EQ(int_attr(*find_node(g, "to_float"), "to"), kHalf);  // now a no-op Cast
    EXPECT_EQ(find_initializer(g, "W")->data_type(), kHalf);
    EXPECT_EQ(nodes_of(g, "Cast").size(), 1u);

    // Asked for float32 I/O, the float16 input gets a Cast too.
    onnx::ModelProto io32 = half_input_model();
    convert_to_fp16(io32, options());
    const auto& g32 = io32.graph();
    expect_valid(io32);
    EXPECT_EQ(elem(g32.input(0)), kFloat);
    EXPECT_EQ(elem(g32.output(0)), kFloat);
    EXPECT_EQ(cast_source(g32, *find_node(g32, "to_float"), 0, kHalf), "X");
    EXPECT_EQ(find_initializer(g32, "W")->data_type(), kHalf);
}

TEST(Fp16Convert, InputOutputFloat32Options) {
    for (bool in32 : {true, false}) {
        for (bool out32 : {true, false}) {
            SCOPED_TRACE(std::string("input_float32=") + (in32 ? "true" : "false") +
                         " output_float32=" + (out32 ? "true" : "false"));
            onnx::ModelProto model = conv_relu_model();
            convert_to_fp16(model, options(default_fp16_blacklist(), in32, out32));
            const auto& g = model.graph();
            expect_valid(model);
            EXPECT_EQ(elem(g.input(0)), in32 ? kFloat : kHalf);
            EXPECT_EQ(elem(g.output(0)), out32 ? kFloat : kHalf);
            EXPECT_EQ(g.input(0).name(), "X");
            EXPECT_EQ(g.output(0).name(), "Y");
            const auto* conv = find_node(g, "conv");
            if (in32)
                EXPECT_EQ(cast_source(g, *conv, 0, kHalf), "X");
            else
                EXPECT_EQ(conv->input(0), "X");
            EXPECT_EQ(producer(g, "Y")->op_type(), out32 ? "Cast" : "Relu");
            EXPECT_EQ(nodes_of(g, "Cast").size(), static_cast<std::size_t>(in32) + out32);
            EXPECT_EQ(inferred_type(model, "Y"), out32 ? kFloat : kHalf);
        }
    }
}

TEST(Fp16Convert, OutputAlsoUsedInsideTheGraph) {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {3});
    add_node(g, "Relu", {"X"}, {"R"}, "relu");
    add_node(g, "Sigmoid", {"R"}, {"S"}, "sig");
    *g.add_output() = tensor_info("R", kFloat, {3});
    *g.add_output() = tensor_info("S", kFloat, {3});
    convert_to_fp16(model, options());
    expect_valid(model);
    EXPECT_EQ(elem(g.output(0)), kFloat);
    EXPECT_EQ(elem(g.output(1)), kFloat);
    const std::string internal = find_node(g, "relu")->output(0);
    EXPECT_NE(internal, "R");
    EXPECT_EQ(find_node(g, "sig")->input(0), internal);
    EXPECT_EQ(producer(g, "R")->op_type(), "Cast");
}

}  // namespace
}  // namespace mlrt::test::fp16
