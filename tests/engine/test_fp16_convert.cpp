// Tests of the float32 -> float16 graph conversion and its on-disk cache. Models are built in
// code; validity is judged by the ONNX checker and strict shape inference with type checks.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "engine/fp16_convert.hpp"
#include "mlrt/error.hpp"

namespace {

namespace fs = std::filesystem;
using mlrt::detail::convert_to_fp16;
using mlrt::detail::convert_to_fp16_cached;
using mlrt::detail::default_fp16_blacklist;
using mlrt::detail::Fp16Options;

constexpr std::int32_t kFloat = onnx::TensorProto::FLOAT;
constexpr std::int32_t kHalf = onnx::TensorProto::FLOAT16;
constexpr std::int32_t kInt64 = onnx::TensorProto::INT64;
constexpr std::int32_t kBool = onnx::TensorProto::BOOL;

// ---------------------------------------------------------------------------------------------
// Model building

onnx::ValueInfoProto tensor_info(const std::string& name, std::int32_t elem,
                                 const std::vector<std::int64_t>& dims) {
    onnx::ValueInfoProto info;
    info.set_name(name);
    auto* tensor = info.mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(elem);
    auto* shape = tensor->mutable_shape();
    for (auto d : dims) shape->add_dim()->set_dim_value(d);
    return info;
}

onnx::TensorProto float_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                               const std::vector<float>& values) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(kFloat);
    for (auto d : dims) t.add_dims(d);
    for (float v : values) t.add_float_data(v);
    return t;
}

// The same data in the raw_data (little-endian bytes) form.
onnx::TensorProto raw_float_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                                   const std::vector<float>& values) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(kFloat);
    for (auto d : dims) t.add_dims(d);
    std::string raw;
    for (float v : values) {
        const auto bits = std::bit_cast<std::uint32_t>(v);
        for (int i = 0; i < 4; ++i) raw.push_back(static_cast<char>((bits >> (8 * i)) & 0xffu));
    }
    t.set_raw_data(raw);
    return t;
}

onnx::TensorProto int64_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                               const std::vector<std::int64_t>& values) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(kInt64);
    for (auto d : dims) t.add_dims(d);
    for (auto v : values) t.add_int64_data(v);
    return t;
}

onnx::TensorProto half_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                              const std::vector<std::uint16_t>& bits) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(kHalf);
    for (auto d : dims) t.add_dims(d);
    for (auto b : bits) t.add_int32_data(b);
    return t;
}

onnx::NodeProto& add_node(onnx::GraphProto& graph, const std::string& op,
                          std::initializer_list<std::string> inputs,
                          std::initializer_list<std::string> outputs,
                          const std::string& name = "") {
    onnx::NodeProto& node = *graph.add_node();
    node.set_op_type(op);
    if (!name.empty()) node.set_name(name);
    for (const auto& in : inputs) node.add_input(in);
    for (const auto& out : outputs) node.add_output(out);
    return node;
}

void set_int(onnx::NodeProto& node, const std::string& name, std::int64_t value) {
    auto* attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::INT);
    attr->set_i(value);
}

void set_ints(onnx::NodeProto& node, const std::string& name,
              const std::vector<std::int64_t>& values) {
    auto* attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::INTS);
    for (auto v : values) attr->add_ints(v);
}

void set_float(onnx::NodeProto& node, const std::string& name, float value) {
    auto* attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::FLOAT);
    attr->set_f(value);
}

void set_tensor(onnx::NodeProto& node, const std::string& name, const onnx::TensorProto& value) {
    auto* attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::TENSOR);
    *attr->mutable_t() = value;
}

void set_graph(onnx::NodeProto& node, const std::string& name, const onnx::GraphProto& value) {
    auto* attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::GRAPH);
    *attr->mutable_g() = value;
}

onnx::ModelProto make_model(int opset = 13) {
    onnx::ModelProto model;
    model.set_ir_version(8);
    model.set_producer_name("mlrt-tests");
    auto* op = model.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    model.mutable_graph()->set_name("test");
    return model;
}

