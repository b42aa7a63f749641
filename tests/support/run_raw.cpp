// Runs the engine on one planar float32 frame read from a raw file and writes the raw planar
// result, so suites outside C++ can compare their front end against the engine directly.
//   mlrt_run_raw MODEL WIDTH HEIGHT PLANES IN.raw OUT.raw [TILE_W TILE_H OVERLAP_W OVERLAP_H]
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "mlrt/engine.hpp"
#include "mlrt/error.hpp"

int main(int argc, char** argv) {
    if (argc != 7 && argc != 11) {
        std::fprintf(stderr, "usage: mlrt_run_raw MODEL W H PLANES IN OUT [TW TH OW OH]\n");
        return 2;
    }
    try {
        const int w = std::stoi(argv[2]), h = std::stoi(argv[3]), planes = std::stoi(argv[4]);
        mlrt::EngineOptions o;
        o.tile_mode = mlrt::TileMode::Literal;
        o.flexible_output = true;  // any plane count, such as a chroma model's 2
        if (argc == 11) {
            o.tile_width = std::stoi(argv[7]);
            o.tile_height = std::stoi(argv[8]);
            o.overlap_width = std::stoi(argv[9]);
            o.overlap_height = std::stoi(argv[10]);
        }
        mlrt::Engine engine(mlrt::ModelSource::from_path(argv[1]),
                            {w, h, mlrt::SampleType::Float32, {planes}}, o);
        std::ifstream in(argv[5], std::ios::binary);
        std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        mlrt::Frame frame(w, h, planes, mlrt::SampleType::Float32);
        const std::size_t plane_bytes =
            static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4;
        if (raw.size() != plane_bytes * static_cast<std::size_t>(planes)) {
            std::fprintf(stderr, "input has %zu bytes, expected %zu\n", raw.size(),
                         plane_bytes * planes);
            return 1;
        }
        for (int p = 0; p < planes; ++p)
            std::copy_n(reinterpret_cast<const std::byte*>(raw.data()) +
                            plane_bytes * static_cast<std::size_t>(p),
                        plane_bytes, frame.plane_bytes(p).data());
        mlrt::FrameView view = frame.view();
        mlrt::Frame out = engine.run(std::span<const mlrt::FrameView>(&view, 1));
        std::ofstream o_file(argv[6], std::ios::binary);
        for (int p = 0; p < out.num_planes(); ++p)
            o_file.write(reinterpret_cast<const char*>(out.plane_bytes(p).data()),
                         static_cast<std::streamsize>(out.plane_bytes(p).size()));
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mlrt_run_raw: %s\n", e.what());
        return 1;
    }
}
