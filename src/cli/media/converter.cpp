#include "media/converter.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

extern "C" {
#include <libavutil/common.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
}

namespace mlrt::cli {
namespace {

// zimg's SIMD paths need 32-byte aligned rows on x86 in its default CPU mode.
constexpr std::uintptr_t kZimgAlign = 32;

bool aligned(const AVFrame& f, const PlanarLayout& l) {
    for (int i = 0; i < l.components; ++i) {
        const int p = l.plane[i];
        if (reinterpret_cast<std::uintptr_t>(f.data[p]) % kZimgAlign != 0 ||
            static_cast<std::uintptr_t>(std::abs(f.linesize[p])) % kZimgAlign != 0)
            return false;
    }
    return true;
}

void fill_alpha(AVFrame& f) {
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(f.format));
    if (!d || !(d->flags & AV_PIX_FMT_FLAG_ALPHA) || !(d->flags & AV_PIX_FMT_FLAG_PLANAR)) return;
    const AVComponentDescriptor& a = d->comp[d->nb_components - 1];
    for (int y = 0; y < f.height; ++y) {
        std::uint8_t* row = f.data[a.plane] + static_cast<std::ptrdiff_t>(y) * f.linesize[a.plane];
        if (a.step == 1) {
            std::memset(row, 0xff, static_cast<std::size_t>(f.width));
        } else {
            const auto opaque = static_cast<std::uint16_t>((1u << a.depth) - 1);
            for (std::size_t x = 0; x < static_cast<std::size_t>(f.width); ++x)
                std::memcpy(row + 2 * x, &opaque, 2);
        }
    }
}

// zimg wants subsampled images whose size divides by the subsampling; FFmpeg allows odd sizes
// (the last chroma sample covering one luma column or row). Such frames are processed at the
// next multiple, with the last column and row repeated.
int round_up(int v, int log2) {
    return ((v + (1 << log2) - 1) >> log2) << log2;
}

void extend_edges(std::uint8_t* data, std::ptrdiff_t stride, int w, int h, int pw, int ph,
                  std::size_t bytes) {
    for (int y = 0; y < h; ++y) {
        std::uint8_t* row = data + y * stride;
        for (int x = w; x < pw; ++x)
            std::memcpy(row + static_cast<std::size_t>(x) * bytes,
                        row + static_cast<std::size_t>(w - 1) * bytes, bytes);
    }
    for (int y = h; y < ph; ++y)
        std::memcpy(data + y * stride, data + (h - 1) * stride,
                    static_cast<std::size_t>(pw) * bytes);
}

void copy_frame_region(AVFrame& dst, const AVFrame& src, AVPixelFormat format, int w, int h) {
    const std::uint8_t* src_data[4] = {src.data[0], src.data[1], src.data[2], src.data[3]};
    av_image_copy(dst.data, dst.linesize, src_data, src.linesize, format, w, h);
}

// Copies `src` into the top-left of `dst` (same plane count and type) and repeats its edges.
void extend_float(const PlaneBuffer& src, PlaneBuffer& dst) {
    const std::size_t bytes = bytes_per_sample(src.type());
    for (int p = 0; p < src.num_planes(); ++p) {
        for (int y = 0; y < src.height(); ++y)
            std::memcpy(dst.plane(p) + y * dst.stride(), src.plane(p) + y * src.stride(),
                        static_cast<std::size_t>(src.width()) * bytes);
        extend_edges(reinterpret_cast<std::uint8_t*>(dst.plane(p)), dst.stride(), src.width(),
                     src.height(), dst.width(), dst.height(), bytes);
    }
}

void crop_float(const PlaneBuffer& src, PlaneBuffer& dst) {
    const std::size_t bytes = bytes_per_sample(src.type());
    for (int p = 0; p < dst.num_planes(); ++p)
        for (int y = 0; y < dst.height(); ++y)
            std::memcpy(dst.plane(p) + y * dst.stride(), src.plane(p) + y * src.stride(),
                        static_cast<std::size_t>(dst.width()) * bytes);
}

}  // namespace

ToFloat::ToFloat(AVPixelFormat source, const ColourSpec& colour, const FloatFormat& out,
                 AVColorSpace luma_matrix)
    : source_(source), width_(out.width), height_(out.height) {
    std::string why;
    const AVPixelFormat planar = planar_equivalent(source, &why);
    if (planar == AV_PIX_FMT_NONE)
        throw Error(
            ErrorKind::InvalidArgument,
            std::string("pixel format ") + av::pix_fmt_name(source) + " is not supported: " + why);
    layout_ = *zimg_layout(planar);
    if (planar != source) repack_.emplace(source, planar, out.width, out.height);
    // A GRAY source was read as luma already; other families need a matrix to become GRAY.
    ColourSpec c = colour;
    if (layout_.family == Family::Yuv && c.matrix == AVCOL_SPC_UNSPECIFIED) c.matrix = luma_matrix;
    const AVColorSpace float_matrix = layout_.family == Family::Yuv   ? c.matrix
                                      : layout_.family == Family::Rgb ? luma_matrix
                                                                      : AVCOL_SPC_UNSPECIFIED;
    const int pw = round_up(out.width, layout_.ssw), ph = round_up(out.height, layout_.ssh);
    padded_ = pw != out.width || ph != out.height;
    FloatFormat padded = out;
    padded.width = pw;
    padded.height = ph;
    if (padded_) padded_out_ = PlaneBuffer(pw, ph, out.planes(), out.type);
    graph_.emplace(integer_format(layout_, c, pw, ph), float_format(padded, c, float_matrix),
                   Dither::None);
}

