// float32 -> float16 conversion of an ONNX graph (see fp16_convert.hpp).
//
// Model: every float32 value of the original graph gets a "home" precision, the one it is
// produced in after conversion, and every use of it (a node input, a graph output) a required
// precision. Where the two differ the use reads a twin: an exact float32 copy of an
// initializer or of a Constant/Cast node, else a Cast emitted just before the first user in the
// using graph. All decisions are taken before the graph is touched, so a model that cannot be
// converted is rejected without being half rewritten.
#include "engine/fp16_convert.hpp"

#include <onnx/defs/data_type_utils.h>
#include <onnx/defs/schema.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "mlrt/error.hpp"
#include "mlrt/frame.hpp"

namespace mlrt::detail {
namespace {

using mlrt::float_to_half;

constexpr std::int32_t kFloat = onnx::TensorProto::FLOAT;
constexpr std::int32_t kHalf = onnx::TensorProto::FLOAT16;

[[noreturn]] void fail(const std::string& message) {
    throw Error(ErrorKind::InvalidModel, "fp16 conversion: " + message);
}

std::string node_label(const onnx::NodeProto& node) {
    if (!node.name().empty()) return "node '" + node.name() + "' (" + node.op_type() + ")";
    const std::string out = node.output_size() > 0 ? node.output(0) : std::string();
    return "unnamed " + node.op_type() + " node producing '" + out + "'";
}

// ---------------------------------------------------------------------------------------------
// Tensor data

bool is_external(const onnx::TensorProto& t) {
    return t.data_location() == onnx::TensorProto::EXTERNAL;
}

// Catches the malformed float tensors up front so the rewrite itself cannot fail half way.
void check_float_tensor(const onnx::TensorProto& t, const std::string& what) {
    if (t.data_type() == kFloat && !is_external(t) && t.raw_data().size() % 4 != 0)
        fail(what + " has float raw_data whose size is not a multiple of 4");
}

std::vector<float> float_values(const onnx::TensorProto& t) {
    if (!t.has_raw_data()) return {t.float_data().begin(), t.float_data().end()};
    // raw_data is little-endian by definition, whatever the host is.
    const std::string& raw = t.raw_data();
    std::vector<float> values(raw.size() / 4);
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::uint32_t bits = 0;
        for (int b = 3; b >= 0; --b)
            bits =
                (bits << 8) | static_cast<unsigned char>(raw[4 * i + static_cast<std::size_t>(b)]);
        values[i] = std::bit_cast<float>(bits);
    }
    return values;
}

void tensor_to_half(onnx::TensorProto& t) {
    if (t.data_type() != kFloat) return;
    const std::vector<float> values = float_values(t);
    std::string raw(values.size() * 2, '\0');
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::uint16_t h = float_to_half(values[i]);
        raw[2 * i] = static_cast<char>(h & 0xffu);
        raw[2 * i + 1] = static_cast<char>(h >> 8);
    }
    t.clear_float_data();
    t.set_data_type(kHalf);
    t.set_raw_data(std::move(raw));
}

onnx::TensorProto half_tensor(const std::vector<float>& values, bool scalar) {
    onnx::TensorProto t;
    t.set_data_type(kFloat);
    if (!scalar) t.add_dims(static_cast<std::int64_t>(values.size()));
    for (float v : values) t.add_float_data(v);
    tensor_to_half(t);
    return t;
}

// ---------------------------------------------------------------------------------------------
// Types

// Element type at the bottom of a tensor / sequence / optional type; 0 when unknown.
std::int32_t elem_type(const onnx::TypeProto& type) {
    switch (type.value_case()) {
        case onnx::TypeProto::kTensorType:
            return type.tensor_type().elem_type();
        case onnx::TypeProto::kSequenceType:
            return elem_type(type.sequence_type().elem_type());
        case onnx::TypeProto::kOptionalType:
            return elem_type(type.optional_type().elem_type());
        default:
            return 0;
    }
}

