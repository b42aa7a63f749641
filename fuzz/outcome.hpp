#pragma once
// How one fuzz input ended, for the targets' bodies and the regression replay.
#include <string>

namespace mlrt::fuzz {

// A clean success or a clean mlrt::Error. Anything else (a crash, another exception) never gets
// here, which is what the fuzzers and the regression replay look for.
struct Outcome {
    bool ok = true;
    std::string error{};  // the mlrt::Error's message when !ok
};

}  // namespace mlrt::fuzz
