#pragma once
// Importing ncnn models (.param + .bin) as ONNX. The ncnn programs (realesrgan-, realcugan-,
// waifu2x-ncnn-vulkan) do part of the work outside their networks: the 0..255 scaling, a border
// of replicated pixels the network eats, a padded size rounded to a multiple. The importer puts
// that work into the graph (`NcnnFraming`), so an imported model takes float RGB in [0, 1],
// NCHW, at any size, and gives `scale` times that size, like every other model mlrt runs.
#include <string>
#include <vector>

#include "mlrt/export.hpp"

namespace mlrt {

// How the border is filled: realesrgan and realcugan mirror without repeating the edge pixel
// (ONNX's reflect), waifu2x repeats the edge pixel.
enum class NcnnPadMode { Reflect, Edge };

struct NcnnFraming {
    int scale = 1;  // output size / input size
    // The network sees rgb * input_scale + input_offset; the model gives
    // network output * output_scale + output_offset.
    float input_scale = 1.0f;
    float input_offset = 0.0f;
    float output_scale = 1.0f;
    float output_offset = 0.0f;
    int prepadding = 0;     // pixels of border on each side, cropped off the output
    int size_multiple = 1;  // the padded size rounded up to a multiple of this (bottom, right)
    NcnnPadMode pad_mode = NcnnPadMode::Reflect;
    bool add_input = false;  // the program adds the input, nearest-upscaled, to the output
    bool bgr = false;        // the network takes and gives channels in BGR order

    bool operator==(const NcnnFraming&) const = default;
};

// The framing of the programs that run these networks; throws mlrt::Error(InvalidArgument) for
// an unknown program, a scale it does not have, or (for realcugan) a scale without a known
// prepadding. Programs: realesrgan, realcugan, waifu2x-cunet, waifu2x-upconv7, none.
MLRT_API NcnnFraming ncnn_program_framing(const std::string& program, int scale);
MLRT_API std::vector<std::string> ncnn_programs();

struct NcnnImport {
    std::string onnx;                      // the serialized model
    std::vector<std::string> layer_types;  // the ncnn layer types the network uses, sorted
    int layers = 0;
};

// Throws mlrt::Error(InvalidModel) naming the file, line, layer and type of what cannot be
// converted, Error(Io) for a file that cannot be read.
MLRT_API NcnnImport import_ncnn(const std::string& param_path, const std::string& bin_path,
                                const NcnnFraming& framing);

}  // namespace mlrt
