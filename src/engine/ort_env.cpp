#include "engine/ort_env.hpp"

namespace mlrt::detail {

Ort::Env& ort_env() {
    // Sessions set their own severity from EngineOptions::log_severity; the environment's level
    // only governs messages logged outside any session.
    static Ort::Env env(ORT_LOGGING_LEVEL_WARNING, "mlrt");
    return env;
}

}  // namespace mlrt::detail
