#include "media/encoder.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <system_error>

extern "C" {
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}

#include "util/interrupt.hpp"

namespace mlrt::cli {
namespace {

namespace fs = std::filesystem;

struct Dict {
    AVDictionary* d = nullptr;
    ~Dict() { av_dict_free(&d); }
    void set(const char* k, const std::string& v) { av_dict_set(&d, k, v.c_str(), 0); }
};

bool is_y4m(const AVOutputFormat& f) {
    return std::string(f.name) == "yuv4mpegpipe";
}

// A hidden name beside `path` for the file while it is written; empty when it must be written
// in place (a device, a FIFO or anything else that is not a regular file, or a URL).
std::string partial_name(const std::string& path, OutputKind kind) {
    if (kind != OutputKind::Video && kind != OutputKind::Image) return {};
    if (path.find("://") != std::string::npos) return {};
    std::error_code ec;
    if (fs::exists(path, ec) && !fs::is_regular_file(path, ec)) return {};
    const fs::path p(path);
    // The extension stays last: image2 and some muxers look at it.
    return (p.parent_path() / ("." + p.stem().string() + ".mlrt-partial-" +
                               std::to_string(getpid()) + p.extension().string()))
        .string();
}

// image2 opens each file when it writes it, and a partial file is renamed over the output: find
// out now whether that will work.
void check_destination(const std::string& path) {
    fs::path dir = fs::path(path).parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw Error(ErrorKind::Io, "cannot write output '" + path + "': directory '" +
                                       dir.string() + "' does not exist");
    if (access(dir.c_str(), W_OK) != 0)
        throw Error(ErrorKind::Io, "cannot write output '" + path + "': directory '" +
                                       dir.string() + "' is not writable");
    if (fs::exists(path, ec) && (fs::is_directory(path, ec) || access(path.c_str(), W_OK) != 0))
        throw Error(ErrorKind::Io,
                    "cannot write output '" + path + "': it exists and is not a writable file");
}

}  // namespace

Encoder::Encoder(const OutputOptions& options, const VideoSetup& setup, const Decoder* copy_from)
    : options_(options),
      setup_(setup),
      kind_(classify_output(options.path)),
      write_path_(partial_name(options.path, kind_)) {
    if (kind_ == OutputKind::Y4mPipe && isatty(STDOUT_FILENO))
        throw Error(ErrorKind::InvalidArgument,
                    "refusing to write a Y4M stream to a terminal; redirect standard output or "
                    "name an output file");
    int r = open(copy_from);
    if (r < 0 && std::find(copied_.begin(), copied_.end(), true) != copied_.end()) {
        // Some muxers cannot say in advance which codecs they take (mpegts, mpeg); when one
        // refuses a copied stream, the video alone is still worth writing.
        const std::string why = av::error_text(r) + av::log_detail();
        discard();
        std::fprintf(stderr, "mlrt: note: not copying audio and subtitles to '%s': %s\n",
                     options_.path.c_str(), why.c_str());
        r = open(nullptr);
    }
    if (r < 0) {
        const std::string why = av::error_text(r) + av::log_detail();
        discard();
        throw Error(ErrorKind::Io, "cannot write output '" + options_.path + "': " + why);
    }
}

int Encoder::open(const Decoder* copy_from) {
    finished_ = false;
    packets_muxed_ = 0;
    copied_.clear();
    out_index_.clear();
    in_time_base_.clear();
    codec_.reset();
    format_.reset();

    const std::string url = kind_ == OutputKind::Y4mPipe ? "pipe:1" : options_.path;
    const char* muxer = kind_ == OutputKind::Y4mPipe ? "yuv4mpegpipe"
                        : kind_ == OutputKind::Video ? nullptr
                                                     : "image2";
    AVFormatContext* ctx = nullptr;
    const int ret = avformat_alloc_output_context2(&ctx, nullptr, muxer, url.c_str());
    if (ret < 0 || !ctx)
        throw Error(ErrorKind::InvalidArgument,
                    "cannot write '" + options_.path + "': " + av::error_text(ret));
    format_.reset(ctx);
    if (!write_path_.empty()) {
        // The format is the output name's; the bytes go to the partial file (image2 writes to
        // the context's url itself).
        av_freep(&ctx->url);
        ctx->url = av_strdup(write_path_.c_str());
        if (!ctx->url) throw std::bad_alloc();
    }
    const AVOutputFormat& of = *ctx->oformat;

    const AVCodec* enc = choose_encoder(kind_, of, options_);
    pix_fmt_ = choose_pixel_format(*enc, kind_, setup_, options_.pix_fmt);
    colour_ =
        output_colour(setup_.source_colour, family_of(setup_.source_format), pix_fmt_, setup_.width,
                      setup_.height, is_jpeg_encoder(*enc), kind_ == OutputKind::Video);
    open_encoder(*enc);

    stream_ = avformat_new_stream(ctx, nullptr);
    if (!stream_) throw std::bad_alloc();
    av::check(avcodec_parameters_from_context(stream_->codecpar, codec_.get()), ErrorKind::Runtime,
              "output stream");
    stream_->time_base = codec_->time_base;
    stream_->avg_frame_rate = setup_.frame_rate;
    stream_->sample_aspect_ratio = setup_.sample_aspect_ratio;

    if (copy_from) add_copied_streams(*copy_from);

    if (kind_ == OutputKind::Video)
        for (const auto& [key, value] : options_.tags)
            av_dict_set(&ctx->metadata, key.c_str(), value.c_str(), 0);

    open_io();
    Dict mux;
    if (kind_ == OutputKind::Image) mux.set("update", "1");  // a plain file name, not a pattern
    return avformat_write_header(ctx, &mux.d);
}

void Encoder::open_encoder(const AVCodec& enc) {
    // YUV4MPEG2 states its frame rate as 1/time base; elsewhere the source's clock is kept,
    // unless the encoder only takes frame-rate clocks (MPEG-1/2/4 and kin).
    const AVRational frame_clock = av_inv_q(setup_.frame_rate);
    const AVRational clock = is_y4m(*format_->oformat) ? frame_clock : setup_.time_base;
    int r = try_open_encoder(enc, clock);
    if (r < 0 && av_cmp_q(clock, frame_clock) != 0) {
        av::take_last_log_error();  // report why the second try failed, if it does
        r = try_open_encoder(enc, frame_clock);
    }
    if (r < 0)
        throw Error(ErrorKind::Runtime,
                    std::string("cannot open the ") + enc.name + " encoder for " +
                        std::to_string(setup_.width) + "x" + std::to_string(setup_.height) + " " +
                        av::pix_fmt_name(pix_fmt_) + ": " + av::error_text(r) + av::log_detail());
}

int Encoder::try_open_encoder(const AVCodec& enc, AVRational time_base) {
    codec_.reset(avcodec_alloc_context3(&enc));
    if (!codec_) throw std::bad_alloc();
    AVCodecContext& c = *codec_;
    c.width = setup_.width;
    c.height = setup_.height;
    c.pix_fmt = pix_fmt_;
    c.sample_aspect_ratio = setup_.sample_aspect_ratio;
    c.framerate = setup_.frame_rate;
    c.time_base = time_base;
    c.colorspace = colour_.matrix;
    c.color_range = colour_.range;
    c.color_trc = colour_.transfer;
    c.color_primaries = colour_.primaries;
    c.chroma_sample_location = colour_.chroma_location;
    c.thread_count = 0;
    if (format_->oformat->flags & AVFMT_GLOBALHEADER) c.flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

    Dict opts;
    if (enc.id == AV_CODEC_ID_FFV1) {
        opts.set("level", "3");
        opts.set("slicecrc", "1");
        c.gop_size = 1;  // every frame a keyframe: seekable, and a cut-off file still plays
    } else if (enc.id == AV_CODEC_ID_H264 || enc.id == AV_CODEC_ID_HEVC) {
        if (av_opt_find(c.priv_data, "crf", nullptr, 0, 0))
            opts.set("crf",
                     std::to_string(options_.crf.value_or(enc.id == AV_CODEC_ID_H264 ? 18 : 20)));
        if (!options_.preset.empty()) opts.set("preset", options_.preset);
        if (std::string(enc.name) == "libx265") opts.set("x265-params", "log-level=error");
    } else if (enc.id == AV_CODEC_ID_MJPEG) {
        c.flags |= AV_CODEC_FLAG_QSCALE;
        c.global_quality = FF_QP2LAMBDA * 2;  // visually lossless JPEG
    } else if (options_.crf) {
        opts.set("crf", std::to_string(*options_.crf));
    }
    if (is_y4m(*format_->oformat) && depth_of(pix_fmt_) > 8)
        format_->strict_std_compliance = FF_COMPLIANCE_UNOFFICIAL;
    return avcodec_open2(codec_.get(), &enc, &opts.d);
}

void Encoder::add_copied_streams(const Decoder& copy_from) {
    const AVFormatContext& in = copy_from.format();
    const AVOutputFormat& of = *format_->oformat;
    copied_.assign(in.nb_streams, false);
    out_index_.assign(in.nb_streams, -1);
    in_time_base_.assign(in.nb_streams, AVRational{1, 1});
    const bool can_copy = kind_ == OutputKind::Video && !is_y4m(of) && options_.copy_streams;
    for (unsigned i = 0; can_copy && i < in.nb_streams; ++i) {
        const AVStream* s = in.streams[i];
        const AVMediaType type = s->codecpar->codec_type;
        if ((type != AVMEDIA_TYPE_AUDIO && type != AVMEDIA_TYPE_SUBTITLE) ||
            (s->disposition & AV_DISPOSITION_ATTACHED_PIC))
            continue;
        // Video-only formats (gif, webp) name no default audio or subtitle codec.
        const AVCodecID default_id =
            type == AVMEDIA_TYPE_AUDIO ? of.audio_codec : of.subtitle_codec;
        if (default_id == AV_CODEC_ID_NONE ||
            avformat_query_codec(&of, s->codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 0) {
            std::fprintf(stderr, "mlrt: note: not copying %s stream #%u (%s): %s cannot hold it\n",
                         av_get_media_type_string(type), i, avcodec_get_name(s->codecpar->codec_id),
                         of.name);
            continue;
        }
        AVStream* o = avformat_new_stream(format_.get(), nullptr);
        if (!o) throw std::bad_alloc();
        av::check(avcodec_parameters_copy(o->codecpar, s->codecpar), ErrorKind::Runtime,
                  "copying a stream");
        o->codecpar->codec_tag = 0;  // tags are per container; let the muxer pick its own
        o->time_base = s->time_base;
        o->disposition = s->disposition;
        av_dict_copy(&o->metadata, s->metadata, 0);
        copied_[i] = true;
        out_index_[i] = o->index;
        in_time_base_[i] = s->time_base;
    }
}

Encoder::~Encoder() {
    if (!finished_) discard();
}

void Encoder::open_io() {
    AVFormatContext* ctx = format_.get();
    // A single file written under its partial name: a second interrupt removes it.
    if (!write_path_.empty() && kind_ != OutputKind::ImageSequence) set_partial_output(write_path_);
    if (ctx->oformat->flags & AVFMT_NOFILE) {
        check_destination(options_.path);
        return;
    }
    // Renaming would replace a file that cannot be written: refuse it as opening it would.
    if (!write_path_.empty()) check_destination(options_.path);
    const std::string url = kind_ == OutputKind::Y4mPipe ? "pipe:1"
                            : write_path_.empty()        ? options_.path
                                                         : write_path_;
    const int r = avio_open(&ctx->pb, url.c_str(), AVIO_FLAG_WRITE);
    if (r < 0)
        throw Error(ErrorKind::Io,
                    "cannot write output '" + options_.path + "': " + av::error_text(r));
}

std::string Encoder::describe() const {
    std::string s = std::string(codec_->codec->name) + ", " + av::pix_fmt_name(pix_fmt_);
    if (kind_ == OutputKind::Video) s += std::string(", ") + format_->oformat->name;
    return s;
}

void Encoder::write_frame(av::FramePtr frame) {
    if (kind_ == OutputKind::Image && frames_sent_ >= 1)
        throw Error(ErrorKind::InvalidArgument,
                    "output '" + options_.path +
                        "' is a single image but the input has more frames; write a sequence (e.g. "
                        "out_%05d.png) "
                        "or a video, or pick one frame with --frames N");
    std::int64_t pts =
        frame->pts == AV_NOPTS_VALUE
            ? av_rescale_q(frames_sent_, av_inv_q(setup_.frame_rate), codec_->time_base)
            : av_rescale_q(frame->pts, setup_.time_base, codec_->time_base);
    // Encoders refuse repeated or backward timestamps, which odd sources do produce.
    if (last_pts_ != AV_NOPTS_VALUE && pts <= last_pts_) pts = last_pts_ + 1;
    last_pts_ = pts;
    frame->pts = pts;
    frame->pict_type = AV_PICTURE_TYPE_NONE;
    av::check(avcodec_send_frame(codec_.get(), frame.get()), ErrorKind::Runtime,
              "encoding frame " + std::to_string(frames_sent_) + " of '" + options_.path + "'");
    ++frames_sent_;
    drain(false);
}

void Encoder::drain(bool flushing) {
    av::PacketPtr pkt = av::alloc_packet();
    for (;;) {
        const int r = avcodec_receive_packet(codec_.get(), pkt.get());
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
        av::check(r, ErrorKind::Runtime,
                  std::string(flushing ? "flushing" : "running") + " the encoder of '" +
                      options_.path + "'");
        pkt->stream_index = stream_->index;
        av_packet_rescale_ts(pkt.get(), codec_->time_base, stream_->time_base);
        mux(pkt.get());
        ++packets_muxed_;
    }
}

void Encoder::mux(AVPacket* packet) {
    const int r = av_interleaved_write_frame(format_.get(), packet);
    if (r < 0)
        throw Error(ErrorKind::Io, "writing output '" + options_.path +
                                       "' failed: " + av::error_text(r) + av::log_detail());
}

void Encoder::write_packet(av::PacketPtr packet, std::int64_t offset) {
    const auto in = static_cast<std::size_t>(packet->stream_index);
    if (in >= out_index_.size() || out_index_[in] < 0) return;
    const AVRational tb = in_time_base_[in];
    const std::int64_t shift = av_rescale_q(offset, av::kMicroseconds, tb);
    if (packet->pts != AV_NOPTS_VALUE) packet->pts -= shift;
    if (packet->dts != AV_NOPTS_VALUE) packet->dts -= shift;
    packet->stream_index = out_index_[in];
    av_packet_rescale_ts(packet.get(), tb, format_->streams[out_index_[in]]->time_base);
    packet->pos = -1;
    mux(packet.get());
}

void Encoder::finish() {
    if (finished_) return;
    av::check(avcodec_send_frame(codec_.get(), nullptr), ErrorKind::Runtime,
              "flushing the encoder");
    drain(true);
    av::check(av_write_trailer(format_.get()), ErrorKind::Io,
              "finishing output '" + options_.path + "'");
    if (!(format_->oformat->flags & AVFMT_NOFILE))
        av::check(avio_closep(&format_->pb), ErrorKind::Io,
                  "closing output '" + options_.path + "'");
    if (!write_path_.empty()) {
        std::error_code ec;
        fs::rename(write_path_, options_.path, ec);
        set_partial_output("");
        if (ec) {
            discard();
            throw Error(ErrorKind::Io, "cannot write output '" + options_.path + "': renaming '" +
                                           write_path_ + "' to it failed: " + ec.message());
        }
    }
    finished_ = true;
}

void Encoder::discard() noexcept {
    if (finished_ || !format_) return;
    finished_ = true;
    if (!(format_->oformat->flags & AVFMT_NOFILE)) avio_closep(&format_->pb);
    std::error_code ec;
    switch (kind_) {
        case OutputKind::Y4mPipe:
            break;  // what went down the pipe is gone
        case OutputKind::Video:
        case OutputKind::Image:
            fs::remove(write_path_.empty() ? options_.path : write_path_, ec);
            set_partial_output("");
            break;
        case OutputKind::ImageSequence: {
            // image2 numbers files from 1 by default, one file per packet; the one after the last
            // muxed packet may exist half-written (the write that failed).
            char name[4096];
            for (std::int64_t i = 0; i <= packets_muxed_; ++i)
                if (av_get_frame_filename2(name, sizeof name, options_.path.c_str(),
                                           static_cast<int>(i + 1), 0) == 0)
                    fs::remove(name, ec);
            break;
        }
    }
}

}  // namespace mlrt::cli
