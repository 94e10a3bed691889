#pragma once
// The receive side of one datalogger connection: bytes in as they arrive (several records
// per read, or one record over several reads), whole records out, bad ones dropped and
// counted. The buffer is bounded: once next() says need_more it holds less than one
// largest frame.
#include <cstdint>
#include <span>
#include <vector>

#include "shine/frame.hpp"

namespace regpoll::shine {

class RecordStream {
  public:
    struct Counters {
        std::uint64_t frames = 0;
        std::uint64_t dropped = 0;        // results with status `dropped`
        std::uint64_t dropped_bytes = 0;  // bytes those results threw away
    };

    void append(std::span<const std::uint8_t> bytes);
    // The next frame or drop; need_more (nothing consumed) when no complete record is there.
    CutResult next();
    std::size_t buffered() const { return buffer_.size() - start_; }
    const Counters& counters() const { return counters_; }

  private:
    std::vector<std::uint8_t> buffer_;
    std::size_t start_ = 0;  // consumed bytes at the front, dropped lazily
    Counters counters_;
};

}  // namespace regpoll::shine