// X[1,3,8,8] -> Conv(W[4,3,3,3] float_data, B[4] raw_data, pad 1) -> Relu -> Y[1,4,8,8]
onnx::ModelProto conv_relu_model() {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 3, 8, 8});
    std::vector<float> w(4 * 3 * 3 * 3);
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = 0.25f * static_cast<float>(i % 7) - 0.5f;
    *g.add_initializer() = float_tensor("W", {4, 3, 3, 3}, w);
    *g.add_initializer() = raw_float_tensor("B", {4}, {0.5f, -1.0f, 2.0f, 0.125f});
    auto& conv = add_node(g, "Conv", {"X", "W", "B"}, {"conv_out"}, "conv");
    set_ints(conv, "pads", {1, 1, 1, 1});
    set_ints(conv, "kernel_shape", {3, 3});
    add_node(g, "Relu", {"conv_out"}, {"Y"}, "relu");
    *g.add_output() = tensor_info("Y", kFloat, {1, 4, 8, 8});
    return model;
}

// ---------------------------------------------------------------------------------------------
// Inspection

float half_to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1fu;
    const std::uint32_t mant = h & 0x3ffu;
    if (exp == 0) {
        const float v = std::ldexp(static_cast<float>(mant), -24);
        return sign ? -v : v;
    }
    if (exp == 31) {
        return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
    }
    return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (mant << 13));
}

std::vector<std::uint16_t> half_bits(const onnx::TensorProto& t) {
    EXPECT_EQ(t.data_type(), kHalf) << t.name();
    std::vector<std::uint16_t> bits;
    if (t.has_raw_data()) {
        const std::string& raw = t.raw_data();
        for (std::size_t i = 0; i + 1 < raw.size(); i += 2)
            bits.push_back(
                static_cast<std::uint16_t>(static_cast<unsigned char>(raw[i]) |
                                           (static_cast<unsigned char>(raw[i + 1]) << 8)));
    } else {
        for (auto v : t.int32_data()) bits.push_back(static_cast<std::uint16_t>(v));
    }
    return bits;
}

std::vector<float> float_data(const onnx::TensorProto& t) {
    EXPECT_EQ(t.data_type(), kFloat) << t.name();
    if (!t.has_raw_data()) return {t.float_data().begin(), t.float_data().end()};
    std::vector<float> values(t.raw_data().size() / 4);
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::uint32_t bits = 0;
        for (int b = 3; b >= 0; --b)
            bits = (bits << 8) |
                   static_cast<unsigned char>(t.raw_data()[4 * i + static_cast<std::size_t>(b)]);
        values[i] = std::bit_cast<float>(bits);
    }
    return values;
}

const onnx::TensorProto* find_initializer(const onnx::GraphProto& g, const std::string& name) {
    for (const auto& t : g.initializer())
        if (t.name() == name) return &t;
    return nullptr;
}

const onnx::NodeProto* find_node(const onnx::GraphProto& g, const std::string& name) {
    for (const auto& n : g.node())
        if (n.name() == name) return &n;
    return nullptr;
}

const onnx::NodeProto* producer(const onnx::GraphProto& g, const std::string& value) {
    for (const auto& n : g.node())
        for (const auto& out : n.output())
            if (out == value) return &n;
    return nullptr;
}

std::vector<const onnx::NodeProto*> nodes_of(const onnx::GraphProto& g, const std::string& op) {
    std::vector<const onnx::NodeProto*> found;
    for (const auto& n : g.node())
        if (n.op_type() == op) found.push_back(&n);
    return found;
}

std::int64_t int_attr(const onnx::NodeProto& node, const std::string& name) {
    for (const auto& a : node.attribute())
        if (a.name() == name) return a.i();
    ADD_FAILURE() << "no attribute " << name << " on " << node.op_type();
    return -1;
}

const onnx::AttributeProto* attr(const onnx::NodeProto& node, const std::string& name) {
    for (const auto& a : node.attribute())
        if (a.name() == name) return &a;
    return nullptr;
}

