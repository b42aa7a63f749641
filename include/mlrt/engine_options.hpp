#pragma once
// Everything that configures an Engine besides the model and the frame geometry.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mlrt/frame.hpp"
#include "mlrt/log_severity.hpp"
#include "mlrt/provider.hpp"
#include "mlrt/tiling.hpp"

namespace mlrt {

struct Int8Calibration;  // mlrt/int8.hpp

enum class GraphOptimization { Disabled, Basic, Extended, All };

struct CudaOptions {
    bool cudnn_benchmark = true;  // exhaustive convolution algorithm search
    bool use_cuda_graph = false;
    bool tf32 = false;
    bool prefer_nhwc = false;
};

enum class PowerPreference { HighPerformance, LowPower };
enum class TensorLayout { NHWC, NCHW };

struct WebGpuOptions {
    // Which adapter Dawn asks for when device_id is 0: ONNX Runtime's WebGPU provider selects its
    // adapter by power preference, not by index.
    PowerPreference power_preference = PowerPreference::HighPerformance;
    TensorLayout layout = TensorLayout::NHWC;  // the layout its convolutions prefer
    // Dawn's API validation: for debugging, it costs speed. (ONNX Runtime's graph capture is not
    // offered: it replays the buffers bound when it captured, and tiles are uploaded per run.)
    bool validation = false;
};

struct EngineOptions {
    Provider provider = Provider::CPU;
    int device_id = 0;
    CudaOptions cuda;
    WebGpuOptions webgpu;
    bool coreml_ml_program = false;  // CoreML: MLProgram instead of NeuralNetwork

    int num_streams = 1;
    LogSeverity log_severity = LogSeverity::Warning;

    int tile_width = 0;  // 0: the whole frame
    int tile_height = 0;
    int overlap_width = 0;
    int overlap_height = 0;
    TileMode tile_mode = TileMode::Balanced;

    int intra_op_threads = 0;            // per stream; 0: the cores split across streams
    std::optional<bool> allow_spinning;  // unset: spin only with a single stream
    GraphOptimization graph_optimization = GraphOptimization::All;
    // On the CPU provider, nodes mlrt has a faster kernel for (Resize: separable and threaded,
    // where ONNX Runtime's cubic is single-threaded; DepthToSpace) run on mlrt's kernel, and a
    // strided ConvTranspose runs as Conv + DepthToSpace; false keeps all of them ONNX Runtime's
    // (for comparisons). int8 rewrites its ConvTransposes whatever this says.
    bool own_kernels = true;
    // ONNX Runtime's per-node profiler on the first stream's session (Engine::end_profile()).
    bool profile = false;

    // Precision. With fp16 the engine converts the model's float tensors to float16 itself.
    bool fp16 = false;
    std::optional<std::vector<std::string>> fp16_blacklist;  // unset: the default list
    std::optional<SampleType> output_type;  // unset: float16 when fp16, else the model's
    // Converted models (float16, int8) are cached here; empty: $MLRT_CACHE_DIR or ~/.cache/mlrt.
    std::filesystem::path fp16_cache_dir;

    // With int8 the engine quantizes the float32 model to int8 (QDQ) itself, with activation
    // ranges from a calibration of this model (mlrt/int8.hpp). Excludes fp16; float16 frames
    // still work (the graph casts at its boundary).
    bool int8 = false;
    std::shared_ptr<const Int8Calibration> int8_calibration;
    std::optional<std::vector<std::string>> int8_blacklist;  // unset: {"first", "last"}

    // Accept any output channel count; each channel becomes its own GRAY plane.
    bool flexible_output = false;
};

}  // namespace mlrt
