#include "engine/fp16/types.hpp"

namespace mlrt::detail::fp16 {

std::int32_t elem_type(const onnx::TypeProto& type) {
    switch (type.value_case()) {
        case onnx::TypeProto::kTensorType:
            return type.tensor_type().elem_type();
        case onnx::TypeProto::kSequenceType:
            return elem_type(type.sequence_type().elem_type());
        case onnx::TypeProto::kOptionalType:
            return elem_type(type.optional_type().elem_type());
        default:
            return 0;
    }
}

void set_elem_type(onnx::TypeProto& type, std::int32_t elem) {
    switch (type.value_case()) {
        case onnx::TypeProto::kTensorType:
            type.mutable_tensor_type()->set_elem_type(elem);
            break;
        case onnx::TypeProto::kSequenceType:
            set_elem_type(*type.mutable_sequence_type()->mutable_elem_type(), elem);
            break;
        case onnx::TypeProto::kOptionalType:
            set_elem_type(*type.mutable_optional_type()->mutable_elem_type(), elem);
            break;
        default:
            break;
    }
}

std::string half_type_string(const onnx::TypeProto& type) {
    switch (type.value_case()) {
        case onnx::TypeProto::kSequenceType:
            return "seq(" + half_type_string(type.sequence_type().elem_type()) + ")";
        case onnx::TypeProto::kOptionalType:
            return "optional(" + half_type_string(type.optional_type().elem_type()) + ")";
        default:
            return "tensor(float16)";
    }
}

onnx::TypeProto tensor_type(std::int32_t elem) {
    onnx::TypeProto type;
    type.mutable_tensor_type()->set_elem_type(elem);
    return type;
}

onnx::TypeProto sequence_of(const onnx::TypeProto& inner) {
    onnx::TypeProto type;
    *type.mutable_sequence_type()->mutable_elem_type() = inner;
    return type;
}

onnx::TypeProto optional_of(const onnx::TypeProto& inner) {
    onnx::TypeProto type;
    *type.mutable_optional_type()->mutable_elem_type() = inner;
    return type;
}

}  // namespace mlrt::detail::fp16
