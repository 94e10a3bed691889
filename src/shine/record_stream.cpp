#include "shine/record_stream.hpp"

namespace regpoll::shine {

void RecordStream::append(std::span<const std::uint8_t> bytes) {
    // Compact before growing, so the vector never keeps consumed bytes alive.
    if (start_ > 0) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(start_));
        start_ = 0;
    }
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

CutResult RecordStream::next() {
    CutResult r = cut_frame(std::span(buffer_).subspan(start_));
    start_ += r.consumed;
    if (r.status == CutResult::Status::frame) ++counters_.frames;
    if (r.status == CutResult::Status::dropped) {
        ++counters_.dropped;
        counters_.dropped_bytes += r.consumed;
    }
    if (start_ == buffer_.size()) {
        buffer_.clear();
        start_ = 0;
    }
    return r;
}

}  // namespace regpoll::shine
