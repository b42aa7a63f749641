#pragma once
// Which FFmpeg pixel formats zimg can read or write in place, and which lossless planar
// format stands in for the ones it cannot (packed RGB, semi-planar YUV, big-endian, palettes).
#include <optional>
#include <string>

extern "C" {
#include <libavutil/pixfmt.h>
}

namespace mlrt::cli {

enum class Family { Gray, Rgb, Yuv };
const char* to_string(Family f) noexcept;

struct PlanarLayout {
    AVPixelFormat format = AV_PIX_FMT_NONE;
    Family family = Family::Rgb;
    int depth = 8;             // bits per sample
    bool is_float = false;     // float32 samples
    int ssw = 0, ssh = 0;      // log2 chroma subsampling
    int components = 3;        // colour components, alpha not counted
    int plane[3] = {0, 1, 2};  // AVFrame plane of each component in zimg order (R,G,B or Y,U,V)
};

// The layout when zimg can use the format's buffers directly.
std::optional<PlanarLayout> zimg_layout(AVPixelFormat f);

// A zimg-accessible format holding `f`'s samples without loss, reached through swscale's
// unscaled repacking; `f` itself when zimg reads it directly; AV_PIX_FMT_NONE when mlrt cannot
// use `f` at all (`why` then says why).
AVPixelFormat planar_equivalent(AVPixelFormat f, std::string* why = nullptr);

// Whether mlrt can produce frames in `f` (zimg writes it, or writes what swscale repacks to it).
bool can_write(AVPixelFormat f);

Family family_of(AVPixelFormat f);
int depth_of(AVPixelFormat f);  // largest component depth
bool has_alpha(AVPixelFormat f);
bool is_full_range_format(AVPixelFormat f);  // the yuvj* formats

// A zimg-accessible format of the family at (at least) `depth` bits.
AVPixelFormat planar_format(Family family, int depth, int ssw = 0, int ssh = 0);

// The format mlrt can write that is `f` with an alpha channel (gbrp -> gbrap, gray -> ya8,
// yuv420p -> yuva420p); `f` itself when it has alpha, AV_PIX_FMT_NONE when none exists.
AVPixelFormat with_alpha(AVPixelFormat f);

}  // namespace mlrt::cli
