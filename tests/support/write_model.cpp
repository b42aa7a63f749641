// Writes one of the test models to a file, for suites outside C++ (pytest, the consumer
// project) that need models but have no ONNX builder of their own.
//   mlrt_write_test_model OUT identity CHANNELS
//   mlrt_write_test_model OUT identity16 CHANNELS
//   mlrt_write_test_model OUT conv IN_CH OUT_CH LAYERS SCALE [SEED [HIDDEN [GAIN [OFFSET [RESIDUAL
//   [WSCALE]]]]]]
//     (output = GAIN * stack + OFFSET, plus the input nearest-upscaled when RESIDUAL is 1;
//     every layer's weights times WSCALE)
//   mlrt_write_test_model OUT split IN_CH OUT_CH
//   mlrt_write_test_model OUT unet IN_CH OUT_CH [SEED]
//   mlrt_write_test_model OUT interpolator PLANES [SEED]
#include <cstdio>
#include <fstream>
#include <string>

#include "support/models.hpp"

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: mlrt_write_test_model OUT KIND ARGS...\n");
        return 2;
    }
    const std::string kind = argv[2];
    auto arg = [&](int i, int fallback) { return i < argc ? std::stoi(argv[i]) : fallback; };
    std::string bytes;
    if (kind == "identity" || kind == "identity16") {
        bytes = mlrt::test::identity_model(arg(3, 3), kind == "identity16");
    } else if (kind == "conv") {
        mlrt::test::ConvStackSpec spec;
        spec.in_channels = arg(3, 3);
        spec.out_channels = arg(4, 3);
        spec.layers = arg(5, 2);
        spec.scale = arg(6, 1);
        spec.seed = static_cast<unsigned>(arg(7, 1));
        spec.hidden = arg(8, 4);
        spec.gain = 9 < argc ? std::stof(argv[9]) : 1.f;
        spec.offset = 10 < argc ? std::stof(argv[10]) : 0.f;
        spec.residual = arg(11, 0) != 0;
        spec.weight_scale = 12 < argc ? std::stof(argv[12]) : 1.f;
        if (spec.residual && (spec.in_channels != spec.out_channels || spec.space_to_depth)) {
            std::fprintf(stderr, "a residual conv needs IN_CH == OUT_CH\n");
            return 2;
        }
        bytes = mlrt::test::conv_stack_model(spec);
    } else if (kind == "split") {
        bytes = mlrt::test::channel_split_model(arg(3, 3), arg(4, 5));
    } else if (kind == "unet") {
        bytes = mlrt::test::unet_model(arg(3, 4), arg(4, 3), static_cast<unsigned>(arg(5, 1)));
    } else if (kind == "interpolator") {
        bytes = mlrt::test::interpolator_model(arg(3, 3), static_cast<unsigned>(arg(4, 1)));
    } else if (kind == "poison") {  // CHANNELS GAIN: fails on frames whose GAIN * max >= 2
        bytes = mlrt::test::poison_model(arg(3, 3), static_cast<float>(arg(4, 1)));
    } else if (kind == "window") {
        bytes = mlrt::test::window_partition_model(arg(3, 3), arg(4, 4), arg(5, 64));
    } else {
        std::fprintf(stderr, "unknown model kind '%s'\n", kind.c_str());
        return 2;
    }
    std::ofstream(argv[1], std::ios::binary) << bytes;
    return 0;
}
