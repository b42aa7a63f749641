// Construction, validation and identity (equality is in the header) of ORT, the shared part of
// every backend; and the functions over any Backend. The providers' own part is in
// backend_provider.cpp.
#include "mlrt/config/backends.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "config/arg_reader.hpp"
#include "config/backend_fields.hpp"
#include "config/hash_combine.hpp"
#include "mlrt/config/logging.hpp"
#include "mlrt/error.hpp"

namespace mlrt::config {

using detail::fail_argument;

const char* to_string(OutputFormat format) noexcept {
    return format == OutputFormat::FP16 ? "FP16" : "FP32";
}

const char* to_string(CoremlProvider p) noexcept {
    return p == CoremlProvider::ML_PROGRAM ? "ML_PROGRAM" : "NEURAL_NETWORK";
}

ORT::ORT(const Options& o, std::string_view type_name)
    : num_streams_(o.num_streams),
      // Resolved now, not when used, as the reference does: a later log level change does not
      // alter a backend already built.
      verbosity_(o.verbosity.value_or(verbosity_from_logging(get_log_level()))),
      fp16_(o.fp16),
      fp16_blacklist_ops_(o.fp16_blacklist_ops),
      output_format_(o.output_format) {
    if (num_streams_ < 1)
        fail_argument(type_name, "num_streams",
                      "must be >= 1, got " + std::to_string(num_streams_));
    const int v = static_cast<int>(verbosity_);
    if (v < static_cast<int>(Verbosity::VERBOSE) || v > static_cast<int>(Verbosity::FATAL))
        fail_argument(type_name, "verbosity", "must be in 0..4, got " + std::to_string(v));
    if (output_format_)
        if (auto problem = detail::Codec<OutputFormat>::problem(*output_format_))
            fail_argument(type_name, "output_format", *problem);
}

ORT::Options ORT::options() const {
    return {num_streams_, verbosity_, fp16_, fp16_blacklist_ops_, output_format_};
}

Backend make_backend(std::string_view provider, const ArgMap& fields) {
    std::string upper(provider);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (upper == ORT_CPU::provider) return ORT_CPU::from_fields(fields);
    if (upper == ORT_CUDA::provider) return ORT_CUDA::from_fields(fields);
    if (upper == ORT_DML::provider) return ORT_DML::from_fields(fields);
    if (upper == ORT_COREML::provider) return ORT_COREML::from_fields(fields);
    if (upper == ORT_WEBGPU::provider) return ORT_WEBGPU::from_fields(fields);
    fail_argument(
        "make_backend", "provider",
        "must be one of CPU, CUDA, DML, COREML, WEBGPU, got '" + std::string(provider) + "'");
}

std::string_view provider_name(const Backend& backend) {
    return std::visit([](const auto& b) { return std::decay_t<decltype(b)>::provider; }, backend);
}

const ORT& common(const Backend& backend) {
    return std::visit([](const auto& b) -> const ORT& { return b; }, backend);
}

}  // namespace mlrt::config

using mlrt::config::detail::hash_combine;

std::size_t std::hash<mlrt::config::ORT>::operator()(const mlrt::config::ORT& b) const noexcept {
    std::size_t h = 0;
    hash_combine(h, b.num_streams());
    hash_combine(h, static_cast<int>(b.verbosity()));
    hash_combine(h, b.fp16());
    hash_combine(h, b.fp16_blacklist_ops().has_value());
    if (b.fp16_blacklist_ops())
        for (const std::string& op : *b.fp16_blacklist_ops()) hash_combine(h, op);
    hash_combine(h, b.output_format() ? static_cast<int>(*b.output_format()) : -1);
    return h;
}
