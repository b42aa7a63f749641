// Runs the float model with every quantizable activation exposed as an extra graph output, tile
// by tile, and feeds what each tensor held to its RangeObserver.
#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <map>

#include "engine/fp16/tensor_data.hpp"
#include "engine/frame_checks.hpp"
#include "engine/int8/quantizer.hpp"
#include "engine/int8/range_observer.hpp"
#include "engine/model_cache.hpp"
#include "engine/model_prep.hpp"
#include "engine/onnx_builder.hpp"
#include "engine/session_factory.hpp"
#include "engine/subpixel.hpp"
#include "engine/tile_copy.hpp"
#include "mlrt/error.hpp"
#include "mlrt/int8.hpp"

namespace mlrt {
namespace {

constexpr int kMaxCalibrationTile = 256;
constexpr const char* kMethod = "percentile 99.999 (0.001st..99.999th of each tensor's values)";

}  // namespace

struct Calibrator::Impl {
    std::string name;
    std::string digest;
    InputFormat input;
    TileLayout layout;
    int channels = 0;
    std::string input_name;
    std::vector<std::string> outputs;  // observed tensors the session returns
    bool observe_input = false;        // the graph input is itself an observed tensor
    std::map<std::string, detail::int8::RangeObserver> observers;
    std::optional<Ort::Session> session;
    int frames = 0;
    int tiles = 0;

    Impl(const ModelSource& source, const InputFormat& in, const EngineOptions& options);
    void run_tile(const float* tensor, std::size_t count);
};

Calibrator::Impl::Impl(const ModelSource& source, const InputFormat& in,
                       const EngineOptions& options)
    : name(source.describe()), input(in) {
    const std::string bytes = detail::read_model_bytes(source);
    digest = detail::content_digest(bytes);
    onnx::ModelProto model = detail::parse_model(bytes, source);
    const detail::ModelSignature sig = detail::model_signature(model, name);
    if (sig.input.elem_type != onnx::TensorProto::FLOAT)
        throw Error(ErrorKind::InvalidModel,
                    name + ": int8 needs a float32 model; input '" + sig.input.name + "' is not");
    for (int p : input.planes_per_clip) channels += p;
    if (input.width <= 0 || input.height <= 0 || channels <= 0)
        throw Error(ErrorKind::InvalidArgument, "calibration frames must have a size and planes");
    input_name = sig.input.name;

    // The graph the int8 conversion quantizes has its ConvTransposes as Conv + DepthToSpace
    // (subpixel.hpp); one the blacklist keeps needs the ranges around it as it was.
    detail::int8::QuantizationPlan plan = detail::int8::plan_quantization(model, {});
    detail::rewrite_conv_transposes(model);
    for (const auto& t : detail::int8::plan_quantization(model, {}).tensors)
        if (std::find(plan.tensors.begin(), plan.tensors.end(), t) == plan.tensors.end())
            plan.tensors.push_back(t);
    if (plan.tensors.empty())
        throw Error(ErrorKind::InvalidModel,
                    name +
                        ": int8: the model has no Conv, ConvTranspose, MatMul or Gemm with "
                        "constant float32 weights to quantize");
    for (const auto& t : plan.tensors) {
        observers[t];
        if (t == sig.input.name) {
            observe_input = true;
            continue;
        }
        outputs.push_back(t);
        *model.mutable_graph()->add_output() = detail::tensor_info(t, onnx::TensorProto::FLOAT, {});
        // The declared scalar shape is a placeholder: ONNX Runtime checks only the type.
        model.mutable_graph()
            ->mutable_output()
            ->rbegin()
            ->mutable_type()
            ->mutable_tensor_type()
            ->clear_shape();
    }

    const int size_multiple = detail::size_multiple(model);
    const auto axis = [&](int frame, int requested, int fixed, const char* axis_name) {
        const int want = requested > 0 ? std::min(requested, kMaxCalibrationTile)
                                       : std::min(frame, kMaxCalibrationTile);
        return layout_axis({.frame = frame,
                            .requested = want,
                            .overlap = 0,
                            .multiple = size_multiple,
                            .fixed = fixed,
                            .mode = TileMode::Balanced,
                            .name = axis_name});
    };
    layout.x = axis(input.width, options.tile_width,
                    static_cast<int>(std::max<long long>(0, sig.input.dims[3])), "width");
    layout.y = axis(input.height, options.tile_height,
                    static_cast<int>(std::max<long long>(0, sig.input.dims[2])), "height");
    detail::specialise_input(model, channels, layout.y.tile, layout.x.tile);

    EngineOptions one = options;
    one.num_streams = 1;
    const int threads = options.intra_op_threads > 0 ? options.intra_op_threads
                                                     : detail::default_intra_op_threads(1);
    const auto so = detail::make_session_options(one, threads, 0);
    session.emplace(
        detail::make_session(model.SerializeAsString(), so, nullptr, one, name + " (calibration)"));
}

void Calibrator::Impl::run_tile(const float* tensor, std::size_t count) {
    if (observe_input) observers.at(input_name).observe(tensor, count);
    const auto mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
    const std::array<std::int64_t, 4> dims{1, channels, layout.y.tile, layout.x.tile};
    Ort::Value value = Ort::Value::CreateTensor<float>(mem, const_cast<float*>(tensor), count,
                                                       dims.data(), dims.size());
    const char* in_name = input_name.c_str();
    std::vector<const char*> out_names;
    for (const auto& o : outputs) out_names.push_back(o.c_str());
    std::vector<Ort::Value> results;
    try {
        results = session->Run(Ort::RunOptions{nullptr}, &in_name, &value, 1, out_names.data(),
                               out_names.size());
    } catch (const Ort::Exception& e) {
        throw Error(ErrorKind::Runtime, name + ": calibration run failed: " + e.what());
    }
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto info = results[i].GetTensorTypeAndShapeInfo();
        if (info.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) continue;
        observers.at(outputs[i]).observe(results[i].GetTensorData<float>(), info.GetElementCount());
    }
}

