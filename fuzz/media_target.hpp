#pragma once
// The media fuzz target's body, shared by its libFuzzer entry point and by the regression test
// that replays what it found (tests/media/test_media_fuzz_regressions.cpp). It is the input side
// of `mlrt run`: demux and decode from memory (through bwdif for a third of the inputs, frame
// or field rate for another), the pixel-format and colour checks, and the conversion of each
// frame to the engine's float planes: RGB, GRAY, YUV 4:4:4 (--planes yuv) and alpha.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/alpha.hpp"
#include "media/colour.hpp"
#include "media/converter.hpp"
#include "media/decoder.hpp"
#include "media/ffmpeg.hpp"
#include "media/pixel_formats.hpp"
#include "mlrt/error.hpp"
#include "outcome.hpp"
#include "util/plane_buffer.hpp"

namespace mlrt::fuzz {

// Bounds that keep one input's work small: a fuzzer's input may claim any frame size or count.
inline constexpr std::int64_t kMediaMaxPixels = 1 << 20;
inline constexpr int kMediaMaxFrames = 4;

// Every input must end as frames converted to float planes or as an mlrt::Error, never a crash,
// hang or leak. Frames go to both kinds of plane the engine takes: RGB in float32 and GRAY in
// float16, as for colour and one-channel models.
inline Outcome media_outcome(const std::uint8_t* data, std::size_t size) {
    static const bool quiet = [] {
        cli::av::set_log_level(false);
        return true;
    }();
    (void)quiet;
    try {
        cli::Decoder decoder(cli::MemoryInput{"fuzz-input", std::span(data, size)},
                             cli::DecodeLimits{kMediaMaxPixels, 1});
        // Chosen by the input's length, so that a replayed input takes the same path.
        decoder.deinterlace(static_cast<cli::DeinterlaceMode>(size % 3));
        struct Converter {
            cli::FloatFormat format;
            std::optional<cli::ToFloat> to_float;
            cli::PlaneBuffer planes;
        };
        std::vector<Converter> converters;
        std::optional<cli::AlphaReader> alpha;
        cli::PlaneBuffer alpha_plane;
        int width = 0, height = 0, format = AV_PIX_FMT_NONE;
        for (int index = 0; index < kMediaMaxFrames; ++index) {
            const cli::av::FramePtr frame = decoder.next(nullptr);
            if (!frame) {
                if (index == 0)
                    throw Error(ErrorKind::Io,
                                "input '" + decoder.path() + "' has no video frames");
                break;
            }
            if (index == 0) {
                const auto source = static_cast<AVPixelFormat>(frame->format);
                std::string why;
                if (cli::planar_equivalent(source, &why) == AV_PIX_FMT_NONE)
                    throw Error(ErrorKind::InvalidArgument,
                                "input '" + decoder.path() + "': pixel format " +
                                    cli::av::pix_fmt_name(source) + " is not supported: " + why);
                const cli::ColourSpec colour =
                    cli::resolve_source_colour(*frame, decoder.codec_id());
                (void)cli::describe(colour);
                const AVColorSpace luma_matrix =
                    cli::family_of(source) == cli::Family::Yuv
                        ? colour.matrix
                        : cli::default_matrix(frame->width, frame->height);
                width = frame->width;
                height = frame->height;
                format = frame->format;
                for (const auto& [family, type] :
                     {std::pair{cli::Family::Rgb, SampleType::Float32},
                      std::pair{cli::Family::Gray, SampleType::Float16},
                      std::pair{cli::Family::Yuv, SampleType::Float32}}) {
                    if (family == cli::Family::Yuv && cli::family_of(source) == cli::Family::Gray)
                        continue;  // --planes yuv refuses GRAY input
                    Converter& c = converters.emplace_back();
                    c.format = {family, type, width, height};
                    c.to_float.emplace(source, colour, c.format, luma_matrix);
                    c.planes = cli::PlaneBuffer(width, height, c.format.planes(), type);
                }
            } else if (frame->width != width || frame->height != height ||
                       frame->format != format) {
                // `mlrt run` refuses such a stream (Pipeline::read); so does this.
                throw Error(ErrorKind::InvalidArgument,
                            "input '" + decoder.path() +
                                "' changes size or pixel format at frame " + std::to_string(index));
            }
            if (index == 0 && cli::has_alpha(static_cast<AVPixelFormat>(format))) {
                const cli::FloatFormat plane{cli::Family::Gray, SampleType::Float32, width, height};
                alpha.emplace(static_cast<AVPixelFormat>(format), width, height, plane);
                alpha_plane = cli::PlaneBuffer(width, height, 1, SampleType::Float32);
            }
            for (Converter& c : converters) c.to_float->convert(*frame, c.planes);
            if (alpha) alpha->read(*frame, alpha_plane);
        }
    } catch (const Error& e) {
        return {false, e.what()};
    }
    return {};
}

inline int media(const std::uint8_t* data, std::size_t size) {
    (void)media_outcome(data, size);
    return 0;
}

}  // namespace mlrt::fuzz
