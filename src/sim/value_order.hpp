#pragma once
// The order in which one refresh computes the simulation's values: a derived value after
// every value its terms name (on any device), an energy counter after its source. Values
// belong to "owners": each device (its profile's points) and the site's signals.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "sim/generator_spec.hpp"

namespace regpoll::sim {

struct ValueOwner {
    std::string name;                         // the device's name; "" for the signals
    std::vector<std::string> names;           // its points (or signals), by index
    std::vector<const GeneratorSpec*> specs;  // per name; null: no generator
};

struct ValueRef {
    std::size_t owner = 0;
    std::size_t index = 0;
    bool operator==(const ValueRef&) const = default;
};

// A term's `ref` as written in a value of owner `from`: "device.point"; else a point of
// `from`; else a signal. The error says what was looked for.
Expected<ValueRef, std::string> resolve_ref(const std::vector<ValueOwner>& owners, std::size_t from,
                                            const std::string& ref);

// "meter.power", or "load" for a signal.
std::string value_name(const std::vector<ValueOwner>& owners, ValueRef ref);

struct OrderError {
    ValueRef at;                      // the value whose generator is at fault
    std::optional<std::size_t> term;  // its term that names nothing; none for a cycle
    std::string message;
};

struct ValueOrder {
    std::vector<ValueRef> order;  // every value with a generator, each after its sources
    std::vector<OrderError> errors;
};

// Depth first in configuration order, so values that depend on nothing keep their order.
ValueOrder order_values(const std::vector<ValueOwner>& owners);

}  // namespace regpoll::sim
