#include "media/luma_merge.hpp"

#include <cstring>

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
}

namespace mlrt::cli {
namespace {

AVColorSpace yuv_matrix(AVColorSpace m, int width, int height) {
    return m == AVCOL_SPC_UNSPECIFIED || m == AVCOL_SPC_RGB ? default_matrix(width, height) : m;
}

std::size_t sample_bytes(SampleType t) {
    return t == SampleType::Float16 ? 2 : 4;
}

void copy_plane(const PlaneBuffer& src, int from, PlaneBuffer& dst, int to) {
    const auto row = static_cast<std::size_t>(src.width()) * sample_bytes(src.type());
    for (int y = 0; y < src.height(); ++y)
        std::memcpy(dst.plane(to) + y * dst.stride(), src.plane(from) + y * src.stride(), row);
}

bool same_format_and_colour(AVPixelFormat source, const ColourSpec& colour, AVColorSpace matrix,
                            AVPixelFormat target, const ColourSpec& c) {
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(source);
    return target == source && d && family_of(source) == Family::Yuv &&
           !(d->flags & AV_PIX_FMT_FLAG_ALPHA) && c.matrix == matrix && c.range == colour.range &&
           c.transfer == colour.transfer && c.primaries == colour.primaries;
}

// The source frame's chroma planes into `out`, both in the source's format.
void copy_chroma(const AVFrame& source, AVFrame& out) {
    const auto format = static_cast<AVPixelFormat>(source.format);
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(format);
    int done = 1 << d->comp[0].plane;  // the luma's plane is the model's
    for (int c = 1; c < d->nb_components; ++c) {
        const int plane = d->comp[c].plane;
        if (done & (1 << plane)) continue;
        done |= 1 << plane;
        av_image_copy_plane(out.data[plane], out.linesize[plane], source.data[plane],
                            source.linesize[plane],
                            av_image_get_linesize(format, source.width, plane),
                            AV_CEIL_RSHIFT(source.height, d->log2_chroma_h));
    }
}

}  // namespace

LumaMerge::LumaMerge(AVPixelFormat source, const ColourSpec& colour, AVColorSpace luma_matrix,
                     const FloatFormat& in, const FloatFormat& out, AVPixelFormat target,
                     const ColourSpec& target_colour, Dither dither)
    : matrix_(yuv_matrix(luma_matrix, in.width, in.height)),
      exact_(out.width == in.width && out.height == in.height &&
             same_format_and_colour(source, colour, matrix_, target, target_colour)),
      source_yuv_(in.width, in.height, 3, out.type),
      from_yuv_(FloatFormat{Family::Yuv, out.type, out.width, out.height}, target, target_colour,
                dither, matrix_) {
    if (exact_) {
        // The chroma FromFloat makes is replaced: neutral planes, never converted.
        for (int p = 1; p < 3; ++p)
            std::memset(source_yuv_.plane(p), 0,
                        static_cast<std::size_t>(source_yuv_.stride()) * in.height);
        return;
    }
    to_yuv_.emplace(source, colour, FloatFormat{Family::Yuv, out.type, in.width, in.height},
                    matrix_);
    if (out.width == in.width && out.height == in.height) return;
    // Chroma already at 4:4:4 sits on the luma grid: resizing it is resizing a picture.
    const ColourSpec plain;
    resize_.emplace(float_format(FloatFormat{Family::Gray, out.type, in.width, in.height}, plain,
                                 AVCOL_SPC_UNSPECIFIED),
                    float_format(FloatFormat{Family::Gray, out.type, out.width, out.height}, plain,
                                 AVCOL_SPC_UNSPECIFIED),
                    Dither::None);
    merged_ = PlaneBuffer(out.width, out.height, 3, out.type);
}

void LumaMerge::take_chroma(const AVFrame& frame) {
    if (exact_) {
        source_frame_.reset(av_frame_clone(&frame));
        if (!source_frame_) throw std::bad_alloc();
    } else {
        to_yuv_->convert(frame, source_yuv_);
    }
}

av::FramePtr LumaMerge::merge(const PlaneBuffer& luma) {
    if (!resize_) {
        copy_plane(luma, 0, source_yuv_, 0);
        av::FramePtr out = from_yuv_.convert(source_yuv_);
        if (exact_) {
            copy_chroma(*source_frame_, *out);
            source_frame_.reset();
        }
        return out;
    }
    for (int p = 1; p < 3; ++p) {
        zimg_image_buffer_const src{};
        src.version = ZIMG_API_VERSION;
        src.plane[0] = {source_yuv_.plane(p), source_yuv_.stride(), ZIMG_BUFFER_MAX};
        zimg_image_buffer dst{};
        dst.version = ZIMG_API_VERSION;
        dst.plane[0] = {merged_.plane(p), merged_.stride(), ZIMG_BUFFER_MAX};
        resize_->process(src, dst);
    }
    copy_plane(luma, 0, merged_, 0);
    return from_yuv_.convert(merged_);
}

}  // namespace mlrt::cli
