#pragma once
// Interlaced input: the model sees each frame as a picture, so two fields woven together reach
// it combed. Detected from the stream's field order or the first frame's flags.
#include <string>

#include "media/ffmpeg.hpp"

namespace mlrt::cli {

// The stream's field order, AV_FIELD_UNKNOWN where the file holds no order FFmpeg knows.
AVFieldOrder field_order(const AVStream& stream);

// "top field first", "bottom field first", ... or empty when the input looks progressive.
std::string interlacing(const AVStream& stream, const AVFrame& first);

}  // namespace mlrt::cli
