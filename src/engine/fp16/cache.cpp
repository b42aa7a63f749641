// The float16 conversion through the shared model cache.
#include "engine/fp16/cache.hpp"

#include <onnx/onnx_pb.h>

#include <set>
#include <string_view>

#include "engine/fp16/converter.hpp"
#include "engine/fp16/diagnostics.hpp"
#include "engine/model_cache.hpp"

namespace mlrt::detail {
namespace {

// Bumped whenever the converter's output for the same input changes.
constexpr std::string_view kFormatVersion = "mlrt-fp16-1";

// The blacklist is a set: its order and duplicates do not change the result.
std::string options_fingerprint(const Fp16Options& options) {
    const std::set<std::string> blacklist(options.blacklist.begin(), options.blacklist.end());
    std::string text(kFormatVersion);
    text += options.input_float32 ? "|in32" : "|in16";
    text += options.output_float32 ? "|out32" : "|out16";
    for (const auto& op : blacklist) text += "|" + std::to_string(op.size()) + ":" + op;
    return text;
}

}  // namespace

std::string convert_to_fp16_cached(const std::string& model_bytes, const Fp16Options& options,
                                   const std::filesystem::path& cache_dir) {
    return cached_conversion("fp16", model_bytes, options_fingerprint(options), cache_dir, [&] {
        onnx::ModelProto model;
        if (!model.ParseFromString(model_bytes))
            fp16::fail("cannot parse the ONNX model (" + std::to_string(model_bytes.size()) +
                       " bytes)");
        convert_to_fp16(model, options);
        std::string converted;
        if (!model.SerializeToString(&converted))
            fp16::fail("cannot serialize the converted model (protobuf limit is 2 GiB)");
        return converted;
    });
}

}  // namespace mlrt::detail
