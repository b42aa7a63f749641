// `mlrt run MODEL INPUT OUTPUT`: decode, convert, infer, convert back, encode.
#include <fmt/core.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "calibration.hpp"
#include "commands/commands.hpp"
#include "commands/run_folder.hpp"
#include "engine_flags.hpp"
#include "media/alpha.hpp"
#include "media/converter.hpp"
#include "media/decoder.hpp"
#include "media/encoder.hpp"
#include "media/frame_seek.hpp"
#include "media/interlace.hpp"
#include "media/output_plan.hpp"
#include "media/source_identity.hpp"
#include "media/yuv_merge.hpp"
#include "mlrt/inspect.hpp"
#include "model/model_file.hpp"
#include "model/model_names.hpp"
#include "model_input.hpp"
#include "pipeline.hpp"
#include "run_budget.hpp"
#include "util/args.hpp"
#include "util/progress.hpp"

namespace mlrt::cli {
namespace {

struct RunArgs {
    std::string model, input, output;
    EngineFlags engine;
    std::string frames;
    bool quiet = false;
    bool gray = false;
    std::string codec, preset, pix_fmt;
    int crf = -1;
    std::string dither = "error-diffusion";
    bool no_copy = false;
    bool overwrite = false;
    ModelInputFlags model_input;
    std::optional<std::uint64_t> max_memory;
    std::string deinterlace;  // empty: off
    std::string planes = "rgb";
    std::string alpha;       // empty: through the model when it scales, else copied
    bool recursive = false;  // a folder input: its subfolders too
    std::string format;      // a folder input: the outputs' image format (default: each input's)
};

[[noreturn]] void bad_arg(const std::string& m) {
    throw Error(ErrorKind::InvalidArgument, m);
}

Dither parse_dither(const std::string& s) {
    if (s == "none") return Dither::None;
    if (s == "ordered") return Dither::Ordered;
    if (s == "random") return Dither::Random;
    return Dither::ErrorDiffusion;
}

bool same_file(const std::string& a, const std::string& b) {
    if (a == "-" || b == "-") return false;
    std::error_code ec;
    return std::filesystem::equivalent(a, b, ec);
}

// Which planes the model gets: GRAY (the luma of colour input) for 1-channel models, RGB or
// (--planes yuv) YUV 4:4:4 for 3.
Family model_input_family(const RunArgs& a, int channels, AVPixelFormat source) {
    const bool yuv = a.planes == "yuv";
    if (channels == 1) {
        if (yuv)
            bad_arg("--planes yuv feeds 3 planes (Y, U, V), but model '" + a.model +
                    "' takes 1 channel: a luma model gets the Y plane without --planes");
        return Family::Gray;
    }
    if (channels == 3 || channels < 0) {
        if (a.gray) bad_arg("--gray: model '" + a.model + "' takes 3 channels (RGB), not 1");
        if (yuv && family_of(source) == Family::Gray)
            bad_arg("--planes yuv: input '" + a.input + "' is GRAY, it has no U and V planes");
        return yuv ? Family::Yuv : Family::Rgb;
    }
    bad_arg("model '" + a.model + "' takes " + std::to_string(channels) +
            " input channels; mlrt run feeds 1 (GRAY) or 3 (RGB, or Y, U, V with --planes yuv)");
}

// What the model's output planes are, and which planes of the source complete them.
std::optional<ModelPlanes> output_planes(const RunArgs& a, Family in, int planes,
                                         AVPixelFormat source, Family* out) {
    if (in == Family::Yuv) {
        *out = Family::Yuv;
        if (planes == 3) return std::nullopt;
        if (planes == 2) return ModelPlanes::Chroma;
        bad_arg("--planes yuv: model '" + a.model + "' gives " + std::to_string(planes) +
                " planes; it must give 3 (Y, U, V) or 2 (U, V, the source's Y kept)");
    }
    if (planes != 1 && planes != 3)
        bad_arg("model '" + a.model + "' gives " + std::to_string(planes) +
                " planes; mlrt run writes 1 (GRAY) or 3 (RGB; with --planes yuv, 2 for U and V)");
    *out = planes == 1 ? Family::Gray : Family::Rgb;
    // A luma model on colour writes colour (its output as the luma, the source's chroma), unless
    // --gray asks for the luma alone.
    if (in == Family::Gray && planes == 1 && family_of(source) != Family::Gray && !a.gray)
        return ModelPlanes::Luma;
    return std::nullopt;
}

// What becomes of the input's alpha: Drop when it has none.
AlphaMode resolve_alpha(const RunArgs& a, AVPixelFormat source, int scale,
                        std::optional<ModelPlanes> merge) {
    AlphaMode mode = parse_alpha_mode(a.alpha);
    if (!has_alpha(source) || mode == AlphaMode::Drop) return AlphaMode::Drop;
    if (a.model_input.temporal.active())
        bad_arg("input '" + a.input +
                "' has alpha: with --window or --interpolate mlrt does not "
                "carry it; pass --alpha drop");
    // A chroma model gives no plane alpha could be taken back from.
    if (mode == AlphaMode::Model && merge == ModelPlanes::Chroma)
        bad_arg("--alpha model: model '" + a.model + "' gives U and V only; use --alpha resize");
    if (mode == AlphaMode::Auto)
        mode = scale > 1 && merge != ModelPlanes::Chroma ? AlphaMode::Model : AlphaMode::Resize;
    return mode;
}

int run(const RunArgs& a) {
    av::set_log_level(a.engine.verbose);
    if (same_file(a.input, a.output))
        bad_arg("output '" + a.output + "' is the input file; choose another name");
    refuse_existing_output(a.output, a.overwrite);
    const FrameRange range = a.frames.empty() ? FrameRange{} : parse_frame_range(a.frames);

    const ModelSource model_source = read_model_file(a.model);
    const ModelDescription model = describe_model(model_source);
    if (model.inputs.size() != 1)
        throw Error(ErrorKind::InvalidModel, "model '" + a.model + "' has " +
                                                 std::to_string(model.inputs.size()) +
                                                 " inputs; mlrt run needs exactly one");

    const DeinterlaceMode deinterlace =
        a.deinterlace.empty() ? DeinterlaceMode::Off : parse_deinterlace_mode(a.deinterlace);
    Decoder decoder(a.input);
    decoder.deinterlace(deinterlace);
    // Copyable packets read before the first frame are kept until the output exists.
    std::vector<bool> maybe_copied(decoder.format().nb_streams, false);
    for (unsigned i = 0; i < decoder.format().nb_streams; ++i) {
        const auto t = decoder.format().streams[i]->codecpar->codec_type;
        maybe_copied[i] = t == AVMEDIA_TYPE_AUDIO || t == AVMEDIA_TYPE_SUBTITLE;
    }
    decoder.forward_streams(maybe_copied);
    std::vector<av::PacketPtr> early;
    av::FramePtr first = decoder.next([&](av::PacketPtr p) { early.push_back(std::move(p)); });
    if (!first) throw Error(ErrorKind::Io, "input '" + a.input + "' has no video frames");

    const auto source = static_cast<AVPixelFormat>(first->format);
    std::string why;
    if (planar_equivalent(source, &why) == AV_PIX_FMT_NONE)
        bad_arg("input '" + a.input + "': pixel format " + av::pix_fmt_name(source) +
                " is not supported: " + why);
    const ColourSpec colour = resolve_source_colour(*first, decoder.codec_id());
    // bwdif's frames say progressive, so the warning looks at the stream and the decoder's
    // first frame only when nothing deinterlaces.
    if (deinterlace != DeinterlaceMode::Off) {
        if (a.engine.verbose)
            std::fprintf(stderr, "mlrt: deinterlacing '%s' with bwdif at %s rate\n",
                         a.input.c_str(),
                         deinterlace == DeinterlaceMode::Field ? "field" : "frame");
    } else if (const std::string order = interlacing(decoder.video_stream(), *first);
               !order.empty()) {
        std::fprintf(stderr,
                     "mlrt: warning: input '%s' is interlaced (%s); the model will see combed "
                     "frames: pass --deinterlace (bwdif, frame rate) or --deinterlace field "
                     "(field rate)\n",
                     a.input.c_str(), order.c_str());
    }

    // --frames START: jump near START rather than decode everything before it. Frame 0 is still
    // where format and colour come from, as in a run over the whole input.
    // A window's first frames are made from frames before START too: seek to those.
    std::int64_t first_index = 0;
    const std::int64_t seek_target =
        std::max<std::int64_t>(0, range.start - a.model_input.temporal.context_before());
    if (seek_target > 0 && a.input != "-") {
        SeekResult s = seek_to_frame(decoder, *first, seek_target);
        if (s.frame) {
            first = std::move(s.frame);
            early = std::move(s.packets);
            first_index = seek_target;
        } else {
            if (a.engine.verbose)
                std::fprintf(stderr, "mlrt: not seeking in '%s' (%s); decoding from its start\n",
                             a.input.c_str(), s.why.c_str());
            decoder = Decoder(a.input);
            decoder.deinterlace(deinterlace);
            decoder.forward_streams(maybe_copied);
            early.clear();
            first = decoder.next([&](av::PacketPtr p) { early.push_back(std::move(p)); });
            if (!first) throw Error(ErrorKind::Io, "input '" + a.input + "' has no video frames");
        }
    }

    ModelInputPlan input_plan(a.model_input, model.inputs[0].channels(), a.model);
    FloatFormat engine_in;
    engine_in.family = model_input_family(a, input_plan.image_channels(), source);
    input_plan.set_image(engine_in.planes(), to_string(engine_in.family));
    engine_in.width = first->width;
    engine_in.height = first->height;
    engine_in.type = model.inputs[0].type == "float16" && !a.engine.fp16 ? SampleType::Float16
                                                                         : SampleType::Float32;

    const AVColorSpace luma_matrix = family_of(source) == Family::Yuv
                                         ? yuv_matrix(colour.matrix, first->width, first->height)
                                         : default_matrix(first->width, first->height);
    EngineOptions options = engine_options(a.engine);
    // Output planes are checked below (output_planes), with the flags that explain them.
    options.flexible_output = true;
    const RunExtras extras{.window = a.model_input.temporal.window,
                           .pairs = a.model_input.temporal.interpolate > 0,
                           .alpha = has_alpha(source) && a.alpha != "drop"};
    const MemoryBudget budget = plan_run_memory(model_source, model.model_bytes, engine_in, source,
                                                options, a.max_memory, a.engine.verbose, extras);
    const InputFormat engine_input =
        input_plan.engine_input(engine_in.width, engine_in.height, engine_in.type);
    CalibrationJob calibration_job{.input = a.input,
                                   .range = range,
                                   .frame_estimate = decoder.frame_count_estimate(),
                                   .plan = {},
                                   .verbose = a.engine.verbose,
                                   .frames_per_input = input_plan.layout().frames,
                                   .constant_planes = a.model_input.extra_planes,
                                   .deinterlace = deinterlace};
    // An interpolator is calibrated half way between its frames.
    if (input_plan.layout().timestep) calibration_job.constant_planes.push_back(0.5f);
    calibration_job.plan.source = source;
    calibration_job.plan.source_colour = colour;
    calibration_job.plan.luma_matrix = luma_matrix;
    calibration_job.plan.engine_in = engine_in;
    const Int8Setup int8 = calibrate_job(calibration_job, model_source, engine_input, options,
                                         calibration_args(a.engine));
    options.int8_calibration = int8.calibration;
    const Engine engine = allocating("the engine (ONNX Runtime sessions and tile buffers)",
                                     [&] { return Engine(model_source, engine_input, options); });
    report_int8_quality(int8, engine, model_source, engine_input, options, a.engine.verbose);
    FloatFormat engine_out;
    const std::optional<ModelPlanes> merge =
        output_planes(a, engine_in.family, engine.output_planes(), source, &engine_out.family);
    engine_out.type = engine.output_type();
    engine_out.width = engine.output_width();
    engine_out.height = engine.output_height();
    if (merge && a.model_input.temporal.active())
        bad_arg(*merge == ModelPlanes::Luma
                    ? "model '" + a.model + "' takes 1 channel (GRAY) and input '" + a.input +
                          "' is colour: with --window or --interpolate mlrt cannot give its "
                          "output the source's chroma; pass --gray for a GRAY output"
                    : "model '" + a.model +
                          "' gives 2 planes (U, V): with --window or "
                          "--interpolate mlrt cannot give them the source's Y");

    const AlphaMode alpha = resolve_alpha(a, source, engine.model_info().scale, merge);

    OutputOptions out;
    out.path = a.output;
    out.codec = a.codec;
    if (a.crf >= 0) out.crf = a.crf;
    out.preset = a.preset;
    out.pix_fmt = a.pix_fmt;
    out.copy_streams = !a.no_copy;
    // What `mlrt concat` checks segments by: the frames they hold and the input they came from.
    // Counted in output frames: --interpolate N writes N per input frame.
    const std::int64_t per_input = std::max(1, a.model_input.temporal.interpolate);
    out.tags = {
        {"MLRT_FRAMES", std::to_string(range.start * per_input) + ":" +
                            (range.end ? std::to_string(*range.end * per_input) : std::string())},
        {"MLRT_SOURCE", source_identity(a.input)}};
    VideoSetup setup;
    setup.width = engine_out.width;
    setup.height = engine_out.height;
    setup.family =
        merge || engine_out.family == Family::Yuv ? family_of(source) : engine_out.family;
    // --planes yuv works at 4:4:4, and so is written unless --pix-fmt says otherwise.
    setup.full_chroma = engine_in.family == Family::Yuv;
    setup.alpha = alpha != AlphaMode::Drop;
    setup.source_format = source;
    setup.source_colour = colour;
    setup.source_codec = decoder.codec_id();
    setup.time_base = decoder.time_base();
    setup.frame_rate = decoder.frame_rate();
    if (const int n = a.model_input.temporal.interpolate; n > 0) {
        if (engine.model_info().scale != 1 || engine_out.family != engine_in.family)
            bad_arg("--interpolate: model '" + a.model +
                    "' must give back the frame it is given (" + to_string(engine_in.family) +
                    " at scale 1)");
        // N frames per input frame interval: timestamps in a time base N times finer.
        setup.time_base = av_mul_q(setup.time_base, AVRational{1, n});
        setup.frame_rate = av_mul_q(setup.frame_rate, AVRational{n, 1});
    }
    setup.sample_aspect_ratio = first->sample_aspect_ratio;

    if (classify_output(a.output) == OutputKind::Image) {
        // Refuse before spending any time when the container already says there is more.
        auto n = decoder.frame_count_estimate();
        if (n && range.end) n = std::min(*n, *range.end);
        if (n && (*n - range.start) * per_input > 1)
            bad_arg("output '" + a.output + "' is a single image but the run writes " +
                    std::to_string((*n - range.start) * per_input) +
                    " frames; write a sequence (e.g. out_%05d.png) or a video" +
                    (per_input > 1 ? "" : ", or pick one frame with --frames N"));
    }
    Encoder encoder(out, setup, &decoder);
    decoder.forward_streams(encoder.copied_streams());

    if (setup.alpha && !has_alpha(encoder.pixel_format()))
        std::fprintf(stderr,
                     "mlrt: warning: input '%s' has alpha, which output '%s' (%s) cannot hold: "
                     "it is dropped (--alpha drop drops it without this warning)\n",
                     a.input.c_str(), a.output.c_str(), encoder.describe().c_str());

    ConversionPlan plan;
    plan.source = source;
    plan.source_colour = colour;
    plan.luma_matrix = luma_matrix;
    plan.merge = merge;
    plan.alpha = setup.alpha && has_alpha(encoder.pixel_format()) ? alpha : AlphaMode::Drop;
    plan.engine_in = engine_in;
    plan.engine_out = engine_out;
    plan.target = encoder.pixel_format();
    plan.target_colour = encoder.colour();
    plan.dither = parse_dither(a.dither);

    if (a.engine.verbose) {
        const auto& l = engine.layout();
        std::fprintf(stderr, "mlrt: input  %s: %dx%d %s (%s)\n", a.input.c_str(), first->width,
                     first->height, av::pix_fmt_name(source), describe(colour).c_str());
        std::fprintf(stderr,
                     "mlrt: model  %s: %s in, scale %d, %s, %d stream(s) x %d thread(s), %zu "
                     "tile(s) of %dx%d\n",
                     a.model.c_str(), to_string(engine_in.family), engine.model_info().scale,
                     to_string(options.provider), engine.num_streams(), engine.intra_op_threads(),
                     l.count(), l.x.tile, l.y.tile);
        std::fprintf(stderr, "mlrt: output %s: %dx%d %s (%s)\n", a.output.c_str(), setup.width,
                     setup.height, encoder.describe().c_str(), describe(encoder.colour()).c_str());
    }
    report_device(engine.model_info(), a.engine.verbose);

    PipelineOptions po;
    po.range = range;
    po.first_index = first_index;
    po.progress = Progress::wanted(a.quiet);
    po.frame_estimate = decoder.frame_count_estimate();
    po.extra_planes = a.model_input.extra_planes;
    po.temporal = a.model_input.temporal;
    po.max_in_flight = budget.frames_in_flight;
    const PipelineResult r =
        run_pipeline(decoder, std::move(first), std::move(early), engine, encoder, plan, po);

    if (a.engine.verbose && a.model_input.temporal.scene_threshold >= 0)
        std::fprintf(stderr, "mlrt: %lld scene cut(s) above --scene-threshold: frame A repeated\n",
                     static_cast<long long>(r.scene_cuts));
    const double fps = r.seconds > 0 ? static_cast<double>(r.frames) / r.seconds : 0.0;
    const std::string where = a.output == "-" ? "standard output" : "'" + a.output + "'";
    if (r.interrupted) {
        std::fprintf(stderr, "mlrt: interrupted; wrote %lld frame(s) to %s (%s)\n",
                     static_cast<long long>(r.frames), where.c_str(), encoder.describe().c_str());
        return 130;
    }
    if (decoder.errors() > 0) {
        // The job went on past damaged input, as players do, but it is not a complete result:
        // say so and exit with a status of its own, so batch jobs cannot miss it.
        std::fprintf(stderr, "%s\n",
                     fmt::format("mlrt: error: input '{}' had {} decoding error(s) (last: {}); {} "
                                 "holds the {} frame(s) that decoded and may lack or damage others",
                                 a.input, decoder.errors(), decoder.last_error(), where, r.frames)
                         .c_str());
        return 3;
    }
    if (!a.quiet)
        std::fprintf(
            stderr, "%s\n",
            fmt::format("mlrt: wrote {} frame(s) of {}x{} to {} ({}) in {:.2f} s, {:.2f} fps",
                        r.frames, setup.width, setup.height, where, encoder.describe(), r.seconds,
                        fps)
                .c_str());
    return 0;
}

}  // namespace

// Each image on its own engine (images differ in size), several at a time when --streams asks
// for more than one: each then gets one stream and its share of the threads.
int run_images_in_folder(const RunArgs& a) {
    const FolderPlan plan = plan_folder(a.input, a.output, a.recursive, a.format, a.overwrite);
    const int parallel = std::max(1, a.engine.streams);
    return run_folder(plan, parallel, a.quiet, [&](const FolderJob& job) {
        RunArgs one = a;
        one.input = job.input;
        one.output = job.output;
        one.quiet = true;
        one.overwrite = a.overwrite;
        if (parallel > 1) {
            one.engine.streams = 1;
            if (a.engine.threads == 0)
                one.engine.threads =
                    std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / parallel);
        }
        return run(one);
    });
}

