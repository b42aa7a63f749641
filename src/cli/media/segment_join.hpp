#pragma once
// Joins segments (already checked by check_segments_fit) into one file by stream copy, with
// the audio and subtitle streams of their source muxed in once.
#include <cstdint>
#include <string>
#include <vector>

#include "media/segment.hpp"

namespace mlrt::cli {

struct JoinOptions {
    std::string write_path;  // the file written (a temporary name next to the output)
    std::string name;        // the output as the user named it, for messages
    std::string audio_from;  // the source whose audio and subtitles are copied; "" for none
    bool progress = false;
};

struct JoinResult {
    std::int64_t first_frame = 0;
    std::int64_t frames = 0;
};

// Throws mlrt::Error naming the segment when one holds fewer or more frames than the range it
// records leaves room for, or when its timestamps do not follow the previous one's. The file
// at `write_path` is then incomplete: the caller removes it.
JoinResult join_segments(std::vector<Segment>& segments, const JoinOptions& options);

}  // namespace mlrt::cli
