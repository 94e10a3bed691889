#pragma once
// A queue between a producer that must never wait (the poll loop) and one consumer thread (a
// sink's writer). push() holds a lock for as long as it takes to move the items in, never
// longer; when the bound is reached the policy decides what goes — the oldest entries
// (keep the newest data) or the new ones (keep what is already waiting) — and every entry
// that goes is counted, so nothing is lost without a number saying so.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace regpoll {

enum class Overflow { drop_oldest, drop_newest };

struct QueueCounters {
    std::uint64_t pushed = 0;    // entries offered to push()
    std::uint64_t dropped = 0;   // of those, forced out by the bound (or offered after close())
    std::uint64_t taken = 0;     // handed to the consumer by pop()
    std::size_t size = 0;        // waiting now
    std::size_t high_water = 0;  // the most that ever waited
};

template <class T>
class BoundedQueue {
  public:
    // `capacity` entries at most (at least 1).
    BoundedQueue(std::size_t capacity, Overflow overflow)
        : capacity_(std::max<std::size_t>(capacity, 1)), overflow_(overflow) {}

    // Appends `items` in order. Returns how many entries the bound forced out by this call
    // (old ones with drop_oldest, items of this call with drop_newest); `on_drop` sees each of
    // them first (under the queue's lock: keep it cheap). Never waits for the consumer.
    template <class OnDrop>
    std::size_t push(std::vector<T>&& items, OnDrop&& on_drop) {
        std::size_t dropped = 0;
        {
            std::lock_guard lock(mutex_);
            counters_.pushed += items.size();
            if (closed_) {
                dropped = items.size();
                for (const auto& item : items) on_drop(item);
            } else {
                for (auto& item : items) {
                    if (queue_.size() >= capacity_) {
                        ++dropped;
                        if (overflow_ == Overflow::drop_newest) {
                            on_drop(item);
                            continue;
                        }
                        on_drop(queue_.front());
                        queue_.pop_front();
                    }
                    queue_.push_back(std::move(item));
                }
            }
            counters_.dropped += dropped;
            counters_.size = queue_.size();
            counters_.high_water = std::max(counters_.high_water, queue_.size());
        }
        items.clear();
        ready_.notify_one();
        return dropped;
    }
    std::size_t push(std::vector<T>&& items) {
        return push(std::move(items), [](const T&) {});
    }

    // Waits until an entry is waiting, `deadline` passes or the queue is closed, then moves up
    // to `max` entries to the end of `out`. False once the queue is closed and empty.
    bool pop(std::vector<T>& out, std::size_t max, std::chrono::steady_clock::time_point deadline) {
        std::unique_lock lock(mutex_);
        ready_.wait_until(lock, deadline, [&] { return !queue_.empty() || closed_; });
        const std::size_t n = std::min(max, queue_.size());
        for (std::size_t i = 0; i < n; ++i) {
            out.push_back(std::move(queue_.front()));
            queue_.pop_front();
        }
        counters_.taken += n;
        counters_.size = queue_.size();
        return !(closed_ && queue_.empty() && n == 0);
    }

    // Removes what waits without handing it on; returns how many entries that was (counted
    // as dropped, each shown to `on_drop`). For a consumer that has to give up.
    template <class OnDrop>
    std::size_t discard(OnDrop&& on_drop) {
        std::lock_guard lock(mutex_);
        const std::size_t n = queue_.size();
        for (const auto& item : queue_) on_drop(item);
        queue_.clear();
        counters_.dropped += n;
        counters_.size = 0;
        return n;
    }

    // No more entries are accepted; pop() returns what is left, then false.
    void close() {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        ready_.notify_all();
    }

    QueueCounters counters() const {
        std::lock_guard lock(mutex_);
        return counters_;
    }
    std::size_t capacity() const { return capacity_; }
    Overflow overflow() const { return overflow_; }

  private:
    const std::size_t capacity_;
    const Overflow overflow_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<T> queue_;
    bool closed_ = false;
    QueueCounters counters_;
};

}  // namespace regpoll
