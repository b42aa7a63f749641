#pragma once
// VSMap arguments -> the configuration layer's ArgMap, so argument parsing lives in one place.
#include <VapourSynth4.h>

#include "mlrt/config/args.hpp"

namespace mlrt::vs {

// Every key of `in` except those holding clips; ints become int64 (lists when the key was
// declared as a list and given several values), data becomes strings.
config::ArgMap args_from_vsmap(const VSMap* in, const VSAPI* vsapi);

}  // namespace mlrt::vs
