#include "engine/int8/quantizer.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <set>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "engine/fp16/graph.hpp"
#include "engine/fp16/tensor_data.hpp"
#include "engine/onnx_builder.hpp"
#include "mlrt/error.hpp"

namespace mlrt::detail::int8 {
namespace {

constexpr std::int32_t kFloat = onnx::TensorProto::FLOAT;

[[noreturn]] void fail(const std::string& message) {
    throw Error(ErrorKind::InvalidModel, "int8 quantization: " + message);
}

int default_opset(const onnx::ModelProto& model) {
    for (const auto& op : model.opset_import())
        if (op.domain().empty() || op.domain() == "ai.onnx") return static_cast<int>(op.version());
    return 0;
}

std::int64_t int_attr(const onnx::NodeProto& node, const char* name, std::int64_t fallback) {
    const auto* a = fp16::find_attr(node, name);
    return a != nullptr ? a->i() : fallback;
}

float float_attr(const onnx::NodeProto& node, const char* name, float fallback) {
    const auto* a = fp16::find_attr(node, name);
    return a != nullptr ? a->f() : fallback;
}

// A tensor of `elem_type` whose payload is `bytes` (little-endian raw_data).
template <typename T>
onnx::TensorProto raw_tensor(const std::string& name, std::int32_t elem_type,
                             const std::vector<std::int64_t>& dims, const std::vector<T>& values) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(elem_type);
    for (auto d : dims) t.add_dims(d);
    // Every supported host is little-endian, as raw_data is.
    static_assert(std::endian::native == std::endian::little);
    std::string raw(values.size() * sizeof(T), '\0');
    if (!values.empty()) std::memcpy(raw.data(), values.data(), raw.size());
    t.set_raw_data(std::move(raw));
    return t;
}

// How a node's weight is laid out: which input, and along which axis its output channels run
// (-1: one scale for the whole tensor).
struct WeightSpec {
    int axis = -1;
    std::int64_t channels = 1;
};

class Graph {
  public:
    explicit Graph(const onnx::ModelProto& model) : graph_(model.graph()) {
        opset_ = default_opset(model);
        for (int i = 0; i < graph_.initializer_size(); ++i)
            initializers_[graph_.initializer(i).name()] = i;
        for (int i = 0; i < graph_.node_size(); ++i)
            for (const auto& o : graph_.node(i).output()) producer_[o] = i;
        for (const auto& o : graph_.output()) outputs_.insert(o.name());
    }

    const onnx::TensorProto* initializer(const std::string& name) const {
        auto it = initializers_.find(name);
        return it == initializers_.end() ? nullptr : &graph_.initializer(it->second);
    }
    bool is_output(const std::string& name) const { return outputs_.count(name) != 0; }
    int opset() const { return opset_; }

    // Per-channel scales need DequantizeLinear's axis attribute, which came with opset 13.
    std::optional<WeightSpec> weight_spec(const onnx::NodeProto& node) const {
        const std::string& op = node.op_type();
        if (op != "Conv" && op != "ConvTranspose" && op != "MatMul" && op != "Gemm")
            return std::nullopt;
        if (node.input_size() < 2 || node.input(0).empty() || initializer(node.input(0)) != nullptr)
            return std::nullopt;
        const auto* w = initializer(node.input(1));
        if (w == nullptr || w->data_type() != kFloat || fp16::is_external(*w)) return std::nullopt;
        const int rank = w->dims_size();
        WeightSpec spec;
        if (op == "Conv" && rank >= 3) spec.axis = 0;
        if (op == "ConvTranspose" && rank >= 3 && int_attr(node, "group", 1) == 1) spec.axis = 1;
        if (op == "MatMul" && rank == 2) spec.axis = 1;
        if (op == "Gemm") {
            if (rank != 2 || int_attr(node, "transA", 0) != 0) return std::nullopt;
            if (float_attr(node, "alpha", 1.0f) != 1.0f || float_attr(node, "beta", 1.0f) != 1.0f)
                return std::nullopt;
            spec.axis = int_attr(node, "transB", 0) != 0 ? 0 : 1;
        }
        if ((op == "Conv" || op == "ConvTranspose") && rank < 3) return std::nullopt;
        if (opset_ < 13) spec.axis = -1;
        if (spec.axis >= 0) spec.channels = w->dims(spec.axis);
        if (node.input_size() > 2 && !node.input(2).empty()) {
            const auto* b = initializer(node.input(2));
            // Gemm's N: W is [N, K] with transB, else [K, N] (whatever axis the scales use;
            // below opset 13 there is none).
            const std::int64_t n = op == "Gemm" ? w->dims(int_attr(node, "transB", 0) != 0 ? 0 : 1)
                                   : op == "Conv" ? w->dims(0)
                                                  : w->dims(1) * int_attr(node, "group", 1);
            if (b == nullptr || b->data_type() != kFloat || fp16::is_external(*b) ||
                b->dims_size() != 1 || b->dims(0) != n)
                return std::nullopt;
        }
        return spec;
    }

