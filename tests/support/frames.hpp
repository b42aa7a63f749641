#pragma once
// Frame helpers for the tests: deterministic content and comparisons.
#include <cmath>
#include <random>

#include "mlrt/frame.hpp"

namespace mlrt::test {

// Smooth gradients plus noise, so both flat and detailed regions are exercised.
inline Frame make_frame(int w, int h, int planes, unsigned seed = 7,
                        SampleType type = SampleType::Float32) {
    Frame f(w, h, planes, type);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> noise(-0.1f, 0.1f);
    for (int p = 0; p < planes; ++p) {
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const float v = 0.5f +
                                0.3f * std::sin(0.07f * static_cast<float>(x * (p + 1)) +
                                                0.05f * static_cast<float>(y)) +
                                noise(rng);
                const auto i = static_cast<std::size_t>(y) * static_cast<std::size_t>(w) +
                               static_cast<std::size_t>(x);
                if (type == SampleType::Float32)
                    f.plane<float>(p)[i] = v;
                else
                    f.plane<std::uint16_t>(p)[i] = float_to_half(v);
            }
    }
    return f;
}

inline float sample(const Frame& f, int p, std::size_t i) {
    return f.type() == SampleType::Float32 ? f.plane<float>(p)[i]
                                           : half_to_float(f.plane<std::uint16_t>(p)[i]);
}

inline double max_abs_diff(const Frame& a, const Frame& b) {
    double m = 0;
    for (int p = 0; p < a.num_planes(); ++p) {
        const auto n = static_cast<std::size_t>(a.width()) * static_cast<std::size_t>(a.height());
        for (std::size_t i = 0; i < n; ++i)
            m = std::max(m, static_cast<double>(std::fabs(sample(a, p, i) - sample(b, p, i))));
    }
    return m;
}

}  // namespace mlrt::test
