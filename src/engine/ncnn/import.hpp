#pragma once
// The importer on bytes in memory (the fuzz target's entry; import_ncnn reads the files and
// calls it). The names are what messages call the two inputs.
#include <string>

#include "mlrt/ncnn.hpp"

namespace mlrt::detail::ncnn {

NcnnImport import_from_memory(const std::string& param_text, std::string bin,
                              const std::string& param_name, const std::string& bin_name,
                              const NcnnFraming& framing);

}  // namespace mlrt::detail::ncnn
