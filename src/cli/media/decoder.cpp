#include "media/decoder.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>

extern "C" {
#include <libavutil/pixdesc.h>
}

#include "util/interrupt.hpp"

namespace mlrt::cli {
namespace {

int interrupt_cb(void*) {
    return interrupted() ? 1 : 0;
}

bool image_demuxer(const AVInputFormat* f) {
    const std::string name = f->name;
    return name == "image2" || (name.size() > 5 && name.compare(name.size() - 5, 5, "_pipe") == 0);
}

}  // namespace

Decoder::Decoder(std::string path) : path_(std::move(path)), packet_(av::alloc_packet()) {
    const std::string url = path_ == "-" ? "pipe:0" : path_;
    AVFormatContext* ctx = avformat_alloc_context();
    if (!ctx) throw std::bad_alloc();
    // Lets Ctrl-C break out of a blocking read (a pipe, a slow network file).
    ctx->interrupt_callback.callback = interrupt_cb;
    int ret = avformat_open_input(&ctx, url.c_str(), nullptr, nullptr);  // frees ctx on failure
    if (ret < 0)
        throw Error(ErrorKind::Io,
                    "cannot open input '" + path_ + "': " + av::error_text(ret) + av::log_detail());
    format_.reset(ctx);
    ret = avformat_find_stream_info(ctx, nullptr);
    if (ret < 0)
        throw Error(ErrorKind::Io,
                    "cannot read input '" + path_ + "': " + av::error_text(ret) + av::log_detail());

    const AVCodec* decoder = nullptr;
    video_index_ = av_find_best_stream(ctx, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
    if (video_index_ == AVERROR_STREAM_NOT_FOUND)
        throw Error(ErrorKind::Io, "input '" + path_ + "' has no video stream or image");
    if (video_index_ == AVERROR_DECODER_NOT_FOUND || !decoder) {
        const AVCodecParameters* p = nullptr;
        for (unsigned i = 0; i < ctx->nb_streams; ++i)
            if (ctx->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
                p = ctx->streams[i]->codecpar;
        throw Error(ErrorKind::Io, "input '" + path_ +
                                       "': this FFmpeg has no decoder for its video codec " +
                                       (p ? avcodec_get_name(p->codec_id) : "?"));
    }
    av::check(video_index_, ErrorKind::Io, "input '" + path_ + "'");

    AVStream* st = ctx->streams[video_index_];
    codec_.reset(avcodec_alloc_context3(decoder));
    if (!codec_) throw std::bad_alloc();
    av::check(avcodec_parameters_to_context(codec_.get(), st->codecpar), ErrorKind::Io,
              "input '" + path_ + "'");
    codec_->pkt_timebase = st->time_base;
    codec_->thread_count = 0;  // FFmpeg picks by core count
    ret = avcodec_open2(codec_.get(), decoder, nullptr);
    if (ret < 0)
        throw Error(ErrorKind::Io, "input '" + path_ + "': cannot open the " + decoder->name +
                                       " decoder: " + av::error_text(ret));

    const AVRational guessed = av_guess_frame_rate(ctx, st, nullptr);
    if (guessed.num > 0 && guessed.den > 0) frame_rate_ = guessed;
    is_image_ = image_demuxer(ctx->iformat);
    forward_.assign(ctx->nb_streams, false);
}

std::optional<std::int64_t> Decoder::frame_count_estimate() const {
    const AVStream& st = video_stream();
    if (st.nb_frames > 0) return st.nb_frames;
    double seconds = -1;
    if (st.duration > 0 && st.duration != AV_NOPTS_VALUE)
        seconds = static_cast<double>(st.duration) * av_q2d(st.time_base);
    else if (format_->duration > 0 && format_->duration != AV_NOPTS_VALUE)
        seconds = static_cast<double>(format_->duration) / AV_TIME_BASE;
    if (seconds <= 0)
        return is_image_ && std::strcmp(format_->iformat->name, "image2") != 0
                   ? std::optional<std::int64_t>(1)
                   : std::nullopt;
    const auto n = static_cast<std::int64_t>(std::llround(seconds * av_q2d(frame_rate_)));
    return n > 0 ? std::optional<std::int64_t>(n) : std::nullopt;
}

void Decoder::decode_error(int err) {
    ++errors_;
    const std::string detail = av::take_last_log_error();
    last_error_ = av::error_text(err) + (detail.empty() ? "" : ": " + detail);
    // A broken image, or a video whose start will not decode, is unusable; later glitches are
    // concealed by the decoder, as players do, but reported.
    if (is_image_ || (frames_decoded_ == 0 && errors_ > 25))
        throw Error(ErrorKind::Io, "cannot decode input '" + path_ + "': " + last_error_);
    if (errors_ <= 3)
        std::fprintf(stderr, "mlrt: warning: decoding error in '%s' after frame %lld: %s\n",
                     path_.c_str(), static_cast<long long>(frames_decoded_), last_error_.c_str());
}

bool Decoder::feed(const std::function<void(av::PacketPtr)>& forward) {
    // Reads until one video packet went to the decoder; false once there are no more.
    for (;;) {
        const int ret = av_read_frame(format_.get(), packet_.get());
        if (ret == AVERROR_EOF || (ret < 0 && interrupted())) return false;
        if (ret < 0)
            throw Error(ErrorKind::Io,
                        "reading input '" + path_ + "' failed: " + av::error_text(ret));
        const int index = packet_->stream_index;
        if (index == video_index_) {
            const int sent = avcodec_send_packet(codec_.get(), packet_.get());
            av_packet_unref(packet_.get());
            if (sent < 0 && sent != AVERROR(EAGAIN)) decode_error(sent);
            return true;
        }
        if (index >= 0 && static_cast<std::size_t>(index) < forward_.size() &&
            forward_[static_cast<std::size_t>(index)] && forward) {
            av::PacketPtr copy = av::alloc_packet();
            av_packet_move_ref(copy.get(), packet_.get());
            forward(std::move(copy));
        } else {
            av_packet_unref(packet_.get());
        }
    }
}

av::FramePtr Decoder::next(const std::function<void(av::PacketPtr)>& forward) {
    av::FramePtr frame = av::alloc_frame();
    for (;;) {
        const int ret = avcodec_receive_frame(codec_.get(), frame.get());
        if (ret == 0) {
            ++frames_decoded_;
            return frame;
        }
        if (ret == AVERROR_EOF) {
            // Decoders drop undecodable frames quietly; an input that yields none is broken.
            if (frames_decoded_ == 0 && !interrupted()) {
                const std::string detail =
                    last_error_.empty() ? av::take_last_log_error() : last_error_;
                throw Error(ErrorKind::Io, "cannot decode input '" + path_ +
                                               "': no frame could be decoded" +
                                               (detail.empty() ? "" : " (" + detail + ")"));
            }
            return nullptr;
        }
        if (ret != AVERROR(EAGAIN)) {
            decode_error(ret);
            continue;
        }
        if (flushing_) return nullptr;
        if (interrupted() || !feed(forward)) {
            flushing_ = true;
            avcodec_send_packet(codec_.get(), nullptr);  // drain frames the decoder still holds
        }
    }
}

bool Decoder::seek(std::int64_t pts) {
    if (av_seek_frame(format_.get(), video_index_, pts, AVSEEK_FLAG_BACKWARD) < 0) return false;
    avcodec_flush_buffers(codec_.get());
    flushing_ = false;
    return true;
}

}  // namespace mlrt::cli
