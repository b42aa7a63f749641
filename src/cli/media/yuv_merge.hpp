#pragma once
// A model that gives back part of a YUV picture: a luma model (1 plane: Y) or a chroma model
// (2 planes: U, V, fed Y,U,V by --planes yuv). The planes it does not give are the source's,
// brought to 4:4:4 by zimg (honouring the chroma siting) and resized to the model's output size,
// in float YUV 4:4:4, the convention zimg and VapourSynth share (Y in [0, 1], U and V in
// [-0.5, 0.5]); the whole is then converted to the target format.
#include <optional>

#include "media/converter.hpp"

namespace mlrt::cli {

enum class ModelPlanes { Luma, Chroma };

class YuvMerge {
  public:
    // `source` and `colour` describe the decoded frames, `in` the model's input and `out` its
    // output size and type; `matrix` is the one the model's planes were made with (ToFloat's):
    // the source's for YUV, the one defining luma for RGB.
    YuvMerge(ModelPlanes model, AVPixelFormat source, const ColourSpec& colour, AVColorSpace matrix,
             const FloatFormat& in, const FloatFormat& out, AVPixelFormat target,
             const ColourSpec& target_colour, Dither dither);

    // Keeps the planes the model does not give of a decoded frame, for the next merge().
    void take_source(const AVFrame& frame);
    // The output frame: the model's planes (the output's size) with the source's others, last
    // taken, in the target format.
    av::FramePtr merge(const PlaneBuffer& model_planes);

  private:
    int first_, count_;    // the YUV planes the model gives: Y (0, 1) or U and V (1, 2)
    AVColorSpace matrix_;  // of the merged Y, U and V
    // At the source's size, format and colour, the planes kept are the source's own samples
    // rather than a trip through 4:4:4 and back: exact, as a model leaving them implies.
    bool exact_;
    av::FramePtr source_frame_;  // exact_: the frame whose planes are copied
    std::optional<ToFloat> to_yuv_;
    PlaneBuffer source_yuv_;           // the source as float YUV 4:4:4, at its own size
    std::optional<ZimgGraph> resize_;  // a kept plane from the source's size to the output's
    PlaneBuffer merged_;  // at the output size; unused (source_yuv_ is merged) at the same size
    FromFloat from_yuv_;
};

// The matrix float YUV is made with: `m`, or the default for the size where `m` says none.
AVColorSpace yuv_matrix(AVColorSpace m, int width, int height);

}  // namespace mlrt::cli
