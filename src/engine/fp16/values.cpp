#include "engine/fp16/values.hpp"

#include "engine/fp16/graph.hpp"
#include "engine/fp16/tensor_data.hpp"

namespace mlrt::detail::fp16 {
namespace {

using TypeMap = std::unordered_map<std::string, onnx::TypeProto>;

// What the graph declares about its outputs and intermediate values.
TypeMap declared_types(const onnx::GraphProto& graph) {
    TypeMap types;
    for (const auto* list : {&graph.output(), &graph.value_info()})
        for (const auto& vi : *list)
            if (vi.has_type() && elem_type(vi.type()) != 0) types.emplace(vi.name(), vi.type());
    return types;
}

Value& add_value(Scope& s, const std::string& name, onnx::TypeProto type) {
    Value& v = s.values[name];
    v.type = std::move(type);
    v.internal = name;
    return v;
}

}  // namespace

void register_values(Scope& s) {
    const TypeMap types = declared_types(*s.graph);
    auto lookup = [&](const std::string& name) {
        const auto it = types.find(name);
        return it == types.end() ? onnx::TypeProto() : it->second;
    };
    for (const auto& t : s.graph->initializer()) {
        Value& v = add_value(s, t.name(), tensor_type(t.data_type()));
        v.origin = is_external(t) ? Origin::FixedInitializer : Origin::Initializer;
        check_float_tensor(t, "initializer '" + t.name() + "'");
    }
    for (const auto& t : s.graph->sparse_initializer()) {
        add_value(s, t.values().name(), tensor_type(t.values().data_type())).origin =
            Origin::FixedInitializer;
    }
    for (const auto& in : s.graph->input()) {
        if (s.local(in.name())) continue;  // an initializer listed as input (IR < 4)
        add_value(s, in.name(), in.has_type() ? in.type() : lookup(in.name())).origin =
            Origin::GraphInput;
    }
    for (auto& node : *s.graph->mutable_node()) {
        for (const auto& out : node.output())
            if (!out.empty()) add_value(s, out, lookup(out));
        for_each_subgraph(node, [&](onnx::GraphProto& g) {
            auto child = std::make_unique<Scope>();
            child->graph = &g;
            child->parent = &s;
            register_values(*child);
            s.children.emplace(&g, std::move(child));
        });
    }
}

}  // namespace mlrt::detail::fp16
