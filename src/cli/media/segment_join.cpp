#include "media/segment_join.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <optional>

#include "util/interrupt.hpp"
#include "util/progress.hpp"

namespace mlrt::cli {
namespace {

std::int64_t micros(std::int64_t t, AVRational tb) {
    return t == AV_NOPTS_VALUE ? AV_NOPTS_VALUE : av_rescale_q(t, tb, av::kMicroseconds);
}

std::int64_t packet_time(const AVPacket& p, AVRational tb) {
    return micros(p.pts != AV_NOPTS_VALUE ? p.pts : p.dts, tb);
}

void mux(AVFormatContext& out, AVPacket& p, const std::string& name) {
    const int r = av_interleaved_write_frame(&out, &p);
    if (r < 0)
        throw Error(ErrorKind::Io, "writing output '" + name + "' failed: " + av::error_text(r) +
                                       av::log_detail());
}

// The audio and subtitle streams of the source, read alongside the segments so that the
// muxer's interleaving queue stays short. Which of their packets go out follows what
// `mlrt run` over the same frames would copy: everything when the segments cover the whole
// input; otherwise what lies between the first and the end of the last frame.
class CopiedStreams {
  public:
    CopiedStreams(const std::string& path, AVFormatContext& out, const std::string& name)
        : path_(path), out_(out), name_(name), packet_(av::alloc_packet()) {
        AVFormatContext* raw = nullptr;
        int ret = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
        if (ret < 0)
            throw Error(ErrorKind::Io, "cannot open --audio-from '" + path +
                                           "': " + av::error_text(ret) + av::log_detail());
        in_.reset(raw);
        ret = avformat_find_stream_info(raw, nullptr);
        if (ret < 0)
            throw Error(ErrorKind::Io,
                        "cannot read --audio-from '" + path + "': " + av::error_text(ret));
        video_ = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
        out_index_.assign(raw->nb_streams, -1);
        const AVOutputFormat& of = *out.oformat;
        for (unsigned i = 0; i < raw->nb_streams; ++i) {
            const AVStream* s = raw->streams[i];
            const AVMediaType type = s->codecpar->codec_type;
            if ((type != AVMEDIA_TYPE_AUDIO && type != AVMEDIA_TYPE_SUBTITLE) ||
                (s->disposition & AV_DISPOSITION_ATTACHED_PIC))
                continue;
            if (avformat_query_codec(&of, s->codecpar->codec_id, FF_COMPLIANCE_NORMAL) != 1) {
                std::fprintf(stderr,
                             "mlrt: note: not copying %s stream #%u (%s): %s cannot hold it\n",
                             av_get_media_type_string(type), i,
                             avcodec_get_name(s->codecpar->codec_id), of.name);
                continue;
            }
            AVStream* o = avformat_new_stream(&out, nullptr);
            if (!o) throw std::bad_alloc();
            av::check(avcodec_parameters_copy(o->codecpar, s->codecpar), ErrorKind::Runtime,
                      "copying a stream");
            o->codecpar->codec_tag = 0;
            o->time_base = s->time_base;
            o->disposition = s->disposition;
            av_dict_copy(&o->metadata, s->metadata, 0);
            out_index_[i] = o->index;
        }
    }

    // Frames of the source's video seen so far (in packets).
    std::int64_t video_frames() const { return video_frames_; }

    // Writes the packets up to time `t` (microseconds); with `from` set, drops those before it.
    void write_until(std::int64_t t, std::optional<std::int64_t> from) {
        while (auto p = peek()) {
            const std::int64_t pt = packet_time(*p, in_->streams[p->stream_index]->time_base);
            if (pt != AV_NOPTS_VALUE && pt > t) return;
            if (!(from && pt != AV_NOPTS_VALUE && pt < *from)) write(*p);
            pending_ = false;
            av_packet_unref(packet_.get());
        }
    }

