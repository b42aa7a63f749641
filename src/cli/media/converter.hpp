#pragma once
// Colour conversion between FFmpeg frames and the engine's planar float frames, done by zimg
// (matrix, range, chroma siting, bit depth, dithering). Formats zimg cannot address are
// repacked losslessly by swscale first (input) or last (output). One converter per thread.
#include <optional>

#include "media/colour.hpp"
#include "media/ffmpeg.hpp"
#include "media/pixel_formats.hpp"
#include "media/repacker.hpp"
#include "media/zimg_graph.hpp"
#include "mlrt/frame.hpp"
#include "util/plane_buffer.hpp"

namespace mlrt::cli {

class ToFloat {
  public:
    // `colour` is the resolved source colour; `luma_matrix` is used when colour must become GRAY.
    ToFloat(AVPixelFormat source, const ColourSpec& colour, const FloatFormat& out,
            AVColorSpace luma_matrix);
    void convert(const AVFrame& in, PlaneBuffer& out);
    AVPixelFormat source_format() const noexcept { return source_; }

  private:
    AVPixelFormat source_;
    PlanarLayout layout_;
    int width_, height_;
    bool padded_;  // subsampled with odd dimensions: zimg works on an edge-extended copy
    std::optional<Repacker> repack_;
    av::FramePtr staging_;  // repacked or realigned copy of the input
    av::FramePtr padded_in_;
    PlaneBuffer padded_out_;
    std::optional<ZimgGraph> graph_;
};

class FromFloat {
  public:
    // `yuv_matrix` is the matrix of float YUV input (LumaMerge's); unspecified: the target's.
    FromFloat(const FloatFormat& in, AVPixelFormat target, const ColourSpec& colour, Dither dither,
              AVColorSpace yuv_matrix = AVCOL_SPC_UNSPECIFIED);
    // A new frame in the target format, colour-tagged, ready for the encoder.
    av::FramePtr convert(const PlaneBuffer& in);

  private:
    AVPixelFormat target_;
    ColourSpec colour_;
    PlanarLayout layout_;
    int width_, height_;
    bool padded_;  // as in ToFloat
    PlaneBuffer padded_in_;
    std::optional<Repacker> repack_;
    std::optional<ZimgGraph> graph_;
};

}  // namespace mlrt::cli
