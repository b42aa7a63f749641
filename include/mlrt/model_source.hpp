#pragma once
// Where a model comes from: a file, or the serialized ONNX bytes themselves.
#include <filesystem>
#include <string>
#include <variant>

#include "mlrt/export.hpp"

namespace mlrt {

class MLRT_API ModelSource {
  public:
    struct Bytes {
        std::string data;
        std::string label;  // names the model in error messages
    };

    static ModelSource from_path(std::filesystem::path path) {
        return ModelSource(std::move(path));
    }
    static ModelSource from_bytes(std::string bytes, std::string label = "<model bytes>") {
        return ModelSource(Bytes{std::move(bytes), std::move(label)});
    }

    bool is_path() const noexcept { return std::holds_alternative<std::filesystem::path>(source_); }
    // Only for a path source (throws std::bad_variant_access otherwise).
    const std::filesystem::path& path() const { return std::get<std::filesystem::path>(source_); }
    // Only for a bytes source.
    const std::string& bytes() const { return std::get<Bytes>(source_).data; }
    // For error messages: the path, or the label given to bytes.
    std::string describe() const;

  private:
    explicit ModelSource(std::variant<std::filesystem::path, Bytes> source)
        : source_(std::move(source)) {}
    std::variant<std::filesystem::path, Bytes> source_;
};

}  // namespace mlrt
