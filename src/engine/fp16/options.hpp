#pragma once
#include <string>
#include <vector>

namespace mlrt::detail {

struct Fp16Options {
    // Op types or node names kept in float32 (with Casts around them).
    std::vector<std::string> blacklist;
    bool input_float32 = true;   // keep the graph input float32 (a Cast is inserted)
    bool output_float32 = true;  // keep the graph output float32 (a Cast is inserted)
};

}  // namespace mlrt::detail
