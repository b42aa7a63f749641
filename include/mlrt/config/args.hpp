#pragma once
// The argument map that travels between the configuration layer and the front ends. It stands for
// a Python kwargs dict or a VapourSynth VSMap; std::monostate plays Python's None ("not given").
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "mlrt/export.hpp"

namespace mlrt::config {

using ArgValue =
    std::variant<std::monostate /*None*/, bool, std::int64_t, double, std::string,
                 std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>>;
using ArgMap = std::map<std::string, ArgValue, std::less<>>;

// Python-style repr: None, True, 3, 0.5, 'text', [1, 2], ['a', 'b'].
MLRT_API std::string to_string(const ArgValue& value);
// {'key': value, ...} in key order.
MLRT_API std::string to_string(const ArgMap& args);
// "None", "bool", "int", "float", "str", "list[int]", "list[float]", "list[str]".
MLRT_API const char* type_name(const ArgValue& value) noexcept;

// `base` with every entry of `overrides` written over it, like Python's `base | overrides`.
MLRT_API ArgMap merged(ArgMap base, const ArgMap& overrides);

// How a front end names the caller and the arguments in error messages, so that one parser can
// serve front ends that spell the same option differently: "ort.Model: argument 'num_streams'
// must be ..." in a script, "mlrt run: --streams must be ..." on the command line.
struct ArgSpelling {
    using Names = std::map<std::string, std::string, std::less<>>;
    std::string context = "ort.Model";
    Names names{};  // argument key -> the front end's name for it; keys not listed keep their own
};

}  // namespace mlrt::config
