// Runs a model given on the command line over one frame using only mlrt's installed API.
#include <cstdio>
#include <mlrt/mlrt.hpp>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: consumer MODEL\n");
        return 2;
    }
    try {
        const mlrt::RuntimeInfo info = mlrt::runtime_info();
        std::printf("mlrt %s on ONNX Runtime %s\n", info.mlrt_version.c_str(),
                    info.onnxruntime_version.c_str());
        mlrt::Engine engine(mlrt::ModelSource::from_path(argv[1]),
                            {24, 16, mlrt::SampleType::Float32, {3}}, {});
        mlrt::Frame in(24, 16, 3, mlrt::SampleType::Float32);
        for (int p = 0; p < 3; ++p)
            for (auto& v : in.plane<float>(p)) v = 0.25f * static_cast<float>(p);
        mlrt::FrameView view = in.view();
        mlrt::Frame out = engine.run(std::span<const mlrt::FrameView>(&view, 1));
        std::printf("output %dx%d, %d planes\n", out.width(), out.height(), out.num_planes());
        return out.width() == 24 * engine.model_info().scale ? 0 : 1;
    } catch (const mlrt::Error& e) {
        std::fprintf(stderr, "consumer: %s\n", e.what());
        return 1;
    }
}
