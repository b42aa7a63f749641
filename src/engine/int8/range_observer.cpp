#include "engine/int8/range_observer.hpp"

#include <algorithm>
#include <cmath>

namespace mlrt::detail::int8 {

void RangeObserver::keep(float value) {
    ++offered_;
    if (samples_.size() < kMaxSamples) {
        samples_.push_back(value);
        return;
    }
    random_ ^= random_ << 13;
    random_ ^= random_ >> 7;
    random_ ^= random_ << 17;
    if (const std::uint64_t slot = random_ % offered_; slot < kMaxSamples)
        samples_[static_cast<std::size_t>(slot)] = value;
}

void RangeObserver::observe(const float* data, std::size_t count) {
    // Rounded up, so that at most kSamplesPerTile values are kept.
    std::size_t stride = std::max<std::size_t>(1, (count + kSamplesPerTile - 1) / kSamplesPerTile);
    // An odd stride does not keep landing on the same column of an even-width plane.
    if (stride > 1 && stride % 2 == 0) ++stride;
    for (std::size_t i = 0; i < count; i += stride)
        if (std::isfinite(data[i])) keep(data[i]);
}

Range RangeObserver::range() const {
    if (samples_.empty()) return {};
    std::vector<float> v = samples_;
    const auto last = static_cast<double>(v.size() - 1);
    const double pct = kPercentile;
    const auto lo_at = static_cast<std::size_t>(std::floor(last * (100.0 - pct) / 100.0));
    const auto hi_at = static_cast<std::size_t>(std::ceil(last * pct / 100.0));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo_at), v.end());
    const float lo = v[lo_at];
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(hi_at), v.end());
    return {lo, v[hi_at]};
}

}  // namespace mlrt::detail::int8
