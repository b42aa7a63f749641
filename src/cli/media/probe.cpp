#include "media/probe.hpp"

#include <algorithm>
#include <utility>

#include "media/ffmpeg.hpp"
#include "media/source_identity.hpp"
#include "util/interrupt.hpp"

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace mlrt::cli {

MediaInfo probe_media(const std::string& path) {
    AVFormatContext* raw = nullptr;
    int ret = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
    if (ret < 0)
        throw Error(ErrorKind::Io,
                    "cannot open input '" + path + "': " + av::error_text(ret) + av::log_detail());
    const av::InputFormatPtr ctx(raw);
    ret = avformat_find_stream_info(raw, nullptr);
    if (ret < 0)
        throw Error(ErrorKind::Io, "cannot read input '" + path + "': " + av::error_text(ret));
    const int video = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (video < 0) throw Error(ErrorKind::Io, "input '" + path + "' has no video stream or image");

    MediaInfo m;
    m.path = path;
    const AVStream* st = raw->streams[video];
    m.codec = avcodec_get_name(st->codecpar->codec_id);
    const auto* desc = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(st->codecpar->format));
    m.pix_fmt = desc ? desc->name : "unknown";
    m.width = st->codecpar->width;
    m.height = st->codecpar->height;
    m.frame_rate = av_guess_frame_rate(raw, const_cast<AVStream*>(st), nullptr);
    for (const AVDictionaryEntry* e = nullptr;
         (e = av_dict_get(raw->metadata, "", e, AV_DICT_IGNORE_SUFFIX));)
        m.tags[e->key] = e->value;
    for (unsigned i = 0; i < raw->nb_streams; ++i)
        m.has_audio |= raw->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO;

    // (presentation time, keyframe) per packet; sorted, the keyframes' places are their numbers.
    std::vector<std::pair<std::int64_t, bool>> packets;
    const av::PacketPtr pkt = av::alloc_packet();
    bool all_timed = true;
    for (;;) {
        ret = av_read_frame(raw, pkt.get());
        if (ret == AVERROR_EOF) break;
        if (interrupted()) throw Error(ErrorKind::Io, "interrupted while reading '" + path + "'");
        if (ret < 0)
            throw Error(ErrorKind::Io,
                        "reading input '" + path + "' failed: " + av::error_text(ret));
        if (pkt->stream_index == video) {
            all_timed &= pkt->pts != AV_NOPTS_VALUE;
            packets.emplace_back(pkt->pts, (pkt->flags & AV_PKT_FLAG_KEY) != 0);
        }
        av_packet_unref(pkt.get());
    }
    // Without timestamps on every packet, decode order is the best guess at display order.
    if (all_timed)
        std::stable_sort(packets.begin(), packets.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
    m.frames = static_cast<std::int64_t>(packets.size());
    for (std::size_t i = 0; i < packets.size(); ++i)
        if (packets[i].second) m.keyframes.push_back(static_cast<std::int64_t>(i));
    m.source = source_identity(path);
    return m;
}

}  // namespace mlrt::cli
