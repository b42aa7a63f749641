// The backend value types against the reference: fields, defaults, validation, identity and
// string form.
#include <gtest/gtest.h>

#include <sstream>
#include <unordered_set>

#include "mlrt/config/backends.hpp"
#include "test_util.hpp"

using namespace mlrt;
using namespace mlrt::config;
using mlrt::test::error_of;
using mlrt::test::ScopedLogLevel;

namespace {

// Every type's default string form lists every field with its reference default, in order.
TEST(Backends, DefaultsMatchTheReference) {
    const ScopedLogLevel level(LogLevel::WARNING);
    const struct {
        std::string actual;
        std::string expected;
    } table[] = {
        {to_string(ORT()),
         "ORT(num_streams=1, verbosity=2, fp16=True, fp16_blacklist_ops=None, output_format=None)"},
        {to_string(ORT_CPU()),
         "ORT_CPU(num_streams=1, verbosity=2, fp16=True, fp16_blacklist_ops=None, "
         "output_format=None)"},
        {to_string(ORT_CUDA()),
         "ORT_CUDA(num_streams=1, verbosity=2, fp16=True, fp16_blacklist_ops=None, "
         "output_format=None, device_id=0, cudnn_benchmark=True, use_cuda_graph=False, "
         "tf32=False, prefer_nhwc=False)"},
        {to_string(ORT_DML()),
         "ORT_DML(num_streams=1, verbosity=2, fp16=True, fp16_blacklist_ops=None, "
         "output_format=None, device_id=0)"},
        {to_string(ORT_COREML()),
         "ORT_COREML(num_streams=1, verbosity=2, fp16=True, fp16_blacklist_ops=None, "
         "output_format=None, ml_program=Provider.NEURAL_NETWORK)"},
    };
    for (const auto& row : table) EXPECT_EQ(row.actual, row.expected);
}

TEST(Backends, DefaultFieldValues) {
    const ScopedLogLevel level(LogLevel::WARNING);
    const ORT_CUDA cuda;
    EXPECT_EQ(cuda.num_streams(), 1);
    EXPECT_EQ(cuda.verbosity(), Verbosity::WARNING);
    EXPECT_TRUE(cuda.fp16());
    EXPECT_FALSE(cuda.fp16_blacklist_ops().has_value());
    EXPECT_FALSE(cuda.output_format().has_value());
    EXPECT_EQ(cuda.device_id(), 0);
    EXPECT_TRUE(cuda.cudnn_benchmark());
    EXPECT_FALSE(cuda.use_cuda_graph());
    EXPECT_FALSE(cuda.tf32());
    EXPECT_FALSE(cuda.prefer_nhwc());
    EXPECT_EQ(ORT_DML().device_id(), 0);
    EXPECT_EQ(ORT_COREML().ml_program(), ORT_COREML::Provider::NEURAL_NETWORK);
    EXPECT_EQ(static_cast<int>(ORT_COREML::Provider::NEURAL_NETWORK), 0);
    EXPECT_EQ(static_cast<int>(ORT_COREML::Provider::ML_PROGRAM), 1);
    EXPECT_EQ(static_cast<int>(OutputFormat::FP32), 0);
    EXPECT_EQ(static_cast<int>(OutputFormat::FP16), 1);
    EXPECT_EQ(ORT::flexible_output_prop, "MlrtFlexible");
    EXPECT_EQ(ORT_CPU::provider, "CPU");
    EXPECT_EQ(ORT_CUDA::provider, "CUDA");
    EXPECT_EQ(ORT_DML::provider, "DML");
    EXPECT_EQ(ORT_COREML::provider, "COREML");
}

TEST(Backends, GivenFieldsAreKept) {
    const ORT_CUDA cuda({.num_streams = 3,
                         .verbosity = Verbosity::INFO,
                         .fp16 = false,
                         .fp16_blacklist_ops = std::vector<std::string>{"Resize"},
                         .output_format = OutputFormat::FP16,
                         .device_id = 2,
                         .cudnn_benchmark = false,
                         .use_cuda_graph = true,
                         .tf32 = true,
                         .prefer_nhwc = true});
    EXPECT_EQ(to_string(cuda),
              "ORT_CUDA(num_streams=3, verbosity=1, fp16=False, fp16_blacklist_ops=['Resize'], "
              "output_format=OutputFormat.FP16, device_id=2, cudnn_benchmark=False, "
              "use_cuda_graph=True, tf32=True, prefer_nhwc=True)");
    const ORT_COREML coreml({.ml_program = ORT_COREML::Provider::ML_PROGRAM});
    EXPECT_EQ(coreml.ml_program(), ORT_COREML::Provider::ML_PROGRAM);
    EXPECT_EQ(ORT_DML({.device_id = 4}).device_id(), 4);
}

TEST(Backends, UnsetVerbosityFollowsTheLogLevelAtConstruction) {
    const ScopedLogLevel level(LogLevel::DEBUG);
    const ORT_CPU debug;
    EXPECT_EQ(debug.verbosity(), Verbosity::VERBOSE);
    set_log_level(LogLevel::CRITICAL);
    EXPECT_EQ(debug.verbosity(), Verbosity::VERBOSE) << "resolved once, when built";
    EXPECT_EQ(ORT_CPU().verbosity(), Verbosity::FATAL);
    EXPECT_EQ(ORT_CPU({.verbosity = Verbosity::INFO}).verbosity(), Verbosity::INFO);
}

TEST(Backends, OutputFormatResolvesFromFp16) {
    EXPECT_EQ(ORT_CPU().resolved_output_format(), OutputFormat::FP16);
    EXPECT_EQ(ORT_CPU({.fp16 = false}).resolved_output_format(), OutputFormat::FP32);
    EXPECT_EQ(
        ORT_CPU({.fp16 = false, .output_format = OutputFormat::FP16}).resolved_output_format(),
        OutputFormat::FP16);
    EXPECT_EQ(ORT_CPU({.output_format = OutputFormat::FP32}).resolved_output_format(),
              OutputFormat::FP32);
}

TEST(Backends, InvalidValuesAreErrorsNamingTheField) {
    auto msg = error_of([] { ORT_CUDA({.num_streams = -1}); });
    EXPECT_NE(msg.find("ORT_CUDA"), std::string::npos) << msg;
    EXPECT_NE(msg.find("num_streams"), std::string::npos) << msg;
    EXPECT_NE(msg.find("-1"), std::string::npos) << msg;
    msg = error_of([] { ORT_CPU({.num_streams = 0}); });
    EXPECT_NE(msg.find("num_streams"), std::string::npos) << msg;
    msg = error_of([] { ORT_COREML({.ml_program = static_cast<ORT_COREML::Provider>(2)}); });
    EXPECT_NE(msg.find("ml_program"), std::string::npos) << msg;
    msg = error_of([] { ORT_DML({.device_id = -3}); });
    EXPECT_NE(msg.find("device_id"), std::string::npos) << msg;
    msg = error_of([] { ORT_CPU({.verbosity = static_cast<Verbosity>(7)}); });
    EXPECT_NE(msg.find("verbosity"), std::string::npos) << msg;
    msg = error_of([] { ORT_CPU({.output_format = static_cast<OutputFormat>(5)}); });
    EXPECT_NE(msg.find("output_format"), std::string::npos) << msg;
}

TEST(Backends, EqualityAndHash) {
    const ORT_CUDA a({.device_id = 1});
    const ORT_CUDA b({.device_id = 1});
    const ORT_CUDA c({.device_id = 2});
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_EQ(std::hash<ORT_CUDA>{}(a), std::hash<ORT_CUDA>{}(b));
    EXPECT_NE(std::hash<ORT_CUDA>{}(a), std::hash<ORT_CUDA>{}(c));
    EXPECT_NE(ORT_CPU({.fp16_blacklist_ops = std::vector<std::string>{}}), ORT_CPU())
        << "an empty blacklist is not an unset one";

    // As Backends, equal shared fields do not make different providers equal.
    const Backend cpu = ORT_CPU();
    const Backend dml = ORT_DML();
    EXPECT_NE(cpu, dml);
    EXPECT_EQ(cpu, Backend(ORT_CPU()));

    std::unordered_set<Backend> set{ORT_CPU(),    ORT_CPU(), ORT_DML(), ORT_DML({.device_id = 1}),
                                    ORT_COREML(), a,         b};
    EXPECT_EQ(set.size(), 5u);
}

TEST(Backends, WithCopiesAndChangesOneField) {
    const ORT_CUDA base({.num_streams = 2});
    const ORT_CUDA changed = base.with([](auto& o) { o.tf32 = true; });
    EXPECT_FALSE(base.tf32());
    EXPECT_TRUE(changed.tf32());
    EXPECT_EQ(changed.num_streams(), 2);
    EXPECT_EQ(changed.verbosity(), base.verbosity());
    EXPECT_EQ(base.with([](auto&) {}), base);
    EXPECT_NE(error_of([&] { (void)base.with([](auto& o) { o.num_streams = -2; }); }),
              "<no error>");
}

TEST(Backends, FromFields) {
    const ORT_CUDA cuda =
        ORT_CUDA::from_fields({{"device_id", std::int64_t{1}},
                               {"tf32", true},
                               {"verbosity", std::int64_t{0}},
                               {"fp16_blacklist_ops", std::vector<std::string>{"Max"}},
                               {"output_format", std::int64_t{0}}});
    EXPECT_EQ(cuda.device_id(), 1);
    EXPECT_TRUE(cuda.tf32());
    EXPECT_EQ(cuda.verbosity(), Verbosity::VERBOSE);
    EXPECT_EQ(cuda.fp16_blacklist_ops(), std::vector<std::string>{"Max"});
    EXPECT_EQ(cuda.output_format(), OutputFormat::FP32);
    EXPECT_EQ(ORT_COREML::from_fields({{"ml_program", std::int64_t{1}}}).ml_program(),
              ORT_COREML::Provider::ML_PROGRAM);
    EXPECT_EQ(ORT_CPU::from_fields({{"verbosity", std::monostate{}}}), ORT_CPU()) << "None: unset";

    auto msg = error_of([] { ORT_CPU::from_fields({{"device_id", std::int64_t{0}}}); });
    EXPECT_NE(msg.find("ORT_CPU"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'device_id'"), std::string::npos) << msg;
    msg = error_of([] { ORT_COREML::from_fields({{"ml_program", std::int64_t{3}}}); });
    EXPECT_NE(msg.find("ml_program"), std::string::npos) << msg;
    msg = error_of([] { ORT_CUDA::from_fields({{"num_streams", std::int64_t{-4}}}); });
    EXPECT_NE(msg.find("num_streams"), std::string::npos) << msg;
    msg = error_of([] { ORT_CUDA::from_fields({{"tf32", std::string("yes")}}); });
    EXPECT_NE(msg.find("'tf32'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("str"), std::string::npos) << msg;
}

TEST(Backends, BaseFromSharedFields) {
    const ORT base = ORT::from_fields({{"num_streams", std::int64_t{3}}, {"fp16", false}});
    EXPECT_EQ(base.num_streams(), 3);
    EXPECT_FALSE(base.fp16());
    EXPECT_EQ(ORT::from_fields({}), ORT());
    auto msg = error_of([] { ORT::from_fields({{"device_id", std::int64_t{0}}}); });
    EXPECT_NE(msg.find("ORT: argument 'device_id'"), std::string::npos) << msg;
    msg = error_of([] { ORT::from_fields({{"num_streams", std::int64_t{0}}}); });
    EXPECT_NE(msg.find("ORT: argument 'num_streams'"), std::string::npos) << msg;
}

TEST(Backends, MakeBackendByProviderName) {
    EXPECT_EQ(make_backend("CPU"), Backend(ORT_CPU()));
    EXPECT_EQ(make_backend("cuda", {{"device_id", std::int64_t{1}}}),
              Backend(ORT_CUDA({.device_id = 1})));
    EXPECT_EQ(provider_name(make_backend("DML")), "DML");
    EXPECT_EQ(provider_name(make_backend("CoreML")), "COREML");
    EXPECT_EQ(make_backend("WebGPU", {{"device_id", std::int64_t{1}}}),
              Backend(ORT_WEBGPU({.device_id = 1})));
    const auto msg = error_of([] { make_backend("TPU"); });
    EXPECT_NE(msg.find("provider"), std::string::npos) << msg;
    EXPECT_NE(msg.find("TPU"), std::string::npos) << msg;
}

TEST(Backends, CommonAndStringOfBackend) {
    const Backend b = ORT_DML({.num_streams = 4, .device_id = 1});
    EXPECT_EQ(common(b).num_streams(), 4);
    EXPECT_EQ(to_string(b).rfind("ORT_DML(num_streams=4", 0), 0u);
    std::ostringstream os;
    os << ORT_CPU({.verbosity = Verbosity::ERROR});
    EXPECT_EQ(os.str().rfind("ORT_CPU(num_streams=1, verbosity=3", 0), 0u);
}

// The field tables drive options(), with, from_fields, get_args and the checks of every
// provider: each field comes back as given, and the checks' messages name type and field.
TEST(Backends, EveryProviderFieldRoundTrips) {
    const ORT_CUDA cuda({.num_streams = 2,
                         .device_id = 3,
                         .cudnn_benchmark = false,
                         .use_cuda_graph = true,
                         .tf32 = true,
                         .prefer_nhwc = true});
    EXPECT_EQ(ORT_CUDA(cuda.options()), cuda);
    EXPECT_EQ(ORT_CUDA::from_fields({{"num_streams", std::int64_t{2}},
                                     {"device_id", std::int64_t{3}},
                                     {"cudnn_benchmark", false},
                                     {"use_cuda_graph", true},
                                     {"tf32", true},
                                     {"prefer_nhwc", true}}),
              cuda);
    EXPECT_EQ(cuda.with([](auto& o) { o.prefer_nhwc = false; }).get_args().at("prefer_nhwc"),
              ArgValue(false));
    const ORT_COREML coreml({.ml_program = ORT_COREML::Provider::ML_PROGRAM});
    EXPECT_EQ(ORT_COREML(coreml.options()), coreml);
    EXPECT_NE(coreml, ORT_COREML());
    EXPECT_NE(std::hash<ORT_COREML>{}(coreml), std::hash<ORT_COREML>{}(ORT_COREML()));
    EXPECT_EQ(ORT_DML::from_fields({{"device_id", std::int64_t{5}}}).options().device_id, 5);
    const ORT_WEBGPU webgpu({.num_streams = 2, .fp16 = false, .device_id = 1});
    EXPECT_EQ(ORT_WEBGPU(webgpu.options()), webgpu);
    EXPECT_EQ(webgpu.get_args().at("provider"), ArgValue(std::string("WEBGPU")));
    EXPECT_EQ(webgpu.get_args().at("device_id"), ArgValue(std::int64_t{1}));
    EXPECT_EQ(webgpu.repr(),
              "ORT_WEBGPU(num_streams=2, verbosity=" +
                  std::to_string(static_cast<int>(webgpu.verbosity())) +
                  ", fp16=False, fp16_blacklist_ops=None, output_format=None, device_id=1)");
    EXPECT_EQ(error_of([] { ORT_WEBGPU({.device_id = -1}); }),
              "ORT_WEBGPU: argument 'device_id' must be >= 0, got -1");

    EXPECT_EQ(error_of([] { ORT_DML({.device_id = -3}); }),
              "ORT_DML: argument 'device_id' must be >= 0, got -3");
    EXPECT_EQ(error_of([] { ORT_COREML({.ml_program = static_cast<ORT_COREML::Provider>(2)}); }),
              "ORT_COREML: argument 'ml_program' must be 0 (NEURAL_NETWORK) or 1 (ML_PROGRAM), "
              "got 2");
    EXPECT_EQ(error_of([] { ORT_CUDA({.output_format = static_cast<OutputFormat>(5)}); }),
              "ORT_CUDA: argument 'output_format' must be 0 (FP32) or 1 (FP16), got 5");
}

}  // namespace
