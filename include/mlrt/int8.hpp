#pragma once
// int8 inference on CPU. The engine quantizes a float32 model itself (EngineOptions::int8), and
// the activation ranges that needs come from running the float model over real frames: a
// Calibrator observes them, an Int8Calibration holds them (and can be saved and reused).
//
// Method: each observed tensor's range is the 0.001st to 99.999th percentile of its values over
// all calibration tiles (a uniform subsample of at most 32768 values per tensor and tile, and of
// at most 2^20 per tensor in all), so a few outliers do not stretch the 256 levels; the range is
// then widened to include 0.
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mlrt/engine.hpp"
#include "mlrt/export.hpp"
#include "mlrt/frame.hpp"
#include "mlrt/model_source.hpp"

namespace mlrt {

struct TensorRange {
    std::string tensor;
    float lo = 0.0f;
    float hi = 0.0f;
};

struct MLRT_API Int8Calibration {
    std::string model_digest;  // of the float model's bytes: ranges only fit that model
    std::string method;        // how the ranges were taken
    int frames = 0;            // calibration frames observed
    int tiles = 0;
    std::vector<TensorRange> ranges;  // every quantizable tensor of the model

    // A text file, written atomically; load() names the file and line of any problem.
    void save(const std::filesystem::path& path) const;
    static Int8Calibration load(const std::filesystem::path& path);
    // The canonical text of save(): equal texts, equal calibrations.
    std::string serialize() const;
    static Int8Calibration parse(const std::string& text, const std::string& origin);
};

// Runs the float model over frames given one by one and records its activation ranges. The
// frames are in the InputFormat the engine will see; `options` supplies the tile size (tiles
// are capped at 256x256 here: every observed tensor of a tile is held at once) and threads.
class MLRT_API Calibrator {
  public:
    Calibrator(const ModelSource& model, const InputFormat& input, const EngineOptions& options);
    ~Calibrator();
    Calibrator(Calibrator&&) noexcept;
    Calibrator& operator=(Calibrator&&) noexcept;
    Calibrator(const Calibrator&) = delete;
    Calibrator& operator=(const Calibrator&) = delete;

    void add(std::span<const FrameView> clips);
    int frames() const noexcept;
    // Throws mlrt::Error(InvalidArgument) when no frame was added.
    Int8Calibration finish() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// PSNR in dB of `test` against `reference` (same geometry), over all planes, for samples whose
// nominal range is [0, 1]; infinity when they are equal. How int8 output is judged.
MLRT_API double psnr(const FrameView& reference, const FrameView& test);

}  // namespace mlrt
