#pragma once
// A 1-channel (luma) model on colour input: what it gives back is the output's luma; the
// chroma is the source's, brought to 4:4:4 by zimg (honouring its chroma siting) and resized to
// the model's output size, in float YUV 4:4:4, the convention zimg and VapourSynth share (Y in
// [0, 1], U and V in [-0.5, 0.5]), then converted to the target format.
#include <optional>

#include "media/converter.hpp"

namespace mlrt::cli {

class LumaMerge {
  public:
    // `source` and `colour` describe the decoded frames, `in` the model's input (GRAY) and `out`
    // its output; `luma_matrix` is the one the model's luma was made with (ToFloat's): the
    // source's for YUV, the one defining luma for RGB.
    LumaMerge(AVPixelFormat source, const ColourSpec& colour, AVColorSpace luma_matrix,
              const FloatFormat& in, const FloatFormat& out, AVPixelFormat target,
              const ColourSpec& target_colour, Dither dither);

    // Keeps the chroma of a decoded frame, for the next merge().
    void take_chroma(const AVFrame& frame);
    // The output frame: the model's luma (one plane of the output size) around the chroma last
    // taken, in the target format.
    av::FramePtr merge(const PlaneBuffer& luma);

  private:
    AVColorSpace matrix_;  // of the merged Y, U and V
    // At the source's size, format and colour, the output's chroma is the source's own samples
    // rather than a trip through 4:4:4 and back: exact, as a luma model implies.
    bool exact_;
    av::FramePtr source_frame_;  // exact_: the frame whose chroma planes are copied
    std::optional<ToFloat> to_yuv_;
    PlaneBuffer source_yuv_;           // the source as float YUV 4:4:4, at its own size
    std::optional<ZimgGraph> resize_;  // a chroma plane from the source's size to the output's
    PlaneBuffer merged_;  // at the output size; unused (source_yuv_ is merged) at the same size
    FromFloat from_yuv_;
};

}  // namespace mlrt::cli
