#pragma once
// The alpha channel of RGBA, YA and YUVA frames, beside the colour conversion: zimg converts
// colour only, so alpha is read out of any layout FFmpeg describes (packed, planar, palette),
// brought to the engine's float planes (resized by zimg where asked), and written back into the
// alpha component of the output frame, whatever its layout.
#include <string>

extern "C" {
#include <libavutil/pixdesc.h>
}

#include "media/ffmpeg.hpp"
#include "media/zimg_graph.hpp"

namespace mlrt::cli {

// What happens to the input's alpha (--alpha).
enum class AlphaMode {
    Auto,    // Model when the model scales, else Copy
    Model,   // through the model, fed as gray into each input channel, one channel taken back
    Resize,  // zimg's Spline36 to the output size (a copy at scale 1)
    Drop,
};
AlphaMode parse_alpha_mode(const std::string& s);  // "model", "resize", "drop"

// Source alpha as one float plane [0, 1] of `out`'s size and type.
class AlphaReader {
  public:
    AlphaReader(AVPixelFormat source, int width, int height, const FloatFormat& out);
    void read(const AVFrame& frame, PlaneBuffer& out);

  private:
    const AVPixFmtDescriptor* format_;  // of the frames read
    int width_, height_;
    av::FramePtr staging_;  // the alpha samples as 16-bit words, aligned for zimg
    ZimgGraph graph_;
};

// A float alpha plane [0, 1] into the alpha component of frames in `target`.
class AlphaWriter {
  public:
    AlphaWriter(const FloatFormat& in, AVPixelFormat target);
    void write(const PlaneBuffer& alpha, AVFrame& frame);

  private:
    const AVPixFmtDescriptor* format_;  // of the frames written
    av::FramePtr staging_;
    ZimgGraph graph_;
};

}  // namespace mlrt::cli
