// The framing of each ncnn program, read from their sources (realesrgan.cpp, realcugan.cpp,
// waifu2x.cpp and their preproc shaders): all three feed RGB scaled to [0, 1] and scale the
// output back, so only the border, the size rounding and realcugan 4x's added input differ.
#include <fmt/core.h>

#include "mlrt/error.hpp"
#include "mlrt/ncnn.hpp"

namespace mlrt {

std::vector<std::string> ncnn_programs() {
    return {"realesrgan", "realcugan", "waifu2x-cunet", "waifu2x-upconv7", "none"};
}

NcnnFraming ncnn_program_framing(const std::string& program, int scale) {
    auto no_scale = [&]() -> NcnnFraming {
        throw Error(ErrorKind::InvalidArgument,
                    fmt::format("ncnn program {} has no {}x models", program, scale));
    };
    NcnnFraming f;
    f.scale = scale;
    if (program == "none") {
        if (scale < 1 || scale > 16) no_scale();
        return f;
    }
    if (program == "realesrgan") {  // mirrored border of 10, no rounding
        if (scale < 1 || scale > 4) no_scale();
        f.prepadding = 10;
        return f;
    }
    if (program == "realcugan") {  // mirrored border, rounded to 2 (4 for 3x)
        if (scale == 2)
            f.prepadding = 18, f.size_multiple = 2;
        else if (scale == 3)
            f.prepadding = 14, f.size_multiple = 4;
        else if (scale == 4)
            f.prepadding = 19, f.size_multiple = 2, f.add_input = true;
        else
            no_scale();
        return f;
    }
    f.pad_mode = NcnnPadMode::Edge;  // waifu2x repeats the edge pixel
    if (program == "waifu2x-cunet") {
        if (scale == 1)
            f.prepadding = 28, f.size_multiple = 4;
        else if (scale == 2)
            f.prepadding = 18, f.size_multiple = 2;
        else
            no_scale();
        return f;
    }
    if (program == "waifu2x-upconv7") {
        if (scale != 2) no_scale();
        f.prepadding = 7;
        f.size_multiple = 2;
        return f;
    }
    std::string known;
    for (const std::string& p : ncnn_programs()) known += (known.empty() ? "" : ", ") + p;
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("unknown ncnn program '{}' (known: {})", program, known));
}

}  // namespace mlrt
