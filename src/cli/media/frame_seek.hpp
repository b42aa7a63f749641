#pragma once
// Frame-exact seeking for `mlrt run --frames START:END`: jump to the keyframe at or before frame
// START, decode forward and drop what precedes it, instead of decoding the input from its start.
#include <cstdint>
#include <string>
#include <vector>

#include "media/decoder.hpp"

namespace mlrt::cli {

struct SeekResult {
    av::FramePtr frame;                  // frame `target`; null when seeking did not work
    std::vector<av::PacketPtr> packets;  // packets of forwarded streams read on the way
    std::string why;                     // why not, when `frame` is null
};

// `frame0` is the input's first frame, already decoded: its timestamp and the frame rate place
// every frame on a grid, which is how a timestamp is turned into a frame number. When the input
// cannot seek, or its timestamps leave that grid (variable frame rate, missing timestamps), or
// `target` lies past the end, the result has no frame and the decoder is in an unspecified
// state: the caller decodes from the start instead, which numbers frames by counting.
SeekResult seek_to_frame(Decoder& decoder, const AVFrame& frame0, std::int64_t target);

}  // namespace mlrt::cli
