// Registers namespace `ort` with Model and Version, as the upstream plugin does, so existing
// scripts (and toolkits that build arguments with get_args) run unchanged on mlrt.
#include <VapourSynth4.h>

#include "mlrt/version.hpp"
#include "model_filter.hpp"

namespace {

void VS_CC version(const VSMap*, VSMap* out, void* user_data, VSCore*, const VSAPI* vsapi) {
    const mlrt::RuntimeInfo info = mlrt::runtime_info();
    vsapi->mapSetData(out, "version", info.mlrt_version.c_str(), -1, dtUtf8, maReplace);
    vsapi->mapSetData(out, "onnxruntime_version", info.onnxruntime_version.c_str(), -1, dtUtf8,
                      maReplace);
    for (const auto& p : info.loadable_providers)
        vsapi->mapSetData(out, "providers", p.c_str(), -1, dtUtf8, maAppend);
    vsapi->mapSetData(out, "path", vsapi->getPluginPath(static_cast<const VSPlugin*>(user_data)),
                      -1, dtUtf8, maReplace);
}

}  // namespace

VS_EXTERNAL_API(void) VapourSynthPluginInit2(VSPlugin* plugin, const VSPLUGINAPI* vspapi) {
    vspapi->configPlugin("io.github.mlrt.ort", "ort", "mlrt: ONNX Runtime ML filter runtime",
                         VS_MAKE_VERSION(0, 1), VAPOURSYNTH_API_VERSION, 0, plugin);
    vspapi->registerFunction("Model", mlrt::vs::kModelArgs, mlrt::vs::kModelReturn,
                             mlrt::vs::create_model, plugin, plugin);
    vspapi->registerFunction("Version", "",
                             "version:data;onnxruntime_version:data;providers:data[];path:data;",
                             version, plugin, plugin);
}