    // After the last video frame, which ends at `video_end`: the segments cover frames
    // [first, end) of the source.
    void finish(std::int64_t video_end, std::int64_t first, std::int64_t end,
                std::optional<std::int64_t> from) {
        std::deque<av::PacketPtr> tail;  // past video_end: kept only if the whole input is covered
        const bool can_be_whole = first == 0;
        while (auto p = peek()) {
            const std::int64_t pt = packet_time(*p, in_->streams[p->stream_index]->time_base);
            if (video_frames_ > end) {
                tail.clear();
                break;
            }
            if (pt == AV_NOPTS_VALUE || pt < video_end) {
                if (!(from && pt != AV_NOPTS_VALUE && pt < *from)) write(*p);
            } else if (can_be_whole) {
                av::PacketPtr keep = av::alloc_packet();
                av_packet_move_ref(keep.get(), p);
                tail.push_back(std::move(keep));
            }
            pending_ = false;
            av_packet_unref(packet_.get());
            if (!can_be_whole && pt != AV_NOPTS_VALUE && pt >= video_end) break;
        }
        if (video_frames_ == end)
            for (auto& p : tail) write(*p);
    }

  private:
    // The next copied packet, or null at the end; counts the source's video packets passed.
    AVPacket* peek() {
        while (!pending_ && !eof_) {
            const int r = av_read_frame(in_.get(), packet_.get());
            if (r == AVERROR_EOF) {
                eof_ = true;
                break;
            }
            if (r < 0)
                throw Error(ErrorKind::Io,
                            "reading --audio-from '" + path_ + "' failed: " + av::error_text(r));
            const int i = packet_->stream_index;
            if (i == video_) ++video_frames_;
            if (i >= 0 && static_cast<std::size_t>(i) < out_index_.size() && out_index_[i] >= 0)
                pending_ = true;
            else
                av_packet_unref(packet_.get());
        }
        return pending_ ? packet_.get() : nullptr;
    }

    void write(AVPacket& p) {
        const AVRational tb = in_->streams[p.stream_index]->time_base;
        p.stream_index = out_index_[static_cast<std::size_t>(p.stream_index)];
        av_packet_rescale_ts(&p, tb, out_.streams[p.stream_index]->time_base);
        p.pos = -1;
        mux(out_, p, name_);
    }

