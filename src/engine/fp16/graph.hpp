#pragma once
// Walking a graph together with the subgraphs of its If/Loop/Scan nodes, and making the nodes
// and names the conversion adds to it.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

namespace mlrt::detail::fp16 {

template <typename Fn>
void for_each_subgraph(const onnx::NodeProto& node, Fn&& fn) {
    for (const auto& attr : node.attribute()) {
        if (attr.type() == onnx::AttributeProto::GRAPH) fn(attr.g());
        if (attr.type() == onnx::AttributeProto::GRAPHS)
            for (const auto& g : attr.graphs()) fn(g);
    }
}

template <typename Fn>
void for_each_subgraph(onnx::NodeProto& node, Fn&& fn) {
    for (auto& attr : *node.mutable_attribute()) {
        if (attr.type() == onnx::AttributeProto::GRAPH) fn(*attr.mutable_g());
        if (attr.type() == onnx::AttributeProto::GRAPHS)
            for (auto& g : *attr.mutable_graphs()) fn(g);
    }
}

const onnx::AttributeProto* find_attr(const onnx::NodeProto& node, std::string_view name);

// Every value the main graph's nodes read, and its outputs: what must not be removed.
std::unordered_set<std::string> names_read(const onnx::GraphProto& graph);
bool has_subgraph(const onnx::NodeProto& node);

// Names not used anywhere in the graph, its subgraphs included, so that an added value can
// never capture an outer-scope one.
class NameGenerator {
  public:
    explicit NameGenerator(const onnx::GraphProto& graph);

    std::string fresh(const std::string& base);

  private:
    std::unordered_set<std::string> used_;
};

onnx::NodeProto make_cast(const std::string& input, const std::string& output, std::int32_t to,
                          const std::string& name);

}  // namespace mlrt::detail::fp16
