#pragma once
// Point types beyond the codec's own: a decoder plugin's named type ("growatt_fault") that
// turns a point's registers into a value. The profile layer only knows this interface; the
// plugin part implements it, so profiles stay free of dlopen.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "codec/value.hpp"

namespace regpoll::profile {

class PointDecoder {
  public:
    virtual ~PointDecoder() = default;
    virtual const std::string& type_name() const = 0;
    // Registers one value occupies.
    virtual std::size_t registers() const = 0;
    // Where the type comes from, for messages: "decoder plugin growatt_status (/usr/lib/…)".
    virtual std::string origin() const = 0;
    // `registers` holds exactly registers() registers as the device sent them. Returns the
    // value, or monostate with `error` set.
    virtual codec::Value decode(std::span<const std::uint16_t> registers,
                                std::string& error) const = 0;
};

// The point types a configuration may use besides the codec's.
class PointTypes {
  public:
    virtual ~PointTypes() = default;
    // nullptr when no plugin provides `name`.
    virtual std::shared_ptr<const PointDecoder> find(const std::string& name) const = 0;
    virtual std::vector<std::string> names() const = 0;
};

}  // namespace regpoll::profile
