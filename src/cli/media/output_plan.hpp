#pragma once
// Decisions about the output made before anything is written: what kind of output the path
// names, which encoder writes it, and which pixel format the encoder gets.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "media/colour.hpp"
#include "media/ffmpeg.hpp"
#include "media/pixel_formats.hpp"

namespace mlrt::cli {

enum class OutputKind {
    Image,          // one still image (png, jpg, tif, ...)
    ImageSequence,  // a numbered pattern such as out_%05d.png
    Video,          // a container (mkv, mp4, y4m, ...)
    Y4mPipe,        // "-": YUV4MPEG2 on standard output
};

struct OutputOptions {
    std::string path;
    std::string codec;  // empty: the container's default (FFV1 where it fits)
    std::optional<int> crf;
    std::string preset;        // x264/x265 speed preset
    std::string pix_fmt;       // empty: the one closest to the source
    bool copy_streams = true;  // audio and subtitles, video outputs only
    // Global metadata of video outputs (Matroska keeps any key; other containers some or none).
    std::vector<std::pair<std::string, std::string>> tags;
};

// What the encoder will be fed.
struct VideoSetup {
    int width = 0;
    int height = 0;
    Family family = Family::Rgb;  // of the frames written: Gray, or colour (a luma model on colour)
    bool full_chroma = false;     // YUV at 4:4:4 whatever the source's subsampling (--planes yuv)
    bool alpha = false;  // the input's alpha is carried: a format that holds it is preferred
    AVPixelFormat source_format = AV_PIX_FMT_NONE;
    ColourSpec source_colour;
    AVCodecID source_codec = AV_CODEC_ID_NONE;
    AVRational time_base{1, 25};
    AVRational frame_rate{25, 1};
    AVRational sample_aspect_ratio{0, 1};
};

OutputKind classify_output(const std::string& path);

// The file a job writing `path` would replace, if one is there: the path itself, or the first
// file of a numbered sequence (image2 starts at 1). Nothing for standard output.
std::optional<std::string> existing_output(const std::string& path);

// Throws mlrt::Error naming the file unless `overwrite` (-y) allows replacing it; called before
// any work, so a refused job leaves the file as it was.
void refuse_existing_output(const std::string& path, bool overwrite);
const char* to_string(OutputKind k) noexcept;

// Throws mlrt::Error naming the flag or the path when no suitable encoder exists.
const AVCodec* choose_encoder(OutputKind kind, const AVOutputFormat& format,
                              const OutputOptions& options);

AVPixelFormat choose_pixel_format(const AVCodec& encoder, OutputKind kind, const VideoSetup& setup,
                                  const std::string& requested);

bool is_jpeg_encoder(const AVCodec& encoder);

}  // namespace mlrt::cli
