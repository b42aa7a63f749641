#include "engine/ncnn/convert.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "engine/onnx_builder.hpp"
#include "mlrt/error.hpp"

namespace mlrt::detail::ncnn {

namespace {

constexpr int kSame = -233;  // ncnn's "as large as the input" / "the rest" marker
constexpr std::int64_t kToEnd = std::numeric_limits<std::int64_t>::max();

// A param's number as an integer; out-of-range values are clamped (a float cast past the
// integer's range is undefined), and the checks after refuse them.
std::int64_t to_i64(float v) {
    constexpr float limit = 4.0e18f;
    return std::isfinite(v) ? static_cast<std::int64_t>(std::clamp(v, -limit, limit)) : 0;
}
int to_int(float v) {
    return static_cast<int>(std::clamp<std::int64_t>(to_i64(v), -(1 << 30), 1 << 30));
}

// Sizes a kernel's weights can have: positive, the outputs in whole groups, and the weight
// count a whole number of (output, kernel) blocks. In 64 bits: the params are any int.
bool describes_kernel(std::int64_t out, std::int64_t kw, std::int64_t kh, std::int64_t group,
                      std::int64_t weights) {
    return out > 0 && kw > 0 && kh > 0 && kw <= 4096 && kh <= 4096 && group > 0 &&
           out % group == 0 && weights > 0 && weights % (out * kw * kh) == 0;
}

// The params Convolution and Deconvolution (and their DepthWise forms) share: output count,
// kernel, dilation, stride, padding (left, top, right, bottom; each side defaults to the one
// before it), group and weight count.
struct KernelParams {
    int num_output, kw, kh, dw, dh, sw, sh, pl, pt, pr, pb, group, weight_size;
};

KernelParams kernel_params(const ParamDict& p, bool depthwise) {
    KernelParams k{};
    k.num_output = p.get_int(0, 0);
    k.kw = p.get_int(1, 0);
    k.kh = p.get_int(11, k.kw);
    k.dw = p.get_int(2, 1);
    k.dh = p.get_int(12, k.dw);
    k.sw = p.get_int(3, 1);
    k.sh = p.get_int(13, k.sw);
    k.pl = p.get_int(4, 0);
    k.pt = p.get_int(14, k.pl);
    k.pr = p.get_int(15, k.pl);
    k.pb = p.get_int(16, k.pt);
    k.group = depthwise ? p.get_int(7, 1) : 1;
    k.weight_size = p.get_int(6, 0);
    return k;
}

std::int64_t product(const std::vector<std::int64_t>& dims) {
    std::int64_t p = 1;
    for (std::int64_t d : dims) p *= d;
    return p;
}

}  // namespace

const std::map<std::string, Converter::Handler>& Converter::handlers() {
    static const std::map<std::string, Handler> table = {
        {"Input", &Converter::input},
        {"Split", &Converter::split},
        {"Noop", &Converter::identity},
        {"Dropout", &Converter::identity},
        {"Convolution", &Converter::convolution},
        {"ConvolutionDepthWise", &Converter::convolution},
        {"Deconvolution", &Converter::deconvolution},
        {"DeconvolutionDepthWise", &Converter::deconvolution},
        {"InnerProduct", &Converter::inner_product},
        {"ReLU", &Converter::activation},
        {"Sigmoid", &Converter::activation},
        {"TanH", &Converter::activation},
        {"Clip", &Converter::activation},
        {"ELU", &Converter::activation},
        {"HardSigmoid", &Converter::activation},
        {"HardSwish", &Converter::activation},
        {"Swish", &Converter::activation},
        {"Mish", &Converter::activation},
        {"PReLU", &Converter::prelu},
        {"BatchNorm", &Converter::batch_norm},
        {"BinaryOp", &Converter::binary_op},
        {"Eltwise", &Converter::eltwise},
        {"Scale", &Converter::scale},
        {"Interp", &Converter::interp},
        {"PixelShuffle", &Converter::pixel_shuffle},
        {"Concat", &Converter::concat},
        {"Slice", &Converter::slice},
        {"Crop", &Converter::crop},
        {"Padding", &Converter::padding},
        {"Pooling", &Converter::pooling},
        {"Reduction", &Converter::reduction},
        {"Softmax", &Converter::softmax},
        {"Flatten", &Converter::flatten},
        {"MemoryData", &Converter::memory_data},
    };
    return table;
}

void Converter::refuse(const Layer& layer, const std::string& why) const {
    throw Error(ErrorKind::InvalidModel, fmt::format("{}:{}: layer '{}' of type {}: {}", path_,
                                                     layer.line, layer.name, layer.type, why));
}

void Converter::convert(const Layer& layer) {
    const auto& table = handlers();
    const auto it = table.find(layer.type);
    if (it == table.end()) {
        std::string known;
        for (const auto& [type, handler] : table) known += (known.empty() ? "" : ", ") + type;
        refuse(layer, "mlrt cannot convert this layer type (it converts " + known + ")");
    }
    types_.insert(layer.type);
    (this->*(it->second))(layer);
}

const Blob& Converter::in(const Layer& layer, std::size_t i) const {
    if (i >= layer.inputs.size())
        refuse(layer,
               fmt::format("it has {} input(s); it needs at least {}", layer.inputs.size(), i + 1));
    const auto it = blobs_.find(layer.inputs[i]);
    if (it == blobs_.end())
        refuse(layer, fmt::format("its input blob '{}' is not produced by an earlier layer",
                                  layer.inputs[i]));
    return it->second;
}

void Converter::expect_io(const Layer& layer, std::size_t inputs, std::size_t outputs) const {
    if (layer.inputs.size() != inputs || layer.outputs.size() != outputs)
        refuse(layer,
               fmt::format("it has {} inputs and {} outputs; mlrt converts it with {} and {}",
                           layer.inputs.size(), layer.outputs.size(), inputs, outputs));
}

void Converter::define(const Layer& layer, std::size_t i, Blob blob) {
    for (const std::string& name : layer.inputs) consumed_.insert(name);
    if (i >= layer.outputs.size())
        refuse(layer, fmt::format("it has {} output(s); it needs at least {}", layer.outputs.size(),
                                  i + 1));
    const std::string& name = layer.outputs[i];
    if (blobs_.count(name) != 0) refuse(layer, fmt::format("blob '{}' is produced twice", name));
    blobs_[name] = std::move(blob);
}

const Blob& Converter::output() const {
    std::vector<std::string> open;
    for (const auto& [name, blob] : blobs_)
        if (consumed_.count(name) == 0) open.push_back(name);
    if (open.size() != 1) {
        std::string names;
        for (const std::string& n : open) names += (names.empty() ? "" : ", ") + n;
        throw Error(ErrorKind::InvalidModel,
                    fmt::format("{}: the network has {} unconsumed blobs ({}); mlrt imports "
                                "networks with one output",
                                path_, open.size(), names.empty() ? "none" : names));
    }
    return blobs_.at(open.front());
}

std::string Converter::fresh(const std::string& hint) {
    return fmt::format("{}__{}", hint, ++counter_);
}

std::string Converter::constant(const std::vector<std::int64_t>& dims,
                                const std::vector<float>& values) {
    std::string name = fresh("const");
    add_initializer(g_, raw_float_tensor(name, dims, values));
    return name;
}

std::string Converter::constant_i64(const std::vector<std::int64_t>& values) {
    std::string name = fresh("const");
    add_initializer(g_, int64_tensor(name, {static_cast<std::int64_t>(values.size())}, values));
    return name;
}

onnx::NodeProto& Converter::node(const std::string& op, const std::vector<std::string>& inputs,
                                 const std::string& output, const Layer& layer) {
    return add_node(g_, op, inputs, {output}, fresh(layer.name + "/" + op));
}

int Converter::onnx_axis(const Layer& layer, int axis, int dims) const {
    const int a = axis < 0 ? axis + dims : axis;
    if (a < 0 || a >= dims)
        refuse(layer, fmt::format("axis {} is outside its {}-D input", axis, dims));
    return dims == 1 ? 1 : a + 1;
}

// ncnn's fused activations (param 9 of Convolution, InnerProduct…), and the stand-alone layers.
std::string Converter::activate(const Layer& layer, const std::string& x, int type,
                                const std::vector<float>& params) {
    auto param = [&](std::size_t i, float fallback) {
        return i < params.size() ? params[i] : fallback;
    };
    std::string y = fresh(layer.name + "/act");
    switch (type) {
        case 0:
            return x;
        case 1:
            node("Relu", {x}, y, layer);
            return y;
        case 2:
            set_float(node("LeakyRelu", {x}, y, layer), "alpha", param(0, 0.f));
            return y;
        case 3:
            node("Clip",
                 {x, constant({}, {param(0, -INFINITY)}), constant({}, {param(1, INFINITY)})}, y,
                 layer);
            return y;
        case 4:
            node("Sigmoid", {x}, y, layer);
            return y;
        case 5: {  // mish: x * tanh(softplus(x))
            const std::string sp = fresh(layer.name + "/softplus");
            node("Softplus", {x}, sp, layer);
            const std::string t = fresh(layer.name + "/tanh");
            node("Tanh", {sp}, t, layer);
            node("Mul", {x, t}, y, layer);
            return y;
        }
        case 6: {  // hardswish: x * clip(alpha x + beta, 0, 1)
            const std::string h = fresh(layer.name + "/hardsigmoid");
            auto& hs = node("HardSigmoid", {x}, h, layer);
            set_float(hs, "alpha", param(0, 0.2f));
            set_float(hs, "beta", param(1, 0.5f));
            node("Mul", {x, h}, y, layer);
            return y;
        }
        default:
            refuse(layer, fmt::format("activation type {} is not one of ncnn's 0..6", type));
    }
}

void Converter::input(const Layer& layer) {
    expect_io(layer, 0, 1);
    if (input_.empty()) refuse(layer, "the network has more than one Input layer");
    define(layer, 0, Blob{input_, 3, 3});
    input_.clear();
}

void Converter::split(const Layer& layer) {
    if (layer.inputs.size() != 1 || layer.outputs.empty()) expect_io(layer, 1, 1);
    const Blob source = in(layer, 0);
    for (std::size_t i = 0; i < layer.outputs.size(); ++i) define(layer, i, source);
}

void Converter::identity(const Layer& layer) {
    expect_io(layer, 1, 1);
    const Blob source = in(layer, 0);
    const float scale = layer.type == "Dropout" ? layer.params.get_float(0, 1.f) : 1.f;
    if (scale == 1.f) {
        define(layer, 0, source);
        return;
    }
    Blob out = source;
    out.tensor = scale_shift(layer, source.tensor, {scale}, {});
    define(layer, 0, out);
}

// x * a + b, with a and b per channel (or one value); an empty b adds nothing.
std::string Converter::scale_shift(const Layer& layer, const std::string& x,
                                   const std::vector<float>& a, const std::vector<float>& b) {
    auto shape = [](const std::vector<float>& v) {
        return v.size() == 1
                   ? std::vector<std::int64_t>{}
                   : std::vector<std::int64_t>{1, static_cast<std::int64_t>(v.size()), 1, 1};
    };
    std::string y = fresh(layer.name + "/mul");
    node("Mul", {x, constant(shape(a), a)}, y, layer);
    if (b.empty()) return y;
    std::string z = fresh(layer.name + "/add");
    node("Add", {y, constant(shape(b), b)}, z, layer);
    return z;
}

void Converter::convolution(const Layer& layer) {
    expect_io(layer, 1, 1);
    const ParamDict& p = layer.params;
    const auto [num_output, kw, kh, dw, dh, sw, sh, pl, pt, pr, pb, group, weight_size] =
        kernel_params(p, layer.type.ends_with("DepthWise"));
    if (p.get_int(8, 0) != 0)
        refuse(layer, "it is int8-quantized (param 8); mlrt imports float models");
    if (p.get_int(19, 0) != 0) refuse(layer, "it takes its weights as an input (dynamic weights)");
    if (!describes_kernel(num_output, kw, kh, group, weight_size))
        refuse(layer, fmt::format("num_output {}, kernel {}x{}, group {} and weight_data_size {} "
                                  "do not describe a convolution",
                                  num_output, kw, kh, group, weight_size));
    if (p.get_float(18, 0.f) != 0.f && (pl > 0 || pt > 0 || pr > 0 || pb > 0))
        refuse(layer, "it pads with a value other than zero (param 18)");
    const std::int64_t in_per_group = weight_size / (std::int64_t{num_output} * kw * kh);
    const Blob& x = in(layer, 0);
    if (x.channels > 0 && x.channels != in_per_group * group)
        refuse(layer, fmt::format("its weights are for {} input channels, its input has {}",
                                  in_per_group * group, x.channels));

    const std::vector<float> weight = w_.tagged(weight_size, "the weights of " + layer.name);
    const std::string weight_name = constant({num_output, in_per_group, kh, kw}, weight);
    std::vector<std::string> inputs{x.tensor, weight_name};
    if (p.get_int(5, 0) != 0)
        inputs.push_back(constant({num_output}, w_.raw(num_output, "the bias of " + layer.name)));

    const std::string y = fresh(layer.name);
    auto& conv = node("Conv", inputs, y, layer);
    set_ints(conv, "kernel_shape", {kh, kw});
    set_ints(conv, "strides", {sh, sw});
    set_ints(conv, "dilations", {dh, dw});
    if (pl == -233 || pl == -234)
        set_string(conv, "auto_pad", pl == -233 ? "SAME_UPPER" : "SAME_LOWER");
    else if (pl < 0 || pt < 0 || pr < 0 || pb < 0)
        refuse(layer, fmt::format("padding {} {} {} {} is not supported", pl, pt, pr, pb));
    else
        set_ints(conv, "pads", {pt, pl, pb, pr});
    if (group != 1) set_int(conv, "group", group);
    define(layer, 0, Blob{activate(layer, y, p.get_int(9, 0), p.get_array(10)), 3, num_output});
}

void Converter::deconvolution(const Layer& layer) {
    expect_io(layer, 1, 1);
    const ParamDict& p = layer.params;
    const auto [num_output, kw, kh, dw, dh, sw, sh, pl, pt, pr, pb, group, weight_size] =
        kernel_params(p, layer.type.ends_with("DepthWise"));
    const int opr = p.get_int(18, 0);
    const int opb = p.get_int(19, opr);
    if (p.get_int(20, 0) > 0 || p.get_int(21, 0) > 0)
        refuse(layer, "it sets a fixed output size (params 20, 21)");
    if (p.get_int(28, 0) != 0) refuse(layer, "it takes its weights as an input (dynamic weights)");
    if (pl < 0 || pt < 0 || pr < 0 || pb < 0 || opr < 0 || opb < 0)
        refuse(layer, fmt::format("padding {} {} {} {} is not supported", pl, pt, pr, pb));
    if (!describes_kernel(num_output, kw, kh, group, weight_size))
        refuse(layer, fmt::format("num_output {}, kernel {}x{}, group {} and weight_data_size {} "
                                  "do not describe a deconvolution",
                                  num_output, kw, kh, group, weight_size));
    const std::int64_t in_per_group = weight_size / (std::int64_t{num_output} * kw * kh);
    const std::int64_t out_per_group = num_output / group;
    const Blob& x = in(layer, 0);
    if (x.channels > 0 && x.channels != in_per_group * group)
        refuse(layer, fmt::format("its weights are for {} input channels, its input has {}",
                                  in_per_group * group, x.channels));

    // ncnn keeps [group][out][in][kh][kw]; ONNX's ConvTranspose wants [group·in][out][kh][kw].
    const std::vector<float> weight = w_.tagged(weight_size, "the weights of " + layer.name);
    std::vector<float> onnx_weight(weight.size());
    const std::int64_t k = static_cast<std::int64_t>(kw) * kh;
    for (std::int64_t gi = 0; gi < group; ++gi)
        for (std::int64_t o = 0; o < out_per_group; ++o)
            for (std::int64_t i = 0; i < in_per_group; ++i)
                std::copy_n(
                    weight.begin() + ((gi * out_per_group + o) * in_per_group + i) * k, k,
                    onnx_weight.begin() + ((gi * in_per_group + i) * out_per_group + o) * k);
    std::vector<std::string> inputs{
        x.tensor, constant({in_per_group * group, out_per_group, kh, kw}, onnx_weight)};
    if (p.get_int(5, 0) != 0)
        inputs.push_back(constant({num_output}, w_.raw(num_output, "the bias of " + layer.name)));

    const std::string y = fresh(layer.name);
    auto& deconv = node("ConvTranspose", inputs, y, layer);
    set_ints(deconv, "kernel_shape", {kh, kw});
    set_ints(deconv, "strides", {sh, sw});
    set_ints(deconv, "dilations", {dh, dw});
    set_ints(deconv, "pads", {pt, pl, pb, pr});
    if (opr != 0 || opb != 0) set_ints(deconv, "output_padding", {opb, opr});
    if (group != 1) set_int(deconv, "group", group);
    define(layer, 0, Blob{activate(layer, y, p.get_int(9, 0), p.get_array(10)), 3, num_output});
}

void Converter::inner_product(const Layer& layer) {
    expect_io(layer, 1, 1);
    const ParamDict& p = layer.params;
    const int num_output = p.get_int(0, 0);
    const int weight_size = p.get_int(2, 0);
    if (p.get_int(8, 0) != 0)
        refuse(layer, "it is int8-quantized (param 8); mlrt imports float models");
    if (num_output <= 0 || weight_size <= 0 || weight_size % num_output != 0)
        refuse(layer, fmt::format("num_output {} and weight_data_size {} do not describe an "
                                  "inner product",
                                  num_output, weight_size));
    const std::int64_t inputs_count = weight_size / num_output;
    const Blob& x = in(layer, 0);
    if (x.dims == 1 && x.channels > 0 && x.channels != inputs_count)
        refuse(layer, fmt::format("its weights are for {} inputs, its input has {}", inputs_count,
                                  x.channels));
    // ncnn flattens a 3-D input in (c, h, w) order, as ONNX's Flatten does with NCHW.
    const std::string flat = fresh(layer.name + "/flat");
    set_int(node("Flatten", {x.tensor}, flat, layer), "axis", 1);
    std::vector<std::string> inputs{
        flat, constant({num_output, inputs_count},
                       w_.tagged(weight_size, "the weights of " + layer.name))};
    if (p.get_int(1, 0) != 0)
        inputs.push_back(constant({num_output}, w_.raw(num_output, "the bias of " + layer.name)));
    const std::string gemm = fresh(layer.name);
    set_int(node("Gemm", inputs, gemm, layer), "transB", 1);
    const std::string y = fresh(layer.name + "/vector");
    node("Reshape", {gemm, constant_i64({1, -1, 1, 1})}, y, layer);
    define(layer, 0, Blob{activate(layer, y, p.get_int(9, 0), p.get_array(10)), 1, num_output});
}

void Converter::activation(const Layer& layer) {
    expect_io(layer, 1, 1);
    const ParamDict& p = layer.params;
    Blob out = in(layer, 0);
    const std::string x = out.tensor;  // a copy: out.tensor is replaced below
    const std::string& type = layer.type;
    if (type == "ReLU") {
        const float slope = p.get_float(0, 0.f);
        out.tensor = slope == 0.f ? activate(layer, x, 1, {}) : activate(layer, x, 2, {slope});
    } else if (type == "Sigmoid") {
        out.tensor = activate(layer, x, 4, {});
    } else if (type == "Clip") {
        out.tensor = activate(layer, x, 3, {p.get_float(0, -INFINITY), p.get_float(1, INFINITY)});
    } else if (type == "Mish") {
        out.tensor = activate(layer, x, 5, {});
    } else if (type == "HardSwish") {
        out.tensor = activate(layer, x, 6, {p.get_float(0, 0.2f), p.get_float(1, 0.5f)});
    } else if (type == "TanH") {
        out.tensor = unary(layer, "Tanh");
    } else if (type == "ELU") {
        out.tensor = fresh(layer.name);
        set_float(node("Elu", {x}, out.tensor, layer), "alpha", p.get_float(0, 0.1f));
    } else if (type == "HardSigmoid") {
        out.tensor = fresh(layer.name);
        auto& hs = node("HardSigmoid", {x}, out.tensor, layer);
        set_float(hs, "alpha", p.get_float(0, 0.2f));
        set_float(hs, "beta", p.get_float(1, 0.5f));
    } else {  // Swish: x * sigmoid(x)
        const std::string s = unary(layer, "Sigmoid");
        out.tensor = fresh(layer.name);
        node("Mul", {x, s}, out.tensor, layer);
    }
    define(layer, 0, out);
}

std::string Converter::unary(const Layer& layer, const std::string& op) {
    std::string y = fresh(layer.name + "/" + op);
    node(op, {in(layer, 0).tensor}, y, layer);
    return y;
}

void Converter::prelu(const Layer& layer) {
    expect_io(layer, 1, 1);
    const int count = layer.params.get_int(0, 0);
    if (count <= 0) refuse(layer, fmt::format("num_slope {} is not positive", count));
    Blob out = in(layer, 0);
    if (count != 1 && out.channels > 0 && out.channels != count)
        refuse(layer, fmt::format("it has {} slopes for {} channels", count, out.channels));
    const std::vector<float> slope = w_.raw(count, "the slopes of " + layer.name);
    const std::string slopes = count == 1 ? constant({1}, slope) : constant({count, 1, 1}, slope);
    const std::string x = out.tensor;
    out.tensor = fresh(layer.name);
    node("PRelu", {x, slopes}, out.tensor, layer);
    define(layer, 0, out);
}

void Converter::batch_norm(const Layer& layer) {
    expect_io(layer, 1, 1);
    const int channels = layer.params.get_int(0, 0);
    const float eps = layer.params.get_float(1, 0.f);
    if (channels <= 0) refuse(layer, fmt::format("channels {} is not positive", channels));
    const auto slope = w_.raw(channels, "the slopes of " + layer.name);
    const auto mean = w_.raw(channels, "the means of " + layer.name);
    const auto var = w_.raw(channels, "the variances of " + layer.name);
    const auto bias = w_.raw(channels, "the biases of " + layer.name);
    std::vector<float> a(channels);
    std::vector<float> b(channels);
    for (int c = 0; c < channels; ++c) {
        a[c] = slope[c] / std::sqrt(var[c] + eps);
        b[c] = bias[c] - mean[c] * a[c];
    }
    Blob out = in(layer, 0);
    out.tensor = scale_shift(layer, out.tensor, a, b);
    define(layer, 0, out);
}

void Converter::binary_op(const Layer& layer) {
    const ParamDict& p = layer.params;
    const int op = p.get_int(0, 0);
    const bool with_scalar = p.get_int(1, 0) != 0;
    expect_io(layer, with_scalar ? 1 : 2, 1);
    static const char* const ops[] = {"Add", "Sub", "Mul", "Div", "Max",
                                      "Min", "Pow", "Sub", "Div", "Pow"};
    if (op < 0 || op > 9)
        refuse(layer, fmt::format("operation {} is not one mlrt converts (0..9: add, sub, mul, "
                                  "div, max, min, pow and the reversed sub, div, pow)",
                                  op));
    const Blob& a = in(layer, 0);
    Blob out = a;
    std::string b;
    if (with_scalar) {
        b = constant({}, {p.get_float(2, 0.f)});
    } else {
        const Blob& second = in(layer, 1);
        b = second.tensor;
        if (second.dims > a.dims) out = second;
    }
    std::vector<std::string> inputs{a.tensor, b};
    if (op >= 7) std::swap(inputs[0], inputs[1]);  // rsub, rdiv, rpow: b op a
    out.tensor = fresh(layer.name);
    node(ops[op], inputs, out.tensor, layer);
    define(layer, 0, out);
}

void Converter::eltwise(const Layer& layer) {
    if (layer.inputs.size() < 2) expect_io(layer, 2, 1);
    expect_io(layer, layer.inputs.size(), 1);
    const int op = layer.params.get_int(0, 0);
    const std::vector<float> coeffs = layer.params.get_array(1);
    if (op < 0 || op > 2)
        refuse(layer, fmt::format("operation {} is not 0 (prod), 1 (sum) or 2 (max)", op));
    if (!coeffs.empty() && coeffs.size() != layer.inputs.size())
        refuse(layer, fmt::format("it has {} coefficients for {} inputs", coeffs.size(),
                                  layer.inputs.size()));
    std::vector<std::string> terms;
    for (std::size_t i = 0; i < layer.inputs.size(); ++i) {
        std::string t = in(layer, i).tensor;
        if (op == 1 && !coeffs.empty() && coeffs[i] != 1.f)
            t = scale_shift(layer, t, {coeffs[i]}, {});
        terms.push_back(t);
    }
    Blob out = in(layer, 0);
    out.tensor = fresh(layer.name);
    static const char* const ops[] = {"Mul", "Sum", "Max"};
    if (op == 0) {  // Mul takes two inputs: chain them
        std::string acc = terms[0];
        for (std::size_t i = 1; i < terms.size(); ++i) {
            const std::string next = i + 1 == terms.size() ? out.tensor : fresh(layer.name);
            node("Mul", {acc, terms[i]}, next, layer);
            acc = next;
        }
    } else {
        node(ops[op], terms, out.tensor, layer);
    }
    define(layer, 0, out);
}

void Converter::scale(const Layer& layer) {
    const ParamDict& p = layer.params;
    const int size = p.get_int(0, 0);
    const bool bias = p.get_int(1, 0) != 0;
    Blob out = in(layer, 0);
    if (size == kSame) {  // the scale is the second input
        expect_io(layer, 2, 1);
        if (bias) refuse(layer, "it takes its scale as an input and has a bias term");
        const std::string x = out.tensor;
        out.tensor = fresh(layer.name);
        node("Mul", {x, in(layer, 1).tensor}, out.tensor, layer);
        define(layer, 0, out);
        return;
    }
    expect_io(layer, 1, 1);
    if (size <= 0) refuse(layer, fmt::format("scale_data_size {} is not positive", size));
    const auto a = w_.raw(size, "the scales of " + layer.name);
    const auto b = bias ? w_.raw(size, "the biases of " + layer.name) : std::vector<float>{};
    out.tensor = scale_shift(layer, out.tensor, a, b);
    define(layer, 0, out);
}

void Converter::interp(const Layer& layer) {
    expect_io(layer, 1, 1);
    const ParamDict& p = layer.params;
    const int type = p.get_int(0, 0);
    const float hs = p.get_float(1, 1.f);
    const float ws = p.get_float(2, 1.f);
    const int oh = p.get_int(3, 0);
    const int ow = p.get_int(4, 0);
    const bool align = p.get_int(6, 0) != 0;
    if (p.get_int(5, 0) != 0) refuse(layer, "it takes its output size from a second input");
    if (type < 1 || type > 3)
        refuse(layer,
               fmt::format("resize type {} is not 1 (nearest), 2 (bilinear) or 3 (bicubic)", type));
    Blob out = in(layer, 0);
    if (out.dims != 3) refuse(layer, "it resizes a 1-D blob");
    std::vector<std::string> inputs{out.tensor, ""};
    if (oh > 0 || ow > 0) {
        if (oh <= 0 || ow <= 0) refuse(layer, "it sets one of the output height and width only");
        const std::string shape = fresh(layer.name + "/shape");
        node("Shape", {out.tensor}, shape, layer);
        const std::string nc = fresh(layer.name + "/nc");
        node("Slice", {shape, constant_i64({0}), constant_i64({2})}, nc, layer);
        const std::string sizes = fresh(layer.name + "/sizes");
        set_int(node("Concat", {nc, constant_i64({oh, ow})}, sizes, layer), "axis", 0);
        inputs.push_back("");
        inputs.push_back(sizes);
    } else {
        if (!(hs > 0.f) || !(ws > 0.f))
            refuse(layer, fmt::format("scales {} x {} are not positive", hs, ws));
        inputs.push_back(constant({4}, {1.f, 1.f, hs, ws}));
    }
    out.tensor = fresh(layer.name);
    auto& resize = node("Resize", inputs, out.tensor, layer);
    // ncnn's nearest is floor(dst · in/out); its bilinear and bicubic sample at half-pixel
    // centres (or aligned corners) and clamp at the edges, bicubic with A = -0.75.
    if (type == 1) {
        set_string(resize, "mode", "nearest");
        set_string(resize, "coordinate_transformation_mode", "asymmetric");
        set_string(resize, "nearest_mode", "floor");
    } else {
        set_string(resize, "mode", type == 2 ? "linear" : "cubic");
        set_string(resize, "coordinate_transformation_mode",
                   align ? "align_corners" : "half_pixel");
        if (type == 3) set_float(resize, "cubic_coeff_a", -0.75f);
    }
    define(layer, 0, out);
}

void Converter::pixel_shuffle(const Layer& layer) {
    expect_io(layer, 1, 1);
    const int r = layer.params.get_int(0, 1);
    const int mode = layer.params.get_int(1, 0);
    Blob out = in(layer, 0);
    if (r <= 0 || r > 64) refuse(layer, fmt::format("upscale factor {} is not 1..64", r));
    if (out.channels > 0 && out.channels % (r * r) != 0)
        refuse(layer, fmt::format("{} channels do not divide by {}", out.channels, r * r));
    const std::string x = out.tensor;
    out.tensor = fresh(layer.name);
    auto& d2s = node("DepthToSpace", {x}, out.tensor, layer);
    set_int(d2s, "blocksize", r);
    // Mode 0 is PyTorch's pixel_shuffle: output channel c takes inputs c·r² + (y·r + x).
    set_string(d2s, "mode", mode == 0 ? "CRD" : "DCR");
    if (out.channels > 0) out.channels /= r * r;
    define(layer, 0, out);
}

void Converter::concat(const Layer& layer) {
    if (layer.inputs.empty()) expect_io(layer, 1, 1);
    expect_io(layer, layer.inputs.size(), 1);
    Blob out = in(layer, 0);
    const int axis = onnx_axis(layer, layer.params.get_int(0, 0), out.dims);
    std::vector<std::string> inputs;
    int channels = 0;
    for (std::size_t i = 0; i < layer.inputs.size(); ++i) {
        const Blob& b = in(layer, i);
        if (b.dims != out.dims) refuse(layer, "its inputs differ in rank");
        inputs.push_back(b.tensor);
        channels = channels < 0 || b.channels < 0 ? -1 : channels + b.channels;
    }
    if (axis == 1) out.channels = channels;
    out.tensor = fresh(layer.name);
    set_int(node("Concat", inputs, out.tensor, layer), "axis", axis);
    define(layer, 0, out);
}

void Converter::slice(const Layer& layer) {
    if (layer.inputs.size() != 1 || layer.outputs.empty()) expect_io(layer, 1, 1);
    const Blob& x = in(layer, 0);
    const std::vector<float> slices = layer.params.get_array(0);
    const int axis = onnx_axis(layer, layer.params.get_int(1, 0), x.dims);
    if (slices.size() != layer.outputs.size())
        refuse(layer,
               fmt::format("it has {} slices for {} outputs", slices.size(), layer.outputs.size()));
    const bool even = std::all_of(slices.begin(), slices.end(), [](float s) { return s == kSame; });
    std::vector<std::int64_t> sizes;
    if (!even) {
        std::int64_t known = 0;
        int rest = -1;
        for (std::size_t i = 0; i < slices.size(); ++i) {
            if (slices[i] == kSame) {
                if (rest >= 0) refuse(layer, "more than one slice takes 'the rest' (-233)");
                rest = static_cast<int>(i);
            } else {
                known += to_i64(slices[i]);
            }
            sizes.push_back(to_i64(slices[i]));
        }
        if (rest >= 0) {
            if (axis != 1 || x.channels < 0)
                refuse(layer,
                       "a slice takes 'the rest' (-233) of an axis whose size is not known "
                       "while converting");
            sizes[rest] = x.channels - known;
        }
    }
    std::vector<std::string> outputs;
    for (const std::string& name : layer.outputs) outputs.push_back(fresh(layer.name + "/" + name));
    std::vector<std::string> inputs{x.tensor};
    if (!even) inputs.push_back(constant_i64(sizes));
    auto& split = add_node(g_, "Split", inputs, outputs, fresh(layer.name + "/Split"));
    set_int(split, "axis", axis);
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        Blob out = x;
        out.tensor = outputs[i];
        if (axis == 1)
            out.channels =
                even ? (x.channels > 0 ? x.channels / static_cast<int>(outputs.size()) : -1)
                     : static_cast<int>(sizes[i]);
        define(layer, i, out);
    }
}

