#pragma once
// The fuzz targets' bodies, shared by the libFuzzer entry points and by the regression test
// that replays every input a fuzzer ever found (tests/engine/test_fuzz_regressions.cpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/fp16/fp16.hpp"
#include "engine/ncnn/import.hpp"
#include "mlrt/config/backends.hpp"
#include "mlrt/config/engine_args.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/error.hpp"
#include "mlrt/inspect.hpp"
#include "outcome.hpp"

namespace mlrt::fuzz {

// Model loading and preparation from arbitrary bytes, and `mlrt info`'s inspection of them (its
// compute estimate runs ONNX shape inference on whatever ONNX Runtime accepts): every outcome
// must be a prepared engine or an mlrt::Error, never a crash, hang or leak.
inline Outcome model_load_outcome(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return {};
    // The first byte picks the frame geometry and tiling, so shapes vary with the model.
    const std::uint8_t knobs = data[0];
    mlrt::InputFormat format{8 + (knobs & 7) * 3,
                             8 + ((knobs >> 3) & 7) * 2,
                             mlrt::SampleType::Float32,
                             {1 + (knobs >> 6)}};
    mlrt::EngineOptions options;
    options.intra_op_threads = 1;
    options.log_severity = mlrt::LogSeverity::Fatal;
    if (knobs & 0x20) {
        options.tile_width = options.tile_height = 8;
        options.overlap_width = options.overlap_height = 1;
    }
    try {
        const auto source = mlrt::ModelSource::from_bytes(
            std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
        (void)mlrt::describe_model(source);
        std::string why;
        (void)mlrt::estimate_compute(source, format.width, format.height, &why);
        mlrt::Engine engine(source, format, options);
        // Guard the fuzzer's memory: a valid model may legitimately ask for huge outputs.
        if (static_cast<long long>(engine.output_width()) * engine.output_height() *
                engine.output_planes() >
            (1 << 22))
            return {};
        std::vector<mlrt::Frame> frames;
        std::vector<mlrt::FrameView> views;
        for (int planes : format.planes_per_clip)
            frames.emplace_back(format.width, format.height, planes, format.type);
        for (auto& f : frames) views.push_back(f.view());
        (void)engine.run(views);
    } catch (const mlrt::Error& e) {
        return {false, e.what()};
    }
    return {};
}

// The float16 graph conversion on arbitrary parsed models: it converts or reports an
// mlrt::Error, and what it produces still parses.
inline Outcome fp16_convert_outcome(const std::uint8_t* data, std::size_t size) {
    onnx::ModelProto model;
    if (size < 1 || !model.ParseFromArray(data + 1, static_cast<int>(size - 1))) return {};
    mlrt::detail::Fp16Options options;
    options.blacklist = data[0] & 1 ? mlrt::detail::default_fp16_blacklist()
                                    : std::vector<std::string>{"Relu", "conv0"};
    options.input_float32 = data[0] & 2;
    options.output_float32 = data[0] & 4;
    try {
        mlrt::detail::convert_to_fp16(model, options);
        onnx::ModelProto again;
        if (!again.ParseFromString(model.SerializeAsString())) __builtin_trap();
    } catch (const mlrt::Error& e) {
        return {false, e.what()};
    }
    return {};
}

// The ncnn importer on arbitrary .param text and .bin bytes (the input's bytes before its
// first NUL, and after it): it converts, or refuses with an mlrt::Error naming the file, line
// and layer; what it converts parses as ONNX. The first byte picks the program's framing.
inline Outcome ncnn_import_outcome(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return {};
    static const char* const programs[] = {"none", "realesrgan", "realcugan", "waifu2x-cunet"};
    const std::string all(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::size_t nul = all.find('\0');
    const std::string param = all.substr(0, nul);
    std::string bin = nul == std::string::npos ? std::string() : all.substr(nul + 1);
    try {
        const mlrt::NcnnFraming framing =
            mlrt::ncnn_program_framing(programs[data[0] & 3], 2 + ((data[0] >> 2) & 1));
        const mlrt::NcnnImport model = mlrt::detail::ncnn::import_from_memory(
            param, std::move(bin), "fuzz.param", "fuzz.bin", framing);
        onnx::ModelProto parsed;
        if (!parsed.ParseFromString(model.onnx)) __builtin_trap();
    } catch (const mlrt::Error& e) {
        return {false, e.what()};
    }
    return {};
}

// Argument validation of the configuration layer: an ArgMap built from the bytes (known and
// unknown keys, every value type) either parses or gives an mlrt::Error naming the argument.
inline Outcome args_outcome(const std::uint8_t* data, std::size_t size) {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k;
        for (std::string_view name : mlrt::config::model_argument_names()) k.emplace_back(name);
        k.emplace_back("bogus");  // unknown keys must be refused by name
        return k;
    }();
    // An input names keys by index modulo this count: when ort.Model gains an argument, the key
    // bytes of fuzz/regressions/args/* are re-encoded so that each still names the same keys.
    const std::size_t key_count = keys.size();
    std::size_t at = 0;
    auto byte = [&]() -> std::uint8_t { return at < size ? data[at++] : 0; };
    auto integer = [&]() -> std::int64_t {
        std::int64_t v = 0;
        for (int i = 0; i < 8; ++i) v = (v << 8) | byte();
        return (byte() & 1) ? v : v % 300;  // mostly small values, sometimes extreme ones
    };
    auto text = [&] {
        std::string s;
        for (std::uint8_t n = byte() % 12; n > 0 && at < size; --n)
            s.push_back(static_cast<char>(byte()));
        return s;
    };
    mlrt::config::ArgMap map;
    while (at < size) {
        const std::string key = keys[byte() % key_count];
        switch (byte() % 8) {
            case 0:
                map[key] = std::monostate{};
                break;
            case 1:
                map[key] = static_cast<bool>(byte() & 1);
                break;
            case 2:
                map[key] = integer();
                break;
            case 3:
                map[key] = static_cast<double>(integer()) / 7.0;
                break;
            case 4:
                map[key] = text();
                break;
            case 5:
                map[key] = std::vector<std::int64_t>{integer(), integer()};
                break;
            case 6:
                map[key] = std::vector<std::int64_t>(byte() % 4, integer());
                break;
            default:
                map[key] = std::vector<std::string>{text(), text()};
                break;
        }
    }
    Outcome outcome;
    try {
        (void)mlrt::config::engine_options_from_args(
            map, (size & 1) ? mlrt::TileMode::Balanced : mlrt::TileMode::Literal);
        (void)mlrt::config::flexible_output_prop_from_args(map);
        (void)mlrt::config::model_source_from_args(map, "/nonexistent-plugin-dir");
    } catch (const mlrt::Error& e) {
        outcome = {false, e.what()};
    }
    for (const char* provider : {"CPU", "CUDA", "DML", "COREML", "TPU"}) {
        mlrt::config::ArgMap fields = map;
        for (const char* k : {"overlap", "tilesize", "network_path", "builtin", "builtindir",
                              "path_is_serialization", "flexible_output_prop", "tile_mode",
                              "balanced", "intra_op_threads", "bogus"})
            fields.erase(k);
        try {
            (void)mlrt::config::get_args(mlrt::config::make_backend(provider, fields));
        } catch (const mlrt::Error& e) {
            if (e.what()[0] == '\0') return {false, {}};  // an error must say something
        }
    }
    return outcome;
}

// The libFuzzer entry points' bodies.
inline int model_load(const std::uint8_t* data, std::size_t size) {
    (void)model_load_outcome(data, size);
    return 0;
}
inline int fp16_convert(const std::uint8_t* data, std::size_t size) {
    (void)fp16_convert_outcome(data, size);
    return 0;
}
inline int args(const std::uint8_t* data, std::size_t size) {
    (void)args_outcome(data, size);
    return 0;
}
inline int ncnn_import(const std::uint8_t* data, std::size_t size) {
    (void)ncnn_import_outcome(data, size);
    return 0;
}

}  // namespace mlrt::fuzz
