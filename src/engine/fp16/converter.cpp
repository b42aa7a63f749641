// The conversion proper (see fp16.hpp).
//
// Model: every float32 value of the original graph gets a "home" precision, the one it is
// produced in after conversion, and every use of it (a node input, a graph output) a required
// precision. Where the two differ the use reads a twin: an exact float32 copy of an
// initializer or of a Constant/Cast node, else a Cast emitted just before the first user in the
// using graph. All decisions are taken before the graph is touched, so a model that cannot be
// converted is rejected without being half rewritten.
#include "engine/fp16/converter.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/fp16/diagnostics.hpp"
#include "engine/fp16/graph.hpp"
#include "engine/fp16/io_adapter.hpp"
#include "engine/fp16/schema.hpp"
#include "engine/fp16/tensor_data.hpp"
#include "engine/fp16/type_derivation.hpp"
#include "engine/fp16/types.hpp"
#include "engine/fp16/values.hpp"
#include "engine/onnx_builder.hpp"

namespace mlrt::detail {
namespace fp16 {
namespace {

// A model that already carries float16 weights was made half precision by its author; its
// remaining float32 parts are there on purpose (normalisations, accumulations), so its body is
// left as it is rather than converted a second time (only its outer I/O types are adapted).
bool has_half_weights(const onnx::GraphProto& graph) {
    for (const auto& t : graph.initializer())
        if (t.data_type() == kHalf) return true;
    for (const auto& t : graph.sparse_initializer())
        if (t.values().data_type() == kHalf) return true;
    for (const auto& node : graph.node()) {
        for (const auto& attr : node.attribute()) {
            if (attr.has_t() && attr.t().data_type() == kHalf) return true;
            for (const auto& t : attr.tensors())
                if (t.data_type() == kHalf) return true;
        }
        bool found = false;
        for_each_subgraph(node,
                          [&](const onnx::GraphProto& g) { found = found || has_half_weights(g); });
        if (found) return true;
    }
    return false;
}

class Converter {
  public:
    Converter(onnx::ModelProto& model, const Fp16Options& options)
        : model_(model),
          options_(options),
          blacklist_(options.blacklist.begin(), options.blacklist.end()),
          opsets_(opset_map(model)),
          names_(model.graph()) {}

    void run() {
        root_.graph = model_.mutable_graph();
        root_.main = true;
        register_values(root_);
        derive_types(root_, opsets_);
        analyze(root_);
        decide(root_);
        rename_main_outputs();
        validate(root_);
        rewrite(root_);
    }

  private:
    // -- analysis -------------------------------------------------------------------------------

    Prec output_requirement(const Scope& s) const {
        if (s.main) return options_.output_float32 ? Prec::F32 : Prec::F16;
        return s.fp32_region ? Prec::F32 : Prec::F16;
    }

    void analyze(Scope& s) {
        for (auto& in : *s.graph->mutable_input()) {
            Value* v = s.local(in.name());
            if (v == nullptr || v->origin != Origin::GraphInput) continue;
            if (s.main)
                v->natural = options_.input_float32 ? Prec::F32 : Prec::F16;
            else
                v->natural = s.fp32_region ? Prec::F32 : Prec::F16;
        }
        for (const auto& t : s.graph->initializer()) {
            Value* v = s.local(t.name());
            if (v->origin == Origin::Initializer)
                v->by_uses = true;
            else
                v->natural = Prec::F32;
        }
        for (const auto& t : s.graph->sparse_initializer())
            s.local(t.values().name())->natural = Prec::F32;
        for (auto& node : *s.graph->mutable_node()) analyze_node(node, s);
        const Prec req = output_requirement(s);
        for (const auto& out : s.graph->output()) {
            Value* v = s.find(out.name());
            if (v == nullptr || !v->is_float()) continue;
            use(*v, req, "graph output '" + out.name() + "'");
            if (s.main && s.local(out.name()) == v && v->origin == Origin::Initializer)
                v->forced = req;
        }
    }

    void analyze_node(onnx::NodeProto& node, Scope& s) {
        NodeInfo info = classify(node, s);
        for (int i = 0; i < node.input_size(); ++i) {
            Value* v = node.input(i).empty() ? nullptr : s.find(node.input(i));
            if (v && v->is_float())
                use(*v, info.input_req[static_cast<std::size_t>(i)], node_label(node));
        }
        for_each_subgraph(node, [&](onnx::GraphProto& g) {
            Scope& child = *s.children.at(&g);
            child.fp32_region = s.fp32_region || info.blocked;
            analyze(child);
        });
        infos_[&node] = std::move(info);
    }

