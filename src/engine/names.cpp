// The engine's enums as text, for messages and the command line.
#include <algorithm>
#include <cctype>
#include <string>

#include "mlrt/error.hpp"
#include "mlrt/log_severity.hpp"
#include "mlrt/model_source.hpp"
#include "mlrt/provider.hpp"

namespace mlrt {

const char* to_string(Provider p) noexcept {
    switch (p) {
        case Provider::CPU:
            return "CPU";
        case Provider::CUDA:
            return "CUDA";
        case Provider::DML:
            return "DML";
        case Provider::CoreML:
            return "COREML";
        case Provider::WebGPU:
            return "WEBGPU";
    }
    return "?";
}

Provider parse_provider(std::string_view name) {
    std::string up(name);
    std::transform(up.begin(), up.end(), up.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (up.empty() || up == "CPU") return Provider::CPU;
    if (up == "CUDA") return Provider::CUDA;
    if (up == "DML") return Provider::DML;
    if (up == "COREML") return Provider::CoreML;
    if (up == "WEBGPU") return Provider::WebGPU;
    throw Error(ErrorKind::InvalidArgument,
                "provider '" + std::string(name) +
                    "' is unknown; expected one of \"\", CPU, CUDA, DML, COREML, WEBGPU");
}

const char* to_string(LogSeverity s) noexcept {
    switch (s) {
        case LogSeverity::Verbose:
            return "verbose";
        case LogSeverity::Info:
            return "info";
        case LogSeverity::Warning:
            return "warning";
        case LogSeverity::Error:
            return "error";
        case LogSeverity::Fatal:
            return "fatal";
    }
    return "?";
}

std::string ModelSource::describe() const {
    return is_path() ? path().string() : std::get<Bytes>(source_).label;
}

}  // namespace mlrt
