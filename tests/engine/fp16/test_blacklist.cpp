// Which nodes the fp16 conversion keeps float32 (blacklist, unknown ops, float-only inputs)
// and how values cross between the two precisions.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <set>
#include <string>
#include <vector>

#include "fp16_test_models.hpp"
#include "support/onnx_inspect.hpp"

namespace mlrt::test::fp16 {
namespace {

TEST(Fp16Convert, BlacklistedOpTypeStaysFloat32WithCasts) {
    onnx::ModelProto model = conv_resize_relu_model();
    convert_to_fp16(model, options());
    const auto& g = model.graph();
    expect_valid(model);

    const auto* resize = find_node(g, "resize");
    ASSERT_TRUE(resize);
    EXPECT_EQ(cast_source(g, *resize, 0, kFloat), "c");  // float16 Conv output cast up
    EXPECT_EQ(resize->input(2), "scales");
    EXPECT_EQ(find_initializer(g, "scales")->data_type(), kFloat);  // used only by Resize
    EXPECT_EQ(inferred_type(model, "r"), kFloat);
    const auto* relu = find_node(g, "relu");
    EXPECT_EQ(cast_source(g, *relu, 0, kHalf), "r");  // and back down for Relu
    EXPECT_EQ(find_initializer(g, "W")->data_type(), kHalf);
    EXPECT_EQ(inferred_type(model, "c"), kHalf);
}

TEST(Fp16Convert, BlacklistedNodeNameStaysFloat32) {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 4});
    add_node(g, "Relu", {"X"}, {"a"}, "relu_a");
    add_node(g, "Relu", {"a"}, {"b"}, "relu_b");
    add_node(g, "Sigmoid", {"b"}, {"Y"}, "sig");
    *g.add_output() = tensor_info("Y", kFloat, {1, 4});
    convert_to_fp16(model, options({"relu_b"}));
    expect_valid(model);

    EXPECT_EQ(inferred_type(model, "a"), kHalf);
    EXPECT_EQ(inferred_type(model, "b"), kFloat);  // the named node only
    EXPECT_EQ(cast_source(g, *find_node(g, "relu_b"), 0, kFloat), "a");
    EXPECT_EQ(cast_source(g, *find_node(g, "sig"), 0, kHalf), "b");
    EXPECT_EQ(cast_source(g, *find_node(g, "relu_a"), 0, kHalf), "X");
}

TEST(Fp16Convert, InitializerSharedByBlockedAndConvertedNodes) {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {3});
    *g.add_initializer() = float_tensor("K", {3}, {0.1f, 2.0f, 70000.0f});
    add_node(g, "Add", {"X", "K"}, {"a"}, "add");
    add_node(g, "Max", {"a", "K"}, {"Y"}, "max");  // Max is blacklisted by default
    *g.add_output() = tensor_info("Y", kFloat, {3});
    convert_to_fp16(model, options());
    expect_valid(model);

    EXPECT_EQ(find_initializer(g, "K")->data_type(), kHalf);
    EXPECT_EQ(find_node(g, "add")->input(1), "K");
    const std::string twin = find_node(g, "max")->input(1);
    ASSERT_NE(twin, "K");
    const auto* k32 = find_initializer(g, twin);
    ASSERT_TRUE(k32) << "the blocked Max should read an exact float32 copy";
    EXPECT_EQ(float_data(*k32), (std::vector<float>{0.1f, 2.0f, 70000.0f}));
    EXPECT_EQ(cast_source(g, *find_node(g, "max"), 0, kFloat), "a");
}

TEST(Fp16Convert, DefaultBlacklistContents) {
    const auto list = default_fp16_blacklist();
    const std::set<std::string> ops(list.begin(), list.end());
    for (const char* op : {"Resize",
                           "Upsample",
                           "Min",
                           "Max",
                           "ReduceMean",
                           "GridSample",
                           "Range",
                           "TopK",
                           "CumSum",
                           "RoiAlign",
                           "NonMaxSuppression",
                           "ArrayFeatureExtractor",
                           "Binarizer",
                           "CastMap",
                           "CategoryMapper",
                           "DictVectorizer",
                           "FeatureVectorizer",
                           "Imputer",
                           "LabelEncoder",
                           "LinearClassifier",
                           "LinearRegressor",
                           "Normalizer",
                           "OneHotEncoder",
                           "SVMClassifier",
                           "SVMRegressor",
                           "Scaler",
                           "TreeEnsembleClassifier",
                           "TreeEnsembleRegressor",
                           "ZipMap"})
        EXPECT_EQ(ops.count(op), 1u) << op;
    EXPECT_EQ(ops.count("Conv"), 0u);
}

