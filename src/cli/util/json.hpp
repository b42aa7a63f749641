#pragma once
// Just enough JSON writing for the --json outputs: escaped strings and flat objects.
#include <string>
#include <string_view>

#include "mlrt/config/args.hpp"

namespace mlrt::cli {

std::string json_string(std::string_view s);
// {"key": value, ...}: None is null, lists are arrays.
std::string json_object(const config::ArgMap& args);

}  // namespace mlrt::cli
