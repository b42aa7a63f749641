#pragma once
// The engine layer's public API in one include. The configuration layer: mlrt/config/config.hpp.
#include "mlrt/baseline.hpp"
#include "mlrt/builtin_models.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/engine_options.hpp"
#include "mlrt/error.hpp"
#include "mlrt/frame.hpp"
#include "mlrt/inspect.hpp"
#include "mlrt/log_severity.hpp"
#include "mlrt/model_source.hpp"
#include "mlrt/provider.hpp"
#include "mlrt/tiling.hpp"
#include "mlrt/version.hpp"