    void use(Value& v, Prec p, const std::string& user) {
        bool& flag = p == Prec::F16 ? v.need16 : v.need32;
        std::string& who = p == Prec::F16 ? v.user16 : v.user32;
        flag = true;
        if (who.empty()) who = user;
    }

    bool listed(const onnx::NodeProto& node) const {
        return blacklist_.count(node.op_type()) != 0 ||
               (!node.name().empty() && blacklist_.count(node.name()) != 0);
    }

    // A Constant whose value lives in an external file cannot be rewritten here.
    static bool has_external_tensor(const onnx::NodeProto& node) {
        return std::any_of(node.attribute().begin(), node.attribute().end(),
                           [](const auto& a) { return a.has_t() && is_external(a.t()); });
    }

    NodeInfo classify(onnx::NodeProto& node, Scope& s) {
        for (const auto& attr : node.attribute())
            if (attr.has_t()) check_float_tensor(attr.t(), node_label(node));
        NodeInfo info;
        info.input_req.assign(static_cast<std::size_t>(node.input_size()), Prec::F32);
        const onnx::OpSchema* schema = find_schema(node, opsets_);
        info.blocked =
            s.fp32_region || listed(node) || schema == nullptr || has_external_tensor(node);
        if (!info.blocked) info.blocked = !classify_ports(node, *schema, s, info);
        if (info.blocked) {
            std::fill(info.input_req.begin(), info.input_req.end(), Prec::F32);
            for (const auto& out : node.output())
                if (Value* v = out.empty() ? nullptr : s.local(out)) v->natural = Prec::F32;
        }
        return info;
    }

    // Decides the precision of every float port of a convertible node; false when some float
    // output's type cannot be predicted, in which case the node is kept float32.
    bool classify_ports(const onnx::NodeProto& node, const onnx::OpSchema& schema, Scope& s,
                        NodeInfo& info) {
        for (int i = 0; i < node.input_size(); ++i) {
            const Value* v = node.input(i).empty() ? nullptr : s.find(node.input(i));
            if (v == nullptr || !v->is_float()) continue;
            const Param* p = formal_param(schema.inputs(), i);
            const bool half =
                p && !input_must_stay_float(node, i) && accepts(*p, half_type_string(v->type));
            const Prec req = half ? Prec::F16 : Prec::F32;
            // Sequences and optionals cannot be Cast: when one arrives in the other precision
            // the node keeps its original types. Producers are classified before their users,
            // so `natural` is final here (such values are never chosen by their uses).
            if (!v->is_tensor() && v->natural != req) return false;
            info.input_req[static_cast<std::size_t>(i)] = req;
        }
        // An output of unknown type may follow a converted input: keep such a node float32
        // so that it sees exactly the types it had.
        const bool half_in = std::find(info.input_req.begin(), info.input_req.end(), Prec::F16) !=
                             info.input_req.end();
        for (int o = 0; o < node.output_size(); ++o) {
            Value* v = node.output(o).empty() ? nullptr : s.local(node.output(o));
            if (v != nullptr && !known(v) && half_in) return false;
            if (v == nullptr || !v->is_float()) continue;
            const Param* p = formal_param(schema.outputs(), o);
            if (p == nullptr) return false;
            v->natural = Prec::F32;
            if (!accepts(*p, half_type_string(v->type))) continue;  // produced as float32
            const std::string& param = p->GetTypeStr();
            if (!is_type_param(schema, param)) continue;
            if (input_binds(schema, param) || has_subgraph(node)) {
                v->natural = Prec::F16;
                continue;
            }
            switch (attribute_output_rule(node)) {
                case OutputRule::ByAttribute:
                    v->by_uses = true;
                    v->duplicable = duplicable(node);
                    break;
                case OutputRule::FollowsInput: {
                    const Value* in = node.input_size() > 0 ? s.find(node.input(0)) : nullptr;
                    if (in && in->is_float()) v->natural = info.input_req[0];
                    break;
                }
                case OutputRule::Unknown:
                    return false;
            }
        }
        return true;
    }

    void decide(Scope& s) {
        for (auto& [name, v] : s.values) {
            if (!v.is_float()) continue;
            if (v.forced)
                v.home = *v.forced;
            else if (v.by_uses)
                v.home = (v.need32 && !v.need16) ? Prec::F32 : Prec::F16;
            else
                v.home = v.natural;
        }
        for (auto& [graph, child] : s.children) decide(*child);
    }

    // A main-graph output keeps its name, so when the value is produced in the other precision
    // the producer writes to an internal name and a final Cast restores the public one.
    void rename_main_outputs() {
        const Prec req = output_requirement(root_);
        for (const auto& out : root_.graph->output()) {
            Value* v = root_.local(out.name());
            if (v && v->is_float() && v->origin == Origin::NodeOutput && v->home != req &&
                v->internal == out.name())
                v->internal = names_.fresh(out.name() + suffix_of(v->home));
        }
    }

