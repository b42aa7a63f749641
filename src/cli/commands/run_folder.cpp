#include "commands/run_folder.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "mlrt/error.hpp"
#include "util/interrupt.hpp"
#include "util/progress.hpp"

namespace mlrt::cli {

namespace {

namespace fs = std::filesystem;

// Still-image formats FFmpeg reads and writes as one picture per file.
const std::vector<std::string>& image_extensions() {
    static const std::vector<std::string> e = {
        ".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".webp", ".bmp",  ".tif", ".tiff", ".tga", ".ppm",
        ".pgm", ".pnm", ".pam",  ".exr", ".dpx",  ".jxl",  ".avif", ".hdr", ".sgi",  ".qoi"};
    return e;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool is_image(const fs::path& p) {
    const auto& e = image_extensions();
    return std::find(e.begin(), e.end(), lower(p.extension().string())) != e.end();
}

bool inside(const fs::path& child, const fs::path& parent) {
    const std::string c = fs::weakly_canonical(child).string() + "/";
    const std::string p = fs::weakly_canonical(parent).string() + "/";
    return c.rfind(p, 0) == 0;
}

}  // namespace

FolderPlan plan_folder(const std::string& in_dir, const std::string& out_dir, bool recursive,
                       const std::string& format, bool overwrite) {
    std::error_code ec;
    if (fs::exists(out_dir, ec) && !fs::is_directory(out_dir, ec))
        throw Error(ErrorKind::InvalidArgument,
                    fmt::format("input '{}' is a folder, so output '{}' must be a folder too, and "
                                "it is a file",
                                in_dir, out_dir));
    if (recursive && inside(out_dir, in_dir) && !fs::equivalent(out_dir, in_dir, ec))
        throw Error(ErrorKind::InvalidArgument,
                    fmt::format("output folder '{}' is inside input folder '{}': with --recursive "
                                "the outputs would be read as inputs; choose a folder outside it",
                                out_dir, in_dir));
    if (fs::exists(out_dir, ec) && fs::equivalent(out_dir, in_dir, ec))
        throw Error(ErrorKind::InvalidArgument,
                    fmt::format("output folder '{}' is the input folder; choose another", out_dir));
    std::string ext = lower(format);
    if (!ext.empty() && ext.front() != '.') ext = "." + ext;
    if (!ext.empty() && !is_image(fs::path("x" + ext)))
        throw Error(ErrorKind::InvalidArgument,
                    fmt::format("--format {}: not an image format mlrt writes for a folder (png, "
                                "jpg, webp, tiff, exr, …)",
                                format));
    FolderPlan plan;
    std::vector<fs::path> inputs;
    try {
        auto visit = [&](const fs::directory_entry& entry) {
            if (!entry.is_regular_file()) return;
            if (is_image(entry.path()))
                inputs.push_back(entry.path());
            else
                ++plan.other_files;
        };
        if (recursive)
            for (const auto& e : fs::recursive_directory_iterator(in_dir)) visit(e);
        else
            for (const auto& e : fs::directory_iterator(in_dir)) visit(e);
    } catch (const fs::filesystem_error& e) {
        throw Error(ErrorKind::Io,
                    fmt::format("cannot read input folder '{}': {}", in_dir, e.code().message()));
    }
    std::sort(inputs.begin(), inputs.end());
    for (const fs::path& in : inputs) {
        fs::path out = fs::path(out_dir) / fs::relative(in, in_dir);
        if (!ext.empty()) out.replace_extension(ext);
        if (!overwrite && fs::exists(out, ec)) {
            plan.existing.push_back(out.string());
            continue;
        }
        plan.jobs.push_back({in.string(), out.string()});
    }
    if (inputs.empty())
        throw Error(
            ErrorKind::InvalidArgument,
            fmt::format("input folder '{}' has no images{} (by extension: png, jpg, webp, "
                        "tiff, exr, …)",
                        in_dir, recursive ? "" : " (--recursive takes its subfolders too)"));
    return plan;
}

int run_folder(const FolderPlan& plan, int parallel, bool quiet,
               const std::function<int(const FolderJob&)>& run_one) {
    if (!quiet && !plan.existing.empty())
        std::fprintf(stderr, "mlrt: skipping %zu image(s) whose output exists (-y replaces them)\n",
                     plan.existing.size());
    Progress progress(Progress::wanted(quiet), static_cast<std::int64_t>(plan.jobs.size()), "file");
    std::atomic<std::size_t> next{0};
    std::atomic<std::int64_t> done{0};
    std::mutex lock;
    std::vector<std::pair<std::string, std::string>> failed;
    auto worker = [&] {
        for (std::size_t i = next++; i < plan.jobs.size() && !interrupted(); i = next++) {
            const FolderJob& job = plan.jobs[i];
            std::string why;
            try {
                std::error_code ec;
                std::filesystem::create_directories(std::filesystem::path(job.output).parent_path(),
                                                    ec);
                const int status = run_one(job);
                if (status == 3)
                    why = "it had decoding errors (the output holds what decoded)";
                else if (status != 0 && status != 130)
                    why = fmt::format("exit status {}", status);
            } catch (const std::exception& e) {
                why = e.what();
            }
            const std::lock_guard<std::mutex> guard(lock);
            if (!why.empty()) failed.emplace_back(job.input, why);
            progress.update(++done);
        }
    };
    std::vector<std::thread> workers;
    const int n = std::clamp(parallel, 1, std::max<int>(1, static_cast<int>(plan.jobs.size())));
    for (int t = 1; t < n; ++t) workers.emplace_back(worker);
    worker();
    for (std::thread& t : workers) t.join();
    progress.finish();
    const std::int64_t ok = done - static_cast<std::int64_t>(failed.size());
    if (interrupted()) {
        std::fprintf(stderr, "mlrt: interrupted after %lld of %zu image(s)\n",
                     static_cast<long long>(done.load()), plan.jobs.size());
        return 130;
    }
    for (const auto& [file, why] : failed)
        std::fprintf(stderr, "mlrt: error: %s: %s\n", file.c_str(), why.c_str());
    if (!failed.empty()) {
        std::fprintf(stderr,
                     "mlrt: error: %zu of %zu image(s) failed (listed above); the other %lld "
                     "were written\n",
                     failed.size(), plan.jobs.size(), static_cast<long long>(ok));
        return 3;
    }
    if (!quiet)
        std::fprintf(stderr, "mlrt: wrote %lld image(s)%s\n", static_cast<long long>(ok),
                     plan.existing.empty()
                         ? ""
                         : fmt::format(", skipped {} that exist", plan.existing.size()).c_str());
    return 0;
}

}  // namespace mlrt::cli