TEST(Fp16Convert, CustomBlacklistReplacesDefault) {
    onnx::ModelProto model = conv_resize_relu_model();
    convert_to_fp16(model, options({"Relu"}));
    const auto& g = model.graph();
    expect_valid(model);

    // Resize is converted now, but its scales input must stay float32.
    const auto* resize = find_node(g, "resize");
    EXPECT_EQ(resize->input(0), "c");
    EXPECT_EQ(resize->input(2), "scales");
    EXPECT_EQ(find_initializer(g, "scales")->data_type(), kFloat);
    EXPECT_EQ(inferred_type(model, "r"), kHalf);
    // Relu is the blocked one; its float32 output is the graph output directly.
    EXPECT_EQ(cast_source(g, *find_node(g, "relu"), 0, kFloat), "r");
    EXPECT_EQ(producer(g, "Y"), find_node(g, "relu"));

    // An empty blacklist blocks nothing.
    onnx::ModelProto all = conv_resize_relu_model();
    convert_to_fp16(all, options({}));
    expect_valid(all);
    EXPECT_EQ(inferred_type(all, "r"), kHalf);
}

TEST(Fp16Convert, ResizeRoiStaysFloat32WhenResizeIsConverted) {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 1, 4, 4});
    *g.add_initializer() = float_tensor("roi", {8}, {0, 0, 0, 0, 1, 1, 1, 1});
    *g.add_initializer() = float_tensor("scales", {4}, {1, 1, 2, 2});
    auto& resize = add_node(g, "Resize", {"X", "roi", "scales"}, {"Y"}, "resize");
    set_string(resize, "coordinate_transformation_mode", "tf_crop_and_resize");
    *g.add_output() = tensor_info("Y", kFloat, {1, 1, 8, 8});
    convert_to_fp16(model, options({}));
    expect_valid(model);
    EXPECT_EQ(find_initializer(g, "roi")->data_type(), kFloat);
    EXPECT_EQ(find_initializer(g, "scales")->data_type(), kFloat);
    EXPECT_EQ(cast_source(g, *find_node(g, "resize"), 0, kHalf), "X");
}

TEST(Fp16Convert, CastToFloatBecomesCastToHalf) {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1});
    *g.add_input() = tensor_info("N", kInt64, {1});
    auto& cast = add_node(g, "Cast", {"N"}, {"nf"}, "n_to_float");
    set_int(cast, "to", kFloat);
    add_node(g, "Add", {"X", "nf"}, {"Y"}, "add");
    // A Cast(to=FLOAT) whose only user is kept float32 stays as it is.
    auto& cast2 = add_node(g, "Cast", {"N"}, {"nf2"}, "n_to_float_for_range");
    set_int(cast2, "to", kFloat);
    add_node(g, "Max", {"nf2", "X"}, {"Z"}, "max");
    *g.add_output() = tensor_info("Y", kFloat, {1});
    *g.add_output() = tensor_info("Z", kFloat, {1});
    convert_to_fp16(model, options());
    expect_valid(model);
    EXPECT_EQ(int_attr(*find_node(g, "n_to_float"), "to"), kHalf);
    EXPECT_EQ(find_node(g, "add")->input(1), "nf");
    EXPECT_EQ(int_attr(*find_node(g, "n_to_float_for_range"), "to"), kFloat);
    EXPECT_EQ(elem(g.input(1)), kInt64);  // non-float I/O untouched
}

TEST(Fp16Convert, MixedUseCastGetsExactFloat32Twin) {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("N", kInt64, {1});
    auto& cast = add_node(g, "Cast", {"N"}, {"nf"}, "n_to_float");
    set_int(cast, "to", kFloat);
    add_node(g, "Relu", {"nf"}, {"Y"}, "relu");
    add_node(g, "Max", {"nf", "nf"}, {"Z"}, "max");
    *g.add_output() = tensor_info("Y", kFloat, {1});
    *g.add_output() = tensor_info("Z", kFloat, {1});
    convert_to_fp16(model, options());
    expect_valid(model);
    EXPECT_EQ(int_attr(*find_node(g, "n_to_float"), "to"), kHalf);
    const auto* twin = producer(g, find_node(g, "max")->input(0));
    ASSERT_TRUE(twin);
    EXPECT_EQ(twin->op_type(), "Cast");
    EXPECT_EQ(twin->input(0), "N");  // recomputed from the integer, not from the float16 copy
    EXPECT_EQ(int_attr(*twin, "to"), kFloat);
}

TEST(Fp16Convert, UnknownOpIsKeptFloat32) {
    onnx::ModelProto model = make_model();
    auto* custom = model.add_opset_import();
    custom->set_domain("com.example");
    custom->set_version(1);
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {2});
    add_node(g, "Relu", {"X"}, {"a"}, "relu");
    add_node(g, "Mystery", {"a"}, {"b"}, "mystery").set_domain("com.example");
    *g.add_output() = tensor_info("b", kFloat, {2});
    convert_to_fp16(model, options({}));
    EXPECT_TRUE(topologically_ordered(g));
    EXPECT_EQ(cast_source(g, *find_node(g, "mystery"), 0, kFloat), "a");
    EXPECT_EQ(producer(g, "b")->name(), "mystery");
}

}  // namespace
}  // namespace mlrt::test::fp16
