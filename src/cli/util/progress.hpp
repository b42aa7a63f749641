#pragma once
// The one-line progress display of long commands: frames done, speed and time left, redrawn
// in place on a terminal and silent anywhere else.
#include <chrono>
#include <cstdint>
#include <optional>

namespace mlrt::cli {

class Progress {
  public:
    // `enabled` false makes every call a no-op; `total` is the expected count if known, of
    // frames or of what `unit` says ("file").
    Progress(bool enabled, std::optional<std::int64_t> total, const char* unit = "frame");
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void update(std::int64_t frames_done);
    void finish();  // clears the line

    // Standard error is a terminal and the user did not ask for quiet.
    static bool wanted(bool quiet);

  private:
    void draw(std::int64_t frames_done);

    bool enabled_;
    const char* unit_;
    bool drawn_ = false;
    std::optional<std::int64_t> total_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace mlrt::cli
