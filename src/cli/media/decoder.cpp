#include "media/decoder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

extern "C" {
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
}

#include "media/interlace.hpp"
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

constexpr int kIoBufferSize = 1 << 16;

}  // namespace

// The read position in a MemoryInput's bytes, for FFmpeg's read and seek callbacks.
struct Decoder::MemoryReader {
    std::span<const std::uint8_t> bytes;
    std::size_t at = 0;

    static int read(void* opaque, std::uint8_t* buf, int size) {
        auto& r = *static_cast<MemoryReader*>(opaque);
        const std::size_t n =
            std::min(static_cast<std::size_t>(std::max(size, 0)), r.bytes.size() - r.at);
        if (n == 0) return AVERROR_EOF;
        std::memcpy(buf, r.bytes.data() + r.at, n);
        r.at += n;
        return static_cast<int>(n);
    }

    static std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
        auto& r = *static_cast<MemoryReader*>(opaque);
        const auto size = static_cast<std::int64_t>(r.bytes.size());
        if (whence & AVSEEK_SIZE) return size;
        std::int64_t base = 0;
        switch (whence & ~AVSEEK_FORCE) {
            case SEEK_SET:
                break;
            case SEEK_CUR:
                base = static_cast<std::int64_t>(r.at);
                break;
            case SEEK_END:
                base = size;
                break;
            default:
                return AVERROR(EINVAL);
        }
        // Offsets come from the file's own fields, so any value is possible.
        if ((offset > 0 && base > std::numeric_limits<std::int64_t>::max() - offset) ||
            base + offset < 0 || base + offset > size)
            return AVERROR(EINVAL);
        r.at = static_cast<std::size_t>(base + offset);
        return base + offset;
    }
};

void Decoder::IoContextDeleter::operator()(AVIOContext* io) const noexcept {
    av_freep(&io->buffer);  // FFmpeg may have replaced the buffer it was given
    avio_context_free(&io);
}

Decoder::Decoder(std::string path) : path_(std::move(path)), packet_(av::alloc_packet()) {
    open(path_ == "-" ? "pipe:0" : path_, {});
}

Decoder::Decoder(const MemoryInput& input, const DecodeLimits& limits)
    : path_(input.name),
      memory_(std::make_unique<MemoryReader>(MemoryReader{input.bytes})),
      packet_(av::alloc_packet()) {
    auto* buffer = static_cast<std::uint8_t*>(av_malloc(kIoBufferSize));
    if (!buffer) throw std::bad_alloc();
    io_.reset(avio_alloc_context(buffer, kIoBufferSize, 0, memory_.get(), MemoryReader::read,
                                 nullptr, MemoryReader::seek));
    if (!io_) {
        av_free(buffer);
        throw std::bad_alloc();
    }
    open(path_, limits);
}

Decoder::Decoder(Decoder&&) noexcept = default;
Decoder& Decoder::operator=(Decoder&&) noexcept = default;
Decoder::~Decoder() = default;

void Decoder::open(const std::string& url, const DecodeLimits& limits) {
    AVFormatContext* ctx = avformat_alloc_context();
    if (!ctx) throw std::bad_alloc();
    // Lets Ctrl-C break out of a blocking read (a pipe, a slow network file).
    ctx->interrupt_callback.callback = interrupt_cb;
    if (io_) {
        ctx->pb = io_.get();
        ctx->flags |= AVFMT_FLAG_CUSTOM_IO;
    }
    int ret = avformat_open_input(&ctx, url.c_str(), nullptr, nullptr);  // frees ctx on failure
    if (ret < 0)
        throw Error(ErrorKind::Io,
                    "cannot open input '" + path_ + "': " + av::error_text(ret) + av::log_detail());
    format_.reset(ctx);
    // Checked before probing: a probing decoder that refuses the size also erases it.
    for (unsigned i = 0; i < ctx->nb_streams && limits.max_pixels > 0; ++i) {
        const AVCodecParameters& p = *ctx->streams[i]->codecpar;
        if (p.codec_type == AVMEDIA_TYPE_VIDEO &&
            static_cast<std::int64_t>(p.width) * p.height > limits.max_pixels)
            throw Error(ErrorKind::Io, "input '" + path_ + "': frames of " +
                                           std::to_string(p.width) + "x" +
                                           std::to_string(p.height) + " are over the limit of " +
                                           std::to_string(limits.max_pixels) + " pixels");
    }
    // Probing decodes frames too, with decoders of its own: they get the same bounds.
    std::vector<AVDictionary*> probe_options(ctx->nb_streams, nullptr);
    if (limits.max_pixels > 0)
        for (AVDictionary*& d : probe_options) {
            av_dict_set_int(&d, "max_pixels", limits.max_pixels, 0);
            av_dict_set_int(&d, "threads", limits.threads, 0);
        }
    ret = avformat_find_stream_info(ctx, probe_options.empty() ? nullptr : probe_options.data());
    for (AVDictionary*& d : probe_options) av_dict_free(&d);
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
    codec_->thread_count = limits.threads;
    // The container's size can lie; this bounds what the decoder itself will allocate.
    if (limits.max_pixels > 0) codec_->max_pixels = limits.max_pixels;
    ret = avcodec_open2(codec_.get(), decoder, nullptr);
    if (ret < 0)
        throw Error(ErrorKind::Io, "input '" + path_ + "': cannot open the " + decoder->name +
                                       " decoder: " + av::error_text(ret));

    const AVRational guessed = av_guess_frame_rate(ctx, st, nullptr);
    if (guessed.num > 0 && guessed.den > 0) frame_rate_ = guessed;
    is_image_ = image_demuxer(ctx->iformat);
    forward_.assign(ctx->nb_streams, false);
}

