// The backends as argument maps, both ways: get_args() (what the engine receives, the
// reference's get_args) and from_fields() (constructor keyword arguments, as autoselect's
// **kwargs).
#include <cstdint>

#include "config/arg_reader.hpp"
#include "mlrt/config/backends.hpp"

namespace mlrt::config {

using detail::ArgReader;

ArgMap ORT::common_args(std::string_view provider) const {
    ArgMap args;
    args["fp16"] = fp16_;
    args["output_format"] = std::int64_t{static_cast<int>(resolved_output_format())};
    args["provider"] = std::string(provider);
    args["num_streams"] = std::int64_t{num_streams_};
    args["verbosity"] = std::int64_t{static_cast<int>(verbosity_)};
    // Present as None when unset, as in the reference's dict: the engine then uses its own list.
    args["fp16_blacklist_ops"] =
        fp16_blacklist_ops_ ? ArgValue(*fp16_blacklist_ops_) : ArgValue(std::monostate{});
    return args;
}

ArgMap ORT_CPU::get_args() const {
    return common_args(provider);
}

ArgMap ORT_CUDA::get_args() const {
    ArgMap args = common_args(provider);
    args["device_id"] = std::int64_t{device_id_};
    args["cudnn_benchmark"] = cudnn_benchmark_;
    args["use_cuda_graph"] = use_cuda_graph_;
    args["prefer_nhwc"] = prefer_nhwc_;
    args["tf32"] = tf32_;
    return args;
}

ArgMap ORT_DML::get_args() const {
    ArgMap args = common_args(provider);
    args["device_id"] = std::int64_t{device_id_};
    return args;
}

ArgMap ORT_COREML::get_args() const {
    ArgMap args = common_args(provider);
    args["ml_program"] = std::int64_t{static_cast<int>(ml_program_)};
    return args;
}

ArgMap get_args(const Backend& backend) {
    return std::visit([](const auto& b) { return b.get_args(); }, backend);
}

ArgMap get_args(const Backend& backend, std::span<const Clip> /*clips*/) {
    return get_args(backend);
}

namespace {

constexpr std::string_view kCommonFields[] = {"num_streams", "verbosity", "fp16",
                                              "fp16_blacklist_ops", "output_format"};
constexpr std::string_view kCudaFields[] = {"device_id", "cudnn_benchmark", "use_cuda_graph",
                                            "tf32", "prefer_nhwc"};
constexpr std::string_view kDmlFields[] = {"device_id"};
constexpr std::string_view kCoremlFields[] = {"ml_program"};

template <class O>
void read_common(const ArgReader& r, O& o) {
    if (auto v = r.integer("num_streams", 1)) o.num_streams = *v;
    if (auto v = r.integer("verbosity", 0, 4)) o.verbosity = static_cast<Verbosity>(*v);
    if (auto v = r.boolean("fp16")) o.fp16 = *v;
    o.fp16_blacklist_ops = r.strings("fp16_blacklist_ops");
    if (auto v = r.integer("output_format", 0, 1)) o.output_format = static_cast<OutputFormat>(*v);
}

}  // namespace

ORT_CPU ORT_CPU::from_fields(const ArgMap& fields) {
    const ArgReader r(fields, "ORT_CPU");
    r.reject_unknown(kCommonFields);
    Options o;
    read_common(r, o);
    return ORT_CPU(o);
}

ORT_CUDA ORT_CUDA::from_fields(const ArgMap& fields) {
    const ArgReader r(fields, "ORT_CUDA");
    r.reject_unknown(kCommonFields, kCudaFields);
    Options o;
    read_common(r, o);
    if (auto v = r.integer("device_id", 0)) o.device_id = *v;
    if (auto v = r.boolean("cudnn_benchmark")) o.cudnn_benchmark = *v;
    if (auto v = r.boolean("use_cuda_graph")) o.use_cuda_graph = *v;
    if (auto v = r.boolean("tf32")) o.tf32 = *v;
    if (auto v = r.boolean("prefer_nhwc")) o.prefer_nhwc = *v;
    return ORT_CUDA(o);
}

ORT_DML ORT_DML::from_fields(const ArgMap& fields) {
    const ArgReader r(fields, "ORT_DML");
    r.reject_unknown(kCommonFields, kDmlFields);
    Options o;
    read_common(r, o);
    if (auto v = r.integer("device_id", 0)) o.device_id = *v;
    return ORT_DML(o);
}

ORT_COREML ORT_COREML::from_fields(const ArgMap& fields) {
    const ArgReader r(fields, "ORT_COREML");
    r.reject_unknown(kCommonFields, kCoremlFields);
    Options o;
    read_common(r, o);
    if (auto v = r.integer("ml_program", 0, 1)) o.ml_program = static_cast<Provider>(*v);
    return ORT_COREML(o);
}

}  // namespace mlrt::config
