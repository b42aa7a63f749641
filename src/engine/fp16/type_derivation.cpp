#include "engine/fp16/type_derivation.hpp"

#include <onnx/defs/data_type_utils.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/fp16/graph.hpp"
#include "engine/fp16/types.hpp"

namespace mlrt::detail::fp16 {
namespace {

std::int32_t int_attr_or(const onnx::NodeProto& node, std::string_view name,
                         std::int32_t fallback) {
    const onnx::AttributeProto* attr = find_attr(node, name);
    return attr != nullptr ? static_cast<std::int32_t>(attr->i()) : fallback;
}

std::optional<onnx::TypeProto> constant_type(const onnx::NodeProto& node) {
    for (const auto& attr : node.attribute()) {
        const std::string& name = attr.name();
        if (name == "value") return tensor_type(attr.t().data_type());
        if (name == "sparse_value") return tensor_type(attr.sparse_tensor().values().data_type());
        if (name == "value_float" || name == "value_floats") return tensor_type(kFloat);
        if (name == "value_int" || name == "value_ints")
            return tensor_type(onnx::TensorProto::INT64);
        if (name == "value_string" || name == "value_strings")
            return tensor_type(onnx::TensorProto::STRING);
    }
    return std::nullopt;
}

// Type of output 0 of the default-domain ops whose schema type parameters do not determine it
// (attribute-driven types, sequences and optionals); `in0` is input 0's type when known.
std::optional<onnx::TypeProto> special_output_type(const onnx::NodeProto& node,
                                                   const onnx::TypeProto* in0) {
    if (!is_default_domain(node)) return std::nullopt;
    const std::string& op = node.op_type();
    if (op == "Cast") return tensor_type(int_attr_or(node, "to", 0));
    if (op == "Constant") return constant_type(node);
    if (op == "ConstantOfShape") {
        const onnx::AttributeProto* value = find_attr(node, "value");
        return tensor_type(value != nullptr ? value->t().data_type() : kFloat);
    }
    if (op == "RandomNormal" || op == "RandomUniform")
        return tensor_type(int_attr_or(node, "dtype", kFloat));
    if (op == "Multinomial")
        return tensor_type(int_attr_or(node, "dtype", onnx::TensorProto::INT32));
    if (op == "SequenceEmpty") return sequence_of(tensor_type(int_attr_or(node, "dtype", kFloat)));
    if (op == "RandomNormalLike" || op == "RandomUniformLike" || op == "EyeLike" ||
        op == "Bernoulli") {
        if (find_attr(node, "dtype") != nullptr) return tensor_type(int_attr_or(node, "dtype", 0));
        return in0 != nullptr ? std::optional<onnx::TypeProto>(*in0) : std::nullopt;
    }
    if (op == "Optional") {
        if (in0 != nullptr) return optional_of(*in0);
        const onnx::AttributeProto* type = find_attr(node, "type");
        return type != nullptr ? std::optional<onnx::TypeProto>(optional_of(type->tp()))
                               : std::nullopt;
    }
    if (in0 == nullptr) return std::nullopt;
    if (op == "SequenceConstruct" || op == "SplitToSequence") return sequence_of(*in0);
    if ((op == "SequenceAt" || op == "ConcatFromSequence") && in0->has_sequence_type())
        return in0->sequence_type().elem_type();
    if (op == "OptionalGetElement")
        return in0->has_optional_type() ? in0->optional_type().elem_type() : *in0;
    return std::nullopt;
}

class TypeDeriver {
  public:
    explicit TypeDeriver(const OpsetMap& opsets) : opsets_(opsets) {}

    // Derives the types the model does not declare, forwards and backwards through the
    // schemas' type parameters. Returns whether anything changed.
    bool refine_types(Scope& s) {
        bool changed = false;
        for (auto& node : *s.graph->mutable_node()) {
            changed = refine_node(node, s) || changed;
            for_each_subgraph(node, [&](onnx::GraphProto& g) {
                changed = refine_types(*s.children.at(&g)) || changed;
            });
            changed = refine_control_flow(node, s) || changed;
        }
        return changed;
    }

  private:
    // Gives `v` the type `type` if it has none yet; true when that is a change.
    static bool learn(Value* v, const onnx::TypeProto* type) {
        if (v == nullptr || known(v) || type == nullptr || elem_type(*type) == 0) return false;
        v->type = *type;
        return true;
    }