AVRational Decoder::time_base() const noexcept {
    const AVRational tb = video_stream().time_base;
    return deinterlace_mode_ == DeinterlaceMode::Field ? av_mul_q(tb, AVRational{1, 2}) : tb;
}

AVRational Decoder::frame_rate() const noexcept {
    return deinterlace_mode_ == DeinterlaceMode::Field ? av_mul_q(frame_rate_, AVRational{2, 1})
                                                       : frame_rate_;
}

void Decoder::deinterlace(DeinterlaceMode mode) {
    deinterlace_mode_ = mode;
    deinterlacer_.reset();
    if (mode != DeinterlaceMode::Off)
        deinterlacer_.emplace(mode, path_, field_order(video_stream()));
}

std::optional<std::int64_t> Decoder::frame_count_estimate() const {
    const std::int64_t per_frame = deinterlace_mode_ == DeinterlaceMode::Field ? 2 : 1;
    const AVStream& st = video_stream();
    if (st.nb_frames > 0) return st.nb_frames * per_frame;
    double seconds = -1;
    if (st.duration > 0 && st.duration != AV_NOPTS_VALUE)
        seconds = static_cast<double>(st.duration) * av_q2d(st.time_base);
    else if (format_->duration > 0 && format_->duration != AV_NOPTS_VALUE)
        seconds = static_cast<double>(format_->duration) / AV_TIME_BASE;
    if (seconds <= 0)
        return is_image_ && std::strcmp(format_->iformat->name, "image2") != 0
                   ? std::optional<std::int64_t>(1)
                   : std::nullopt;
    const auto n = static_cast<std::int64_t>(std::llround(seconds * av_q2d(frame_rate())));
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
            ++packets_sent_;
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
    if (!deinterlacer_) return decode(forward);
    const AVRational stream_tb = video_stream().time_base;
    for (;;) {
        if (av::FramePtr out = deinterlacer_->pull(time_base())) return out;
        av::FramePtr in = decode(forward);
        if (!in) {
            deinterlacer_->finish();
            return deinterlacer_->pull(time_base());
        }
        deinterlacer_->push(std::move(in), stream_tb);
    }
}

av::FramePtr Decoder::decode(const std::function<void(av::PacketPtr)>& forward) {
    av::FramePtr frame = av::alloc_frame();
    for (;;) {
        const int ret = avcodec_receive_frame(codec_.get(), frame.get());
        if (ret == 0) {
            ++frames_decoded_;
            return frame;
        }
        if (ret == AVERROR_EOF) {
            if (frames_decoded_ == 0 && packets_sent_ == 0 && !interrupted())
                throw Error(ErrorKind::Io, "input '" + path_ + "' has no video frames");
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
    const AVRational tb = video_stream().time_base;
    pts = av_rescale_q_rnd(pts, time_base(), tb, AV_ROUND_DOWN);
    // bwdif looks one frame back: landing a frame early gives the target frame the same
    // neighbours as in a run from the start, so --frames chunks join without a seam.
    if (deinterlacer_) pts -= std::max<std::int64_t>(1, av_rescale_q(1, av_inv_q(frame_rate_), tb));
    if (av_seek_frame(format_.get(), video_index_, pts, AVSEEK_FLAG_BACKWARD) < 0) return false;
    avcodec_flush_buffers(codec_.get());
    if (deinterlacer_) deinterlacer_->reset();
    flushing_ = false;
    return true;
}

}  // namespace mlrt::cli
