#include "mlrt/workload.hpp"

#include <bit>
#include <cstring>

namespace mlrt {

PlaneView ConstantPlanes::plane(int width, SampleType type, float value) {
    if (width <= 0)
        throw Error(ErrorKind::InvalidArgument,
                    "a constant plane needs a positive width, got " + std::to_string(width));
    // Keyed by the value's bits so that -0.0 and 0.0, or two NaNs, are not confused.
    const auto key = std::tuple{width, type, std::bit_cast<std::uint32_t>(value)};
    std::lock_guard lock(mutex_);
    auto it = rows_.find(key);
    if (it == rows_.end()) {
        const std::size_t bps = bytes_per_sample(type);
        auto row = std::make_unique<std::byte[]>(static_cast<std::size_t>(width) * bps);
        if (type == SampleType::Float32) {
            for (int x = 0; x < width; ++x)
                std::memcpy(row.get() + static_cast<std::size_t>(x) * bps, &value, bps);
        } else {
            const std::uint16_t h = float_to_half(value);
            for (int x = 0; x < width; ++x)
                std::memcpy(row.get() + static_cast<std::size_t>(x) * bps, &h, bps);
        }
        it = rows_.emplace(key, std::move(row)).first;
    }
    // Stride 0: every row of the plane is this one row.
    return {it->second.get(), 0};
}

FrameView ConstantPlanes::frame(int width, int height, SampleType type,
                                const std::vector<float>& values, std::vector<PlaneView>& storage) {
    storage.clear();
    for (float v : values) storage.push_back(plane(width, type, v));
    return {width, height, type, storage};
}

std::size_t ConstantPlanes::cached_rows() const {
    std::lock_guard lock(mutex_);
    return rows_.size();
}

std::string InputLayout::describe() const {
    const auto planes = [](int n) { return std::to_string(n) + (n == 1 ? " plane" : " planes"); };
    std::string s;
    if (frames > 1)
        s = std::to_string(frames) + " frames x " + planes(image_planes) + " (" + image_name + ")";
    else
        s = planes(image_planes) + " (" + image_name + ")";
    if (extra_planes > 0)
        s += " + " + std::to_string(extra_planes) + " constant " +
             (extra_planes == 1 ? "plane" : "planes") + " (--extra-plane)";
    if (timestep) s += " + 1 timestep plane";
    if (frames > 1 || extra_planes > 0 || timestep) s += " = " + planes(total());
    return s;
}

void check_input_layout(const InputLayout& layout, int model_channels,
                        const std::string& model_name) {
    if (model_channels <= 0 || model_channels == layout.total()) return;
    throw Error(ErrorKind::InvalidModel,
                "model '" + model_name + "' takes " + std::to_string(model_channels) +
                    " input planes, but the flags give " + layout.describe());
}

int image_planes_for(int model_channels, int frames, int extra_planes, bool timestep,
                     const std::string& model_name) {
    if (model_channels <= 0) return model_channels;  // dynamic: the caller picks
    const int rest = model_channels - extra_planes - (timestep ? 1 : 0);
    if (frames >= 1 && rest > 0 && rest % frames == 0) return rest / frames;
    std::string given = std::to_string(frames) + (frames == 1 ? " frame" : " frames");
    if (extra_planes > 0) given += " + " + std::to_string(extra_planes) + " constant plane(s)";
    if (timestep) given += " + 1 timestep plane";
    throw Error(ErrorKind::InvalidModel, "model '" + model_name + "' takes " +
                                             std::to_string(model_channels) +
                                             " input planes, which cannot be split into " + given +
                                             " (each frame 1 plane for GRAY or 3 for RGB)");
}

void check_window_size(int k) {
    if (k < 3 || k % 2 == 0)
        throw Error(ErrorKind::InvalidArgument,
                    "the window size must be odd and at least 3 (a centre frame and as many "
                    "frames on each side), got " +
                        std::to_string(k));
}

Interpolation::Interpolation(int factor) : factor_(factor) {
    if (factor < 2)
        throw Error(ErrorKind::InvalidArgument,
                    "the interpolation factor must be at least 2, got " + std::to_string(factor));
}

}  // namespace mlrt
