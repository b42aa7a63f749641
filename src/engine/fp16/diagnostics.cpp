#include "engine/fp16/diagnostics.hpp"

#include "mlrt/error.hpp"

namespace mlrt::detail::fp16 {

[[noreturn]] void fail(const std::string& message) {
    throw Error(ErrorKind::InvalidModel, "fp16 conversion: " + message);
}

std::string node_label(const onnx::NodeProto& node) {
    if (!node.name().empty()) return "node '" + node.name() + "' (" + node.op_type() + ")";
    const std::string out = node.output_size() > 0 ? node.output(0) : std::string();
    return "unnamed " + node.op_type() + " node producing '" + out + "'";
}

}  // namespace mlrt::detail::fp16
