#pragma once
// The converter's picture of the model: one Value per float32 name in each graph scope, with
// the precision it will be produced in ("home") and the precisions its users need.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/fp16/types.hpp"

namespace mlrt::detail::fp16 {

enum class Prec : std::uint8_t { F32, F16 };

inline std::int32_t elem_of(Prec p) {
    return p == Prec::F16 ? kHalf : kFloat;
}
inline Prec other(Prec p) {
    return p == Prec::F16 ? Prec::F32 : Prec::F16;
}
inline const char* suffix_of(Prec p) {
    return p == Prec::F16 ? "_fp16" : "_fp32";
}

enum class Origin : std::uint8_t {
    GraphInput,
    Initializer,       // converted or kept by its uses, with an exact twin when both are used
    FixedInitializer,  // external data or sparse: kept float32, Cast where float16 is needed
    NodeOutput,
};

struct Value {
    onnx::TypeProto type;  // original type (elem 0 when unknown)
    Origin origin = Origin::NodeOutput;
    Prec natural = Prec::F16;  // home unless `by_uses` or `forced`
    bool by_uses = false;      // either precision can be produced without a Cast
    bool duplicable = false;   // producer can be copied to give an exact float32 twin
    std::optional<Prec> forced;
    bool need16 = false;
    bool need32 = false;
    std::string user16;  // a user of each precision, for error messages
    std::string user32;
    Prec home = Prec::F16;
    std::string internal;  // its name in the converted graph
    std::string twin;      // exact copy in the other precision, once made

    bool is_float() const { return elem_type(type) == kFloat; }
    bool is_tensor() const { return type.has_tensor_type(); }
    bool needs(Prec p) const { return p == Prec::F16 ? need16 : need32; }
};

struct NodeInfo {
    bool blocked = false;
    std::vector<Prec> input_req;
};

struct Scope {
    onnx::GraphProto* graph = nullptr;
    Scope* parent = nullptr;
    bool main = false;
    bool fp32_region = false;  // body of a node kept float32: everything in it stays float32
    std::unordered_map<std::string, Value> values;
    std::unordered_map<const onnx::GraphProto*, std::unique_ptr<Scope>> children;
    std::map<std::pair<const Value*, Prec>, std::string> casts;     // emitted in this graph
    std::vector<std::unique_ptr<onnx::NodeProto>>* emit = nullptr;  // during the rewrite

    Value* local(const std::string& name) {
        const auto it = values.find(name);
        return it == values.end() ? nullptr : &it->second;
    }
    Value* find(const std::string& name) {
        for (Scope* s = this; s != nullptr; s = s->parent)
            if (Value* v = s->local(name)) return v;
        return nullptr;
    }
};

inline bool known(const Value* v) {
    return v != nullptr && elem_type(v->type) != 0;
}

// Builds the scope tree of `s.graph` (subgraphs become child scopes) with a Value for every
// name it defines, typed as declared; throws on malformed float initializers.
void register_values(Scope& s);

}  // namespace mlrt::detail::fp16
