#include "engine/kernels/rewrite.hpp"

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "engine/fp16/graph.hpp"
#include "engine/fp16/tensor_data.hpp"
#include "engine/kernels/conv_uint8.hpp"
#include "engine/kernels/custom_ops.hpp"
#include "engine/kernels/lookup.hpp"
#include "engine/kernels/resize.hpp"
#include "engine/onnx_builder.hpp"

namespace mlrt::detail::kernels {
namespace {

const onnx::AttributeProto* attribute(const onnx::NodeProto& n, const std::string& name) {
    for (const auto& a : n.attribute())
        if (a.name() == name) return &a;
    return nullptr;
}

std::string string_attr(const onnx::NodeProto& n, const std::string& name,
                        const std::string& fallback) {
    const auto* a = attribute(n, name);
    return a ? a->s() : fallback;
}

int default_opset(const onnx::ModelProto& m) {
    for (const auto& o : m.opset_import())
        if (o.domain().empty() || o.domain() == "ai.onnx") return static_cast<int>(o.version());
    return 0;
}

std::optional<std::vector<std::int64_t>> int64_values(const onnx::TensorProto& t) {
    if (t.data_type() != onnx::TensorProto_DataType_INT64 || fp16::is_external(t))
        return std::nullopt;
    if (t.int64_data_size() > 0)
        return std::vector<std::int64_t>(t.int64_data().begin(), t.int64_data().end());
    const std::string& raw = t.raw_data();
    if (raw.size() % 8 != 0) return std::nullopt;
    std::vector<std::int64_t> v(raw.size() / 8);
    std::memcpy(v.data(), raw.data(), raw.size());  // little-endian, as this machine
    return v;
}

// Constant tensors by name: initializers and Constant nodes' values.
std::map<std::string, const onnx::TensorProto*> constants(const onnx::GraphProto& g) {
    std::map<std::string, const onnx::TensorProto*> out;
    for (const auto& t : g.initializer()) out[t.name()] = &t;
    for (const auto& n : g.node())
        if (n.op_type() == "Constant" && n.output_size() == 1)
            if (const auto* v = attribute(n, "value"); v && v->has_t()) out[n.output(0)] = &v->t();
    return out;
}

const onnx::TensorProto* constant(const std::map<std::string, const onnx::TensorProto*>& consts,
                                  const std::string& name) {
    const auto it = consts.find(name);
    return it == consts.end() ? nullptr : it->second;
}

// Why the kernel cannot take `n`, or "" when it can (then `sizes` says which input it reads).
std::string unsupported(const onnx::NodeProto& n, int opset,
                        const std::map<std::string, const onnx::TensorProto*>& consts,
                        bool& sizes) {
    if (opset < 11) return "opset " + std::to_string(opset) + " (before coordinate modes)";
    ResizeAttributes a;
    if (!parse_mode(string_attr(n, "mode", "nearest"), a.mode))
        return "mode " + string_attr(n, "mode", "");
    if (!parse_coordinate_mode(string_attr(n, "coordinate_transformation_mode", "half_pixel"),
                               a.coordinates))
        return "coordinate_transformation_mode " +
               string_attr(n, "coordinate_transformation_mode", "");
    if (!parse_nearest_mode(string_attr(n, "nearest_mode", "round_prefer_floor"), a.nearest))
        return "nearest_mode " + string_attr(n, "nearest_mode", "");
    if (const auto* aa = attribute(n, "antialias"); aa && aa->i() != 0) return "antialias";
    if (attribute(n, "axes")) return "axes";
    if (string_attr(n, "keep_aspect_ratio_policy", "stretch") != "stretch")
        return "keep_aspect_ratio_policy";
    const auto input = [&](int i) { return n.input_size() > i ? n.input(i) : std::string(); };
    const std::string scales = input(2), size_input = input(3);
    if (!scales.empty()) {
        const auto it = consts.find(scales);
        if (it == consts.end()) return "scales computed in the graph";
        if (it->second->data_type() != onnx::TensorProto_DataType_FLOAT ||
            fp16::is_external(*it->second))
            return "scales not float32";
        const std::vector<float> s = fp16::float_values(*it->second);
        if (s.empty() && !size_input.empty()) {
            sizes = true;
        } else {
            if (s.size() != 4) return "scales not of rank 4";
            if (s[0] != 1.0f || s[1] != 1.0f) return "scales on N or C";
            if (!(s[2] > 0) || !(s[3] > 0)) return "scales not positive";
            sizes = false;
            return "";
        }
    } else {
        sizes = true;
    }
    if (size_input.empty()) return "neither scales nor sizes";
    const auto it = consts.find(size_input);
    if (it == consts.end()) return "sizes computed in the graph";
    const auto s = int64_values(*it->second);
    if (!s || s->size() != 4) return "sizes not 4 int64 values";
    return "";
}

// Each tensor's ONNX element type, as far as ONNX's type inference follows the graph.
std::map<std::string, std::int32_t> element_types(const onnx::ModelProto& model) {
    onnx::ModelProto inferred = model;
    try {
        onnx::ShapeInferenceOptions opts{/*check_type=*/false, /*error_mode=*/0,
                                         /*enable_data_propagation=*/false};
        onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance(), opts);
    } catch (const std::exception&) {  // what it found before failing is still there
    }
    std::map<std::string, std::int32_t> types;
    const auto& g = inferred.graph();
    for (const auto* list : {&g.input(), &g.value_info(), &g.output()})
        for (const auto& v : *list)
            if (v.type().has_tensor_type()) types[v.name()] = v.type().tensor_type().elem_type();
    for (const auto& t : g.initializer()) types[t.name()] = t.data_type();
    return types;
}

// A float16 graph (mlrt's conversion keeps Resize in float32 between Casts, since ONNX
// Runtime's CPU provider has no float16 Resize) needs each node's input type: `types`.
void rewrite_resizes(onnx::ModelProto& model, bool float32_graph,
                     const std::map<std::string, std::int32_t>& types, RewriteReport& report) {
    const int opset = default_opset(model);
    auto& g = *model.mutable_graph();
    const auto consts = constants(g);
    for (auto& n : *g.mutable_node()) {
        if (n.op_type() != "Resize" || !(n.domain().empty() || n.domain() == "ai.onnx")) continue;
        const std::string name = "Resize '" + n.name() + "': ";
        if (!float32_graph) {
            const auto type = types.find(n.input(0));
            if (type == types.end() || type->second != onnx::TensorProto_DataType_FLOAT) {
                report.kept.push_back(name + "float16");
                continue;
            }
        }
        bool sizes = false;
        const std::string why = unsupported(n, opset, consts, sizes);
        if (!why.empty()) {
            report.kept.push_back(name + why);
            continue;
        }
        onnx::NodeProto k =
            make_node(sizes ? kResizeSizes : kResizeScales,
                      {n.input(0), sizes ? n.input(3) : n.input(2)}, {n.output(0)}, n.name());
        k.set_domain(kDomain);
        set_string(k, "mode", string_attr(n, "mode", "nearest"));
        set_string(k, "coordinate_transformation_mode",
                   string_attr(n, "coordinate_transformation_mode", "half_pixel"));
        set_string(k, "nearest_mode", string_attr(n, "nearest_mode", "round_prefer_floor"));
        const auto* cubic = attribute(n, "cubic_coeff_a");
        set_float(k, "cubic_coeff_a", cubic ? cubic->f() : -0.75f);
        const auto* exclude = attribute(n, "exclude_outside");
        set_int(k, "exclude_outside", exclude ? exclude->i() : 0);
        n = std::move(k);
        ++report.rewritten;
    }
}

bool is_onnx(const onnx::NodeProto& n, const char* op) {
    return n.op_type() == op && (n.domain().empty() || n.domain() == "ai.onnx");
}

// The one uint8 value of a constant (a zero point).
std::optional<std::uint8_t> uint8_scalar(const onnx::TensorProto& t) {
    if (t.data_type() != onnx::TensorProto_DataType_UINT8 || fp16::is_external(t))
        return std::nullopt;
    std::int64_t count = 1;
    for (auto d : t.dims()) count *= d;
    if (count != 1) return std::nullopt;
    if (t.int32_data_size() == 1) return static_cast<std::uint8_t>(t.int32_data(0));
    if (t.raw_data().size() == 1) return static_cast<std::uint8_t>(t.raw_data()[0]);
    return std::nullopt;
}

// The per-tensor uint8 quantization a QuantizeLinear or DequantizeLinear node applies, or why
// it is not one the lookup kernel can take.
std::optional<Quantization> uint8_quantization(
    const onnx::NodeProto& n, const std::map<std::string, const onnx::TensorProto*>& consts,
    std::string& why) {
    const auto find = [&](int i) -> const onnx::TensorProto* {
        if (n.input_size() <= i || n.input(i).empty()) return nullptr;
        const auto it = consts.find(n.input(i));
        return it == consts.end() ? nullptr : it->second;
    };
    const onnx::TensorProto* scale = find(1);
    const onnx::TensorProto* zero_point = find(2);
    if (scale == nullptr || zero_point == nullptr) {
        why = n.op_type() + " '" + n.name() + "' has no constant scale and zero point";
        return std::nullopt;
    }
    const auto zp = uint8_scalar(*zero_point);
    if (!zp) {
        why = n.op_type() + " '" + n.name() + "' is not per-tensor uint8";
        return std::nullopt;
    }
    if (scale->data_type() != onnx::TensorProto_DataType_FLOAT || fp16::is_external(*scale)) {
        why = n.op_type() + " '" + n.name() + "' has a scale that is not float32";
        return std::nullopt;
    }
    const std::vector<float> sv = fp16::float_values(*scale);
    if (sv.size() != 1 || !(sv[0] > 0.0f) || !std::isfinite(sv[0])) {
        why = n.op_type() + " '" + n.name() + "' has no single positive scale";
        return std::nullopt;
    }
    return Quantization{sv[0], *zp};
}

// A PRelu slope as one value per channel and the channel's axis counted from the end (-1: the
// last), or why it is not per-channel.
struct Slopes {
    std::vector<float> values;
    std::int64_t axis = -1;
};
std::optional<Slopes> per_channel_slopes(const onnx::TensorProto& t, std::string& why) {
    if (t.data_type() != onnx::TensorProto_DataType_FLOAT || fp16::is_external(t)) {
        why = "the slope is not float32";
        return std::nullopt;
    }
    Slopes s;
    s.values = fp16::float_values(t);
    int varying = 0;
    for (int d = 0; d < t.dims_size(); ++d)
        if (t.dims(d) != 1) {
            ++varying;
            s.axis = d - t.dims_size();
        }
    if (varying > 1) {
        why = "the slope varies along more than one axis";
        return std::nullopt;
    }
    if (s.values.empty()) {
        why = "the slope is empty";
        return std::nullopt;
    }
    return s;
}

// DequantizeLinear -> PRelu/LeakyRelu -> QuantizeLinear on uint8 becomes one ai.mlrt LookupTable
// of the quantized input, with a table per channel (lookup.hpp); DequantizeLinear ->
// PRelu/LeakyRelu read in float becomes a LookupTableFloat. ONNX Runtime fuses the LeakyRelu
// form into its QLinearLeakyRelu, but that one reads its table byte by byte in NHWC, and it
// has no fusion at all for PRelu or for the float-out forms.
void rewrite_quantized_prelus(onnx::ModelProto& model, RewriteReport& report) {
    auto& g = *model.mutable_graph();
    const auto consts = constants(g);
    std::map<std::string, int> producer;
    std::map<std::string, std::vector<int>> readers;
    for (int i = 0; i < g.node_size(); ++i) {
        for (const auto& o : g.node(i).output()) producer[o] = i;
        for (const auto& in : g.node(i).input()) readers[in].push_back(i);
    }
    std::set<std::string> graph_outputs;
    for (const auto& o : g.output()) graph_outputs.insert(o.name());
    fp16::NameGenerator names(g);

    std::set<int> removed;
    std::vector<onnx::TensorProto> tables;
    for (int i = 0; i < g.node_size(); ++i) {
        const onnx::NodeProto& n = g.node(i);
        const bool leaky = is_onnx(n, "LeakyRelu") && n.input_size() == 1;
        if (!(leaky || (is_onnx(n, "PRelu") && n.input_size() == 2)) || n.output_size() != 1)
            continue;
        const auto from = producer.find(n.input(0));
        if (from == producer.end() || !is_onnx(g.node(from->second), "DequantizeLinear"))
            continue;  // not between quantized tensors: nothing to gain
        const onnx::NodeProto& dq = g.node(from->second);
        const std::string name = n.op_type() + " '" + n.name() + "': ";
        std::string why;
        const auto in = uint8_quantization(dq, consts, why);
        std::optional<Slopes> slopes;
        if (in && leaky) {
            const auto* alpha = attribute(n, "alpha");
            slopes = Slopes{{alpha != nullptr ? alpha->f() : 0.01f}, -1};
        } else if (in) {
            const auto slope = consts.find(n.input(1));
            if (slope == consts.end())
                why = "the slope is computed in the graph";
            else
                slopes = per_channel_slopes(*slope->second, why);
        }
        if (!slopes) {
            report.kept_prelus.push_back(name + why);
            continue;
        }
        // Requantized for one integer reader: uint8 to uint8. Else dequantized: uint8 to float.
        const auto& out_readers = readers[n.output(0)];
        std::optional<Quantization> out;
        if (graph_outputs.count(n.output(0)) == 0 && out_readers.size() == 1 &&
            is_onnx(g.node(out_readers[0]), "QuantizeLinear")) {
            std::string ignored;
            out = uint8_quantization(g.node(out_readers[0]), consts, ignored);
        }
        onnx::TensorProto table;
        table.set_name(names.fresh(n.name() + "_table"));
        table.add_dims(static_cast<std::int64_t>(slopes->values.size()));
        table.add_dims(256);
        if (out) {
            const std::vector<std::uint8_t> bytes = prelu_tables(*in, slopes->values, *out);
            table.set_data_type(onnx::TensorProto_DataType_UINT8);
            table.set_raw_data(std::string(bytes.begin(), bytes.end()));
        } else {
            const std::vector<float> values = prelu_tables(*in, slopes->values);
            table.set_data_type(onnx::TensorProto_DataType_FLOAT);
            table.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()),
                                           values.size() * sizeof(float)));
        }
        const std::string output = out ? g.node(out_readers[0]).output(0) : n.output(0);
        onnx::NodeProto k = make_node(out ? kLookupTable : kLookupTableFloat,
                                      {dq.input(0), table.name()}, {output}, n.name());
        tables.push_back(std::move(table));
        k.set_domain(kDomain);
        set_int(k, "axis", slopes->axis);
        if (out) removed.insert(out_readers[0]);
        if (readers[n.input(0)].size() == 1 && graph_outputs.count(n.input(0)) == 0)
            removed.insert(from->second);
        *g.mutable_node(i) = std::move(k);
        ++(out ? report.lookups : report.dequantizing_lookups);
    }
    if (removed.empty()) return;
    google::protobuf::RepeatedPtrField<onnx::NodeProto> kept_nodes;
    for (int i = 0; i < g.node_size(); ++i)
        if (removed.count(i) == 0) *kept_nodes.Add() = std::move(*g.mutable_node(i));
    g.mutable_node()->Swap(&kept_nodes);
    for (auto& t : tables) *g.add_initializer() = std::move(t);
}

