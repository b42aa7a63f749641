// String forms of the backends, shaped like the reference's dataclass repr so that logs read the
// same in both worlds: ORT_DML(num_streams=1, verbosity=2, ..., device_id=0).
#include <string>

#include "mlrt/config/backends.hpp"

namespace mlrt::config {
namespace {

std::string field(std::string_view name, const std::string& value) {
    return ", " + std::string(name) + "=" + value;
}

std::string py_bool(bool b) {
    return b ? "True" : "False";
}

// "TYPE(num_streams=1, verbosity=2, fp16=True, fp16_blacklist_ops=None, output_format=None"
std::string open_repr(std::string_view type, const ORT& b) {
    std::string s(type);
    s += "(num_streams=" + std::to_string(b.num_streams());
    s += field("verbosity", std::to_string(static_cast<int>(b.verbosity())));
    s += field("fp16", py_bool(b.fp16()));
    s += field("fp16_blacklist_ops", b.fp16_blacklist_ops()
                                         ? to_string(ArgValue(*b.fp16_blacklist_ops()))
                                         : std::string("None"));
    s += field("output_format", b.output_format()
                                    ? std::string("OutputFormat.") + to_string(*b.output_format())
                                    : std::string("None"));
    return s;
}

}  // namespace

std::string to_string(const ORT& b) {
    return open_repr("ORT", b) + ")";
}

std::string to_string(const ORT_CPU& b) {
    return open_repr("ORT_CPU", b) + ")";
}

std::string to_string(const ORT_CUDA& b) {
    std::string s = open_repr("ORT_CUDA", b);
    s += field("device_id", std::to_string(b.device_id()));
    s += field("cudnn_benchmark", py_bool(b.cudnn_benchmark()));
    s += field("use_cuda_graph", py_bool(b.use_cuda_graph()));
    s += field("tf32", py_bool(b.tf32()));
    s += field("prefer_nhwc", py_bool(b.prefer_nhwc()));
    return s + ")";
}

std::string to_string(const ORT_DML& b) {
    return open_repr("ORT_DML", b) + field("device_id", std::to_string(b.device_id())) + ")";
}

std::string to_string(const ORT_COREML& b) {
    return open_repr("ORT_COREML", b) +
           field("ml_program", std::string("Provider.") + to_string(b.ml_program())) + ")";
}

std::string to_string(const Backend& backend) {
    return std::visit([](const auto& b) { return to_string(b); }, backend);
}

}  // namespace mlrt::config
