#include "model_input.hpp"

namespace mlrt::cli {

void add_model_input_flags(CLI::App& cmd, ModelInputFlags& f) {
    cmd.add_option("--extra-plane", f.extra_planes,
                   "Append a plane filled with VALUE after the image planes (repeatable), e.g. "
                   "DPIR's noise level: --extra-plane 0.0196 (5/255)")
        ->allow_extra_args(false)
        ->take_all();
    cmd.add_option("--window", f.temporal.window,
                   "Feed the model K consecutive frames (odd K >= 3) centred on each output frame, "
                   "edge frames repeated")
        ->check(CLI::PositiveNumber);
    cmd.add_option("--interpolate", f.temporal.interpolate,
                   "Frame interpolation by N >= 2: the model takes frame A, frame B and a timestep "
                   "plane; N - 1 frames at t = k/N go between each pair, the last input frame is "
                   "repeated N times, and the frame rate and timestamps are multiplied by N")
        ->check(CLI::PositiveNumber);
    cmd.add_option("--scene-threshold", f.temporal.scene_threshold,
                   "With --interpolate: repeat frame A instead of interpolating when the mean "
                   "absolute difference of the BT.709 luma of A and B (on the model's planes, 0 to "
                   "1) exceeds T (off by default; 0.1 to 0.2 catches most cuts)")
        ->check(CLI::Range(0.0, 1.0));
}

ModelInputPlan::ModelInputPlan(const ModelInputFlags& f, int model_channels,
                               const std::string& model)
    : model_channels_(model_channels), model_(model) {
    const TemporalOptions& t = f.temporal;
    if (t.window > 0 && t.interpolate > 0)
        throw Error(ErrorKind::InvalidArgument,
                    "--window and --interpolate exclude each other; choose one");
    if (t.window > 0) check_window_size(t.window);
    if (t.interpolate > 0) (void)Interpolation(t.interpolate);
    if (t.scene_threshold >= 0 && t.interpolate == 0)
        throw Error(ErrorKind::InvalidArgument, "--scene-threshold needs --interpolate");
    layout_.frames = t.window > 0 ? t.window : t.interpolate > 0 ? 2 : 1;
    layout_.extra_planes = static_cast<int>(f.extra_planes.size());
    layout_.timestep = t.interpolate > 0;
    image_channels_ = image_planes_for(model_channels, layout_.frames, layout_.extra_planes,
                                       layout_.timestep, model);
    if (image_channels_ > 0 && image_channels_ != 1 && image_channels_ != 3) {
        throw Error(ErrorKind::InvalidModel,
                    "model '" + model + "' takes " + std::to_string(model_channels) +
                        " input planes; with the flags given that is " +
                        std::to_string(image_channels_) +
                        " image planes per frame, but a frame gives 1 (GRAY) or 3 (RGB): add "
                        "constant planes with "
                        "--extra-plane VALUE, or several frames with --window K or "
                        "--interpolate N");
    }
}

void ModelInputPlan::set_image(int planes, const std::string& name) {
    layout_.image_planes = planes;
    layout_.image_name = name;
    check_input_layout(layout_, model_channels_, model_);
}

InputFormat ModelInputPlan::engine_input(int width, int height, SampleType type) const {
    InputFormat in{width, height, type, {}};
    for (int i = 0; i < layout_.frames; ++i) in.planes_per_clip.push_back(layout_.image_planes);
    const int constants = layout_.extra_planes + (layout_.timestep ? 1 : 0);
    if (constants > 0) in.planes_per_clip.push_back(constants);
    return in;
}

}  // namespace mlrt::cli