std::int32_t elem(const onnx::ValueInfoProto& vi) {
    return vi.type().tensor_type().elem_type();
}

// Element type of `name` after strict inference of a copy of the model (main graph only).
std::int32_t inferred_type(const onnx::ModelProto& model, const std::string& name) {
    onnx::ModelProto copy = model;
    onnx::shape_inference::InferShapes(copy);
    for (const auto* list :
         {&copy.graph().input(), &copy.graph().output(), &copy.graph().value_info()})
        for (const auto& vi : *list)
            if (vi.name() == name) return elem(vi);
    if (const auto* t = find_initializer(copy.graph(), name)) return t->data_type();
    return 0;
}

// Every node input is a graph input, an initializer, an outer-scope value or the output of an
// earlier node; every graph output is available at the end. Recurses into subgraphs.
::testing::AssertionResult topologically_ordered(const onnx::GraphProto& g,
                                                 std::unordered_set<std::string> available = {}) {
    for (const auto& vi : g.input()) available.insert(vi.name());
    for (const auto& t : g.initializer()) available.insert(t.name());
    for (const auto& n : g.node()) {
        for (const auto& in : n.input())
            if (!in.empty() && available.count(in) == 0)
                return ::testing::AssertionFailure()
                       << "node " << n.name() << " (" << n.op_type() << ") reads '" << in
                       << "' before it is produced";
        for (const auto& a : n.attribute()) {
            if (a.type() != onnx::AttributeProto::GRAPH) continue;
            auto sub = topologically_ordered(a.g(), available);
            if (!sub) return sub;
        }
        for (const auto& out : n.output()) available.insert(out);
    }
    for (const auto& vi : g.output())
        if (available.count(vi.name()) == 0)
            return ::testing::AssertionFailure()
                   << "graph output '" << vi.name() << "' is never produced";
    return ::testing::AssertionSuccess();
}

void expect_valid(const onnx::ModelProto& model) {
    EXPECT_TRUE(topologically_ordered(model.graph()));
    EXPECT_NO_THROW(onnx::checker::check_model(model));
    onnx::ModelProto copy = model;
    try {
        onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(),
                                           onnx::ShapeInferenceOptions(true, 1, false));
    } catch (const std::exception& e) {
        ADD_FAILURE() << "strict shape inference failed: " << e.what();
    }
}

// Input `index` of `node` is produced by a Cast to `to` (returns that Cast's input).
std::string cast_source(const onnx::GraphProto& g, const onnx::NodeProto& node, int index,
                        std::int32_t to) {
    const onnx::NodeProto* cast = producer(g, node.input(index));
    if (cast == nullptr || cast->op_type() != "Cast") {
        ADD_FAILURE() << node.name() << " input " << index << " is not produced by a Cast";
        return {};
    }
    EXPECT_EQ(int_attr(*cast, "to"), to);
    return cast->input(0);
}

Fp16Options options(std::vector<std::string> blacklist = default_fp16_blacklist(), bool in32 = true,
                    bool out32 = true) {
    Fp16Options o;
    o.blacklist = std::move(blacklist);
    o.input_float32 = in32;
    o.output_float32 = out32;
    return o;
}

// ---------------------------------------------------------------------------------------------
// Conversion

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

