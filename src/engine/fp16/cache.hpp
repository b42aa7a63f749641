#pragma once
// Float16 conversion through the on-disk model cache (engine/model_cache.hpp).
#include <filesystem>
#include <string>

#include "engine/fp16/options.hpp"
#include "engine/model_cache.hpp"

namespace mlrt::detail {

// Returns the serialized converted model for `model_bytes`, from the on-disk cache in
// `cache_dir` when a valid entry exists, converting and storing it (atomically) otherwise.
// An empty `cache_dir` converts without caching.
std::string convert_to_fp16_cached(const std::string& model_bytes, const Fp16Options& options,
                                   const std::filesystem::path& cache_dir);

}  // namespace mlrt::detail
