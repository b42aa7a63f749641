#pragma once
// The engine runs one ONNX model over frames: it prepares the model for the frame geometry,
// holds `num_streams` ONNX Runtime sessions, splits frames into tiles and stitches the results.
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mlrt/frame.hpp"
#include "mlrt/tiling.hpp"
#include "mlrt/verbosity.hpp"

namespace mlrt {

enum class Provider { CPU, CUDA, DML, CoreML };
const char* to_string(Provider p) noexcept;
// Accepts "", "CPU", "CUDA", "DML", "COREML" in any case ("" is CPU). Throws mlrt::Error.
Provider parse_provider(std::string_view name);

enum class GraphOptimization { Disabled, Basic, Extended, All };

// Where the model comes from: a file, or the serialized ONNX bytes themselves.
class ModelSource {
  public:
    static ModelSource from_path(std::filesystem::path path);
    static ModelSource from_bytes(std::string bytes, std::string label = "<model bytes>");

    bool is_path() const noexcept { return is_path_; }
    const std::filesystem::path& path() const noexcept { return path_; }
    const std::string& bytes() const noexcept { return bytes_; }
    // For error messages: the path, or the label given to bytes.
    std::string describe() const;

  private:
    bool is_path_ = false;
    std::filesystem::path path_;
    std::string bytes_;
    std::string label_;
};

struct CudaOptions {
    bool cudnn_benchmark = true;  // exhaustive convolution algorithm search
    bool use_cuda_graph = false;
    bool tf32 = false;
    bool prefer_nhwc = false;
};

struct EngineOptions {
    Provider provider = Provider::CPU;
    int device_id = 0;
    CudaOptions cuda;
    bool coreml_ml_program = false;  // CoreML: MLProgram instead of NeuralNetwork

    int num_streams = 1;
    Verbosity verbosity = Verbosity::WARNING;

    int tile_width = 0;  // 0: the whole frame
    int tile_height = 0;
    int overlap_width = 0;
    int overlap_height = 0;
    TileMode tile_mode = TileMode::Balanced;

    int intra_op_threads = 0;            // per stream; 0: the cores split across streams
    std::optional<bool> allow_spinning;  // unset: spin only with a single stream
    GraphOptimization graph_optimization = GraphOptimization::All;

    // Precision. With fp16 the engine converts the model's float tensors to float16 itself.
    bool fp16 = false;
    std::optional<std::vector<std::string>> fp16_blacklist;  // unset: the default list
    std::optional<SampleType> output_type;  // unset: float16 when fp16, else the model's
    std::filesystem::path fp16_cache_dir;   // empty: $MLRT_CACHE_DIR or ~/.cache/mlrt

    // Accept any output channel count; each channel becomes its own GRAY plane.
    bool flexible_output = false;
};

// The input frames the engine will be given: all clips share size and sample type.
struct InputFormat {
    int width = 0;
    int height = 0;
    SampleType type = SampleType::Float32;
    std::vector<int> planes_per_clip;  // one entry per clip
};

struct ModelInfo {
    std::string input_name;
    std::string output_name;
    SampleType input_type = SampleType::Float32;   // as run (after any fp16 conversion)
    SampleType output_type = SampleType::Float32;  // as run
    int input_channels = 0;
    int output_channels = 0;
    int scale = 1;        // output size / input size
    int fixed_width = 0;  // 0 when the model's width is dynamic
    int fixed_height = 0;
    int size_multiple = 1;  // tile sizes are rounded up to this
    bool fp16_converted = false;
};

class Engine {
  public:
    Engine(const ModelSource& model, const InputFormat& input, const EngineOptions& options);
    ~Engine();
    Engine(Engine&&) noexcept;
    Engine& operator=(Engine&&) noexcept;
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    const ModelInfo& model_info() const noexcept;
    const TileLayout& layout() const noexcept;
    int output_width() const noexcept;
    int output_height() const noexcept;
    int output_planes() const noexcept;
    SampleType output_type() const noexcept;
    int num_streams() const noexcept;
    int intra_op_threads() const noexcept;

    // Runs one frame: `clips` in the InputFormat given at construction, `out` sized
    // output_width x output_height with output_planes planes of output_type.
    // Thread-safe: concurrent callers are served first come, first served by free streams.
    void run(std::span<const FrameView> clips, const MutableFrameView& out) const;
    Frame run(std::span<const FrameView> clips) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mlrt
