#pragma once
// Model names wherever a model path goes: an argument that is not a file but a catalogue name
// is pulled into the store on first use (saying so) and replaced by the stored file's path.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "mlrt/config/models.hpp"

namespace mlrt::cli {

// The store as the command line uses it: notices and a download bar on standard error unless
// `quiet`; offline with `offline` or MLRT_OFFLINE.
config::ModelStoreOptions store_options(bool quiet, bool offline);

// When `model` names no file but a catalogue model, pulls it if needed, sets `model` to its path
// and returns the entry (its flags are the command's defaults). A path-like argument (a '/' or
// an .onnx suffix) that is not a file is left for the caller's "cannot read model" message.
std::optional<config::CatalogueEntry> resolve_model_name(std::string& model, bool quiet);

// resolve_model_name, then the entry's flags as defaults of `command`: a flag the user gave
// keeps the user's value.
void resolve_model_argument(std::string& model, CLI::App& command, bool quiet);

}  // namespace mlrt::cli