void set_elem_type(onnx::TypeProto& type, std::int32_t elem) {
    switch (type.value_case()) {
        case onnx::TypeProto::kTensorType:
            type.mutable_tensor_type()->set_elem_type(elem);
            break;
        case onnx::TypeProto::kSequenceType:
            set_elem_type(*type.mutable_sequence_type()->mutable_elem_type(), elem);
            break;
        case onnx::TypeProto::kOptionalType:
            set_elem_type(*type.mutable_optional_type()->mutable_elem_type(), elem);
            break;
        default:
            break;
    }
}

// The schema spelling ("seq(tensor(float16))") of `type` once converted to float16.
std::string half_type_string(const onnx::TypeProto& type) {
    switch (type.value_case()) {
        case onnx::TypeProto::kSequenceType:
            return "seq(" + half_type_string(type.sequence_type().elem_type()) + ")";
        case onnx::TypeProto::kOptionalType:
            return "optional(" + half_type_string(type.optional_type().elem_type()) + ")";
        default:
            return "tensor(float16)";
    }
}

onnx::TypeProto tensor_type(std::int32_t elem) {
    onnx::TypeProto type;
    type.mutable_tensor_type()->set_elem_type(elem);
    return type;
}

// ---------------------------------------------------------------------------------------------
// Schemas

using OpsetMap = std::unordered_map<std::string, int>;
using Param = onnx::OpSchema::FormalParameter;

std::string canonical_domain(const std::string& domain) {
    return domain == "ai.onnx" ? std::string() : domain;
}

bool is_default_domain(const onnx::NodeProto& node) {
    return canonical_domain(node.domain()).empty();
}

OpsetMap opset_map(const onnx::ModelProto& model) {
    OpsetMap opsets;
    for (const auto& op : model.opset_import())
        opsets[canonical_domain(op.domain())] = static_cast<int>(op.version());
    return opsets;
}

const onnx::OpSchema* find_schema(const onnx::NodeProto& node, const OpsetMap& opsets) {
    const std::string domain = canonical_domain(node.domain());
    const auto it = opsets.find(domain);
    if (it == opsets.end()) return nullptr;
    return onnx::OpSchemaRegistry::Schema(node.op_type(), it->second, domain);
}

const Param* formal_param(const std::vector<Param>& params, int index) {
    if (params.empty() || index < 0) return nullptr;
    if (static_cast<std::size_t>(index) < params.size())
        return &params[static_cast<std::size_t>(index)];
    if (params.back().GetOption() == onnx::OpSchema::Variadic) return &params.back();
    return nullptr;
}

bool is_type_param(const onnx::OpSchema& schema, const std::string& type_str) {
    const auto& params = schema.typeConstraintParams();
    return std::any_of(params.begin(), params.end(),
                       [&](const auto& p) { return p.type_param_str == type_str; });
}

bool accepts(const Param& param, const std::string& type_string) {
    const auto& types = param.GetTypes();
    return std::any_of(types.begin(), types.end(),
                       [&](onnx::DataType t) { return t != nullptr && *t == type_string; });
}