void ToFloat::convert(const AVFrame& in, PlaneBuffer& out) {
    const AVFrame* src = &in;
    if (repack_) {
        if (!staging_) staging_ = av::alloc_video_frame(layout_.format, in.width, in.height);
        repack_->run(in, *staging_);
        src = staging_.get();
    }
    if (padded_) {
        if (!padded_in_)
            padded_in_ = av::alloc_video_frame(layout_.format, round_up(width_, layout_.ssw),
                                               round_up(height_, layout_.ssh));
        copy_frame_region(*padded_in_, *src, layout_.format, width_, height_);
        const std::size_t bytes = layout_.is_float ? 4 : (layout_.depth > 8 ? 2 : 1);
        for (int i = 0; i < layout_.components; ++i) {
            const int sw = i == 0 ? 0 : layout_.ssw, sh = i == 0 ? 0 : layout_.ssh;
            const int p = layout_.plane[i];
            extend_edges(padded_in_->data[p], padded_in_->linesize[p], AV_CEIL_RSHIFT(width_, sw),
                         AV_CEIL_RSHIFT(height_, sh), padded_in_->width >> sw,
                         padded_in_->height >> sh, bytes);
        }
        src = padded_in_.get();
    } else if (!repack_ && !aligned(in, layout_)) {
        // Some demuxers hand out frames that point into packet memory at any offset.
        if (!staging_) staging_ = av::alloc_video_frame(layout_.format, in.width, in.height);
        av::check(av_frame_copy(staging_.get(), &in), ErrorKind::Runtime, "copying a frame");
        src = staging_.get();
    }
    zimg_image_buffer_const sb{};
    sb.version = ZIMG_API_VERSION;
    for (int i = 0; i < layout_.components; ++i) {
        sb.plane[i].data = src->data[layout_.plane[i]];
        sb.plane[i].stride = src->linesize[layout_.plane[i]];
        sb.plane[i].mask = ZIMG_BUFFER_MAX;
    }
    PlaneBuffer& dst = padded_ ? padded_out_ : out;
    zimg_image_buffer db{};
    db.version = ZIMG_API_VERSION;
    for (int i = 0; i < dst.num_planes(); ++i) {
        db.plane[i].data = dst.plane(i);
        db.plane[i].stride = dst.stride();
        db.plane[i].mask = ZIMG_BUFFER_MAX;
    }
    graph_->process(sb, db);
    if (padded_) crop_float(padded_out_, out);
}

FromFloat::FromFloat(const FloatFormat& in, AVPixelFormat target, const ColourSpec& colour,
                     Dither dither, AVColorSpace yuv_matrix)
    : target_(target), colour_(colour), width_(in.width), height_(in.height) {
    std::string why;
    const AVPixelFormat planar = planar_equivalent(target, &why);
    if (planar == AV_PIX_FMT_NONE)
        throw Error(ErrorKind::InvalidArgument, std::string("output pixel format ") +
                                                    av::pix_fmt_name(target) +
                                                    " is not supported: " + why);
    layout_ = *zimg_layout(planar);
    if (planar != target) repack_.emplace(planar, target, in.width, in.height);
    // Colour becoming GRAY, or GRAY becoming YUV, goes through luma of the output's matrix.
    const AVColorSpace luma =
        colour.matrix == AVCOL_SPC_UNSPECIFIED || colour.matrix == AVCOL_SPC_RGB
            ? default_matrix(in.width, in.height)
            : colour.matrix;
    ColourSpec c = colour;
    if (layout_.family == Family::Gray && in.family == Family::Rgb) c.matrix = luma;
    const int pw = round_up(in.width, layout_.ssw), ph = round_up(in.height, layout_.ssh);
    padded_ = pw != in.width || ph != in.height;
    FloatFormat padded = in;
    padded.width = pw;
    padded.height = ph;
    if (padded_) padded_in_ = PlaneBuffer(pw, ph, in.planes(), in.type);
    const bool own_matrix = in.family == Family::Yuv && yuv_matrix != AVCOL_SPC_UNSPECIFIED;
    graph_.emplace(float_format(padded, colour, own_matrix ? yuv_matrix : luma),
                   integer_format(layout_, c, pw, ph), layout_.is_float ? Dither::None : dither);
}

av::FramePtr FromFloat::convert(const PlaneBuffer& in) {
    const PlaneBuffer* src = &in;
    if (padded_) {
        extend_float(in, padded_in_);
        src = &padded_in_;
    }
    av::FramePtr planar = av::alloc_video_frame(layout_.format, src->width(), src->height());
    zimg_image_buffer_const sb{};
    sb.version = ZIMG_API_VERSION;
    for (int i = 0; i < src->num_planes(); ++i) {
        sb.plane[i].data = src->plane(i);
        sb.plane[i].stride = src->stride();
        sb.plane[i].mask = ZIMG_BUFFER_MAX;
    }
    zimg_image_buffer db{};
    db.version = ZIMG_API_VERSION;
    for (int i = 0; i < layout_.components; ++i) {
        db.plane[i].data = planar->data[layout_.plane[i]];
        db.plane[i].stride = planar->linesize[layout_.plane[i]];
        db.plane[i].mask = ZIMG_BUFFER_MAX;
    }
    graph_->process(sb, db);
    if (padded_) {
        av::FramePtr exact = av::alloc_video_frame(layout_.format, width_, height_);
        copy_frame_region(*exact, *planar, layout_.format, width_, height_);
        planar = std::move(exact);
    }
    av::FramePtr out;
    if (repack_) {
        out = av::alloc_video_frame(target_, in.width(), in.height());
        repack_->run(*planar, *out);
    } else {
        fill_alpha(*planar);
        out = std::move(planar);
    }
    apply_colour(colour_, *out);
    return out;
}

}  // namespace mlrt::cli