    // Everything that could stop the rewrite is found here, before the model changes.
    void validate(Scope& s) {
        for (const auto& [name, v] : s.values) {
            if (!v.is_float() || v.is_tensor() || !v.needs(other(v.home))) continue;
            const std::string& user = v.home == Prec::F16 ? v.user32 : v.user16;
            std::string message = user;
            message += " needs '" + name + "' as ";
            message += v.home == Prec::F16 ? "float32" : "float16";
            message +=
                ", but it is a sequence or optional of tensors, which Cast cannot convert; "
                "blacklist its producer or its user consistently";
            fail(message);
        }
        for (auto& [graph, child] : s.children) validate(*child);
    }

    // -- rewrite --------------------------------------------------------------------------------

    // The name under which `v` can be read in precision `p` inside `s`.
    std::string name_in(Value& v, Prec p, Scope& s) {
        if (v.home == p) return v.internal;
        if (!v.twin.empty()) return v.twin;
        const auto key = std::make_pair(static_cast<const Value*>(&v), p);
        if (const auto it = s.casts.find(key); it != s.casts.end()) return it->second;
        std::string out = names_.fresh(v.internal + suffix_of(p));
        s.emit->push_back(std::make_unique<onnx::NodeProto>(
            make_cast(v.internal, out, elem_of(p), names_.fresh(out + "_cast"))));
        s.casts.emplace(key, out);
        return out;
    }

    void rewrite(Scope& s) {
        rewrite_inputs(s);
        rewrite_initializers(s);
        auto* field = s.graph->mutable_node();
        std::vector<onnx::NodeProto*> raw(static_cast<std::size_t>(field->size()));
        field->ExtractSubrange(0, field->size(), raw.data());
        std::vector<std::unique_ptr<onnx::NodeProto>> original;
        original.reserve(raw.size());
        for (onnx::NodeProto* n : raw) original.emplace_back(n);
        std::vector<std::unique_ptr<onnx::NodeProto>> out;
        s.emit = &out;
        for (auto& node : original) rewrite_node(std::move(node), s);
        rewrite_outputs(s);
        rewrite_value_info(s);
        s.emit = nullptr;
        for (auto& node : out) field->AddAllocated(node.release());
    }

    void rewrite_inputs(Scope& s) {
        for (auto& in : *s.graph->mutable_input()) {
            Value* v = s.local(in.name());
            if (v && v->is_float() && in.has_type())
                set_elem_type(*in.mutable_type(), elem_of(v->home));
        }
    }

    void rewrite_initializers(Scope& s) {
        std::vector<onnx::TensorProto> twins;
        for (auto& t : *s.graph->mutable_initializer()) {
            Value* v = s.local(t.name());
            if (v == nullptr || v->origin != Origin::Initializer || !v->is_float()) continue;
            if (v->needs(other(v->home))) {
                onnx::TensorProto twin = t;
                v->twin = names_.fresh(t.name() + suffix_of(other(v->home)));
                twin.set_name(v->twin);
                if (v->home == Prec::F32) tensor_to_half(twin);
                twins.push_back(std::move(twin));
            }
            if (v->home == Prec::F16) tensor_to_half(t);
        }
        for (auto& twin : twins) *s.graph->add_initializer() = std::move(twin);
    }

    void rewrite_node(std::unique_ptr<onnx::NodeProto> node, Scope& s) {
        const NodeInfo& info = infos_.at(node.get());
        for (int i = 0; i < node->input_size(); ++i) {
            Value* v = node->input(i).empty() ? nullptr : s.find(node->input(i));
            if (v && v->is_float())
                node->set_input(i, name_in(*v, info.input_req[static_cast<std::size_t>(i)], s));
        }
        for_each_subgraph(*node, [&](onnx::GraphProto& g) { rewrite(*s.children.at(&g)); });
        Value* first = node->output_size() > 0 ? s.local(node->output(0)) : nullptr;
        std::unique_ptr<onnx::NodeProto> twin;
        if (first && first->is_float() && first->duplicable && first->home == Prec::F16 &&
            first->need32)
            twin = make_twin(*node, *first);
        if (!info.blocked && first && first->is_float() && first->by_uses &&
            first->home == Prec::F16)
            convert_attributes(*node);
        for (int o = 0; o < node->output_size(); ++o) {
            const Value* v = node->output(o).empty() ? nullptr : s.local(node->output(o));
            if (v && v->internal != node->output(o)) node->set_output(o, v->internal);
        }
        s.emit->push_back(std::move(node));
        if (twin) s.emit->push_back(std::move(twin));
    }

