#include "engine/session_factory.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "engine/ort_env.hpp"
#include "engine/provider_options.hpp"
#include "mlrt/error.hpp"
#include "mlrt/version.hpp"

namespace mlrt::detail {
namespace {

GraphOptimizationLevel ort_level(GraphOptimization g) {
    switch (g) {
        case GraphOptimization::Disabled:
            return ORT_DISABLE_ALL;
        case GraphOptimization::Basic:
            return ORT_ENABLE_BASIC;
        case GraphOptimization::Extended:
            return ORT_ENABLE_EXTENDED;
        case GraphOptimization::All:
            return ORT_ENABLE_ALL;
    }
    return ORT_ENABLE_ALL;
}

std::string loadable_list() {
    std::string s;
    for (Provider p : loadable_providers()) s += std::string(s.empty() ? "" : ", ") + to_string(p);
    return s;
}

bool contains(const std::string& s, std::string_view part) {
    return s.find(part) != std::string::npos;
}

// ONNX Runtime's reason names its own source files and library paths; what the user needs is
// which ONNX Runtime build and which CUDA and cuDNN the provider wants.
std::string cuda_problem(const std::string& why) {
    const std::string runtime = "this ONNX Runtime (" + Ort::GetVersionString() + ")";
    const std::string needs =
        "CUDA needs ONNX Runtime's GPU build (onnxruntime-gpu " + Ort::GetVersionString() +
        ", for CUDA 12.x with cuDNN 9) installed on the system, which scripts/setup.sh then "
        "prefers, and the CUDA 12 and cuDNN 9 libraries on the library path. Without CUDA, the "
        "WEBGPU backend runs on NVIDIA GPUs through their Vulkan driver";
    if (contains(why, "libonnxruntime_providers_shared") ||
        contains(why, "libonnxruntime_providers_cuda.so: cannot open"))
        return runtime + " has no CUDA provider library. " + needs;
    for (const char* lib : {"libcudart", "libcublas", "libcudnn", "libcufft", "libcurand"})
        if (contains(why, lib))
            return "ONNX Runtime's CUDA provider cannot load " + std::string(lib) +
                   " (CUDA 12.x and cuDNN 9 are needed). " + needs;
    return runtime + "'s CUDA provider failed to load: " + why + ". " + needs;
}

[[noreturn]] void provider_error(Provider p, const std::string& why) {
    const std::string reason = p == Provider::CUDA ? cuda_problem(why) : why;
    throw Error(ErrorKind::Provider, std::string("provider ") + to_string(p) +
                                         " cannot be loaded: " + reason +
                                         " (providers that load here: " + loadable_list() + ")");
}

}  // namespace

void append_provider(Ort::SessionOptions& so, const EngineOptions& options) {
    // Providers log while they load; without the environment's logger their real failure
    // reason is replaced by "Attempt to use DefaultLogger but none has been registered".
    (void)ort_env();
    const auto set = provider_option_set(options);
    std::vector<const char*> keys, values;
    for (const auto& [k, v] : set.options) {
        keys.push_back(k.c_str());
        values.push_back(v.c_str());
    }
    switch (options.provider) {
        case Provider::CPU:
            return;
        case Provider::CUDA: {
            const OrtApi& api = Ort::GetApi();
            OrtCUDAProviderOptionsV2* cuda = nullptr;
            Ort::ThrowOnError(api.CreateCUDAProviderOptions(&cuda));
            std::unique_ptr<OrtCUDAProviderOptionsV2, void (*)(OrtCUDAProviderOptionsV2*)> guard(
                cuda, api.ReleaseCUDAProviderOptions);
            Ort::ThrowOnError(
                api.UpdateCUDAProviderOptions(cuda, keys.data(), values.data(), keys.size()));
            // Each session's CUDA provider creates its own compute stream, so streams never
            // serialise on one another.
            so.AppendExecutionProvider_CUDA_V2(*cuda);
            return;
        }
        case Provider::DML:
            so.AppendExecutionProvider("DML", set.as_map());
            return;
        case Provider::CoreML:
            so.AppendExecutionProvider("CoreML", set.as_map());
            return;
        case Provider::WebGPU:
            so.AppendExecutionProvider("WebGPU", set.as_map());
            return;
    }
}

std::mutex& webgpu_device_lock() {
    static std::mutex m;
    return m;
}

SharedWeights::SharedWeights() {
    Ort::ThrowOnError(Ort::GetApi().CreatePrepackedWeightsContainer(&container_));
}
SharedWeights::~SharedWeights() {
    Ort::GetApi().ReleasePrepackedWeightsContainer(container_);
}

int default_intra_op_threads(int num_streams) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return std::max(1, cores / std::max(1, num_streams));
}