bool input_binds(const onnx::OpSchema& schema, const std::string& type_param) {
    const auto& inputs = schema.inputs();
    return std::any_of(inputs.begin(), inputs.end(),
                       [&](const Param& p) { return p.GetTypeStr() == type_param; });
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

// Inputs ONNX Runtime kernels read as float32 whatever the schema allows (Resize's roi is
// typed T2 but the kernels read it as float).
bool input_must_stay_float(const onnx::NodeProto& node, int index) {
    return is_default_domain(node) && node.op_type() == "Resize" && (index == 1 || index == 2);
}

// How the precision of a float output is decided when no input type parameter fixes it.
enum class OutputRule {
    Unknown,      // the op derives it some other way: keep the node float32
    ByAttribute,  // an attribute picks it: either precision is free
    FollowsInput  // the *Like ops without dtype: the type of input 0
};

OutputRule attribute_output_rule(const onnx::NodeProto& node) {
    if (!is_default_domain(node)) return OutputRule::Unknown;
    static constexpr std::array<std::string_view, 5> kFree = {"Constant", "ConstantOfShape", "Cast",
                                                              "RandomNormal", "RandomUniform"};
    static constexpr std::array<std::string_view, 4> kLike = {
        "RandomNormalLike", "RandomUniformLike", "EyeLike", "Bernoulli"};
    const std::string& op = node.op_type();
    if (std::find(kFree.begin(), kFree.end(), op) != kFree.end()) return OutputRule::ByAttribute;
    if (std::find(kLike.begin(), kLike.end(), op) != kLike.end())
        return find_attr(node, "dtype") ? OutputRule::ByAttribute : OutputRule::FollowsInput;
    return OutputRule::Unknown;
}

// Ops whose float32 result can be recomputed exactly by a copy of the node.
bool duplicable(const onnx::NodeProto& node) {
    const std::string& op = node.op_type();
    return is_default_domain(node) && (op == "Constant" || op == "ConstantOfShape" || op == "Cast");
}

// ---------------------------------------------------------------------------------------------
// Whole-model scans

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

class NameGenerator {
  public:
    explicit NameGenerator(const onnx::GraphProto& graph) { collect_names(graph, used_); }

    std::string fresh(const std::string& base) {
        std::string name = base;
        for (int n = 1; used_.count(name) != 0; ++n) name = base + "_" + std::to_string(n);
        used_.insert(name);
        return name;
    }

  private:
    std::unordered_set<std::string> used_;
};

// ---------------------------------------------------------------------------------------------
// Type derivation
//
// Only element types matter to the conversion, so they come from the model's declarations and
// the op schemas rather than from ONNX shape inference, whose shape arithmetic crashes (ONNX
// 1.12) on models with inconsistent ranks: a bad model must give an error, not a crash.

using TypeMap = std::unordered_map<std::string, onnx::TypeProto>;

// What the graph declares about its outputs and intermediate values.
TypeMap declared_types(const onnx::GraphProto& graph) {
    TypeMap types;
    for (const auto* list : {&graph.output(), &graph.value_info()})
        for (const auto& vi : *list)
            if (vi.has_type() && elem_type(vi.type()) != 0) types.emplace(vi.name(), vi.type());
    return types;
}

onnx::TypeProto sequence_of(const onnx::TypeProto& inner) {
    onnx::TypeProto type;
    *type.mutable_sequence_type()->mutable_elem_type() = inner;
    return type;
}

onnx::TypeProto optional_of(const onnx::TypeProto& inner) {
    onnx::TypeProto type;
    *type.mutable_optional_type()->mutable_elem_type() = inner;
    return type;
}

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

// A type parameter shared by the ports of `param`, so one binding holds for all of them
// (not so for heterogeneous variadics such as Loop's loop-carried values).
bool binds(const onnx::OpSchema& schema, const Param* param) {
    return param != nullptr && is_type_param(schema, param->GetTypeStr()) &&
           (param->GetOption() != onnx::OpSchema::Variadic || param->GetIsHomogeneous());
}

// ---------------------------------------------------------------------------------------------
// Converter state

enum class Prec : std::uint8_t { F32, F16 };

std::int32_t elem_of(Prec p) {
    return p == Prec::F16 ? kHalf : kFloat;
}
Prec other(Prec p) {
    return p == Prec::F16 ? Prec::F32 : Prec::F16;
}
const char* suffix_of(Prec p) {
    return p == Prec::F16 ? "_fp16" : "_fp32";
}

enum class Origin : std::uint8_t {
    GraphInput,
    Initializer,       // converted or kept by its uses, with an exact twin when both are used
    FixedInitializer,  // external data or sparse: kept float32, Cast where float16 is needed
    NodeOutput,
};

struct Value {
    onnx::TypeProto type;  // original type (elem 0 when unknown)
    Origin origin = Origin::NodeOutput;
    Prec natural = Prec::F16;  // home unless `by_uses` or `forced`
    bool by_uses = false;      // either precision can be produced without a Cast
    bool duplicable = false;   // producer can be copied to give an exact float32 twin
    std::optional<Prec> forced;
    bool need16 = false;
    bool need32 = false;
    std::string user16;  // a user of each precision, for error messages
    std::string user32;
    Prec home = Prec::F16;
    std::string internal;  // its name in the converted graph
    std::string twin;      // exact copy in the other precision, once made

    bool is_float() const { return elem_type(type) == kFloat; }
    bool is_tensor() const { return type.has_tensor_type(); }
    bool needs(Prec p) const { return p == Prec::F16 ? need16 : need32; }
};

struct NodeInfo {
    bool blocked = false;
    std::vector<Prec> input_req;
};

struct Scope {
    onnx::GraphProto* graph = nullptr;
    Scope* parent = nullptr;
    bool main = false;
    bool fp32_region = false;  // body of a node kept float32: everything in it stays float32
    std::unordered_map<std::string, Value> values;
    std::unordered_map<const onnx::GraphProto*, std::unique_ptr<Scope>> children;
    std::map<std::pair<const Value*, Prec>, std::string> casts;     // emitted in this graph
    std::vector<std::unique_ptr<onnx::NodeProto>>* emit = nullptr;  // during the rewrite

    Value* local(const std::string& name) {
        const auto it = values.find(name);
        return it == values.end() ? nullptr : &it->second;
    }
    Value* find(const std::string& name) {
        for (Scope* s = this; s != nullptr; s = s->parent)
            if (Value* v = s->local(name)) return v;
        return nullptr;
    }
};

bool known(const Value* v) {
    return v != nullptr && elem_type(v->type) != 0;
}

onnx::NodeProto make_cast(const std::string& input, const std::string& output, Prec to,
                          const std::string& name) {
    onnx::NodeProto cast;
    cast.set_op_type("Cast");
    cast.set_name(name);
    cast.add_input(input);
    cast.add_output(output);
    onnx::AttributeProto* attr = cast.add_attribute();
    attr->set_name("to");
    attr->set_type(onnx::AttributeProto::INT);
    attr->set_i(elem_of(to));
    return cast;
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
        // Terminates: every change turns an unknown type into a known one.
        while (refine_types(root_)) {
        }
        analyze(root_);
        decide(root_);
        rename_main_outputs();
        validate(root_);
        rewrite(root_);
    }

  private:
    // -- registration ---------------------------------------------------------------------------

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

    Value& add_value(Scope& s, const std::string& name, onnx::TypeProto type) {
        Value& v = s.values[name];
        v.type = std::move(type);
        v.internal = name;
        return v;
    }

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
            make_cast(v.internal, out, p, names_.fresh(out + "_cast"))));
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
            onnx::AttributeProto* value = node.add_attribute();
            value->set_name("value");
            value->set_type(onnx::AttributeProto::TENSOR);
            *value->mutable_t() = half_tensor({0.0f}, false);
            return;
        }
        const char* type_attr = op == "Cast" ? "to" : "dtype";
        for (auto& attr : *node.mutable_attribute())
            if (attr.name() == type_attr && attr.i() == kFloat) return attr.set_i(kHalf);
        if (op == "RandomNormal" || op == "RandomUniform") {  // dtype defaults to float
            onnx::AttributeProto* dtype = node.add_attribute();
            dtype->set_name("dtype");
            dtype->set_type(onnx::AttributeProto::INT);
            dtype->set_i(kHalf);
        }
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
            *attr.mutable_t() = half_tensor(values, scalar);
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
                s.emit->push_back(std::make_unique<onnx::NodeProto>(
                    make_cast(v->internal, out.name(), req, names_.fresh(out.name() + "_cast"))));
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

