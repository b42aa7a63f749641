// Construction, validation and identity (equality is defaulted in the header; hashing is here)
// of the backend value types.
#include "mlrt/config/backends.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "config/arg_reader.hpp"
#include "config/hash_combine.hpp"
#include "mlrt/config/logging.hpp"
#include "mlrt/error.hpp"

namespace mlrt::config {

using detail::fail_argument;

const char* to_string(OutputFormat format) noexcept {
    return format == OutputFormat::FP16 ? "FP16" : "FP32";
}

const char* to_string(ORT_COREML::Provider p) noexcept {
    return p == ORT_COREML::Provider::ML_PROGRAM ? "ML_PROGRAM" : "NEURAL_NETWORK";
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
    if (output_format_ && *output_format_ != OutputFormat::FP32 &&
        *output_format_ != OutputFormat::FP16)
        fail_argument(type_name, "output_format",
                      "must be 0 (FP32) or 1 (FP16), got " +
                          std::to_string(static_cast<int>(*output_format_)));
}

ORT::Options ORT::options() const {
    Options o;
    copy_common_to(o);
    return o;
}

namespace {
void check_device_id(std::string_view type_name, int device_id) {
    if (device_id < 0)
        fail_argument(type_name, "device_id", "must be >= 0, got " + std::to_string(device_id));
}
}  // namespace

ORT_CUDA::ORT_CUDA(const Options& o)
    : ORT(common_of(o), "ORT_CUDA"),
      device_id_(o.device_id),
      cudnn_benchmark_(o.cudnn_benchmark),
      use_cuda_graph_(o.use_cuda_graph),
      tf32_(o.tf32),
      prefer_nhwc_(o.prefer_nhwc) {
    check_device_id("ORT_CUDA", device_id_);
}

ORT_CUDA::Options ORT_CUDA::options() const {
    Options o;
    copy_common_to(o);
    o.device_id = device_id_;
    o.cudnn_benchmark = cudnn_benchmark_;
    o.use_cuda_graph = use_cuda_graph_;
    o.tf32 = tf32_;
    o.prefer_nhwc = prefer_nhwc_;
    return o;
}

ORT_DML::ORT_DML(const Options& o) : ORT(common_of(o), "ORT_DML"), device_id_(o.device_id) {
    check_device_id("ORT_DML", device_id_);
}

ORT_DML::Options ORT_DML::options() const {
    Options o;
    copy_common_to(o);
    o.device_id = device_id_;
    return o;
}

ORT_COREML::ORT_COREML(const Options& o)
    : ORT(common_of(o), "ORT_COREML"), ml_program_(o.ml_program) {
    // The reference's ORT_COREML.Provider(ml_program) refuses other values the same way.
    if (ml_program_ != Provider::NEURAL_NETWORK && ml_program_ != Provider::ML_PROGRAM)
        fail_argument("ORT_COREML", "ml_program",
                      "must be 0 (NEURAL_NETWORK) or 1 (ML_PROGRAM), got " +
                          std::to_string(static_cast<int>(ml_program_)));
}

ORT_COREML::Options ORT_COREML::options() const {
    Options o;
    copy_common_to(o);
    o.ml_program = ml_program_;
    return o;
}

Backend make_backend(std::string_view provider, const ArgMap& fields) {
    std::string upper(provider);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (upper == ORT_CPU::provider) return ORT_CPU::from_fields(fields);
    if (upper == ORT_CUDA::provider) return ORT_CUDA::from_fields(fields);
    if (upper == ORT_DML::provider) return ORT_DML::from_fields(fields);
    if (upper == ORT_COREML::provider) return ORT_COREML::from_fields(fields);
    fail_argument("make_backend", "provider",
                  "must be one of CPU, CUDA, DML, COREML, got '" + std::string(provider) + "'");
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

std::size_t std::hash<mlrt::config::ORT_CPU>::operator()(
    const mlrt::config::ORT_CPU& b) const noexcept {
    return std::hash<mlrt::config::ORT>{}(b);
}

std::size_t std::hash<mlrt::config::ORT_CUDA>::operator()(
    const mlrt::config::ORT_CUDA& b) const noexcept {
    std::size_t h = std::hash<mlrt::config::ORT>{}(b);
    hash_combine(h, b.device_id());
    hash_combine(h, b.cudnn_benchmark());
    hash_combine(h, b.use_cuda_graph());
    hash_combine(h, b.tf32());
    hash_combine(h, b.prefer_nhwc());
    return h;
}

std::size_t std::hash<mlrt::config::ORT_DML>::operator()(
    const mlrt::config::ORT_DML& b) const noexcept {
    std::size_t h = std::hash<mlrt::config::ORT>{}(b);
    hash_combine(h, b.device_id());
    return h;
}

std::size_t std::hash<mlrt::config::ORT_COREML>::operator()(
    const mlrt::config::ORT_COREML& b) const noexcept {
    std::size_t h = std::hash<mlrt::config::ORT>{}(b);
    hash_combine(h, static_cast<int>(b.ml_program()));
    return h;
}
