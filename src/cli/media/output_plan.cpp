#include "media/output_plan.hpp"

#include <algorithm>
#include <filesystem>
#include <vector>

extern "C" {
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}

#include "util/args.hpp"

namespace mlrt::cli {
namespace {

[[noreturn]] void bad_arg(const std::string& m) {
    throw Error(ErrorKind::InvalidArgument, m);
}
// A flag's value the output cannot take: bad usage (exit status 2).
[[noreturn]] void bad_flag(const std::string& m) {
    throw UsageError(m);
}

// YUV4MPEG2 carries these; wrapped_avframe (its encoder) declares no list of its own.
const std::vector<AVPixelFormat>& y4m_formats() {
    static const std::vector<AVPixelFormat> f = {
        AV_PIX_FMT_YUV420P,     AV_PIX_FMT_YUV422P,     AV_PIX_FMT_YUV444P,
        AV_PIX_FMT_YUV411P,     AV_PIX_FMT_GRAY8,       AV_PIX_FMT_YUV420P9LE,
        AV_PIX_FMT_YUV422P9LE,  AV_PIX_FMT_YUV444P9LE,  AV_PIX_FMT_YUV420P10LE,
        AV_PIX_FMT_YUV422P10LE, AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_YUV420P12LE,
        AV_PIX_FMT_YUV422P12LE, AV_PIX_FMT_YUV444P12LE, AV_PIX_FMT_YUV420P14LE,
        AV_PIX_FMT_YUV422P14LE, AV_PIX_FMT_YUV444P14LE, AV_PIX_FMT_YUV420P16LE,
        AV_PIX_FMT_YUV422P16LE, AV_PIX_FMT_YUV444P16LE, AV_PIX_FMT_GRAY9LE,
        AV_PIX_FMT_GRAY10LE,    AV_PIX_FMT_GRAY12LE,    AV_PIX_FMT_GRAY16LE,
        AV_PIX_FMT_NONE};
    return f;
}

const AVCodec* encoder_by_name(const std::string& name) {
    std::string n = name;
    if (n == "x264" || n == "h264") n = "libx264";
    if (n == "x265" || n == "hevc" || n == "h265") n = "libx265";
    const AVCodec* c = avcodec_find_encoder_by_name(n.c_str());
    if (!c) bad_flag("--codec: this FFmpeg has no encoder '" + name + "'");
    if (c->type != AVMEDIA_TYPE_VIDEO) bad_flag("--codec: '" + name + "' is not a video encoder");
    return c;
}

bool supports_crf(const AVCodec& c) {
    return c.priv_class && av_opt_find2(const_cast<AVClass**>(&c.priv_class), "crf", nullptr, 0,
                                        AV_OPT_SEARCH_FAKE_OBJ, nullptr);
}

}  // namespace

const char* to_string(OutputKind k) noexcept {
    switch (k) {
        case OutputKind::Image:
            return "image";
        case OutputKind::ImageSequence:
            return "image sequence";
        case OutputKind::Video:
            return "video";
        case OutputKind::Y4mPipe:
            return "Y4M stream";
    }
    return "?";
}

std::optional<std::string> existing_output(const std::string& path) {
    if (path == "-") return std::nullopt;
    std::string name = path;
    if (av_filename_number_test(path.c_str())) {
        char first[4096];
        if (av_get_frame_filename2(first, sizeof first, path.c_str(), 1, 0) != 0)
            return std::nullopt;
        name = first;
    }
    std::error_code ec;
    if (!std::filesystem::exists(name, ec)) return std::nullopt;
    return name;
}

void refuse_existing_output(const std::string& path, bool overwrite) {
    if (overwrite) return;
    if (const auto existing = existing_output(path))
        throw Error(ErrorKind::InvalidArgument,
                    "output '" + *existing + "' exists; pass -y (--overwrite) to replace it");
}

OutputKind classify_output(const std::string& path) {
    if (path == "-") return OutputKind::Y4mPipe;
    if (av_filename_number_test(path.c_str())) return OutputKind::ImageSequence;
    const AVOutputFormat* f = av_guess_format(nullptr, path.c_str(), nullptr);
    if (!f)
        bad_arg("cannot tell the output format from '" + path +
                "'; use an extension such as .mkv, .mp4, .y4m, .png, .jpg, .tif, or a pattern like "
                "out_%05d.png");
    return std::string(f->name) == "image2" ? OutputKind::Image : OutputKind::Video;
}

bool is_jpeg_encoder(const AVCodec& encoder) {
    return encoder.id == AV_CODEC_ID_MJPEG;
}

const AVCodec* choose_encoder(OutputKind kind, const AVOutputFormat& format,
                              const OutputOptions& o) {
    const AVCodec* c = nullptr;
    if (kind == OutputKind::Y4mPipe) {
        if (!o.codec.empty()) bad_flag("--codec does not apply to Y4M output");
        c = avcodec_find_encoder(AV_CODEC_ID_WRAPPED_AVFRAME);
    } else if (!o.codec.empty()) {
        c = encoder_by_name(o.codec);
    } else if (kind != OutputKind::Video) {
        const AVCodecID id =
            av_guess_codec(&format, nullptr, o.path.c_str(), nullptr, AVMEDIA_TYPE_VIDEO);
        c = avcodec_find_encoder(id);
    } else if (std::string(format.name) == "yuv4mpegpipe") {
        c = avcodec_find_encoder(AV_CODEC_ID_WRAPPED_AVFRAME);
    } else if (o.crf) {
        for (const char* name : {"libx264", "libx265"}) {
            const AVCodec* x = avcodec_find_encoder_by_name(name);
            if (x && avformat_query_codec(&format, x->id, FF_COMPLIANCE_NORMAL) == 1) {
                c = x;
                break;
            }
        }
        if (!c)
            bad_arg(std::string("--crf needs libx264 or libx265, which this FFmpeg lacks or the ") +
                    format.name + " container cannot hold");
    } else if (avformat_query_codec(&format, AV_CODEC_ID_FFV1, FF_COMPLIANCE_NORMAL) == 1) {
        // Lossless by default: the model's output is the product, re-encoding it lossy is the
        // user's call.
        c = avcodec_find_encoder(AV_CODEC_ID_FFV1);
    } else {
        // Next best: x264 at a high quality, rather than the MPEG-1/2/4 video some containers
        // (mpegts, mpeg) default to; those cannot answer the query but carry H.264 fine.
        const AVCodec* x264 = avcodec_find_encoder_by_name("libx264");
        const int fits = x264 ? avformat_query_codec(&format, x264->id, FF_COMPLIANCE_NORMAL) : 0;
        const bool mpeg_default = format.video_codec == AV_CODEC_ID_MPEG1VIDEO ||
                                  format.video_codec == AV_CODEC_ID_MPEG2VIDEO ||
                                  format.video_codec == AV_CODEC_ID_MPEG4;
        c = fits == 1 || (fits < 0 && mpeg_default) ? x264
                                                    : avcodec_find_encoder(format.video_codec);
    }
    if (!c) bad_arg("no video encoder available for '" + o.path + "'");
    if (kind != OutputKind::Y4mPipe &&
        avformat_query_codec(&format, c->id, FF_COMPLIANCE_NORMAL) == 0)
        throw UsageError(std::string("the ") + format.name + " format of '" + o.path +
                         "' cannot hold " + c->name +
                         " video; choose another --codec or file extension");
    if (o.crf && !supports_crf(*c))
        throw UsageError(std::string("--crf: the ") + c->name +
                         " encoder has no CRF mode (use --codec x264 or x265)");
    if (!o.preset.empty() && c->id != AV_CODEC_ID_H264 && c->id != AV_CODEC_ID_HEVC)
        throw UsageError(std::string("--preset applies to x264 and x265, not ") + c->name);
    return c;
}

AVPixelFormat choose_pixel_format(const AVCodec& encoder, OutputKind kind, const VideoSetup& setup,
                                  const std::string& requested) {
    std::vector<AVPixelFormat> candidates;
    const AVPixelFormat* list = encoder.pix_fmts;
    if (!list && (kind == OutputKind::Y4mPipe || encoder.id == AV_CODEC_ID_WRAPPED_AVFRAME))
        list = y4m_formats().data();
    for (const AVPixelFormat* p = list; p && *p != AV_PIX_FMT_NONE; ++p) {
        // JFIF is full-range YUV; the limited-range variants need non-standard flags.
        if (is_jpeg_encoder(encoder) && !is_full_range_format(*p)) continue;
        if (can_write(*p)) candidates.push_back(*p);
    }

    if (!requested.empty()) {
        const AVPixelFormat f = av_get_pix_fmt(requested.c_str());
        if (f == AV_PIX_FMT_NONE) bad_flag("--pix-fmt: unknown pixel format '" + requested + "'");
        std::string why;
        if (planar_equivalent(f, &why) == AV_PIX_FMT_NONE)
            bad_flag("--pix-fmt " + requested + ": " + why);
        if (!can_write(f)) bad_flag("--pix-fmt " + requested + ": mlrt cannot produce this format");
        if (!list || std::find(candidates.begin(), candidates.end(), f) != candidates.end())
            return f;
        std::string names;
        for (AVPixelFormat c : candidates)
            names += std::string(names.empty() ? "" : ", ") + av::pix_fmt_name(c);
        bad_flag("--pix-fmt: the " + std::string(encoder.name) + " encoder cannot take " +
                 requested + "; it takes " + names);
    }

    // The reference is what the source was, in the family the model produces: a 10-bit YUV
    // 4:2:0 source stays 10-bit 4:2:0, a 16-bit PNG stays 16-bit, a GRAY model writes GRAY.
    const int depth = std::max(8, depth_of(setup.source_format));
    const Family source_family = family_of(setup.source_format);
    AVPixelFormat reference = setup.source_format;
    if (has_alpha(reference)) {
        // The colour's format; alpha, when carried, is added back below.
        const auto l = zimg_layout(planar_equivalent(reference));
        reference = planar_format(source_family, depth, l ? l->ssw : 0, l ? l->ssh : 0);
    }
    if (setup.full_chroma && source_family == Family::Yuv)
        reference = planar_format(Family::Yuv, depth, 0, 0);
    if (setup.family == Family::Gray)
        reference = planar_format(Family::Gray, depth);
    else if (source_family == Family::Gray)
        reference = planar_format(Family::Rgb, depth);
    if (reference == AV_PIX_FMT_NONE)
        reference = setup.family == Family::Gray ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_GBRP;
    if (setup.alpha && with_alpha(reference) != AV_PIX_FMT_NONE) reference = with_alpha(reference);
    if (!list) return planar_equivalent(reference) != AV_PIX_FMT_NONE ? reference : AV_PIX_FMT_GBRP;
    if (candidates.empty())
        bad_arg(std::string("the ") + encoder.name +
                " encoder takes no pixel format mlrt can produce");
    candidates.push_back(AV_PIX_FMT_NONE);
    const AVPixelFormat best = avcodec_find_best_pix_fmt_of_list(candidates.data(), reference,
                                                                 setup.alpha ? 1 : 0, nullptr);
    return best == AV_PIX_FMT_NONE ? candidates.front() : best;
}

}  // namespace mlrt::cli