void enable_profiling(Ort::SessionOptions& so) {
    static std::atomic<int> counter{0};
    const auto prefix =
        std::filesystem::temp_directory_path() /
        ("mlrt-profile-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)));
    so.EnableProfiling(prefix.c_str());
}

Profile end_profiling(Ort::Session& session, int skip_runs) {
    Ort::AllocatorWithDefaultOptions alloc;
    const std::string path = session.EndProfilingAllocated(alloc).get();
    std::ifstream in(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    if (text.empty())
        throw Error(ErrorKind::Runtime, "ONNX Runtime's profile '" + path + "' could not be read");
    return parse_ort_profile(text, skip_runs);
}

Ort::SessionOptions make_session_options(const EngineOptions& options, int intra_op_threads,
                                         int stream_index) {
    Ort::SessionOptions so;
    so.SetIntraOpNumThreads(intra_op_threads);
    so.SetInterOpNumThreads(1);
    so.SetExecutionMode(ORT_SEQUENTIAL);
    so.SetGraphOptimizationLevel(ort_level(options.graph_optimization));
    so.SetLogSeverityLevel(static_cast<int>(options.log_severity));
    so.SetLogId("mlrt");
    // Spinning workers steal the cores another stream needs; one stream may spin for latency.
    const bool spin = options.allow_spinning.value_or(options.num_streams <= 1);
    so.AddConfigEntry("session.intra_op.allow_spinning", spin ? "1" : "0");
    // Pin each stream's worker threads to its own cores so streams never share one. The caller
    // thread is worker 0 and is not pinned, hence threads - 1 entries.
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    if (intra_op_threads > 1 && options.num_streams > 1 &&
        cores >= options.num_streams * intra_op_threads) {
        std::string affinity;
        const int first = stream_index * intra_op_threads + 1;  // 1-based logical processors
        for (int t = 1; t < intra_op_threads; ++t)
            affinity += (affinity.empty() ? "" : ";") + std::to_string(first + t);
        so.AddConfigEntry("session.intra_op_thread_affinities", affinity.c_str());
    }
    try {
        append_provider(so, options);
    } catch (const Ort::Exception& e) {
        provider_error(options.provider, e.what());
    }
    return so;
}

Ort::Session make_session(const std::string& model_bytes,
                          const Ort::SessionOptions& session_options, SharedWeights* shared_weights,
                          const EngineOptions& options, const std::string& model_name) {
    std::unique_lock<std::mutex> device;
    if (options.provider == Provider::WebGPU) device = std::unique_lock(webgpu_device_lock());
    try {
        if (shared_weights)
            return Ort::Session(ort_env(), model_bytes.data(), model_bytes.size(), session_options,
                                shared_weights->get());
        return Ort::Session(ort_env(), model_bytes.data(), model_bytes.size(), session_options);
    } catch (const Ort::Exception& e) {
        const std::string what = e.what();
        if (options.provider != Provider::CPU &&
            (what.find("provider") != std::string::npos ||
             what.find("Provider") != std::string::npos || what.find("CUDA") != std::string::npos ||
             what.find("cuda") != std::string::npos))
            provider_error(options.provider, what);
        throw Error(ErrorKind::InvalidModel,
                    model_name + ": ONNX Runtime rejected the model: " + what);
    }
}

}  // namespace mlrt::detail
