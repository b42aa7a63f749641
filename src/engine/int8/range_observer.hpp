#pragma once
// One tensor's values over the calibration tiles, reduced to the range its 256 levels cover.
#include <cstddef>
#include <vector>

#include "engine/int8/quantizer.hpp"

namespace mlrt::detail::int8 {

class RangeObserver {
  public:
    static constexpr std::size_t kSamplesPerTile = 32768;
    static constexpr double kPercentile = 99.99;

    // Keeps a uniform subsample of at most kSamplesPerTile of the finite values.
    void observe(const float* data, std::size_t count);
    // The kPercentile-th percentile on both sides of the pooled samples; {0, 0} when nothing
    // finite was seen.
    Range range() const;

  private:
    std::vector<float> samples_;
};

}  // namespace mlrt::detail::int8
