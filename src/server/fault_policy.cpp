#include "server/fault_policy.hpp"

#include <algorithm>
#include <cmath>

namespace regpoll::server {

FaultPolicy::FaultPolicy(FaultSettings settings, std::uint64_t seed)
    : settings_(settings), engine_(seed) {}

FaultPolicy::FaultPolicy(FaultSettings settings, RandomSource random)
    : settings_(settings), random_(std::move(random)) {}

double FaultPolicy::next_random() {
    return random_ ? random_() : std::generate_canonical<double, 53>(engine_);
}

bool FaultPolicy::happens(double rate) {
    if (rate <= 0) return false;
    if (rate >= 1) return true;
    return next_random() < rate;
}

FaultDecision FaultPolicy::decide() {
    FaultDecision d;
    d.disconnect = happens(settings_.disconnect_rate);
    d.exception = !d.disconnect && happens(settings_.exception_rate);
    d.drop = happens(settings_.drop_rate);
    d.corrupt = happens(settings_.corrupt_rate);
    d.delay = settings_.delay;
    if (settings_.jitter.count() > 0) {
        const auto extra = static_cast<Milliseconds::rep>(
            std::floor(next_random() * static_cast<double>(settings_.jitter.count() + 1)));
        d.delay += Milliseconds(std::min(extra, settings_.jitter.count()));
    }
    return d;
}

}  // namespace regpoll::server