// ---------------------------------------------------------------------------------------------
// Outer I/O types

// The options fix the outer type of every floating-point graph input and output, whatever
// the model had (the engine feeds and reads buffers of exactly that type): I/O the conversion
// did not already bring there, such as float16 I/O of a natively half model, gets a Cast at
// the boundary. The graph body is not touched.
class IoAdapter {
  public:
    IoAdapter(onnx::GraphProto& graph, const Fp16Options& options)
        : graph_(graph), options_(options), names_(graph) {}

    void run() {
        std::unordered_set<std::string> fixed;  // initializers and pass-through I/O
        for (const auto& t : graph_.initializer()) fixed.insert(t.name());
        for (const auto& in : graph_.input())
            for (const auto& out : graph_.output())
                if (in.name() == out.name()) fixed.insert(in.name());
        const std::int32_t in_type = options_.input_float32 ? kFloat : kHalf;
        const std::int32_t out_type = options_.output_float32 ? kFloat : kHalf;
        std::vector<onnx::NodeProto> head;
        for (auto& in : *graph_.mutable_input()) {
            const std::int32_t type = io_type(in);
            if (type == 0 || type == in_type || fixed.count(in.name()) != 0) continue;
            const std::string internal =
                names_.fresh(in.name() + (type == kHalf ? "_fp16" : "_fp32"));
            rename_uses(graph_, in.name(), internal, true);
            head.push_back(
                make_cast(in.name(), internal, prec(type), names_.fresh(internal + "_cast")));
            in.mutable_type()->mutable_tensor_type()->set_elem_type(in_type);
        }
        prepend(std::move(head));
        for (auto& out : *graph_.mutable_output()) {
            const std::int32_t type = io_type(out);
            if (type == 0 || type == out_type || fixed.count(out.name()) != 0) continue;
            onnx::NodeProto* producer = find_producer(out.name());
            if (producer == nullptr) continue;
            const std::string internal =
                names_.fresh(out.name() + (type == kHalf ? "_fp16" : "_fp32"));
            rename_uses(graph_, out.name(), internal, true);
            for (auto& o : *producer->mutable_output())
                if (o == out.name()) o = internal;
            *graph_.add_node() =
                make_cast(internal, out.name(), prec(out_type), names_.fresh(out.name() + "_cast"));
            out.mutable_type()->mutable_tensor_type()->set_elem_type(out_type);
        }
    }

