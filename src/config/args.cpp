#include "mlrt/config/args.hpp"

#include <charconv>
#include <type_traits>

namespace mlrt::config {
namespace {

std::string repr(bool b) {
    return b ? "True" : "False";
}
std::string repr(std::int64_t i) {
    return std::to_string(i);
}

std::string repr(double d) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, ec == std::errc{} ? end : buf);
    // Python writes floats so they read back as floats: 1.0, not 1.
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
}

std::string repr(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

template <class T>
std::string repr(const std::vector<T>& list) {
    std::string out = "[";
    for (const T& item : list) {
        if (out.size() > 1) out += ", ";
        out += repr(item);
    }
    return out + "]";
}

}  // namespace

std::string to_string(const ArgValue& value) {
    return std::visit(
        [](const auto& v) -> std::string {
            if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>)
                return "None";
            else
                return repr(v);
        },
        value);
}

std::string to_string(const ArgMap& args) {
    std::string out = "{";
    for (const auto& [key, value] : args) {
        if (out.size() > 1) out += ", ";
        out += repr(key) + ": " + to_string(value);
    }
    return out + "}";
}

const char* type_name(const ArgValue& value) noexcept {
    static constexpr const char* names[] = {"None", "bool",      "int",         "float",
                                            "str",  "list[int]", "list[float]", "list[str]"};
    static_assert(std::size(names) == std::variant_size_v<ArgValue>);
    return value.valueless_by_exception() ? "None" : names[value.index()];
}

ArgMap merged(ArgMap base, const ArgMap& overrides) {
    for (const auto& [key, value] : overrides) base.insert_or_assign(key, value);
    return base;
}

}  // namespace mlrt::config
