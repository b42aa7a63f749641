#pragma once
// What a front end needs to assemble a model's input beyond one frame's image planes: constant
// planes (a DPIR strength, an interpolator's timestep), windows of consecutive frames, pairs of
// frames, and the check that such a layout adds up to the channels the model takes. The engine
// takes several clips per run (InputFormat::planes_per_clip), so these only arrange views.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "mlrt/error.hpp"
#include "mlrt/export.hpp"
#include "mlrt/frame.hpp"

namespace mlrt {

// Planes filled with one value. A plane is one row shown with stride 0, so a constant plane of
// any height costs one row; rows are cached per (width, type, value) and never move, so the
// views handed out stay valid while the cache lives. Thread-safe.
class MLRT_API ConstantPlanes {
  public:
    ConstantPlanes() = default;
    ConstantPlanes(const ConstantPlanes&) = delete;
    ConstantPlanes& operator=(const ConstantPlanes&) = delete;

    // A plane of `width` samples per row, every sample `value` (rounded to float16 for Float16).
    PlaneView plane(int width, SampleType type, float value);
    // A frame of width x height whose planes hold `values` in order, written into `storage`
    // (which the returned view points into; keep it alive and unmoved while the view is used).
    FrameView frame(int width, int height, SampleType type, const std::vector<float>& values,
                    std::vector<PlaneView>& storage);
    std::size_t cached_rows() const;

  private:
    mutable std::mutex mutex_;
    std::map<std::tuple<int, SampleType, std::uint32_t>, std::unique_ptr<std::byte[]>> rows_;
};

// How a front end lays out one model input: `frames` groups of `image_planes` image planes
// (one group per frame of a window or pair), then `extra_planes` constant planes, then a
// timestep plane when `timestep` is set.
struct InputLayout {
    int image_planes = 3;
    std::string image_name = "RGB";  // how messages name one frame's planes
    int frames = 1;
    int extra_planes = 0;
    bool timestep = false;

    int total() const noexcept { return image_planes * frames + extra_planes + (timestep ? 1 : 0); }
    // "2 frames x 3 planes (RGB) + 1 timestep plane = 7 planes"
    MLRT_API std::string describe() const;
};

// Throws mlrt::Error (InvalidModel) naming the planes the model expects and what the layout
// gives, when `model_channels` (from the model's input; <= 0: dynamic, accepted) differs.
MLRT_API void check_input_layout(const InputLayout& layout, int model_channels,
                                 const std::string& model_name);

// The image planes per frame a model with `model_channels` input channels leaves for the image
// once the layout's other planes (frames, extras, timestep) are accounted for; throws like
// check_input_layout when they do not divide evenly or leave nothing.
MLRT_API int image_planes_for(int model_channels, int frames, int extra_planes, bool timestep,
                              const std::string& model_name);

// Throws mlrt::Error (InvalidArgument) unless k is odd and at least 3.
MLRT_API void check_window_size(int k);

// A sliding window over a stream of frames: push frames in order, and each push returns the
// windows whose centre became complete (the K items centred on it; before the first and past the
// last frame, the edge frame repeated); finish() returns the rest. It holds at most K items, so
// memory stays bounded however long the stream is. T is a cheap handle (a shared_ptr, an index).
template <class T>
class FrameWindow {
  public:
    explicit FrameWindow(int k) : k_(k), radius_((k - 1) / 2) { check_window_size(k); }

    int size() const noexcept { return k_; }

    std::vector<std::vector<T>> push(T item) {
        buffer_.push_back(std::move(item));
        ++pushed_;
        std::vector<std::vector<T>> ready;
        const std::int64_t centre = pushed_ - 1 - radius_;
        if (centre >= 0) ready.push_back(window(centre, pushed_ - 1));
        // The oldest item is needed by no later centre once it is K behind the newest.
        while (static_cast<int>(buffer_.size()) > k_ - 1 && first_ < pushed_ - (k_ - 1)) {
            buffer_.pop_front();
            ++first_;
        }
        return ready;
    }

    std::vector<std::vector<T>> finish() {
        std::vector<std::vector<T>> ready;
        for (std::int64_t c = std::max<std::int64_t>(0, pushed_ - radius_); c < pushed_; ++c)
            ready.push_back(window(c, pushed_ - 1));
        buffer_.clear();
        return ready;
    }

  private:
    std::vector<T> window(std::int64_t centre, std::int64_t last) const {
        std::vector<T> w;
        w.reserve(static_cast<std::size_t>(k_));
        for (std::int64_t i = centre - radius_; i <= centre + radius_; ++i) {
            const std::int64_t j = std::clamp<std::int64_t>(i, 0, last);
            w.push_back(
                buffer_[static_cast<std::size_t>(std::max<std::int64_t>(j, first_) - first_)]);
        }
        return w;
    }

    int k_;
    int radius_;
    std::deque<T> buffer_;
    std::int64_t first_ = 0;  // the stream index of buffer_.front()
    std::int64_t pushed_ = 0;
};

// Frame interpolation by an integer factor N: between frames A and B, N - 1 new frames at
// t = k / N. The last input frame has no successor; it is written N times, so that the output
// has exactly N frames per input frame (F * N in all), its frame rate is exactly N times the
// input's and its duration (and so the audio's sync) is kept.
struct MLRT_API Interpolation {
    explicit Interpolation(int factor);  // throws mlrt::Error unless factor >= 2
    int factor() const noexcept { return factor_; }
    // t for the k-th frame (0 <= k < N) from A: k / N; k = 0 is A itself.
    float timestep(int k) const noexcept {
        return static_cast<float>(k) / static_cast<float>(factor_);
    }
    std::int64_t output_frames(std::int64_t input_frames) const noexcept {
        return input_frames * factor_;
    }

  private:
    int factor_;
};

// Consecutive pairs of a stream: each push after the first returns (previous, current).
template <class T>
class FramePairs {
  public:
    std::vector<std::pair<T, T>> push(T item) {
        std::vector<std::pair<T, T>> ready;
        if (have_) ready.emplace_back(std::move(previous_), item);
        previous_ = std::move(item);
        have_ = true;
        return ready;
    }
    // The last frame pushed, which no pair has had as its A (the caller repeats it).
    const T* last() const noexcept { return have_ ? &previous_ : nullptr; }

  private:
    T previous_{};
    bool have_ = false;
};

}  // namespace mlrt
