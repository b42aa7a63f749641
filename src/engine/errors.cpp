#include "mlrt/error.hpp"

namespace mlrt {

const char* to_string(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::InvalidArgument:
            return "invalid argument";
        case ErrorKind::InvalidModel:
            return "invalid model";
        case ErrorKind::Provider:
            return "provider";
        case ErrorKind::Runtime:
            return "runtime";
        case ErrorKind::Io:
            return "i/o";
    }
    return "unknown";
}

}  // namespace mlrt