    // The quantizable nodes that reach a graph output with no other quantizable node between.
    std::set<int> last_nodes() const {
        std::set<int> found;
        std::unordered_set<int> seen;
        std::vector<std::string> todo;
        for (const auto& o : graph_.output()) todo.push_back(o.name());
        while (!todo.empty()) {
            const std::string t = todo.back();
            todo.pop_back();
            auto it = producer_.find(t);
            if (it == producer_.end() || !seen.insert(it->second).second) continue;
            const auto& node = graph_.node(it->second);
            if (weight_spec(node)) {
                found.insert(it->second);
                continue;
            }
            for (const auto& in : node.input())
                if (!in.empty()) todo.push_back(in);
        }
        return found;
    }

    // The quantizable nodes a graph input reaches with no other quantizable node between.
    std::set<int> first_nodes() const {
        std::unordered_map<std::string, std::vector<int>> consumers;
        for (int i = 0; i < graph_.node_size(); ++i)
            for (const auto& in : graph_.node(i).input()) consumers[in].push_back(i);
        std::set<int> found;
        std::unordered_set<int> seen;
        std::vector<std::string> todo;
        for (const auto& in : graph_.input())
            if (initializer(in.name()) == nullptr) todo.push_back(in.name());
        while (!todo.empty()) {
            const std::string t = todo.back();
            todo.pop_back();
            for (int i : consumers[t]) {
                if (!seen.insert(i).second) continue;
                const auto& node = graph_.node(i);
                if (weight_spec(node)) {
                    found.insert(i);
                    continue;
                }
                for (const auto& out : node.output()) todo.push_back(out);
            }
        }
        return found;
    }

