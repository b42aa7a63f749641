#pragma once
// Ctrl-C handling: the first SIGINT asks the running command to stop at the next frame and
// finish its output; a second one kills the process the usual way.
namespace mlrt::cli {

void install_interrupt_handler();
bool interrupted() noexcept;

}  // namespace mlrt::cli
