#include "mlrt/inspect.hpp"

#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <unordered_map>

#include "engine/model_prep.hpp"
#include "engine/ort_env.hpp"
#include "mlrt/error.hpp"

namespace mlrt {
namespace {

const char* elem_type_name(int t) noexcept {
    switch (t) {
        case onnx::TensorProto_DataType_FLOAT:
            return "float32";
        case onnx::TensorProto_DataType_FLOAT16:
            return "float16";
        case onnx::TensorProto_DataType_BFLOAT16:
            return "bfloat16";
        case onnx::TensorProto_DataType_DOUBLE:
            return "float64";
        case onnx::TensorProto_DataType_UINT8:
            return "uint8";
        case onnx::TensorProto_DataType_INT8:
            return "int8";
        case onnx::TensorProto_DataType_INT32:
            return "int32";
        case onnx::TensorProto_DataType_INT64:
            return "int64";
        case onnx::TensorProto_DataType_BOOL:
            return "bool";
        default:
            return "other";
    }
}

TensorDescription tensor_info(const onnx::ValueInfoProto& v) {
    TensorDescription t;
    t.name = v.name();
    if (!v.type().has_tensor_type()) return t;
    t.type = elem_type_name(v.type().tensor_type().elem_type());
    if (!v.type().tensor_type().has_shape()) return t;
    for (const auto& d : v.type().tensor_type().shape().dim()) {
        if (d.has_dim_value()) {
            t.dims.push_back(std::to_string(d.dim_value()));
            t.values.push_back(d.dim_value());
        } else {
            t.dims.push_back(d.has_dim_param() && !d.dim_param().empty() ? d.dim_param() : "?");
            t.values.push_back(-1);
        }
    }
    return t;
}

using ShapeMap = std::unordered_map<std::string, std::vector<std::int64_t>>;

void add_shape(ShapeMap& m, const onnx::ValueInfoProto& v) {
    const TensorDescription t = tensor_info(v);
    if (!t.values.empty()) m[t.name] = t.values;
}

bool known(const std::vector<std::int64_t>& s) {
    if (s.empty()) return false;
    for (auto d : s)
        if (d <= 0) return false;
    return true;
}

// Sizes come from the file, so they can be anything: counts saturate instead of overflowing,
// and a negative size (an invalid tensor) counts as empty.
std::int64_t saturating_mul(std::int64_t a, std::int64_t b) {
    if (a <= 0 || b <= 0) return 0;
    std::int64_t r = 0;
    return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}
std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

std::int64_t product(const std::vector<std::int64_t>& s, std::size_t from = 0,
                     std::size_t to = SIZE_MAX) {
    std::int64_t p = 1;
    for (std::size_t i = from; i < s.size() && i < to; ++i) p = saturating_mul(p, s[i]);
    return p;
}

std::int64_t attr_int(const onnx::NodeProto& n, const char* name, std::int64_t fallback) {
    for (const auto& a : n.attribute())
        if (a.name() == name) return a.i();
    return fallback;
}

// Multiply-adds of one node, or -1 when its shapes are not known.
double node_macs(const onnx::NodeProto& n, const ShapeMap& shapes) {
    auto shape = [&](int i, bool output) -> const std::vector<std::int64_t>* {
        const auto& names = output ? n.output() : n.input();
        if (i >= names.size()) return nullptr;
        auto it = shapes.find(names[i]);
        return it == shapes.end() || !known(it->second) ? nullptr : &it->second;
    };
    const std::string& op = n.op_type();
    if (op == "Conv") {
        const auto *w = shape(1, false), *y = shape(0, true);
        if (!w || !y || w->size() < 3) return -1;
        return static_cast<double>(product(*y)) * static_cast<double>(product(*w, 1));
    }
    if (op == "ConvTranspose") {
        const auto *x = shape(0, false), *w = shape(1, false);
        if (!x || !w || w->size() < 3) return -1;
        // Each input sample is spread over (M/group) x kernel outputs.
        return static_cast<double>(product(*x)) * static_cast<double>(product(*w, 1));
    }
    if (op == "Gemm") {
        const auto *a = shape(0, false), *y = shape(0, true);
        if (!a || !y || a->size() != 2) return -1;
        const auto k = attr_int(n, "transA", 0) ? (*a)[0] : (*a)[1];
        return static_cast<double>(product(*y)) * static_cast<double>(k);
    }
    if (op == "MatMul") {
        const auto *a = shape(0, false), *y = shape(0, true);
        if (!a || !y || a->empty()) return -1;
        return static_cast<double>(product(*y)) * static_cast<double>(a->back());
    }
    return 0;
}

std::int64_t element_bytes(int t) noexcept {
    switch (t) {
        case onnx::TensorProto_DataType_FLOAT16:
        case onnx::TensorProto_DataType_BFLOAT16:
            return 2;
        case onnx::TensorProto_DataType_DOUBLE:
        case onnx::TensorProto_DataType_INT64:
            return 8;
        case onnx::TensorProto_DataType_UINT8:
        case onnx::TensorProto_DataType_INT8:
        case onnx::TensorProto_DataType_BOOL:
            return 1;
        default:
            return 4;
    }
}

// Scratch a node needs beyond its inputs and outputs: ONNX Runtime's CPU Conv unrolls the input
// into columns of C/group x kernel per output sample (except 1x1 kernels).
std::int64_t workspace_bytes(const onnx::NodeProto& n, const ShapeMap& shapes) {
    if (n.op_type() != "Conv" || n.input_size() < 2 || n.output_size() < 1) return 0;
    const auto w = shapes.find(n.input(1));
    const auto y = shapes.find(n.output(0));
    if (w == shapes.end() || y == shapes.end() || !known(w->second) || !known(y->second) ||
        w->second.size() < 3 || y->second.size() < 3)
        return 0;
    if (product(w->second, 2) == 1) return 0;
    // One group at a time: (C/group x kernel) x output samples of one image.
    const std::int64_t cols = saturating_mul(product(w->second, 1), product(y->second, 2));
    return saturating_mul(cols, 4);
}

std::int64_t peak_activation_bytes(const onnx::GraphProto& g, const ShapeMap& shapes,
                                   const std::set<std::string>& initializers) {
    std::int64_t largest = 0;
    for (const auto& [name, s] : shapes)
        if (!initializers.count(name) && known(s))
            largest = std::max(largest, saturating_mul(product(s), 4));
    auto size = [&](const std::string& name) -> std::int64_t {
        if (name.empty() || initializers.count(name)) return 0;
        const auto it = shapes.find(name);
        return it == shapes.end() || !known(it->second) ? largest
                                                        : saturating_mul(product(it->second), 4);
    };
    // The node after which each tensor is no longer read; graph outputs live to the end.
    std::unordered_map<std::string, int> last_use;
    for (int i = 0; i < g.node_size(); ++i)
        for (const auto& in : g.node(i).input()) last_use[in] = i;
    for (const auto& o : g.output()) last_use[o.name()] = g.node_size();
    std::int64_t live = 0;
    for (const auto& in : g.input()) live = saturating_add(live, size(in.name()));
    std::int64_t peak = live;
    for (int i = 0; i < g.node_size(); ++i) {
        const auto& n = g.node(i);
        for (const auto& o : n.output()) live = saturating_add(live, size(o));
        peak = std::max(peak, saturating_add(live, workspace_bytes(n, shapes)));
        for (const auto& in : n.input())
            if (last_use[in] == i) live -= size(in), last_use[in] = -1;
        for (const auto& o : n.output())
            if (!last_use.count(o)) live -= size(o);
    }
    return peak;
}

onnx::ModelProto parse(const ModelSource& source, std::string* bytes) {
    *bytes = detail::read_model_bytes(source);
    onnx::ModelProto m = detail::parse_model(*bytes, source);
    if (!m.has_graph() || m.graph().node_size() == 0)
        throw Error(ErrorKind::InvalidModel, source.describe() + ": the model has no graph");
    return m;
}

// ONNX Runtime's verdict on the model: empty when it builds a session, else its message.
std::string ort_rejection(const std::string& bytes) {
    try {
        Ort::SessionOptions so;
        so.SetGraphOptimizationLevel(ORT_DISABLE_ALL);
        so.SetLogSeverityLevel(4);
        Ort::Session s(detail::ort_env(), bytes.data(), bytes.size(), so);
        return {};
    } catch (const Ort::Exception& e) {
        return e.what();
    }
}

}  // namespace

ModelDescription describe_model(const ModelSource& source) {
    std::string bytes;
    const onnx::ModelProto model = parse(source, &bytes);
    ModelDescription s;
    s.source = source.describe();
    s.model_bytes = bytes.size();
    s.ir_version = model.ir_version();
    s.producer = model.producer_name() +
                 (model.producer_version().empty() ? "" : " " + model.producer_version());
    for (const auto& o : model.opset_import()) s.opsets.emplace_back(o.domain(), o.version());
    const auto& g = model.graph();
    std::set<std::string> initializers;
    for (const auto& t : g.initializer()) {
        initializers.insert(t.name());
        std::int64_t n = 1;
        for (auto d : t.dims()) n = saturating_mul(n, d);
        s.parameters = saturating_add(s.parameters, n);
    }
    for (const auto& in : g.input())
        if (!initializers.count(in.name())) s.inputs.push_back(tensor_info(in));
    for (const auto& out : g.output()) s.outputs.push_back(tensor_info(out));
    for (const auto& n : g.node())
        ++s.op_counts[n.domain().empty() || n.domain() == "ai.onnx"
                          ? n.op_type()
                          : n.domain() + "." + n.op_type()];
    return s;
}

std::optional<ComputeEstimate> estimate_compute(const ModelSource& source, int probe_width,
                                                int probe_height, std::string* why) {
    std::string bytes;
    onnx::ModelProto model = parse(source, &bytes);
    if (const std::string rejected = ort_rejection(bytes); !rejected.empty()) {
        if (why) *why = "ONNX Runtime rejects the model: " + rejected;
        return std::nullopt;
    }
    auto& g = *model.mutable_graph();
    std::set<std::string> initializers;
    for (const auto& t : g.initializer()) initializers.insert(t.name());
    onnx::ValueInfoProto* input = nullptr;
    for (auto& in : *g.mutable_input())
        if (!initializers.count(in.name())) input = &in;
    if (!input || g.output_size() < 1) {
        if (why) *why = "the model has no input or output";
        return std::nullopt;
    }
    auto* shape = input->mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() != 4) {
        if (why) *why = "the input is not 4-D";
        return std::nullopt;
    }
    const std::int64_t want[4] = {1, shape->dim(1).has_dim_value() ? shape->dim(1).dim_value() : 3,
                                  probe_height, probe_width};
    for (int i = 0; i < 4; ++i) shape->mutable_dim(i)->set_dim_value(want[i]);
    g.clear_value_info();
    for (auto& o : *g.mutable_output()) o.mutable_type()->mutable_tensor_type()->clear_shape();
    try {
        onnx::ShapeInferenceOptions opts{false, 1, true};
        onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), opts);
    } catch (const std::exception& e) {
        if (why) *why = e.what();
        return std::nullopt;
    }

    ShapeMap shapes;
    for (const auto& v : g.input()) add_shape(shapes, v);
    for (const auto& v : g.value_info()) add_shape(shapes, v);
    for (const auto& v : g.output()) add_shape(shapes, v);
    for (const auto& t : g.initializer()) shapes[t.name()] = {t.dims().begin(), t.dims().end()};

    ComputeEstimate e;
    e.probe_width = probe_width;
    e.probe_height = probe_height;
    const auto out = shapes.find(g.output(0).name());
    if (out == shapes.end() || out->second.size() != 4 || !known(out->second)) {
        if (why) *why = "shape inference could not tell the output size";
        return std::nullopt;
    }
    e.out_height = out->second[2];
    e.out_width = out->second[3];
    if (e.out_width % probe_width == 0 && e.out_height % probe_height == 0 &&
        e.out_width / probe_width == e.out_height / probe_height)
        e.scale = static_cast<int>(e.out_width / probe_width);
    double macs = 0;
    for (const auto& n : g.node()) {
        const double m = node_macs(n, shapes);
        if (m < 0)
            ++e.uncounted;
        else
            macs += m;
    }
    e.flops = 2 * macs;
    e.peak_activation_bytes = peak_activation_bytes(g, shapes, initializers);
    for (const auto& t : g.initializer())
        e.weight_bytes = saturating_add(e.weight_bytes,
                                        saturating_mul(product({t.dims().begin(), t.dims().end()}),
                                                       element_bytes(t.data_type())));
    return e;
}

}  // namespace mlrt
