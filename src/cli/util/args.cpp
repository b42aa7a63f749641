#include "util/args.hpp"

#include <charconv>

#include "mlrt/error.hpp"

namespace mlrt::cli {
namespace {

std::optional<std::int64_t> to_int(std::string_view s) {
    std::int64_t v = 0;
    const auto* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc() || p != end) return std::nullopt;
    return v;
}

[[noreturn]] void bad(std::string_view what, std::string_view text, std::string_view expected) {
    throw UsageError(std::string(what) + ": '" + std::string(text) + "' is not " +
                     std::string(expected));
}

}  // namespace

std::vector<std::int64_t> parse_pair(std::string_view text, std::string_view what) {
    const auto x = text.find_first_of("xX");
    const auto w = to_int(text.substr(0, x));
    const auto h = x == std::string_view::npos ? w : to_int(text.substr(x + 1));
    if (!w || !h) bad(what, text, "W or WxH (integers)");
    return {*w, *h};
}

Size parse_size(std::string_view text, std::string_view what, bool allow_zero) {
    const auto x = text.find_first_of("xX");
    const auto w = to_int(text.substr(0, x));
    const auto h = x == std::string_view::npos ? w : to_int(text.substr(x + 1));
    const std::int64_t lo = allow_zero ? 0 : 1;
    if (!w || !h || *w < lo || *h < lo || *w > 65536 || *h > 65536)
        bad(what, text,
            allow_zero ? "a size W or WxH of non-negative integers"
                       : "a size W or WxH of positive integers");
    return {static_cast<int>(*w), static_cast<int>(*h)};
}

FrameRange parse_frame_range(std::string_view text) {
    const auto colon = text.find(':');
    FrameRange r;
    if (colon == std::string_view::npos) {
        const auto n = to_int(text);
        if (!n || *n < 0) bad("--frames", text, "START:END or a frame number");
        r.start = *n;
        r.end = *n + 1;
        return r;
    }
    const auto a = text.substr(0, colon), b = text.substr(colon + 1);
    if (!a.empty()) {
        const auto n = to_int(a);
        if (!n || *n < 0) bad("--frames", text, "START:END with non-negative frame numbers");
        r.start = *n;
    }
    if (!b.empty()) {
        const auto n = to_int(b);
        if (!n || *n < 0) bad("--frames", text, "START:END with non-negative frame numbers");
        r.end = *n;
    }
    if (r.end && *r.end <= r.start) bad("--frames", text, "a range with END after START");
    return r;
}

}  // namespace mlrt::cli
