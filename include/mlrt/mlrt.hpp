#pragma once
#include "mlrt/engine.hpp"
#include "mlrt/error.hpp"
#include "mlrt/frame.hpp"
#include "mlrt/tiling.hpp"
#include "mlrt/verbosity.hpp"
#include "mlrt/version.hpp"
