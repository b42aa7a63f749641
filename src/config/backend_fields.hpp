#pragma once
// The one description of how a backend field of each type is read from keyword arguments,
// validated, passed to the engine and shown, used by the providers' own fields (through their
// fields() tables, in backend_provider.cpp) and by ORT's shared fields where the type matches;
// and the shared part's pieces every provider's from_fields, get_args and string form reuse.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "config/arg_reader.hpp"
#include "mlrt/config/backends.hpp"

namespace mlrt::config::detail {

// The reference's IntEnums: their Python class name and their values, 0 to count - 1.
template <class E>
struct EnumInfo;
template <>
struct EnumInfo<OutputFormat> {
    static constexpr std::string_view name = "OutputFormat";
    static constexpr int count = 2;
};
template <>
struct EnumInfo<CoremlProvider> {
    static constexpr std::string_view name = "Provider";
    static constexpr int count = 2;
};

// Codec<T>: read (a keyword argument, validated), problem (what is wrong with a value given to a
// constructor, if anything), arg (the get_args value) and repr (the dataclass repr's).
template <class T>
struct Codec;

template <>
struct Codec<bool> {
    static std::optional<bool> read(const ArgReader& r, std::string_view key) {
        return r.boolean(key);
    }
    static std::optional<std::string> problem(bool) { return std::nullopt; }
    static ArgValue arg(bool v) { return v; }
    static std::string repr(bool v) { return v ? "True" : "False"; }
};

// A provider's integers are device indices.
template <>
struct Codec<int> {
    static std::optional<int> read(const ArgReader& r, std::string_view key) {
        return r.integer(key, 0);
    }
    static std::optional<std::string> problem(int v) {
        if (v >= 0) return std::nullopt;
        return "must be >= 0, got " + std::to_string(v);
    }
    static ArgValue arg(int v) { return std::int64_t{v}; }
    static std::string repr(int v) { return std::to_string(v); }
};

// An IntEnum: given and passed on as its number, shown as "Class.NAME".
template <class E>
requires std::is_enum_v<E>
struct Codec<E> {
    static constexpr int count = EnumInfo<E>::count;

    static std::optional<E> read(const ArgReader& r, std::string_view key) {
        if (auto v = r.integer(key, 0, count - 1)) return static_cast<E>(*v);
        return std::nullopt;
    }
    // "must be 0 (FP32) or 1 (FP16), got 5"
    static std::optional<std::string> problem(E v) {
        const int n = static_cast<int>(v);
        if (n >= 0 && n < count) return std::nullopt;
        std::string s = "must be ";
        for (int i = 0; i < count; ++i) {
            if (i > 0) s += i + 1 < count ? ", " : " or ";
            s += std::to_string(i) + " (" + to_string(static_cast<E>(i)) + ")";
        }
        return s + ", got " + std::to_string(n);
    }
    static ArgValue arg(E v) { return std::int64_t{static_cast<int>(v)}; }
    static std::string repr(E v) { return std::string(EnumInfo<E>::name) + "." + to_string(v); }
};

template <class O, class T>
Codec<T> codec(const Field<O, T>&) {
    return {};
}

// Copies the shared fields between two Options types (ORT::Options, CudaOptions, ...).
template <class To, class From>
void copy_shared(To& to, const From& from) {
    to.num_streams = from.num_streams;
    to.verbosity = from.verbosity;
    to.fp16 = from.fp16;
    to.fp16_blacklist_ops = from.fp16_blacklist_ops;
    to.output_format = from.output_format;
}

// The shared part of from_fields: throws naming the first key neither shared nor in `own`, then
// reads the shared keys.
ORT::Options read_shared(const ArgReader& r, std::span<const std::string_view> own);

// The base keys of get_args: fp16, output_format, provider, num_streams, verbosity,
// fp16_blacklist_ops.
ArgMap shared_args(const ORT& b, std::string_view provider);

// "TYPE(num_streams=1, verbosity=2, fp16=True, fp16_blacklist_ops=None, output_format=None",
// left open for the provider's fields.
std::string shared_repr(std::string_view type, const ORT& b);

}  // namespace mlrt::config::detail
