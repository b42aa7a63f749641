#pragma once
// JSON for the --json outputs, through nlohmann-json: strings (escaped, invalid UTF-8 replaced)
// and flat objects.
#include <string>
#include <string_view>

#include "mlrt/config/args.hpp"

namespace mlrt::cli {

std::string json_string(std::string_view s);
// {"key": value, ...}: None is null, lists are arrays.
std::string json_object(const config::ArgMap& args);

}  // namespace mlrt::cli
