#include "media/deinterlacer.hpp"

#include <fmt/core.h>

extern "C" {
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
}

namespace mlrt::cli {
namespace {

bool flagged_interlaced(const AVFrame& f) {
#ifdef AV_FRAME_FLAG_INTERLACED
    return (f.flags & AV_FRAME_FLAG_INTERLACED) != 0;
#else
    return f.interlaced_frame != 0;
#endif
}

// Frames that do not say they are interlaced (containers that keep the field order, codecs
// that keep no flags) get the stream's order, so that bwdif deinterlaces them in the order
// they were shot in rather than assuming top field first.
void apply_field_order(AVFrame& f, AVFieldOrder order) {
    if (flagged_interlaced(f)) return;
    const bool top = order == AV_FIELD_TT || order == AV_FIELD_TB;
    const bool bottom = order == AV_FIELD_BB || order == AV_FIELD_BT;
    if (!top && !bottom) return;
#ifdef AV_FRAME_FLAG_INTERLACED
    f.flags |= AV_FRAME_FLAG_INTERLACED;
    if (top)
        f.flags |= AV_FRAME_FLAG_TOP_FIELD_FIRST;
    else
        f.flags &= ~AV_FRAME_FLAG_TOP_FIELD_FIRST;
#else
    f.interlaced_frame = 1;
    f.top_field_first = top ? 1 : 0;
#endif
}

}  // namespace

DeinterlaceMode parse_deinterlace_mode(const std::string& s) {
    if (s == "frame") return DeinterlaceMode::Frame;
    if (s == "field") return DeinterlaceMode::Field;
    throw Error(ErrorKind::InvalidArgument,
                "--deinterlace: '" + s + "' is not a mode; use frame (one frame per frame) or " +
                    "field (one frame per field, twice the frame rate)");
}

void Deinterlacer::GraphDeleter::operator()(AVFilterGraph* g) const noexcept {
    avfilter_graph_free(&g);
}

Deinterlacer::Deinterlacer(DeinterlaceMode mode, std::string input, AVFieldOrder field_order)
    : mode_(mode), input_(std::move(input)), field_order_(field_order) {}

Deinterlacer::Deinterlacer(Deinterlacer&&) noexcept = default;
Deinterlacer& Deinterlacer::operator=(Deinterlacer&&) noexcept = default;
Deinterlacer::~Deinterlacer() = default;

void Deinterlacer::build(const AVFrame& first, AVRational time_base) {
    const auto fail = [&](int err, const char* what) {
        const std::string detail = av::take_last_log_error();
        throw Error(ErrorKind::InvalidArgument,
                    fmt::format("input '{}': cannot deinterlace its {}x{} {} frames ({}: {}{})",
                                input_, first.width, first.height,
                                av::pix_fmt_name(static_cast<AVPixelFormat>(first.format)), what,
                                av::error_text(err), detail.empty() ? "" : "; " + detail));
    };
    // bwdif's own refusal of these reaches the log only, behind a generic one.
    if (first.width < 3 || first.height < 4)
        throw Error(ErrorKind::InvalidArgument,
                    fmt::format("input '{}': frames of {}x{} are too small to deinterlace (bwdif "
                                "needs at least 3x4)",
                                input_, first.width, first.height));
    graph_.reset(avfilter_graph_alloc());
    if (!graph_) throw std::bad_alloc();
    const AVRational sar = first.sample_aspect_ratio;
    const std::string source_args = fmt::format(
        "video_size={}x{}:pix_fmt={}:time_base={}/{}:pixel_aspect={}/{}", first.width, first.height,
        first.format, time_base.num, time_base.den, sar.num, std::max(sar.den, 1));
    // send_frame / send_field; deint=all: the user asked, so frames flagged progressive in an
    // interlaced stream (common after edits) are deinterlaced too, and field rate stays exact.
    const std::string bwdif_args =
        fmt::format("mode={}:parity=auto:deint=all",
                    mode_ == DeinterlaceMode::Field ? "send_field" : "send_frame");
    AVFilterContext* bwdif = nullptr;
    int ret = avfilter_graph_create_filter(&source_, avfilter_get_by_name("buffer"), "in",
                                           source_args.c_str(), nullptr, graph_.get());
    if (ret < 0) fail(ret, "filter source");
    const AVFilter* filter = avfilter_get_by_name("bwdif");
    if (!filter)
        throw Error(
            ErrorKind::InvalidArgument,
            "--deinterlace: this FFmpeg has no bwdif filter (libavfilter built without it)");
    ret = avfilter_graph_create_filter(&bwdif, filter, "bwdif", bwdif_args.c_str(), nullptr,
                                       graph_.get());
    if (ret < 0) fail(ret, "bwdif");
    ret = avfilter_graph_create_filter(&sink_, avfilter_get_by_name("buffersink"), "out", nullptr,
                                       nullptr, graph_.get());
    if (ret < 0) fail(ret, "filter sink");
    if ((ret = avfilter_link(source_, 0, bwdif, 0)) < 0 ||
        (ret = avfilter_link(bwdif, 0, sink_, 0)) < 0)
        fail(ret, "linking filters");
    // Formats bwdif cannot take (packed RGB, NV12) get a lossless conversion FFmpeg inserts.
    if ((ret = avfilter_graph_config(graph_.get(), nullptr)) < 0) fail(ret, "bwdif");
    width_ = first.width;
    height_ = first.height;
    format_ = first.format;
    finished_ = false;
}

void Deinterlacer::push(av::FramePtr frame, AVRational time_base) {
    if (finished_) return;
    if (graph_ && (frame->width != width_ || frame->height != height_ || frame->format != format_))
        throw Error(
            ErrorKind::InvalidArgument,
            fmt::format("input '{}' changes {} at frame {} ({}x{} {} to {}x{} {}); "
                        "mlrt needs a constant frame size and pixel format",
                        input_, frame->format != format_ ? "pixel format" : "size", pushed_, width_,
                        height_, av::pix_fmt_name(static_cast<AVPixelFormat>(format_)),
                        frame->width, frame->height,
                        av::pix_fmt_name(static_cast<AVPixelFormat>(frame->format))));
    if (!graph_) build(*frame, time_base);
    frame->pts = frame->best_effort_timestamp;
    apply_field_order(*frame, field_order_);
    ++pushed_;
    const int ret = av_buffersrc_add_frame(source_, frame.get());
    if (ret < 0)
        throw Error(ErrorKind::Io,
                    "input '" + input_ + "': deinterlacing failed: " + av::error_text(ret));
}

void Deinterlacer::finish() {
    if (!graph_ || finished_) return;
    finished_ = true;
    const int ret = av_buffersrc_add_frame(source_, nullptr);
    if (ret < 0)
        throw Error(ErrorKind::Io,
                    "input '" + input_ + "': deinterlacing failed: " + av::error_text(ret));
}

av::FramePtr Deinterlacer::pull(AVRational time_base) {
    if (!graph_) return nullptr;
    av::FramePtr frame = av::alloc_frame();
    const int ret = av_buffersink_get_frame(sink_, frame.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return nullptr;
    if (ret < 0)
        throw Error(ErrorKind::Io,
                    "input '" + input_ + "': deinterlacing failed: " + av::error_text(ret));
    // bwdif counts in half frames; callers count in `time_base`.
    const AVRational from = av_buffersink_get_time_base(sink_);
    if (frame->pts != AV_NOPTS_VALUE) frame->pts = av_rescale_q(frame->pts, from, time_base);
    frame->best_effort_timestamp = frame->pts;
    return frame;
}

void Deinterlacer::reset() noexcept {
    graph_.reset();
    source_ = nullptr;
    sink_ = nullptr;
    finished_ = false;
}

}  // namespace mlrt::cli