// PRelu of a float32 tensor with a constant slope per channel (or one) becomes ai.mlrt PRelu.
// Those of a DequantizeLinear's output are rewrite_quantized_prelus()'s.
void rewrite_float_prelus(onnx::ModelProto& model, bool float32_graph,
                          const std::map<std::string, std::int32_t>& types, RewriteReport& report) {
    auto& g = *model.mutable_graph();
    const auto consts = constants(g);
    std::set<std::string> dequantized;
    for (const auto& n : g.node())
        if (is_onnx(n, "DequantizeLinear")) dequantized.insert(n.output(0));
    fp16::NameGenerator names(g);
    std::vector<onnx::TensorProto> added;
    for (auto& n : *g.mutable_node()) {
        if (!is_onnx(n, "PRelu") || n.input_size() != 2 || n.output_size() != 1 ||
            dequantized.count(n.input(0)) != 0)
            continue;
        // A float16 graph's PRelu nodes are ONNX Runtime's float16 kernel's, as they should.
        if (!float32_graph) {
            const auto type = types.find(n.input(0));
            if (type == types.end() || type->second != onnx::TensorProto_DataType_FLOAT) continue;
        }
        const std::string name = "PRelu '" + n.name() + "': ";
        std::string why;
        std::optional<Slopes> slopes;
        if (const onnx::TensorProto* t = constant(consts, n.input(1)); t == nullptr)
            why = "the slope is computed in the graph";
        else
            slopes = per_channel_slopes(*t, why);
        if (!slopes) {
            report.kept_float_prelus.push_back(name + why);
            continue;
        }
        onnx::TensorProto values =
            float_tensor(names.fresh(n.name() + "_slopes"),
                         {static_cast<std::int64_t>(slopes->values.size())}, slopes->values);
        onnx::NodeProto k = make_node(kPRelu, {n.input(0), values.name()}, {n.output(0)}, n.name());
        k.set_domain(kDomain);
        set_int(k, "axis", slopes->axis);
        added.push_back(std::move(values));
        n = std::move(k);
        ++report.float_prelus;
    }
    for (auto& t : added) *g.add_initializer() = std::move(t);
}

