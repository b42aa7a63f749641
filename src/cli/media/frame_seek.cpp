#include "media/frame_seek.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

namespace mlrt::cli {
namespace {

// Frame numbers and timestamps on the grid that frame 0 and the frame rate lay down.
class FrameGrid {
  public:
    FrameGrid(std::int64_t pts0, AVRational time_base, AVRational frame_rate)
        : pts0_(pts0), ticks_per_frame_(av_q2d(av_inv_q(frame_rate)) / av_q2d(time_base)) {}

    std::int64_t pts_of(std::int64_t index) const {
        return pts0_ + std::llround(static_cast<double>(index) * ticks_per_frame_);
    }
    std::int64_t index_of(std::int64_t pts) const {
        return std::llround(static_cast<double>(pts - pts0_) / ticks_per_frame_);
    }
    // Container clocks round (Matroska to milliseconds), so a frame a quarter of a frame off
    // its place is still that frame; further off, the grid is not how this input is timed.
    bool on_grid(std::int64_t pts) const {
        return std::abs(static_cast<double>(pts - pts_of(index_of(pts)))) <=
               ticks_per_frame_ / 4 + 1;
    }

  private:
    std::int64_t pts0_;
    double ticks_per_frame_;
};

enum class Landing { Found, TooLate, Failed };

}  // namespace

SeekResult seek_to_frame(Decoder& decoder, const AVFrame& frame0, std::int64_t target) {
    SeekResult r;
    const std::int64_t pts0 = frame0.best_effort_timestamp;
    if (pts0 == AV_NOPTS_VALUE) {
        r.why = "the input's frames have no timestamps";
        return r;
    }
    const FrameGrid grid(pts0, decoder.time_base(), decoder.frame_rate());
    const auto forward = [&](av::PacketPtr p) { r.packets.push_back(std::move(p)); };

    // A container index can point past the keyframe it should (MPEG-TS/PS seek by byte
    // position); landing after the target means trying again from further back.
    const double fps = av_q2d(decoder.frame_rate());
    const std::array<std::int64_t, 4> back_frames = {
        0, std::llround(2 * fps), std::llround(10 * fps), std::llround(60 * fps)};
    for (const std::int64_t back : back_frames) {
        r.packets.clear();
        // Before frame 0, by a second: demuxers that seek by decoding time (MPEG-TS) would
        // otherwise land after it, its decoding time preceding its display time.
        const std::int64_t from = std::max<std::int64_t>(-std::llround(fps), target - back);
        if (!decoder.seek(grid.pts_of(from))) {
            r.why = "the input cannot seek";
            return r;
        }
        Landing landing = Landing::Failed;
        bool keyed = false;
        std::int64_t previous = -1;
        while (av::FramePtr f = decoder.next(forward)) {
            const std::int64_t pts = f->best_effort_timestamp;
            if (pts == AV_NOPTS_VALUE || !grid.on_grid(pts)) {
                r.why = "the input's timestamps are not one frame apart (variable frame rate?)";
                return r;
            }
            // What precedes the first keyframe decoded after a seek may reference frames
            // the decoder never saw.
            if (!keyed && !f->key_frame) continue;
            const std::int64_t index = grid.index_of(pts);
            if (!keyed && index > target) {
                landing = Landing::TooLate;
                break;
            }
            if (keyed && index != previous + 1) {
                r.why = "frame " + std::to_string(previous + 1) + " is missing after a seek";
                return r;
            }
            keyed = true;
            previous = index;
            if (index == target) {
                r.frame = std::move(f);
                landing = Landing::Found;
                break;
            }
        }
        if (landing == Landing::Found) {
            decoder.reset_errors();
            return r;
        }
        if (landing == Landing::Failed) {
            r.why = "frame " + std::to_string(target) + " was not found after seeking";
            return r;
        }
        if (from < 0) break;
    }
    r.why = "seeking did not reach a keyframe before frame " + std::to_string(target);
    return r;
}

}  // namespace mlrt::cli
