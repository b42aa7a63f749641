#include "media/repacker.hpp"

#include <string>

namespace mlrt::cli {

Repacker::Repacker(AVPixelFormat from, AVPixelFormat to, int width, int height) : height_(height) {
    // Same size, same subsampling: swscale takes its unscaled (exact) paths.
    sws_.reset(sws_getContext(width, height, from, width, height, to,
                              SWS_POINT | SWS_ACCURATE_RND | SWS_BITEXACT, nullptr, nullptr,
                              nullptr));
    if (!sws_)
        throw Error(ErrorKind::Runtime, std::string("cannot repack ") + av::pix_fmt_name(from) +
                                            " to " + av::pix_fmt_name(to));
}

void Repacker::run(const AVFrame& in, AVFrame& out) const {
    const int h = sws_scale(sws_.get(), in.data, in.linesize, 0, height_, out.data, out.linesize);
    if (h != height_) av::check(h < 0 ? h : AVERROR_BUG, ErrorKind::Runtime, "repacking a frame");
}

}  // namespace mlrt::cli
