// mlrt::import_ncnn: the network through Converter, framed by what its program does around it.
#include "engine/ncnn/import.hpp"

#include <fmt/core.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "engine/ncnn/convert.hpp"
#include "engine/ncnn/param.hpp"
#include "engine/ncnn/weights.hpp"
#include "engine/onnx_builder.hpp"
#include "mlrt/error.hpp"
#include "mlrt/ncnn.hpp"
#include "mlrt/version.hpp"

namespace mlrt {

namespace {

using detail::add_initializer;
using detail::add_node;
using detail::int64_tensor;
using detail::raw_float_tensor;

constexpr int kOpset = 17;

std::string read_file(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorKind::Io, fmt::format("cannot read the ncnn {} '{}': no such file or no "
                                               "permission",
                                               what, path));
    std::ostringstream data;
    data << in.rdbuf();
    return data.str();
}

// The pre- and post-processing of NcnnFraming, as nodes around the network.
class Framing {
  public:
    Framing(onnx::GraphProto& g, const NcnnFraming& f) : g_(g), f_(f) {}

    bool pads() const { return f_.prepadding > 0 || f_.size_multiple > 1; }

    // "input" → the network's input tensor.
    std::string before(const std::string& x) {
        std::string y = x;
        if (f_.bgr) y = reverse_channels(y);
        y = affine(y, f_.input_scale, f_.input_offset);
        network_input_ = y;
        if (!pads()) return y;
        // hw = the input's height and width; padded = hw + 2p rounded up to the multiple.
        hw_ = fresh("hw");
        node("Slice", {shape_of(x), i64({2}), i64({4})}, hw_);
        const std::string grown = fresh("grown");
        node("Add", {hw_, i64({2LL * f_.prepadding, 2LL * f_.prepadding})}, grown);
        const std::string m = i64({f_.size_multiple, f_.size_multiple});
        const std::string rem = fresh("rem");
        node("Mod", {grown, m}, rem);
        const std::string short_of = fresh("short");
        node("Sub", {m, rem}, short_of);
        const std::string extra = fresh("extra");
        node("Mod", {short_of, m}, extra);
        padded_ = fresh("padded_hw");
        node("Add", {grown, extra}, padded_);
        // The border by gathering rows and columns: ONNX's Pad refuses a reflected border wider
        // than the picture, which small frames and tiles have.
        const std::string limits = fresh("limits");
        node("Add", {hw_, extra}, limits);
        std::string out = y;
        for (std::int64_t axis : {2, 3}) {
            const std::string index =
                border_index(scalar_at(hw_, axis - 2), scalar_at(limits, axis - 2));
            const std::string gathered = fresh("bordered");
            set_int(node("Gather", {out, index}, gathered), "axis", axis);
            out = gathered;
        }
        return out;
    }

    // The network's output → "output".
    void after(const std::string& x) {
        std::string y = x;
        if (pads()) {
            // The network may eat a border of b output pixels on each side: b = (s·padded −
            // out) / 2, so input pixel (p, p) lands at s·p − b.
            const std::string out_hw = fresh("out_hw");
            node("Slice", {shape_of(x), i64({2}), i64({4})}, out_hw);
            const std::string full = fresh("full");
            node("Mul", {padded_, i64({f_.scale, f_.scale})}, full);
            const std::string eaten = fresh("eaten");
            node("Sub", {full, out_hw}, eaten);
            const std::string border = fresh("border");
            node("Div", {eaten, i64({2, 2})}, border);
            const std::string start = fresh("start");
            node("Sub",
                 {i64({1LL * f_.scale * f_.prepadding, 1LL * f_.scale * f_.prepadding}), border},
                 start);
            const std::string size = fresh("size");
            node("Mul", {hw_, i64({f_.scale, f_.scale})}, size);
            const std::string end = fresh("end");
            node("Add", {start, size}, end);
            const std::string cropped = fresh("cropped");
            node("Slice", {y, start, end, i64({2, 3})}, cropped);
            y = cropped;
        }
        if (f_.add_input) {
            const std::string up = fresh("input_upscaled");
            auto& resize = node("Resize", {network_input_, "", scales()}, up);
            detail::set_string(resize, "mode", "nearest");
            detail::set_string(resize, "coordinate_transformation_mode", "asymmetric");
            detail::set_string(resize, "nearest_mode", "floor");
            const std::string sum = fresh("with_input");
            node("Add", {y, up}, sum);
            y = sum;
        }
        y = affine(y, f_.output_scale, f_.output_offset);
        if (f_.bgr) y = reverse_channels(y);
        node("Identity", {y}, "output");
    }