void Converter::crop(const Layer& layer) {
    const ParamDict& p = layer.params;
    Blob out = in(layer, 0);
    const std::string x = out.tensor;
    std::vector<std::string> inputs{x};
    if (p.has(9)) {  // starts (-23309), ends (-23310), axes (-23311)
        expect_io(layer, 1, 1);
        const std::vector<float> starts = p.get_array(9);
        const std::vector<float> ends = p.get_array(10);
        std::vector<float> axes = p.get_array(11);
        if (axes.empty())
            for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<float>(i));
        if (ends.size() != starts.size() || axes.size() != starts.size())
            refuse(layer, "its starts, ends and axes differ in length");
        std::vector<std::int64_t> s;
        std::vector<std::int64_t> e;
        std::vector<std::int64_t> a;
        for (std::size_t i = 0; i < starts.size(); ++i) {
            s.push_back(to_i64(starts[i]));
            e.push_back(ends[i] == kSame ? kToEnd : to_i64(ends[i]));
            a.push_back(onnx_axis(layer, to_int(axes[i]), out.dims));
            if (a.back() == 1) out.channels = -1;
        }
        inputs.insert(inputs.end(), {constant_i64(s), constant_i64(e), constant_i64(a)});
    } else {
        // Offsets (w 0, h 1, c 2), with the size of a reference blob or of params 3..5 / 6..8.
        const std::vector<std::int64_t> offsets{p.get_int(2, 0), p.get_int(1, 0), p.get_int(0, 0)};
        const std::vector<std::int64_t> axes{1, 2, 3};
        if (out.dims != 3) refuse(layer, "it crops a 1-D blob by offsets");
        const std::string starts = constant_i64(offsets);
        std::string ends;
        if (layer.inputs.size() == 2) {
            expect_io(layer, 2, 1);
            const Blob& ref = in(layer, 1);
            const std::string shape = fresh(layer.name + "/shape");
            node("Shape", {ref.tensor}, shape, layer);
            const std::string size = fresh(layer.name + "/size");
            node("Slice", {shape, constant_i64({1}), constant_i64({4})}, size, layer);
            ends = fresh(layer.name + "/ends");
            node("Add", {starts, size}, ends, layer);
            out.channels = ref.dims == 3 ? ref.channels : out.channels;
        } else {
            expect_io(layer, 1, 1);
            const std::vector<std::int64_t> sizes{p.get_int(5, 0), p.get_int(4, 0),
                                                  p.get_int(3, 0)};
            const std::vector<std::int64_t> tails{p.get_int(8, 0), p.get_int(7, 0),
                                                  p.get_int(6, 0)};
            std::vector<std::int64_t> e;
            for (std::size_t i = 0; i < 3; ++i)
                e.push_back(sizes[i] > 0   ? offsets[i] + sizes[i]
                            : tails[i] > 0 ? -tails[i]
                                           : kToEnd);
            ends = constant_i64(e);
            if (offsets[0] != 0 || e[0] != kToEnd)
                out.channels = sizes[0] > 0 ? static_cast<int>(sizes[0]) : -1;
        }
        inputs.insert(inputs.end(), {starts, ends, constant_i64(axes)});
    }
    out.tensor = fresh(layer.name);
    node("Slice", inputs, out.tensor, layer);
    define(layer, 0, out);
}

