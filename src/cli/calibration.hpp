#pragma once
// --int8 on the command line: the calibration comes from the job's own input (or a file), and
// its quality is measured on the frames it was made from.
#include <memory>
#include <string>

#include "mlrt/config/int8.hpp"
#include "mlrt/engine.hpp"
#include "pipeline.hpp"

namespace mlrt::cli {

struct CalibrationJob {
    std::string input;  // the file to read calibration frames from (its own decoder)
    FrameRange range;   // the job's frames; calibration frames are spread over these
    std::optional<std::int64_t> frame_estimate;  // of the whole input, when the container says
    ConversionPlan plan;                         // source -> engine conversion of the job
    bool verbose = false;
    // The model's clips beyond one frame (model_input.hpp): each calibration frame is given as
    // every frame of a window or pair, then these constant planes (extra planes, timestep).
    int frames_per_input = 1;
    std::vector<float> constant_planes;
    DeinterlaceMode deinterlace = DeinterlaceMode::Off;  // as the job's decoder
};

struct Int8Setup {
    std::shared_ptr<const Int8Calibration> calibration;
    std::vector<PlaneBuffer> frames;  // the frames it was observed on (empty when loaded)
    int frames_per_input = 1;
    std::vector<float> constant_planes;
};

// The calibration --int8 needs (nullptr without it): --calibration FILE when it exists, else
// observed on --calibrate N frames spread over the job (written to FILE when named).
Int8Setup calibrate_job(const CalibrationJob& job, const ModelSource& model,
                        const InputFormat& input, const EngineOptions& options,
                        const config::CalibrationArgs& args);

// PSNR of the int8 engine against the float32 model on the calibration frames: printed with -v,
// a warning below 40 dB. Nothing when the calibration was loaded from a file.
void report_int8_quality(const Int8Setup& setup, const Engine& int8_engine,
                         const ModelSource& model, const InputFormat& input,
                         const EngineOptions& options, bool verbose);

}  // namespace mlrt::cli
