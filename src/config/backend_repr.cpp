// String forms of the backends, shaped like the reference's dataclass repr so that logs read the
// same in both worlds: ORT_DML(num_streams=1, verbosity=2, ..., device_id=0). This is the shared
// part; each provider appends its own fields in backend_provider.cpp.
#include <string>

#include "config/backend_fields.hpp"
#include "mlrt/config/backends.hpp"

namespace mlrt::config {

std::string detail::shared_repr(std::string_view type, const ORT& b) {
    std::string s(type);
    s += "(num_streams=" + std::to_string(b.num_streams());
    s += ", verbosity=" + std::to_string(static_cast<int>(b.verbosity()));
    s += ", fp16=" + Codec<bool>::repr(b.fp16());
    s += ", fp16_blacklist_ops=";
    s += b.fp16_blacklist_ops() ? to_string(ArgValue(*b.fp16_blacklist_ops())) : "None";
    s += ", output_format=";
    s += b.output_format() ? Codec<OutputFormat>::repr(*b.output_format()) : "None";
    return s;
}

std::string to_string(const ORT& b) {
    return detail::shared_repr("ORT", b) + ")";
}

std::string to_string(const Backend& backend) {
    return std::visit([](const auto& b) { return to_string(b); }, backend);
}

}  // namespace mlrt::config
