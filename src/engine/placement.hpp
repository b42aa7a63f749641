#pragma once
// Where ONNX Runtime placed a session's nodes, read from the "Node placements" lines it logs at
// verbose level (the C API has no query for it).
#include <string>
#include <vector>

#include "mlrt/engine.hpp"

namespace mlrt::detail {

// The GPU provider's entry first, then the others by node count.
std::vector<NodePlacement> parse_placements(const std::vector<std::string>& lines,
                                            const std::string& preferred_provider);

}  // namespace mlrt::detail
