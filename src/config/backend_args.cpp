// The shared part of the backends as argument maps, both ways: the base keys of get_args() (what
// the engine receives, the reference's get_args) and the shared keys of from_fields()
// (constructor keyword arguments, as autoselect's **kwargs). Each provider adds its own fields
// in backend_provider.cpp.
#include <cstdint>

#include "config/arg_reader.hpp"
#include "config/backend_fields.hpp"
#include "mlrt/config/backends.hpp"

namespace mlrt::config {
namespace detail {

ArgMap shared_args(const ORT& b, std::string_view provider) {
    ArgMap args;
    args["fp16"] = b.fp16();
    args["output_format"] = Codec<OutputFormat>::arg(b.resolved_output_format());
    args["provider"] = std::string(provider);
    args["num_streams"] = std::int64_t{b.num_streams()};
    args["verbosity"] = std::int64_t{static_cast<int>(b.verbosity())};
    // Present as None when unset, as in the reference's dict: the engine then uses its own list.
    args["fp16_blacklist_ops"] =
        b.fp16_blacklist_ops() ? ArgValue(*b.fp16_blacklist_ops()) : ArgValue(std::monostate{});
    return args;
}

ORT::Options read_shared(const ArgReader& r, std::span<const std::string_view> own) {
    static constexpr std::string_view kShared[] = {"num_streams", "verbosity", "fp16",
                                                   "fp16_blacklist_ops", "output_format"};
    r.reject_unknown(kShared, own);
    ORT::Options o;
    if (auto v = r.integer("num_streams", 1)) o.num_streams = *v;
    if (auto v = r.integer("verbosity", 0, 4)) o.verbosity = static_cast<Verbosity>(*v);
    if (auto v = r.boolean("fp16")) o.fp16 = *v;
    o.fp16_blacklist_ops = r.strings("fp16_blacklist_ops");
    o.output_format = Codec<OutputFormat>::read(r, "output_format");
    return o;
}

}  // namespace detail

ORT ORT::from_fields(const ArgMap& fields) {
    const detail::ArgReader r(fields, "ORT");
    return ORT(detail::read_shared(r, {}));
}

ArgMap get_args(const Backend& backend) {
    return std::visit([](const auto& b) { return b.get_args(); }, backend);
}

ArgMap get_args(const Backend& backend, std::span<const Clip> /*clips*/) {
    return get_args(backend);
}

}  // namespace mlrt::config
