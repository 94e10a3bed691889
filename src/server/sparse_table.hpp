#pragma once
// One Modbus data table as a set of mapped address ranges. Only mapped addresses hold
// values (a device answers ILLEGAL DATA ADDRESS for the rest), so memory follows what a
// device really has, not the 65536-entry address space.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

namespace regpoll::server {

// Addresses [start, start + count); count 0 never appears in a table.
struct AddressRange {
    std::uint32_t start = 0;
    std::uint32_t count = 0;
    std::uint32_t end() const { return start + count; }
    friend bool operator==(const AddressRange&, const AddressRange&) = default;
};

inline constexpr std::uint32_t address_space = 0x10000;

template <class T>
class SparseTable {
  public:
    // Makes [address, address + count) exist. New entries are T{}; entries already mapped
    // keep their values. Ranges that touch or overlap are merged into one, so a request
    // spanning them reads one contiguous block. The range is cut at the address space end.
    void map(std::uint32_t address, std::uint32_t count) {
        if (address >= address_space || count == 0) return;
        const std::uint32_t end = std::min(address_space, address + count);
        // Segments that overlap or touch [address, end).
        auto first = std::find_if(segments_.begin(), segments_.end(),
                                  [&](const Segment& s) { return s.end() >= address; });
        auto last =
            std::find_if(first, segments_.end(), [&](const Segment& s) { return s.start > end; });
        if (first == last) {
            segments_.insert(first, Segment{address, std::vector<T>(end - address)});
            return;
        }
        const std::uint32_t start = std::min(address, first->start);
        const std::uint32_t stop = std::max(end, std::prev(last)->end());
        if (start == first->start && stop == first->end() && std::next(first) == last) return;
        Segment merged{start, std::vector<T>(stop - start)};
        for (auto it = first; it != last; ++it) {
            std::copy(it->values.begin(), it->values.end(),
                      merged.values.begin() + (it->start - start));
        }
        auto pos = segments_.erase(first, last);
        segments_.insert(pos, std::move(merged));
    }

    // Storage of [address, address + count) when all of it is mapped, else nullptr.
    T* find(std::uint32_t address, std::uint32_t count) {
        return const_cast<T*>(std::as_const(*this).find(address, count));
    }
    const T* find(std::uint32_t address, std::uint32_t count) const {
        if (count == 0) return nullptr;
        auto it = std::upper_bound(segments_.begin(), segments_.end(), address,
                                   [](std::uint32_t a, const Segment& s) { return a < s.start; });
        if (it == segments_.begin()) return nullptr;
        --it;
        if (address + count > it->end()) return nullptr;
        return it->values.data() + (address - it->start);
    }

    std::vector<AddressRange> ranges() const {
        std::vector<AddressRange> out;
        out.reserve(segments_.size());
        for (const auto& s : segments_) {
            out.push_back({s.start, static_cast<std::uint32_t>(s.values.size())});
        }
        return out;
    }

  private:
    struct Segment {
        std::uint32_t start;
        std::vector<T> values;
        std::uint32_t end() const { return start + static_cast<std::uint32_t>(values.size()); }
    };
    std::vector<Segment> segments_;  // sorted by start, disjoint and never touching
};

}  // namespace regpoll::server
