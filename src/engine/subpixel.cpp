#include "engine/subpixel.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "engine/fp16/graph.hpp"
#include "engine/fp16/tensor_data.hpp"
#include "engine/onnx_builder.hpp"

namespace mlrt::detail {
namespace {

std::vector<std::int64_t> ints_attr(const onnx::NodeProto& n, const std::string& name,
                                    std::vector<std::int64_t> fallback) {
    const auto* a = fp16::find_attr(n, name);
    return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end()) : std::move(fallback);
}

int default_opset(const onnx::ModelProto& m) {
    for (const auto& o : m.opset_import())
        if (o.domain().empty() || o.domain() == "ai.onnx") return static_cast<int>(o.version());
    return 0;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// One spatial axis of the rewrite. Output t of the ConvTranspose (before its begin pad is cut)
// takes input j - m through kernel tap phase + m * stride, where j = t / stride and phase =
// t % stride: per phase a plain convolution of ceil(kernel / stride) taps, run from input
// first_j on.
struct Axis {
    std::int64_t kernel = 0, stride = 1, taps = 0;
    std::int64_t conv_pad_begin = 0, conv_pad_end = 0;
    std::int64_t slice_begin = 0, slice_end_cut = 0;  // of the DepthToSpace output

    // Empty when the pads reach past what a convolution with non-negative pads can give.
    static std::optional<Axis> plan(std::int64_t kernel, std::int64_t stride,
                                    std::int64_t pad_begin, std::int64_t pad_end,
                                    std::int64_t output_padding) {
        Axis a;
        a.kernel = kernel;
        a.stride = stride;
        a.taps = (kernel + stride - 1) / stride;
        const std::int64_t first_j = floor_div(pad_begin, stride);
        a.conv_pad_begin = a.taps - 1 - first_j;
        a.conv_pad_end = floor_div(kernel - 1 - pad_end + output_padding, stride);
        a.slice_begin = pad_begin - first_j * stride;
        a.slice_end_cut = a.conv_pad_end * stride + stride - kernel + pad_end - output_padding;
        if (a.conv_pad_begin < 0 || a.conv_pad_end < 0 || a.slice_end_cut < 0) return std::nullopt;
        return a;
    }
};

struct Rewrite {
    std::vector<onnx::NodeProto> nodes;
    std::vector<onnx::TensorProto> initializers;
};

// Why `n` cannot be rewritten, or "" when it can.
std::string refusal(const onnx::NodeProto& n, const onnx::TensorProto* w,
                    const onnx::TensorProto* b) {
    if (n.input_size() < 2 || n.output_size() != 1) return "inputs";
    if (w == nullptr || fp16::is_external(*w)) return "weights not a constant in the model";
    if (w->data_type() != onnx::TensorProto_DataType_FLOAT) return "weights not float32";
    if (w->dims_size() != 4) return "not 2-D";
    // The rewrite reads every weight: a tensor holding fewer values than its shape says (a
    // damaged or hostile model) stays for ONNX Runtime to refuse.
    std::int64_t count = 1;
    for (std::int64_t d : w->dims()) {
        if (d <= 0 || d > (std::int64_t{1} << 24) || count > (std::int64_t{1} << 32) / d)
            return "weights malformed";
        count *= d;
    }
    if (static_cast<std::int64_t>(fp16::float_values(*w).size()) != count)
        return "weights malformed";
    if (n.input_size() > 2 && !n.input(2).empty() &&
        (b == nullptr || fp16::is_external(*b) ||
         b->data_type() != onnx::TensorProto_DataType_FLOAT))
        return "bias not a float32 constant";
    if (b != nullptr && static_cast<std::int64_t>(fp16::float_values(*b).size()) != w->dims(1))
        return "bias malformed";
    if (const auto* g = fp16::find_attr(n, "group"); g && g->i() != 1) return "grouped";
    for (std::int64_t d : ints_attr(n, "dilations", {1, 1}))
        if (d != 1) return "dilated";
    if (const auto* a = fp16::find_attr(n, "auto_pad"); a && a->s() != "NOTSET" && !a->s().empty())
        return "auto_pad " + a->s();
    if (fp16::find_attr(n, "output_shape")) return "output_shape given";
    const auto strides = ints_attr(n, "strides", {1, 1});
    if (strides.size() != 2 || strides[0] != strides[1]) return "strides differ between axes";
    if (strides[0] == 1) return "stride 1";
    if (strides[0] < 1 || strides[0] > 16) return "stride " + std::to_string(strides[0]);
    const auto kernel = ints_attr(n, "kernel_shape", {w->dims(2), w->dims(3)});
    if (kernel.size() != 2 || kernel[0] != w->dims(2) || kernel[1] != w->dims(3))
        return "kernel_shape differs from the weights";
    const auto pads = ints_attr(n, "pads", {0, 0, 0, 0});
    if (pads.size() != 4 || *std::min_element(pads.begin(), pads.end()) < 0) return "pads";
    for (std::int64_t p : ints_attr(n, "output_padding", {0, 0}))
        if (p < 0 || p >= strides[0]) return "output_padding";
    if (ints_attr(n, "output_padding", {0, 0}).size() != 2) return "output_padding";
    return "";
}

Rewrite subpixel(const onnx::NodeProto& n, const onnx::TensorProto& w, const onnx::TensorProto* b,
                 const Axis& y, const Axis& x, const std::string& conv_out,
                 fp16::NameGenerator& names) {
    const std::int64_t cin = w.dims(0), cout = w.dims(1), s = y.stride;
    const std::vector<float> wt = fp16::float_values(w);
    // Conv weight [s*s*cout, cin, taps_y, taps_x]; output channel (py * s + px) * cout + c is
    // phase (py, px) of channel c, DepthToSpace's DCR order.
    const std::int64_t channels = s * s * cout;
    std::vector<float> wc(static_cast<std::size_t>(channels * cin * y.taps * x.taps), 0.0f);
    for (std::int64_t py = 0; py < s; ++py)
        for (std::int64_t px = 0; px < s; ++px)
            for (std::int64_t c = 0; c < cout; ++c)
                for (std::int64_t ci = 0; ci < cin; ++ci)
                    for (std::int64_t my = 0; my < y.taps; ++my)
                        for (std::int64_t mx = 0; mx < x.taps; ++mx) {
                            // Cross-correlation reads the taps in reverse.
                            const std::int64_t ky = py + (y.taps - 1 - my) * s;
                            const std::int64_t kx = px + (x.taps - 1 - mx) * s;
                            if (ky >= y.kernel || kx >= x.kernel) continue;
                            const std::int64_t oc = (py * s + px) * cout + c;
                            wc[static_cast<std::size_t>(((oc * cin + ci) * y.taps + my) * x.taps +
                                                        mx)] =
                                wt[static_cast<std::size_t>(
                                    ((ci * cout + c) * y.kernel + ky) * x.kernel + kx)];
                        }
    Rewrite r;
    const std::string base = n.name().empty() ? n.output(0) : n.name();
    const std::string weight = names.fresh(base + "/subpixel_weight");
    r.initializers.push_back(raw_float_tensor(weight, {channels, cin, y.taps, x.taps}, wc));
    std::vector<std::string> inputs{n.input(0), weight};
    if (b != nullptr) {
        const std::vector<float> bias = fp16::float_values(*b);
        std::vector<float> tiled;
        for (std::int64_t p = 0; p < s * s; ++p)
            tiled.insert(tiled.end(), bias.begin(), bias.end());
        inputs.push_back(names.fresh(base + "/subpixel_bias"));
        r.initializers.push_back(raw_float_tensor(inputs.back(), {channels}, tiled));
    }
    onnx::NodeProto conv = make_node("Conv", inputs, {conv_out}, n.name());
    set_ints(conv, "kernel_shape", {y.taps, x.taps});
    set_ints(conv, "pads", {y.conv_pad_begin, x.conv_pad_begin, y.conv_pad_end, x.conv_pad_end});
    r.nodes.push_back(std::move(conv));

    const bool slice = y.slice_begin || x.slice_begin || y.slice_end_cut || x.slice_end_cut;
    const std::string shuffled = slice ? names.fresh(base + "/subpixel_shuffled") : n.output(0);
    onnx::NodeProto d2s = make_node("DepthToSpace", {conv_out}, {shuffled},
                                    names.fresh(base + "/subpixel_DepthToSpace"));
    set_int(d2s, "blocksize", s);
    r.nodes.push_back(std::move(d2s));
    if (!slice) return r;
    const auto end = [](std::int64_t cut) {
        return cut > 0 ? -cut : std::numeric_limits<std::int64_t>::max();
    };
    const std::string starts = names.fresh(base + "/subpixel_starts"),
                      ends = names.fresh(base + "/subpixel_ends"),
                      axes = names.fresh(base + "/subpixel_axes");
    r.initializers.push_back(int64_tensor(starts, {2}, {y.slice_begin, x.slice_begin}));
    r.initializers.push_back(int64_tensor(ends, {2}, {end(y.slice_end_cut), end(x.slice_end_cut)}));
    r.initializers.push_back(int64_tensor(axes, {2}, {2, 3}));
    r.nodes.push_back(make_node("Slice", {shuffled, starts, ends, axes}, {n.output(0)},
                                names.fresh(base + "/subpixel_Slice")));
    return r;
}

}  // namespace

SubpixelReport rewrite_conv_transposes(onnx::ModelProto& model, const SubpixelFilter& filter,
                                       std::int64_t min_input_channels) {
    SubpixelReport report;
    auto& g = *model.mutable_graph();
    bool any = false;
    for (const auto& n : g.node()) any |= n.op_type() == "ConvTranspose" && n.domain().empty();
    if (!any) return report;
    const bool opset_ok = default_opset(model) >= 11;  // Slice's inputs, DepthToSpace's DCR
    std::map<std::string, const onnx::TensorProto*> inits;
    for (const auto& t : g.initializer()) inits[t.name()] = &t;
    fp16::NameGenerator names(g);

    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    std::vector<onnx::TensorProto> added;
    std::set<std::string> replaced;  // weights and biases of rewritten nodes
    for (auto& n : *g.mutable_node()) {
        if (n.op_type() != "ConvTranspose" || !n.domain().empty()) {
            *nodes.Add() = std::move(n);
            continue;
        }
        const auto find = [&](int i) -> const onnx::TensorProto* {
            if (n.input_size() <= i || n.input(i).empty()) return nullptr;
            const auto it = inits.find(n.input(i));
            return it == inits.end() ? nullptr : it->second;
        };
        const onnx::TensorProto *w = find(1), *b = find(2);
        std::string why = opset_ok ? refusal(n, w, b) : "opset under 11";
        if (why.empty() && w->dims(0) < min_input_channels)
            why = std::to_string(w->dims(0)) + " input channels (ONNX Runtime's is faster under " +
                  std::to_string(min_input_channels) + ")";
        std::optional<Axis> ay, ax;
        if (why.empty()) {
            const auto strides = ints_attr(n, "strides", {1, 1});
            const auto pads = ints_attr(n, "pads", {0, 0, 0, 0});
            const auto outpad = ints_attr(n, "output_padding", {0, 0});
            ay = Axis::plan(w->dims(2), strides[0], pads[0], pads[2], outpad[0]);
            ax = Axis::plan(w->dims(3), strides[1], pads[1], pads[3], outpad[1]);
            if (!ay || !ax) why = "pads wider than the kernel";
        }
        if (why.empty()) {
            const std::string base = n.name().empty() ? n.output(0) : n.name();
            const std::string conv_out = names.fresh(base + "/subpixel");
            if (!filter || filter(n, conv_out)) {
                Rewrite r = subpixel(n, *w, b, *ay, *ax, conv_out, names);
                for (auto& node : r.nodes) *nodes.Add() = std::move(node);
                for (auto& t : r.initializers) added.push_back(std::move(t));
                for (int i = 1; i < n.input_size(); ++i) replaced.insert(n.input(i));
                ++report.rewritten;
                continue;
            }
            why = "not asked";
        }
        report.kept.push_back("ConvTranspose '" + n.name() + "': " + why);
        *nodes.Add() = std::move(n);
    }
    g.mutable_node()->Swap(&nodes);
    for (auto& t : added) *g.add_initializer() = std::move(t);
    // The transposed weights feed nothing now, unless another node shares them.
    const auto used = fp16::names_read(g);
    auto* all = g.mutable_initializer();
    for (int i = all->size() - 1; i >= 0; --i)
        if (replaced.count(all->Get(i).name()) && !used.count(all->Get(i).name()))
            all->DeleteSubrange(i, 1);
    return report;
}

std::string describe(const SubpixelReport& r) {
    std::string s;
    if (r.rewritten > 0)
        s = std::to_string(r.rewritten) + " ConvTranspose node(s) as Conv + DepthToSpace";
    for (std::size_t i = 0; i < r.kept.size(); ++i)
        s += (i == 0 ? (s.empty() ? "" : "; ") + std::string("left as they were: ") : ", ") +
             r.kept[i];
    return s;
}

}  // namespace mlrt::detail
