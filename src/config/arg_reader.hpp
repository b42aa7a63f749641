#pragma once
// Typed, validated reads out of an ArgMap. Every failure is an mlrt::Error(InvalidArgument) whose
// message names the caller ("ort.Model", "ORT_CUDA") and the argument, so a user can tell which
// value to fix. A key holding None counts as not given, as Python and VapourSynth callers expect.
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mlrt/config/args.hpp"

namespace mlrt::config::detail {

// Throws mlrt::Error(InvalidArgument): "<context>: argument '<key>' <problem>", or with a
// spelling that names the key, "<context>: <its name> <problem>".
[[noreturn]] void fail_argument(std::string_view context, std::string_view key,
                                std::string_view problem, const ArgSpelling* spelling = nullptr);

class ArgReader {
  public:
    ArgReader(const ArgMap& args, std::string context, const ArgSpelling* spelling = nullptr)
        : args_(args), context_(std::move(context)), spelling_(spelling) {}

    // Throws naming the first key in neither `known` nor `more`.
    void reject_unknown(std::span<const std::string_view> known,
                        std::span<const std::string_view> more = {}) const;

    bool has(std::string_view key) const { return find(key) != nullptr; }

    // bool, or the integers 0 and 1 (VapourSynth has no bool type).
    std::optional<bool> boolean(std::string_view key) const;
    // An integer within [min, max].
    std::optional<int> integer(std::string_view key, std::int64_t min,
                               std::int64_t max = std::numeric_limits<int>::max()) const;
    std::optional<std::string> string(std::string_view key) const;
    // A list of strings; a single string is a list of one, as in a VapourSynth map.
    std::optional<std::vector<std::string>> strings(std::string_view key) const;
    // A list of integers; a single integer is a list of one.
    std::optional<std::vector<std::int64_t>> integers(std::string_view key) const;

    [[noreturn]] void fail(std::string_view key, std::string_view problem) const;
    [[noreturn]] void fail_type(std::string_view key, std::string_view expected) const;

  private:
    const ArgValue* find(std::string_view key) const;

    const ArgMap& args_;
    std::string context_;
    const ArgSpelling* spelling_;
};

}  // namespace mlrt::config::detail
