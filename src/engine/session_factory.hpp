#pragma once
// Builds ONNX Runtime sessions from EngineOptions: threads, optimisation, logging, provider.
#include <onnxruntime_cxx_api.h>

#include <mutex>
#include <string>
#include <vector>

#include "mlrt/engine.hpp"
#include "mlrt/profile.hpp"

namespace mlrt::detail {

// Owns an OrtPrepackedWeightsContainer: sessions created with the same container share their
// pre-packed weights, so extra streams cost little memory. (The C++ API has no wrapper.)
class SharedWeights {
  public:
    SharedWeights();
    ~SharedWeights();
    SharedWeights(const SharedWeights&) = delete;
    SharedWeights& operator=(const SharedWeights&) = delete;
    OrtPrepackedWeightsContainer* get() const noexcept { return container_; }

  private:
    OrtPrepackedWeightsContainer* container_ = nullptr;
};

// Appends options.provider (with its option set) to `so`; throws Ort::Exception on failure.
void append_provider(Ort::SessionOptions& so, const EngineOptions& options);

// ONNX Runtime's WebGPU provider keeps one device and one command encoder per process (its
// context 0), which concurrent runs corrupt: every WebGPU session's uploads, runs and
// creation take this lock. Streams still overlap everything around the GPU's work.
std::mutex& webgpu_device_lock();

// Profiling: turns ONNX Runtime's profiler on in `so`, writing under the temporary folder.
void enable_profiling(Ort::SessionOptions& so);
// Ends `session`'s profiling, reads and removes its file, and returns what it recorded after its
// first `skip_runs` runs.
Profile end_profiling(Ort::Session& session, int skip_runs);

// Intra-op threads per stream when the caller leaves it to us: the cores split across streams.
int default_intra_op_threads(int num_streams);

// `stream_index` selects which cores this stream's worker threads are pinned to.
Ort::SessionOptions make_session_options(const EngineOptions& options, int intra_op_threads,
                                         int stream_index);

// Creates a session, turning ONNX Runtime's failure into an mlrt::Error that says which
// provider or node failed and, for providers, which ones do load here.
Ort::Session make_session(const std::string& model_bytes,
                          const Ort::SessionOptions& session_options, SharedWeights* shared_weights,
                          const EngineOptions& options, const std::string& model_name);

}  // namespace mlrt::detail
