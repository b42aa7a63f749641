// The calibration file: plain text, one range a line, so that it can be read, diffed and kept
// next to the job that made it.
#include <charconv>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

#include "mlrt/error.hpp"
#include "mlrt/int8.hpp"

namespace mlrt {
namespace {

constexpr const char* kHeader = "mlrt-int8-calibration 1";

std::string number(float v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

}  // namespace

std::string Int8Calibration::serialize() const {
    std::string out = std::string(kHeader) + "\n";
    out += "model " + model_digest + "\n";
    out += "method " + method + "\n";
    out += "frames " + std::to_string(frames) + "\n";
    out += "tiles " + std::to_string(tiles) + "\n";
    for (const auto& r : ranges) {
        if (r.tensor.find('\n') != std::string::npos)
            throw Error(ErrorKind::InvalidModel,
                        "tensor name with a line break cannot be saved in a calibration file");
        out += "range " + number(r.lo) + " " + number(r.hi) + " " + r.tensor + "\n";
    }
    return out;
}

Int8Calibration Int8Calibration::parse(const std::string& text, const std::string& origin) {
    Int8Calibration c;
    std::istringstream in(text);
    std::string line;
    int n = 0;
    const auto bad = [&](const std::string& what) {
        throw Error(ErrorKind::InvalidArgument,
                    "calibration " + origin + " line " + std::to_string(n) + ": " + what);
    };
    const auto to_int = [&](const std::string& s) {
        int v = 0;
        const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v < 0)
            bad("'" + s + "' is not a count");
        return v;
    };
    while (std::getline(in, line)) {
        ++n;
        if (n == 1) {
            if (line != kHeader)
                bad("not an mlrt int8 calibration (expected '" + std::string(kHeader) + "')");
            continue;
        }
        if (line.empty()) continue;
        const auto space = line.find(' ');
        const std::string key = line.substr(0, space);
        const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
        if (key == "model") {
            c.model_digest = rest;
        } else if (key == "method") {
            c.method = rest;
        } else if (key == "frames") {
            c.frames = to_int(rest);
        } else if (key == "tiles") {
            c.tiles = to_int(rest);
        } else if (key == "range") {
            TensorRange r;
            const char* p = rest.data();
            const char* end = rest.data() + rest.size();
            for (float* v : {&r.lo, &r.hi}) {
                const auto res = std::from_chars(p, end, *v);
                if (res.ec != std::errc() || res.ptr == end || *res.ptr != ' ')
                    bad("a range needs: lo hi tensor-name");
                p = res.ptr + 1;
            }
            r.tensor.assign(p, end);
            if (r.tensor.empty()) bad("a range needs: lo hi tensor-name");
            if (!(r.lo <= r.hi)) bad("range of '" + r.tensor + "' has lo > hi");
            c.ranges.push_back(std::move(r));
        } else {
            bad("unknown entry '" + key + "'");
        }
    }
    if (n == 0) throw Error(ErrorKind::InvalidArgument, "calibration " + origin + " is empty");
    if (c.model_digest.empty())
        throw Error(ErrorKind::InvalidArgument, "calibration " + origin + " names no model");
    return c;
}

void Int8Calibration::save(const std::filesystem::path& path) const {
    const std::string text = serialize();
    std::random_device random;
    std::filesystem::path tmp = path;
    tmp += ".tmp" + std::to_string(random());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out) {
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            throw Error(ErrorKind::Io, "cannot write calibration file '" + path.string() + "'");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw Error(ErrorKind::Io,
                    "cannot write calibration file '" + path.string() + "': " + ec.message());
    }
}

Int8Calibration Int8Calibration::load(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in || std::filesystem::is_directory(path))
        throw Error(ErrorKind::Io, "cannot read calibration file '" + path.string() + "'");
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), "file '" + path.string() + "'");
}

}  // namespace mlrt
