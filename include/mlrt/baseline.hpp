#pragma once
// The engine's yardstick: the unmodified model in one plain ONNX Runtime session, the whole frame
// in one Run call, as a user calling ONNX Runtime directly would run it. `mlrt bench` times the
// engine against it on the same frame, in the same process.
#include <memory>

#include "mlrt/engine_options.hpp"
#include "mlrt/export.hpp"
#include "mlrt/frame.hpp"
#include "mlrt/model_source.hpp"
#include "mlrt/profile.hpp"

namespace mlrt {

class MLRT_API PlainSession {
  public:
    // ONNX Runtime's defaults (all graph optimisations, its own thread pool) except for what
    // `options` says about the provider (provider, device_id, cuda) and `intra_op_threads`
    // (0: ONNX Runtime's default), `allow_spinning` where set, and `profile`. Throws mlrt::Error
    // when ONNX Runtime rejects the model.
    PlainSession(const ModelSource& model, const EngineOptions& options, int intra_op_threads);
    ~PlainSession();
    PlainSession(PlainSession&&) noexcept;
    PlainSession& operator=(PlainSession&&) noexcept;
    PlainSession(const PlainSession&) = delete;
    PlainSession& operator=(const PlainSession&) = delete;

    // The frame every run() feeds: its planes become the model's input tensor [1, C, H, W], in
    // the model's input type (float32 or float16). Copied once, here, not per run.
    void set_input(const FrameView& frame);
    // One Session::Run over the whole frame; the output is discarded.
    void run();
    // With `options.profile`: ends profiling and returns where the runs after the first
    // `warmup_runs` spent their time.
    Profile end_profile(int warmup_runs = 0);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mlrt