  private:
    const onnx::GraphProto& graph_;
    int opset_ = 0;
    std::unordered_map<std::string, int> initializers_;
    std::unordered_map<std::string, int> producer_;
    std::unordered_set<std::string> outputs_;
};

struct ActivationParams {
    float scale = 1.0f;
    std::uint8_t zero_point = 0;
};

// Asymmetric uint8 over the observed range, which is widened to hold 0 exactly (zero padding
// and ReLU outputs must stay exact).
ActivationParams activation_params(Range r) {
    const float lo = std::min(r.lo, 0.0f), hi = std::max(r.hi, 0.0f);
    ActivationParams p;
    p.scale = hi - lo > 1e-12f ? (hi - lo) / 255.0f : 1.0f / 255.0f;
    p.zero_point = static_cast<std::uint8_t>(std::clamp(std::lround(-lo / p.scale), 0L, 255L));
    return p;
}

struct QuantizedWeight {
    std::vector<std::int8_t> values;
    std::vector<float> scales;  // one per channel (or one)
};

QuantizedWeight quantize_weight(const std::vector<float>& w, const std::vector<std::int64_t>& dims,
                                const WeightSpec& spec, bool reduce_range) {
    const std::int64_t channels = spec.axis < 0 ? 1 : dims[static_cast<std::size_t>(spec.axis)];
    std::int64_t inner = 1;
    if (spec.axis >= 0)
        for (std::size_t d = static_cast<std::size_t>(spec.axis) + 1; d < dims.size(); ++d)
            inner *= dims[d];
    else
        inner = static_cast<std::int64_t>(w.size());
    const auto channel_of = [&](std::size_t i) {
        return static_cast<std::size_t>((static_cast<std::int64_t>(i) / inner) % channels);
    };
    const float qmax = reduce_range ? 63.0f : 127.0f;
    QuantizedWeight q;
    std::vector<float> absmax(static_cast<std::size_t>(channels), 0.0f);
    for (std::size_t i = 0; i < w.size(); ++i)
        absmax[channel_of(i)] = std::max(absmax[channel_of(i)], std::fabs(w[i]));
    for (float m : absmax) q.scales.push_back(m > 0.0f ? m / qmax : 1.0f);
    q.values.resize(w.size());
    for (std::size_t i = 0; i < w.size(); ++i)
        q.values[i] = static_cast<std::int8_t>(
            std::clamp(std::nearbyint(w[i] / q.scales[channel_of(i)]), -qmax, qmax));
    return q;
}

std::vector<std::int64_t> dims_of(const onnx::TensorProto& t) {
    return {t.dims().begin(), t.dims().end()};
}

struct EdgeNodes {
    std::set<int> first;
    std::set<int> last;
};

bool blacklisted(const onnx::NodeProto& node, int index, const std::vector<std::string>& list,
                 const EdgeNodes& edges) {
    for (const auto& entry : list) {
        if (entry == node.op_type() || (!node.name().empty() && entry == node.name())) return true;
        if (entry == "first" && edges.first.count(index) != 0) return true;
        if (entry == "last" && edges.last.count(index) != 0) return true;
    }
    return false;
}

// Ops that only move values: on uint8 they give what they give on float, so a
// DequantizeLinear before one can move after it (one fused pair less, and a quarter of the
// bytes moved).
bool moves_values(const onnx::NodeProto& n) {
    static const std::unordered_set<std::string> ops{"DepthToSpace", "SpaceToDepth", "Slice",
                                                     "Transpose",    "Reshape",      "Flatten",
                                                     "Squeeze",      "Unsqueeze"};
    return n.domain().empty() && ops.count(n.op_type()) != 0 && n.output_size() == 1;
}

// A scalar float or uint8 initializer's value.
std::optional<double> scalar_value(const onnx::GraphProto& graph, const std::string& name) {
    for (const auto& t : graph.initializer()) {
        if (t.name() != name || t.dims_size() != 0 || fp16::is_external(t)) continue;
        if (t.data_type() == kFloat) {
            const auto v = fp16::float_values(t);
            if (v.size() == 1) return v[0];
        }
        if (t.data_type() == onnx::TensorProto::UINT8 && t.raw_data().size() == 1)
            return static_cast<unsigned char>(t.raw_data()[0]);
    }
    return std::nullopt;
}

// Whether two Q/DQ nodes quantize alike (scalar scale and zero point of equal values).
bool same_quantization(const onnx::GraphProto& graph, const onnx::NodeProto& a,
                       const onnx::NodeProto& b) {
    if (a.input_size() < 3 || b.input_size() < 3) return false;
    for (int i = 1; i < 3; ++i) {
        const auto x = scalar_value(graph, a.input(i)), y = scalar_value(graph, b.input(i));
        if (!x || !y || *x != *y) return false;
    }
    return true;
}

// DequantizeLinear -> (value-moving op) becomes (value-moving op on uint8) ->
// DequantizeLinear, repeated down chains (a ConvTranspose's DepthToSpace and Slice); then a
// DequantizeLinear -> QuantizeLinear of the same scale and zero point, an identity, goes.
void move_dequantize_later(onnx::GraphProto& graph, fp16::NameGenerator& names) {
    for (bool moved = true; moved;) {
        moved = false;
        std::unordered_map<std::string, int> producer;
        for (int i = 0; i < graph.node_size(); ++i)
            for (const auto& o : graph.node(i).output()) producer[o] = i;
        for (int i = 0; i < graph.node_size() && !moved; ++i) {
            onnx::NodeProto& m = *graph.mutable_node(i);
            if (!moves_values(m) || m.input_size() == 0) continue;
            const auto p = producer.find(m.input(0));
            if (p == producer.end()) continue;
            const onnx::NodeProto dq = graph.node(p->second);
            if (dq.op_type() != "DequantizeLinear" || dq.input_size() < 2) continue;
            if (!scalar_value(graph, dq.input(1))) continue;  // per-channel, or not constant
            const std::string out = m.output(0);
            const std::string moved_out = names.fresh(out + "_quantized");
            m.set_input(0, dq.input(0));
            m.set_output(0, moved_out);
            onnx::NodeProto after = dq;
            after.set_name(names.fresh(out + "_dq"));
            after.set_input(0, moved_out);
            after.set_output(0, out);
            // Right after the op, which comes after everything the DequantizeLinear reads.
            graph.mutable_node()->Add(std::move(after));
            for (int k = graph.node_size() - 1; k > i + 1; --k)
                graph.mutable_node()->SwapElements(k, k - 1);
            moved = true;
        }
    }
    std::unordered_set<std::string> graph_outputs;
    for (const auto& o : graph.output()) graph_outputs.insert(o.name());
    std::unordered_map<std::string, int> producer;
    for (int i = 0; i < graph.node_size(); ++i)
        for (const auto& o : graph.node(i).output()) producer[o] = i;
    std::unordered_map<std::string, std::string> same;  // a Q's output -> the uint8 it equals
    for (const auto& q : graph.node()) {
        if (q.op_type() != "QuantizeLinear" || graph_outputs.count(q.output(0))) continue;
        const auto p = producer.find(q.input(0));
        if (p == producer.end()) continue;
        const onnx::NodeProto& dq = graph.node(p->second);
        if (dq.op_type() == "DequantizeLinear" && same_quantization(graph, dq, q))
            same[q.output(0)] = dq.input(0);
    }
    if (!same.empty()) {
        auto* all = graph.mutable_node();
        for (int i = all->size() - 1; i >= 0; --i)
            if (all->Get(i).op_type() == "QuantizeLinear" && same.count(all->Get(i).output(0)))
                all->DeleteSubrange(i, 1);
        for (auto& n : *all)
            for (auto& in : *n.mutable_input())
                if (auto it = same.find(in); it != same.end()) in = it->second;
    }
    // A DequantizeLinear whose output nothing reads any more goes.
    const auto read = fp16::names_read(graph);
    auto* nodes = graph.mutable_node();
    for (int i = nodes->size() - 1; i >= 0; --i)
        if (nodes->Get(i).op_type() == "DequantizeLinear" && !read.count(nodes->Get(i).output(0)))
            nodes->DeleteSubrange(i, 1);
}

}  // namespace

