#pragma once
// The configuration layer: the reference's backend types, argument parsing, autoselect and
// inference().
#include "mlrt/config/args.hpp"
#include "mlrt/config/autoselect.hpp"
#include "mlrt/config/backends.hpp"
#include "mlrt/config/clip.hpp"
#include "mlrt/config/convention.hpp"
#include "mlrt/config/engine_args.hpp"
#include "mlrt/config/gpu.hpp"
#include "mlrt/config/inference.hpp"
#include "mlrt/config/int8.hpp"
#include "mlrt/config/logging.hpp"
#include "mlrt/config/verbosity.hpp"
