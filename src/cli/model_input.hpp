#pragma once
// How `mlrt run` lays out a model's input beyond one frame's image planes: constant planes
// (--extra-plane), a window of frames (--window), a pair and a timestep (--interpolate). The
// arithmetic and the messages are the library's (mlrt/workload.hpp); this is the flags.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "mlrt/engine.hpp"
#include "mlrt/workload.hpp"
#include "temporal_reader.hpp"

namespace mlrt::cli {

struct ModelInputFlags {
    std::vector<float> extra_planes;
    TemporalOptions temporal;
};

void add_model_input_flags(CLI::App& command, ModelInputFlags& flags);

class ModelInputPlan {
  public:
    // Checks the flags against each other; `model_channels` < 0 when the model's are dynamic.
    ModelInputPlan(const ModelInputFlags& flags, int model_channels, const std::string& model);

    // The image planes per frame the model leaves (-1: dynamic, the caller's choice).
    int image_channels() const noexcept { return image_channels_; }
    // Settles the image planes per frame (1 GRAY, 3 RGB) and checks the total against the model,
    // with a message naming the model's planes and what the flags give.
    void set_image(int planes, const std::string& name);
    // One clip per frame, then one clip of the constant planes (extra planes, then timestep).
    InputFormat engine_input(int width, int height, SampleType type) const;
    const InputLayout& layout() const noexcept { return layout_; }

  private:
    InputLayout layout_;
    int model_channels_;
    std::string model_;
    int image_channels_;
};

}  // namespace mlrt::cli
