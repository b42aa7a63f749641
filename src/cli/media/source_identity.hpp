#pragma once
// A short text naming an input's content, recorded in the segments `mlrt run --frames` writes
// so that `mlrt concat` can tell segments of different sources apart.
#include <string>

namespace mlrt::cli {

// "<bytes>:<hash of the first MiB>" for a file, the same of the first image for a sequence
// pattern (in_%04d.png), "" for standard input or what cannot be read. Paths are left out on
// purpose: the same file mounted at different places on different machines is the same source.
std::string source_identity(const std::string& path);

}  // namespace mlrt::cli
