#pragma once
// The (device, point) series of samples as small integers, in the order first seen, for the
// writers' queues (RowBatch): the poller's thread interns, and hands the definitions of new
// series (or of a unit a reload changed) to the writer thread ahead of their samples.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "poll/sample.hpp"
#include "sink/history_batch.hpp"

namespace regpoll::sink {

struct SeriesDefinition {
    SeriesIndex index;
    std::string device;
    std::string point;
    std::string unit;
};

class SeriesNames {
  public:
    // The index of the sample's series; appends a definition to `defined` when the series is
    // new or its unit changed.
    SeriesIndex intern(const poll::Sample& sample, std::vector<SeriesDefinition>& defined);

  private:
    using Key = std::pair<std::string_view, std::string_view>;
    struct Hash {
        std::size_t operator()(const Key& k) const;
    };
    struct Entry {
        std::string device, point;  // the map's keys view these (stable: nodes do not move)
        SeriesIndex index;
        std::string unit;
    };
    std::unordered_map<Key, std::unique_ptr<Entry>, Hash> entries_;
};

}  // namespace regpoll::sink
