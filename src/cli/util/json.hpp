#pragma once
// Just enough JSON writing for the --json outputs: escaped strings and flat objects.
#include <string>
#include <string_view>

namespace mlrt::cli {

std::string json_string(std::string_view s);

}  // namespace mlrt::cli