std::vector<std::string> default_int8_blacklist() {
    return {"first", "last"};
}

QuantizationPlan plan_quantization(const onnx::ModelProto& model, const QuantizeOptions& options) {
    const Graph g(model);
    const auto& graph = model.graph();
    const EdgeNodes edges{g.first_nodes(), g.last_nodes()};
    QuantizationPlan plan;
    std::unordered_set<std::string> seen;
    const auto need = [&](const std::string& t) {
        if (seen.insert(t).second) plan.tensors.push_back(t);
    };
    for (int i = 0; i < graph.node_size(); ++i) {
        const auto& node = graph.node(i);
        if (!g.weight_spec(node) || blacklisted(node, i, options.blacklist, edges)) continue;
        plan.nodes.push_back(i);
        // The activation input even when it is also a graph output (the int32 bias is scaled
        // by its scale); an output that leaves the graph stays float.
        need(node.input(0));
        if (!g.is_output(node.output(0))) need(node.output(0));
    }
    return plan;
}

void quantize(onnx::ModelProto& model, const RangeTable& ranges, const QuantizeOptions& options) {
    const int opset = default_opset(model);
    if (opset < 10)
        fail("the model's opset " + std::to_string(opset) +
             " has no QuantizeLinear (opset 10 or later is needed)");
    const QuantizationPlan plan = plan_quantization(model, options);
    if (plan.nodes.empty()) return;

    onnx::GraphProto& graph = *model.mutable_graph();
    fp16::NameGenerator names(graph);
    std::unordered_map<std::string, ActivationParams> params;
    for (const auto& t : plan.tensors) {
        auto it = ranges.find(t);
        if (it == ranges.end())
            fail("the calibration has no range for tensor '" + t +
                 "' (it was made for another model or another blacklist)");
        if (!std::isfinite(it->second.lo) || !std::isfinite(it->second.hi))
            fail("the calibration range of tensor '" + t + "' is not finite");
        params[t] = activation_params(it->second);
    }
    // A value-moving op's output quantizes as its input did: the pair between them is then an
    // identity (no requantization), and the op runs on uint8.
    for (const auto& n : graph.node())
        if (moves_values(n) && n.input_size() > 0 && params.count(n.input(0)) &&
            params.count(n.output(0)))
            params[n.output(0)] = params.at(n.input(0));
    const std::unordered_set<std::string> quantized_tensors(plan.tensors.begin(),
                                                            plan.tensors.end());
    const std::unordered_set<int> quantized_nodes(plan.nodes.begin(), plan.nodes.end());

    // Uses of each initializer, so that float weights no node reads any more can be dropped.
    std::unordered_map<std::string, int> uses;
    const auto count_uses = [&](const auto& self, const onnx::GraphProto& gr) -> void {
        for (const auto& n : gr.node()) {
            for (const auto& in : n.input()) ++uses[in];
            fp16::for_each_subgraph(n, [&](const onnx::GraphProto& sub) { self(self, sub); });
        }
    };
    count_uses(count_uses, graph);

    std::vector<onnx::TensorProto> new_inits;
    std::unordered_map<std::string, std::string> dequantized;  // tensor -> its QDQ output
    std::vector<onnx::NodeProto> nodes;
    const auto qdq = [&](const std::string& t) {
        const ActivationParams p = params.at(t);
        const std::string scale = names.fresh(t + "_scale"), zp = names.fresh(t + "_zero_point");
        new_inits.push_back(raw_tensor<float>(scale, kFloat, {}, {p.scale}));
        new_inits.push_back(
            raw_tensor<std::uint8_t>(zp, onnx::TensorProto::UINT8, {}, {p.zero_point}));
        const std::string q = names.fresh(t + "_quantized"), dq = names.fresh(t + "_dequantized");
        nodes.push_back(make_node("QuantizeLinear", {t, scale, zp}, {q}, names.fresh(t + "_Q")));
        nodes.push_back(
            make_node("DequantizeLinear", {q, scale, zp}, {dq}, names.fresh(t + "_DQ")));
        dequantized[t] = dq;
    };
    const Graph g(model);
    for (const auto& in : graph.input())
        if (quantized_tensors.count(in.name()) != 0) qdq(in.name());

    for (int i = 0; i < graph.node_size(); ++i) {
        onnx::NodeProto node = graph.node(i);
        for (auto& in : *node.mutable_input())
            if (auto it = dequantized.find(in); it != dequantized.end()) in = it->second;
        if (quantized_nodes.count(i) != 0) {
            const onnx::NodeProto& original = graph.node(i);
            const WeightSpec spec = *g.weight_spec(original);
            const onnx::TensorProto& w = *g.initializer(original.input(1));
            const auto dims = dims_of(w);
            const QuantizedWeight qw =
                quantize_weight(fp16::float_values(w), dims, spec, options.reduce_range);
            const std::vector<std::int64_t> scale_dims =
                spec.axis < 0 ? std::vector<std::int64_t>{}
                              : std::vector<std::int64_t>{spec.channels};
            const std::string base = original.input(1);
            const std::string wq = names.fresh(base + "_int8"), ws = names.fresh(base + "_scale"),
                              wz = names.fresh(base + "_zero_point");
            new_inits.push_back(
                raw_tensor<std::int8_t>(wq, onnx::TensorProto::INT8, dims, qw.values));
            new_inits.push_back(raw_tensor<float>(ws, kFloat, scale_dims, qw.scales));
            new_inits.push_back(
                raw_tensor<std::int8_t>(wz, onnx::TensorProto::INT8, scale_dims,
                                        std::vector<std::int8_t>(qw.scales.size(), 0)));
            const std::string wdq = names.fresh(base + "_dequantized");
            auto& wnode = nodes.emplace_back(
                make_node("DequantizeLinear", {wq, ws, wz}, {wdq}, names.fresh(base + "_DQ")));
            if (spec.axis >= 0) set_int(wnode, "axis", spec.axis);
            --uses[base];
            node.set_input(1, wdq);

            // The integer kernels take the bias as int32 at scale input_scale * weight_scale.
            if (original.input_size() > 2 && !original.input(2).empty()) {
                const onnx::TensorProto& b = *g.initializer(original.input(2));
                const std::vector<float> bias = fp16::float_values(b);
                const float x_scale = params.at(original.input(0)).scale;
                std::vector<float> scales(bias.size());
                std::vector<std::int32_t> values(bias.size());
                for (std::size_t c = 0; c < bias.size(); ++c) {
                    scales[c] = x_scale * qw.scales[spec.axis < 0 ? 0 : c];
                    const double q = std::nearbyint(static_cast<double>(bias[c]) / scales[c]);
                    values[c] =
                        static_cast<std::int32_t>(std::clamp(q, -2147483647.0, 2147483647.0));
                }
                const std::string bb = original.input(2);
                const std::string bq = names.fresh(bb + "_int32"), bs = names.fresh(bb + "_scale"),
                                  bz = names.fresh(bb + "_zero_point"),
                                  bdq = names.fresh(bb + "_dequantized");
                const bool per_channel = spec.axis >= 0;
                new_inits.push_back(
                    raw_tensor<std::int32_t>(bq, onnx::TensorProto::INT32, dims_of(b), values));
                new_inits.push_back(per_channel ? raw_tensor<float>(bs, kFloat, dims_of(b), scales)
                                                : raw_tensor<float>(bs, kFloat, {}, {scales[0]}));
                new_inits.push_back(
                    per_channel
                        ? raw_tensor<std::int32_t>(bz, onnx::TensorProto::INT32, dims_of(b),
                                                   std::vector<std::int32_t>(bias.size(), 0))
                        : raw_tensor<std::int32_t>(bz, onnx::TensorProto::INT32, {}, {0}));
                auto& bnode = nodes.emplace_back(
                    make_node("DequantizeLinear", {bq, bs, bz}, {bdq}, names.fresh(bb + "_DQ")));
                if (per_channel) set_int(bnode, "axis", 0);
                --uses[bb];
                node.set_input(2, bdq);
            }
        }
        nodes.push_back(std::move(node));
        for (const auto& out : graph.node(i).output())
            if (quantized_tensors.count(out) != 0) qdq(out);
    }

    graph.clear_node();
    for (auto& n : nodes) *graph.add_node() = std::move(n);
    // Float weights every reader of which now reads the int8 copy go, with any graph input
    // entry old exporters declare for them.
    std::unordered_set<std::string> dropped;
    auto* inits = graph.mutable_initializer();
    for (int i = inits->size() - 1; i >= 0; --i)
        if (auto it = uses.find(inits->Get(i).name()); it != uses.end() && it->second <= 0) {
            dropped.insert(inits->Get(i).name());
            inits->DeleteSubrange(i, 1);
        }
    auto* inputs = graph.mutable_input();
    for (int i = inputs->size() - 1; i >= 0; --i)
        if (dropped.count(inputs->Get(i).name()) != 0) inputs->DeleteSubrange(i, 1);
    for (auto& t : new_inits) *graph.add_initializer() = std::move(t);
    move_dequantize_later(graph, names);
}

}  // namespace mlrt::detail::int8
