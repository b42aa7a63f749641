// Entries are keyed by the model bytes, the conversion and its options, checksummed, and written
// atomically, so that concurrent loads and a crash mid-write can only ever cost a conversion.
#include "engine/model_cache.hpp"

#include <xxhash.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <random>
#include <system_error>

namespace mlrt::detail {
namespace {

constexpr std::array<char, 8> kMagic = {'M', 'L', 'R', 'T', 'C', 'V', '1', '\0'};
constexpr std::size_t kHeaderSize = 8 + 4 * 8;  // magic, key (2), payload length, checksum

// XXH64 (Debian's libxxhash): fast enough that hashing a model on every load costs little next
// to parsing it. The same values as the hand-written version it replaced, so older entries stay
// valid (tests/engine/test_model_cache_digest.cpp).
struct Xxh64 {
    static std::uint64_t hash(std::string_view data, std::uint64_t seed) {
        return XXH64(data.data(), data.size(), seed);
    }
};

void put_u64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

std::uint64_t get_u64(std::string_view in, std::size_t at) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
    return v;
}

std::string hex(std::initializer_list<std::uint64_t> values) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::uint64_t v : values)
        for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHex[(v >> shift) & 0xfu]);
    return out;
}

struct CacheKey {
    std::uint64_t a = 0;
    std::uint64_t b = 0;

    std::string file_name(std::string_view kind) const {
        return std::string(kind) + "-" + hex({a, b}) + ".onnx";
    }
};

// Two independent 64-bit digests, so a collision between two different models is not a
// practical concern.
CacheKey cache_key(std::string_view kind, std::string_view model_bytes,
                   std::string_view fingerprint) {
    std::string material;
    put_u64(material, Xxh64::hash(model_bytes, 0));
    put_u64(material, Xxh64::hash(model_bytes, 0x9e3779b97f4a7c15ull));
    put_u64(material, model_bytes.size());
    material += kind;
    material += '|';
    material += fingerprint;
    return {Xxh64::hash(material, 1), Xxh64::hash(material, 2)};
}

std::string cache_header(const CacheKey& key, std::string_view payload) {
    std::string header(kMagic.begin(), kMagic.end());
    put_u64(header, key.a);
    put_u64(header, key.b);
    put_u64(header, payload.size());
    put_u64(header, Xxh64::hash(payload, 0));
    return header;
}

// The payload of a complete, intact entry for `key`, or nothing (missing, partial, corrupt).
std::optional<std::string> read_entry(const std::filesystem::path& path, const CacheKey& key) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size < kHeaderSize) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    std::string data(static_cast<std::size_t>(size), '\0');
    if (!in.read(data.data(), static_cast<std::streamsize>(data.size()))) return std::nullopt;
    const std::string_view view(data);
    if (view.substr(0, kMagic.size()) != std::string_view(kMagic.data(), kMagic.size()))
        return std::nullopt;
    const std::string_view payload = view.substr(kHeaderSize);
    if (get_u64(view, 8) != key.a || get_u64(view, 16) != key.b ||
        get_u64(view, 24) != payload.size() || get_u64(view, 32) != Xxh64::hash(payload, 0))
        return std::nullopt;
    return std::string(payload);
}

// Writes to a private temporary file and renames it into place, so readers only ever see a
// missing or a complete entry. Failure only costs the cache, never the conversion.
void write_entry(const std::filesystem::path& dir, const std::filesystem::path& path,
                 const CacheKey& key, const std::string& payload) noexcept {
    try {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) return;
        std::random_device random;
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        const std::filesystem::path tmp =
            dir / (path.filename().string() + ".tmp" + std::to_string(random()) + "-" +
                   std::to_string(stamp));
        {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            const std::string header = cache_header(key, payload);
            out.write(header.data(), static_cast<std::streamsize>(header.size()));
            out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
            out.close();
            if (!out) {
                std::filesystem::remove(tmp, ec);
                return;
            }
        }
        std::filesystem::rename(tmp, path, ec);
        if (ec) std::filesystem::remove(tmp, ec);
    } catch (const std::exception&) {
        // Caching is an optimisation; the caller still gets the converted model.
    }
}

}  // namespace

std::string content_digest(std::string_view bytes) {
    return hex({Xxh64::hash(bytes, 0), Xxh64::hash(bytes, 0x9e3779b97f4a7c15ull)});
}

std::string cached_conversion(std::string_view kind, const std::string& model_bytes,
                              std::string_view fingerprint, const std::filesystem::path& cache_dir,
                              const std::function<std::string()>& convert) {
    const CacheKey key = cache_key(kind, model_bytes, fingerprint);
    // An empty directory (no usable default) means: convert without caching.
    const std::filesystem::path path =
        cache_dir.empty() ? std::filesystem::path() : cache_dir / key.file_name(kind);
    if (!path.empty())
        if (auto cached = read_entry(path, key)) return std::move(*cached);
    std::string converted = convert();
    if (!path.empty()) write_entry(cache_dir, path, key, converted);
    return converted;
}

std::filesystem::path default_cache_dir() {
    auto env = [](const char* name) -> std::string {
        const char* value = std::getenv(name);
        return value != nullptr ? std::string(value) : std::string();
    };
    if (const std::string dir = env("MLRT_CACHE_DIR"); !dir.empty()) return dir;
    if (const std::string dir = env("XDG_CACHE_HOME"); !dir.empty())
        return std::filesystem::path(dir) / "mlrt";
    if (const std::string home = env("HOME"); !home.empty())
        return std::filesystem::path(home) / ".cache" / "mlrt";
    std::error_code ec;
    const std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
    return ec ? std::filesystem::path() : tmp / "mlrt-cache";
}

}  // namespace mlrt::detail
