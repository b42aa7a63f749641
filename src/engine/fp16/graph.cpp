#include "engine/fp16/graph.hpp"

#include <algorithm>

#include "engine/onnx_builder.hpp"

namespace mlrt::detail::fp16 {
namespace {

void collect_names(const onnx::GraphProto& graph, std::unordered_set<std::string>& names) {
    for (const auto& vi : graph.input()) names.insert(vi.name());
    for (const auto& vi : graph.output()) names.insert(vi.name());
    for (const auto& vi : graph.value_info()) names.insert(vi.name());
    for (const auto& t : graph.initializer()) names.insert(t.name());
    for (const auto& t : graph.sparse_initializer()) names.insert(t.values().name());
    for (const auto& node : graph.node()) {
        names.insert(node.name());
        names.insert(node.input().begin(), node.input().end());
        names.insert(node.output().begin(), node.output().end());
        for_each_subgraph(node, [&](const onnx::GraphProto& g) { collect_names(g, names); });
    }
}

}  // namespace

NameGenerator::NameGenerator(const onnx::GraphProto& graph) {
    collect_names(graph, used_);
}

std::string NameGenerator::fresh(const std::string& base) {
    std::string name = base;
    for (int n = 1; used_.count(name) != 0; ++n) name = base + "_" + std::to_string(n);
    used_.insert(name);
    return name;
}

std::unordered_set<std::string> names_read(const onnx::GraphProto& graph) {
    std::unordered_set<std::string> read;
    for (const auto& n : graph.node())
        for (const auto& in : n.input()) read.insert(in);
    for (const auto& o : graph.output()) read.insert(o.name());
    return read;
}

const onnx::AttributeProto* find_attr(const onnx::NodeProto& node, std::string_view name) {
    for (const auto& attr : node.attribute())
        if (attr.name() == name) return &attr;
    return nullptr;
}

bool has_subgraph(const onnx::NodeProto& node) {
    return std::any_of(node.attribute().begin(), node.attribute().end(), [](const auto& a) {
        return a.type() == onnx::AttributeProto::GRAPH || a.type() == onnx::AttributeProto::GRAPHS;
    });
}

onnx::NodeProto make_cast(const std::string& input, const std::string& output, std::int32_t to,
                          const std::string& name) {
    onnx::NodeProto cast = make_node("Cast", {input}, {output}, name);
    set_int(cast, "to", to);
    return cast;
}

}  // namespace mlrt::detail::fp16
