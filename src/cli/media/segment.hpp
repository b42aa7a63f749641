#pragma once
// The segments `mlrt concat` joins: files written by `mlrt run --frames A:B`, which record the
// range they were asked for and the input they came from in their metadata (MLRT_FRAMES,
// MLRT_SOURCE). This file opens them and checks, from their headers, that they fit together.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "media/ffmpeg.hpp"

namespace mlrt::cli {

struct Segment {
    std::string path;
    std::int64_t start = 0;           // first frame of the source it holds
    std::optional<std::int64_t> end;  // the END it was asked for, if any
    std::string source;               // source_identity of its input
    av::InputFormatPtr format;
    int video = -1;  // its video stream

    const AVStream& video_stream() const { return *format->streams[video]; }
    std::string range_text() const;  // "A:B" or "A:"
    std::string describe() const;    // e.g. "ffv1 yuv420p 64x48 at 24/1 fps"
};

// Throws mlrt::Error naming the file when it cannot be read or holds no frame range.
Segment open_segment(const std::string& path);

// Sorts the segments by their first frame and refuses, naming the segment, ones whose video
// differs from the first's (codec, size, pixel format, colour, clock, codec setup) or source,
// and declared ranges that overlap or leave frames out. Frame counts are checked while joining,
// since only reading a segment through counts them.
void check_segments_fit(std::vector<Segment>& segments);

}  // namespace mlrt::cli