// X -> Conv -> Resize(scales) -> Relu -> Y, with Resize in the default blacklist.
onnx::ModelProto conv_resize_relu_model() {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 1, 4, 4});
    *g.add_initializer() = float_tensor("W", {1, 1, 1, 1}, {2.0f});
    *g.add_initializer() = float_tensor("scales", {4}, {1.0f, 1.0f, 2.0f, 2.0f});
    add_node(g, "Conv", {"X", "W"}, {"c"}, "conv");
    auto& resize = add_node(g, "Resize", {"c", "", "scales"}, {"r"}, "resize");
    (void)resize;
    add_node(g, "Relu", {"r"}, {"Y"}, "relu");
    *g.add_output() = tensor_info("Y", kFloat, {1, 1, 8, 8});
    return model;
}

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
    auto* mode = resize.add_attribute();
    mode->set_name("coordinate_transformation_mode");
    mode->set_type(onnx::AttributeProto::STRING);
    mode->set_s("tf_crop_and_resize");
    *g.add_output() = tensor_info("Y", kFloat, {1, 1, 8, 8});
    convert_to_fp16(model, options({}));
    expect_valid(model);
    EXPECT_EQ(find_initializer(g, "roi")->data_type(), kFloat);
    EXPECT_EQ(find_initializer(g, "scales")->data_type(), kFloat);
    EXPECT_EQ(cast_source(g, *find_node(g, "resize"), 0, kHalf), "X");
}

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

// ---------------------------------------------------------------------------------------------
// Cache

class Fp16Cache : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("mlrt_fp16_cache_test_" + std::string(info->name()) + "_" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        fs::remove_all(dir_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    std::vector<fs::path> entries() const {
        std::vector<fs::path> files;
        if (!fs::exists(dir_)) return files;
        for (const auto& e : fs::directory_iterator(dir_)) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        return files;
    }

    static std::string model_bytes() { return conv_relu_model().SerializeAsString(); }

    static std::string expected(const Fp16Options& o) {
        onnx::ModelProto model = conv_relu_model();
        convert_to_fp16(model, o);
        return model.SerializeAsString();
    }

    static void expect_equivalent(const std::string& got, const std::string& want) {
        onnx::ModelProto a;
        onnx::ModelProto b;
        ASSERT_TRUE(a.ParseFromString(got));
        ASSERT_TRUE(b.ParseFromString(want));
        EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b));
    }

    fs::path dir_;
};

TEST_F(Fp16Cache, MissThenHit) {
    const Fp16Options o = options();
    const std::string first = convert_to_fp16_cached(model_bytes(), o, dir_);
    expect_equivalent(first, expected(o));
    const auto files = entries();
    ASSERT_EQ(files.size(), 1u);
    // A hit must not rewrite the entry: backdate it and check the date survives.
    const auto old = fs::last_write_time(files[0]) - std::chrono::hours(24);
    fs::last_write_time(files[0], old);
    const std::string second = convert_to_fp16_cached(model_bytes(), o, dir_);
    EXPECT_EQ(second, first);
    EXPECT_EQ(fs::last_write_time(files[0]), old);
    EXPECT_EQ(entries(), files);
}

TEST_F(Fp16Cache, DifferentOptionsAreDifferentEntries) {
    convert_to_fp16_cached(model_bytes(), options(), dir_);
    convert_to_fp16_cached(model_bytes(), options({"Relu"}), dir_);
    EXPECT_EQ(entries().size(), 2u);
    convert_to_fp16_cached(model_bytes(), options(default_fp16_blacklist(), false, true), dir_);
    convert_to_fp16_cached(model_bytes(), options(default_fp16_blacklist(), true, false), dir_);
    EXPECT_EQ(entries().size(), 4u);
    // Same set of ops in another order and with a duplicate: same entry.
    auto shuffled = default_fp16_blacklist();
    std::reverse(shuffled.begin(), shuffled.end());
    shuffled.push_back("Resize");
    const std::string again = convert_to_fp16_cached(model_bytes(), options(shuffled), dir_);
    EXPECT_EQ(entries().size(), 4u);
    expect_equivalent(again, expected(options()));
    // A different model is a different entry.
    onnx::ModelProto other = conv_relu_model();
    other.mutable_graph()->mutable_initializer(1)->set_raw_data(
        raw_float_tensor("B", {4}, {1, 2, 3, 4}).raw_data());
    convert_to_fp16_cached(other.SerializeAsString(), options(), dir_);
    EXPECT_EQ(entries().size(), 5u);
}

