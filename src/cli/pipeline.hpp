#pragma once
// The frame pipeline of `mlrt run`: a reader thread decodes, one worker per engine stream
// converts and infers, and the calling thread encodes in source order. Frames in flight are
// capped, so memory stays flat however long the input is.
#include <cstdint>
#include <optional>
#include <vector>

#include "media/alpha.hpp"
#include "media/converter.hpp"
#include "media/decoder.hpp"
#include "media/encoder.hpp"
#include "media/yuv_merge.hpp"
#include "mlrt/engine.hpp"
#include "temporal_reader.hpp"
#include "util/args.hpp"

namespace mlrt::cli {

// How frames are converted on the way into and out of the engine.
struct ConversionPlan {
    AVPixelFormat source = AV_PIX_FMT_NONE;
    ColourSpec source_colour;
    AVColorSpace luma_matrix = AVCOL_SPC_BT709;  // when colour becomes GRAY or YUV for the model
    // A model giving part of a YUV picture (a GRAY model on colour input, or a chroma model under
    // --planes yuv): the source gives the rest (media/yuv_merge.hpp). Not with --window or
    // --interpolate.
    std::optional<ModelPlanes> merge;
    // The input's alpha: Model, Resize (a copy at scale 1) or Drop; the target then has alpha.
    AlphaMode alpha = AlphaMode::Drop;
    FloatFormat engine_in;
    FloatFormat engine_out;
    AVPixelFormat target = AV_PIX_FMT_NONE;
    ColourSpec target_colour;
    Dither dither = Dither::ErrorDiffusion;
};

struct PipelineOptions {
    FrameRange range;
    std::int64_t first_index = 0;  // the number of the first frame given (past a seek)
    bool progress = false;
    std::optional<std::int64_t> frame_estimate;  // of the whole input
    // Model inputs beyond the frame's planes (model_input.hpp): constant planes after the
    // image planes (then the timestep for --interpolate), and windows or pairs of frames.
    std::vector<float> extra_planes;
    TemporalOptions temporal;
    int max_in_flight = 0;  // frames decoded but not yet written; 0: 2 per stream + 2
};

struct PipelineResult {
    std::int64_t frames = 0;
    double seconds = 0;
    bool interrupted = false;
    std::int64_t scene_cuts = 0;  // pairs --scene-threshold repeated instead of interpolating
};

// `first` is the input's frame `options.first_index`, already decoded; `early` the packets of
// copied streams read before it. Frames keep their input timestamps. Finishes the encoder on
// success or interruption; on failure throws and leaves the encoder unfinished (for its caller to
// discard).
PipelineResult run_pipeline(Decoder& decoder, av::FramePtr first, std::vector<av::PacketPtr> early,
                            const Engine& engine, Encoder& encoder, const ConversionPlan& plan,
                            const PipelineOptions& options);

}  // namespace mlrt::cli
