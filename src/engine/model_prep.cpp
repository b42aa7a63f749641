#include "engine/model_prep.hpp"

#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "mlrt/error.hpp"

namespace mlrt::detail {
namespace {

[[noreturn]] void bad_model(const std::string& message) {
    throw Error(ErrorKind::InvalidModel, message);
}

std::vector<long long> dims_of(const onnx::ValueInfoProto& v) {
    std::vector<long long> dims;
    if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return dims;
    for (const auto& d : v.type().tensor_type().shape().dim())
        dims.push_back(d.has_dim_value() && d.dim_value() > 0 ? d.dim_value() : -1);
    return dims;
}

std::string dims_text(const std::vector<long long>& dims) {
    std::string s = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (i) s += ", ";
        s += dims[i] < 0 ? "?" : std::to_string(dims[i]);
    }
    return s + "]";
}

TensorSignature signature_of(const onnx::ValueInfoProto& v, const char* role,
                             const std::string& source) {
    if (!v.type().has_tensor_type())
        bad_model(source + ": " + role + " '" + v.name() + "' is not a tensor");
    TensorSignature sig{v.name(), v.type().tensor_type().elem_type(), dims_of(v)};
    if (!v.type().tensor_type().has_shape())
        bad_model(source + ": " + role + " '" + v.name() +
                  "' has no shape; a 4-D NCHW tensor is required");
    if (sig.dims.size() != 4)
        bad_model(source + ": " + role + " '" + v.name() + "' must be 4-D (NCHW), but has shape " +
                  dims_text(sig.dims));
    if (sig.dims[0] > 1)
        bad_model(source + ": " + role + " '" + v.name() + "' has batch size " +
                  std::to_string(sig.dims[0]) + "; only batch 1 is supported");
    return sig;
}

}  // namespace

std::string read_model_bytes(const ModelSource& source) {
    if (!source.is_path()) return source.bytes();
    std::ifstream in(source.path(), std::ios::binary);
    if (!in) throw Error(ErrorKind::Io, "cannot open model file '" + source.path().string() + "'");
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad())
        throw Error(ErrorKind::Io, "cannot read model file '" + source.path().string() + "'");
    return bytes;
}

onnx::ModelProto parse_model(const std::string& bytes, const ModelSource& source) {
    onnx::ModelProto model;
    if (bytes.empty()) bad_model(source.describe() + ": the model is empty");
    if (!model.ParseFromString(bytes) || !model.has_graph())
        bad_model(source.describe() + ": not a valid ONNX model (protobuf parsing failed)");
    return model;
}

ModelSignature model_signature(const onnx::ModelProto& model, const std::string& source) {
    const auto& g = model.graph();
    std::set<std::string> initializers;
    for (const auto& t : g.initializer()) initializers.insert(t.name());
    std::vector<const onnx::ValueInfoProto*> inputs;
    for (const auto& in : g.input())
        if (!initializers.count(in.name())) inputs.push_back(&in);
    if (inputs.size() != 1)
        bad_model(source + ": the model must have exactly one input, it has " +
                  std::to_string(inputs.size()));
    if (g.output_size() != 1)
        bad_model(source + ": the model must have exactly one output, it has " +
                  std::to_string(g.output_size()));
    return {signature_of(*inputs[0], "input", source), signature_of(g.output(0), "output", source)};
}

