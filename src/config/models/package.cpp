#include "config/models/package.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "mlrt/error.hpp"

namespace mlrt::config::detail {

namespace {

namespace fs = std::filesystem;

std::string tail_of(const fs::path& log, std::size_t lines) {
    std::ifstream in(log);
    std::vector<std::string> all;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) all.push_back(line);
    std::string out;
    for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
        out += (out.empty() ? "" : " | ") + all[i];
    return out;
}

}  // namespace

std::string npm_pack(const std::string& package, const std::string& folder, double timeout_s) {
    fs::create_directories(folder);
    const fs::path log = fs::path(folder) / "npm.log";
    const pid_t pid = fork();
    if (pid < 0)
        throw Error(ErrorKind::Io, fmt::format("cannot start npm: {}", std::strerror(errno)));
    if (pid == 0) {
        // The child: in the folder, npm's output to the log, nothing read from the terminal.
        if (chdir(folder.c_str()) != 0) _exit(126);
        const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int null = open("/dev/null", O_RDONLY);
        if (fd < 0 || null < 0) _exit(126);
        dup2(null, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execlp("npm", "npm", "pack", "--silent", "--no-fund", "--no-audit", package.c_str(),
               static_cast<char*>(nullptr));
        _exit(errno == ENOENT ? 127 : 126);
    }
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
    int status = 0;
    for (;;) {
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (done < 0 && errno != EINTR) throw Error(ErrorKind::Io, "lost the npm process");
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            throw Error(ErrorKind::Io, fmt::format("`npm pack {}` ran past {:g} s (a stalled "
                                                   "network or registry?)",
                                                   package, timeout_s));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code == 127)
        throw Error(ErrorKind::Io,
                    "npm is not installed (apt-get install npm), and mlrt fetches "
                    "npm packages with it");
    if (code != 0)
        throw Error(ErrorKind::Io, fmt::format("`npm pack {}` failed (exit status {}): {}", package,
                                               code, tail_of(log, 3)));
    for (const auto& entry : fs::directory_iterator(folder))
        if (entry.path().extension() == ".tgz") return entry.path().string();
    throw Error(ErrorKind::Io, fmt::format("`npm pack {}` wrote no tarball", package));
}

void extract_members(const std::string& archive_path,
                     const std::vector<std::pair<std::string, std::string>>& members) {
    using Archive = std::unique_ptr<archive, decltype(&archive_read_free)>;
    Archive a(archive_read_new(), &archive_read_free);
    archive_read_support_filter_all(a.get());
    archive_read_support_format_all(a.get());
    if (archive_read_open_filename(a.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK)
        throw Error(ErrorKind::Io, fmt::format("cannot open the archive '{}': {}", archive_path,
                                               archive_error_string(a.get())));
    std::map<std::string, std::string> wanted(members.begin(), members.end());
    archive_entry* entry = nullptr;
    int r = 0;
    while (!wanted.empty() && (r = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
        const auto it = wanted.find(archive_entry_pathname(entry));
        if (it == wanted.end()) continue;
        std::ofstream out(it->second, std::ios::binary | std::ios::trunc);
        const void* block = nullptr;
        std::size_t size = 0;
        la_int64_t offset = 0;
        int rb = 0;
        while ((rb = archive_read_data_block(a.get(), &block, &size, &offset)) == ARCHIVE_OK)
            out.write(static_cast<const char*>(block), static_cast<std::streamsize>(size));
        out.close();
        if (rb != ARCHIVE_EOF)
            throw Error(ErrorKind::Io,
                        fmt::format("the archive '{}' is broken at '{}': {}", archive_path,
                                    it->first, archive_error_string(a.get())));
        if (!out)
            throw Error(ErrorKind::Io,
                        fmt::format("cannot write '{}' (is the disk full?)", it->second));
        wanted.erase(it);
    }
    if (r != ARCHIVE_OK && r != ARCHIVE_EOF)
        throw Error(ErrorKind::Io, fmt::format("the archive '{}' is broken: {}", archive_path,
                                               archive_error_string(a.get())));
    if (!wanted.empty())
        throw Error(ErrorKind::Io, fmt::format("the archive '{}' has no member '{}'", archive_path,
                                               wanted.begin()->first));
}

}  // namespace mlrt::config::detail