Command add_run_command(CLI::App& app) {
    auto a = std::make_shared<RunArgs>();
    CLI::App* cmd = app.add_subcommand("run", "Run a model over an image, image sequence or video");
    cmd->add_option("model", a->model, "ONNX model file, or a model name (`mlrt models list`)")
        ->required();
    cmd->add_option(
           "input", a->input,
           "Video file, image, image sequence pattern (in_%04d.png), a folder of images, or - for "
           "standard input")
        ->required();
    cmd->add_option(
           "output", a->output,
           "Video file (.mkv: FFV1 lossless; .mp4: x264), image (.png .jpg .tif), sequence pattern "
           "(out_%05d.png), a folder (for a folder input), or - for Y4M on standard output")
        ->required();
    cmd->add_flag("--recursive", a->recursive, "A folder input: its subfolders' images too");
    cmd->add_option("--format", a->format,
                    "A folder input: write every image as this format (png, jpg, webp, tiff, …) "
                    "instead of its own");
    add_engine_flags(*cmd, a->engine);
    cmd->add_option("--frames", a->frames,
                    "Frames START:END (0-based, END excluded; either may be empty) or N");
    cmd->add_option("--deinterlace", a->deinterlace,
                    "Deinterlace with FFmpeg's bwdif before the model: frame (the default, one "
                    "frame per frame) or field (one frame per field, twice the frame rate)")
        ->expected(0, 1)
        ->default_str("frame")
        ->check(CLI::IsMember({"frame", "field"}));
    cmd->add_flag("--gray", a->gray,
                  "Write GRAY: a 1-channel model's output alone (default on colour input: colour, "
                  "the model's output as the luma around the source's chroma)");
    cmd->add_option("--planes", a->planes,
                    "Colour planes a 3-channel model gets: rgb, or yuv (Y, U, V at 4:4:4 as float "
                    "in VapourSynth's convention: Y in [0, 1], U and V in [-0.5, 0.5]); a yuv "
                    "model's 3 output planes are Y, U, V, its 2 are U, V beside the source's Y; "
                    "written at 4:4:4 unless --pix-fmt says otherwise")
        ->check(CLI::IsMember({"rgb", "yuv"}))
        ->capture_default_str();
    cmd->add_option("--alpha", a->alpha,
                    "The input's alpha: model (through the model as gray, the default when it "
                    "scales), resize (zimg to the output size; at scale 1, a copy, the default) "
                    "or drop; kept where the output can hold it (PNG, TIFF, WebP, FFV1)")
        ->check(CLI::IsMember({"model", "resize", "drop"}));
    add_model_input_flags(*cmd, a->model_input);
    cmd->add_option("--codec", a->codec,
                    "Video encoder: ffv1, x264, x265 or any FFmpeg encoder name");
    cmd->add_option(
           "--crf", a->crf,
           "Constant rate factor for x264/x265 (default 18 and 20; implies x264 without --codec)")
        ->check(CLI::Range(0, 63));
    cmd->add_option("--preset", a->preset, "x264/x265 preset (ultrafast ... veryslow)");
    cmd->add_option("--pix-fmt", a->pix_fmt,
                    "Output pixel format (default: the closest to the source)");
    cmd->add_option("--dither", a->dither, "Dithering when reducing to integer samples")
        ->check(CLI::IsMember({"none", "ordered", "random", "error-diffusion"}))
        ->capture_default_str();
    cmd->add_option_function<std::string>(
           "--max-memory", [a](const std::string& v) { a->max_memory = parse_memory_size(v); },
           "Memory the job may use, e.g. 512M, 2G, 1.5GiB or bytes (default: what the machine "
           "has available)")
        ->check(CLI::Validator(
            [](std::string& v) {
                return parse_memory_size(v) ? std::string()
                                            : "'" + v + "' is not a size (e.g. 512M, 2G, 1.5GiB)";
            },
            "SIZE"));
    cmd->add_flag("--no-copy", a->no_copy, "Do not copy audio and subtitle streams");
    cmd->add_flag("-y,--overwrite", a->overwrite, "Replace OUTPUT if it exists (else refused)");
    cmd->add_flag("-q,--quiet", a->quiet, "No progress line and no summary");
    cmd->footer(
        "Exit status: 0 done; 1 error (no output is left behind); 2 bad usage; 3 the input had "
        "decoding errors (the output holds the frames that decoded) or, for a folder, some images "
        "failed (each is named; the others were written); 130 interrupted (the output is a "
        "playable, truncated file).");
    return {cmd, [a, cmd] {
                resolve_model_argument(a->model, *cmd, a->quiet);
                std::error_code ec;
                if (a->input != "-" && std::filesystem::is_directory(a->input, ec))
                    return run_images_in_folder(*a);
                if (a->recursive || !a->format.empty())
                    bad_arg(std::string(a->recursive ? "--recursive" : "--format") +
                            " is for a folder input, and '" + a->input + "' is not a folder");
                return run(*a);
            }};
}

}  // namespace mlrt::cli
