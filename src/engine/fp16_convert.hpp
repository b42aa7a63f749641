#pragma once
// float32 -> float16 conversion of an ONNX graph, done on the ONNX protobuf before ONNX Runtime
// sees it, so that every provider runs the same half-precision graph.
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <string>
#include <vector>

namespace mlrt::detail {

struct Fp16Options {
    // Op types or node names kept in float32 (with Casts around them).
    std::vector<std::string> blacklist;
    bool input_float32 = true;   // keep the graph input float32 (a Cast is inserted)
    bool output_float32 = true;  // keep the graph output float32 (a Cast is inserted)
};

std::vector<std::string> default_fp16_blacklist();

// Converts `model` in place. Throws mlrt::Error(InvalidModel) naming the node on failure.
void convert_to_fp16(onnx::ModelProto& model, const Fp16Options& options);

// Returns the serialized converted model for `model_bytes`, from the on-disk cache in
// `cache_dir` when a valid entry exists, converting and storing it (atomically) otherwise.
std::string convert_to_fp16_cached(const std::string& model_bytes, const Fp16Options& options,
                                   const std::filesystem::path& cache_dir);

// $MLRT_CACHE_DIR, else $XDG_CACHE_HOME/mlrt, else ~/.cache/mlrt.
std::filesystem::path default_cache_dir();

}  // namespace mlrt::detail
