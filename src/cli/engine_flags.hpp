#pragma once
// The engine flags `mlrt run` and `mlrt bench` share, and how they become EngineOptions.
#include <CLI/CLI.hpp>
#include <string>

#include "mlrt/config/args.hpp"
#include "mlrt/config/int8.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/engine_options.hpp"

namespace mlrt::cli {

struct EngineFlags {
    std::string backend = "auto";
    int device = 0;
    std::string tilesize;
    std::string overlap;
    std::string tile_mode = "balanced";
    int streams = 1;
    int threads = 0;
    bool fp16 = false;
    std::string output_format;
    bool int8 = false;
    std::string int8_blacklist;  // comma-separated
    std::string calibration;
    int calibrate = 4;
    bool verbose = false;
};

void add_engine_flags(CLI::App& command, EngineFlags& flags);
// The flags as the configuration layer's arguments (the keys of ort.Model), and the options its
// one parser makes of them: the same names, defaults, checks and messages as every front end.
config::ArgMap engine_args(const EngineFlags& flags);
EngineOptions engine_options(const EngineFlags& flags);
config::CalibrationArgs calibration_args(const EngineFlags& flags);

// The engine's notes as warnings; under -v also the device and where the graph's nodes run.
void report_device(const ModelInfo& info, bool verbose);

// The provider `--backend auto` means on this machine.
Provider auto_provider(int device_id);

}  // namespace mlrt::cli
