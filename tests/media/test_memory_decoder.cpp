// The Decoder reading from memory (the media fuzz target's way in) decodes what it decodes from
// the file, and its limits refuse oversized frames by name before anything is allocated.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "media/decoder.hpp"
#include "media/ffmpeg.hpp"
#include "mlrt/error.hpp"
#include "support/fuzz_replay.hpp"

namespace {

namespace fs = std::filesystem;
using mlrt::cli::Decoder;

fs::path seed(const char* name) {
    return fs::path(MLRT_SOURCE_DIR) / "fuzz" / "regressions" / "media" / name;
}

std::span<const std::uint8_t> bytes_of(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Width, height, format and the start of the first row of each frame.
std::vector<std::string> frames_of(Decoder& d) {
    std::vector<std::string> out;
    while (auto f = d.next(nullptr)) {
        const auto n = static_cast<std::size_t>(std::min(f->linesize[0], f->width));
        out.push_back(std::to_string(f->width) + "x" + std::to_string(f->height) + " " +
                      std::to_string(f->format) + " " +
                      std::string(reinterpret_cast<const char*>(f->data[0]), n));
    }
    return out;
}

TEST(MemoryDecoder, DecodesWhatTheFileDecodes) {
    // A video container (seeks to its index) and an image (probed by content alone).
    for (const char* name : {"h264.mp4", "ffv1-10bit.mkv", "rgba.png"}) {
        SCOPED_TRACE(name);
        const std::string bytes = mlrt::test::read_all(seed(name));
        Decoder from_file(seed(name).string());
        Decoder from_memory(mlrt::cli::MemoryInput{name, bytes_of(bytes)});
        EXPECT_EQ(from_memory.path(), name);
        EXPECT_EQ(from_memory.is_image(), from_file.is_image());
        const auto expected = frames_of(from_file);
        ASSERT_FALSE(expected.empty());
        EXPECT_EQ(frames_of(from_memory), expected);
    }
}

TEST(MemoryDecoder, RefusesFramesOverThePixelLimit) {
    // Refused when the container states the size, else by the decoder before it allocates.
    const std::string bytes = mlrt::test::read_all(seed("huge-1280x1024.png"));
    mlrt::cli::av::set_log_level(false);  // as `mlrt run` does: errors quote FFmpeg's reason
    try {
        Decoder d(mlrt::cli::MemoryInput{"big.png", bytes_of(bytes)},
                  mlrt::cli::DecodeLimits{1'000'000, 1});
        (void)d.next(nullptr);
        FAIL() << "a 1280x1024 frame passed a limit of 1000000 pixels";
    } catch (const mlrt::Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("'big.png'"), std::string::npos) << what;
        EXPECT_NE(what.find("1280x1024"), std::string::npos) << what;
        EXPECT_NE(what.find("1000000"), std::string::npos) << what;
    }
    Decoder within(mlrt::cli::MemoryInput{"big.png", bytes_of(bytes)},
                   mlrt::cli::DecodeLimits{1280LL * 1024, 1});
    EXPECT_NE(within.next(nullptr), nullptr);
}

TEST(MemoryDecoder, NamesEmptyAndUnreadableInputs) {
    const std::string nothing;
    EXPECT_THROW(Decoder(mlrt::cli::MemoryInput{"empty", bytes_of(nothing)}), mlrt::Error);
    const std::string text = "not a media file\n";
    try {
        Decoder d(mlrt::cli::MemoryInput{"notes.txt", bytes_of(text)});
        FAIL() << "text opened as media";
    } catch (const mlrt::Error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot open input 'notes.txt'"), std::string::npos)
            << e.what();
    }
}

}  // namespace
