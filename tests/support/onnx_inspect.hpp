#pragma once
// Looking into ONNX graphs from tests: finding nodes and tensors, reading float/half payloads,
// and judging a rewritten model valid (topological order, the ONNX checker, strict inference).
#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <exception>
#include <string>
#include <unordered_set>
#include <vector>

namespace mlrt::test {

// Written out here rather than taken from the library, so that the converter's output is not
// read back with the library's own float16 code.
inline float half_to_float(std::uint16_t h) {
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

inline std::vector<std::uint16_t> half_bits(const onnx::TensorProto& t) {
    EXPECT_EQ(t.data_type(), onnx::TensorProto::FLOAT16) << t.name();
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

inline std::vector<float> float_data(const onnx::TensorProto& t) {
    EXPECT_EQ(t.data_type(), onnx::TensorProto::FLOAT) << t.name();
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

inline const onnx::TensorProto* find_initializer(const onnx::GraphProto& g,
                                                 const std::string& name) {
    for (const auto& t : g.initializer())
        if (t.name() == name) return &t;
    return nullptr;
}

inline const onnx::NodeProto* find_node(const onnx::GraphProto& g, const std::string& name) {
    for (const auto& n : g.node())
        if (n.name() == name) return &n;
    return nullptr;
}

inline const onnx::NodeProto* producer(const onnx::GraphProto& g, const std::string& value) {
    for (const auto& n : g.node())
        for (const auto& out : n.output())
            if (out == value) return &n;
    return nullptr;
}

inline std::vector<const onnx::NodeProto*> nodes_of(const onnx::GraphProto& g,
                                                    const std::string& op) {
    std::vector<const onnx::NodeProto*> found;
    for (const auto& n : g.node())
        if (n.op_type() == op) found.push_back(&n);
    return found;
}

inline std::int64_t int_attr(const onnx::NodeProto& node, const std::string& name) {
    for (const auto& a : node.attribute())
        if (a.name() == name) return a.i();
    ADD_FAILURE() << "no attribute " << name << " on " << node.op_type();
    return -1;
}

inline const onnx::AttributeProto* attr(const onnx::NodeProto& node, const std::string& name) {
    for (const auto& a : node.attribute())
        if (a.name() == name) return &a;
    return nullptr;
}

inline std::int32_t elem(const onnx::ValueInfoProto& vi) {
    return vi.type().tensor_type().elem_type();
}

// Element type of `name` after strict inference of a copy of the model (main graph only).
inline std::int32_t inferred_type(const onnx::ModelProto& model, const std::string& name) {
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
inline ::testing::AssertionResult topologically_ordered(
    const onnx::GraphProto& g, std::unordered_set<std::string> available = {}) {
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

inline void expect_valid(const onnx::ModelProto& model) {
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
inline std::string cast_source(const onnx::GraphProto& g, const onnx::NodeProto& node, int index,
                               std::int32_t to) {
    const onnx::NodeProto* cast = producer(g, node.input(index));
    if (cast == nullptr || cast->op_type() != "Cast") {
        ADD_FAILURE() << node.name() << " input " << index << " is not produced by a Cast";
        return {};
    }
    EXPECT_EQ(int_attr(*cast, "to"), to);
    return cast->input(0);
}

}  // namespace mlrt::test
