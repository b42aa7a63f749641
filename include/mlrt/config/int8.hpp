#pragma once
// int8 in every front end: the calibration arguments, which frames calibrate, and the one
// routine that loads, makes and saves a calibration, so the command line, the plugin and the
// Python module calibrate alike.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mlrt/config/args.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/export.hpp"
#include "mlrt/int8.hpp"

namespace mlrt::config {

// The calibration arguments of ort.Model (int8 and int8_blacklist_ops themselves are engine
// options, see engine_options_from_args):
//   calibration  a file: read when it exists, written after calibrating when it does not
//   calibrate    how many frames, spread over the clip, calibrate (>= 1; default 4)
struct CalibrationArgs {
    std::string file;
    int frames = 4;
};
MLRT_API CalibrationArgs calibration_args_from_args(const ArgMap& args,
                                                    const ArgSpelling& spelling = {});

// `count` frame numbers spread evenly over `total` frames (the middle of equal parts), fewer when
// the clip is shorter; ascending, no duplicates.
MLRT_API std::vector<int> calibration_frames(int total, int count);

// Hands frame `n` of the job (its clips) to the calibrator: `calibrator.add(views)`.
using CalibrationFeed = std::function<void(int n, Calibrator& calibrator)>;

// The calibration `options.int8` needs: read from args.file when it exists; otherwise observed on
// calibration_frames(total_frames, args.frames) through `feed`, then written to args.file when
// one is named. nullptr without int8.
MLRT_API std::shared_ptr<const Int8Calibration> calibration_for(
    const ModelSource& model, const InputFormat& input, const EngineOptions& options,
    const CalibrationArgs& args, int total_frames, const CalibrationFeed& feed);

}  // namespace mlrt::config
