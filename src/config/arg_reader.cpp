#include "config/arg_reader.hpp"

#include <algorithm>

#include "mlrt/error.hpp"

namespace mlrt::config::detail {

const ArgValue* ArgReader::find(std::string_view key) const {
    const auto it = args_.find(key);
    if (it == args_.end() || std::holds_alternative<std::monostate>(it->second)) return nullptr;
    return &it->second;
}

void fail_argument(std::string_view context, std::string_view key, std::string_view problem,
                   const ArgSpelling* spelling) {
    std::string message(context);
    if (!message.empty()) message += ": ";
    const auto named = spelling ? spelling->names.find(key) : ArgSpelling::Names::const_iterator{};
    if (spelling && named != spelling->names.end())
        message += named->second;
    else
        message += "argument '" + std::string(key) + "'";
    message += ' ';
    message += problem;
    throw Error(ErrorKind::InvalidArgument, message);
}

void ArgReader::fail(std::string_view key, std::string_view problem) const {
    fail_argument(context_, key, problem, spelling_);
}

void ArgReader::fail_type(std::string_view key, std::string_view expected) const {
    const ArgValue* v = find(key);
    std::string problem = "must be ";
    problem += expected;
    if (v) {
        problem += ", got ";
        problem += type_name(*v);
        problem += ' ';
        problem += to_string(*v);
    }
    fail(key, problem);
}

void ArgReader::reject_unknown(std::span<const std::string_view> known,
                               std::span<const std::string_view> more) const {
    for (const auto& [key, value] : args_) {
        if (std::ranges::find(known, key) != known.end() ||
            std::ranges::find(more, key) != more.end())
            continue;
        std::string valid;
        for (auto group : {known, more})
            for (std::string_view k : group) {
                if (!valid.empty()) valid += ", ";
                valid += k;
            }
        fail(key, "is not known (known: " + valid + ")");
    }
}

std::optional<bool> ArgReader::boolean(std::string_view key) const {
    const ArgValue* v = find(key);
    if (!v) return std::nullopt;
    if (const bool* b = std::get_if<bool>(v)) return *b;
    if (const auto* i = std::get_if<std::int64_t>(v); i && (*i == 0 || *i == 1)) return *i == 1;
    fail_type(key, "a bool (or 0/1)");
}

std::optional<int> ArgReader::integer(std::string_view key, std::int64_t min,
                                      std::int64_t max) const {
    const ArgValue* v = find(key);
    if (!v) return std::nullopt;
    const auto* i = std::get_if<std::int64_t>(v);
    if (!i) fail_type(key, "an integer");
    if (*i < min || *i > max) {
        const std::string range = max == std::numeric_limits<int>::max()
                                      ? ">= " + std::to_string(min)
                                      : "in " + std::to_string(min) + ".." + std::to_string(max);
        fail(key, "must be " + range + ", got " + std::to_string(*i));
    }
    return static_cast<int>(*i);
}

std::optional<std::string> ArgReader::string(std::string_view key) const {
    const ArgValue* v = find(key);
    if (!v) return std::nullopt;
    if (const auto* s = std::get_if<std::string>(v)) return *s;
    fail_type(key, "a string");
}

std::optional<std::vector<std::string>> ArgReader::strings(std::string_view key) const {
    const ArgValue* v = find(key);
    if (!v) return std::nullopt;
    if (const auto* list = std::get_if<std::vector<std::string>>(v)) return *list;
    if (const auto* s = std::get_if<std::string>(v)) return std::vector<std::string>{*s};
    fail_type(key, "a list of strings");
}

std::optional<std::vector<std::int64_t>> ArgReader::integers(std::string_view key) const {
    const ArgValue* v = find(key);
    if (!v) return std::nullopt;
    if (const auto* list = std::get_if<std::vector<std::int64_t>>(v)) return *list;
    if (const auto* i = std::get_if<std::int64_t>(v)) return std::vector<std::int64_t>{*i};
    fail_type(key, "an integer or a list of integers");
}

}  // namespace mlrt::config::detail
