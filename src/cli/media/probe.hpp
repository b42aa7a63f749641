#pragma once
// What `mlrt probe` reports about an input, from its headers and a pass over its video packets
// (no decoding): how many frames there are and which of them are keyframes.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

extern "C" {
#include <libavutil/rational.h>
}

namespace mlrt::cli {

struct MediaInfo {
    std::string path;
    std::string codec;    // of the video stream, e.g. "ffv1"
    std::string pix_fmt;  // e.g. "yuv420p"
    int width = 0, height = 0;
    AVRational frame_rate{0, 1};
    std::int64_t frames = 0;                  // video packets: one per frame for every codec mlrt
                                              // reads, field-coded streams aside
    std::vector<std::int64_t> keyframes;      // frame numbers, in presentation order
    std::map<std::string, std::string> tags;  // the container's global metadata
    std::string source;                       // source_identity(path)
    bool has_audio = false;
};

// Throws mlrt::Error naming the path when it cannot be read.
MediaInfo probe_media(const std::string& path);

}  // namespace mlrt::cli
