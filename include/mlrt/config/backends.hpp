#pragma once
// The reference's backend configuration types: immutable values saying which ONNX Runtime
// execution provider to use and how. ORT holds the fields every provider shares; ORT_CPU,
// ORT_CUDA, ORT_DML, ORT_COREML and ORT_WEBGPU add their own. Build one from its Options with
// designated initializers, shared fields first, then the provider's own, in that order:
//
//     ORT_CUDA cuda({.fp16 = false, .device_id = 1});
//     ORT_CUDA tf32 = cuda.with([](auto& o) { o.tf32 = true; });
//
// Invalid values throw mlrt::Error(InvalidArgument) naming the field.
//
// A provider declares only its own fields: their Options members, a table of them (fields()) and
// their accessors. Everything else (validation, options(), with, from_fields, get_args,
// equality, hash, string form) is detail::OrtProvider's, driven by that table.
#include <concepts>
#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "mlrt/config/args.hpp"
#include "mlrt/config/verbosity.hpp"
#include "mlrt/export.hpp"

namespace mlrt::config {

struct Clip;

enum class OutputFormat : int { FP32 = 0, FP16 = 1 };
MLRT_API const char* to_string(OutputFormat format) noexcept;  // "FP32", "FP16"

// The fields every Options starts with, in the reference's order. A macro because a designated
// initializer cannot name a base class's members: each Options must declare them itself.
#define MLRT_ORT_SHARED_OPTIONS                                                              \
    int num_streams = 1;                                                                     \
    std::optional<Verbosity> verbosity{}; /* unset: from get_log_level() at construction */  \
    bool fp16 = true;                                                                        \
    std::optional<std::vector<std::string>> fp16_blacklist_ops{}; /* unset: engine's list */ \
    std::optional<OutputFormat> output_format{}; /* unset: FP16 when fp16, else FP32 */

// Shared part, and the reference's base class.
class MLRT_API ORT {
  public:
    struct Options {
        MLRT_ORT_SHARED_OPTIONS
    };

    // Frame property prefix inference() asks the engine to use for flexible output.
    static constexpr std::string_view flexible_output_prop = "MlrtFlexible";

    ORT() : ORT(Options{}) {}
    explicit ORT(const Options& options) : ORT(options, "ORT") {}
    // From constructor keyword arguments (the shared field names); unknown names are an error.
    static ORT from_fields(const ArgMap& fields);

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

  private:
    int num_streams_ = 1;
    Verbosity verbosity_ = Verbosity::WARNING;
    bool fp16_ = true;
    std::optional<std::vector<std::string>> fp16_blacklist_ops_;
    std::optional<OutputFormat> output_format_;
};

namespace detail {

// One of a provider's own fields: its keyword name (also its get_args key and its name in the
// string form) and its member in the provider's Options.
template <class O, class T>
struct Field {
    std::string_view name;
    T O::*member;
};
template <class O, class T>
Field(std::string_view, T O::*) -> Field<O, T>;

// What ORT_CPU, ORT_CUDA, ORT_DML, ORT_COREML and ORT_WEBGPU add to ORT, written once over the
// provider's table of its own fields, Derived::fields() (a tuple of Field; none unless Derived
// says). Defined in src/config/backend_provider.cpp and instantiated there for each provider.
template <class Derived, class O>
class MLRT_API OrtProvider : public ORT {
  public:
    using Options = O;

    OrtProvider() : OrtProvider(Options{}) {}
    explicit OrtProvider(const Options& options);
    // From constructor keyword arguments (field names); unknown names are an error.
    static Derived from_fields(const ArgMap& fields);

    // The fields as given back to a constructor; verbosity comes back resolved.
    Options options() const;
    template <class F>
    Derived with(F&& edit) const {
        Options o = options();
        std::forward<F>(edit)(o);
        return Derived(o);
    }

    // ORT's base keys (fp16, output_format, provider, num_streams, verbosity, fp16_blacklist_ops)
    // plus one key per own field.
    ArgMap get_args() const;
    // What to_string and std::hash give.
    std::string repr() const;
    std::size_t hash() const noexcept;
    struct Hash {
        std::size_t operator()(const Derived& b) const noexcept { return b.hash(); }
    };

    friend bool operator==(const Derived& a, const Derived& b) {
        const Options &x = a.own_, &y = b.own_;
        return static_cast<const ORT&>(a) == static_cast<const ORT&>(b) &&
               std::apply([&](const auto&... f) { return ((x.*f.member == y.*f.member) && ...); },
                          Derived::fields());
    }

    static constexpr std::tuple<> fields() { return {}; }

  protected:
    // For the provider's accessors.
    const Options& own() const noexcept { return own_; }

  private:
    Options own_{};  // the provider's own fields; its shared ones stay default (ORT holds them)
};

}  // namespace detail

class MLRT_API ORT_CPU : public detail::OrtProvider<ORT_CPU, ORT::Options> {
  public:
    static constexpr std::string_view provider = "CPU";
    using OrtProvider::OrtProvider;
};

struct MLRT_API CudaOptions {  // ORT_CUDA::Options
    MLRT_ORT_SHARED_OPTIONS
    int device_id = 0;
    bool cudnn_benchmark = true;  // cuDNN exhaustive convolution algorithm search
    bool use_cuda_graph = false;
    bool tf32 = false;
    bool prefer_nhwc = false;
};

class MLRT_API ORT_CUDA : public detail::OrtProvider<ORT_CUDA, CudaOptions> {
  public:
    static constexpr std::string_view provider = "CUDA";
    using OrtProvider::OrtProvider;
    static constexpr auto fields() {
        using detail::Field;
        return std::tuple{Field{"device_id", &Options::device_id},
                          Field{"cudnn_benchmark", &Options::cudnn_benchmark},
                          Field{"use_cuda_graph", &Options::use_cuda_graph},
                          Field{"tf32", &Options::tf32},
                          Field{"prefer_nhwc", &Options::prefer_nhwc}};
    }