Calibrator::Calibrator(const ModelSource& model, const InputFormat& input,
                       const EngineOptions& options)
    : impl_(std::make_unique<Impl>(model, input, options)) {}
Calibrator::~Calibrator() = default;
Calibrator::Calibrator(Calibrator&&) noexcept = default;
Calibrator& Calibrator::operator=(Calibrator&&) noexcept = default;

void Calibrator::add(std::span<const FrameView> clips) {
    Impl& s = *impl_;
    detail::check_clips(s.input, clips);
    const std::size_t count = static_cast<std::size_t>(s.channels) *
                              static_cast<std::size_t>(s.layout.x.tile) *
                              static_cast<std::size_t>(s.layout.y.tile);
    std::vector<float> tensor(count);
    std::vector<std::uint16_t> half(s.input.type == SampleType::Float16 ? count : 0);
    for (int y0 : s.layout.y.starts)
        for (int x0 : s.layout.x.starts) {
            const detail::TileRect rect{x0, y0, s.layout.x.tile, s.layout.y.tile};
            if (s.input.type == SampleType::Float16) {
                detail::gather_tile(clips, rect, reinterpret_cast<std::byte*>(half.data()));
                std::transform(half.begin(), half.end(), tensor.begin(), half_to_float);
            } else {
                detail::gather_tile(clips, rect, reinterpret_cast<std::byte*>(tensor.data()));
            }
            s.run_tile(tensor.data(), count);
            ++s.tiles;
        }
    ++s.frames;
}

int Calibrator::frames() const noexcept {
    return impl_->frames;
}

Int8Calibration Calibrator::finish() const {
    const Impl& s = *impl_;
    if (s.frames == 0)
        throw Error(ErrorKind::InvalidArgument,
                    s.name + ": int8 calibration needs at least one frame");
    Int8Calibration c;
    c.model_digest = s.digest;
    c.method = kMethod;
    c.frames = s.frames;
    c.tiles = s.tiles;
    for (const auto& [tensor, observer] : s.observers) {
        const auto r = observer.range();
        c.ranges.push_back({tensor, r.lo, r.hi});
    }
    return c;
}

}  // namespace mlrt
