#pragma once
// Parsing of the small value syntaxes the commands share: sizes ("W" or "WxH") and frame
// ranges ("START:END").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlrt/error.hpp"

namespace mlrt::cli {

// A flag's value, or a combination of flags, that the command line refuses: `mlrt` exits with
// status 2 (bad usage) for it, 1 for every other error.
class UsageError : public Error {
  public:
    explicit UsageError(const std::string& message) : Error(ErrorKind::InvalidArgument, message) {}
};

struct Size {
    int width = 0;
    int height = 0;
};

// "W" or "WxH" as the integers {W, W} or {W, H}, whatever their values (the configuration layer
// judges those); `what` names the flag when the text is not of that form. Throws UsageError.
std::vector<std::int64_t> parse_pair(std::string_view text, std::string_view what);

// "W" means W x W. `what` names the flag in error messages. Throws UsageError.
Size parse_size(std::string_view text, std::string_view what, bool allow_zero);

// Frames START (inclusive) to END (exclusive), 0-based, like a Python slice; either side may be
// empty. A single number N means just frame N.
struct FrameRange {
    std::int64_t start = 0;
    std::optional<std::int64_t> end;
    bool starts_late() const noexcept { return start > 0; }
    bool contains(std::int64_t i) const noexcept { return i >= start && (!end || i < *end); }
    bool past_end(std::int64_t i) const noexcept { return end && i >= *end; }
};
FrameRange parse_frame_range(std::string_view text);

}  // namespace mlrt::cli
