#pragma once
// One tensor's values over the calibration tiles, reduced to the range its 256 levels cover.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/int8/quantizer.hpp"

namespace mlrt::detail::int8 {

class RangeObserver {
  public:
    static constexpr std::size_t kSamplesPerTile = 32768;
    // Beyond this many pooled samples each new one replaces a random kept one (a reservoir), so
    // that a long or large calibration holds 4 MiB per tensor and its sample stays uniform.
    static constexpr std::size_t kMaxSamples = std::size_t{1} << 20;
    // 99.99 clipped the rare large activations that carry edges: waifu2x UpConv7 (LeakyReLU)
    // fell to 42.9 dB against float32 on its calibration frames and 39.9 dB on others, where
    // 99.999 gives 47.2 / 47.1 dB (realesr-animevideov3: 47.5 -> 46.9 dB).
    static constexpr double kPercentile = 99.999;

    // Keeps a uniform subsample of at most kSamplesPerTile of the finite values.
    void observe(const float* data, std::size_t count);
    // The kPercentile-th percentile on both sides of the pooled samples; {0, 0} when nothing
    // finite was seen.
    Range range() const;

  private:
    void keep(float value);

    std::vector<float> samples_;
    std::uint64_t offered_ = 0;                   // values offered to the sample so far
    std::uint64_t random_ = 0x9E3779B97F4A7C15u;  // xorshift64 state: one calibration, one range
};

}  // namespace mlrt::detail::int8
