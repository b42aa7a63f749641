// mlrt: run ONNX models over images and video files, inspect models, benchmark.
#include <cstdio>
#include <exception>
#include <new>
#include <vector>

#include "commands/commands.hpp"
#include "util/interrupt.hpp"

namespace {

int run_command_line(int argc, char** argv) {
    using namespace mlrt::cli;
    CLI::App app{
        "mlrt runs ONNX image models (upscalers, denoisers, ...) over images and video files."};
    app.require_subcommand(1);
    const std::vector<Command> commands = {add_run_command(app),        add_concat_command(app),
                                           add_probe_command(app),      add_info_command(app),
                                           add_bench_command(app),      add_version_command(app),
                                           add_make_model_command(app), add_make_clip_command(app)};
    // Set after the subcommands exist, which would otherwise inherit it.
    app.footer("Run `mlrt COMMAND --help` for the options of a command.");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    install_interrupt_handler();
    for (const Command& c : commands)
        if (c.app->parsed()) return c.run();
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run_command_line(argc, argv);
    } catch (const std::bad_alloc&) {
        // An allocation no site named (each large one does): still say what happened.
        std::fprintf(stderr,
                     "mlrt: error: out of memory; pass a smaller --tilesize or --streams, or "
                     "--max-memory to check the job before it starts\n");
        return mlrt::cli::interrupted() ? 130 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mlrt: error: %s\n", e.what());
        // What failed may just have been cut short by the user's Ctrl-C.
        return mlrt::cli::interrupted() ? 130 : 1;
    } catch (...) {
        std::fprintf(stderr, "mlrt: error: unexpected failure\n");
        return 1;
    }
}
