#pragma once
// Converting a model (to float16, to int8) costs far more than hashing it, and the same model is
// loaded again and again, so converted models are kept on disk, keyed by content and options.
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace mlrt::detail {

// The serialized result of `convert` for `model_bytes`, from the on-disk cache in `cache_dir`
// when a valid entry for (kind, model, fingerprint) exists; otherwise `convert` runs and its
// result is stored atomically. `fingerprint` must change whenever the result would. An empty
// `cache_dir` converts without caching.
std::string cached_conversion(std::string_view kind, const std::string& model_bytes,
                              std::string_view fingerprint, const std::filesystem::path& cache_dir,
                              const std::function<std::string()>& convert);

// 128 bits of content hash as 32 hex digits: names a model in calibration files.
std::string content_digest(std::string_view bytes);

// $MLRT_CACHE_DIR, else $XDG_CACHE_HOME/mlrt, else ~/.cache/mlrt.
std::filesystem::path default_cache_dir();

}  // namespace mlrt::detail