int size_multiple(const onnx::ModelProto& model) {
    // How far each tensor is downsampled from the input: strided convolutions and pools (a UNet's
    // encoder) and pixel-unshuffle (SpaceToDepth) divide the size, ConvTranspose and DepthToSpace
    // multiply it back. The input must be a multiple of the deepest downsampling on any path, or
    // the decoder's sizes stop matching the encoder's skip connections. Nodes are in topological
    // order (an ONNX requirement), so one pass suffices.
    constexpr std::int64_t cap = 1024;
    // A model that pads its own input (an imported ncnn model with its program's framing) says
    // so, and gets the frame as it is: padding it again would change what the network sees.
    for (const auto& prop : model.metadata_props())
        if (prop.key() == "mlrt.size_multiple") {
            const int declared = std::atoi(prop.value().c_str());
            if (declared >= 1 && declared <= cap) return declared;
        }
    std::map<std::string, std::int64_t> factor;
    std::int64_t multiple = 1;
    const auto attr_max = [](const onnx::NodeProto& node, const char* name) {
        std::int64_t v = 1;
        for (const auto& a : node.attribute()) {
            if (a.name() != name) continue;
            if (a.type() == onnx::AttributeProto::INT) v = std::max(v, a.i());
            for (std::int64_t i : a.ints()) v = std::max(v, i);
        }
        return v;
    };
    for (const auto& node : model.graph().node()) {
        std::int64_t in = 1;
        for (const auto& name : node.input()) {
            auto it = factor.find(name);
            if (it != factor.end()) in = std::max(in, it->second);
        }
        std::int64_t out = in;
        const std::string& op = node.op_type();
        if (op == "Conv" || op == "MaxPool" || op == "AveragePool" || op == "LpPool")
            out = in * attr_max(node, "strides");
        else if (op == "SpaceToDepth")
            out = in * attr_max(node, "blocksize");
        else if (op == "ConvTranspose")
            out = std::max(std::int64_t{1}, in / attr_max(node, "strides"));
        else if (op == "DepthToSpace")
            out = std::max(std::int64_t{1}, in / attr_max(node, "blocksize"));
        out = std::min(out, cap);
        multiple = std::max(multiple, out);
        for (const auto& name : node.output()) factor[name] = out;
    }
    return static_cast<int>(multiple);
}

void specialise_input(onnx::ModelProto& model, int channels, int height, int width) {
    auto& g = *model.mutable_graph();
    std::set<std::string> initializers;
    for (const auto& t : g.initializer()) initializers.insert(t.name());
    bool resized = false;
    for (auto& in : *g.mutable_input()) {
        if (initializers.count(in.name())) continue;
        auto* shape = in.mutable_type()->mutable_tensor_type()->mutable_shape();
        const long long want[4] = {1, channels, height, width};
        for (int i = 0; i < 4; ++i) {
            auto* d = shape->mutable_dim(i);
            resized |= i >= 2 && !(d->has_dim_value() && d->dim_value() == want[i]);
            d->set_dim_value(want[i]);
        }
    }
    if (!resized) return;
    g.clear_value_info();
    for (auto& out : *g.mutable_output()) {
        // An output with no shape at all stays so (an empty one would say rank 0).
        if (!out.type().tensor_type().has_shape()) continue;
        auto* shape = out.mutable_type()->mutable_tensor_type()->mutable_shape();
        for (int i = 2; i < shape->dim_size(); ++i)
            if (shape->dim(i).has_dim_value())
                shape->mutable_dim(i)->set_dim_param(out.name() + "_" + std::to_string(i));
    }
}

std::vector<long long> inferred_output_dims(const onnx::ModelProto& model,
                                            std::string* inference_error) {
    // Let inference recompute intermediate shapes from the new input rather than trusting
    // value_info written for another size.
    onnx::ModelProto inferred = model;
    inferred.mutable_graph()->clear_value_info();
    auto* out = inferred.mutable_graph()->mutable_output(0);
    out->mutable_type()->mutable_tensor_type()->clear_shape();
    try {
        onnx::ShapeInferenceOptions opts{/*check_type=*/false, /*error_mode=*/1,
                                         /*enable_data_propagation=*/true};
        onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance(), opts);
    } catch (const std::exception& e) {
        if (inference_error) *inference_error = e.what();
        return {};
    }
    return dims_of(inferred.graph().output(0));
}

SampleType sample_type_of(int onnx_elem_type, const std::string& what) {
    if (onnx_elem_type == onnx::TensorProto_DataType_FLOAT) return SampleType::Float32;
    if (onnx_elem_type == onnx::TensorProto_DataType_FLOAT16) return SampleType::Float16;
    throw Error(ErrorKind::InvalidModel,
                what + " must be float32 or float16, its ONNX element type is " +
                    std::to_string(onnx_elem_type));
}

}  // namespace mlrt::detail
