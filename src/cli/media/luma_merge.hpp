#pragma once
// A 1-channel (luma) model on colour input: what it gives back is the output's luma; the
// chroma is the source's, brought to 4:4:4 by zimg (honouring its chroma siting) and resized to
// the model's output size. The result is float YUV 4:4:4, the convention zimg and VapourSynth
// share: Y in [0, 1], U and V in [-0.5, 0.5].
#include <optional>

#include "media/converter.hpp"

namespace mlrt::cli {

class LumaMerge {
  public:
    // `luma_matrix` is the one the model's luma was made with (ToFloat's): the source's for YUV,
    // the one defining luma for RGB. `type`, `out_width` and `out_height` are the model's output.
    LumaMerge(AVPixelFormat source, const ColourSpec& colour, AVColorSpace luma_matrix,
              int in_width, int in_height, SampleType type, int out_width, int out_height);

    // The merged frames' format, and the matrix of their Y, U and V (for FromFloat).
    FloatFormat format() const noexcept { return merged_format_; }
    AVColorSpace matrix() const noexcept { return matrix_; }

    // Keeps the chroma of a decoded frame, for the next merge().
    void take_chroma(const AVFrame& frame);
    // The model's luma (one plane of the output size) around the chroma last taken.
    const PlaneBuffer& merge(const PlaneBuffer& luma);

    // At the source's size, format and colour, the output's chroma can be the source's own
    // samples rather than a trip through 4:4:4 and back: exact, as a luma model implies.
    bool exact_chroma(AVPixelFormat target, const ColourSpec& target_colour) const noexcept;
    // Copies the source frame's chroma planes into `out` (both in the source's format).
    static void copy_chroma(const AVFrame& source, AVFrame& out);

  private:
    AVPixelFormat source_;
    ColourSpec colour_;
    AVColorSpace matrix_;
    FloatFormat merged_format_;
    ToFloat to_yuv_;
    PlaneBuffer source_yuv_;           // the source as float YUV 4:4:4, at its own size
    std::optional<ZimgGraph> resize_;  // a chroma plane from the source's size to the output's
    PlaneBuffer merged_;  // at the output size; unused (source_yuv_ is merged) at the same size
};

}  // namespace mlrt::cli