void Converter::padding(const Layer& layer) {
    expect_io(layer, 1, 1);
    const ParamDict& p = layer.params;
    const std::int64_t top = p.get_int(0, 0);
    const std::int64_t bottom = p.get_int(1, 0);
    const std::int64_t left = p.get_int(2, 0);
    const std::int64_t right = p.get_int(3, 0);
    const int type = p.get_int(4, 0);
    const std::int64_t front = p.get_int(7, 0);
    const std::int64_t behind = p.get_int(8, 0);
    if (p.get_int(6, 0) != 0) refuse(layer, "it pads each channel with its own value (param 6)");
    if (type < 0 || type > 2) refuse(layer, fmt::format("padding type {} is not 0, 1 or 2", type));
    if ((front != 0 || behind != 0) && type != 0)
        refuse(layer, "it pads channels other than with a constant");
    Blob out = in(layer, 0);
    if (out.dims != 3) refuse(layer, "it pads a 1-D blob");
    const std::string x = out.tensor;
    out.tensor = fresh(layer.name);
    std::vector<std::string> inputs{x,
                                    constant_i64({0, front, top, left, 0, behind, bottom, right})};
    if (type == 0) inputs.push_back(constant({}, {p.get_float(5, 0.f)}));
    static const char* const modes[] = {"constant", "edge", "reflect"};
    set_string(node("Pad", inputs, out.tensor, layer), "mode", modes[type]);
    if (out.channels > 0) out.channels += static_cast<int>(front + behind);
    define(layer, 0, out);
}

