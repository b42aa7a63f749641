#pragma once
// ort.Model: the filter that runs an ONNX model over clips on the mlrt engine.
#include <VapourSynth4.h>

namespace mlrt::vs {

// Argument string, as the upstream plugin declares it, plus mlrt's tiling extensions.
extern const char* const kModelArgs;
extern const char* const kModelReturn;

// `user_data` is the VSPlugin*, used to find models next to the plugin (builtin=1).
void VS_CC create_model(const VSMap* in, VSMap* out, void* user_data, VSCore* core,
                        const VSAPI* vsapi);

}  // namespace mlrt::vs
