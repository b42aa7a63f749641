#pragma once
// A fair pool of streams: callers are served strictly in arrival order by whichever stream
// becomes free, so no caller starves under load.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

namespace mlrt::detail {

class StreamPool {
  public:
    explicit StreamPool(int streams);

    // Blocks until this caller's turn and a free stream; returns the stream index.
    int acquire();
    void release(int stream);

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<int> free_;
    std::uint64_t next_ticket_ = 0;  // handed to the next arriving caller
    std::uint64_t now_serving_ = 0;  // the ticket allowed to take the next free stream
};

// RAII lease of one stream.
class StreamLease {
  public:
    explicit StreamLease(StreamPool& pool) : pool_(pool), index_(pool.acquire()) {}
    ~StreamLease() { pool_.release(index_); }
    StreamLease(const StreamLease&) = delete;
    StreamLease& operator=(const StreamLease&) = delete;
    int index() const noexcept { return index_; }

  private:
    StreamPool& pool_;
    int index_;
};

}  // namespace mlrt::detail
