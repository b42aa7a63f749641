#include "mlrt/engine.hpp"

#include <algorithm>

#include "engine/fp16/fp16.hpp"
#include "engine/frame_checks.hpp"
#include "engine/int8/int8.hpp"
#include "engine/kernels/conv_uint8.hpp"
#include "engine/kernels/custom_ops.hpp"
#include "engine/kernels/rewrite.hpp"
#include "engine/model_prep.hpp"
#include "engine/ort_env.hpp"
#include "engine/output_shape.hpp"
#include "engine/placement.hpp"
#include "engine/provider_options.hpp"
#include "engine/session_factory.hpp"
#include "engine/session_stream.hpp"
#include "engine/stream_pool.hpp"
#include "engine/subpixel.hpp"
#include "engine/tile_copy.hpp"
#include "engine/webgpu/adapter_choice.hpp"
#include "mlrt/cpu.hpp"
#include "mlrt/error.hpp"

namespace mlrt {

using detail::SessionStream;
using detail::TensorShape;

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
    const int v = static_cast<int>(o.log_severity);
    if (v < 0 || v > 4)
        bad_arg("log severity must be 0 (verbose) to 4 (fatal), got " + std::to_string(v));
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
    // Outlives the sessions: the first one logs through it for as long as it exists.
    std::unique_ptr<detail::SessionLogTap> placement_tap;
    std::vector<std::unique_ptr<SessionStream>> streams;
    std::unique_ptr<detail::StreamPool> pool;

    // Construction, in order: the model as it will run, the tiles, the sessions, the output
    // geometry, the streams.
    Impl(const ModelSource& source, const InputFormat& in, const EngineOptions& opt);
    void choose_device();
    onnx::ModelProto prepare_model(const ModelSource& source, detail::ModelSignature& sig);
    void lay_out_tiles();
    std::vector<Ort::Session> create_sessions(const onnx::ModelProto& model,
                                              const std::string& name);
    void resolve_output(Ort::Session& first, const onnx::ModelProto& model,
                        const detail::ModelSignature& sig, const std::string& name);

    void check_frames(std::span<const FrameView> clips, const MutableFrameView& out) const;
    void run_tiles(SessionStream& s, std::span<const FrameView> clips,
                   const MutableFrameView& out) const;
    bool run_in_place(SessionStream& s, std::span<const FrameView> clips,
                      const MutableFrameView& out) const;
};

Engine::Impl::Impl(const ModelSource& source, const InputFormat& in, const EngineOptions& opt)
    : options(opt), input(in) {
    validate_options(options);
    validate_input(input);
    const std::string name = source.describe();
    choose_device();
    detail::ModelSignature sig;
    onnx::ModelProto model = prepare_model(source, sig);
    lay_out_tiles();
    detail::specialise_input(model, info.input_channels, layout.y.tile, layout.x.tile);
    std::vector<Ort::Session> sessions = create_sessions(model, name);
    resolve_output(sessions[0], model, sig, name);

    const TensorShape in_shape{info.input_type,
                               {1, info.input_channels, layout.y.tile, layout.x.tile}};
    const TensorShape out_shape{info.output_type,
                                {1, info.output_channels, std::int64_t{layout.y.tile} * info.scale,
                                 std::int64_t{layout.x.tile} * info.scale}};
    std::mutex* device_lock =
        options.provider == Provider::WebGPU ? &detail::webgpu_device_lock() : nullptr;
    for (auto& s : sessions)
        streams.push_back(std::make_unique<SessionStream>(std::move(s), sig.input.name, in_shape,
                                                          sig.output.name, out_shape,
                                                          options.log_severity, device_lock));
    pool = std::make_unique<detail::StreamPool>(options.num_streams);
}

// The adapter a GPU provider will run on, settled before the model is prepared: it decides
// whether float16 can run there.
void Engine::Impl::choose_device() {
    if (options.provider != Provider::WebGPU) {
        if (options.provider != Provider::CPU) info.device = to_string(options.provider);
        return;
    }
    const auto choice =
        detail::choose_webgpu_adapter(options, webgpu_adapters(), detail::software_gpu_allowed());
    options.webgpu.power_preference = choice.power_preference;
    if (!choice.adapter) {
        info.device = "WebGPU: the adapter Dawn picks";
        return;
    }
    info.device = "WebGPU: " + describe(*choice.adapter);
    if (options.fp16 && !choice.adapter->shader_f16) {
        if (input.type != SampleType::Float32)
            bad_arg(choice.adapter->name +
                    " lacks shader-f16, so the model runs in float32 there: give float32 frames");
        options.fp16 = false;  // output_type stays: frames still come back as asked
        info.notes.push_back(choice.adapter->name +
                             " lacks WebGPU's shader-f16 feature: the model runs in float32");
    }
}

