// `mlrt make-model OUTPUT`: writes one of mlrt's built-in models (for the demo and tests).
#include <cstdio>
#include <fstream>
#include <memory>

#include "commands/commands.hpp"
#include "mlrt/builtin_models.hpp"
#include "mlrt/error.hpp"

namespace mlrt::cli {
namespace {

struct MakeModelArgs {
    std::string output;
    std::string kind = "upscale2x";
    int channels = 3;
    bool quiet = false;
};

int make_model(MakeModelArgs a) {
    const BuiltinModel kind = parse_builtin_model(a.kind, &a.channels);
    const std::string bytes = build_model(kind, a.channels);
    {
        std::ofstream out(a.output, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(ErrorKind::Io, "cannot write model '" + a.output + "'");
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out.flush()) throw Error(ErrorKind::Io, "writing model '" + a.output + "' failed");
    }
    if (!a.quiet)
        std::fprintf(stderr, "mlrt: wrote %s model (%d channel(s)) to %s\n", a.kind.c_str(),
                     a.channels, a.output.c_str());
    return 0;
}

}  // namespace

Command add_make_model_command(CLI::App& app) {
    auto a = std::make_shared<MakeModelArgs>();
    CLI::App* cmd = app.add_subcommand(
        "make-model", "Write a small built-in model (identity, 2x upscaler) to a file");
    cmd->add_option("output", a->output, "Where to write the .onnx file")->required();
    cmd->add_option("--kind", a->kind, "identity, gray-identity, upscale2x or gray-upscale2x")
        ->capture_default_str();
    cmd->add_option("--channels", a->channels, "Channels of the model's input and output (1 or 3)")
        ->check(CLI::IsMember({1, 3}))
        ->capture_default_str();
    cmd->add_flag("-q,--quiet", a->quiet, "Print nothing");
    return {cmd, [a] { return make_model(*a); }};
}

}  // namespace mlrt::cli
