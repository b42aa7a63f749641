#include "mlrt/frame.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "mlrt/error.hpp"

namespace mlrt {

const char* to_string(SampleType t) noexcept {
    return t == SampleType::Float32 ? "float32" : "float16";
}

Frame::Frame(int width, int height, int planes, SampleType type)
    : width_(width), height_(height), planes_(planes), type_(type) {
    if (width <= 0 || height <= 0 || planes <= 0)
        throw Error(ErrorKind::InvalidArgument, "frame size and plane count must be positive");
    allocate();
    std::memset(data_, 0, plane_size() * static_cast<std::size_t>(planes_));
    rebuild_views();
}

Frame::Frame(const Frame& other)
    : width_(other.width_), height_(other.height_), planes_(other.planes_), type_(other.type_) {
    allocate();
    if (data_) std::memcpy(data_, other.data_, plane_size() * static_cast<std::size_t>(planes_));
    rebuild_views();
}

Frame::Frame(Frame&& other) noexcept
    : width_(std::exchange(other.width_, 0)),
      height_(std::exchange(other.height_, 0)),
      planes_(std::exchange(other.planes_, 0)),
      type_(other.type_),
      storage_(std::move(other.storage_)),
      data_(std::exchange(other.data_, nullptr)),
      const_views_(std::move(other.const_views_)),
      mut_views_(std::move(other.mut_views_)) {
    other.const_views_.clear();
    other.mut_views_.clear();
}

Frame& Frame::operator=(Frame&& other) noexcept {
    if (this != &other) {
        width_ = std::exchange(other.width_, 0);
        height_ = std::exchange(other.height_, 0);
        planes_ = std::exchange(other.planes_, 0);
        type_ = other.type_;
        storage_ = std::move(other.storage_);
        data_ = std::exchange(other.data_, nullptr);
        const_views_ = std::move(other.const_views_);
        mut_views_ = std::move(other.mut_views_);
        other.const_views_.clear();
        other.mut_views_.clear();
    }
    return *this;
}

Frame& Frame::operator=(const Frame& other) {
    if (this != &other) *this = Frame(other);
    return *this;
}

std::size_t Frame::plane_size() const noexcept {
    return static_cast<std::size_t>(width_) * static_cast<std::size_t>(height_) *
           bytes_per_sample(type_);
}

// Aligned by hand rather than by an aligned operator new, whose memalign splits the
// allocator's chunks: with many threads allocating frames, that fragmented the heap and RSS grew
// run after run (the stress test).
void Frame::allocate() {
    const std::size_t bytes = plane_size() * static_cast<std::size_t>(planes_);
    storage_.reset();
    data_ = nullptr;
    if (bytes == 0) return;
    constexpr std::size_t kAlign = 64;
    storage_ = std::make_unique_for_overwrite<std::byte[]>(bytes + kAlign - 1);
    const auto address = reinterpret_cast<std::uintptr_t>(storage_.get());
    data_ = storage_.get() + ((kAlign - address % kAlign) % kAlign);
}

std::span<std::byte> Frame::plane_bytes(int p) {
    if (p < 0 || p >= planes_)
        throw std::out_of_range("mlrt::Frame: plane " + std::to_string(p) + " of " +
                                std::to_string(planes_));
    return {data_ + static_cast<std::size_t>(p) * plane_size(), plane_size()};
}

std::span<const std::byte> Frame::plane_bytes(int p) const {
    return const_cast<Frame*>(this)->plane_bytes(p);
}

void Frame::rebuild_views() {
    const_views_.clear();
    mut_views_.clear();
    for (int p = 0; p < planes_; ++p) {
        std::byte* data = data_ + static_cast<std::size_t>(p) * plane_size();
        const_views_.push_back({data, stride()});
        mut_views_.push_back({data, stride()});
    }
}

template <class T>
static void check_type(SampleType t) {
    constexpr SampleType wanted = sizeof(T) == 4 ? SampleType::Float32 : SampleType::Float16;
    if (t != wanted)
        throw Error(ErrorKind::InvalidArgument, std::string("frame holds ") + to_string(t) +
                                                    " samples, accessed as " + to_string(wanted));
}

template <class T>
std::span<T> Frame::plane(int p) {
    check_type<T>(type_);
    auto b = plane_bytes(p);
    return {reinterpret_cast<T*>(b.data()), b.size() / sizeof(T)};
}

template <class T>
std::span<const T> Frame::plane(int p) const {
    check_type<T>(type_);
    auto b = plane_bytes(p);
    return {reinterpret_cast<const T*>(b.data()), b.size() / sizeof(T)};
}

template std::span<float> Frame::plane<float>(int);
template std::span<const float> Frame::plane<float>(int) const;
template std::span<std::uint16_t> Frame::plane<std::uint16_t>(int);
template std::span<const std::uint16_t> Frame::plane<std::uint16_t>(int) const;

FrameView Frame::view() const {
    return {width_, height_, type_, const_views_};
}
MutableFrameView Frame::mutable_view() {
    return {width_, height_, type_, mut_views_};
}

// Round to nearest even; overflow becomes +-inf and values at most half the smallest subnormal
// become +-0, as a runtime Cast does, so weights converted here match activations ORT converts.
// Checked against _Float16 on all 2^32 inputs.
std::uint16_t float_to_half(float value) noexcept {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
    const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
    const std::uint32_t abs = bits & 0x7fffffffu;
    if (abs >= 0x7f800000u) {  // inf or NaN; a NaN keeps a nonzero (quiet) mantissa
        if (abs == 0x7f800000u) return sign | 0x7c00u;
        return static_cast<std::uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
    }
    if (abs >= 0x38800000u) {  // normal in half precision, unless it overflows
        std::uint32_t half = (abs >> 13) - 0x1c000u;
        const std::uint32_t rest = abs & 0x1fffu;
        if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;
        return static_cast<std::uint16_t>(sign | std::min<std::uint32_t>(half, 0x7c00u));
    }
    if (abs <= 0x33000000u) return sign;  // at most half the smallest subnormal: ties to 0
    const std::uint32_t mantissa = (abs & 0x7fffffu) | 0x800000u;
    const std::uint32_t shift = 126u - (abs >> 23);  // 14..24
    std::uint32_t half = mantissa >> shift;
    const std::uint32_t rest = mantissa & ((1u << shift) - 1u);
    const std::uint32_t halfway = 1u << (shift - 1u);
    if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
    return static_cast<std::uint16_t>(sign | half);
}

float half_to_float(std::uint16_t h) noexcept {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1fu;
    std::uint32_t mant = h & 0x3ffu;
    std::uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: normalise
            int e = -1;
            do {
                ++e;
                mant <<= 1;
            } while (!(mant & 0x400u));
            bits = sign | (static_cast<std::uint32_t>(112 - e) << 23) | ((mant & 0x3ffu) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    }
    return std::bit_cast<float>(bits);
}

}  // namespace mlrt
