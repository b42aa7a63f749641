#include "util/json.hpp"

#include <nlohmann/json.hpp>

namespace mlrt::cli {

namespace {

using nlohmann::ordered_json;

// Invalid UTF-8 (a file name, a codec's string) becomes U+FFFD instead of failing the output.
std::string dump(const ordered_json& j) {
    return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

struct ToJson {
    ordered_json operator()(std::monostate) const { return nullptr; }
    ordered_json operator()(bool b) const { return b; }
    ordered_json operator()(std::int64_t i) const { return i; }
    ordered_json operator()(double d) const { return d; }  // NaN and infinities: null
    ordered_json operator()(const std::string& s) const { return s; }
    template <class T>
    ordered_json operator()(const std::vector<T>& list) const {
        ordered_json out = ordered_json::array();
        for (const T& v : list) out.push_back((*this)(v));
        return out;
    }
};

}  // namespace

std::string json_string(std::string_view s) {
    return dump(ordered_json(std::string(s)));
}

std::string json_object(const config::ArgMap& args) {
    ordered_json out = ordered_json::object();
    for (const auto& [key, value] : args) out[key] = std::visit(ToJson{}, value);
    return dump(out);
}

}  // namespace mlrt::cli
