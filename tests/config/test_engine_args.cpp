// engine_options_from_args and model_source_from_args: the ort.Model arguments, their defaults,
// and an error naming the argument for every bad value.
#include <gtest/gtest.h>

#include "mlrt/config/backends.hpp"
#include "mlrt/config/engine_args.hpp"
#include "test_util.hpp"

using namespace mlrt;
using namespace mlrt::config;
using mlrt::test::error_of;

namespace {

using I = std::int64_t;
using Ints = std::vector<std::int64_t>;

TEST(EngineArgs, EmptyMapGivesThePluginDefaults) {
    const EngineOptions o = engine_options_from_args({});
    EXPECT_EQ(o.provider, Provider::CPU);
    EXPECT_EQ(o.device_id, 0);
    EXPECT_EQ(o.num_streams, 1);
    EXPECT_EQ(o.log_severity, LogSeverity::Warning);
    EXPECT_TRUE(o.cuda.cudnn_benchmark);
    EXPECT_FALSE(o.cuda.use_cuda_graph);
    EXPECT_FALSE(o.cuda.tf32);
    EXPECT_FALSE(o.cuda.prefer_nhwc);
    EXPECT_FALSE(o.coreml_ml_program);
    EXPECT_FALSE(o.fp16);
    EXPECT_FALSE(o.fp16_blacklist.has_value());
    EXPECT_FALSE(o.output_type.has_value());
    EXPECT_FALSE(o.flexible_output);
    EXPECT_EQ(o.tile_width, 0);
    EXPECT_EQ(o.tile_height, 0);
    EXPECT_EQ(o.overlap_width, 0);
    EXPECT_EQ(o.overlap_height, 0);
    EXPECT_EQ(o.tile_mode, TileMode::Literal);
    EXPECT_EQ(engine_options_from_args({}, TileMode::Balanced).tile_mode, TileMode::Balanced);
}

TEST(EngineArgs, EveryArgumentIsRead) {
    const EngineOptions o = engine_options_from_args({
        {"overlap", Ints{8, 4}},
        {"tilesize", Ints{64, 32}},
        {"provider", std::string("CUDA")},
        {"device_id", I{1}},
        {"num_streams", I{3}},
        {"verbosity", I{0}},
        {"cudnn_benchmark", false},
        {"fp16", true},
        {"use_cuda_graph", I{1}},
        {"fp16_blacklist_ops", std::vector<std::string>{"Resize"}},
        {"prefer_nhwc", true},
        {"output_format", I{1}},
        {"tf32", true},
        {"flexible_output_prop", std::string("P")},
        {"ml_program", I{1}},
        {"tile_mode", std::string("Balanced")},
        {"intra_op_threads", I{2}},
    });
    EXPECT_EQ(o.overlap_width, 8);
    EXPECT_EQ(o.overlap_height, 4);
    EXPECT_EQ(o.tile_width, 64);
    EXPECT_EQ(o.tile_height, 32);
    EXPECT_EQ(o.provider, Provider::CUDA);
    EXPECT_EQ(o.device_id, 1);
    EXPECT_EQ(o.num_streams, 3);
    EXPECT_EQ(o.log_severity, LogSeverity::Verbose);
    EXPECT_FALSE(o.cuda.cudnn_benchmark);
    EXPECT_TRUE(o.fp16);
    EXPECT_TRUE(o.cuda.use_cuda_graph);
    EXPECT_EQ(o.fp16_blacklist, std::vector<std::string>{"Resize"});
    EXPECT_TRUE(o.cuda.prefer_nhwc);
    EXPECT_EQ(o.output_type, SampleType::Float16);
    EXPECT_TRUE(o.cuda.tf32);
    EXPECT_TRUE(o.flexible_output);
    EXPECT_TRUE(o.coreml_ml_program);
    EXPECT_EQ(o.tile_mode, TileMode::Balanced);
    EXPECT_EQ(o.intra_op_threads, 2);
    EXPECT_EQ(flexible_output_prop_from_args({{"flexible_output_prop", std::string("P")}}), "P");
    EXPECT_EQ(flexible_output_prop_from_args({}), std::nullopt);
}

TEST(EngineArgs, SingleValuesAndScalarsForLists) {
    const EngineOptions o = engine_options_from_args(
        {{"overlap", I{2}}, {"tilesize", Ints{16}}, {"fp16_blacklist_ops", std::string("Max")}});
    EXPECT_EQ(o.overlap_width, 2);
    EXPECT_EQ(o.overlap_height, 2);
    EXPECT_EQ(o.tile_width, 16);
    EXPECT_EQ(o.tile_height, 16);
    EXPECT_EQ(o.fp16_blacklist, std::vector<std::string>{"Max"});
}

TEST(EngineArgs, OutputFormatFollowsUpstream) {
    // With fp16 the output is float32 unless output_format is 1; without, the model's own type.
    EXPECT_EQ(engine_options_from_args({{"fp16", true}}).output_type, SampleType::Float32);
    EXPECT_EQ(engine_options_from_args({{"fp16", true}, {"output_format", I{1}}}).output_type,
              SampleType::Float16);
    EXPECT_EQ(engine_options_from_args({{"output_format", I{1}}}).output_type, std::nullopt);
}

TEST(EngineArgs, NoneMeansNotGiven) {
    const ArgValue None = std::monostate{};
    const EngineOptions o = engine_options_from_args(
        {{"fp16_blacklist_ops", None}, {"verbosity", None}, {"provider", None}});
    EXPECT_FALSE(o.fp16_blacklist.has_value());
    EXPECT_EQ(o.log_severity, LogSeverity::Warning);
    EXPECT_EQ(o.provider, Provider::CPU);
}

TEST(EngineArgs, ProviderNames) {
    EXPECT_EQ(engine_options_from_args({{"provider", std::string("")}}).provider, Provider::CPU);
    EXPECT_EQ(engine_options_from_args({{"provider", std::string("CPU")}}).provider, Provider::CPU);
    EXPECT_EQ(engine_options_from_args({{"provider", std::string("DML")}}).provider, Provider::DML);
    EXPECT_EQ(engine_options_from_args({{"provider", std::string("COREML")}}).provider,
              Provider::CoreML);
}

TEST(EngineArgs, GetArgsOfEveryBackendIsAccepted) {
    const struct {
        Backend backend;
        Provider provider;
    } table[] = {
        {ORT_CPU(), Provider::CPU},
        {ORT_CUDA({.device_id = 1, .tf32 = true}), Provider::CUDA},
        {ORT_DML({.device_id = 2}), Provider::DML},
        {ORT_COREML({.ml_program = ORT_COREML::Provider::ML_PROGRAM}), Provider::CoreML},
    };
    for (const auto& row : table) {
        const EngineOptions o = engine_options_from_args(get_args(row.backend));
        EXPECT_EQ(o.provider, row.provider) << to_string(row.backend);
        EXPECT_TRUE(o.fp16);
        EXPECT_EQ(o.output_type, SampleType::Float16);
    }
    const EngineOptions cuda = engine_options_from_args(get_args(table[1].backend));
    EXPECT_EQ(cuda.device_id, 1);
    EXPECT_TRUE(cuda.cuda.tf32);
    EXPECT_EQ(engine_options_from_args(get_args(table[2].backend)).device_id, 2);
    EXPECT_TRUE(engine_options_from_args(get_args(table[3].backend)).coreml_ml_program);
}

// Each bad map, and a word its error message must contain besides the argument name.
struct BadArg {
    ArgMap args;
    std::string names;
};

TEST(EngineArgs, BadValuesAreErrorsNamingTheArgument) {
    const BadArg table[] = {
        {{{"num_streams", I{-1}}}, "num_streams"},
        {{{"num_streams", I{0}}}, "num_streams"},
        {{{"provider", std::string("TPU")}}, "provider"},
        {{{"provider", I{1}}}, "provider"},
        {{{"ml_program", I{2}}}, "ml_program"},
        {{{"output_format", I{2}}}, "output_format"},
        {{{"output_format", I{-1}}}, "output_format"},
        {{{"overlap", I{-1}}, {"tilesize", I{8}}}, "overlap"},
        {{{"overlap", Ints{1, 2, 3}}, {"tilesize", I{8}}}, "overlap"},
        {{{"overlap", Ints{}}, {"tilesize", I{8}}}, "overlap"},
        {{{"overlap", I{4}}, {"tilesize", I{8}}}, "overlap"},
        {{{"overlap", I{2}}}, "tilesize"},
        {{{"tilesize", I{0}}}, "tilesize"},
        {{{"tilesize", Ints{8, 8, 8}}}, "tilesize"},
        {{{"tilesize", std::string("8")}}, "tilesize"},
        {{{"device_id", I{-1}}}, "device_id"},
        {{{"device_id", 1.5}}, "device_id"},
        {{{"verbosity", I{5}}}, "verbosity"},
        {{{"fp16", I{2}}}, "fp16"},
        {{{"fp16", std::string("yes")}}, "fp16"},
        {{{"tf32", 1.0}}, "tf32"},
        {{{"cudnn_benchmark", Ints{1}}}, "cudnn_benchmark"},
        {{{"use_cuda_graph", I{-1}}}, "use_cuda_graph"},
        {{{"prefer_nhwc", std::string("")}}, "prefer_nhwc"},
        {{{"fp16_blacklist_ops", I{1}}}, "fp16_blacklist_ops"},
        {{{"flexible_output_prop", std::string("")}}, "flexible_output_prop"},
        {{{"flexible_output_prop", I{1}}}, "flexible_output_prop"},
        {{{"tile_mode", std::string("square")}}, "tile_mode"},
        {{{"tile_mode", std::string("literal")}, {"balanced", true}}, "balanced"},
        {{{"intra_op_threads", I{-2}}}, "intra_op_threads"},
        {{{"tilesizes", I{8}}}, "tilesizes"},
    };
    for (const BadArg& row : table) {
        const std::string msg = error_of([&] { engine_options_from_args(row.args); });
        EXPECT_NE(msg.find("'" + row.names + "'"), std::string::npos)
            << to_string(row.args) << " -> " << msg;
        EXPECT_NE(msg.find("ort.Model"), std::string::npos) << msg;
    }
}

TEST(EngineArgs, TileSizesAreBounded) {
    // Found by the args fuzzer: huge values overflowed the tile arithmetic.
    const std::string msg = error_of([] {
        engine_options_from_args({{"overlap", Ints{1610638960}}, {"tilesize", Ints{64}}});
    });
    EXPECT_NE(msg.find("'overlap' values must be between 0 and 1048576, got 1610638960"),
              std::string::npos)
        << msg;
}

TEST(EngineArgs, ModelKeysAreLeftToTheModelSource) {
    EXPECT_NO_THROW(engine_options_from_args({{"network_path", std::string("a.onnx")},
                                              {"builtin", true},
                                              {"builtindir", std::string("m")},
                                              {"path_is_serialization", false}}));
}

TEST(ModelSourceArgs, PathBuiltinAndSerialization) {
    const ModelSource file =
        model_source_from_args({{"network_path", std::string("dir/a.onnx")}}, "/plugins");
    EXPECT_TRUE(file.is_path());
    EXPECT_EQ(file.path(), std::filesystem::path("dir/a.onnx"));

    const ModelSource builtin = model_source_from_args(
        {{"network_path", std::string("x/a.onnx")}, {"builtin", true}}, "/plugins");
    EXPECT_EQ(builtin.path(), std::filesystem::path("/plugins/models/x/a.onnx"));

    const ModelSource builtindir = model_source_from_args({{"network_path", std::string("a.onnx")},
                                                           {"builtin", I{1}},
                                                           {"builtindir", std::string("nets")}},
                                                          "/plugins");
    EXPECT_EQ(builtindir.path(), std::filesystem::path("/plugins/nets/a.onnx"));

    const std::string bytes("\x08\x07\x12\x00", 4);
    const ModelSource serialized = model_source_from_args(
        {{"network_path", bytes}, {"path_is_serialization", true}}, "/plugins");
    EXPECT_FALSE(serialized.is_path());
    EXPECT_EQ(serialized.bytes(), bytes);
}

TEST(ModelSourceArgs, Errors) {
    const BadArg table[] = {
        {{}, "network_path"},
        {{{"network_path", std::string("")}}, "network_path"},
        {{{"network_path", I{3}}}, "network_path"},
        {{{"network_path", std::string("a")}, {"builtin", std::string("1")}}, "builtin"},
        {{{"network_path", std::string("a")}, {"builtin", true}, {"path_is_serialization", true}},
         "builtin"},
        {{{"network_path", std::string("a")}, {"builtin", true}, {"builtindir", I{1}}},
         "builtindir"},
        {{{"network_path", std::string("a")}, {"path_is_serialization", I{7}}},
         "path_is_serialization"},
    };
    for (const BadArg& row : table) {
        const std::string msg = error_of([&] { model_source_from_args(row.args, "/p"); });
        EXPECT_NE(msg.find("'" + row.names + "'"), std::string::npos)
            << to_string(row.args) << " -> " << msg;
    }
}

}  // namespace