    std::string path_;
    AVFormatContext& out_;
    std::string name_;
    av::InputFormatPtr in_;
    int video_ = -1;
    std::vector<int> out_index_;
    av::PacketPtr packet_;
    bool pending_ = false;
    bool eof_ = false;
    std::int64_t video_frames_ = 0;
};

}  // namespace

JoinResult join_segments(std::vector<Segment>& segments, const JoinOptions& o) {
    const Segment& first = segments.front();
    AVFormatContext* raw = nullptr;
    const AVOutputFormat* guess = av_guess_format(nullptr, o.name.c_str(), nullptr);
    int ret = avformat_alloc_output_context2(&raw, guess, nullptr, o.write_path.c_str());
    if (ret < 0 || !raw)
        throw Error(ErrorKind::InvalidArgument,
                    "cannot write '" + o.name + "': " + av::error_text(ret));
    const av::OutputFormatPtr out(raw);
    AVStream* video = avformat_new_stream(raw, nullptr);
    if (!video) throw std::bad_alloc();
    const AVStream& in_video = first.video_stream();
    av::check(avcodec_parameters_copy(video->codecpar, in_video.codecpar), ErrorKind::Runtime,
              "copying the video stream");
    video->codecpar->codec_tag = 0;
    video->time_base = in_video.time_base;
    video->avg_frame_rate = in_video.avg_frame_rate;
    video->sample_aspect_ratio = in_video.sample_aspect_ratio;
    if (avformat_query_codec(raw->oformat, video->codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 0)
        throw Error(ErrorKind::InvalidArgument,
                    fmt::format("output '{}': {} cannot hold {} video; name a .mkv output", o.name,
                                raw->oformat->name, avcodec_get_name(video->codecpar->codec_id)));

    std::optional<CopiedStreams> copied;
    if (!o.audio_from.empty()) copied.emplace(o.audio_from, *raw, o.name);
    const Segment& last = segments.back();
    // The joined file is a segment too: of the range its parts were asked for.
    av_dict_set(
        &raw->metadata, "MLRT_FRAMES",
        (std::to_string(first.start) + ":" + (last.end ? std::to_string(*last.end) : std::string()))
            .c_str(),
        0);
    av_dict_set(&raw->metadata, "MLRT_SOURCE", first.source.c_str(), 0);

    if (!(raw->oformat->flags & AVFMT_NOFILE)) {
        ret = avio_open(&raw->pb, o.write_path.c_str(), AVIO_FLAG_WRITE);
        if (ret < 0)
            throw Error(ErrorKind::Io,
                        "cannot write output '" + o.name + "': " + av::error_text(ret));
    }
    ret = avformat_write_header(raw, nullptr);
    if (ret < 0)
        throw Error(ErrorKind::Io, "cannot write output '" + o.name + "': " + av::error_text(ret) +
                                       av::log_detail());

    // Audio before the first frame is cut only when the segments start late, as `mlrt run
    // --frames` cuts it.
    std::optional<std::int64_t> audio_from_time;
    Progress progress(o.progress, std::nullopt);
    const av::PacketPtr pkt = av::alloc_packet();
    std::int64_t next_frame = first.start, written = 0;
    std::int64_t last_pts = AV_NOPTS_VALUE, video_end = AV_NOPTS_VALUE;  // output time base
    const AVRational frame_rate =
        av_guess_frame_rate(first.format.get(), first.format->streams[first.video], nullptr);
    const AVRational out_tb = video->time_base;
    const std::int64_t frame_ticks =
        frame_rate.num > 0 ? av_rescale_q(1, av_inv_q(frame_rate), out_tb) : 1;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        Segment& s = segments[i];
        if (s.start != next_frame) {
            if (s.start > next_frame)
                throw Error(ErrorKind::InvalidArgument,
                            fmt::format("frames {}:{} are missing: segment '{}' ends at frame {} "
                                        "but '{}' starts at {}",
                                        next_frame, s.start, segments[i - 1].path, next_frame,
                                        s.path, s.start));
            throw Error(ErrorKind::InvalidArgument,
                        fmt::format("segment '{}' (frames {}) overlaps '{}', which holds frames "
                                    "{}:{}",
                                    s.path, s.range_text(), segments[i - 1].path,
                                    segments[i - 1].start, next_frame));
        }
        const AVRational tb = s.video_stream().time_base;
        std::int64_t count = 0;
        for (;;) {
            if (interrupted()) throw Error(ErrorKind::Io, "interrupted");
            ret = av_read_frame(s.format.get(), pkt.get());
            if (ret == AVERROR_EOF) break;
            if (ret < 0)
                throw Error(ErrorKind::Io,
                            "reading segment '" + s.path + "' failed: " + av::error_text(ret));
            if (pkt->stream_index != s.video) {
                av_packet_unref(pkt.get());
                continue;
            }
            av_packet_rescale_ts(pkt.get(), tb, out_tb);
            if (count == 0 && last_pts != AV_NOPTS_VALUE && pkt->pts != AV_NOPTS_VALUE &&
                pkt->pts <= last_pts)
                throw Error(ErrorKind::InvalidArgument,
                            "segment '" + s.path + "' starts before the end of '" +
                                segments[i - 1].path + "' in time (timestamps overlap)");
            if (pkt->pts != AV_NOPTS_VALUE) {
                last_pts = std::max(last_pts == AV_NOPTS_VALUE ? pkt->pts : last_pts, pkt->pts);
                video_end = last_pts + (pkt->duration > 0 ? pkt->duration : frame_ticks);
            }
            if (written == 0 && first.start > 0 && pkt->pts != AV_NOPTS_VALUE)
                audio_from_time = micros(pkt->pts, out_tb);
            if (copied) copied->write_until(packet_time(*pkt, out_tb), audio_from_time);
            pkt->stream_index = video->index;
            pkt->pos = -1;
            mux(*raw, *pkt, o.name);
            ++count;
            ++written;
            progress.update(written);
        }
        if (count == 0)
            throw Error(ErrorKind::InvalidArgument, "segment '" + s.path + "' holds no frames");
        // The last part may end early where the input does; any other must be whole.
        if (s.end &&
            (count > *s.end - s.start || (i + 1 < segments.size() && count != *s.end - s.start)))
            throw Error(ErrorKind::InvalidArgument,
                        fmt::format("segment '{}' holds {} frame(s), not the {} of its range {} "
                                    "(was its run interrupted?)",
                                    s.path, count, *s.end - s.start, s.range_text()));
        next_frame = s.start + count;
        s.format.reset();  // one segment open at a time
    }
    if (copied) copied->finish(micros(video_end, out_tb), first.start, next_frame, audio_from_time);
    progress.finish();
    av::check(av_write_trailer(raw), ErrorKind::Io, "finishing output '" + o.name + "'");
    if (!(raw->oformat->flags & AVFMT_NOFILE))
        av::check(avio_closep(&raw->pb), ErrorKind::Io, "closing output '" + o.name + "'");
    return {first.start, written};
}

}  // namespace mlrt::cli
