#pragma once
// A small HTTP/1.1 server on Boost.Beast with its own thread and event loop, so neither a
// slow client nor a long request (a history query) can make the poll loop wait. Requests
// are handed to a handler as plain structs; Beast stays inside http_server.cpp.
//
// Limits: request headers up to 8 KiB (431 beyond), bodies up to 16 KiB (413), at most 64
// connections (more are closed at once); a request must arrive, and its answer be taken,
// within 10 s each, or the client is dropped (slow clients, idle keep-alive connections).
//
// HTTPS with use_tls(): the same limits; the TLS handshake counts as receiving the request.
//
// Event streams (server-sent events): a handler's answer with `event_stream` keeps its
// connection open, outside the connection count, and every `feed_period` (1 s) the feed's
// next event goes to every stream. Each stream queues at most `stream_queue` events; one that
// falls further behind, or takes longer than `request_time` to take one, is dropped (the
// browser reconnects and starts again from a fresh first event).
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
    std::size_t max_event_streams = 128;
    std::size_t stream_queue = 8;  // events waiting for one stream
    std::chrono::milliseconds feed_period{1000};
};

// What the feed gives every stream at each period: the event's text, or nullptr for none;
// `listened` is false while no stream is open.
using EventFeedFn = std::function<std::shared_ptr<const std::string>(bool listened)>;

struct HttpServerStats {
    std::size_t streams = 0;          // open now
    std::uint64_t dropped_streams = 0;  // fallen behind, or too slow to take an event
};

class HttpServer {
  public:
    // Called on the server's thread.
    using Handler = std::function<HttpResponse(const HttpRequest&)>;

    HttpServer(Handler handler, HttpLimits limits = {}, EventFeedFn feed = {});
    ~HttpServer();  // stop()
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Serves HTTPS (TLS 1.2 and later) with a PEM certificate chain and private key; before
    // start(). Returns "" or what is wrong with the files (naming them).
    std::string use_tls(const std::string& cert_file, const std::string& key_file);
    // Binds `host`:`port` (0: a free port) on the caller's thread, so a busy address is
    // reported at once, then serves on the server's thread.
    std::error_code start(const std::string& host, std::uint16_t port);
    std::uint16_t port() const;
    // Safe from any thread.
    HttpServerStats stats() const;
    // Closes the listener and every connection and joins the thread.
    void stop();

    struct Impl;  // defined in http_server.cpp, with its connections

  private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace regpoll::web
