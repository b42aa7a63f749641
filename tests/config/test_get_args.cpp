// get_args: the reference's keys, value types and values for every backend.
#include <gtest/gtest.h>

#include "mlrt/config/backends.hpp"
#include "test_util.hpp"

using namespace mlrt;
using namespace mlrt::config;
using mlrt::test::ScopedLogLevel;

namespace {

using I = std::int64_t;
const ArgValue None = std::monostate{};

ArgMap base_args(std::string provider) {
    return {{"fp16", true},        {"output_format", I{1}}, {"provider", std::move(provider)},
            {"num_streams", I{1}}, {"verbosity", I{2}},     {"fp16_blacklist_ops", None}};
}

TEST(GetArgs, CpuHasTheBaseKeys) {
    const ScopedLogLevel level(LogLevel::WARNING);
    EXPECT_EQ(ORT_CPU().get_args(), base_args("CPU"));
}

TEST(GetArgs, CudaAddsItsFields) {
    const ScopedLogLevel level(LogLevel::WARNING);
    ArgMap expected = base_args("CUDA");
    expected.insert({{"device_id", I{0}},
                     {"cudnn_benchmark", true},
                     {"use_cuda_graph", false},
                     {"prefer_nhwc", false},
                     {"tf32", false}});
    EXPECT_EQ(ORT_CUDA().get_args(), expected);

    const ArgMap set = ORT_CUDA({.device_id = 3,
                                 .cudnn_benchmark = false,
                                 .use_cuda_graph = true,
                                 .tf32 = true,
                                 .prefer_nhwc = true})
                           .get_args();
    EXPECT_EQ(set.at("device_id"), ArgValue(I{3}));
    EXPECT_EQ(set.at("cudnn_benchmark"), ArgValue(false));
    EXPECT_EQ(set.at("use_cuda_graph"), ArgValue(true));
    EXPECT_EQ(set.at("tf32"), ArgValue(true));
    EXPECT_EQ(set.at("prefer_nhwc"), ArgValue(true));
}

TEST(GetArgs, DmlAddsDeviceId) {
    const ScopedLogLevel level(LogLevel::WARNING);
    ArgMap expected = base_args("DML");
    expected["device_id"] = I{2};
    EXPECT_EQ(ORT_DML({.device_id = 2}).get_args(), expected);
}

TEST(GetArgs, CoremlAddsMlProgramAsInt) {
    const ScopedLogLevel level(LogLevel::WARNING);
    ArgMap expected = base_args("COREML");
    expected["ml_program"] = I{0};
    EXPECT_EQ(ORT_COREML().get_args(), expected);
    EXPECT_EQ(
        ORT_COREML({.ml_program = ORT_COREML::Provider::ML_PROGRAM}).get_args().at("ml_program"),
        ArgValue(I{1}));
}

TEST(GetArgs, OutputFormatIsResolved) {
    const struct {
        bool fp16;
        std::optional<OutputFormat> given;
        std::int64_t expected;
    } table[] = {
        {true, std::nullopt, 1},       {false, std::nullopt, 0},
        {true, OutputFormat::FP32, 0}, {false, OutputFormat::FP16, 1},
        {true, OutputFormat::FP16, 1},
    };
    for (const auto& row : table) {
        const ArgMap args = ORT_CPU({.fp16 = row.fp16, .output_format = row.given}).get_args();
        EXPECT_EQ(args.at("output_format"), ArgValue(row.expected))
            << "fp16=" << row.fp16 << " given=" << (row.given ? static_cast<int>(*row.given) : -1);
        EXPECT_EQ(args.at("fp16"), ArgValue(row.fp16));
    }
}

TEST(GetArgs, VerbosityUnsetComesFromTheLogLevel) {
    const struct {
        int level;
        std::int64_t expected;
    } table[] = {{LogLevel::DEBUG, 0},
                 {LogLevel::INFO, 1},
                 {LogLevel::WARNING, 2},
                 {LogLevel::ERROR, 3},
                 {LogLevel::CRITICAL, 4},
                 {LogLevel::NOTSET, 2},
                 {25, 2}};
    for (const auto& row : table) {
        const ScopedLogLevel level(row.level);
        EXPECT_EQ(ORT_DML().get_args().at("verbosity"), ArgValue(row.expected)) << row.level;
    }
    const ScopedLogLevel level(LogLevel::DEBUG);
    EXPECT_EQ(ORT_DML({.verbosity = Verbosity::FATAL}).get_args().at("verbosity"), ArgValue(I{4}))
        << "a given verbosity wins over the log level";
}

TEST(GetArgs, BlacklistAndStreams) {
    const ArgMap args =
        ORT_CPU({.num_streams = 4, .fp16_blacklist_ops = std::vector<std::string>{"Resize", "Max"}})
            .get_args();
    EXPECT_EQ(args.at("num_streams"), ArgValue(I{4}));
    EXPECT_EQ(args.at("fp16_blacklist_ops"), ArgValue(std::vector<std::string>{"Resize", "Max"}));
}

TEST(GetArgs, ThroughBackendAndWithClips) {
    const Backend b = ORT_DML({.device_id = 1});
    EXPECT_EQ(get_args(b), std::get<ORT_DML>(b).get_args());
    EXPECT_EQ(get_args(b, {}), get_args(b));
}

}  // namespace
