#pragma once
// Lossless repacking between pixel formats of the same size and subsampling (packed RGB to
// planar, semi-planar to planar, big- to little-endian) by swscale's unscaled paths, for the
// layouts zimg cannot address.
#include "media/ffmpeg.hpp"

namespace mlrt::cli {

class Repacker {
  public:
    Repacker(AVPixelFormat from, AVPixelFormat to, int width, int height);
    void run(const AVFrame& in, AVFrame& out) const;

  private:
    av::SwsPtr sws_;
    int height_;
};

}  // namespace mlrt::cli
