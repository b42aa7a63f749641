#pragma once
// Downloads over HTTP(S) with libcurl: proxies from the environment (libcurl's own
// http_proxy/https_proxy/no_proxy), a connect timeout, a stall timeout, and resume by Range
// into a partial file after a dropped connection.
#include <cstdint>
#include <functional>
#include <string>

namespace mlrt::config::detail {

struct DownloadOptions {
    double connect_timeout_s = 20;
    double stall_timeout_s = 30;
    int attempts = 3;  // a dropped connection or a stall is tried again, from where it stopped
    std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

// Appends to `part` until it holds the whole of `url` (`size` bytes when known, else whatever
// the server sends). Throws mlrt::Error(Io) whose message says what failed (HTTP status, no
// network, timeout, full disk) without the "how to get it by hand" advice the caller adds.
void download(const std::string& url, const std::string& part, std::uint64_t size,
              const DownloadOptions& options);

}  // namespace mlrt::config::detail
