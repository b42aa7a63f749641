#pragma once
// Deinterlacing before the model: FFmpeg's bwdif, at frame rate (one frame per frame) or field
// rate (one frame per field), in a filter graph built from the first frame it is given.
#include <cstdint>
#include <memory>
#include <string>

#include "media/ffmpeg.hpp"

struct AVFilterGraph;
struct AVFilterContext;

namespace mlrt::cli {

enum class DeinterlaceMode { Off, Frame, Field };

// "frame" or "field"; anything else is refused with a message naming it.
DeinterlaceMode parse_deinterlace_mode(const std::string& s);

class Deinterlacer {
  public:
    // `input` names the file in messages; `field_order` is the stream's, used for frames that
    // do not carry their own interlacing flags.
    Deinterlacer(DeinterlaceMode mode, std::string input, AVFieldOrder field_order);
    Deinterlacer(Deinterlacer&&) noexcept;
    Deinterlacer& operator=(Deinterlacer&&) noexcept;
    ~Deinterlacer();

    // Gives the filter one decoded frame; its timestamps are in `time_base`, the stream's.
    void push(av::FramePtr frame, AVRational time_base);
    // Tells the filter no more frames come, so that it gives back the ones it holds.
    void finish();
    // The next deinterlaced frame, its timestamps in `time_base`; null when the filter needs
    // another frame (or, after finish(), has none left).
    av::FramePtr pull(AVRational time_base);
    // Forgets every frame held, as after a seek; the next push starts a new graph.
    void reset() noexcept;

  private:
    struct GraphDeleter {
        void operator()(AVFilterGraph* g) const noexcept;
    };
    void build(const AVFrame& first, AVRational time_base);

    DeinterlaceMode mode_;
    std::string input_;
    AVFieldOrder field_order_;
    std::unique_ptr<AVFilterGraph, GraphDeleter> graph_;
    AVFilterContext* source_ = nullptr;  // owned by graph_
    AVFilterContext* sink_ = nullptr;    // owned by graph_
    int width_ = 0, height_ = 0, format_ = -1;
    std::int64_t pushed_ = 0;
    bool finished_ = false;
};

}  // namespace mlrt::cli
