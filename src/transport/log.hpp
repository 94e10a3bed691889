#pragma once
// How links report what the user should know but no request result carries: a refused
// dial-in, a pty that cannot do parity, a lost connection. The application decides where
// it goes (stderr for the one-shot commands); the transport stays free of a logging library.
#include <functional>
#include <string>

namespace regpoll::transport {

enum class LogLevel { debug, info, warning };
using LogFn = std::function<void(LogLevel, const std::string&)>;

}  // namespace regpoll::transport
