#include "temporal_reader.hpp"

#include <cmath>
#include <cstring>

namespace mlrt::cli {
namespace {

float sample_at(const PlaneBuffer& f, int p, int x, int y) {
    const std::byte* row = f.plane(p) + static_cast<std::ptrdiff_t>(y) * f.stride();
    if (f.type() == SampleType::Float32) {
        float v;
        std::memcpy(&v, row + static_cast<std::size_t>(x) * 4, 4);
        return v;
    }
    std::uint16_t h;
    std::memcpy(&h, row + static_cast<std::size_t>(x) * 2, 2);
    return half_to_float(h);
}

}  // namespace

double mean_luma_difference(const PlaneBuffer& a, const PlaneBuffer& b) {
    const bool rgb = a.num_planes() >= 3;
    double sum = 0;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x) {
            const auto luma = [&](const PlaneBuffer& f) {
                if (!rgb) return static_cast<double>(sample_at(f, 0, x, y));
                return 0.2126 * sample_at(f, 0, x, y) + 0.7152 * sample_at(f, 1, x, y) +
                       0.0722 * sample_at(f, 2, x, y);
            };
            sum += std::fabs(luma(a) - luma(b));
        }
    return sum / (static_cast<double>(a.width()) * static_cast<double>(a.height()));
}

TemporalReader::TemporalReader(const TemporalOptions& options, AVPixelFormat source,
                               const ColourSpec& colour, const FloatFormat& engine_in,
                               AVColorSpace luma_matrix, AVRational time_base,
                               AVRational frame_rate)
    : options_(options),
      engine_in_(engine_in),
      to_float_(source, colour, engine_in, luma_matrix),
      out_time_base_(time_base),
      frame_duration_(std::max<std::int64_t>(1, av_rescale_q(1, av_inv_q(frame_rate), time_base))) {
    if (options.window > 0) window_.emplace(options.window);
    if (options.interpolate > 0) {
        interpolation_.emplace(options.interpolate);
        out_time_base_ = av_mul_q(time_base, AVRational{1, options.interpolate});
    }
}

std::vector<TemporalJob> TemporalReader::push(const AVFrame& frame, std::int64_t pts, bool output) {
    auto planes = std::make_shared<PlaneBuffer>(engine_in_.width, engine_in_.height,
                                                engine_in_.planes(), engine_in_.type);
    to_float_.convert(frame, *planes);
    Item item{std::move(planes), pts, output};
    std::vector<TemporalJob> jobs;
    if (window_) {
        jobs = windows(window_->push(std::move(item)));
    } else {
        const auto ready = pairs_.push(std::move(item));
        for (const auto& [a, b] : ready) {
            auto j = between(a, &b);
            jobs.insert(jobs.end(), j.begin(), j.end());
        }
    }
    return jobs;
}

std::vector<TemporalJob> TemporalReader::finish() {
    if (window_) return windows(window_->finish());
    if (const Item* last = pairs_.last()) return between(*last, nullptr);
    return {};
}

std::vector<TemporalJob> TemporalReader::windows(std::vector<std::vector<Item>> ready) const {
    std::vector<TemporalJob> jobs;
    for (auto& w : ready) {
        if (!w[w.size() / 2].output) continue;  // centred on a context frame
        TemporalJob j;
        // Output frame i keeps frame i's timestamp: the centre's.
        j.pts = w[w.size() / 2].pts;
        for (auto& item : w) j.frames.push_back(std::move(item.planes));
        jobs.push_back(std::move(j));
    }
    return jobs;
}

// The N output frames from A up to (not including) B: A itself at k = 0, then t = k / N. Their
// timestamps split A's interval into N equal parts in the finer time base: A's pts x N plus k
// times A's duration, which is exact integer arithmetic, so the video keeps the audio's clock.
// Past the last frame (no B) A is repeated N times over one nominal frame duration.
std::vector<TemporalJob> TemporalReader::between(const Item& a, const Item* b) {
    if (!a.output) return {};  // the context frame after a range
    const int n = interpolation_->factor();
    const bool timed = a.pts != AV_NOPTS_VALUE && (!b || b->pts != AV_NOPTS_VALUE);
    const std::int64_t gap = b && timed ? b->pts - a.pts : frame_duration_;
    bool cut = false;
    if (b && options_.scene_threshold >= 0 &&
        mean_luma_difference(*a.planes, *b->planes) > options_.scene_threshold) {
        cut = true;
        ++scene_cuts_;
    }
    std::vector<TemporalJob> jobs;
    for (int k = 0; k < n; ++k) {
        TemporalJob j;
        j.pts = timed ? a.pts * n + k * gap : AV_NOPTS_VALUE;
        j.frames.push_back(a.planes);
        if (k == 0 || !b || cut) {
            j.copy = true;
        } else {
            j.frames.push_back(b->planes);
            j.timestep = interpolation_->timestep(k);
        }
        jobs.push_back(std::move(j));
    }
    return jobs;
}

}  // namespace mlrt::cli
