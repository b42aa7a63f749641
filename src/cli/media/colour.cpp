#include "media/colour.hpp"

#include "media/ffmpeg.hpp"

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace mlrt::cli {
namespace {

// Still-image codecs, whose GRAY is full range (an image format has no range tag to say
// otherwise); GRAY in a video stream is limited unless tagged, as VapourSynth assumes.
bool is_image_codec(AVCodecID id) {
    switch (id) {
        case AV_CODEC_ID_PNG:
        case AV_CODEC_ID_APNG:
        case AV_CODEC_ID_TIFF:
        case AV_CODEC_ID_BMP:
        case AV_CODEC_ID_WEBP:
        case AV_CODEC_ID_GIF:
        case AV_CODEC_ID_MJPEG:
        case AV_CODEC_ID_JPEGLS:
        case AV_CODEC_ID_JPEG2000:
        case AV_CODEC_ID_PGM:
        case AV_CODEC_ID_PGMYUV:
        case AV_CODEC_ID_PPM:
        case AV_CODEC_ID_PBM:
        case AV_CODEC_ID_PAM:
        case AV_CODEC_ID_TARGA:
        case AV_CODEC_ID_SGI:
        case AV_CODEC_ID_DPX:
        case AV_CODEC_ID_EXR:
        case AV_CODEC_ID_QOI:
        case AV_CODEC_ID_PHOTOCD:
        case AV_CODEC_ID_XBM:
        case AV_CODEC_ID_XPM:
        case AV_CODEC_ID_XWD:
        case AV_CODEC_ID_SUNRAST:
        case AV_CODEC_ID_PCX:
        case AV_CODEC_ID_PSD:
        case AV_CODEC_ID_PICTOR:
            return true;
        default:
            return false;
    }
}

bool is_jpeg_codec(AVCodecID id) {
    return id == AV_CODEC_ID_MJPEG || id == AV_CODEC_ID_JPEGLS;
}

bool hd(int width, int height) {
    return width >= 1280 || height > 576;
}

// A tag FFmpeg names, or `unspecified`: a file may carry any number where a tag belongs, and
// players read one they do not know as no tag at all.
template <class Enum>
Enum stream_tag(const Enum& field, Enum count, const char* (*name)(Enum), Enum unspecified) {
    const Enum tag = av::known_tag(field, count, unspecified);
    return name(tag) ? tag : unspecified;
}

ColourSpec tagged_colour(const AVFrame& frame) {
    return {
        stream_tag(frame.colorspace, AVCOL_SPC_NB, av_color_space_name, AVCOL_SPC_UNSPECIFIED),
        stream_tag(frame.color_range, AVCOL_RANGE_NB, av_color_range_name, AVCOL_RANGE_UNSPECIFIED),
        stream_tag(frame.color_trc, AVCOL_TRC_NB, av_color_transfer_name, AVCOL_TRC_UNSPECIFIED),
        stream_tag(frame.color_primaries, AVCOL_PRI_NB, av_color_primaries_name,
                   AVCOL_PRI_UNSPECIFIED),
        stream_tag(frame.chroma_location, AVCHROMA_LOC_NB, av_chroma_location_name,
                   AVCHROMA_LOC_UNSPECIFIED)};
}

}  // namespace

AVColorSpace default_matrix(int width, int height) {
    if (hd(width, height)) return AVCOL_SPC_BT709;
    return height == 576 || height == 288 ? AVCOL_SPC_BT470BG : AVCOL_SPC_SMPTE170M;
}

ColourSpec resolve_source_colour(const AVFrame& frame, AVCodecID codec) {
    const auto format = static_cast<AVPixelFormat>(frame.format);
    const Family family = family_of(format);
    ColourSpec c = tagged_colour(frame);
    const bool jpeg = is_jpeg_codec(codec) || is_full_range_format(format);

    switch (family) {
        case Family::Rgb:
            c.matrix = AVCOL_SPC_RGB;
            break;
        case Family::Gray:
            c.matrix = AVCOL_SPC_UNSPECIFIED;
            break;
        case Family::Yuv:
            if (c.matrix == AVCOL_SPC_UNSPECIFIED || c.matrix == AVCOL_SPC_RESERVED ||
                c.matrix == AVCOL_SPC_RGB)
                c.matrix = jpeg ? AVCOL_SPC_BT470BG : default_matrix(frame.width, frame.height);
            break;
    }
    if (c.range == AVCOL_RANGE_UNSPECIFIED) {
        if (family == Family::Yuv)
            c.range = jpeg ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
        else if (family == Family::Gray)
            c.range = is_image_codec(codec) ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
        else
            c.range = AVCOL_RANGE_JPEG;
    }
    if (family == Family::Rgb)
        c.range = AVCOL_RANGE_JPEG;  // limited-range RGB is not a thing we honour
    if (family == Family::Yuv && !jpeg) {
        // Transfer and primaries only tag the output (the model sees the same encoded RGB),
        // but tagging them explicitly keeps an SD source from being read as HD once upscaled.
        const bool is_hd = hd(frame.width, frame.height);
        if (c.transfer == AVCOL_TRC_UNSPECIFIED || c.transfer == AVCOL_TRC_RESERVED ||
            c.transfer == AVCOL_TRC_RESERVED0)
            c.transfer = is_hd ? AVCOL_TRC_BT709 : AVCOL_TRC_SMPTE170M;
        if (c.primaries == AVCOL_PRI_UNSPECIFIED || c.primaries == AVCOL_PRI_RESERVED ||
            c.primaries == AVCOL_PRI_RESERVED0)
            c.primaries = is_hd
                              ? AVCOL_PRI_BT709
                              : (frame.height == 576 || frame.height == 288 ? AVCOL_PRI_BT470BG
                                                                            : AVCOL_PRI_SMPTE170M);
    }
    if (family == Family::Yuv && c.chroma_location == AVCHROMA_LOC_UNSPECIFIED) {
        const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(format);
        if (d && (d->log2_chroma_w || d->log2_chroma_h))
            c.chroma_location = jpeg ? AVCHROMA_LOC_CENTER : AVCHROMA_LOC_LEFT;
    }
    return c;
}

ColourSpec output_colour(const ColourSpec& source, Family source_family, AVPixelFormat target,
                         int width, int height, bool jpeg, bool video) {
    ColourSpec c;
    c.transfer = source.transfer;
    c.primaries = source.primaries;
    const Family family = family_of(target);
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(target);
    const bool subsampled = d && (d->log2_chroma_w || d->log2_chroma_h);
    switch (family) {
        case Family::Rgb:
            c.matrix = AVCOL_SPC_RGB;
            c.range = AVCOL_RANGE_JPEG;
            break;
        case Family::Gray:
            c.matrix = AVCOL_SPC_UNSPECIFIED;
            c.range =
                source_family == Family::Gray || (video && !jpeg && source_family == Family::Yuv)
                    ? source.range
                    : AVCOL_RANGE_JPEG;
            break;
        case Family::Yuv:
            if (jpeg) {
                c.matrix = AVCOL_SPC_BT470BG;
                c.range = AVCOL_RANGE_JPEG;
                c.chroma_location = subsampled ? AVCHROMA_LOC_CENTER : AVCHROMA_LOC_UNSPECIFIED;
                break;
            }
            if (source_family == Family::Yuv) {
                c.matrix = source.matrix;
                c.range = source.range;
                c.chroma_location = source.chroma_location;
            } else {
                c.matrix = default_matrix(width, height);
                c.range = AVCOL_RANGE_MPEG;
            }
            if (is_full_range_format(target)) c.range = AVCOL_RANGE_JPEG;
            if (subsampled && c.chroma_location == AVCHROMA_LOC_UNSPECIFIED)
                c.chroma_location = AVCHROMA_LOC_LEFT;
            if (!subsampled) c.chroma_location = AVCHROMA_LOC_UNSPECIFIED;
            break;
    }
    return c;
}

void apply_colour(const ColourSpec& c, AVFrame& frame) {
    frame.colorspace = c.matrix;
    frame.color_range = c.range;
    frame.color_trc = c.transfer;
    frame.color_primaries = c.primaries;
    frame.chroma_location = c.chroma_location;
}

std::string describe(const ColourSpec& c) {
    auto s = [](const char* p) { return std::string(p ? p : "?"); };
    return "matrix " + s(av_color_space_name(c.matrix)) + ", range " +
           s(av_color_range_name(c.range)) + ", transfer " + s(av_color_transfer_name(c.transfer)) +
           ", primaries " + s(av_color_primaries_name(c.primaries)) + ", chroma " +
           s(av_chroma_location_name(c.chroma_location));
}

}  // namespace mlrt::cli
