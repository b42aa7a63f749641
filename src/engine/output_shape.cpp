#include "engine/output_shape.hpp"

#include <algorithm>

#include "mlrt/error.hpp"

namespace mlrt::detail {
namespace {

bool unknown(const std::vector<long long>& d) {
    return d.size() != 4 || std::any_of(d.begin(), d.end(), [](long long v) { return v <= 0; });
}

}  // namespace

std::vector<long long> resolve_output_dims(Ort::Session& session, const onnx::ModelProto& model,
                                           const ModelSignature& sig, const TensorShape& input,
                                           const std::string& name) {
    const auto ort_shape = session.GetOutputTypeInfo(0).GetTensorTypeAndShapeInfo().GetShape();
    std::vector<long long> out_dims(ort_shape.begin(), ort_shape.end());
    std::string inference_error;
    if (unknown(out_dims)) {
        auto inferred = inferred_output_dims(model, &inference_error);
        if (!unknown(inferred)) out_dims = inferred;
    }
    const auto th = input.dims[2], tw = input.dims[3];
    const std::string tile = std::to_string(tw) + "x" + std::to_string(th);
    if (unknown(out_dims)) {
        std::vector<std::byte> zeros(input.bytes());
        const auto mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
        Ort::Value v = Ort::Value::CreateTensor(
            mem, zeros.data(), zeros.size(), input.dims.data(), input.dims.size(),
            input.type == SampleType::Float32 ? ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT
                                              : ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16);
        const char* in_names[] = {sig.input.name.c_str()};
        const char* out_names[] = {sig.output.name.c_str()};
        try {
            auto outs = session.Run(Ort::RunOptions{}, in_names, &v, 1, out_names, 1);
            auto shape = outs[0].GetTensorTypeAndShapeInfo().GetShape();
            out_dims.assign(shape.begin(), shape.end());
        } catch (const Ort::Exception& e) {
            throw Error(ErrorKind::InvalidModel,
                        name + ": running the model on a " + tile + " tile failed: " + e.what() +
                            (inference_error.empty() ? "" : " (" + inference_error + ")"));
        }
    }
    if (out_dims.size() != 4)
        throw Error(ErrorKind::InvalidModel, name + ": output '" + sig.output.name +
                                                 "' is not 4-D for a " + tile + " input");
    return out_dims;
}

}  // namespace mlrt::detail
