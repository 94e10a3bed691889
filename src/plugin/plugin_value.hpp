#pragma once
// codec::Value ↔ regpoll_value (the C ABI's tagged union).
#include <string>

#include "codec/value.hpp"
#include "regpoll_plugin.h"

namespace regpoll::plugin {

// A view of `value`: a string result points into it, so `value` must outlive the result.
regpoll_value to_plugin_value(const codec::Value& value);

// A copy of what a plugin returned; an unknown kind or a string without data is an error
// (monostate returned, `error` set).
codec::Value from_plugin_value(const regpoll_value& value, std::string& error);

}  // namespace regpoll::plugin
