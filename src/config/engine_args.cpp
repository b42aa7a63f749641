#include "mlrt/config/engine_args.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <string_view>

#include "config/arg_reader.hpp"
#include "mlrt/config/int8.hpp"
#include "mlrt/error.hpp"

namespace mlrt::config {

using detail::ArgReader;

namespace {

constexpr std::string_view kContext = "ort.Model";

constexpr std::string_view kEngineKeys[] = {"overlap",
                                            "tilesize",
                                            "provider",
                                            "device_id",
                                            "num_streams",
                                            "verbosity",
                                            "cudnn_benchmark",
                                            "fp16",
                                            "use_cuda_graph",
                                            "fp16_blacklist_ops",
                                            "prefer_nhwc",
                                            "output_format",
                                            "tf32",
                                            "flexible_output_prop",
                                            "ml_program",
                                            "tile_mode",
                                            "balanced",
                                            "intra_op_threads",
                                            "int8",
                                            "int8_blacklist_ops",
                                            "calibration",
                                            "calibrate",
                                            "power_preference",
                                            "preferred_layout",
                                            "webgpu_validation"};
constexpr std::string_view kModelKeys[] = {"network_path", "builtin", "builtindir",
                                           "path_is_serialization"};

// [w] or [w, h] -> {w, h}; nullopt when not given.
std::optional<std::array<int, 2>> read_pair(const ArgReader& r, std::string_view key, int min) {
    const auto list = r.integers(key);
    if (!list) return std::nullopt;
    if (list->empty() || list->size() > 2)
        r.fail(key, "must have 1 or 2 values ([w] or [w, h]), got " + std::to_string(list->size()));
    // No frame axis is anywhere near 2^20 samples; the bound keeps tile arithmetic in int.
    constexpr std::int64_t max = 1 << 20;
    for (std::int64_t v : *list)
        if (v < min || v > max)
            r.fail(key, "values must be between " + std::to_string(min) + " and " +
                            std::to_string(max) + ", got " + std::to_string(v));
    const int w = static_cast<int>(list->front());
    return std::array<int, 2>{w, list->size() == 2 ? static_cast<int>((*list)[1]) : w};
}

Provider read_provider(const ArgReader& r) {
    const auto name = r.string("provider");
    if (!name) return Provider::CPU;
    try {
        return parse_provider(*name);
    } catch (const Error& e) {
        r.fail("provider", std::string("is invalid: ") + e.what());
    }
}

void read_tiling(const ArgReader& r, EngineOptions& o, TileMode default_tile_mode) {
    const auto overlap = read_pair(r, "overlap", 0);
    const auto tilesize = read_pair(r, "tilesize", 1);
    if (overlap && (*overlap)[0] + (*overlap)[1] > 0 && !tilesize)
        r.fail("tilesize", "must be given when overlap is not 0");
    if (overlap && tilesize)
        for (int axis = 0; axis < 2; ++axis)
            if (static_cast<std::int64_t>((*tilesize)[axis]) -
                    2 * static_cast<std::int64_t>((*overlap)[axis]) <=
                0)
                r.fail("overlap", std::string("is too large for tilesize: the ") +
                                      (axis == 0 ? "width" : "height") + " step " +
                                      std::to_string((*tilesize)[axis]) + " - 2*" +
                                      std::to_string((*overlap)[axis]) + " is not positive");
    if (overlap) {
        o.overlap_width = (*overlap)[0];
        o.overlap_height = (*overlap)[1];
    }
    if (tilesize) {
        o.tile_width = (*tilesize)[0];
        o.tile_height = (*tilesize)[1];
    }

    o.tile_mode = default_tile_mode;
    std::optional<TileMode> from_name;
    if (auto name = r.string("tile_mode")) {
        std::string lower = *name;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (lower == "literal")
            from_name = TileMode::Literal;
        else if (lower == "balanced")
            from_name = TileMode::Balanced;
        else
            r.fail("tile_mode", "must be 'literal' or 'balanced', got '" + *name + "'");
        o.tile_mode = *from_name;
    }
    if (auto balanced = r.boolean("balanced")) {
        const TileMode mode = *balanced ? TileMode::Balanced : TileMode::Literal;
        if (from_name && *from_name != mode)
            r.fail("balanced", "contradicts tile_mode '" + *r.string("tile_mode") + "'");
        o.tile_mode = mode;
    }
}

std::string lowered(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

void read_webgpu(const ArgReader& r, WebGpuOptions& w) {
    if (auto v = r.string("power_preference")) {
        const std::string p = lowered(*v);
        if (p == "high-performance" || p == "high_performance")
            w.power_preference = PowerPreference::HighPerformance;
        else if (p == "low-power" || p == "low_power")
            w.power_preference = PowerPreference::LowPower;
        else
            r.fail("power_preference",
                   "must be 'high-performance' or 'low-power', got '" + *v + "'");
    }
    if (auto v = r.string("preferred_layout")) {
        const std::string l = lowered(*v);
        if (l == "nhwc")
            w.layout = TensorLayout::NHWC;
        else if (l == "nchw")
            w.layout = TensorLayout::NCHW;
        else
            r.fail("preferred_layout", "must be 'NHWC' or 'NCHW', got '" + *v + "'");
    }
    if (auto v = r.boolean("webgpu_validation")) w.validation = *v;
}

}  // namespace

std::vector<std::string_view> model_argument_names() {
    std::vector<std::string_view> names(std::begin(kEngineKeys), std::end(kEngineKeys));
    names.insert(names.end(), std::begin(kModelKeys), std::end(kModelKeys));
    return names;
}

std::optional<std::string> flexible_output_prop_from_args(const ArgMap& args) {
    const ArgReader r(args, std::string(kContext));
    auto prop = r.string("flexible_output_prop");
    if (prop && prop->empty()) r.fail("flexible_output_prop", "must not be empty");
    return prop;
}

EngineOptions engine_options_from_args(const ArgMap& args, TileMode default_tile_mode,
                                       const ArgSpelling& spelling) {
    const ArgReader r(args, spelling.context, &spelling);
    r.reject_unknown(kEngineKeys, kModelKeys);

    EngineOptions o;
    read_tiling(r, o, default_tile_mode);

    o.provider = read_provider(r);
    if (auto v = r.integer("device_id", 0)) o.device_id = *v;
    if (auto v = r.boolean("cudnn_benchmark")) o.cuda.cudnn_benchmark = *v;
    if (auto v = r.boolean("use_cuda_graph")) o.cuda.use_cuda_graph = *v;
    if (auto v = r.boolean("tf32")) o.cuda.tf32 = *v;
    if (auto v = r.boolean("prefer_nhwc")) o.cuda.prefer_nhwc = *v;
    if (auto v = r.integer("ml_program", 0, 1)) o.coreml_ml_program = *v == 1;
    read_webgpu(r, o.webgpu);

    if (auto v = r.integer("num_streams", 1, 64)) o.num_streams = *v;
    if (auto v = r.integer("verbosity", 0, 4)) o.log_severity = static_cast<LogSeverity>(*v);
    if (auto v = r.integer("intra_op_threads", 0)) o.intra_op_threads = *v;

    o.fp16 = r.boolean("fp16").value_or(false);
    o.fp16_blacklist = r.strings("fp16_blacklist_ops");
    // Upstream reads output_format (default 0) only when converting to fp16; without fp16 the
    // output keeps the model's own type.
    const int output_format = r.integer("output_format", 0, 1).value_or(0);
    if (o.fp16) o.output_type = output_format == 1 ? SampleType::Float16 : SampleType::Float32;

    o.int8 = r.boolean("int8").value_or(false);
    o.int8_blacklist = r.strings("int8_blacklist_ops");
    if (o.int8 && o.fp16) r.fail("int8", "cannot be combined with fp16; choose one");
    (void)calibration_args_from_args(args, spelling);  // checked here, used by the front ends

    o.flexible_output = flexible_output_prop_from_args(args).has_value();
    return o;
}

ArgMap engine_args_of(const EngineOptions& o) {
    using I = std::int64_t;
    ArgMap a{
        {"provider", std::string(to_string(o.provider))},
        {"device_id", I{o.device_id}},
        {"cudnn_benchmark", o.cuda.cudnn_benchmark},
        {"use_cuda_graph", o.cuda.use_cuda_graph},
        {"tf32", o.cuda.tf32},
        {"prefer_nhwc", o.cuda.prefer_nhwc},
        {"ml_program", I{o.coreml_ml_program ? 1 : 0}},
        {"power_preference",
         std::string(o.webgpu.power_preference == PowerPreference::LowPower ? "low-power"
                                                                            : "high-performance")},
        {"preferred_layout", std::string(o.webgpu.layout == TensorLayout::NCHW ? "NCHW" : "NHWC")},
        {"webgpu_validation", o.webgpu.validation},
        {"num_streams", I{o.num_streams}},
        {"verbosity", I{static_cast<int>(o.log_severity)}},
        {"intra_op_threads", I{o.intra_op_threads}},
        {"fp16", o.fp16},
        {"tile_mode", std::string(o.tile_mode == TileMode::Literal ? "literal" : "balanced")}};
    if (o.fp16_blacklist) a["fp16_blacklist_ops"] = *o.fp16_blacklist;
    a["int8"] = o.int8;
    if (o.int8_blacklist) a["int8_blacklist_ops"] = *o.int8_blacklist;
    if (o.fp16) a["output_format"] = I{o.output_type == SampleType::Float32 ? 0 : 1};
    if (o.tile_width > 0 || o.tile_height > 0)
        a["tilesize"] = std::vector<I>{o.tile_width, o.tile_height};
    if (o.overlap_width > 0 || o.overlap_height > 0)
        a["overlap"] = std::vector<I>{o.overlap_width, o.overlap_height};
    return a;
}

ModelSource model_source_from_args(const ArgMap& args, const std::filesystem::path& plugin_dir) {
    const ArgReader r(args, std::string(kContext));
    const auto network_path = r.string("network_path");
    if (!network_path) r.fail("network_path", "must be given");
    const bool serialized = r.boolean("path_is_serialization").value_or(false);
    const bool builtin = r.boolean("builtin").value_or(false);
    const auto builtindir = r.string("builtindir");

    if (serialized) {
        if (builtin) r.fail("builtin", "cannot be combined with path_is_serialization");
        if (network_path->empty()) r.fail("network_path", "holds no model bytes");
        return ModelSource::from_bytes(*network_path, "<serialized network_path>");
    }
    if (network_path->empty()) r.fail("network_path", "must not be empty");
    if (!builtin) return ModelSource::from_path(*network_path);
    return ModelSource::from_path(plugin_dir / builtindir.value_or("models") / *network_path);
}

}  // namespace mlrt::config
