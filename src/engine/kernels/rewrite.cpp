#include "engine/kernels/rewrite.hpp"

#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "engine/fp16/tensor_data.hpp"
#include "engine/kernels/custom_ops.hpp"
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

}  // namespace

RewriteReport rewrite_for_cpu_kernels(onnx::ModelProto& model, bool float32_graph) {
    RewriteReport report;
    const int opset = default_opset(model);
    auto& g = *model.mutable_graph();
    const auto consts = constants(g);
    for (auto& n : *g.mutable_node()) {
        if (n.op_type() != "Resize" || !(n.domain().empty() || n.domain() == "ai.onnx")) continue;
        const std::string name = "Resize '" + n.name() + "': ";
        if (!float32_graph) {
            report.kept.push_back(name + "float16");
            continue;
        }
        bool sizes = false;
        const std::string why = unsupported(n, opset, consts, sizes);
        if (!why.empty()) {
            report.kept.push_back(name + why);
            continue;
        }
        ResizeAttributes a;
        parse_mode(string_attr(n, "mode", "nearest"), a.mode);
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
    if (report.rewritten > 0) {
        // The roi and the unused one of scales/sizes may now feed nothing: ONNX Runtime would
        // warn about each.
        std::set<std::string> used;
        for (const auto& n : g.node())
            for (const auto& i : n.input()) used.insert(i);
        for (const auto& o : g.output()) used.insert(o.name());
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
    if (r.rewritten > 0)
        s = std::to_string(r.rewritten) + " Resize node(s) on mlrt's separable kernel";
    if (!r.kept.empty()) {
        s += s.empty() ? "" : "; ";
        s += "on ONNX Runtime's Resize: ";
        for (std::size_t i = 0; i < r.kept.size(); ++i) s += (i ? ", " : "") + r.kept[i];
    }
    return s;
}

}  // namespace mlrt::detail::kernels
