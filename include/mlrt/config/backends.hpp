#pragma once
// The reference's backend configuration types: immutable values saying which ONNX Runtime
// execution provider to use and how. ORT holds the fields every provider shares; ORT_CPU,
// ORT_CUDA, ORT_DML and ORT_COREML add their own. Build one from its Options with designated
// initializers, shared fields first, then the provider's own, in that order:
//
//     ORT_CUDA cuda({.fp16 = false, .device_id = 1});
//     ORT_CUDA tf32 = cuda.with([](auto& o) { o.tf32 = true; });
//
// Invalid values throw mlrt::Error(InvalidArgument) naming the field.
#include <concepts>
#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "mlrt/config/args.hpp"
#include "mlrt/verbosity.hpp"

namespace mlrt::config {

struct Clip;

enum class OutputFormat : int { FP32 = 0, FP16 = 1 };
const char* to_string(OutputFormat format) noexcept;  // "FP32", "FP16"

// Shared part, and the reference's base class.
class ORT {
  public:
    struct Options {
        int num_streams = 1;
        std::optional<Verbosity> verbosity{};  // unset: from get_log_level() at construction
        bool fp16 = true;
        std::optional<std::vector<std::string>> fp16_blacklist_ops{};  // unset: engine's list
        std::optional<OutputFormat> output_format{};  // unset: FP16 when fp16, else FP32
    };

    // Frame property prefix inference() asks the engine to use for flexible output.
    static constexpr std::string_view flexible_output_prop = "MlrtFlexible";

    ORT() : ORT(Options{}) {}
    explicit ORT(const Options& options) : ORT(options, "ORT") {}

    int num_streams() const noexcept { return num_streams_; }
    Verbosity verbosity() const noexcept { return verbosity_; }
    bool fp16() const noexcept { return fp16_; }
    const std::optional<std::vector<std::string>>& fp16_blacklist_ops() const noexcept {
        return fp16_blacklist_ops_;
    }
    std::optional<OutputFormat> output_format() const noexcept { return output_format_; }
    OutputFormat resolved_output_format() const noexcept {
        return output_format_.value_or(fp16_ ? OutputFormat::FP16 : OutputFormat::FP32);
    }

    // The fields as given back to a constructor; verbosity comes back resolved.
    Options options() const;

    bool operator==(const ORT&) const = default;

    // Two different providers would compare equal on their shared part alone, which is wrong:
    // compare them as Backend values instead, which also compares the type.
    template <class A, class B>
    requires(std::derived_from<A, ORT>&& std::derived_from<B, ORT> &&
             !std::same_as<A, B>) friend bool
    operator==(const A&, const B&) = delete;

  protected:
    // `type_name` is the concrete type, for error messages.
    ORT(const Options& options, std::string_view type_name);

    // The base keys of get_args: fp16, output_format, provider, num_streams, verbosity,
    // fp16_blacklist_ops.
    ArgMap common_args(std::string_view provider) const;

    template <class O>
    void copy_common_to(O& o) const {
        o.num_streams = num_streams_;
        o.verbosity = verbosity_;
        o.fp16 = fp16_;
        o.fp16_blacklist_ops = fp16_blacklist_ops_;
        o.output_format = output_format_;
    }
    template <class O>
    static Options common_of(const O& o) {
        return {o.num_streams, o.verbosity, o.fp16, o.fp16_blacklist_ops, o.output_format};
    }

  private:
    int num_streams_ = 1;
    Verbosity verbosity_ = Verbosity::WARNING;
    bool fp16_ = true;
    std::optional<std::vector<std::string>> fp16_blacklist_ops_;
    std::optional<OutputFormat> output_format_;
};

class ORT_CPU : public ORT {
  public:
    using Options = ORT::Options;
    static constexpr std::string_view provider = "CPU";

    ORT_CPU() : ORT_CPU(Options{}) {}
    explicit ORT_CPU(const Options& options) : ORT(options, "ORT_CPU") {}
    // From constructor keyword arguments (field names); unknown names are an error.
    static ORT_CPU from_fields(const ArgMap& fields);

    Options options() const { return ORT::options(); }
    template <class F>
    ORT_CPU with(F&& edit) const {
        Options o = options();
        std::forward<F>(edit)(o);
        return ORT_CPU(o);
    }

    ArgMap get_args() const;
    bool operator==(const ORT_CPU&) const = default;
};

class ORT_CUDA : public ORT {
  public:
    struct Options {
        int num_streams = 1;
        std::optional<Verbosity> verbosity{};
        bool fp16 = true;
        std::optional<std::vector<std::string>> fp16_blacklist_ops{};
        std::optional<OutputFormat> output_format{};
        int device_id = 0;
        bool cudnn_benchmark = true;  // cuDNN exhaustive convolution algorithm search
        bool use_cuda_graph = false;
        bool tf32 = false;
        bool prefer_nhwc = false;
    };
    static constexpr std::string_view provider = "CUDA";

    ORT_CUDA() : ORT_CUDA(Options{}) {}
    explicit ORT_CUDA(const Options& options);
    static ORT_CUDA from_fields(const ArgMap& fields);

