#pragma once
// float32 -> int8 QDQ conversion of a model with a calibration, through the on-disk model cache.
// What the engine uses; the other headers in this folder are the conversion's own parts.
#include <filesystem>
#include <string>

#include "engine/int8/quantizer.hpp"
#include "mlrt/int8.hpp"

namespace mlrt::detail::int8 {

struct ConvertOptions {
    QuantizeOptions quantize;
    bool input_float32 = true;   // else the graph input is float16 (a Cast is inserted)
    bool output_float32 = true;  // else the graph output is float16
};

// The serialized int8 model. Throws mlrt::Error(InvalidArgument) when `calibration` was made
// for other model bytes, naming `model_name`.
std::string quantize_cached(const std::string& model_bytes, const std::string& model_name,
                            const Int8Calibration& calibration, const ConvertOptions& options,
                            const std::filesystem::path& cache_dir);

}  // namespace mlrt::detail::int8
