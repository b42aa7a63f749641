#include "media/ffmpeg.hpp"

#include <cstdarg>
#include <mutex>
#include <utility>

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/pixdesc.h>
}

namespace mlrt::cli::av {

void OutputFormatDeleter::operator()(AVFormatContext* c) const noexcept {
    if (!c) return;
    if (c->oformat && !(c->oformat->flags & AVFMT_NOFILE)) avio_closep(&c->pb);
    avformat_free_context(c);
}

FramePtr alloc_frame() {
    FramePtr f(av_frame_alloc());
    if (!f) throw std::bad_alloc();
    return f;
}

PacketPtr alloc_packet() {
    PacketPtr p(av_packet_alloc());
    if (!p) throw std::bad_alloc();
    return p;
}

FramePtr alloc_video_frame(AVPixelFormat format, int width, int height) {
    FramePtr f = alloc_frame();
    f->format = format;
    f->width = width;
    f->height = height;
    check(av_frame_get_buffer(f.get(), 64), ErrorKind::Runtime, "allocating a video frame");
    return f;
}

std::string error_text(int averror) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(averror, buf, sizeof buf);
    return buf;
}

int check(int ret, ErrorKind kind, std::string_view what) {
    if (ret < 0) throw Error(kind, std::string(what) + ": " + error_text(ret));
    return ret;
}

const char* pix_fmt_name(AVPixelFormat f) {
    const char* n = av_get_pix_fmt_name(f);
    return n ? n : "none";
}

namespace {

std::mutex g_log_mutex;
std::string g_last_error;
bool g_verbose = false;

void log_callback(void* avcl, int level, const char* fmt, va_list vl) {
    if (level > AV_LOG_WARNING) return;
    if (level <= AV_LOG_ERROR) {
        char line[1024];
        int print_prefix = 0;  // just the message: the context is in mlrt's own error text
        va_list copy;
        va_copy(copy, vl);
        av_log_format_line2(avcl, level, fmt, copy, line, sizeof line, &print_prefix);
        va_end(copy);
        std::string msg = line;
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ' || msg.back() == '.'))
            msg.pop_back();
        std::lock_guard lock(g_log_mutex);
        if (!msg.empty()) g_last_error = msg;
    }
    if (g_verbose) av_log_default_callback(avcl, level, fmt, vl);
}

}  // namespace

void set_log_level(bool verbose) {
    g_verbose = verbose;
    av_log_set_level(AV_LOG_WARNING);
    av_log_set_callback(log_callback);
}

std::string take_last_log_error() {
    std::lock_guard lock(g_log_mutex);
    return std::exchange(g_last_error, std::string());
}

std::string log_detail() {
    const std::string e = take_last_log_error();
    return e.empty() ? std::string() : " (" + e + ")";
}

}  // namespace mlrt::cli::av
