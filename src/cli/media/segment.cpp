#include "media/segment.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace mlrt::cli {
namespace {

std::optional<std::int64_t> to_int(std::string_view s) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
    return v;
}

[[noreturn]] void refuse(const std::string& message) {
    throw Error(ErrorKind::InvalidArgument, message);
}

// Why `b`'s video cannot follow `a`'s by stream copy, or "".
std::string mismatch(const Segment& a, const Segment& b) {
    const AVCodecParameters& p = *a.video_stream().codecpar;
    const AVCodecParameters& q = *b.video_stream().codecpar;
    if (p.codec_id != q.codec_id || p.width != q.width || p.height != q.height ||
        p.format != q.format)
        return "it is " + b.describe() + ", not " + a.describe();
    if (av_cmp_q(av_guess_frame_rate(a.format.get(), a.format->streams[a.video], nullptr),
                 av_guess_frame_rate(b.format.get(), b.format->streams[b.video], nullptr)) != 0)
        return "it is " + b.describe() + ", not " + a.describe();
    const auto differ = [](const auto& x, const auto& y) {
        return av::tag_value(x) != av::tag_value(y);
    };
    if (differ(p.color_range, q.color_range) || differ(p.color_space, q.color_space) ||
        differ(p.color_trc, q.color_trc) || differ(p.color_primaries, q.color_primaries) ||
        differ(p.chroma_location, q.chroma_location) || differ(p.field_order, q.field_order) ||
        av_cmp_q(p.sample_aspect_ratio, q.sample_aspect_ratio) != 0)
        return "its colour description or aspect ratio differs";
    // One decoder set-up serves the joined stream, so it must be the same for every part.
    if (p.extradata_size != q.extradata_size ||
        (p.extradata_size > 0 &&
         std::memcmp(p.extradata, q.extradata, static_cast<std::size_t>(p.extradata_size)) != 0))
        return "it was encoded with different settings (codec set-up differs)";
    return "";
}

}  // namespace

std::string Segment::range_text() const {
    return std::to_string(start) + ":" + (end ? std::to_string(*end) : std::string());
}

std::string Segment::describe() const {
    const AVCodecParameters& p = *video_stream().codecpar;
    const AVRational fps = av_guess_frame_rate(format.get(), format->streams[video], nullptr);
    return fmt::format("{} {} {}x{} at {}/{} fps", avcodec_get_name(p.codec_id),
                       av::pix_fmt_name(static_cast<AVPixelFormat>(p.format)), p.width, p.height,
                       fps.num, fps.den);
}

Segment open_segment(const std::string& path) {
    Segment s;
    s.path = path;
    AVFormatContext* raw = nullptr;
    int ret = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
    if (ret < 0)
        throw Error(ErrorKind::Io, "cannot open segment '" + path + "': " + av::error_text(ret) +
                                       av::log_detail());
    s.format.reset(raw);
    ret = avformat_find_stream_info(raw, nullptr);
    if (ret < 0)
        throw Error(ErrorKind::Io, "cannot read segment '" + path + "': " + av::error_text(ret));
    s.video = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (s.video < 0) refuse("segment '" + path + "' has no video stream");

    const AVDictionaryEntry* frames = av_dict_get(raw->metadata, "MLRT_FRAMES", nullptr, 0);
    const std::string text = frames ? frames->value : "";
    const auto colon = text.find(':');
    const auto start = colon == std::string::npos ? std::nullopt : to_int(text.substr(0, colon));
    if (!start)
        refuse("segment '" + path +
               "' records no frame range (it was not written by `mlrt run` into a container that "
               "keeps metadata, such as .mkv)");
    s.start = *start;
    if (colon + 1 < text.size()) {
        s.end = to_int(text.substr(colon + 1));
        if (!s.end || *s.end <= s.start)
            refuse("segment '" + path + "' records a bad frame range '" + text + "'");
    }
    if (const AVDictionaryEntry* src = av_dict_get(raw->metadata, "MLRT_SOURCE", nullptr, 0))
        s.source = src->value;
    return s;
}

void check_segments_fit(std::vector<Segment>& segments) {
    std::stable_sort(segments.begin(), segments.end(),
                     [](const Segment& a, const Segment& b) { return a.start < b.start; });
    for (std::size_t i = 1; i < segments.size(); ++i) {
        const Segment& prev = segments[i - 1];
        const Segment& s = segments[i];
        if (const std::string why = mismatch(segments[0], s); !why.empty())
            refuse("segment '" + s.path + "' does not fit '" + segments[0].path + "': " + why);
        if (s.source != segments[0].source)
            refuse("segment '" + s.path + "' was made from another input than '" +
                   segments[0].path + "'");
        if (s.start == prev.start || (prev.end && s.start < *prev.end))
            refuse("segment '" + s.path + "' (frames " + s.range_text() + ") overlaps '" +
                   prev.path + "' (frames " + prev.range_text() + ")");
        if (prev.end && s.start > *prev.end)
            refuse(
                fmt::format("frames {}:{} are missing: no segment holds them (between '{}' and "
                            "'{}')",
                            *prev.end, s.start, prev.path, s.path));
    }
}

}  // namespace mlrt::cli