// Why the uint8 kernel cannot take Conv `n` (whose weights are `w`), or "".
std::string unsupported_conv(const onnx::NodeProto& n, const onnx::TensorProto* w,
                             const onnx::TensorProto* bias, std::vector<std::int64_t>& pads) {
    if (w == nullptr) return "weights computed in the graph";
    if (w->data_type() != onnx::TensorProto_DataType_FLOAT || fp16::is_external(*w) ||
        w->dims_size() != 4)
        return "weights not 4-D float32";
    if (n.input_size() > 2 && !n.input(2).empty() &&
        (bias == nullptr || bias->data_type() != onnx::TensorProto_DataType_FLOAT ||
         fp16::is_external(*bias)))
        return "bias not a float32 constant";
    const auto ints = [&](const char* name) {
        const auto* a = attribute(n, name);
        return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end())
                 : std::vector<std::int64_t>{};
    };
    const auto all_one = [](const std::vector<std::int64_t>& v) {
        return std::all_of(v.begin(), v.end(), [](std::int64_t x) { return x == 1; });
    };
    if (const auto* g = attribute(n, "group"); g && g->i() != 1) return "grouped";
    if (!all_one(ints("strides"))) return "strided";
    if (!all_one(ints("dilations"))) return "dilated";
    const std::string auto_pad = string_attr(n, "auto_pad", "NOTSET");
    pads = ints("pads");
    if (auto_pad == "VALID")
        pads.clear();
    else if (auto_pad != "NOTSET")
        return "auto_pad " + auto_pad;
    if (pads.empty()) pads.assign(4, 0);
    if (pads.size() != 4 || std::any_of(pads.begin(), pads.end(), [](auto p) { return p < 0; }))
        return "pads not 4 values of at least 0";
    const auto kernel = ints("kernel_shape");
    if (!kernel.empty() &&
        (kernel.size() != 2 || kernel[0] != w->dims(2) || kernel[1] != w->dims(3)))
        return "kernel_shape not the weights'";
    if (w->dims(0) < 1 || w->dims(1) < 1 || w->dims(2) < 1 || w->dims(3) < 1 ||
        w->dims(1) * w->dims(2) * w->dims(3) > kConvMaxTerms)
        return "more than " + std::to_string(kConvMaxTerms) + " products per output";
    return "";
}

