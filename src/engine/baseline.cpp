#include "mlrt/baseline.hpp"

#include <onnxruntime_cxx_api.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "engine/ort_env.hpp"
#include "engine/session_factory.hpp"
#include "mlrt/error.hpp"

namespace mlrt {

struct PlainSession::Impl {
    Ort::Session session{nullptr};
    std::string input_name, output_name;
    ONNXTensorElementDataType input_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
    std::vector<std::byte> input_data;
    Ort::Value input{nullptr};
};

PlainSession::PlainSession(const ModelSource& model, const EngineOptions& options,
                           int intra_op_threads)
    : impl_(std::make_unique<Impl>()) {
    Ort::SessionOptions so;
    if (intra_op_threads > 0) so.SetIntraOpNumThreads(intra_op_threads);
    so.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
    so.SetLogSeverityLevel(static_cast<int>(options.log_severity));
    if (options.profile) detail::enable_profiling(so);
    if (options.allow_spinning)
        so.AddConfigEntry("session.intra_op.allow_spinning", *options.allow_spinning ? "1" : "0");
    try {
        detail::append_provider(so, options);
    } catch (const Ort::Exception& e) {
        throw Error(ErrorKind::Provider, std::string("provider ") + to_string(options.provider) +
                                             " cannot be loaded: " + e.what());
    }
    try {
        impl_->session = model.is_path() ? Ort::Session(detail::ort_env(), model.path().c_str(), so)
                                         : Ort::Session(detail::ort_env(), model.bytes().data(),
                                                        model.bytes().size(), so);
        Ort::AllocatorWithDefaultOptions alloc;
        impl_->input_name = impl_->session.GetInputNameAllocated(0, alloc).get();
        impl_->output_name = impl_->session.GetOutputNameAllocated(0, alloc).get();
        impl_->input_type =
            impl_->session.GetInputTypeInfo(0).GetTensorTypeAndShapeInfo().GetElementType();
    } catch (const Ort::Exception& e) {
        throw Error(ErrorKind::InvalidModel,
                    model.describe() + ": ONNX Runtime rejected the model: " + e.what());
    }
    if (impl_->input_type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT &&
        impl_->input_type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16)
        throw Error(ErrorKind::InvalidModel,
                    model.describe() + ": the input is neither float32 nor float16");
}

PlainSession::~PlainSession() = default;
PlainSession::PlainSession(PlainSession&&) noexcept = default;
PlainSession& PlainSession::operator=(PlainSession&&) noexcept = default;

void PlainSession::set_input(const FrameView& frame) {
    const bool half = impl_->input_type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16;
    const std::size_t sample = half ? 2 : 4;
    const auto w = static_cast<std::size_t>(frame.width);
    const auto h = static_cast<std::size_t>(frame.height);
    impl_->input_data.assign(frame.planes.size() * w * h * sample, std::byte{});
    std::byte* out = impl_->input_data.data();
    for (const PlaneView& p : frame.planes)
        for (std::size_t y = 0; y < h; ++y) {
            const std::byte* row = p.data + static_cast<std::ptrdiff_t>(y) * p.stride;
            for (std::size_t x = 0; x < w; ++x, out += sample) {
                const float v = frame.type == SampleType::Float32
                                    ? reinterpret_cast<const float*>(row)[x]
                                    : half_to_float(reinterpret_cast<const std::uint16_t*>(row)[x]);
                if (half) {
                    const std::uint16_t bits = float_to_half(v);
                    std::memcpy(out, &bits, 2);
                } else {
                    std::memcpy(out, &v, 4);
                }
            }
        }
    const std::array<std::int64_t, 4> shape{1, static_cast<std::int64_t>(frame.planes.size()),
                                            frame.height, frame.width};
    const auto mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
    impl_->input = Ort::Value::CreateTensor(mem, impl_->input_data.data(), impl_->input_data.size(),
                                            shape.data(), shape.size(), impl_->input_type);
}

void PlainSession::run() {
    if (!impl_->input) throw Error(ErrorKind::InvalidArgument, "PlainSession: set_input first");
    const char* in_names[] = {impl_->input_name.c_str()};
    const char* out_names[] = {impl_->output_name.c_str()};
    try {
        (void)impl_->session.Run(Ort::RunOptions{nullptr}, in_names, &impl_->input, 1, out_names,
                                 1);
    } catch (const Ort::Exception& e) {
        throw Error(ErrorKind::Runtime, std::string("plain ONNX Runtime session: ") + e.what());
    }
}

}  // namespace mlrt

namespace mlrt {

Profile PlainSession::end_profile(int warmup_runs) {
    try {
        return detail::end_profiling(impl_->session, warmup_runs);
    } catch (const Ort::Exception& e) {
        throw Error(ErrorKind::Runtime, std::string("ending ONNX Runtime's profile: ") + e.what());
    }
}

}  // namespace mlrt
