#pragma once
// Converting a model costs far more than hashing it, and the same model is loaded again and
// again, so converted models are kept on disk, keyed by content and options.
#include <filesystem>
#include <string>

#include "engine/fp16/options.hpp"

namespace mlrt::detail {

// Returns the serialized converted model for `model_bytes`, from the on-disk cache in
// `cache_dir` when a valid entry exists, converting and storing it (atomically) otherwise.
// An empty `cache_dir` converts without caching.
std::string convert_to_fp16_cached(const std::string& model_bytes, const Fp16Options& options,
                                   const std::filesystem::path& cache_dir);

// $MLRT_CACHE_DIR, else $XDG_CACHE_HOME/mlrt, else ~/.cache/mlrt.
std::filesystem::path default_cache_dir();

}  // namespace mlrt::detail
