#include "engine/fp16/schema.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "engine/fp16/graph.hpp"

namespace mlrt::detail::fp16 {

std::string canonical_domain(const std::string& domain) {
    return domain == "ai.onnx" ? std::string() : domain;
}

bool is_default_domain(const onnx::NodeProto& node) {
    return canonical_domain(node.domain()).empty();
}

OpsetMap opset_map(const onnx::ModelProto& model) {
    OpsetMap opsets;
    for (const auto& op : model.opset_import())
        opsets[canonical_domain(op.domain())] = static_cast<int>(op.version());
    return opsets;
}

const onnx::OpSchema* find_schema(const onnx::NodeProto& node, const OpsetMap& opsets) {
    const std::string domain = canonical_domain(node.domain());
    const auto it = opsets.find(domain);
    if (it == opsets.end()) return nullptr;
    return onnx::OpSchemaRegistry::Schema(node.op_type(), it->second, domain);
}

const Param* formal_param(const std::vector<Param>& params, int index) {
    if (params.empty() || index < 0) return nullptr;
    if (static_cast<std::size_t>(index) < params.size())
        return &params[static_cast<std::size_t>(index)];
    if (params.back().GetOption() == onnx::OpSchema::Variadic) return &params.back();
    return nullptr;
}

bool is_type_param(const onnx::OpSchema& schema, const std::string& type_str) {
    const auto& params = schema.typeConstraintParams();
    return std::any_of(params.begin(), params.end(),
                       [&](const auto& p) { return p.type_param_str == type_str; });
}

bool accepts(const Param& param, const std::string& type_string) {
    const auto& types = param.GetTypes();
    return std::any_of(types.begin(), types.end(),
                       [&](onnx::DataType t) { return t != nullptr && *t == type_string; });
}

bool input_binds(const onnx::OpSchema& schema, const std::string& type_param) {
    const auto& inputs = schema.inputs();
    return std::any_of(inputs.begin(), inputs.end(),
                       [&](const Param& p) { return p.GetTypeStr() == type_param; });
}

bool binds(const onnx::OpSchema& schema, const Param* param) {
    return param != nullptr && is_type_param(schema, param->GetTypeStr()) &&
           (param->GetOption() != onnx::OpSchema::Variadic || param->GetIsHomogeneous());
}

bool input_must_stay_float(const onnx::NodeProto& node, int index) {
    return is_default_domain(node) && node.op_type() == "Resize" && (index == 1 || index == 2);
}

OutputRule attribute_output_rule(const onnx::NodeProto& node) {
    if (!is_default_domain(node)) return OutputRule::Unknown;
    static constexpr std::array<std::string_view, 5> kFree = {"Constant", "ConstantOfShape", "Cast",
                                                              "RandomNormal", "RandomUniform"};
    static constexpr std::array<std::string_view, 4> kLike = {
        "RandomNormalLike", "RandomUniformLike", "EyeLike", "Bernoulli"};
    const std::string& op = node.op_type();
    if (std::find(kFree.begin(), kFree.end(), op) != kFree.end()) return OutputRule::ByAttribute;
    if (std::find(kLike.begin(), kLike.end(), op) != kLike.end())
        return find_attr(node, "dtype") ? OutputRule::ByAttribute : OutputRule::FollowsInput;
    return OutputRule::Unknown;
}

bool duplicable(const onnx::NodeProto& node) {
    const std::string& op = node.op_type();
    return is_default_domain(node) && (op == "Constant" || op == "ConstantOfShape" || op == "Cast");
}

}  // namespace mlrt::detail::fp16