    int device_id() const noexcept { return device_id_; }
    bool cudnn_benchmark() const noexcept { return cudnn_benchmark_; }
    bool use_cuda_graph() const noexcept { return use_cuda_graph_; }
    bool tf32() const noexcept { return tf32_; }
    bool prefer_nhwc() const noexcept { return prefer_nhwc_; }

    Options options() const;
    template <class F>
    ORT_CUDA with(F&& edit) const {
        Options o = options();
        std::forward<F>(edit)(o);
        return ORT_CUDA(o);
    }

    // Base keys plus device_id, cudnn_benchmark, use_cuda_graph, prefer_nhwc, tf32.
    ArgMap get_args() const;
    bool operator==(const ORT_CUDA&) const = default;

  private:
    int device_id_ = 0;
    bool cudnn_benchmark_ = true;
    bool use_cuda_graph_ = false;
    bool tf32_ = false;
    bool prefer_nhwc_ = false;
};

class ORT_DML : public ORT {
  public:
    struct Options {
        int num_streams = 1;
        std::optional<Verbosity> verbosity{};
        bool fp16 = true;
        std::optional<std::vector<std::string>> fp16_blacklist_ops{};
        std::optional<OutputFormat> output_format{};
        int device_id = 0;  // DirectML adapter index
    };
    static constexpr std::string_view provider = "DML";

    ORT_DML() : ORT_DML(Options{}) {}
    explicit ORT_DML(const Options& options);
    static ORT_DML from_fields(const ArgMap& fields);

    int device_id() const noexcept { return device_id_; }

    Options options() const;
    template <class F>
    ORT_DML with(F&& edit) const {
        Options o = options();
        std::forward<F>(edit)(o);
        return ORT_DML(o);
    }

    // Base keys plus device_id.
    ArgMap get_args() const;
    bool operator==(const ORT_DML&) const = default;

  private:
    int device_id_ = 0;
};

class ORT_COREML : public ORT {
  public:
    // The Core ML model format ONNX Runtime builds.
    enum class Provider : int { NEURAL_NETWORK = 0, ML_PROGRAM = 1 };

    struct Options {
        int num_streams = 1;
        std::optional<Verbosity> verbosity{};
        bool fp16 = true;
        std::optional<std::vector<std::string>> fp16_blacklist_ops{};
        std::optional<OutputFormat> output_format{};
        Provider ml_program = Provider::NEURAL_NETWORK;
    };
    static constexpr std::string_view provider = "COREML";

    ORT_COREML() : ORT_COREML(Options{}) {}
    explicit ORT_COREML(const Options& options);
    static ORT_COREML from_fields(const ArgMap& fields);

    Provider ml_program() const noexcept { return ml_program_; }

    Options options() const;
    template <class F>
    ORT_COREML with(F&& edit) const {
        Options o = options();
        std::forward<F>(edit)(o);
        return ORT_COREML(o);
    }

    // Base keys plus ml_program (as an int).
    ArgMap get_args() const;
    bool operator==(const ORT_COREML&) const = default;

  private:
    Provider ml_program_ = Provider::NEURAL_NETWORK;
};
const char* to_string(ORT_COREML::Provider p) noexcept;  // "NEURAL_NETWORK", "ML_PROGRAM"

// Any concrete backend. Comparing two Backends compares the type, then the fields.
using Backend = std::variant<ORT_CPU, ORT_CUDA, ORT_DML, ORT_COREML>;

// The backend for a provider name of the reference ("CPU", "CUDA", "DML", "COREML", any case)
// built from constructor keyword arguments.
Backend make_backend(std::string_view provider, const ArgMap& fields = {});

std::string_view provider_name(const Backend& backend);
const ORT& common(const Backend& backend);

// The engine arguments of the reference's get_args(clips). The clips are not consulted (nor are
// they in the reference); the overload exists so that calls read as in the reference.
ArgMap get_args(const Backend& backend);
ArgMap get_args(const Backend& backend, std::span<const Clip> clips);

// Like the Python dataclass repr: "ORT_CUDA(num_streams=1, verbosity=2, fp16=True, ...)".
std::string to_string(const ORT& backend);
std::string to_string(const ORT_CPU& backend);
std::string to_string(const ORT_CUDA& backend);
std::string to_string(const ORT_DML& backend);
std::string to_string(const ORT_COREML& backend);
std::string to_string(const Backend& backend);

template <class T>
requires(std::derived_from<T, ORT> || std::same_as<T, Backend>) std::ostream& operator<<(
    std::ostream& os, const T& backend) {
    return os << to_string(backend);
}

}  // namespace mlrt::config

template <>
struct std::hash<mlrt::config::ORT> {
    std::size_t operator()(const mlrt::config::ORT& b) const noexcept;
};
template <>
struct std::hash<mlrt::config::ORT_CPU> {
    std::size_t operator()(const mlrt::config::ORT_CPU& b) const noexcept;
};
template <>
struct std::hash<mlrt::config::ORT_CUDA> {
    std::size_t operator()(const mlrt::config::ORT_CUDA& b) const noexcept;
};
template <>
struct std::hash<mlrt::config::ORT_DML> {
    std::size_t operator()(const mlrt::config::ORT_DML& b) const noexcept;
};
template <>
struct std::hash<mlrt::config::ORT_COREML> {
    std::size_t operator()(const mlrt::config::ORT_COREML& b) const noexcept;
};