  private:
    std::string fresh(const std::string& hint) { return fmt::format("frame/{}_{}", hint, ++n_); }
    std::string i64(const std::vector<std::int64_t>& v) {
        std::string name = fresh("const");
        add_initializer(g_, int64_tensor(name, {static_cast<std::int64_t>(v.size())}, v));
        return name;
    }
    std::string scalar(std::int64_t v) {
        std::string name = fresh("const");
        add_initializer(g_, int64_tensor(name, {}, {v}));
        return name;
    }
    std::string scalar_at(const std::string& vector, std::int64_t i) {
        std::string out = fresh("item");
        set_int(node("Gather", {vector, scalar(i)}, out), "axis", 0);
        return out;
    }
    // The source row of each row of the bordered picture, for a picture of n rows and a padded
    // one of p + limit + p rows: mirrored without repeating the edge (ncnn's reflect, folded
    // again past the far edge, as numpy's reflect does), or the edge repeated.
    std::string border_index(const std::string& n, const std::string& limit) {
        const std::string end = fresh("end");
        node("Add", {limit, scalar(f_.prepadding)}, end);
        const std::string r = fresh("range");
        node("Range", {scalar(-f_.prepadding), end, scalar(1)}, r);
        const std::string last = fresh("last");
        node("Sub", {n, scalar(1)}, last);
        std::string index = fresh("index");
        if (f_.pad_mode == NcnnPadMode::Edge) {
            const std::string low = fresh("low");
            node("Max", {r, scalar(0)}, low);
            node("Min", {low, last}, index);
            return index;
        }
        const std::string twice = fresh("twice");
        node("Add", {last, last}, twice);
        const std::string period = fresh("period");
        node("Max", {twice, scalar(1)}, period);
        const std::string folded = fresh("folded");
        node("Mod", {r, period}, folded);
        const std::string off = fresh("off");
        node("Sub", {folded, last}, off);
        const std::string dist = fresh("dist");
        node("Abs", {off}, dist);
        node("Sub", {last, dist}, index);
        return index;
    }
    std::string scales() {
        std::string name = fresh("scales");
        const auto s = static_cast<float>(f_.scale);
        add_initializer(g_, raw_float_tensor(name, {4}, {1.f, 1.f, s, s}));
        return name;
    }
    std::string f32(float v) {
        std::string name = fresh("const");
        add_initializer(g_, raw_float_tensor(name, {}, {v}));
        return name;
    }
    onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& in,
                          const std::string& out) {
        return add_node(g_, op, in, {out}, fresh(op));
    }
    static void set_int(onnx::NodeProto& n, const char* name, std::int64_t v) {
        detail::set_int(n, name, v);
    }
    std::string shape_of(const std::string& x) {
        std::string s = fresh("shape");
        node("Shape", {x}, s);
        return s;
    }
    std::string reverse_channels(const std::string& x) {
        std::string y = fresh("swapped");
        set_int(node("Gather", {x, i64({2, 1, 0})}, y), "axis", 1);
        return y;
    }
    std::string affine(const std::string& x, float a, float b) {
        std::string y = x;
        if (a != 1.f) {
            const std::string z = fresh("scaled");
            node("Mul", {y, f32(a)}, z);
            y = z;
        }
        if (b != 0.f) {
            const std::string z = fresh("shifted");
            node("Add", {y, f32(b)}, z);
            y = z;
        }
        return y;
    }

    onnx::GraphProto& g_;
    const NcnnFraming& f_;
    std::string network_input_;
    std::string hw_;
    std::string padded_;
    int n_ = 0;
};