// The uint8 twin of a float table: values on a uniform grid spanning the table (and 0), rounded
// to nearest.
std::optional<std::pair<std::vector<std::uint8_t>, Quantization>> requantized_table(
    const std::vector<float>& table) {
    float lo = 0.0f, hi = 0.0f;
    for (const float v : table) {
        if (!std::isfinite(v)) return std::nullopt;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    Quantization q;
    if (hi > lo) q.scale = (hi - lo) / 255.0f;
    q.zero_point =
        static_cast<std::int32_t>(std::clamp(std::nearbyint(-lo / q.scale), 0.0f, 255.0f));
    std::vector<std::uint8_t> bytes(table.size());
    for (std::size_t i = 0; i < table.size(); ++i)
        bytes[i] = static_cast<std::uint8_t>(std::clamp(
            std::nearbyint(table[i] / q.scale) + static_cast<float>(q.zero_point), 0.0f, 255.0f));
    return std::pair{std::move(bytes), q};
}

// A float Conv of a quantized tensor (the int8 conversion's float last layer) becomes ai.mlrt
// ConvUint8, reading the uint8 tensor: after a DequantizeLinear, its input; after a float
// lookup table (a PRelu of int8 input), the same table requantized to uint8.
void rewrite_uint8_convs(onnx::ModelProto& model, RewriteReport& report) {
    auto& g = *model.mutable_graph();
    const auto consts = constants(g);
    std::map<std::string, int> producer;
    std::map<std::string, int> reader_count;
    for (int i = 0; i < g.node_size(); ++i) {
        for (const auto& o : g.node(i).output()) producer[o] = i;
        for (const auto& in : g.node(i).input()) ++reader_count[in];
    }
    for (const auto& o : g.output()) ++reader_count[o.name()];
    fp16::NameGenerator names(g);

    std::set<int> removed;
    std::vector<onnx::TensorProto> added;
    for (int i = 0; i < g.node_size(); ++i) {
        const onnx::NodeProto& n = g.node(i);
        if (!is_onnx(n, "Conv") || n.input_size() < 2 || n.output_size() != 1) continue;
        const auto from = producer.find(n.input(0));
        if (from == producer.end()) continue;
        const onnx::NodeProto& source = g.node(from->second);
        const bool table = source.op_type() == kLookupTableFloat && source.domain() == kDomain;
        if (!table && !is_onnx(source, "DequantizeLinear")) continue;  // not of int8 input
        if (const auto wp = producer.find(n.input(1));
            wp != producer.end() && is_onnx(g.node(wp->second), "DequantizeLinear"))
            continue;  // an int8 convolution: ONNX Runtime's QLinearConv
        const std::string name = "Conv '" + n.name() + "': ";
        std::string why;
        const onnx::TensorProto* w = constant(consts, n.input(1));
        const onnx::TensorProto* bias =
            n.input_size() > 2 && !n.input(2).empty() ? constant(consts, n.input(2)) : nullptr;
        std::vector<std::int64_t> pads;
        why = unsupported_conv(n, w, bias, pads);
        std::optional<Quantization> in;
        std::optional<std::pair<std::vector<std::uint8_t>, Quantization>> bytes;
        if (why.empty() && table) {
            const onnx::TensorProto* t = constant(consts, source.input(1));
            if (reader_count[n.input(0)] != 1)
                why = "its input has other readers";
            else if (t == nullptr || t->data_type() != onnx::TensorProto_DataType_FLOAT)
                why = "the table is not a float32 constant";
            else if (!(bytes = requantized_table(fp16::float_values(*t))))
                why = "the table holds values that are not finite";
            else
                in = bytes->second;
        } else if (why.empty()) {
            in = uint8_quantization(source, consts, why);
        }
        std::vector<float> weights;
        std::int64_t out_channels = 0, per_channel = 0;
        if (in) {
            out_channels = w->dims(0);
            per_channel = w->dims(1) * w->dims(2) * w->dims(3);
            weights = fp16::float_values(*w);
            std::vector<float> b = bias ? fp16::float_values(*bias) : std::vector<float>{};
            if (weights.size() != static_cast<std::size_t>(out_channels * per_channel) ||
                !std::all_of(weights.begin(), weights.end(),
                             [](float v) { return std::isfinite(v); }))
                why = "weights malformed or not finite";
            else if (bias && b.size() != static_cast<std::size_t>(out_channels))
                why = "bias not one value per output channel";
        }
        if (!why.empty()) {
            report.kept_convs.push_back(name + why);
            continue;
        }
        std::vector<float> scales;
        const std::vector<std::int16_t> q = quantize_conv_weights(weights, per_channel, scales);
        onnx::TensorProto wq;
        wq.set_name(names.fresh(n.name() + "_w16"));
        wq.set_data_type(onnx::TensorProto_DataType_INT16);
        for (int d = 0; d < 4; ++d) wq.add_dims(w->dims(d));
        wq.set_raw_data(std::string(reinterpret_cast<const char*>(q.data()), q.size() * 2));
        onnx::TensorProto ws =
            float_tensor(names.fresh(n.name() + "_w_scale"), {out_channels}, scales);
        onnx::TensorProto b =
            float_tensor(names.fresh(n.name() + "_bias"), {out_channels},
                         bias ? fp16::float_values(*bias)
                              : std::vector<float>(static_cast<std::size_t>(out_channels), 0.0f));
        std::string x = source.input(0);
        if (table) {
            // The lookup now writes bytes, for this one reader.
            onnx::TensorProto t;
            t.set_name(names.fresh(source.name() + "_table_uint8"));
            t.set_data_type(onnx::TensorProto_DataType_UINT8);
            for (const auto d : constant(consts, source.input(1))->dims()) t.add_dims(d);
            t.set_raw_data(std::string(bytes->first.begin(), bytes->first.end()));
            onnx::NodeProto& lookup = *g.mutable_node(from->second);
            lookup.set_op_type(kLookupTable);
            lookup.set_input(1, t.name());
            x = lookup.output(0);
            added.push_back(std::move(t));
            --report.dequantizing_lookups;
            ++report.lookups;
        } else if (reader_count[n.input(0)] == 1) {
            removed.insert(from->second);
        }
        onnx::NodeProto k =
            make_node(kConvUint8, {x, wq.name(), ws.name(), b.name()}, {n.output(0)}, n.name());
        k.set_domain(kDomain);
        set_float(k, "x_scale", in->scale);
        set_int(k, "x_zero_point", in->zero_point);
        set_ints(k, "pads", {pads[0], pads[1], pads[2], pads[3]});
        added.push_back(std::move(wq));
        added.push_back(std::move(ws));
        added.push_back(std::move(b));
        *g.mutable_node(i) = std::move(k);
        ++report.uint8_convs;
    }
    google::protobuf::RepeatedPtrField<onnx::NodeProto> kept_nodes;
    for (int i = 0; i < g.node_size(); ++i)
        if (removed.count(i) == 0) *kept_nodes.Add() = std::move(*g.mutable_node(i));
    g.mutable_node()->Swap(&kept_nodes);
    for (auto& t : added) *g.add_initializer() = std::move(t);
}

// DepthToSpace on float32 becomes ai.mlrt DepthToSpace, on uint8 ai.mlrt DepthToSpaceUint8.
// One between a DequantizeLinear and a QuantizeLinear stays: ONNX Runtime drops that pair when
// they quantize alike (the int8 conversion moves the DequantizeLinear past it instead).
void rewrite_depth_to_spaces(onnx::ModelProto& model,
                             const std::map<std::string, std::int32_t>& types,
                             RewriteReport& report) {
    auto& g = *model.mutable_graph();
    std::set<std::string> dequantized, quantized;
    for (const auto& n : g.node()) {
        if (is_onnx(n, "DequantizeLinear")) dequantized.insert(n.output(0));
        if (is_onnx(n, "QuantizeLinear")) quantized.insert(n.input(0));
    }
    for (auto& n : *g.mutable_node()) {
        if (!is_onnx(n, "DepthToSpace") || n.input_size() != 1 || n.output_size() != 1) continue;
        const std::string name = "DepthToSpace '" + n.name() + "': ";
        const auto type = types.find(n.input(0));
        const bool uint8 = type != types.end() && type->second == onnx::TensorProto_DataType_UINT8;
        if (type == types.end() || (type->second != onnx::TensorProto_DataType_FLOAT && !uint8)) {
            report.kept_depth_to_space.push_back(name + "input neither float32 nor uint8");
            continue;
        }
        if (dequantized.count(n.input(0)) && quantized.count(n.output(0))) {
            report.kept_depth_to_space.push_back(name + "quantized");
            continue;
        }
        const std::string mode = string_attr(n, "mode", "DCR");
        const auto* blocksize = attribute(n, "blocksize");
        if (!blocksize || blocksize->i() < 1 || (mode != "DCR" && mode != "CRD")) {
            report.kept_depth_to_space.push_back(name + "attributes");
            continue;
        }
        onnx::NodeProto k = make_node(uint8 ? kDepthToSpaceUint8 : kDepthToSpace, {n.input(0)},
                                      {n.output(0)}, n.name());
        k.set_domain(kDomain);
        set_int(k, "blocksize", blocksize->i());
        set_string(k, "mode", mode);
        n = std::move(k);
        ++report.depth_to_space;
    }
}

}  // namespace

