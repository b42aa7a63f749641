#include "engine/session_stream.hpp"

#include "mlrt/error.hpp"

namespace mlrt::detail {
namespace {

ONNXTensorElementDataType ort_type(SampleType t) {
    return t == SampleType::Float32 ? ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT
                                    : ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16;
}

Ort::Value wrap(std::byte* buffer, const TensorShape& shape) {
    const Ort::MemoryInfo cpu = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
    return Ort::Value::CreateTensor(cpu, buffer, shape.bytes(), shape.dims.data(),
                                    shape.dims.size(), ort_type(shape.type));
}

}  // namespace

std::size_t TensorShape::bytes() const noexcept {
    std::size_t n = bytes_per_sample(type);
    for (auto d : dims) n *= static_cast<std::size_t>(d);
    return n;
}

SessionStream::SessionStream(Ort::Session session, const std::string& input_name,
                             const TensorShape& input, const std::string& output_name,
                             const TensorShape& output)
    : session_(std::move(session)),
      input_buffer_(std::make_unique_for_overwrite<std::byte[]>(input.bytes())),
      output_buffer_(std::make_unique_for_overwrite<std::byte[]>(output.bytes())),
      binding_(session_) {
    input_value_ = wrap(input_buffer_.get(), input);
    output_value_ = wrap(output_buffer_.get(), output);
    binding_.BindInput(input_name.c_str(), input_value_);
    binding_.BindOutput(output_name.c_str(), output_value_);
}

void SessionStream::run() {
    try {
        session_.Run(run_options_, binding_);
    } catch (const Ort::Exception& e) {
        std::string what = e.what();
        // Models that split the frame into windows (Swin-style Reshapes) take only multiples of
        // their window, which no operator attribute tells: the tile size is the user's lever.
        if (what.find("cannot be reshaped") != std::string::npos)
            what +=
                " (a model that splits frames into windows needs a tile size that is a "
                "multiple of its window: set the tile size)";
        throw Error(ErrorKind::Runtime, "ONNX Runtime failed to run the model: " + what);
    }
}

}  // namespace mlrt::detail