    int device_id() const noexcept { return own().device_id; }
    bool cudnn_benchmark() const noexcept { return own().cudnn_benchmark; }
    bool use_cuda_graph() const noexcept { return own().use_cuda_graph; }
    bool tf32() const noexcept { return own().tf32; }
    bool prefer_nhwc() const noexcept { return own().prefer_nhwc; }
};

struct MLRT_API DmlOptions {  // ORT_DML::Options
    MLRT_ORT_SHARED_OPTIONS
    int device_id = 0;  // DirectML adapter index
};

class MLRT_API ORT_DML : public detail::OrtProvider<ORT_DML, DmlOptions> {
  public:
    static constexpr std::string_view provider = "DML";
    using OrtProvider::OrtProvider;
    static constexpr auto fields() {
        return std::tuple{detail::Field{"device_id", &Options::device_id}};
    }

    int device_id() const noexcept { return own().device_id; }
};

// The Core ML model format ONNX Runtime builds: ORT_COREML::Provider.
enum class CoremlProvider : int { NEURAL_NETWORK = 0, ML_PROGRAM = 1 };
MLRT_API const char* to_string(CoremlProvider p) noexcept;  // "NEURAL_NETWORK", "ML_PROGRAM"

struct MLRT_API CoremlOptions {  // ORT_COREML::Options
    MLRT_ORT_SHARED_OPTIONS
    CoremlProvider ml_program = CoremlProvider::NEURAL_NETWORK;
};

class MLRT_API ORT_COREML : public detail::OrtProvider<ORT_COREML, CoremlOptions> {
  public:
    using Provider = CoremlProvider;
    static constexpr std::string_view provider = "COREML";
    using OrtProvider::OrtProvider;
    static constexpr auto fields() {
        return std::tuple{detail::Field{"ml_program", &Options::ml_program}};
    }

    Provider ml_program() const noexcept { return own().ml_program; }
};

struct MLRT_API WebgpuOptions {  // ORT_WEBGPU::Options
    MLRT_ORT_SHARED_OPTIONS
    // The adapter's index in mlrt::webgpu_adapters() (mlrt/webgpu.hpp): discrete GPUs first.
    int device_id = 0;
};

// ONNX Runtime's WebGPU provider: Vulkan on Linux, D3D12 on Windows, Metal on macOS, on any
// vendor's GPU with its ordinary driver.
class MLRT_API ORT_WEBGPU : public detail::OrtProvider<ORT_WEBGPU, WebgpuOptions> {
  public:
    static constexpr std::string_view provider = "WEBGPU";
    using OrtProvider::OrtProvider;
    static constexpr auto fields() {
        return std::tuple{detail::Field{"device_id", &Options::device_id}};
    }

    int device_id() const noexcept { return own().device_id; }
};

#undef MLRT_ORT_SHARED_OPTIONS

// Any concrete backend. Comparing two Backends compares the type, then the fields.
using Backend = std::variant<ORT_CPU, ORT_CUDA, ORT_DML, ORT_COREML, ORT_WEBGPU>;

// The backend for a provider name ("CPU", "CUDA", "DML", "COREML", "WEBGPU", any case)
// built from constructor keyword arguments.
MLRT_API Backend make_backend(std::string_view provider, const ArgMap& fields = {});

MLRT_API std::string_view provider_name(const Backend& backend);
MLRT_API const ORT& common(const Backend& backend);

// The engine arguments of the reference's get_args(clips). The clips are not consulted (nor are
// they in the reference); the overload exists so that calls read as in the reference.
MLRT_API ArgMap get_args(const Backend& backend);
MLRT_API ArgMap get_args(const Backend& backend, std::span<const Clip> clips);

// Like the Python dataclass repr: "ORT_CUDA(num_streams=1, verbosity=2, fp16=True, ...)".
MLRT_API std::string to_string(const ORT& backend);
template <class D, class O>
std::string to_string(const detail::OrtProvider<D, O>& backend) {
    return backend.repr();
}
MLRT_API std::string to_string(const Backend& backend);

template <class T>
requires(std::derived_from<T, ORT> || std::same_as<T, Backend>) std::ostream& operator<<(
    std::ostream& os, const T& backend) {
    return os << to_string(backend);
}

}  // namespace mlrt::config

template <>
struct MLRT_API std::hash<mlrt::config::ORT> {
    std::size_t operator()(const mlrt::config::ORT& b) const noexcept;
};
template <>
struct MLRT_API std::hash<mlrt::config::ORT_CPU> : mlrt::config::ORT_CPU::Hash {};
template <>
struct MLRT_API std::hash<mlrt::config::ORT_CUDA> : mlrt::config::ORT_CUDA::Hash {};
template <>
struct MLRT_API std::hash<mlrt::config::ORT_DML> : mlrt::config::ORT_DML::Hash {};
template <>
struct MLRT_API std::hash<mlrt::config::ORT_COREML> : mlrt::config::ORT_COREML::Hash {};
template <>
struct MLRT_API std::hash<mlrt::config::ORT_WEBGPU> : mlrt::config::ORT_WEBGPU::Hash {};
