#include "media/source_identity.hpp"

#include <fmt/core.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <vector>

extern "C" {
#include <libavformat/avformat.h>
}

namespace mlrt::cli {
namespace {

namespace fs = std::filesystem;

std::string file_identity(const fs::path& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) return "";
    std::ifstream in(path, std::ios::binary);
    std::vector<char> head(std::size_t{1} << 20);
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    // FNV-1a: no cryptographic claim, only that different sources differ.
    std::uint64_t h = 14695981039346656037ull;
    for (std::size_t i = 0; i < got; ++i) {
        h ^= static_cast<unsigned char>(head[i]);
        h *= 1099511628211ull;
    }
    return fmt::format("{}:{:016x}", size, h);
}

}  // namespace

std::string source_identity(const std::string& path) {
    if (path == "-") return "";
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return file_identity(path);
    // image2 looks for the first image among the numbers 0 to 4, and so does this.
    char name[4096];
    for (int i = 0; i < 5; ++i)
        if (av_get_frame_filename2(name, sizeof name, path.c_str(), i, 0) == 0 &&
            fs::is_regular_file(name, ec))
            return "sequence " + file_identity(name);
    return "";
}

}  // namespace mlrt::cli
