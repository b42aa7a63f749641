#pragma once
// ncnn's .bin: the layers' weights, back to back, in the order the .param lists the layers.
// A weight array read "with a tag" starts with four bytes that say how it is stored (float32,
// float16, int8, or 8-bit indices into a 256-entry table); biases and slopes are raw float32.
#include <cstddef>
#include <string>
#include <vector>

namespace mlrt::detail::ncnn {

class WeightReader {
  public:
    WeightReader(std::string data, std::string path)
        : data_(std::move(data)), path_(std::move(path)) {}

    // `count` values of an array that starts with a storage tag (ncnn's load type 0).
    std::vector<float> tagged(std::size_t count, const std::string& what);
    // `count` raw little-endian float32 values (ncnn's load type 1).
    std::vector<float> raw(std::size_t count, const std::string& what);

    std::size_t offset() const { return offset_; }
    std::size_t size() const { return data_.size(); }
    const std::string& path() const { return path_; }

  private:
    const unsigned char* take(std::size_t bytes, const std::string& what);

    std::string data_;
    std::string path_;
    std::size_t offset_ = 0;
};

}  // namespace mlrt::detail::ncnn
