#pragma once
// A small HTTP/1.1 server on Boost.Beast with its own thread and event loop, so neither a
// slow client nor a long request (a history query) can make the poll loop wait. Requests
// are handed to a handler as plain structs; Beast stays inside http_server.cpp.
//
// Limits: request headers up to 8 KiB (431 beyond), bodies up to 16 KiB (413), at most 64
// connections (more are closed at once); a request must arrive, and its answer be taken,
// within 10 s each, or the client is dropped (slow clients, idle keep-alive connections).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "web/http_message.hpp"

namespace regpoll::web {

struct HttpLimits {
    std::size_t max_header_bytes = 8 * 1024;
    std::size_t max_body_bytes = 16 * 1024;
    std::size_t max_connections = 64;
    std::chrono::milliseconds request_time{10'000};  // to receive one request, or send one answer
};

class HttpServer {
  public:
    // Called on the server's thread.
    using Handler = std::function<HttpResponse(const HttpRequest&)>;

    HttpServer(Handler handler, HttpLimits limits = {});
    ~HttpServer();  // stop()
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds `host`:`port` (0: a free port) on the caller's thread, so a busy address is
    // reported at once, then serves on the server's thread.
    std::error_code start(const std::string& host, std::uint16_t port);
    std::uint16_t port() const;
    // Closes the listener and every connection and joins the thread.
    void stop();

    struct Impl;  // defined in http_server.cpp, with its connections

  private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace regpoll::web
