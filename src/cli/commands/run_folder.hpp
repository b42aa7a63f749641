#pragma once
// `mlrt run MODEL DIR OUTDIR`: every image in DIR (and its subfolders with --recursive) run on
// its own, written under the same relative name in OUTDIR. Outputs that exist are skipped unless
// overwriting; a file that fails is reported at the end and does not stop the others.
#include <functional>
#include <string>
#include <vector>

namespace mlrt::cli {

struct FolderJob {
    std::string input;
    std::string output;
};

struct FolderPlan {
    std::vector<FolderJob> jobs;
    std::vector<std::string> existing;  // outputs kept (no -y)
    int other_files = 0;                // not images by their extension
};

// Throws mlrt::Error naming the folder when DIR is unreadable, OUTDIR is a file or inside DIR
// is where the outputs would be read back as inputs, or `format` is not an image extension.
FolderPlan plan_folder(const std::string& in_dir, const std::string& out_dir, bool recursive,
                       const std::string& format, bool overwrite);

// Runs the jobs, `parallel` at a time, with one progress line over files; returns 0, or 3 when
// some failed (each named with its error), or 130 when interrupted.
int run_folder(const FolderPlan& plan, int parallel, bool quiet,
               const std::function<int(const FolderJob&)>& run_one);

}  // namespace mlrt::cli
