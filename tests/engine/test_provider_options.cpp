// The exact option sets handed to ONNX Runtime for each provider.
#include <gtest/gtest.h>

#include "engine/provider_options.hpp"
#include "mlrt/config/backends.hpp"
#include "mlrt/config/engine_args.hpp"

using namespace mlrt;
using mlrt::detail::provider_option_set;
using Options = std::vector<std::pair<std::string, std::string>>;

namespace {

EngineOptions with_provider(Provider p) {
    EngineOptions o;
    o.provider = p;
    return o;
}

TEST(ProviderOptions, CpuHasNone) {
    const auto set = provider_option_set(with_provider(Provider::CPU));
    EXPECT_EQ(set.provider, Provider::CPU);
    EXPECT_EQ(set.ort_name, "CPUExecutionProvider");
    EXPECT_TRUE(set.options.empty());
}

TEST(ProviderOptions, CudaDefaults) {
    const auto set = provider_option_set(with_provider(Provider::CUDA));
    EXPECT_EQ(set.ort_name, "CUDAExecutionProvider");
    EXPECT_EQ(set.options, (Options{{"device_id", "0"},
                                    {"cudnn_conv_algo_search", "EXHAUSTIVE"},
                                    {"enable_cuda_graph", "0"},
                                    {"use_tf32", "0"},
                                    {"prefer_nhwc", "0"},
                                    {"do_copy_in_default_stream", "1"},
                                    {"arena_extend_strategy", "kSameAsRequested"}}));
}

TEST(ProviderOptions, CudaEveryFlagSet) {
    EngineOptions o = with_provider(Provider::CUDA);
    o.device_id = 3;
    o.cuda = {.cudnn_benchmark = false, .use_cuda_graph = true, .tf32 = true, .prefer_nhwc = true};
    const auto map = provider_option_set(o).as_map();
    EXPECT_EQ(map.at("device_id"), "3");
    EXPECT_EQ(map.at("cudnn_conv_algo_search"), "HEURISTIC");
    EXPECT_EQ(map.at("enable_cuda_graph"), "1");
    EXPECT_EQ(map.at("use_tf32"), "1");
    EXPECT_EQ(map.at("prefer_nhwc"), "1");
}

TEST(ProviderOptions, Dml) {
    EngineOptions o = with_provider(Provider::DML);
    o.device_id = 2;
    const auto set = provider_option_set(o);
    EXPECT_EQ(set.ort_name, "DmlExecutionProvider");
    EXPECT_EQ(set.options, (Options{{"device_id", "2"}}));
}

TEST(ProviderOptions, CoremlModelFormat) {
    EngineOptions o = with_provider(Provider::CoreML);
    EXPECT_EQ(provider_option_set(o).options, (Options{{"ModelFormat", "NeuralNetwork"}}));
    o.coreml_ml_program = true;
    const auto set = provider_option_set(o);
    EXPECT_EQ(set.ort_name, "CoreMLExecutionProvider");
    EXPECT_EQ(set.options, (Options{{"ModelFormat", "MLProgram"}}));
}

// From a backend all the way to what ONNX Runtime receives.
TEST(ProviderOptions, FromBackendThroughArgs) {
    using namespace mlrt::config;
    const auto cuda =
        provider_option_set(engine_options_from_args(
                                get_args(ORT_CUDA({.device_id = 1, .cudnn_benchmark = false}))))
            .as_map();
    EXPECT_EQ(cuda.at("device_id"), "1");
    EXPECT_EQ(cuda.at("cudnn_conv_algo_search"), "HEURISTIC");
    EXPECT_EQ(cuda.at("use_tf32"), "0");
    const auto coreml = provider_option_set(engine_options_from_args(
        get_args(ORT_COREML({.ml_program = ORT_COREML::Provider::ML_PROGRAM}))));
    EXPECT_EQ(coreml.as_map().at("ModelFormat"), "MLProgram");
}

}  // namespace
