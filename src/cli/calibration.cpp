#include "calibration.hpp"

#include <cstdio>

#include "mlrt/error.hpp"
#include "mlrt/workload.hpp"

namespace mlrt::cli {
namespace {

// One frame as the model's whole input: repeated for each frame it takes, then the constants.
std::vector<FrameView> model_clips(const FrameView& image, int frames,
                                   const std::vector<float>& constants, ConstantPlanes& cache,
                                   std::vector<PlaneView>& storage) {
    std::vector<FrameView> clips(static_cast<std::size_t>(frames), image);
    if (!constants.empty())
        clips.push_back(cache.frame(image.width, image.height, image.type, constants, storage));
    return clips;
}

}  // namespace

Int8Setup calibrate_job(const CalibrationJob& job, const ModelSource& model,
                        const InputFormat& input, const EngineOptions& options,
                        const config::CalibrationArgs& args) {
    Int8Setup setup;
    if (!options.int8) return setup;
    // Frames are spread over what the job will process; with no count known, the first ones.
    std::int64_t total = args.frames;
    if (job.range.end)
        total = *job.range.end - job.range.start;
    else if (job.frame_estimate)
        total = *job.frame_estimate - job.range.start;
    total = std::max<std::int64_t>(1, std::min<std::int64_t>(total, 1 << 30));

    std::optional<Decoder> decoder;
    std::optional<ToFloat> to_float;
    std::int64_t next_index = 0;  // of the frame decoder->next() returns
    ConstantPlanes constants;
    std::vector<PlaneView> constant_views;
    setup.frames_per_input = job.frames_per_input;
    setup.constant_planes = job.constant_planes;
    const auto skip = [](av::PacketPtr) {};
    setup.calibration = config::calibration_for(
        model, input, options, args, static_cast<int>(total), [&](int n, Calibrator& calibrator) {
            if (!decoder) {
                decoder.emplace(job.input);
                decoder->deinterlace(job.deinterlace);
                to_float.emplace(job.plan.source, job.plan.source_colour, job.plan.engine_in,
                                 job.plan.luma_matrix);
            }
            const std::int64_t want = job.range.start + n;
            av::FramePtr frame;
            while (next_index <= want && (frame = decoder->next(skip))) ++next_index;
            if (!frame) return;  // the container promised more frames than it holds
            PlaneBuffer buffer(input.width, input.height, input.planes_per_clip[0], input.type);
            to_float->convert(*frame, buffer);
            calibrator.add(model_clips(buffer.view(), job.frames_per_input, job.constant_planes,
                                       constants, constant_views));
            setup.frames.push_back(std::move(buffer));
        });
    if (job.verbose)
        std::fprintf(stderr, "mlrt: int8   calibration: %s, %d frame(s), %d tile(s)%s%s\n",
                     setup.calibration->method.c_str(), setup.calibration->frames,
                     setup.calibration->tiles, args.file.empty() ? "" : ", file ",
                     args.file.c_str());
    return setup;
}

void report_int8_quality(const Int8Setup& setup, const Engine& int8_engine,
                         const ModelSource& model, const InputFormat& input,
                         const EngineOptions& options, bool verbose) {
    if (!options.int8) return;
    if (int8_engine.model_info().int8_nodes == 0) {
        std::fprintf(stderr,
                     "mlrt: warning: --int8: no node runs in int8 (the model has no Conv, "
                     "ConvTranspose, MatMul or Gemm that the blacklist leaves); it runs in "
                     "float32\n");
        return;
    }
    if (setup.frames.empty()) return;
    EngineOptions float_options = options;
    float_options.int8 = false;
    float_options.int8_calibration.reset();
    float_options.num_streams = 1;
    const Engine reference(model, input, float_options);
    double worst = std::numeric_limits<double>::infinity();
    ConstantPlanes constants;
    std::vector<PlaneView> constant_views;
    for (const PlaneBuffer& frame : setup.frames) {
        const std::vector<FrameView> clips = model_clips(
            frame.view(), setup.frames_per_input, setup.constant_planes, constants, constant_views);
        const Frame want = reference.run(clips);
        const Frame got = int8_engine.run(clips);
        worst = std::min(worst, psnr(want.view(), got.view()));
    }
    if (verbose)
        std::fprintf(stderr,
                     "mlrt: int8   %d node(s) in int8; PSNR against float32 on the calibration "
                     "frames: %.2f dB (worst frame)\n",
                     int8_engine.model_info().int8_nodes, worst);
    if (worst < 40.0)
        std::fprintf(stderr,
                     "mlrt: warning: int8 output is %.2f dB from float32 on the calibration "
                     "frames (under 40 dB); blacklist more nodes (--int8-blacklist) or drop "
                     "--int8\n",
                     worst);
}

}  // namespace mlrt::cli
