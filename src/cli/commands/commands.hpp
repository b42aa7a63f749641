#pragma once
// Each subcommand registers its flags on the application and returns what to run once the
// command line has been parsed (and this subcommand chosen).
#include <CLI/CLI.hpp>
#include <functional>

namespace mlrt::cli {

struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;  // the process exit code
};

Command add_run_command(CLI::App& app);
Command add_info_command(CLI::App& app);
Command add_bench_command(CLI::App& app);
Command add_version_command(CLI::App& app);
Command add_make_model_command(CLI::App& app);
Command add_make_clip_command(CLI::App& app);
Command add_probe_command(CLI::App& app);
Command add_concat_command(CLI::App& app);
Command add_import_ncnn_command(CLI::App& app);
Command add_models_command(CLI::App& app);

}  // namespace mlrt::cli