  private:
    static Prec prec(std::int32_t type) { return type == kHalf ? Prec::F16 : Prec::F32; }

    static std::int32_t io_type(const onnx::ValueInfoProto& vi) {
        if (!vi.type().has_tensor_type()) return 0;
        const std::int32_t type = vi.type().tensor_type().elem_type();
        return type == kFloat || type == kHalf ? type : 0;
    }

    onnx::NodeProto* find_producer(const std::string& name) {
        for (auto& node : *graph_.mutable_node())
            for (const auto& out : node.output())
                if (out == name) return &node;
        return nullptr;
    }

    void prepend(std::vector<onnx::NodeProto> nodes) {
        auto* field = graph_.mutable_node();
        const int old_size = field->size();
        for (auto& node : nodes) *field->Add() = std::move(node);
        // Rotate the new nodes to the front, keeping both groups' order.
        std::rotate(field->begin(), field->begin() + old_size, field->end());
    }

    static bool defines(const onnx::GraphProto& g, const std::string& name) {
        auto named = [&](const auto& list) {
            return std::any_of(list.begin(), list.end(),
                               [&](const auto& x) { return x.name() == name; });
        };
        if (named(g.input()) || named(g.initializer())) return true;
        return std::any_of(g.node().begin(), g.node().end(), [&](const onnx::NodeProto& n) {
            return std::find(n.output().begin(), n.output().end(), name) != n.output().end();
        });
    }

    // Points every reader of `from` (nested subgraphs included) at `to`; the main graph's own
    // outputs keep their public names.
    static void rename_uses(onnx::GraphProto& g, const std::string& from, const std::string& to,
                            bool main) {
        for (auto& node : *g.mutable_node()) {
            for (auto& in : *node.mutable_input())
                if (in == from) in = to;
            for_each_subgraph(node, [&](onnx::GraphProto& sub) {
                if (!defines(sub, from)) rename_uses(sub, from, to, false);
            });
        }
        for (auto& vi : *g.mutable_value_info())
            if (vi.name() == from) vi.set_name(to);
        if (main) return;
        for (auto& out : *g.mutable_output())
            if (out.name() == from) out.set_name(to);
    }

    onnx::GraphProto& graph_;
    const Fp16Options& options_;
    NameGenerator names_;
};

}  // namespace

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
    if (!model.has_graph()) fail("the model has no graph");
    if (!has_half_weights(model.graph())) Converter(model, options).run();
    IoAdapter(*model.mutable_graph(), options).run();
}

}  // namespace mlrt::detail
