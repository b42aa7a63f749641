#include "memory_budget.hpp"

#include <fmt/core.h>
#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include "mlrt/error.hpp"

namespace mlrt::cli {
namespace {

constexpr std::uint64_t kMiB = std::uint64_t{1024} * 1024;
// Resident memory of the runtime itself beyond what is counted (heaps, codecs, ONNX Runtime's
// kernels and thread pools); measured at about 40 MiB for a tiny job, rounded up.
constexpr std::uint64_t kRuntimeBytes = 96 * kMiB;
// Under an address-space limit every thread reserves its stack and, with glibc, a 64 MiB malloc
// arena (up to 8 per core), whether it touches them or not; measured at about 20 MiB a thread
// for a small job (VmPeak less the VmSize at start), rounded up.
constexpr std::uint64_t kThreadAddressSpace = 32 * kMiB;

// "VmSize:  123 kB" from /proc/self/status, or "MemAvailable: 123 kB" from /proc/meminfo.
std::optional<std::uint64_t> proc_kb(const char* file, const char* key) {
    std::ifstream in(file);
    std::string line;
    const std::string k = key;
    while (std::getline(in, line))
        if (line.rfind(k, 0) == 0) {
            std::istringstream s(line.substr(k.size()));
            std::uint64_t v = 0;
            if (s >> v) return v * 1024;
        }
    return std::nullopt;
}

std::optional<std::uint64_t> read_number(const std::string& path) {
    std::ifstream in(path);
    std::string word;
    if (!(in >> word) || word == "max") return std::nullopt;
    try {
        return std::stoull(word);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// The cgroup v2 directory of this process ("0::/path" in /proc/self/cgroup).
std::optional<std::string> cgroup_dir() {
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("0::", 0) == 0) return "/sys/fs/cgroup" + line.substr(3);
    return std::nullopt;
}

std::uint64_t tile_samples(int tile, int frame) {
    return static_cast<std::uint64_t>(tile > 0 ? std::min(tile, frame) : frame);
}

// Everything but the frames in flight, for one choice of streams and tile.
std::vector<BudgetItem> engine_items(const MemoryJob& job, int streams, int tile_w, int tile_h,
                                     const ActivationEstimate& activations,
                                     const std::optional<MemoryLimit>& limit) {
    std::vector<BudgetItem> items;
    const auto s = static_cast<std::uint64_t>(streams);
    const std::uint64_t float_in = static_cast<std::uint64_t>(job.in_width) * job.in_height *
                                   (job.in_planes + job.alpha_in_planes) * job.in_sample_bytes;
    const std::uint64_t float_out = static_cast<std::uint64_t>(job.out_width) * job.out_height *
                                    (job.out_planes + job.alpha_out_planes) * job.out_sample_bytes;
    items.push_back({fmt::format("float frames in and out, {} worker(s)", streams),
                     s * (float_in + float_out)});
    const int tw = static_cast<int>(tile_samples(tile_w, job.in_width));
    const int th = static_cast<int>(tile_samples(tile_h, job.in_height));
    // ONNX Runtime's arena rounds allocations up and keeps the tile's bound input and output
    // besides the graph's own tensors: a quarter more than the tensors alive at once.
    const std::uint64_t act = activations(tw, th);
    items.push_back(
        {fmt::format("model activations for a {}x{} tile, {} stream(s)", tw, th, streams),
         s * (act + act / 4)});
    // Each session holds the weights and its pre-packed copy of them.
    items.push_back({fmt::format("model weights, {} stream(s)", streams), s * 2 * job.model_bytes});
    items.push_back({"runtime (libraries, codecs, thread pools)", kRuntimeBytes});
    if (limit && limit->address_space)
        items.push_back({fmt::format("address space reserved by {} thread(s)", job.threads),
                         static_cast<std::uint64_t>(job.threads) * kThreadAddressSpace});
    return items;
}

std::uint64_t sum(const std::vector<BudgetItem>& items) {
    std::uint64_t t = 0;
    for (const auto& i : items) t += i.bytes;
    return t;
}

}  // namespace

std::string format_bytes(std::uint64_t bytes) {
    const double b = static_cast<double>(bytes);
    if (bytes >= 1024 * kMiB) return fmt::format("{:.2f} GiB", b / (1024.0 * kMiB));
    if (bytes >= kMiB) return fmt::format("{:.1f} MiB", b / kMiB);
    return fmt::format("{:.1f} KiB", b / 1024.0);
}

std::optional<std::uint64_t> parse_memory_size(const std::string& text) {
    std::size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
        ++i;
    if (i == 0) return std::nullopt;
    double value = 0;
    try {
        std::size_t used = 0;
        value = std::stod(text.substr(0, i), &used);
        if (used != i) return std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
    std::string unit = text.substr(i);
    for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (unit.size() == 3 && unit.substr(1) == "IB") unit.resize(1);
    if (unit.size() == 2 && unit[1] == 'B') unit.resize(1);
    double mult = 1;
    if (unit.empty() || unit == "B")
        mult = 1;
    else if (unit == "K")
        mult = 1024.0;
    else if (unit == "M")
        mult = 1024.0 * 1024;
    else if (unit == "G")
        mult = 1024.0 * 1024 * 1024;
    else if (unit == "T")
        mult = 1024.0 * 1024 * 1024 * 1024;
    else
        return std::nullopt;
    const double bytes = value * mult;
    if (!(bytes >= 1) || bytes > 1.8e19) return std::nullopt;
    return static_cast<std::uint64_t>(std::llround(bytes));
}

std::optional<MemoryLimit> memory_limit(std::optional<std::uint64_t> max_memory) {
    std::optional<MemoryLimit> best;
    auto consider = [&](std::uint64_t bytes, std::string source, bool as) {
        if (!best || bytes < best->bytes) best = MemoryLimit{bytes, std::move(source), as};
    };
    if (max_memory) consider(*max_memory, "--max-memory", false);
    if (auto a = proc_kb("/proc/meminfo", "MemAvailable:")) consider(*a, "MemAvailable", false);
    if (auto dir = cgroup_dir())
        if (auto max = read_number(*dir + "/memory.max")) {
            const std::uint64_t used = read_number(*dir + "/memory.current").value_or(0);
            consider(*max > used ? *max - used : 0, "cgroup memory.max", false);
        }
    rlimit r{};
    if (getrlimit(RLIMIT_AS, &r) == 0 && r.rlim_cur != RLIM_INFINITY) {
        // What is mapped already (the libraries, ONNX Runtime included) is not available.
        const std::uint64_t used = proc_kb("/proc/self/status", "VmSize:").value_or(0);
        const std::uint64_t lim = r.rlim_cur;
        consider(lim > used ? lim - used : 0, "RLIMIT_AS", true);
    }
    return best;
}

MemoryBudget plan_memory(const MemoryJob& job, const std::optional<MemoryLimit>& limit,
                         const ActivationEstimate& activations) {
    const std::uint64_t float_frame = static_cast<std::uint64_t>(job.in_width) * job.in_height *
                                      job.in_planes * job.in_sample_bytes;
    const std::uint64_t per_frame =
        (job.float_in_flight ? float_frame : job.decoded_frame_bytes) + job.converted_frame_bytes;
    const int min_in_flight = std::max(1, job.streams);
    auto build = [&](int streams, int tw, int th, int in_flight) {
        MemoryBudget b;
        b.items = engine_items(job, streams, tw, th, activations, limit);
        b.items.insert(b.items.begin(),
                       {fmt::format("{} frame(s) in flight, decoded and converted", in_flight),
                        static_cast<std::uint64_t>(in_flight) * per_frame});
        if (job.held_float_frames > 0)
            b.items.insert(
                b.items.begin() + 1,
                {fmt::format("{} float frame(s) held for windows or pairs", job.held_float_frames),
                 static_cast<std::uint64_t>(job.held_float_frames) * float_frame});
        b.total = sum(b.items);
        b.frames_in_flight = in_flight;
        b.limit = limit;
        return b;
    };
    MemoryBudget b = build(job.streams, job.tile_width, job.tile_height, job.default_in_flight);
    if (!limit) return b;
    for (int n = job.default_in_flight; n >= min_in_flight; --n) {
        b = build(job.streams, job.tile_width, job.tile_height, n);
        if (b.total <= limit->bytes) return b;
    }

    // Refused: find what would fit, fewer streams first (they cost no quality), then smaller
    // tiles (square, halving from the current size down to 32).
    std::string suggestion;
    auto fits = [&](int streams, int tw, int th) {
        return build(streams, tw, th, std::max(1, streams)).total <= limit->bytes;
    };
    for (int s = job.streams - 1; s >= 1 && suggestion.empty(); --s)
        if (fits(s, job.tile_width, job.tile_height)) suggestion = fmt::format("--streams {}", s);
    const int current = std::max(static_cast<int>(tile_samples(job.tile_width, job.in_width)),
                                 static_cast<int>(tile_samples(job.tile_height, job.in_height)));
    for (int t = current / 2; t >= 32 && suggestion.empty(); t /= 2) {
        if (fits(job.streams, t, t))
            suggestion = fmt::format("--tilesize {}", t);
        else if (job.streams > 1 && fits(1, t, t))
            suggestion = fmt::format("--tilesize {} --streams 1", t);
    }
    std::string breakdown;
    for (const auto& i : b.items)
        breakdown +=
            fmt::format("{}{} {}", breakdown.empty() ? "" : ", ", format_bytes(i.bytes), i.what);
    const std::string limit_text =
        fmt::format("{} ({})", format_bytes(limit->bytes), limit->source);
    if (suggestion.empty()) {
        // What even the smallest job needs, and what most of it is.
        const MemoryBudget least = build(1, 32, 32, 1);
        const BudgetItem& largest = *std::max_element(
            least.items.begin(), least.items.end(),
            [](const BudgetItem& x, const BudgetItem& y) { return x.bytes < y.bytes; });
        throw Error(
            ErrorKind::InvalidArgument,
            fmt::format("this job needs an estimated {} of memory ({}) but the limit is "
                        "{}; no --tilesize or --streams fits: with --streams 1 "
                        "--tilesize 32 it still needs {}, most of it {} ({}): use a "
                        "machine with more memory or a higher limit",
                        format_bytes(b.total), breakdown, limit_text, format_bytes(least.total),
                        largest.what, format_bytes(largest.bytes)));
    }
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("this job needs an estimated {} of memory ({}) but the limit is {}; "
                            "{} fits",
                            format_bytes(b.total), breakdown, limit_text, suggestion));
}

void out_of_memory(const std::string& what) {
    throw Error(ErrorKind::Io, "out of memory allocating " + what +
                                   "; the estimate before the run was too low: pass a smaller "
                                   "--max-memory, --tilesize or --streams");
}

std::string describe(const MemoryBudget& b) {
    std::string s = fmt::format("mlrt: memory: estimate {}", format_bytes(b.total));
    if (b.limit)
        s += fmt::format(", limit {} ({})", format_bytes(b.limit->bytes), b.limit->source);
    else
        s += ", no limit known";
    s += fmt::format(", {} frame(s) in flight\n", b.frames_in_flight);
    for (const auto& i : b.items)
        s += fmt::format("mlrt: memory:   {:>10}  {}\n", format_bytes(i.bytes), i.what);
    return s;
}

}  // namespace mlrt::cli
