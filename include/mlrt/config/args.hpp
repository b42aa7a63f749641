#pragma once
// The argument map that travels between the configuration layer and the front ends. It stands for
// a Python kwargs dict or a VapourSynth VSMap; std::monostate plays Python's None ("not given").
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace mlrt::config {

using ArgValue =
    std::variant<std::monostate /*None*/, bool, std::int64_t, double, std::string,
                 std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>>;
using ArgMap = std::map<std::string, ArgValue, std::less<>>;

// Python-style repr: None, True, 3, 0.5, 'text', [1, 2], ['a', 'b'].
std::string to_string(const ArgValue& value);
// {'key': value, ...} in key order.
std::string to_string(const ArgMap& args);
// "None", "bool", "int", "float", "str", "list[int]", "list[float]", "list[str]".
const char* type_name(const ArgValue& value) noexcept;

// `base` with every entry of `overrides` written over it, like Python's `base | overrides`.
ArgMap merged(ArgMap base, const ArgMap& overrides);

}  // namespace mlrt::config
