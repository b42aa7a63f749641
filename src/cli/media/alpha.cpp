#include "media/alpha.hpp"

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace mlrt::cli {
namespace {

const AVPixFmtDescriptor& alpha_descriptor(AVPixelFormat f, const char* what) {
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(f);
    if (!d || !(d->flags & AV_PIX_FMT_FLAG_ALPHA))
        throw Error(ErrorKind::InvalidArgument,
                    std::string(what) + " pixel format " + av::pix_fmt_name(f) + " has no alpha");
    return *d;
}

// Palette formats keep alpha in the palette's entries (native-endian 0xAARRGGBB).
bool is_palette(const AVPixFmtDescriptor& d) {
    return (d.flags & AV_PIX_FMT_FLAG_PAL) != 0;
}

int alpha_depth(const AVPixFmtDescriptor& d) {
    return is_palette(d) ? 8 : d.comp[d.nb_components - 1].depth;
}

// Alpha samples of `depth` bits in 16-bit words, full range (alpha has no limited range).
zimg_image_format word_plane(int width, int height, int depth) {
    zimg_image_format f;
    zimg_image_format_default(&f, ZIMG_API_VERSION);
    f.width = static_cast<unsigned>(width);
    f.height = static_cast<unsigned>(height);
    f.pixel_type = ZIMG_PIXEL_WORD;
    f.depth = static_cast<unsigned>(depth);
    f.color_family = ZIMG_COLOR_GREY;
    f.pixel_range = ZIMG_RANGE_FULL;
    return f;
}

zimg_image_format float_plane(const FloatFormat& f) {
    return float_format(FloatFormat{Family::Gray, f.type, f.width, f.height}, ColourSpec{},
                        AVCOL_SPC_UNSPECIFIED);
}

void process(const ZimgGraph& graph, const void* src, std::ptrdiff_t src_stride, void* dst,
             std::ptrdiff_t dst_stride) {
    zimg_image_buffer_const s{};
    s.version = ZIMG_API_VERSION;
    s.plane[0] = {src, src_stride, ZIMG_BUFFER_MAX};
    zimg_image_buffer d{};
    d.version = ZIMG_API_VERSION;
    d.plane[0] = {dst, dst_stride, ZIMG_BUFFER_MAX};
    graph.process(s, d);
}

}  // namespace

AlphaMode parse_alpha_mode(const std::string& s) {
    if (s == "model") return AlphaMode::Model;
    if (s == "resize") return AlphaMode::Resize;
    if (s == "drop") return AlphaMode::Drop;
    if (s.empty() || s == "auto") return AlphaMode::Auto;
    throw Error(ErrorKind::InvalidArgument,
                "--alpha: '" + s + "' is not one of model, resize, drop");
}

AlphaReader::AlphaReader(AVPixelFormat source, int width, int height, const FloatFormat& out)
    : format_(&alpha_descriptor(source, "input")),
      width_(width),
      height_(height),
      staging_(av::alloc_video_frame(AV_PIX_FMT_GRAY16LE, width, height)),
      graph_(word_plane(width, height, alpha_depth(*format_)), float_plane(out), Dither::None) {}

void AlphaReader::read(const AVFrame& frame, PlaneBuffer& out) {
    const AVPixFmtDescriptor& d = *format_;  // the decoder refuses format changes
    const int c = d.nb_components - 1;
    const std::uint8_t* data[4] = {frame.data[0], frame.data[1], frame.data[2], frame.data[3]};
    for (int y = 0; y < height_; ++y) {
        auto* row = reinterpret_cast<std::uint16_t*>(
            staging_->data[0] + static_cast<std::ptrdiff_t>(y) * staging_->linesize[0]);
        if (is_palette(d)) {
            av_read_image_line2(row, data, frame.linesize, &d, 0, y, 0, width_, 0, 2);
            for (int x = 0; x < width_; ++x)
                row[x] = static_cast<std::uint16_t>(frame.data[1][4 * row[x] + 3]);
        } else {
            av_read_image_line2(row, data, frame.linesize, &d, 0, y, c, width_, 0, 2);
        }
    }
    process(graph_, staging_->data[0], staging_->linesize[0], out.plane(0), out.stride());
}

AlphaWriter::AlphaWriter(const FloatFormat& in, AVPixelFormat target)
    : format_(&alpha_descriptor(target, "output")),
      staging_(av::alloc_video_frame(AV_PIX_FMT_GRAY16LE, in.width, in.height)),
      graph_(float_plane(in), word_plane(in.width, in.height, alpha_depth(*format_)),
             Dither::None) {
    const AVPixFmtDescriptor& d = *format_;
    const AVComponentDescriptor& a = d.comp[d.nb_components - 1];
    const bool whole_bytes = a.shift == 0 && (a.depth == 8 || (a.depth > 8 && a.depth <= 16));
    if (is_palette(d) || (d.flags & AV_PIX_FMT_FLAG_BITSTREAM) || !whole_bytes)
        throw Error(ErrorKind::InvalidArgument, std::string("mlrt cannot write the alpha of ") +
                                                    av::pix_fmt_name(target) + " frames");
}

void AlphaWriter::write(const PlaneBuffer& alpha, AVFrame& frame) {
    const AVPixFmtDescriptor& d = *format_;  // frames come in the encoder's one format
    process(graph_, alpha.plane(0), alpha.stride(), staging_->data[0], staging_->linesize[0]);
    // Not av_write_image_line2: it ORs samples into what is there (the opaque alpha the colour
    // conversion left).
    const AVComponentDescriptor& a = d.comp[d.nb_components - 1];
    const bool big_endian = (d.flags & AV_PIX_FMT_FLAG_BE) != 0;
    for (int y = 0; y < frame.height; ++y) {
        const auto* src = reinterpret_cast<const std::uint16_t*>(
            staging_->data[0] + static_cast<std::ptrdiff_t>(y) * staging_->linesize[0]);
        std::uint8_t* p = frame.data[a.plane] +
                          static_cast<std::ptrdiff_t>(y) * frame.linesize[a.plane] + a.offset;
        for (int x = 0; x < frame.width; ++x, p += a.step) {
            const std::uint16_t v = src[x];
            if (a.depth <= 8) {
                *p = static_cast<std::uint8_t>(v);
            } else if (big_endian) {
                p[0] = static_cast<std::uint8_t>(v >> 8);
                p[1] = static_cast<std::uint8_t>(v);
            } else {
                p[0] = static_cast<std::uint8_t>(v);
                p[1] = static_cast<std::uint8_t>(v >> 8);
            }
        }
    }
}

}  // namespace mlrt::cli