    // An unconverted copy of a Constant/ConstantOfShape/Cast gives float32 users exact values
    // instead of float16-rounded ones.
    std::unique_ptr<onnx::NodeProto> make_twin(const onnx::NodeProto& node, Value& v) {
        auto twin = std::make_unique<onnx::NodeProto>(node);
        v.twin = names_.fresh(v.internal + suffix_of(Prec::F32));
        twin->set_output(0, v.twin);
        twin->set_name(
            names_.fresh((node.name().empty() ? node.op_type() : node.name()) + "_fp32"));
        return twin;
    }

    // Switches the attribute that selects a float output type to float16.
    void convert_attributes(onnx::NodeProto& node) {
        const std::string& op = node.op_type();
        if (!is_default_domain(node)) return;
        if (op == "Constant") return convert_constant(node);
        if (op == "ConstantOfShape") {
            for (auto& attr : *node.mutable_attribute())
                if (attr.name() == "value") return tensor_to_half(*attr.mutable_t());
            return set_tensor(node, "value", half_constant({0.0f}, false));
        }
        const char* type_attr = op == "Cast" ? "to" : "dtype";
        for (auto& attr : *node.mutable_attribute())
            if (attr.name() == type_attr && attr.i() == kFloat) return attr.set_i(kHalf);
        if (op == "RandomNormal" || op == "RandomUniform")  // dtype defaults to float
            set_int(node, "dtype", kHalf);
    }

    static void convert_constant(onnx::NodeProto& node) {
        for (auto& attr : *node.mutable_attribute()) {
            if (attr.name() == "value" && attr.has_t()) return tensor_to_half(*attr.mutable_t());
            const bool scalar = attr.name() == "value_float";
            if (!scalar && attr.name() != "value_floats") continue;
            std::vector<float> values(attr.floats().begin(), attr.floats().end());
            if (scalar) values.assign(1, attr.f());
            attr.Clear();
            attr.set_name("value");
            attr.set_type(onnx::AttributeProto::TENSOR);
            *attr.mutable_t() = half_constant(values, scalar);
            return;
        }
    }

    void rewrite_outputs(Scope& s) {
        const Prec req = output_requirement(s);
        for (auto& out : *s.graph->mutable_output()) {
            Value* v = s.find(out.name());
            if (v == nullptr || !v->is_float()) continue;
            Prec type = req;
            if (s.main && v->internal != out.name()) {
                s.emit->push_back(std::make_unique<onnx::NodeProto>(make_cast(
                    v->internal, out.name(), elem_of(req), names_.fresh(out.name() + "_cast"))));
            } else if (s.main) {
                // Equal to req except for a graph input passed straight through: its name and
                // so its type are fixed.
                type = v->home;
            } else {
                out.set_name(name_in(*v, req, s));
            }
            if (out.has_type()) set_elem_type(*out.mutable_type(), elem_of(type));
        }
    }

    void rewrite_value_info(Scope& s) {
        for (auto& vi : *s.graph->mutable_value_info()) {
            Value* v = s.find(vi.name());
            if (v == nullptr || !v->is_float()) continue;
            vi.set_name(v->internal);
            if (vi.has_type()) set_elem_type(*vi.mutable_type(), elem_of(v->home));
        }
    }

    onnx::ModelProto& model_;
    const Fp16Options& options_;
    std::unordered_set<std::string> blacklist_;
    OpsetMap opsets_;
    NameGenerator names_;
    Scope root_;
    std::unordered_map<const onnx::NodeProto*, NodeInfo> infos_;
};

}  // namespace
}  // namespace fp16

std::vector<std::string> default_fp16_blacklist() {
    return {"Resize", "Upsample", "Min", "Max", "ReduceMean", "GridSample", "Range", "TopK",
            "CumSum", "RoiAlign", "NonMaxSuppression",
            // classic-ML (ai.onnx.ml) ops: no float16 kernels
            "ArrayFeatureExtractor", "Binarizer", "CastMap", "CategoryMapper", "DictVectorizer",
            "FeatureVectorizer", "Imputer", "LabelEncoder", "LinearClassifier", "LinearRegressor",
            "Normalizer", "OneHotEncoder", "SVMClassifier", "SVMRegressor", "Scaler",
            "TreeEnsembleClassifier", "TreeEnsembleRegressor", "ZipMap"};
}

void convert_to_fp16(onnx::ModelProto& model, const Fp16Options& options) {
    if (!model.has_graph()) fp16::fail("the model has no graph");
    if (!fp16::has_half_weights(model.graph())) fp16::Converter(model, options).run();
    fp16::adapt_io(*model.mutable_graph(), options);
}

}  // namespace mlrt::detail
