// Entries are keyed by the model bytes, the conversion and its options, checksummed, and written
// atomically, so that concurrent loads and a crash mid-write can only ever cost a conversion.
#include "engine/model_cache.hpp"

#include <array>
#include <bit>
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

// XXH64: fast enough that hashing a model on every load costs little next to parsing it.
class Xxh64 {
  public:
    static std::uint64_t hash(std::string_view data, std::uint64_t seed) {
        const auto* p = reinterpret_cast<const unsigned char*>(data.data());
        const unsigned char* const end = p + data.size();
        std::uint64_t h = 0;
        if (data.size() >= 32) {
            std::uint64_t v1 = seed + kP1 + kP2, v2 = seed + kP2, v3 = seed, v4 = seed - kP1;
            for (; end - p >= 32; p += 32) {
                v1 = round(v1, read64(p));
                v2 = round(v2, read64(p + 8));
                v3 = round(v3, read64(p + 16));
                v4 = round(v4, read64(p + 24));
            }
            h = std::rotl(v1, 1) + std::rotl(v2, 7) + std::rotl(v3, 12) + std::rotl(v4, 18);
            for (std::uint64_t v : {v1, v2, v3, v4}) h = (h ^ round(0, v)) * kP1 + kP4;
        } else {
            h = seed + kP5;
        }
        h += data.size();
        for (; end - p >= 8; p += 8) h = std::rotl(h ^ round(0, read64(p)), 27) * kP1 + kP4;
        if (end - p >= 4) {
            h = std::rotl(h ^ (read32(p) * kP1), 23) * kP2 + kP3;
            p += 4;
        }
        for (; p < end; ++p) h = std::rotl(h ^ (*p * kP5), 11) * kP1;
        h ^= h >> 33;
        h *= kP2;
        h ^= h >> 29;
        h *= kP3;
        return h ^ (h >> 32);
    }

  private:
    static constexpr std::uint64_t kP1 = 11400714785074694791ull;
    static constexpr std::uint64_t kP2 = 14029467366897019727ull;
    static constexpr std::uint64_t kP3 = 1609587929392839161ull;
    static constexpr std::uint64_t kP4 = 9650029242287828579ull;
    static constexpr std::uint64_t kP5 = 2870177450012600261ull;

    static std::uint64_t round(std::uint64_t acc, std::uint64_t input) {
        return std::rotl(acc + input * kP2, 31) * kP1;
    }
    static std::uint64_t read64(const unsigned char* p) {
        std::uint64_t v = 0;
        for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
        return v;
    }
    static std::uint64_t read32(const unsigned char* p) {
        std::uint64_t v = 0;
        for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
        return v;
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