// Reads the model once, checks it against the frames, and settles the precision it runs at:
// either the engine converts the graph to float16, or the frames must match its input type.
onnx::ModelProto Engine::Impl::prepare_model(const ModelSource& source,
                                             detail::ModelSignature& sig) {
    const std::string name = source.describe();
    const std::string original = detail::read_model_bytes(source);
    onnx::ModelProto model = detail::parse_model(original, source);
    sig = detail::model_signature(model, name);
    int channels = 0;
    for (int p : input.planes_per_clip) channels += p;
    if (sig.input.dims[1] > 0 && sig.input.dims[1] != channels)
        bad_model(name + ": the model's input '" + sig.input.name + "' takes " +
                  std::to_string(sig.input.dims[1]) + " channels, but the input clips have " +
                  std::to_string(channels) + " planes in total");

    SampleType model_in =
        detail::sample_type_of(sig.input.elem_type, name + ": input '" + sig.input.name + "'");
    SampleType model_out =
        detail::sample_type_of(sig.output.elem_type, name + ": output '" + sig.output.name + "'");
    const auto cache_dir =
        options.fp16_cache_dir.empty() ? detail::default_cache_dir() : options.fp16_cache_dir;
    if (options.int8) {
        if (options.fp16) bad_arg(name + ": int8 and fp16 exclude each other; choose one");
        if (!options.int8_calibration)
            bad_arg(name + ": int8 needs a calibration (activation ranges observed on frames)");
        if (model_in != SampleType::Float32)
            bad_model(name + ": int8 needs a float32 model; input '" + sig.input.name + "' is " +
                      to_string(model_in));
        out_type = options.output_type.value_or(model_out);
        detail::int8::ConvertOptions q;
        q.quantize.blacklist =
            options.int8_blacklist.value_or(detail::int8::default_int8_blacklist());
        q.input_float32 = input.type == SampleType::Float32;
        q.output_float32 = out_type == SampleType::Float32;
        info.int8_nodes =
            static_cast<int>(detail::int8::plan_quantization(model, q.quantize).nodes.size());
        if (!model.ParseFromString(detail::int8::quantize_cached(
                original, name, *options.int8_calibration, q, cache_dir)))
            bad_model(name + ": the int8 conversion produced an unreadable model");
        model_in = input.type;
        model_out = out_type;
        info.int8_quantized = true;
        if (const std::string why = cpu_features().int8_warning();
            options.provider == Provider::CPU && !why.empty())
            info.notes.push_back(why);
    } else if (options.fp16) {
        out_type = options.output_type.value_or(SampleType::Float16);
        detail::Fp16Options f16;
        f16.blacklist = options.fp16_blacklist.value_or(detail::default_fp16_blacklist());
        f16.input_float32 = input.type == SampleType::Float32;
        f16.output_float32 = out_type == SampleType::Float32;
        if (!model.ParseFromString(detail::convert_to_fp16_cached(original, f16, cache_dir)))
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
    // ONNX Runtime 1.30's WebGPU provider computes GridSample wrongly once its layout pass has
    // moved the graph to NHWC (errors of 0.2 on the interpolator test model, exact in NCHW).
    // NHWC stays the default elsewhere: its convolutions are twice as fast.
    const auto& nodes = model.graph().node();
    if (options.provider == Provider::WebGPU && options.webgpu.layout == TensorLayout::NHWC &&
        std::any_of(nodes.begin(), nodes.end(),
                    [](const onnx::NodeProto& n) { return n.op_type() == "GridSample"; }))
        options.webgpu.layout = TensorLayout::NCHW;
    return model;
}

void Engine::Impl::lay_out_tiles() {
    const auto axis = [&](int frame, int requested, int overlap, int fixed, const char* name) {
        return layout_axis({.frame = frame,
                            .requested = requested,
                            .overlap = overlap,
                            .multiple = info.size_multiple,
                            .fixed = fixed,
                            .mode = options.tile_mode,
                            .name = name});
    };
    layout.x =
        axis(input.width, options.tile_width, options.overlap_width, info.fixed_width, "width");
    layout.y = axis(input.height, options.tile_height, options.overlap_height, info.fixed_height,
                    "height");
}

std::vector<Ort::Session> Engine::Impl::create_sessions(const onnx::ModelProto& model,
                                                        const std::string& name) {
    // The sessions' graph: the prepared model, with the nodes mlrt's CPU kernels implement
    // handed to them (the model itself stays ONNX's, for shape inference).
    onnx::ModelProto run_model = model;
    bool own_kernels = false;
    if (options.provider == Provider::CPU && options.own_kernels) {
        // ConvTranspose first: the DepthToSpace it becomes is one of mlrt's kernels.
        // (int8 graphs had theirs rewritten before quantizing, whatever their width.)
        const std::string subpixel = detail::describe(
            detail::rewrite_conv_transposes(run_model, nullptr, detail::kMinFloatInputChannels));
        const auto report = detail::kernels::rewrite_for_cpu_kernels(
            run_model, !info.fp16_converted, detail::kernels::conv_uint8_vectorised());
        own_kernels = report.kernel_nodes() > 0;
        info.kernels = detail::kernels::describe(report);
        if (!subpixel.empty())
            info.kernels = info.kernels.empty() ? subpixel : subpixel + "; " + info.kernels;
    }
    const std::string bytes = run_model.SerializeAsString();
    intra_threads = options.intra_op_threads > 0
                        ? options.intra_op_threads
                        : detail::default_intra_op_threads(options.num_streams);
    std::vector<Ort::Session> sessions;
    for (int i = 0; i < options.num_streams; ++i) {
        auto so = detail::make_session_options(options, intra_threads, i);
        if (own_kernels) so.Add(detail::kernels::custom_op_domain());
        if (i == 0 && options.profile) detail::enable_profiling(so);
        // Every stream's session is placed alike: the first one says how, at verbose level.
        if (i == 0 && options.provider != Provider::CPU) {
            placement_tap = std::make_unique<detail::SessionLogTap>(options.log_severity);
            so.SetLogSeverityLevel(static_cast<int>(LogSeverity::Verbose));
            so.SetLogId(placement_tap->log_id().c_str());
        }
        const auto make = [&] {
            return detail::make_session(bytes, so, &shared_weights, options, name);
        };
        sessions.push_back(own_kernels ? detail::kernels::create_with_domain(make) : make());
    }
    if (placement_tap)
        info.placements = detail::parse_placements(placement_tap->placement_lines(),
                                                   detail::provider_option_set(options).ort_name);
    return sessions;
}

// The output geometry for one tile, checked against the contract: one integer scale, batch 1,
// 1 or 3 channels unless flexible.
void Engine::Impl::resolve_output(Ort::Session& first, const onnx::ModelProto& model,
                                  const detail::ModelSignature& sig, const std::string& name) {
    const int tw = layout.x.tile, th = layout.y.tile;
    const std::vector<long long> out_dims = detail::resolve_output_dims(
        first, model, sig, {info.input_type, {1, info.input_channels, th, tw}}, name);
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
}

void Engine::Impl::check_frames(std::span<const FrameView> clips,
                                const MutableFrameView& out) const {
    detail::check_clips(input, clips);
    if (out.width != out_width || out.height != out_height || out.type != out_type ||
        static_cast<int>(out.planes.size()) != info.output_channels)
        bad_arg("output frame must be " + std::to_string(out_width) + "x" +
                std::to_string(out_height) + " with " + std::to_string(info.output_channels) + " " +
                to_string(out_type) + " planes");
    for (const auto& p : out.planes)
        if (!p.data) bad_arg("output frame has a null plane");
}

// One tile that is the whole frame, and frames whose memory already is the input or output
// tensor (frame_as_tensor): the session reads or writes that memory, and its copy is skipped.
// Returns false, having run nothing, where neither is the case.
bool Engine::Impl::run_in_place(SessionStream& s, std::span<const FrameView> clips,
                                const MutableFrameView& out) const {
    if (layout.count() != 1 || layout.x.tile != input.width || layout.y.tile != input.height)
        return false;
    const std::byte* in =
        clips.size() == 1 ? detail::frame_as_tensor(clips.front(), info.input_type) : nullptr;
    std::byte* o = detail::frame_as_tensor(out, info.output_type);
    if (!in && !o) return false;
    if (in && o) {
        // ONNX Runtime must not write memory it is still reading: such an input is copied.
        const std::size_t in_bytes = detail::tensor_bytes(
            input.width, input.height, clips.front().planes.size(), info.input_type);
        const std::size_t out_bytes =
            detail::tensor_bytes(out.width, out.height, out.planes.size(), info.output_type);
        if (in < o + out_bytes && o < in + in_bytes) in = nullptr;
    }
    const detail::TileRect whole{0, 0, input.width, input.height};
    if (!in) detail::gather_tile(clips, whole, s.input());
    s.run(in, o);
    if (!o)
        detail::scatter_tile(s.output(), info.output_type, whole, info.scale,
                             {0, out_width, 0, out_height}, out);
    return true;
}

void Engine::Impl::run_tiles(SessionStream& s, std::span<const FrameView> clips,
                             const MutableFrameView& out) const {
    if (run_in_place(s, clips, out)) return;
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

Profile Engine::end_profile(int warmup_frames) const {
    if (!impl_->options.profile)
        throw Error(ErrorKind::InvalidArgument, "the engine was not built with profiling on");
    try {
        return detail::end_profiling(impl_->streams.front()->session(),
                                     warmup_frames * layout().count());
    } catch (const Ort::Exception& e) {
        throw Error(ErrorKind::Runtime, std::string("ending ONNX Runtime's profile: ") + e.what());
    }
}

Frame Engine::run(std::span<const FrameView> clips) const {
    Frame out(impl_->out_width, impl_->out_height, impl_->info.output_channels, impl_->out_type);
    run(clips, out.mutable_view());
    return out;
}

}  // namespace mlrt