void Converter::pooling(const Layer& layer) {
    expect_io(layer, 1, 1);
    const ParamDict& p = layer.params;
    const int type = p.get_int(0, 0);
    if (type != 0 && type != 1)
        refuse(layer, fmt::format("pooling type {} is not 0 (max) or 1 (average)", type));
    if (p.get_int(7, 0) != 0) refuse(layer, "it is adaptive pooling (param 7)");
    Blob out = in(layer, 0);
    if (out.dims != 3) refuse(layer, "it pools a 1-D blob");
    const std::string x = out.tensor;
    out.tensor = fresh(layer.name);
    if (p.get_int(4, 0) != 0) {  // global: a vector of channels
        node(type == 0 ? "GlobalMaxPool" : "GlobalAveragePool", {x}, out.tensor, layer);
        out.dims = 1;
        define(layer, 0, out);
        return;
    }
    const int kw = p.get_int(1, 0);
    const int kh = p.get_int(11, kw);
    const int sw = p.get_int(2, 1);
    const int sh = p.get_int(12, sw);
    const int pl = p.get_int(3, 0);
    const int pt = p.get_int(13, pl);
    const int pr = p.get_int(14, pl);
    const int pb = p.get_int(15, pt);
    const int pad_mode = p.get_int(5, 0);
    if (kw <= 0 || kh <= 0 || sw <= 0 || sh <= 0 || pl < 0 || pt < 0 || pr < 0 || pb < 0 ||
        pad_mode < 0 || pad_mode > 3)
        refuse(layer, "its kernel, stride, padding or pad mode is out of range");
    auto& pool = node(type == 0 ? "MaxPool" : "AveragePool", {x}, out.tensor, layer);
    set_ints(pool, "kernel_shape", {kh, kw});
    set_ints(pool, "strides", {sh, sw});
    // Pad modes: 0 full (the last window may run past the edge), 1 valid, 2/3 same.
    if (pad_mode >= 2) {
        set_string(pool, "auto_pad", pad_mode == 2 ? "SAME_UPPER" : "SAME_LOWER");
    } else {
        set_ints(pool, "pads", {pt, pl, pb, pr});
        if (pad_mode == 0) set_int(pool, "ceil_mode", 1);
    }
    if (type == 1) set_int(pool, "count_include_pad", p.get_int(6, 0));
    define(layer, 0, out);
}

