#pragma once
// The single place where the arguments of the VapourSynth filter `ort.Model` are parsed, for the
// plugin and for inference() alike. Names and meanings follow the upstream plugin so that scripts
// written for it keep working (the list is below).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlrt/config/args.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/export.hpp"
#include "mlrt/tiling.hpp"

namespace mlrt::config {

// Engine options from `ort.Model` arguments:
//   overlap [w] or [w,h] (>= 0), tilesize [w] or [w,h] (> 0; required when overlap is given),
//   provider ("" or CPU, CUDA, DML, COREML, WEBGPU), device_id, num_streams (>= 1), verbosity
//   (0..4), cudnn_benchmark, fp16, use_cuda_graph, fp16_blacklist_ops[], prefer_nhwc, output_format
//   (0: float32, 1: float16 output; only meaningful with fp16, as upstream), tf32,
//   flexible_output_prop (non-empty), ml_program (0/1),
// and mlrt's extensions: tile_mode ("literal" or "balanced") or balanced (bool),
// intra_op_threads (>= 0), int8 (bool; not with fp16), int8_blacklist_ops[] (op types, node
// names, "first", "last"), the calibration keys of config/int8.hpp (calibration, calibrate), and
// WebGPU's: power_preference ("high-performance" or "low-power"), preferred_layout ("NHWC" or
// "NCHW"), webgpu_validation (bool).
// Tiling is `default_tile_mode` unless one of them says otherwise. The model-source keys
// (network_path, builtin, builtindir, path_is_serialization) are accepted and left to
// model_source_from_args, so one map can feed both. None means "not given". Throws
// mlrt::Error(InvalidArgument) naming the argument for unknown keys, wrong types and invalid
// values.
MLRT_API EngineOptions engine_options_from_args(const ArgMap& args,
                                                TileMode default_tile_mode = TileMode::Literal,
                                                const ArgSpelling& spelling = {});

// The arguments that engine_options_from_args turns back into `options` (flexible output aside:
// its property name is not part of EngineOptions). What front ends print as "the options used".
MLRT_API ArgMap engine_args_of(const EngineOptions& options);

// Every argument name ort.Model takes besides `clips` (engine and model-source keys).
MLRT_API std::vector<std::string_view> model_argument_names();

// The frame property prefix flexible output goes to (the `flexible_output_prop` argument), or
// nullopt when not given. Same validation as engine_options_from_args.
MLRT_API std::optional<std::string> flexible_output_prop_from_args(const ArgMap& args);

// The model from `network_path`: the file itself; with path_is_serialization, the ONNX bytes it
// holds; with builtin, the file under `plugin_dir` / builtindir (default "models") / network_path.
// Other keys are ignored.
MLRT_API ModelSource model_source_from_args(const ArgMap& args,
                                            const std::filesystem::path& plugin_dir);

}  // namespace mlrt::config
