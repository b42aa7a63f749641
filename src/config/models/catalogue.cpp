// The catalogue's JSON (nlohmann-json): one format for mlrt's own entries and the user's.
#include <fmt/core.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mlrt/config/models.hpp"
#include "mlrt/error.hpp"
#include "mlrt/ncnn.hpp"

namespace mlrt::config {

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& origin, const std::string& what) {
    throw Error(ErrorKind::InvalidArgument, fmt::format("model catalogue {}: {}", origin, what));
}

std::string text_field(const json& j, const char* key, const std::string& where,
                       const std::string& origin, bool required) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        if (required) bad(origin, fmt::format("{} has no '{}'", where, key));
        return {};
    }
    if (!it->is_string()) bad(origin, fmt::format("{}: '{}' must be a string", where, key));
    return it->get<std::string>();
}

std::uint64_t count_field(const json& j, const char* key, const std::string& where,
                          const std::string& origin) {
    const auto it = j.find(key);
    if (it == j.end()) return 0;
    if (!it->is_number_unsigned())
        bad(origin, fmt::format("{}: '{}' must be a whole number", where, key));
    return it->get<std::uint64_t>();
}

bool valid_name(const std::string& name) {
    return !name.empty() && name.size() <= 100 && name.front() != '.' &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
           });
}

bool is_hex64(const std::string& s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

CatalogueSource parse_source(const json& j, const json& packages, const std::string& where,
                             const std::string& origin) {
    if (!j.is_object()) bad(origin, where + ": 'source' must be an object");
    CatalogueSource s;
    s.npm = text_field(j, "npm", where, origin, false);
    s.url = text_field(j, "url", where, origin, false);
    if (s.npm.empty() == s.url.empty())
        bad(origin, where + ": its source needs exactly one of 'npm' (a package member) and 'url'");
    if (s.is_npm()) {
        s.param = text_field(j, "param", where, origin, true);
        s.bin = text_field(j, "bin", where, origin, true);
        s.program = text_field(j, "program", where, origin, true);
        const auto programs = ncnn_programs();
        if (std::find(programs.begin(), programs.end(), s.program) == programs.end())
            bad(origin, fmt::format("{}: program '{}' is not one of the ncnn programs mlrt knows",
                                    where, s.program));
        const auto p = packages.find(s.npm);
        if (p == packages.end() || !p->is_object())
            bad(origin,
                fmt::format("{}: package '{}' is not in the catalogue's 'packages'", where, s.npm));
        s.integrity = text_field(*p, "integrity", "package " + s.npm, origin, true);
        if (s.integrity.rfind("sha512-", 0) != 0)
            bad(origin, fmt::format("package {}: 'integrity' must be npm's sha512-… form", s.npm));
        s.package_size = count_field(*p, "size", "package " + s.npm, origin);
        return s;
    }
    if (s.url.rfind("https://", 0) != 0 && s.url.rfind("http://", 0) != 0)
        bad(origin, fmt::format("{}: url '{}' is not http(s)", where, s.url));
    s.sha256 = text_field(j, "sha256", where, origin, true);
    if (!is_hex64(s.sha256))
        bad(origin, fmt::format("{}: sha256 '{}' is not 64 lowercase hex digits", where, s.sha256));
    s.size = count_field(j, "size", where, origin);
    if (s.size == 0) bad(origin, where + ": a url source needs its 'size' in bytes");
    s.member = text_field(j, "member", where, origin, false);
    return s;
}

}  // namespace

std::string CatalogueSource::describe() const {
    if (is_npm()) return fmt::format("npm package {}, members {} and {}", npm, param, bin);
    return member.empty() ? url : fmt::format("{} (member {})", url, member);
}

std::vector<CatalogueEntry> parse_catalogue(const std::string& text, const std::string& origin) {
    json root;
    try {
        root = json::parse(text);
    } catch (const json::parse_error& e) {
        bad(origin, fmt::format("not JSON ({})", e.what()));
    }
    if (!root.is_object()) bad(origin, "the top level must be an object");
    if (root.value("format", 0) != 1) bad(origin, "'format' must be 1");
    const json packages = root.value("packages", json::object());
    const auto models = root.find("models");
    if (models == root.end() || !models->is_array()) bad(origin, "'models' must be a list");
    std::vector<CatalogueEntry> entries;
    for (std::size_t i = 0; i < models->size(); ++i) {
        const json& m = (*models)[i];
        std::string where = fmt::format("entry {}", i + 1);
        if (!m.is_object()) bad(origin, where + " is not an object");
        CatalogueEntry e;
        e.name = text_field(m, "name", where, origin, true);
        where = fmt::format("model '{}'", e.name);
        if (!valid_name(e.name))
            bad(origin, where + ": a name is letters, digits, '-', '_' and '.'");
        e.family = text_field(m, "family", where, origin, false);
        e.task = text_field(m, "task", where, origin, true);
        e.planes = text_field(m, "planes", where, origin, true);
        if (e.planes != "RGB" && e.planes != "GRAY" && e.planes != "YUV")
            bad(origin, fmt::format("{}: planes '{}' is not RGB, GRAY or YUV", where, e.planes));
        e.licence = text_field(m, "licence", where, origin, true);
        e.description = text_field(m, "description", where, origin, false);
        e.upstream = text_field(m, "upstream", where, origin, false);
        const auto scale = m.find("scale");
        if (scale == m.end() || !scale->is_number_integer() || *scale < 1 || *scale > 16)
            bad(origin, where + ": 'scale' must be a whole number 1..16");
        e.scale = scale->get<int>();
        if (const auto flags = m.find("flags"); flags != m.end()) {
            if (!flags->is_array()) bad(origin, where + ": 'flags' must be a list of strings");
            for (const json& f : *flags) {
                if (!f.is_string()) bad(origin, where + ": 'flags' must be a list of strings");
                e.flags.push_back(f.get<std::string>());
            }
        }
        const auto source = m.find("source");
        if (source == m.end()) bad(origin, where + " has no 'source'");
        e.source = parse_source(*source, packages, where, origin);
        if (e.source.is_npm() && e.scale != 0) {
            // The importer's framing must exist for this scale.
            try {
                (void)ncnn_program_framing(e.source.program, e.scale);
            } catch (const Error& err) {
                bad(origin, fmt::format("{}: {}", where, err.what()));
            }
        }
        e.catalogue = origin;
        entries.push_back(std::move(e));
    }
    return entries;
}

}  // namespace mlrt::config
