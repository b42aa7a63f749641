#pragma once
// Colour metadata of the source and the output: what the stream says, with unspecified fields
// filled the way players fill them (BT.709 for HD, BT.601 for SD, limited range for YUV video).
#include <string>

extern "C" {
#include <libavcodec/codec_id.h>
#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>
}

#include "media/pixel_formats.hpp"

namespace mlrt::cli {

struct ColourSpec {
    AVColorSpace matrix = AVCOL_SPC_UNSPECIFIED;
    AVColorRange range = AVCOL_RANGE_UNSPECIFIED;
    AVColorTransferCharacteristic transfer = AVCOL_TRC_UNSPECIFIED;
    AVColorPrimaries primaries = AVCOL_PRI_UNSPECIFIED;
    AVChromaLocation chroma_location = AVCHROMA_LOC_UNSPECIFIED;
};

// The matrix players assume for untagged YUV of this size.
AVColorSpace default_matrix(int width, int height);

// The source's colour, from the decoded frame and the codec, with the gaps filled.
ColourSpec resolve_source_colour(const AVFrame& frame, AVCodecID codec);

// The colour of output frames in `target` format, keeping the source's where the target can
// carry it. `jpeg` selects JFIF conventions (full range BT.601, centred chroma). `video`: a video
// stream, which tags its range, so GRAY made from YUV keeps the source's range (the luma's own
// codes, as VapourSynth writes a luma plane back); images (PNG, TIFF...) are full range.
ColourSpec output_colour(const ColourSpec& source, Family source_family, AVPixelFormat target,
                         int width, int height, bool jpeg, bool video = false);

void apply_colour(const ColourSpec& c, AVFrame& frame);
std::string describe(const ColourSpec& c);

}  // namespace mlrt::cli
