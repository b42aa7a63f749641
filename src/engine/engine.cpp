#include "mlrt/engine.hpp"

#include <algorithm>
#include <cctype>

#include "engine/fp16_convert.hpp"
#include "engine/model_prep.hpp"
#include "engine/session_factory.hpp"
#include "engine/session_stream.hpp"
#include "engine/stream_pool.hpp"
#include "engine/tile_copy.hpp"
#include "mlrt/error.hpp"

namespace mlrt {

using detail::SessionStream;
using detail::TensorShape;

const char* to_string(Provider p) noexcept {
    switch (p) {
        case Provider::CPU:
            return "CPU";
        case Provider::CUDA:
            return "CUDA";
        case Provider::DML:
            return "DML";
        case Provider::CoreML:
            return "COREML";
    }
    return "?";
}

Provider parse_provider(std::string_view name) {
    std::string up(name);
    std::transform(up.begin(), up.end(), up.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    if (up.empty() || up == "CPU") return Provider::CPU;
    if (up == "CUDA") return Provider::CUDA;
    if (up == "DML") return Provider::DML;
    if (up == "COREML") return Provider::CoreML;
    throw Error(ErrorKind::InvalidArgument,
                "provider '" + std::string(name) +
                    "' is unknown; expected one of \"\", CPU, CUDA, DML, COREML");
}

ModelSource ModelSource::from_path(std::filesystem::path path) {
    ModelSource s;
    s.is_path_ = true;
    s.path_ = std::move(path);
    return s;
}

ModelSource ModelSource::from_bytes(std::string bytes, std::string label) {
    ModelSource s;
    s.bytes_ = std::move(bytes);
    s.label_ = std::move(label);
    return s;
}

std::string ModelSource::describe() const {
    return is_path_ ? path_.string() : label_;
}

namespace {

[[noreturn]] void bad_arg(const std::string& m) {
    throw Error(ErrorKind::InvalidArgument, m);
}
[[noreturn]] void bad_model(const std::string& m) {
    throw Error(ErrorKind::InvalidModel, m);
}

void validate_options(const EngineOptions& o) {
    if (o.num_streams < 1)
        bad_arg("num_streams must be at least 1, got " + std::to_string(o.num_streams));
    if (o.num_streams > 64)
        bad_arg("num_streams must be at most 64, got " + std::to_string(o.num_streams));
    if (o.intra_op_threads < 0) bad_arg("intra_op_threads must not be negative");
    if (o.device_id < 0)
        bad_arg("device_id must not be negative, got " + std::to_string(o.device_id));
    constexpr int max_axis = 1 << 20;  // keeps tile arithmetic far from int overflow
    for (auto [value, name] :
         {std::pair{o.tile_width, "tile width"}, std::pair{o.tile_height, "tile height"},
          std::pair{o.overlap_width, "overlap width"},
          std::pair{o.overlap_height, "overlap height"}})
        if (value < 0 || value > max_axis)
            bad_arg(std::string(name) + " must be between 0 and " + std::to_string(max_axis) +
                    ", got " + std::to_string(value));
    const int v = static_cast<int>(o.verbosity);
    if (v < 0 || v > 4)
        bad_arg("verbosity must be 0 (VERBOSE) to 4 (FATAL), got " + std::to_string(v));
}

void validate_input(const InputFormat& in) {
    if (in.width <= 0 || in.height <= 0 || in.width > (1 << 20) || in.height > (1 << 20))
        bad_arg("input frames must have a positive size of at most 2^20 per axis, got " +
                std::to_string(in.width) + "x" + std::to_string(in.height));
    if (in.planes_per_clip.empty()) bad_arg("at least one input clip is required");
    for (std::size_t i = 0; i < in.planes_per_clip.size(); ++i)
        if (in.planes_per_clip[i] <= 0) bad_arg("clip " + std::to_string(i) + " has no planes");
}

int dim_or_zero(long long d) {
    return d > 0 ? static_cast<int>(d) : 0;
}

}  // namespace

struct Engine::Impl {
    EngineOptions options;
    InputFormat input;
    ModelInfo info;
    TileLayout layout;
    int out_width = 0;
    int out_height = 0;
    SampleType out_type = SampleType::Float32;
    int intra_threads = 1;
    detail::SharedWeights shared_weights;
    std::vector<std::unique_ptr<SessionStream>> streams;
    std::unique_ptr<detail::StreamPool> pool;

    Impl(const ModelSource& source, const InputFormat& in, const EngineOptions& opt);
    void check_frames(std::span<const FrameView> clips, const MutableFrameView& out) const;
    void run_tiles(SessionStream& s, std::span<const FrameView> clips,
                   const MutableFrameView& out) const;
};

Engine::Impl::Impl(const ModelSource& source, const InputFormat& in, const EngineOptions& opt)
    : options(opt), input(in) {
    validate_options(options);
    validate_input(input);
    const std::string name = source.describe();

    const std::string original = detail::read_model_bytes(source);
    onnx::ModelProto model = detail::parse_model(original, source);
    const detail::ModelSignature sig = detail::model_signature(model, name);
    int channels = 0;
    for (int p : input.planes_per_clip) channels += p;
    if (sig.input.dims[1] > 0 && sig.input.dims[1] != channels)
        bad_model(name + ": the model's input '" + sig.input.name + "' takes " +
                  std::to_string(sig.input.dims[1]) + " channels, but the input clips have " +
                  std::to_string(channels) + " planes in total");

    // Precision: either the engine converts the graph to float16, or the frames must already
    // match the model's input type.
    SampleType model_in =
        detail::sample_type_of(sig.input.elem_type, name + ": input '" + sig.input.name + "'");
    SampleType model_out =
        detail::sample_type_of(sig.output.elem_type, name + ": output '" + sig.output.name + "'");
    std::string bytes;
    if (options.fp16) {
        out_type = options.output_type.value_or(SampleType::Float16);
        detail::Fp16Options f16;
        f16.blacklist = options.fp16_blacklist.value_or(detail::default_fp16_blacklist());
        f16.input_float32 = input.type == SampleType::Float32;
        f16.output_float32 = out_type == SampleType::Float32;
        const auto cache =
            options.fp16_cache_dir.empty() ? detail::default_cache_dir() : options.fp16_cache_dir;
        bytes = detail::convert_to_fp16_cached(original, f16, cache);
        if (!model.ParseFromString(bytes))
            bad_model(name + ": the float16 conversion produced an unreadable model");
        model_in = input.type;
        model_out = out_type;
        info.fp16_converted = true;
    } else {
        if (model_in != input.type)
            bad_arg(name + ": the clips are " + to_string(input.type) + " but the model's input '" +
                    sig.input.name + "' is " + to_string(model_in) +
                    "; convert the clips or enable fp16");
        out_type = options.output_type.value_or(model_out);
    }

    info.input_name = sig.input.name;
    info.output_name = sig.output.name;
    info.input_type = model_in;
    info.output_type = model_out;
    info.input_channels = channels;
    info.fixed_width = dim_or_zero(sig.input.dims[3]);
    info.fixed_height = dim_or_zero(sig.input.dims[2]);
    info.size_multiple = detail::size_multiple(model);

    layout.x = layout_axis(input.width, options.tile_width, options.overlap_width,
                           info.size_multiple, info.fixed_width, options.tile_mode, "width");
    layout.y = layout_axis(input.height, options.tile_height, options.overlap_height,
                           info.size_multiple, info.fixed_height, options.tile_mode, "height");
    const int tw = layout.x.tile;
    const int th = layout.y.tile;

    detail::specialise_input(model, channels, th, tw);
    bytes = model.SerializeAsString();

    intra_threads = options.intra_op_threads > 0
                        ? options.intra_op_threads
                        : detail::default_intra_op_threads(options.num_streams);
    std::vector<Ort::Session> sessions;
    for (int i = 0; i < options.num_streams; ++i) {
        auto so = detail::make_session_options(options, intra_threads, i);
        sessions.push_back(detail::make_session(bytes, so, &shared_weights, options, name));
    }

    // Output shape: what ONNX Runtime resolved, then ONNX inference (safe now that ONNX Runtime
    // accepted the graph), then a probe run.
    auto unknown = [](const std::vector<long long>& d) {
        return d.size() != 4 || std::any_of(d.begin(), d.end(), [](long long v) { return v <= 0; });
    };
    const auto ort_shape = sessions[0].GetOutputTypeInfo(0).GetTensorTypeAndShapeInfo().GetShape();
    std::vector<long long> out_dims(ort_shape.begin(), ort_shape.end());
    std::string inference_error;
    if (unknown(out_dims)) {
        auto inferred = detail::inferred_output_dims(model, &inference_error);
        if (!unknown(inferred)) out_dims = inferred;
    }
    if (unknown(out_dims)) {
        TensorShape in_shape{model_in, {1, channels, th, tw}};
        std::vector<std::byte> zeros(in_shape.bytes());
        const auto mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
        Ort::Value v = Ort::Value::CreateTensor(
            mem, zeros.data(), zeros.size(), in_shape.dims.data(), 4,
            model_in == SampleType::Float32 ? ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT
                                            : ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16);
        const char* in_names[] = {sig.input.name.c_str()};
        const char* out_names[] = {sig.output.name.c_str()};
        try {
            auto outs = sessions[0].Run(Ort::RunOptions{}, in_names, &v, 1, out_names, 1);
            auto shape = outs[0].GetTensorTypeAndShapeInfo().GetShape();
            out_dims.assign(shape.begin(), shape.end());
        } catch (const Ort::Exception& e) {
            bad_model(name + ": running the model on a " + std::to_string(tw) + "x" +
                      std::to_string(th) + " tile failed: " + e.what() +
                      (inference_error.empty() ? "" : " (" + inference_error + ")"));
        }
    }
    if (out_dims.size() != 4)
        bad_model(name + ": output '" + sig.output.name + "' is not 4-D for a " +
                  std::to_string(tw) + "x" + std::to_string(th) + " input");

    const auto oc = out_dims[1], oh = out_dims[2], ow = out_dims[3];
    if (out_dims[0] != 1)
        bad_model(name + ": output '" + sig.output.name + "' has batch " +
                  std::to_string(out_dims[0]));
    if (oh % th != 0 || ow % tw != 0 || oh / th != ow / tw || oh < th)
        bad_model(name + ": output '" + sig.output.name + "' is " + std::to_string(ow) + "x" +
                  std::to_string(oh) + " for a " + std::to_string(tw) + "x" + std::to_string(th) +
                  " input; it must be the input size times one integer scale");
    info.scale = static_cast<int>(oh / th);
    info.output_channels = static_cast<int>(oc);
    if (!options.flexible_output && oc != 1 && oc != 3)
        bad_model(name + ": output '" + sig.output.name + "' has " + std::to_string(oc) +
                  " channels; 1 (GRAY) or 3 (RGB) are supported, or enable flexible output");
    out_width = input.width * info.scale;
    out_height = input.height * info.scale;

    const TensorShape in_shape{model_in, {1, channels, th, tw}};
    const TensorShape out_shape{model_out, {1, oc, oh, ow}};
    for (auto& s : sessions)
        streams.push_back(std::make_unique<SessionStream>(std::move(s), sig.input.name, in_shape,
                                                          sig.output.name, out_shape));
    pool = std::make_unique<detail::StreamPool>(options.num_streams);
}

void Engine::Impl::check_frames(std::span<const FrameView> clips,
                                const MutableFrameView& out) const {
    if (clips.size() != input.planes_per_clip.size())
        bad_arg("expected " + std::to_string(input.planes_per_clip.size()) +
                " input clip(s), got " + std::to_string(clips.size()));
    for (std::size_t i = 0; i < clips.size(); ++i) {
        const FrameView& c = clips[i];
        const std::string which = "input clip " + std::to_string(i);
        if (c.width != input.width || c.height != input.height)
            bad_arg(which + " is " + std::to_string(c.width) + "x" + std::to_string(c.height) +
                    ", expected " + std::to_string(input.width) + "x" +
                    std::to_string(input.height));
        if (c.type != input.type)
            bad_arg(which + " holds " + to_string(c.type) + " samples, expected " +
                    to_string(input.type));
        if (static_cast<int>(c.planes.size()) != input.planes_per_clip[i])
            bad_arg(which + " has " + std::to_string(c.planes.size()) + " planes, expected " +
                    std::to_string(input.planes_per_clip[i]));
        for (const auto& p : c.planes)
            if (!p.data) bad_arg(which + " has a null plane");
    }
    if (out.width != out_width || out.height != out_height || out.type != out_type ||
        static_cast<int>(out.planes.size()) != info.output_channels)
        bad_arg("output frame must be " + std::to_string(out_width) + "x" +
                std::to_string(out_height) + " with " + std::to_string(info.output_channels) + " " +
                to_string(out_type) + " planes");
    for (const auto& p : out.planes)
        if (!p.data) bad_arg("output frame has a null plane");
}

void Engine::Impl::run_tiles(SessionStream& s, std::span<const FrameView> clips,
                             const MutableFrameView& out) const {
    const int sc = info.scale;
    const int tw = layout.x.tile, th = layout.y.tile;
    const int ovx = options.overlap_width, ovy = options.overlap_height;
    for (int y0 : layout.y.starts) {
        for (int x0 : layout.x.starts) {
            const detail::TileRect rect{x0, y0, tw, th};
            detail::gather_tile(clips, rect, s.input());
            s.run();
            // Interior sides lose overlap*scale output samples; frame edges keep everything.
            detail::OutputRegion r;
            r.x_begin = x0 == 0 ? 0 : (x0 + ovx) * sc;
            r.x_end = x0 + tw >= input.width ? out_width : (x0 + tw - ovx) * sc;
            r.y_begin = y0 == 0 ? 0 : (y0 + ovy) * sc;
            r.y_end = y0 + th >= input.height ? out_height : (y0 + th - ovy) * sc;
            detail::scatter_tile(s.output(), info.output_type, rect, sc, r, out);
        }
    }
}

Engine::Engine(const ModelSource& model, const InputFormat& input, const EngineOptions& options)
    : impl_(std::make_unique<Impl>(model, input, options)) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

const ModelInfo& Engine::model_info() const noexcept {
    return impl_->info;
}
const TileLayout& Engine::layout() const noexcept {
    return impl_->layout;
}
int Engine::output_width() const noexcept {
    return impl_->out_width;
}
int Engine::output_height() const noexcept {
    return impl_->out_height;
}
int Engine::output_planes() const noexcept {
    return impl_->info.output_channels;
}
SampleType Engine::output_type() const noexcept {
    return impl_->out_type;
}
int Engine::num_streams() const noexcept {
    return impl_->options.num_streams;
}
int Engine::intra_op_threads() const noexcept {
    return impl_->intra_threads;
}

void Engine::run(std::span<const FrameView> clips, const MutableFrameView& out) const {
    impl_->check_frames(clips, out);
    detail::StreamLease lease(*impl_->pool);
    impl_->run_tiles(*impl_->streams[static_cast<std::size_t>(lease.index())], clips, out);
}

Frame Engine::run(std::span<const FrameView> clips) const {
    Frame out(impl_->out_width, impl_->out_height, impl_->info.output_channels, impl_->out_type);
    run(clips, out.mutable_view());
    return out;
}

}  // namespace mlrt
