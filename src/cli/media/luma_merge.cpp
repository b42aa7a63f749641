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

}  // namespace

LumaMerge::LumaMerge(AVPixelFormat source, const ColourSpec& colour, AVColorSpace luma_matrix,
                     int in_width, int in_height, SampleType type, int out_width, int out_height)
    : source_(source),
      colour_(colour),
      matrix_(yuv_matrix(luma_matrix, in_width, in_height)),
      merged_format_{Family::Yuv, type, out_width, out_height},
      to_yuv_(source, colour, FloatFormat{Family::Yuv, type, in_width, in_height}, matrix_),
      source_yuv_(in_width, in_height, 3, type) {
    if (out_width == in_width && out_height == in_height) return;
    // Chroma already at 4:4:4 sits on the luma grid: resizing it is resizing a picture.
    const ColourSpec plain;
    resize_.emplace(float_format(FloatFormat{Family::Gray, type, in_width, in_height}, plain,
                                 AVCOL_SPC_UNSPECIFIED),
                    float_format(FloatFormat{Family::Gray, type, out_width, out_height}, plain,
                                 AVCOL_SPC_UNSPECIFIED),
                    Dither::None);
    merged_ = PlaneBuffer(out_width, out_height, 3, type);
}

void LumaMerge::take_chroma(const AVFrame& frame) {
    to_yuv_.convert(frame, source_yuv_);
}

const PlaneBuffer& LumaMerge::merge(const PlaneBuffer& luma) {
    if (!resize_) {
        copy_plane(luma, 0, source_yuv_, 0);
        return source_yuv_;
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
    return merged_;
}

bool LumaMerge::exact_chroma(AVPixelFormat target, const ColourSpec& c) const noexcept {
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(source_);
    return !resize_ && target == source_ && d && family_of(source_) == Family::Yuv &&
           !(d->flags & AV_PIX_FMT_FLAG_ALPHA) && c.matrix == matrix_ && c.range == colour_.range &&
           c.transfer == colour_.transfer && c.primaries == colour_.primaries;
}

void LumaMerge::copy_chroma(const AVFrame& source, AVFrame& out) {
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

}  // namespace mlrt::cli