void Converter::reduction(const Layer& layer) {
    expect_io(layer, 1, 1);
    const ParamDict& p = layer.params;
    const int op = p.get_int(0, 0);
    const bool all = p.get_int(1, 1) != 0;
    const float coeff = p.get_float(2, 1.f);
    const std::vector<float> axes_param = p.get_array(3);
    const bool keep = p.get_int(4, 0) != 0;
    static const char* const ops[] = {"ReduceSum", "ReduceL1",     "ReduceSumSquare", "ReduceMean",
                                      "ReduceMax", "ReduceMin",    "ReduceProd",      "ReduceL1",
                                      "ReduceL2",  "ReduceLogSum", "ReduceLogSumExp"};
    if (op < 0 || op > 10)
        refuse(layer, fmt::format("operation {} is not one of ncnn's 0..10", op));
    Blob out = in(layer, 0);
    std::vector<std::int64_t> axes;
    if (all || axes_param.empty()) {
        for (int a = 0; a < out.dims; ++a) axes.push_back(onnx_axis(layer, a, out.dims));
    } else {
        for (float a : axes_param) axes.push_back(onnx_axis(layer, to_int(a), out.dims));
    }
    std::sort(axes.begin(), axes.end());
    axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
    const bool spatial =
        std::count(axes.begin(), axes.end(), 2) + std::count(axes.begin(), axes.end(), 3) == 2;
    // Without keepdims the result must still be a 3-D or 1-D ncnn blob: all of (h, w) go.
    if (!keep && out.dims == 3 && !spatial)
        refuse(layer,
               "it reduces away some but not all of height and width; the result is not a "
               "blob mlrt can represent");
    const std::string x = out.tensor;
    std::string y = fresh(layer.name);
    // opset 17: ReduceSum takes its axes as an input, the others as an attribute.
    if (op == 0) {
        set_int(node("ReduceSum", {x, constant_i64(axes)}, y, layer), "keepdims", 1);
    } else {
        auto& r = node(ops[op], {x}, y, layer);
        set_ints(r, "axes", axes);
        set_int(r, "keepdims", 1);
    }
    if (coeff != 1.f) y = scale_shift(layer, y, {coeff}, {});
    out.tensor = y;
    if (std::count(axes.begin(), axes.end(), 1) != 0) out.channels = 1;
    if (!keep && out.dims == 3) out.dims = 1;
    define(layer, 0, out);
}

