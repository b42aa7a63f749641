#pragma once
// Ownership and error conventions for FFmpeg objects: every allocation lives in a unique_ptr
// with the matching free function, and every failing call becomes an mlrt::Error that says
// what was being done to which file.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

#include "mlrt/error.hpp"

namespace mlrt::cli::av {

struct FrameDeleter {
    void operator()(AVFrame* f) const noexcept { av_frame_free(&f); }
};
struct PacketDeleter {
    void operator()(AVPacket* p) const noexcept { av_packet_free(&p); }
};
struct CodecContextDeleter {
    void operator()(AVCodecContext* c) const noexcept { avcodec_free_context(&c); }
};
struct InputFormatDeleter {
    void operator()(AVFormatContext* c) const noexcept { avformat_close_input(&c); }
};
// Closes the file too, for muxers that own one.
struct OutputFormatDeleter {
    void operator()(AVFormatContext* c) const noexcept;
};
struct SwsDeleter {
    void operator()(SwsContext* s) const noexcept { sws_freeContext(s); }
};
struct DictionaryDeleter {
    void operator()(AVDictionary* d) const noexcept { av_dict_free(&d); }
};

using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using InputFormatPtr = std::unique_ptr<AVFormatContext, InputFormatDeleter>;
using OutputFormatPtr = std::unique_ptr<AVFormatContext, OutputFormatDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;

// AV_TIME_BASE_Q is a C compound literal; this is the same clock in C++.
inline constexpr AVRational kMicroseconds{1, AV_TIME_BASE};

FramePtr alloc_frame();
PacketPtr alloc_packet();
// A frame with freshly allocated, 64-byte aligned planes.
FramePtr alloc_video_frame(AVPixelFormat format, int width, int height);

std::string error_text(int averror);
// Throws mlrt::Error(kind, "<what>: <FFmpeg's reason>") when `ret` is negative; returns it
// otherwise.
int check(int ret, ErrorKind kind, std::string_view what);

const char* pix_fmt_name(AVPixelFormat f);

// FFmpeg's own log goes to stderr only with --verbose (warnings and up). Otherwise its last
// error message is kept so that mlrt's error can quote it (e.g. "moov atom not found").
void set_log_level(bool verbose);
// The last error FFmpeg logged since the previous call, or "".
std::string take_last_log_error();
// " (FFmpeg's last error)" or "".
std::string log_detail();

// The integer in an enum field that FFmpeg filled from a file. A decoder or demuxer may store a
// value outside the enum (FFmpeg 5.1's H.264 decoder passes any chroma sample location through),
// and loading that value as the enum is undefined behaviour, so such fields are read as bytes.
template <class Enum>
std::int64_t tag_value(const Enum& field) {
    std::underlying_type_t<Enum> raw{};
    std::memcpy(&raw, &field, sizeof raw);
    return static_cast<std::int64_t>(raw);
}

// `field` when it holds one of the enum's values below `count`, else `fallback`.
template <class Enum>
Enum known_tag(const Enum& field, Enum count, Enum fallback) {
    const std::int64_t value = tag_value(field);
    return value >= 0 && value < static_cast<std::int64_t>(count) ? static_cast<Enum>(value)
                                                                  : fallback;
}

}  // namespace mlrt::cli::av