TEST_F(Fp16Cache, CorruptEntriesAreRebuilt) {
    const Fp16Options o = options();
    const std::string want = expected(o);
    const std::string first = convert_to_fp16_cached(model_bytes(), o, dir_);
    const auto files = entries();
    ASSERT_EQ(files.size(), 1u);
    const auto full_size = fs::file_size(files[0]);

    // Truncated (a partial write).
    fs::resize_file(files[0], full_size / 2);
    expect_equivalent(convert_to_fp16_cached(model_bytes(), o, dir_), want);
    EXPECT_EQ(fs::file_size(files[0]), full_size);

    // One flipped byte in the payload.
    {
        std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(static_cast<std::streamoff>(full_size - 5));
        char byte = 0;
        f.read(&byte, 1);
        byte = static_cast<char>(byte ^ 0x5a);
        f.seekp(static_cast<std::streamoff>(full_size - 5));
        f.write(&byte, 1);
    }
    expect_equivalent(convert_to_fp16_cached(model_bytes(), o, dir_), want);

    // Garbage of the right size.
    {
        std::ofstream f(files[0], std::ios::binary | std::ios::trunc);
        f << std::string(static_cast<std::size_t>(full_size), 'x');
    }
    const std::string rebuilt = convert_to_fp16_cached(model_bytes(), o, dir_);
    EXPECT_EQ(rebuilt, first);
    // And the rebuilt entry is served again.
    fs::last_write_time(files[0], fs::last_write_time(files[0]) - std::chrono::hours(1));
    const auto stamp = fs::last_write_time(files[0]);
    EXPECT_EQ(convert_to_fp16_cached(model_bytes(), o, dir_), first);
    EXPECT_EQ(fs::last_write_time(files[0]), stamp);
    EXPECT_EQ(entries().size(), 1u);  // no temporary files left behind
}

TEST_F(Fp16Cache, UnwritableCacheStillConverts) {
    fs::create_directories(dir_);
    const fs::path file = dir_ / "not_a_directory";
    std::ofstream(file) << "x";
    const Fp16Options o = options();
    expect_equivalent(convert_to_fp16_cached(model_bytes(), o, file / "cache"), expected(o));
    expect_equivalent(convert_to_fp16_cached(model_bytes(), o, fs::path()), expected(o));
}

TEST_F(Fp16Cache, UnparseableBytesAreAnInvalidModel) {
    try {
        convert_to_fp16_cached("definitely not an onnx model", options(), dir_);
        ADD_FAILURE() << "no error";
    } catch (const mlrt::Error& e) {
        EXPECT_EQ(e.kind(), mlrt::ErrorKind::InvalidModel);
    }
    EXPECT_TRUE(entries().empty());
}

#if !defined(_WIN32)
// Restores an environment variable on scope exit.
class EnvGuard {
  public:
    explicit EnvGuard(const char* name) : name_(name) {
        if (const char* v = std::getenv(name)) old_ = v;
    }
    ~EnvGuard() {
        if (old_)
            setenv(name_, old_->c_str(), 1);
        else
            unsetenv(name_);
    }
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;

  private:
    const char* name_;
    std::optional<std::string> old_;
};

TEST(Fp16CacheDir, EnvironmentPrecedence) {
    EnvGuard a("MLRT_CACHE_DIR"), b("XDG_CACHE_HOME"), c("HOME");
    setenv("MLRT_CACHE_DIR", "/x/mlrt", 1);
    setenv("XDG_CACHE_HOME", "/x/xdg", 1);
    setenv("HOME", "/x/home", 1);
    EXPECT_EQ(mlrt::detail::default_cache_dir(), fs::path("/x/mlrt"));
    unsetenv("MLRT_CACHE_DIR");
    EXPECT_EQ(mlrt::detail::default_cache_dir(), fs::path("/x/xdg") / "mlrt");
    unsetenv("XDG_CACHE_HOME");
    EXPECT_EQ(mlrt::detail::default_cache_dir(), fs::path("/x/home") / ".cache" / "mlrt");
    unsetenv("HOME");
    EXPECT_FALSE(mlrt::detail::default_cache_dir().empty());
}
#endif

}  // namespace
