#include "media/yuv_merge.hpp"

#include <cstring>

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
}

namespace mlrt::cli {
namespace {

void copy_plane(const PlaneBuffer& src, int from, PlaneBuffer& dst, int to) {
    const auto row = static_cast<std::size_t>(src.width()) * bytes_per_sample(src.type());
    for (int y = 0; y < src.height(); ++y)
        std::memcpy(dst.plane(to) + y * dst.stride(), src.plane(from) + y * src.stride(), row);
}

// The target holds the source's Y, U and V planes alike: the same format, or the same one with
// or without an alpha plane (yuva420p kept as yuva420p, or written as yuv420p with --alpha drop).
bool same_yuv_planes(AVPixelFormat source, AVPixelFormat target) {
    if (source == target) return true;
    const AVPixFmtDescriptor* s = av_pix_fmt_desc_get(source);
    const AVPixFmtDescriptor* t = av_pix_fmt_desc_get(target);
    if (!s || !t || s->log2_chroma_w != t->log2_chroma_w || s->log2_chroma_h != t->log2_chroma_h ||
        ((s->flags ^ t->flags) & (AV_PIX_FMT_FLAG_BE | AV_PIX_FMT_FLAG_PLANAR)))
        return false;
    for (int c = 0; c < 3; ++c)
        if (s->comp[c].plane != t->comp[c].plane || s->comp[c].depth != t->comp[c].depth ||
            s->comp[c].step != t->comp[c].step)
            return false;
    return true;
}

bool same_format_and_colour(AVPixelFormat source, const ColourSpec& colour, AVColorSpace matrix,
                            AVPixelFormat target, const ColourSpec& c) {
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(source);
    // Planar only: in packed or semi-planar formats the planes kept share memory with the
    // model's. An alpha plane is the alpha writer's; the Y, U and V planes are copied.
    return same_yuv_planes(source, target) && d && (d->flags & AV_PIX_FMT_FLAG_PLANAR) &&
           family_of(source) == Family::Yuv && zimg_layout(source) && zimg_layout(target) &&
           c.matrix == matrix && c.range == colour.range && c.transfer == colour.transfer &&
           c.primaries == colour.primaries;
}

// The source frame's components [first, first + count) into `out`, both in the source's
// planar format.
void copy_components(const AVFrame& source, int first, int count, AVFrame& out) {
    const auto format = static_cast<AVPixelFormat>(source.format);
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(format);
    for (int c = first; c < first + count; ++c) {
        const int plane = d->comp[c].plane;
        const int rows = c == 0 ? source.height : AV_CEIL_RSHIFT(source.height, d->log2_chroma_h);
        av_image_copy_plane(out.data[plane], out.linesize[plane], source.data[plane],
                            source.linesize[plane],
                            av_image_get_linesize(format, source.width, plane), rows);
    }
}

}  // namespace

AVColorSpace yuv_matrix(AVColorSpace m, int width, int height) {
    return m == AVCOL_SPC_UNSPECIFIED || m == AVCOL_SPC_RGB ? default_matrix(width, height) : m;
}

YuvMerge::YuvMerge(ModelPlanes model, AVPixelFormat source, const ColourSpec& colour,
                   AVColorSpace matrix, const FloatFormat& in, const FloatFormat& out,
                   AVPixelFormat target, const ColourSpec& target_colour, Dither dither)
    : first_(model == ModelPlanes::Luma ? 0 : 1),
      count_(model == ModelPlanes::Luma ? 1 : 2),
      matrix_(yuv_matrix(matrix, in.width, in.height)),
      exact_(out.width == in.width && out.height == in.height &&
             same_format_and_colour(source, colour, matrix_, target, target_colour)),
      source_yuv_(in.width, in.height, 3, out.type),
      from_yuv_(FloatFormat{Family::Yuv, out.type, out.width, out.height}, target, target_colour,
                dither, matrix_) {
    if (exact_) {
        // The kept planes FromFloat makes are replaced: neutral planes, never converted.
        for (int p = 0; p < 3; ++p)
            if (p < first_ || p >= first_ + count_)
                std::memset(source_yuv_.plane(p), 0,
                            static_cast<std::size_t>(source_yuv_.stride()) * in.height);
        return;
    }
    to_yuv_.emplace(source, colour, FloatFormat{Family::Yuv, out.type, in.width, in.height},
                    matrix_);
    if (out.width == in.width && out.height == in.height) return;
    // Planes already at 4:4:4 sit on the luma grid: resizing one is resizing a picture.
    const ColourSpec plain;
    resize_.emplace(float_format(FloatFormat{Family::Gray, out.type, in.width, in.height}, plain,
                                 AVCOL_SPC_UNSPECIFIED),
                    float_format(FloatFormat{Family::Gray, out.type, out.width, out.height}, plain,
                                 AVCOL_SPC_UNSPECIFIED),
                    Dither::None);
    merged_ = PlaneBuffer(out.width, out.height, 3, out.type);
}

void YuvMerge::take_source(const AVFrame& frame) {
    if (exact_) {
        source_frame_.reset(av_frame_clone(&frame));
        if (!source_frame_) throw std::bad_alloc();
    } else {
        to_yuv_->convert(frame, source_yuv_);
    }
}

av::FramePtr YuvMerge::merge(const PlaneBuffer& model_planes) {
    PlaneBuffer& merged = resize_ ? merged_ : source_yuv_;
    for (int p = 0; resize_ && p < 3; ++p) {
        if (p >= first_ && p < first_ + count_) continue;
        zimg_image_buffer_const src{};
        src.version = ZIMG_API_VERSION;
        src.plane[0] = {source_yuv_.plane(p), source_yuv_.stride(), ZIMG_BUFFER_MAX};
        zimg_image_buffer dst{};
        dst.version = ZIMG_API_VERSION;
        dst.plane[0] = {merged_.plane(p), merged_.stride(), ZIMG_BUFFER_MAX};
        resize_->process(src, dst);
    }
    for (int i = 0; i < count_; ++i) copy_plane(model_planes, i, merged, first_ + i);
    av::FramePtr out = from_yuv_.convert(merged);
    if (exact_) {
        // The planes the model did not give: the source's own.
        if (first_ == 0)
            copy_components(*source_frame_, 1, 2, *out);
        else
            copy_components(*source_frame_, 0, 1, *out);
        source_frame_.reset();
    }
    return out;
}

}  // namespace mlrt::cli
