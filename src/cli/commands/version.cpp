// `mlrt version`: the versions of mlrt and the libraries it runs on, and the providers that load.
#include <zimg.h>

#include <cstdio>
#include <memory>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libswscale/swscale.h>
}

#include <fmt/core.h>

#include "commands/commands.hpp"
#include "mlrt/cpu.hpp"
#include "mlrt/version.hpp"
#include "util/json.hpp"

namespace mlrt::cli {
namespace {

std::string lib_version(unsigned v) {
    return fmt::format("{}.{}.{}", v >> 16, (v >> 8) & 0xff, v & 0xff);
}

std::string joined(const std::vector<std::string>& v, const char* sep) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

std::string adapters_json(const AdapterList& list) {
    std::string s;
    for (const GpuAdapter& a : list.adapters)
        s += fmt::format(
            "{}{{\"index\": {}, \"name\": {}, \"vendor\": {}, \"backend\": {}, \"kind\": {}, "
            "\"software\": {}, \"shader_f16\": {}, \"driver\": {}}}",
            s.empty() ? "" : ", ", a.index, json_string(a.name), json_string(a.vendor),
            json_string(a.backend), json_string(to_string(a.kind)), a.software() ? "true" : "false",
            a.shader_f16 ? "true" : "false", json_string(a.driver));
    return fmt::format("{{\"adapters\": [{}], \"problem\": {}}}", s,
                       list.problem.empty() ? "null" : json_string(list.problem));
}

void print_adapters(const AdapterList& list) {
    if (list.adapters.empty()) std::printf("WebGPU        no adapter\n");
    for (const GpuAdapter& a : list.adapters)
        std::printf("%s%d: %s, driver %s\n", a.index == 0 ? "WebGPU        " : "              ",
                    a.index, describe(a).c_str(), a.driver.c_str());
    if (!list.problem.empty()) std::printf("              (%s)\n", list.problem.c_str());
}

std::string cpu_json() {
    const CpuFeatures& c = cpu_features();
    const auto b = [](bool v) { return v ? "true" : "false"; };
    return fmt::format(
        "{{\"name\": {}, \"avx2\": {}, \"avx512\": {}, \"avx512_vnni\": {}, \"avx_vnni\": {}, "
        "\"amx_int8\": {}, \"int8_dot_product\": {}}}",
        json_string(c.name), b(c.avx2), b(c.avx512), b(c.avx512_vnni), b(c.avx_vnni), b(c.amx_int8),
        b(c.int8_dot_product()));
}

int version(bool json) {
    const RuntimeInfo rt = runtime_info();
    unsigned zmaj = 0, zmin = 0, zmic = 0;
    zimg_get_version_info(&zmaj, &zmin, &zmic);
    const std::string zimg = fmt::format("{}.{}.{}", zmaj, zmin, zmic);
    const std::string ffmpeg = av_version_info();
    const std::string libs =
        fmt::format("libavcodec {}, libavformat {}, libavutil {}, libswscale {}",
                    lib_version(avcodec_version()), lib_version(avformat_version()),
                    lib_version(avutil_version()), lib_version(swscale_version()));
    if (json) {
        auto list = [](const std::vector<std::string>& v) {
            std::string s;
            for (const auto& x : v) s += (s.empty() ? "" : ", ") + json_string(x);
            return "[" + s + "]";
        };
        std::printf(
            "{\"mlrt\": %s, \"onnxruntime\": %s, \"ffmpeg\": %s, \"ffmpeg_libraries\": %s, "
            "\"zimg\": %s, \"cpu\": %s, "
            "\"providers_reported\": %s, \"providers_loadable\": %s, \"webgpu\": %s}\n",
            json_string(rt.mlrt_version).c_str(), json_string(rt.onnxruntime_version).c_str(),
            json_string(ffmpeg).c_str(), json_string(libs).c_str(), json_string(zimg).c_str(),
            cpu_json().c_str(), list(rt.reported_providers).c_str(),
            list(rt.loadable_providers).c_str(), adapters_json(rt.webgpu).c_str());
        return 0;
    }
    std::printf("mlrt          %s\n", rt.mlrt_version.c_str());
    std::printf("ONNX Runtime  %s\n", rt.onnxruntime_version.c_str());
    std::printf("FFmpeg        %s (%s)\n", ffmpeg.c_str(), libs.c_str());
    std::printf("zimg          %s\n", zimg.c_str());
    const CpuFeatures& cpu = cpu_features();
    std::printf("CPU           %s (%s; int8 %s)\n", cpu.name.empty() ? "unknown" : cpu.name.c_str(),
                cpu.describe().c_str(),
                cpu.int8_dot_product() ? "has a dot-product instruction"
                                       : "has no dot-product instruction: --int8 gains nothing");
    std::printf("providers     %s (loadable here)\n", joined(rt.loadable_providers, ", ").c_str());
    std::printf("              %s (built into ONNX Runtime)\n",
                joined(rt.reported_providers, ", ").c_str());
    print_adapters(rt.webgpu);
    return 0;
}

}  // namespace

Command add_version_command(CLI::App& app) {
    auto json = std::make_shared<bool>(false);
    CLI::App* cmd = app.add_subcommand("version",
                                       "Versions of mlrt, ONNX Runtime, FFmpeg and zimg; the CPU's "
                                       "int8 features; providers that load; WebGPU adapters");
    cmd->add_flag("--json", *json, "Print one JSON object");
    return {cmd, [json] { return version(*json); }};
}

}  // namespace mlrt::cli
