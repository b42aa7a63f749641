#pragma once
#include <cstddef>
#include <functional>

namespace mlrt::config::detail {

// Boost's mixing step: order-sensitive, so {a, b} and {b, a} hash apart.
template <class T>
void hash_combine(std::size_t& seed, const T& value) noexcept {
    seed ^= std::hash<T>{}(value) + static_cast<std::size_t>(0x9e3779b97f4a7c15ULL) + (seed << 6) +
            (seed >> 2);
}

}  // namespace mlrt::config::detail
