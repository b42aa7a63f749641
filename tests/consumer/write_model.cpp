// Writes a small 2x upscaler for the consumer test, which has no model builder of its own.
#include <fstream>

#include "support/models.hpp"

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    mlrt::test::ConvStackSpec spec;
    spec.scale = 2;
    std::ofstream(argv[1], std::ios::binary) << mlrt::test::conv_stack_model(spec);
    return 0;
}