RewriteReport rewrite_for_cpu_kernels(onnx::ModelProto& model, bool float32_graph,
                                      bool uint8_convs) {
    RewriteReport report;
    // Element types from ONNX's inference on the graph as it came: it cannot follow the graph
    // past the ai.mlrt nodes the rewrites put in (it has no schema for them), and the rewritten
    // nodes keep their tensors' names.
    bool depth_to_space = false;
    for (const auto& n : model.graph().node()) depth_to_space |= is_onnx(n, "DepthToSpace");
    const auto types = !float32_graph || depth_to_space ? element_types(model)
                                                        : std::map<std::string, std::int32_t>{};
    rewrite_resizes(model, float32_graph, types, report);
    rewrite_quantized_prelus(model, report);
    rewrite_float_prelus(model, float32_graph, types, report);
    if (uint8_convs) rewrite_uint8_convs(model, report);
    rewrite_depth_to_spaces(model, types, report);
    if (report.kernel_nodes() > 0) {
        auto& g = *model.mutable_graph();
        // The roi and the unused one of scales/sizes may now feed nothing: ONNX Runtime would
        // warn about each.
        const auto used = fp16::names_read(g);
        auto* inits = g.mutable_initializer();
        for (int i = inits->size() - 1; i >= 0; --i)
            if (!used.count(inits->Get(i).name())) inits->DeleteSubrange(i, 1);
        bool has_domain = false;
        for (const auto& o : model.opset_import()) has_domain |= o.domain() == kDomain;
        if (!has_domain) {
            auto* o = model.add_opset_import();
            o->set_domain(kDomain);
            o->set_version(1);
        }
    }
    return report;
}

