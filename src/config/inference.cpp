#include "mlrt/config/inference.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "config/arg_reader.hpp"
#include "config/clip_convert.hpp"
#include "mlrt/config/engine_args.hpp"
#include "mlrt/config/int8.hpp"
#include "mlrt/error.hpp"

namespace mlrt::config {
namespace {

constexpr std::string_view kContext = "inference";

// Checks the clips together and returns the sample type they reach the engine as.
SampleType check_clips(std::span<const Clip> clips, bool fp16) {
    if (clips.empty()) detail::fail_argument(kContext, "clips", "must hold at least one clip");
    const SampleType type = detail::engine_sample_type(clips[0].format, fp16);
    for (std::size_t i = 0; i < clips.size(); ++i) {
        const std::string name = "clips[" + std::to_string(i) + "]";
        validate(clips[i], name);
        const ClipFormat& f = clips[i].format;
        const ClipFormat& first = clips[0].format;
        if (f.subsampling_w != 0 || f.subsampling_h != 0)
            detail::fail_argument(kContext, name, "is subsampled: the engine takes 4:4:4 only");
        if (f.width != first.width || f.height != first.height)
            detail::fail_argument(kContext, name, "differs in size from clips[0]");
        if (clips[i].num_frames() != clips[0].num_frames())
            detail::fail_argument(kContext, name, "differs in frame count from clips[0]");
        if (detail::engine_sample_type(f, fp16) != type)
            detail::fail_argument(kContext, name,
                                  std::string("would reach the engine as ") +
                                      to_string(detail::engine_sample_type(f, fp16)) +
                                      ", clips[0] as " + to_string(type));
    }
    return type;
}

ClipFormat output_format(const Engine& engine, int planes) {
    ClipFormat f;
    f.width = engine.output_width();
    f.height = engine.output_height();
    f.color_family = planes == 3 ? ColorFamily::RGB : ColorFamily::GRAY;
    f.sample_type = SampleKind::Float;
    f.bits_per_sample = engine.output_type() == SampleType::Float16 ? 16 : 32;
    f.num_planes = planes;
    return f;
}

// Calls `use` with frame `n` of every clip as the engine takes it.
template <typename Use>
auto with_frame(std::span<const Clip> clips, std::size_t n, SampleType type, Use&& use) {
    // Integer planes are converted into `converted`; float planes are used in place.
    std::vector<std::vector<std::byte>> converted;
    std::vector<std::vector<PlaneView>> planes(clips.size());
    for (std::size_t c = 0; c < clips.size(); ++c) {
        const ClipFormat& f = clips[c].format;
        const ClipFrame& frame = clips[c].frames[n];
        const bool integer = f.sample_type == SampleKind::Integer;
        const ColorRange range =
            integer ? range_of(f.color_family, frame.props, "clips[" + std::to_string(c) + "]")
                    : ColorRange::Full;
        for (std::size_t p = 0; p < frame.planes.size(); ++p) {
            const auto& plane = frame.planes[p];
            const std::byte* data = plane.data();
            if (integer) {
                converted.push_back(detail::integer_plane_to_float(
                    plane, f,
                    plane_coding(f.color_family, static_cast<int>(p), range, f.bits_per_sample),
                    type));
                data = converted.back().data();  // the vector's buffer stays put when moved
            }
            planes[c].push_back({data, static_cast<std::ptrdiff_t>(f.width) *
                                           static_cast<std::ptrdiff_t>(bytes_per_sample(type))});
        }
    }
    std::vector<FrameView> views;
    for (std::size_t c = 0; c < clips.size(); ++c)
        views.push_back({clips[c].format.width, clips[c].format.height, type, planes[c]});
    return use(std::span<const FrameView>(views));
}

}  // namespace

std::vector<Clip> inference(const Backend& backend, std::span<const Clip> clips,
                            const ModelSource& model, std::array<int, 2> overlap,
                            std::array<int, 2> tilesize, bool flexible, const ArgMap& extra) {
    for (std::string_view key : {"network_path", "builtin", "builtindir", "path_is_serialization"})
        if (extra.contains(key))
            detail::fail_argument(kContext, key, "cannot be given with a ModelSource");

    ArgMap args{{"overlap", std::vector<std::int64_t>{overlap[0], overlap[1]}},
                {"tilesize", std::vector<std::int64_t>{tilesize[0], tilesize[1]}}};
    if (flexible) args["flexible_output_prop"] = std::string(ORT::flexible_output_prop);
    args = merged(merged(args, get_args(backend, clips)), extra);
    const EngineOptions options = engine_options_from_args(args, TileMode::Literal);
    // The reference converts by the backend's fp16 even when the extra arguments override it,
    // which then fails in the engine; the fp16 the engine will actually run with is used here.
    const SampleType type = check_clips(clips, options.fp16);

    InputFormat input{clips[0].format.width, clips[0].format.height, type, {}};
    for (const Clip& clip : clips) input.planes_per_clip.push_back(clip.format.num_planes);
    EngineOptions run_options = options;
    run_options.int8_calibration = calibration_for(
        model, input, options, calibration_args_from_args(args), clips[0].num_frames(),
        [&](int n, Calibrator& calibrator) {
            with_frame(clips, static_cast<std::size_t>(n), type,
                       [&](std::span<const FrameView> views) { calibrator.add(views); });
        });
    const Engine engine(model, input, run_options);

    const int planes = engine.output_planes();
    const std::size_t frames = clips[0].frames.size();
    std::vector<Clip> out(flexible ? static_cast<std::size_t>(planes) : 1);
    for (Clip& clip : out) {
        clip.format = output_format(engine, flexible ? 1 : planes);
        clip.frames.resize(frames);
    }

    // One worker per stream: the engine serves concurrent callers on its free sessions.
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    const auto work = [&] {
        try {
            for (std::size_t n; (n = next.fetch_add(1)) < frames;) {
                const Frame result = with_frame(
                    clips, n, type, [&](std::span<const FrameView> v) { return engine.run(v); });
                const ArgMap& props = clips[0].frames[n].props;
                for (int p = 0; p < planes; ++p) {
                    const auto bytes = result.plane_bytes(p);
                    ClipFrame& frame = out[flexible ? static_cast<std::size_t>(p) : 0].frames[n];
                    frame.planes.emplace_back(bytes.begin(), bytes.end());
                    frame.props = props;
                }
            }
        } catch (...) {
            const std::lock_guard lock(failure_mutex);
            if (!failure) failure = std::current_exception();
            next = frames;  // the others stop at their next frame
        }
    };
    const int workers = std::max(1, std::min(engine.num_streams(), static_cast<int>(frames)));
    {
        std::vector<std::jthread> threads;  // joined on leaving the scope, exceptions included
        for (int i = 1; i < workers; ++i) threads.emplace_back(work);
        work();
    }
    if (failure) std::rethrow_exception(failure);
    return out;
}

std::vector<Clip> inference(const Backend& backend, std::span<const Clip> clips,
                            const std::string& network_path, std::array<int, 2> overlap,
                            std::array<int, 2> tilesize, bool flexible, const ArgMap& extra) {
    ArgMap model_args = extra;
    model_args["network_path"] = network_path;
    const ModelSource model = model_source_from_args(model_args, {});

    ArgMap engine_extra = extra;
    for (std::string_view key : {"builtin", "builtindir", "path_is_serialization"})
        engine_extra.erase(std::string(key));
    return inference(backend, clips, model, overlap, tilesize, flexible, engine_extra);
}

}  // namespace mlrt::config
