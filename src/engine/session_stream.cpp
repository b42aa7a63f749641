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

AlignedBuffer aligned_buffer(std::size_t bytes) {
    return AlignedBuffer(static_cast<std::byte*>(::operator new[](bytes, std::align_val_t{64})));
}

}  // namespace

std::size_t TensorShape::bytes() const noexcept {
    std::size_t n = bytes_per_sample(type);
    for (auto d : dims) n *= static_cast<std::size_t>(d);
    return n;
}

SessionStream::SessionStream(Ort::Session session, const std::string& input_name,
                             const TensorShape& input, const std::string& output_name,
                             const TensorShape& output, LogSeverity run_log_severity,
                             std::mutex* device_lock)
    : session_(std::move(session)),
      input_name_(input_name),
      output_name_(output_name),
      input_shape_(input),
      output_shape_(output),
      input_buffer_(aligned_buffer(input.bytes())),
      output_buffer_(aligned_buffer(output.bytes())),
      binding_(session_),
      device_lock_(device_lock) {
    input_value_ = wrap(input_buffer_.get(), input);
    output_value_ = wrap(output_buffer_.get(), output);
    // Runs log at the engine's level even where the session itself logs verbosely.
    run_options_.SetRunLogSeverityLevel(static_cast<int>(run_log_severity));
}

void SessionStream::run(const std::byte* input, std::byte* output) {
    try {
        // Binding a CPU tensor to a GPU provider's session copies it to the device there and
        // then, so the tile just written is bound again: one upload per run. (On the CPU this
        // only records the tensor.) The output comes back into its bound buffer after the run.
        // Both are bound on every run: the last run may have bound the caller's memory.
        // ONNX Runtime never writes a graph input, so the caller's const input is only read.
        std::unique_lock<std::mutex> device;
        if (device_lock_) device = std::unique_lock(*device_lock_);
        const Ort::Value in_value =
            input ? wrap(const_cast<std::byte*>(input), input_shape_) : Ort::Value{nullptr};
        const Ort::Value out_value = output ? wrap(output, output_shape_) : Ort::Value{nullptr};
        binding_.BindInput(input_name_.c_str(), input ? in_value : input_value_);
        binding_.BindOutput(output_name_.c_str(), output ? out_value : output_value_);
        session_.Run(run_options_, binding_);
    } catch (const Ort::Exception& e) {
        std::string what = e.what();
        // Models that split the frame into windows (Swin-style Reshapes) take only multiples of
        // their window, which no operator attribute tells: the tile size is the user's lever.
        if (what.find("cannot be reshaped") != std::string::npos)
            what +=
                " (a model that splits frames into windows needs a tile size that is a "
                "multiple of its window: set the tile size)";
        // A GPU that runs out of memory, or whose driver resets, loses the device.
        for (const char* sign : {"out of memory", "OutOfMemory", "Out of memory", "device lost",
                                 "Device lost", "DeviceLost", "device was lost"})
            if (what.find(sign) != std::string::npos) {
                what +=
                    " (the GPU ran out of memory or lost its device: use a smaller tile size or "
                    "fewer streams)";
                break;
            }
        throw Error(ErrorKind::Runtime, "ONNX Runtime failed to run the model: " + what);
    }
}

}  // namespace mlrt::detail