void Converter::softmax(const Layer& layer) {
    expect_io(layer, 1, 1);
    Blob out = in(layer, 0);
    const int axis = onnx_axis(layer, layer.params.get_int(0, 0), out.dims);
    const std::string x = out.tensor;
    out.tensor = fresh(layer.name);
    set_int(node("Softmax", {x}, out.tensor, layer), "axis", axis);
    define(layer, 0, out);
}

void Converter::flatten(const Layer& layer) {
    expect_io(layer, 1, 1);
    Blob out = in(layer, 0);
    const std::string x = out.tensor;
    out.tensor = fresh(layer.name);
    node("Reshape", {x, constant_i64({1, -1, 1, 1})}, out.tensor, layer);
    out.dims = 1;
    out.channels = -1;
    define(layer, 0, out);
}

void Converter::memory_data(const Layer& layer) {
    expect_io(layer, 0, 1);
    const int w = layer.params.get_int(0, 0);
    const int h = layer.params.get_int(1, 0);
    const int c = layer.params.get_int(2, 0);
    if (w <= 0 || h < 0 || c < 0 || (h == 0) != (c == 0) ||
        std::int64_t{w} * std::max(h, 1) * std::max(c, 1) > (std::int64_t{1} << 32))
        refuse(layer, fmt::format("its size {} x {} x {} is not a 1-D or 3-D blob", w, h, c));
    const bool vector = h == 0 && c == 0;
    const std::vector<std::int64_t> dims =
        vector ? std::vector<std::int64_t>{1, w, 1, 1} : std::vector<std::int64_t>{1, c, h, w};
    const std::vector<float> data = w_.raw(product(dims), "the data of " + layer.name);
    define(layer, 0, Blob{constant(dims, data), vector ? 1 : 3, vector ? w : c});
}

}  // namespace mlrt::detail::ncnn
