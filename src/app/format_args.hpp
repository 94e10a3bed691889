#pragma once
// Turns --type/--order/--scale/--offset/--length/--byte into a codec::Format, with the
// usage error naming the option.
#include <optional>
#include <string>

#include "codec/format.hpp"
#include "modbus/register_kind.hpp"

namespace regpoll::app {

struct FormatArgs {
    const std::string& type;
    const std::string& order;
    double scale;
    double offset;
    int length;
    const std::string& byte;
};

// Prints the usage error and returns nullopt when an option is wrong.
std::optional<codec::Format> format_from_args(const FormatArgs& args, modbus::RegisterKind kind);

}  // namespace regpoll::app
