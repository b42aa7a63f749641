#include "config/models/fetch.hpp"

#include <curl/curl.h>
#include <fmt/core.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>

#include "mlrt/error.hpp"
#include "mlrt/version.hpp"

namespace mlrt::config::detail {

namespace {

namespace fs = std::filesystem;

struct Sink {
    std::FILE* file = nullptr;
    int write_errno = 0;
    std::uint64_t start = 0;
    std::uint64_t total = 0;
    const DownloadOptions* options = nullptr;
};

std::size_t on_data(char* data, std::size_t size, std::size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    const std::size_t bytes = size * count;
    if (std::fwrite(data, 1, bytes, sink->file) != bytes) {
        sink->write_errno = errno != 0 ? errno : EIO;
        return 0;
    }
    return bytes;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
    auto* sink = static_cast<Sink*>(user);
    if (sink->options->progress) {
        const std::uint64_t all =
            sink->total != 0 ? sink->total : static_cast<std::uint64_t>(total) + sink->start;
        sink->options->progress(sink->start + static_cast<std::uint64_t>(now), all);
    }
    return 0;
}

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::uint64_t size_of(const std::string& path) {
    std::error_code ec;
    const auto s = fs::file_size(path, ec);
    return ec ? 0 : static_cast<std::uint64_t>(s);
}

// One transfer from `from` bytes on; returns curl's code and the HTTP status.
CURLcode transfer(const std::string& url, const std::string& part, std::uint64_t from,
                  std::uint64_t total, const DownloadOptions& options, long* status, Sink* sink,
                  std::string* detail) {
    using File = std::unique_ptr<std::FILE, decltype(&std::fclose)>;
    File file(std::fopen(part.c_str(), from == 0 ? "wb" : "ab"), &std::fclose);
    if (!file)
        throw Error(ErrorKind::Io,
                    fmt::format("cannot write '{}': {}", part, std::strerror(errno)));
    *sink = Sink{file.get(), 0, from, total, &options};
    using Easy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
    Easy curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) throw Error(ErrorKind::Runtime, "libcurl cannot start a transfer");
    char error[CURL_ERROR_SIZE] = {};
    const std::string agent = std::string("mlrt/") + version();
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, agent.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options.connect_timeout_s * 1000));
    // A stall: under 1 byte/s for the stall timeout.
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                     std::max(1L, static_cast<long>(options.stall_timeout_s)));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, sink);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    if (from > 0) curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(from));
    const CURLcode code = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    *detail = error[0] != '\0' ? error : curl_easy_strerror(code);
    if (std::fflush(file.get()) != 0 && sink->write_errno == 0) sink->write_errno = errno;
    return code;
}

}  // namespace

void download(const std::string& url, const std::string& part, std::uint64_t size,
              const DownloadOptions& options) {
    global_init();
    std::string last;
    for (int attempt = 1; attempt <= std::max(1, options.attempts); ++attempt) {
        std::uint64_t have = size_of(part);
        if (size != 0 && have > size) have = 0;  // not the file we want: start again
        if (size != 0 && have == size) return;
        long status = 0;
        Sink sink;
        std::string detail;
        const CURLcode code = transfer(url, part, have, size, options, &status, &sink, &detail);
        if (sink.write_errno != 0) {
            std::error_code ec;
            fs::remove(part, ec);  // nothing to resume on a disk that is full
            throw Error(
                ErrorKind::Io,
                fmt::format("cannot write '{}': {}{}", part, std::strerror(sink.write_errno),
                            sink.write_errno == ENOSPC ? " (the disk is full)" : ""));
        }
        if (code == CURLE_OK) {
            const std::uint64_t got = size_of(part);
            if (size == 0 || got == size) return;
            if (got > size)
                throw Error(ErrorKind::Io,
                            fmt::format("the server sent {} bytes, {} were expected", got, size));
            last = fmt::format("the connection ended after {} of {} bytes", got, size);
            continue;
        }
        if (code == CURLE_RANGE_ERROR) {  // the server cannot resume: start over
            std::error_code ec;
            fs::remove(part, ec);
            last = "the server cannot resume a download";
            continue;
        }
        if (code == CURLE_HTTP_RETURNED_ERROR)
            throw Error(ErrorKind::Io, fmt::format("the server answered HTTP {}{}", status,
                                                   status == 404 ? " (not found)" : ""));
        if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY ||
            code == CURLE_COULDNT_CONNECT || code == CURLE_UNSUPPORTED_PROTOCOL ||
            code == CURLE_URL_MALFORMAT || code == CURLE_PEER_FAILED_VERIFICATION ||
            code == CURLE_SSL_CONNECT_ERROR)
            throw Error(ErrorKind::Io, fmt::format("no connection ({})", detail));
        if (code == CURLE_OPERATION_TIMEDOUT)
            last = fmt::format("the server sent nothing for {:g} s ({})", options.stall_timeout_s,
                               detail);
        else
            last = detail;
    }
    const std::uint64_t got = size_of(part);
    throw Error(ErrorKind::Io, fmt::format("{}; {} of {} bytes arrived after {} attempts", last,
                                           got, size != 0 ? std::to_string(size) : std::string("?"),
                                           std::max(1, options.attempts)));
}

}  // namespace mlrt::config::detail