void check_framing(const NcnnFraming& f) {
    auto bad = [](const std::string& what) {
        throw Error(ErrorKind::InvalidArgument, "ncnn import: " + what);
    };
    if (f.scale < 1 || f.scale > 16) bad(fmt::format("scale {} is not 1..16", f.scale));
    if (f.prepadding < 0 || f.prepadding > 256)
        bad(fmt::format("prepadding {} is not 0..256", f.prepadding));
    if (f.size_multiple < 1 || f.size_multiple > 256)
        bad(fmt::format("size multiple {} is not 1..256", f.size_multiple));
    for (float v : {f.input_scale, f.input_offset, f.output_scale, f.output_offset})
        if (!std::isfinite(v)) bad("a scale or offset is not a finite number");
    if (f.input_scale == 0.f || f.output_scale == 0.f) bad("a scale of 0 loses the picture");
}

}  // namespace

NcnnImport import_ncnn(const std::string& param_path, const std::string& bin_path,
                       const NcnnFraming& framing) {
    check_framing(framing);
    std::string param = read_file(param_path, ".param file");  // the .param's problems first
    return detail::ncnn::import_from_memory(param, read_file(bin_path, ".bin file"), param_path,
                                            bin_path, framing);
}

namespace detail::ncnn {

NcnnImport import_from_memory(const std::string& param_text, std::string bin,
                              const std::string& param_path, const std::string& bin_path,
                              const NcnnFraming& framing) {
    check_framing(framing);
    const detail::ncnn::Param param = detail::ncnn::parse_param(param_text, param_path);
    detail::ncnn::WeightReader weights(std::move(bin), bin_path);

    onnx::ModelProto model = detail::make_model(kOpset, "mlrt import-ncnn", "ncnn");
    model.set_producer_version(version());
    onnx::GraphProto& g = *model.mutable_graph();
    *g.add_input() =
        detail::tensor_info("input", onnx::TensorProto::FLOAT, {1, 3, "height", "width"});

    Framing frame(g, framing);
    detail::ncnn::Converter converter(g, weights, param_path);
    converter.set_input(frame.before("input"));
    for (const auto& layer : param.layers) converter.convert(layer);
    if (weights.offset() != weights.size())
        throw Error(ErrorKind::InvalidModel,
                    fmt::format("{}: {} bytes are left after the last layer's weights: the .bin "
                                "does not belong to {}",
                                bin_path, weights.size() - weights.offset(), param_path));
    const detail::ncnn::Blob& out = converter.output();
    if (out.dims != 3 || (out.channels > 0 && out.channels != 3))
        throw Error(ErrorKind::InvalidModel,
                    fmt::format("{}: the network's output has {} channels ({}-D); mlrt imports "
                                "networks that give RGB",
                                param_path, out.channels, out.dims));
    frame.after(out.tensor);
    *g.add_output() =
        detail::tensor_info("output", onnx::TensorProto::FLOAT, {1, 3, "out_height", "out_width"});

    auto meta = [&](const std::string& key, const std::string& value) {
        auto* m = model.add_metadata_props();
        m->set_key(key);
        m->set_value(value);
    };
    meta("mlrt.ncnn.param", param_path);
    meta("mlrt.ncnn.framing",
         fmt::format("scale={} input={}x+{} output={}x+{} prepadding={} multiple={} pad={} "
                     "add_input={} bgr={}",
                     framing.scale, framing.input_scale, framing.input_offset, framing.output_scale,
                     framing.output_offset, framing.prepadding, framing.size_multiple,
                     framing.pad_mode == NcnnPadMode::Edge ? "edge" : "reflect",
                     framing.add_input ? 1 : 0, framing.bgr ? 1 : 0));

    // The framing pads to what the network needs, so the engine must not pad again.
    if (frame.pads()) meta("mlrt.size_multiple", "1");

    NcnnImport result;
    const auto types = converter.types();
    result.layer_types.assign(types.begin(), types.end());
    result.layers = static_cast<int>(param.layers.size());
    if (!model.SerializeToString(&result.onnx))
        throw Error(ErrorKind::InvalidModel,
                    param_path + ": the converted model cannot be serialized");
    return result;
}

}  // namespace detail::ncnn

}  // namespace mlrt
