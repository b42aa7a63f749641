#include "media/pixel_formats.hpp"

#include <algorithm>
#include <bit>
#include <set>

extern "C" {
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

namespace mlrt::cli {
namespace {

// zimg reads native-endian words; FFmpeg's *BE formats are repacked (swapped) first.
static_assert(std::endian::native == std::endian::little,
              "the *LE pixel formats are assumed native");

bool is_xyz(AVPixelFormat f) {
    return f == AV_PIX_FMT_XYZ12LE || f == AV_PIX_FMT_XYZ12BE;
}

int colour_components(const AVPixFmtDescriptor* d) {
    return d->nb_components - ((d->flags & AV_PIX_FMT_FLAG_ALPHA) ? 1 : 0);
}

Family family_of_desc(const AVPixFmtDescriptor* d) {
    if (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)) return Family::Rgb;
    if (colour_components(d) == 1) return Family::Gray;
    return Family::Yuv;
}

int max_depth(const AVPixFmtDescriptor* d) {
    int depth = 0;
    for (int i = 0; i < d->nb_components; ++i) depth = std::max(depth, d->comp[i].depth);
    return depth;
}

}  // namespace

const char* to_string(Family f) noexcept {
    switch (f) {
        case Family::Gray:
            return "GRAY";
        case Family::Rgb:
            return "RGB";
        case Family::Yuv:
            return "YUV";
    }
    return "?";
}

std::optional<PlanarLayout> zimg_layout(AVPixelFormat f) {
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(f);
    if (!d || is_xyz(f)) return std::nullopt;
    constexpr auto bad_flags = AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BITSTREAM |
                               AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BAYER;
    if (d->flags & bad_flags) return std::nullopt;
    if (d->flags & AV_PIX_FMT_FLAG_BE) return std::nullopt;
    const int comps = colour_components(d);
    if (comps != 1 && comps != 3) return std::nullopt;
    if (d->nb_components > 1 && !(d->flags & AV_PIX_FMT_FLAG_PLANAR)) return std::nullopt;

    PlanarLayout l;
    l.format = f;
    l.family = family_of_desc(d);
    l.components = comps;
    l.depth = d->comp[0].depth;
    l.is_float = (d->flags & AV_PIX_FMT_FLAG_FLOAT) != 0;
    if (l.is_float && l.depth != 32) return std::nullopt;
    if (!l.is_float && (l.depth < 8 || l.depth > 16)) return std::nullopt;
    const int bytes = l.is_float ? 4 : (l.depth > 8 ? 2 : 1);
    std::set<int> planes;
    for (int i = 0; i < comps; ++i) {
        const AVComponentDescriptor& c = d->comp[i];
        if (c.step != bytes || c.offset != 0 || c.shift != 0 || c.depth != l.depth)
            return std::nullopt;
        if (!planes.insert(c.plane).second) return std::nullopt;
        l.plane[i] = c.plane;
    }
    if (l.family == Family::Yuv) {
        l.ssw = d->log2_chroma_w;
        l.ssh = d->log2_chroma_h;
        if (l.ssw > 2 || l.ssh > 2) return std::nullopt;
    }
    return l;
}

Family family_of(AVPixelFormat f) {
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(f);
    return d ? family_of_desc(d) : Family::Rgb;
}

int depth_of(AVPixelFormat f) {
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(f);
    return d ? max_depth(d) : 8;
}

bool has_alpha(AVPixelFormat f) {
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(f);
    return d && (d->flags & AV_PIX_FMT_FLAG_ALPHA);
}

bool is_full_range_format(AVPixelFormat f) {
    return f == AV_PIX_FMT_YUVJ420P || f == AV_PIX_FMT_YUVJ422P || f == AV_PIX_FMT_YUVJ444P ||
           f == AV_PIX_FMT_YUVJ440P || f == AV_PIX_FMT_YUVJ411P;
}

AVPixelFormat planar_format(Family family, int depth, int ssw, int ssh) {
    AVPixelFormat best = AV_PIX_FMT_NONE;
    int best_depth = 1 << 30;
    for (const AVPixFmtDescriptor* d = av_pix_fmt_desc_next(nullptr); d;
         d = av_pix_fmt_desc_next(d)) {
        const AVPixelFormat f = av_pix_fmt_desc_get_id(d);
        if (is_full_range_format(f) || (d->flags & AV_PIX_FMT_FLAG_ALPHA)) continue;
        const auto l = zimg_layout(f);
        if (!l || l->family != family || l->is_float) continue;
        if (family == Family::Yuv && (l->ssw != ssw || l->ssh != ssh)) continue;
        if (l->depth >= depth && l->depth < best_depth) {
            best = f;
            best_depth = l->depth;
        }
    }
    return best;
}

AVPixelFormat with_alpha(AVPixelFormat f) {
    const AVPixFmtDescriptor* want = av_pix_fmt_desc_get(f);
    if (!want) return AV_PIX_FMT_NONE;
    if (want->flags & AV_PIX_FMT_FLAG_ALPHA) return f;
    const Family family = family_of_desc(want);
    const int depth = max_depth(want);
    AVPixelFormat best = AV_PIX_FMT_NONE;
    int best_score = 1 << 30;
    for (const AVPixFmtDescriptor* d = av_pix_fmt_desc_next(nullptr); d;
         d = av_pix_fmt_desc_next(d)) {
        const AVPixelFormat c = av_pix_fmt_desc_get_id(d);
        if (!(d->flags & AV_PIX_FMT_FLAG_ALPHA) || (d->flags & AV_PIX_FMT_FLAG_PAL)) continue;
        if (family_of_desc(d) != family || max_depth(d) < depth) continue;
        if ((d->flags & AV_PIX_FMT_FLAG_FLOAT) != (want->flags & AV_PIX_FMT_FLAG_FLOAT)) continue;
        if (family == Family::Yuv &&
            (d->log2_chroma_w != want->log2_chroma_w || d->log2_chroma_h != want->log2_chroma_h))
            continue;
        if (!can_write(c)) continue;
        // The least depth above the one wanted; then planar, native-endian layouts (no repacking).
        const int score = 4 * (max_depth(d) - depth) +
                          ((d->flags & AV_PIX_FMT_FLAG_PLANAR) ? 0 : 1) +
                          ((d->flags & AV_PIX_FMT_FLAG_BE) ? 2 : 0);
        if (score < best_score) {
            best = c;
            best_score = score;
        }
    }
    return best;
}

AVPixelFormat planar_equivalent(AVPixelFormat f, std::string* why) {
    auto fail = [&](const std::string& reason) {
        if (why) *why = reason;
        return AV_PIX_FMT_NONE;
    };
    if (zimg_layout(f)) return f;
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(f);
    if (!d) return fail("unknown pixel format");
    if (d->flags & AV_PIX_FMT_FLAG_HWACCEL) return fail("hardware frames are not supported");
    if (d->flags & AV_PIX_FMT_FLAG_BAYER)
        return fail("Bayer (raw sensor) data needs demosaicing, which mlrt does not do");
    if (is_xyz(f)) return fail("XYZ (digital cinema) colour is not supported");

    AVPixelFormat target = AV_PIX_FMT_NONE;
    const Family family = family_of_desc(d);
    if (d->flags & AV_PIX_FMT_FLAG_FLOAT) {
        target = family == Family::Gray  ? AV_PIX_FMT_GRAYF32
                 : family == Family::Rgb ? AV_PIX_FMT_GBRPF32
                                         : AV_PIX_FMT_NONE;
    } else {
        const int depth = std::max(8, max_depth(d));
        if (depth > 16) return fail("more than 16 bits per sample is not supported");
        target = family == Family::Yuv
                     ? planar_format(family, depth, d->log2_chroma_w, d->log2_chroma_h)
                     : planar_format(family, depth);
    }
    if (target == AV_PIX_FMT_NONE) return fail("no planar equivalent for this layout");
    if (!sws_isSupportedInput(f) || !sws_isSupportedOutput(target))
        return fail("FFmpeg cannot repack it to " + std::string(av_get_pix_fmt_name(target)));
    return target;
}

bool can_write(AVPixelFormat f) {
    if (zimg_layout(f)) return true;
    const AVPixelFormat planar = planar_equivalent(f);
    return planar != AV_PIX_FMT_NONE && sws_isSupportedInput(planar) && sws_isSupportedOutput(f);
}

}  // namespace mlrt::cli
