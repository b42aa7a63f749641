#pragma once
// The reader side of `mlrt run --window K` and `--interpolate N`: decoded frames are converted
// to float once, here, and grouped into the jobs the model runs on (K consecutive frames, or a
// pair and a timestep), through the library's FrameWindow and FramePairs, so that only a window's
// worth of frames is held. Job timestamps are in output_time_base().
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "media/converter.hpp"
#include "mlrt/workload.hpp"
#include "util/plane_buffer.hpp"

namespace mlrt::cli {

struct TemporalOptions {
    int window = 0;               // K >= 3 (odd), or 0
    int interpolate = 0;          // N >= 2, or 0
    double scene_threshold = -1;  // < 0: off
    bool active() const noexcept { return window > 0 || interpolate > 0; }
    // Frames beyond a --frames range that its first and last output frames are made from: the
    // window's half on each side, the next frame for the last pair. Read as context, not written,
    // so that a range's frames equal the same frames of a whole run and segments join seamlessly.
    int context_before() const noexcept { return window / 2; }
    int context_after() const noexcept { return window > 0 ? window / 2 : interpolate > 0 ? 1 : 0; }
};

struct TemporalJob {
    std::vector<std::shared_ptr<const PlaneBuffer>> frames;  // the model's frames, in order
    float timestep = 0;
    bool copy = false;  // write frames[0] as it is (an input frame, or a repeat at a scene cut)
    std::int64_t pts = AV_NOPTS_VALUE;
};

class TemporalReader {
  public:
    // `time_base` and `frame_rate` are the input's; `plan` converts frames as the engine wants.
    TemporalReader(const TemporalOptions& options, AVPixelFormat source, const ColourSpec& colour,
                   const FloatFormat& engine_in, AVColorSpace luma_matrix, AVRational time_base,
                   AVRational frame_rate);

    // `output`: false for a context frame (TemporalOptions::context_before), which the model
    // sees beside others but whose own output is not made.
    std::vector<TemporalJob> push(const AVFrame& frame, std::int64_t pts, bool output = true);
    std::vector<TemporalJob> finish();

    // The input's time base divided by N for interpolation (N frames per input frame interval).
    AVRational output_time_base() const noexcept { return out_time_base_; }
    // How many scene cuts --scene-threshold found so far.
    std::int64_t scene_cuts() const noexcept { return scene_cuts_; }

  private:
    struct Item {
        std::shared_ptr<const PlaneBuffer> planes;
        std::int64_t pts = AV_NOPTS_VALUE;
        bool output = true;
    };
    std::vector<TemporalJob> windows(std::vector<std::vector<Item>> ready) const;
    std::vector<TemporalJob> between(const Item& a, const Item* b);

    TemporalOptions options_;
    FloatFormat engine_in_;
    ToFloat to_float_;
    AVRational out_time_base_;
    std::int64_t frame_duration_;  // one input frame in the input's time base (at least 1)
    std::optional<FrameWindow<Item>> window_;
    FramePairs<Item> pairs_;
    std::optional<Interpolation> interpolation_;
    std::int64_t scene_cuts_ = 0;
};

// The mean absolute difference of the luma of two float frames, in [0, 1]: the BT.709 luma
// (0.2126 R + 0.7152 G + 0.0722 B) of RGB planes, or the plane itself for GRAY.
double mean_luma_difference(const PlaneBuffer& a, const PlaneBuffer& b);

}  // namespace mlrt::cli