    static Value* port(Scope& s, const google::protobuf::RepeatedPtrField<std::string>& names,
                       int i, bool output) {
        if (i >= names.size() || names.Get(i).empty()) return nullptr;
        return output ? s.local(names.Get(i)) : s.find(names.Get(i));
    }

    bool refine_node(const onnx::NodeProto& node, Scope& s) {
        bool changed = false;
        const Value* in0 = port(s, node.input(), 0, false);
        if (const auto type = special_output_type(node, known(in0) ? &in0->type : nullptr))
            changed = learn(port(s, node.output(), 0, true), &*type) || changed;
        const onnx::OpSchema* schema = find_schema(node, opsets_);
        if (schema == nullptr) return changed;
        std::unordered_map<std::string, onnx::TypeProto> bound;
        for (const bool output : {false, true}) {
            const auto& params = output ? schema->outputs() : schema->inputs();
            const auto& names = output ? node.output() : node.input();
            for (int i = 0; i < names.size(); ++i) {
                const Param* p = formal_param(params, i);
                const Value* v = port(s, names, i, output);
                if (binds(*schema, p) && known(v)) bound.emplace(p->GetTypeStr(), v->type);
            }
        }
        for (const bool output : {false, true}) {
            const auto& params = output ? schema->outputs() : schema->inputs();
            const auto& names = output ? node.output() : node.input();
            for (int i = 0; i < names.size(); ++i) {
                const Param* p = formal_param(params, i);
                if (p == nullptr) continue;
                Value* v = port(s, names, i, output);
                if (p->GetTypes().size() == 1) {  // a fixed type
                    const onnx::DataType only = *p->GetTypes().begin();
                    changed = learn(v, &onnx::Utils::DataTypeUtils::ToTypeProto(only)) || changed;
                }
                const auto it = binds(*schema, p) ? bound.find(p->GetTypeStr()) : bound.end();
                if (it != bound.end()) changed = learn(v, &it->second) || changed;
            }
        }
        return changed;
    }

    // If / Loop / Scan: body inputs take the node's input types, node outputs the body's
    // output types (Loop's body has the iteration count and condition in front).
    bool refine_control_flow(const onnx::NodeProto& node, Scope& s) {
        const std::string& op = node.op_type();
        if (!is_default_domain(node) || (op != "If" && op != "Loop" && op != "Scan")) return false;
        const onnx::OpSchema* schema = find_schema(node, opsets_);
        const int out_offset = op == "Loop" ? 1 : 0;
        // Scan-8 has sequence_lens in front of the values its body receives.
        const int in_offset =
            op == "Scan" && schema != nullptr && schema->SinceVersion() < 9 ? 1 : 0;
        bool changed = false;
        for (const auto& attr : node.attribute()) {
            if (attr.type() != onnx::AttributeProto::GRAPH) continue;
            const onnx::GraphProto& body = attr.g();
            Scope& child = *s.children.at(&body);
            for (int k = op == "Loop" ? 2 : 0; op != "If" && k < body.input_size(); ++k) {
                const Value* v = port(s, node.input(), k + in_offset, false);
                changed = learn(child.local(body.input(k).name()), known(v) ? &v->type : nullptr) ||
                          changed;
            }
            for (int i = 0; i < node.output_size() && i + out_offset < body.output_size(); ++i) {
                const onnx::ValueInfoProto& out = body.output(i + out_offset);
                const Value* v = child.find(out.name());
                const onnx::TypeProto* type = known(v)         ? &v->type
                                              : out.has_type() ? &out.type()
                                                               : nullptr;
                changed = learn(port(s, node.output(), i, true), type) || changed;
            }
        }
        if (op == "Loop")  // loop-carried outputs have their initial values' types
            for (int i = 0; i + 2 < node.input_size(); ++i) {
                const Value* v = port(s, node.input(), i + 2, false);
                changed = learn(port(s, node.output(), i, true), known(v) ? &v->type : nullptr) ||
                          changed;
            }
        return changed;
    }

    const OpsetMap& opsets_;
};

}  // namespace

void derive_types(Scope& root, const OpsetMap& opsets) {
    TypeDeriver deriver(opsets);
    // Terminates: every change turns an unknown type into a known one.
    while (deriver.refine_types(root)) {
    }
}

}  // namespace mlrt::detail::fp16
