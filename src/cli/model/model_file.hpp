#pragma once
// The model file a command names, read once: everything the command does with the model (describe
// it, build the engine) sees the same bytes even if the file changes meanwhile.
#include <string>

#include "mlrt/model_source.hpp"

namespace mlrt::cli {

// Throws mlrt::Error(Io) naming the file when it cannot be read.
ModelSource read_model_file(const std::string& path);

}  // namespace mlrt::cli
