// mlrt: run ONNX models over images and video files, inspect models, benchmark.
#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "commands/commands.hpp"
#include "util/args.hpp"
#include "util/interrupt.hpp"

namespace {

// Levenshtein distance, for "did you mean".
std::size_t distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// The candidate nearest to `word`, if it is near enough to be what was meant.
std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const std::string& c : candidates)
        if (const std::size_t d = distance(word, c); d < best_distance) {
            best = c;
            best_distance = d;
        }
    return best;
}

std::vector<std::string> long_flags(const CLI::App& command) {
    std::vector<std::string> names;
    for (const CLI::Option* o : command.get_options())
        for (const std::string& n : o->get_lnames()) names.push_back("--" + n);
    return names;
}

// CLI11's message in mlrt's grammar, with the flag or command that was probably meant.
std::string usage_message(const CLI::App& app, const CLI::Error& e, int argc, char** argv) {
    std::string message = "mlrt: error: " + std::string(e.what());
    const CLI::App* command = nullptr;
    std::vector<std::string> command_names;
    for (const CLI::App* sub : app.get_subcommands({})) {
        command_names.push_back(sub->get_name());
        if (sub->parsed()) command = sub;
    }
    std::string hint;
    if (command == nullptr && argc > 1 && argv[1][0] != '-') {
        if (const std::string near = closest(argv[1], command_names); !near.empty())
            hint =
                "unknown command '" + std::string(argv[1]) + "': did you mean `mlrt " + near + "`?";
        else
            hint = "unknown command '" + std::string(argv[1]) + "'";
    } else if (command != nullptr) {
        const std::vector<std::string> flags = long_flags(*command);
        for (int i = 2; i < argc && hint.empty(); ++i) {
            const std::string arg = argv[i];
            if (arg.rfind("--", 0) != 0) continue;
            const std::string name = arg.substr(0, arg.find('='));
            if (std::find(flags.begin(), flags.end(), name) != flags.end()) continue;
            if (const std::string near = closest(name, flags); !near.empty())
                hint = fmt::format("unknown flag {}: did you mean {}?", name, near);
        }
    }
    if (!hint.empty()) message += " (" + hint + ")";
    const std::string help = command ? "mlrt " + command->get_name() + " --help" : "mlrt --help";
    return message + "\nRun `" + help + "` for the options.\n";
}

int run_command_line(int argc, char** argv) {
    using namespace mlrt::cli;
    CLI::App app{
        "mlrt runs ONNX image models (upscalers, denoisers, ...) over images and video files.",
        "mlrt"};
    app.require_subcommand(1);
    const std::vector<Command> commands = {add_run_command(app),         add_concat_command(app),
                                           add_probe_command(app),       add_info_command(app),
                                           add_bench_command(app),       add_version_command(app),
                                           add_make_model_command(app),  add_make_clip_command(app),
                                           add_import_ncnn_command(app), add_models_command(app)};
    // Set after the subcommands exist, which would otherwise inherit it.
    app.footer("Run `mlrt COMMAND --help` for the options of a command.");
    if (argc <= 1) {  // a bare `mlrt`: what there is to run
        std::fputs(app.help().c_str(), stdout);
        return 2;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        std::fputs(usage_message(app, e, argc, argv).c_str(), stderr);
        return 2;
    }
    for (const Command& c : commands)
        if (c.app->parsed()) return c.run();
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    // First: an interrupt while the command sets up is one too.
    mlrt::cli::install_interrupt_handler();
    try {
        return run_command_line(argc, argv);
    } catch (const std::bad_alloc&) {
        // An allocation no site named (each large one does): still say what happened.
        std::fprintf(stderr,
                     "mlrt: error: out of memory; pass a smaller --tilesize or --streams, or "
                     "--max-memory to check the job before it starts\n");
        return mlrt::cli::interrupted() ? 130 : 1;
    } catch (const mlrt::cli::UsageError& e) {
        std::fprintf(stderr, "mlrt: error: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mlrt: error: %s\n", e.what());
        // What failed may just have been cut short by the user's Ctrl-C.
        return mlrt::cli::interrupted() ? 130 : 1;
    } catch (...) {
        std::fprintf(stderr, "mlrt: error: unexpected failure\n");
        return 1;
    }
}
