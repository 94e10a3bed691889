#include "sink/series_names.hpp"

namespace regpoll::sink {

std::size_t SeriesNames::Hash::operator()(const Key& k) const {
    const std::hash<std::string_view> h;
    return h(k.first) * 31 + h(k.second);
}

SeriesIndex SeriesNames::intern(const poll::Sample& sample,
                                std::vector<SeriesDefinition>& defined) {
    static const std::string no_unit;
    const std::string& unit = sample.unit ? *sample.unit : no_unit;
    if (auto it = entries_.find(Key(*sample.device, *sample.point)); it != entries_.end()) {
        auto& e = *it->second;
        if (e.unit != unit) {  // a reloaded configuration changed it
            e.unit = unit;
            defined.push_back({e.index, e.device, e.point, unit});
        }
        return e.index;
    }
    const auto index = static_cast<SeriesIndex>(entries_.size());
    auto entry = std::make_unique<Entry>(Entry{*sample.device, *sample.point, index, unit});
    const Key key(entry->device, entry->point);
    entries_.emplace(key, std::move(entry));
    defined.push_back({index, *sample.device, *sample.point, unit});
    return index;
}

}  // namespace regpoll::sink
