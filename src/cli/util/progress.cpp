#include "util/progress.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string_view>

namespace mlrt::cli {
namespace {

std::string clock_text(double seconds) {
    const long long s = std::llround(seconds);
    return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

}  // namespace

Progress::Progress(bool enabled, std::optional<std::int64_t> total, const char* unit)
    : enabled_(enabled),
      unit_(unit),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
    finish();
}

bool Progress::wanted(bool quiet) {
    return !quiet && isatty(STDERR_FILENO);
}

void Progress::update(std::int64_t frames_done) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    // Redrawing more often than a few times a second only costs terminal time.
    if (drawn_ && now - last_draw_ < std::chrono::milliseconds(250)) return;
    last_draw_ = now;
    draw(frames_done);
}

void Progress::draw(std::int64_t frames_done) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double fps = elapsed > 0 ? static_cast<double>(frames_done) / elapsed : 0.0;
    const bool frames = std::string_view(unit_) == "frame";
    std::string line = fmt::format("{} {}", unit_, frames_done);
    if (total_ && *total_ > 0) {
        line +=
            fmt::format("/{} ({:.0f}%)", *total_,
                        100.0 * static_cast<double>(frames_done) / static_cast<double>(*total_));
    }
    line += frames ? fmt::format("  {:.2f} fps", fps) : fmt::format("  {:.2f} {}s/s", fps, unit_);
    if (total_ && fps > 0 && frames_done <= *total_)
        line += "  ETA " + clock_text(static_cast<double>(*total_ - frames_done) / fps);
    else
        line += "  elapsed " + clock_text(elapsed);
    std::fprintf(stderr, "\r%s\033[K", line.c_str());
    std::fflush(stderr);
    drawn_ = true;
}

void Progress::finish() {
    if (!enabled_ || !drawn_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
}

}  // namespace mlrt::cli
