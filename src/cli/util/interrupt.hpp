#pragma once
// Interrupts: the first SIGINT, SIGTERM or SIGHUP says so at once and asks the running command
// to stop at the next frame and finish its output; a second one removes the output being
// written (partial_output) and ends the process at once, with status 130.
#include <string>

namespace mlrt::cli {

void install_interrupt_handler();
bool interrupted() noexcept;

// The file being written under a temporary name, which a second interrupt removes; an empty
// path says there is none (any more).
void set_partial_output(const std::string& path) noexcept;

}  // namespace mlrt::cli
