#pragma once
// The reference's Backend.inference: run an ONNX model over clips with a backend.
#include <array>
#include <span>
#include <string>
#include <vector>

#include "mlrt/config/args.hpp"
#include "mlrt/config/backends.hpp"
#include "mlrt/config/clip.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/export.hpp"

namespace mlrt::config {

// The engine runs with overlap and tilesize ({w, h}), the backend's get_args() and `extra`
// merged in that order (`extra` wins; its keys are the ort.Model arguments, see
// engine_options_from_args), tiles of exactly the requested size unless `extra` asks for
// balanced tiling. Integer clips are first converted to float: float16 when fp16 is on (after
// `extra`), else float32, in the float convention of mlrt/config/convention.hpp: RGB in [0, 1];
// GRAY and Y in [0, 1], U and V in [-0.5, 0.5], limited range (the default of YUV and GRAY)
// expanded unless a frame's _ColorRange property says 0 (full). Float clips go in as they are.
// Frames are spread over num_streams threads.
// Returns one clip, GRAY for one output channel and RGB for three; with `flexible`, one GRAY clip
// per output channel. Output frames carry the first clip's frame properties.
// `network_path` is a file, or the model bytes when extra["path_is_serialization"] is true
// (builtin/builtindir resolve against the current directory).
// Throws mlrt::Error.
MLRT_API std::vector<Clip> inference(const Backend& backend, std::span<const Clip> clips,
                                     const std::string& network_path, std::array<int, 2> overlap,
                                     std::array<int, 2> tilesize, bool flexible = false,
                                     const ArgMap& extra = {});

// The same for a model already at hand; `extra` must then not name one.
MLRT_API std::vector<Clip> inference(const Backend& backend, std::span<const Clip> clips,
                                     const ModelSource& model, std::array<int, 2> overlap,
                                     std::array<int, 2> tilesize, bool flexible = false,
                                     const ArgMap& extra = {});

}  // namespace mlrt::config