std::string describe(const RewriteReport& r) {
    std::string s;
    const auto part = [&](const std::string& text) { s += (s.empty() ? "" : "; ") + text; };
    const auto list = [&](const std::string& head, const std::vector<std::string>& items) {
        if (items.empty()) return;
        std::string text = head;
        for (std::size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + items[i];
        part(text);
    };
    if (r.rewritten > 0)
        part(std::to_string(r.rewritten) + " Resize node(s) on mlrt's separable kernel");
    if (r.lookups > 0)
        part(std::to_string(r.lookups) + " int8 PRelu/LeakyRelu node(s) on mlrt's lookup kernel");
    if (r.dequantizing_lookups > 0)
        part(std::to_string(r.dequantizing_lookups) +
             " PRelu/LeakyRelu node(s) of int8 input on mlrt's lookup kernel (float out)");
    if (r.depth_to_space > 0)
        part(std::to_string(r.depth_to_space) + " DepthToSpace node(s) on mlrt's kernel");
    if (r.float_prelus > 0)
        part(std::to_string(r.float_prelus) + " float PRelu node(s) on mlrt's kernel");
    if (r.uint8_convs > 0)
        part(std::to_string(r.uint8_convs) +
             " float Conv node(s) of int8 input on mlrt's uint8 kernel (15-bit weights)");
    list("on ONNX Runtime's Resize: ", r.kept);
    list("on ONNX Runtime's DepthToSpace: ", r.kept_depth_to_space);
    list("left in float: ", r.kept_prelus);
    list("on ONNX Runtime's PRelu: ", r.kept_float_prelus);
    list("on ONNX Runtime's float Conv: ", r.kept_convs);
    return s;
}

}  // namespace mlrt::detail::kernels
