// `mlrt import-ncnn MODEL.param MODEL.bin OUT.onnx`: an ncnn model as an ONNX model that takes
// float RGB in [0, 1] at any size, with its program's pre- and post-processing in the graph.
#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>

#include "commands/commands.hpp"
#include "mlrt/error.hpp"
#include "mlrt/ncnn.hpp"

namespace mlrt::cli {
namespace {

namespace fs = std::filesystem;

struct ImportArgs {
    std::string param;
    std::string bin;
    std::string output;
    std::string program = "none";
    int scale = 1;
    int prepadding = -1;
    int multiple = -1;
    bool overwrite = false;
    bool quiet = false;
};

// Next to the output and renamed over it, so no half-written model is ever left behind.
void write_new_file(const fs::path& path, const std::string& bytes, bool overwrite) {
    std::error_code ec;
    if (!overwrite && fs::exists(path, ec))
        throw Error(ErrorKind::Io,
                    fmt::format("'{}' already exists; pass -y to overwrite it", path.string()));
    const fs::path temp = path.parent_path() / fmt::format(".{}.{}.part", path.filename().string(),
                                                           std::random_device{}());
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) {
            fs::remove(temp, ec);
            throw Error(ErrorKind::Io, fmt::format("cannot write '{}' (is the disk full, or the "
                                                   "folder missing or read-only?)",
                                                   path.string()));
        }
    }
    fs::rename(temp, path, ec);
    if (ec) {
        fs::remove(temp, ec);
        throw Error(ErrorKind::Io,
                    fmt::format("cannot write '{}': {}", path.string(), ec.message()));
    }
}

int import_ncnn_command(const ImportArgs& a) {
    NcnnFraming framing = ncnn_program_framing(a.program, a.scale);
    if (a.prepadding >= 0) framing.prepadding = a.prepadding;
    if (a.multiple >= 0) framing.size_multiple = a.multiple;
    const NcnnImport model = import_ncnn(a.param, a.bin, framing);
    write_new_file(a.output, model.onnx, a.overwrite);
    if (!a.quiet) {
        std::string types;
        for (const std::string& t : model.layer_types) types += (types.empty() ? "" : ", ") + t;
        std::fprintf(stderr,
                     "mlrt: imported %s (%d layers: %s) as %s: %dx, framed as %s (border %d, "
                     "multiple %d)\n",
                     a.param.c_str(), model.layers, types.c_str(), a.output.c_str(), framing.scale,
                     a.program.c_str(), framing.prepadding, framing.size_multiple);
    }
    return 0;
}

}  // namespace

Command add_import_ncnn_command(CLI::App& app) {
    auto a = std::make_shared<ImportArgs>();
    CLI::App* cmd =
        app.add_subcommand("import-ncnn",
                           "Convert an ncnn model (.param + .bin) to ONNX, with the pre- and "
                           "post-processing of the program that runs it");
    cmd->add_option("param", a->param, "The ncnn .param file (text)")->required();
    cmd->add_option("bin", a->bin, "The ncnn .bin file of the same model")->required();
    cmd->add_option("output", a->output, "Where to write the .onnx model")->required();
    std::string programs;
    for (const std::string& p : ncnn_programs()) programs += (programs.empty() ? "" : ", ") + p;
    cmd->add_option("--program", a->program,
                    "The program whose framing the model gets (" + programs + ")")
        ->check(CLI::IsMember(ncnn_programs()))
        ->capture_default_str();
    cmd->add_option("--scale", a->scale, "The model's scale (output size / input size)")
        ->check(CLI::Range(1, 16))
        ->capture_default_str();
    cmd->add_option("--prepadding", a->prepadding,
                    "Border pixels the network eats, instead of the program's")
        ->check(CLI::Range(0, 256));
    cmd->add_option("--multiple", a->multiple,
                    "Round the padded size up to a multiple of this, instead of the program's")
        ->check(CLI::Range(1, 256));
    cmd->add_flag("-y,--overwrite", a->overwrite, "Replace OUTPUT if it exists");
    cmd->add_flag("-q,--quiet", a->quiet, "Print nothing");
    return {cmd, [a] { return import_ncnn_command(*a); }};
}

}  // namespace mlrt::cli
