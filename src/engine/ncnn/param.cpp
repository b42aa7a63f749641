#include "engine/ncnn/param.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "mlrt/error.hpp"

namespace mlrt::detail::ncnn {

namespace {

constexpr int kMagic = 7767517;
constexpr int kArrayBase = -23300;

[[noreturn]] void fail(const std::string& path, int line, const std::string& what) {
    throw Error(ErrorKind::InvalidModel,
                fmt::format("{}:{}: {} (is this an ncnn text .param file?)", path, line, what));
}

bool looks_float(const std::string& token) {
    return token.find_first_of(".eE") != std::string::npos &&
           token.find_first_of("xX") == std::string::npos;
}

float parse_number(const std::string& token, const std::string& path, int line) {
    if (token.empty()) fail(path, line, "an empty value");
    char* end = nullptr;
    errno = 0;
    const float value = std::strtof(token.c_str(), &end);
    if (end != token.c_str() + token.size() || errno == ERANGE || !std::isfinite(value))
        fail(path, line, fmt::format("'{}' is not a number", token));
    return value;
}

ParamValue parse_value(int id, const std::string& text, const std::string& path, int line) {
    ParamValue value;
    if (id > kArrayBase) {
        value.is_float = looks_float(text);
        value.values.push_back(parse_number(text, path, line));
        return value;
    }
    value.is_array = true;
    std::stringstream items(text);
    std::string item;
    bool first = true;
    long count = 0;
    while (std::getline(items, item, ',')) {
        if (first) {
            count = std::lround(std::clamp(parse_number(item, path, line), -1.0f, 1.0e9f));
            first = false;
            continue;
        }
        value.is_float = value.is_float || looks_float(item);
        value.values.push_back(parse_number(item, path, line));
    }
    if (first || count < 0 || static_cast<std::size_t>(count) != value.values.size())
        fail(path, line,
             fmt::format("the array {}={} does not hold the count it starts with", id, text));
    return value;
}

}  // namespace

int ParamDict::get_int(int id, int fallback) const {
    const auto it = values_.find(id);
    if (it == values_.end() || it->second.values.empty()) return fallback;
    // ints beyond ±2^30 are no size or index ncnn has: clamped, so the checks refuse them.
    return static_cast<int>(std::lround(std::clamp(it->second.values[0], -1.0e9f, 1.0e9f)));
}

float ParamDict::get_float(int id, float fallback) const {
    const auto it = values_.find(id);
    return it == values_.end() || it->second.values.empty() ? fallback : it->second.values[0];
}

std::vector<float> ParamDict::get_array(int id) const {
    const auto it = values_.find(id);
    return it == values_.end() ? std::vector<float>{} : it->second.values;
}

std::vector<int> ParamDict::ids() const {
    std::vector<int> ids;
    for (const auto& [id, value] : values_) ids.push_back(id);
    return ids;
}

Param parse_param(const std::string& text, const std::string& path) {
    std::istringstream in(text);
    std::string line_text;
    int line = 0;
    auto next_line = [&]() {
        while (std::getline(in, line_text)) {
            ++line;
            if (line_text.find_first_not_of(" \t\r") != std::string::npos) return true;
        }
        return false;
    };
    if (!next_line() || std::atoi(line_text.c_str()) != kMagic)
        fail(path, std::max(line, 1), fmt::format("the first line is not ncnn's magic {}", kMagic));
    if (!next_line()) fail(path, line + 1, "the layer and blob counts are missing");
    int layer_count = 0;
    int blob_count = 0;
    {
        std::istringstream counts(line_text);
        if (!(counts >> layer_count >> blob_count) || layer_count <= 0 || blob_count <= 0)
            fail(path, line, fmt::format("'{}' is not a layer count and a blob count", line_text));
    }
    Param param;
    while (next_line()) {
        std::istringstream fields(line_text);
        Layer layer;
        layer.line = line;
        int inputs = -1;
        int outputs = -1;
        if (!(fields >> layer.type >> layer.name >> inputs >> outputs) || inputs < 0 || outputs < 0)
            fail(path, line, "a layer line must start with: type name inputs outputs");
        for (int i = 0; i < inputs + outputs; ++i) {
            std::string blob;
            if (!(fields >> blob))
                fail(path, line,
                     fmt::format("layer '{}' ({}) names fewer blobs than its {} inputs and {} "
                                 "outputs",
                                 layer.name, layer.type, inputs, outputs));
            (i < inputs ? layer.inputs : layer.outputs).push_back(blob);
        }
        std::string pair;
        while (fields >> pair) {
            const std::size_t eq = pair.find('=');
            if (eq == std::string::npos || eq == 0)
                fail(path, line, fmt::format("'{}' is not id=value", pair));
            const std::string id_text = pair.substr(0, eq);
            char* end = nullptr;
            const long id = std::strtol(id_text.c_str(), &end, 10);
            if (*end != '\0') fail(path, line, fmt::format("'{}' is not a param id", id_text));
            // Arrays are kept under their param's own id: -23310 holds param 10.
            const int key =
                id <= kArrayBase ? kArrayBase - static_cast<int>(id) : static_cast<int>(id);
            layer.params.set(key,
                             parse_value(static_cast<int>(id), pair.substr(eq + 1), path, line));
        }
        param.layers.push_back(std::move(layer));
    }
    if (static_cast<int>(param.layers.size()) != layer_count)
        fail(path, line,
             fmt::format("the header says {} layers but the file has {}", layer_count,
                         param.layers.size()));
    return param;
}

}  // namespace mlrt::detail::ncnn
