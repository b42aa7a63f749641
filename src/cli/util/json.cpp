#include "util/json.hpp"

#include <fmt/core.h>

namespace mlrt::cli {

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20)
                    out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
                else
                    out += c;
        }
    }
    return out + "\"";
}

namespace {

struct JsonValue {
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(const std::string& s) const { return json_string(s); }
    template <class T>
    std::string operator()(const std::vector<T>& list) const {
        std::string out = "[";
        for (std::size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + (*this)(list[i]);
        return out + "]";
    }
};

}  // namespace

std::string json_object(const config::ArgMap& args) {
    std::string out = "{";
    for (const auto& [key, value] : args)
        out +=
            (out.size() > 1 ? ", " : "") + json_string(key) + ": " + std::visit(JsonValue{}, value);
    return out + "}";
}

}  // namespace mlrt::cli
