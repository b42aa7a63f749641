#include "engine/stream_pool.hpp"

namespace mlrt::detail {

StreamPool::StreamPool(int streams) {
    for (int i = streams - 1; i >= 0; --i) free_.push_back(i);
}

int StreamPool::acquire() {
    std::unique_lock lock(mutex_);
    const std::uint64_t ticket = next_ticket_++;
    cv_.wait(lock, [&] { return ticket == now_serving_ && !free_.empty(); });
    ++now_serving_;
    const int stream = free_.back();
    free_.pop_back();
    // The next ticket may be able to go at once if another stream is free.
    cv_.notify_all();
    return stream;
}

void StreamPool::release(int stream) {
    {
        std::lock_guard lock(mutex_);
        free_.push_back(stream);
    }
    cv_.notify_all();
}

}  // namespace mlrt::detail
