#include "web/http_server.hpp"

#include <atomic>
#include <deque>
#include <optional>
#include <thread>
#include <type_traits>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <spdlog/spdlog.h>

namespace regpoll::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// What is read from a client after its connection is closed for writing: enough that an
// oversized request's rest never turns our answer into a reset, not more.
constexpr std::size_t max_drain_bytes = 4 * 1024 * 1024;
constexpr std::chrono::seconds drain_time{2};

std::string text(beast::string_view s) { return std::string(s.data(), s.size()); }

}  // namespace

struct HttpServer::Impl {
    // A connection that became an event stream.
    struct Stream {
        virtual ~Stream() = default;
        virtual void push(std::shared_ptr<const std::string> event) = 0;
    };

    Impl(Handler h, HttpLimits l, EventFeedFn f) : handler(std::move(h)), limits(l), feed(std::move(f)) {}
    void accept();
    void tick();

    Handler handler;
    HttpLimits limits;
    EventFeedFn feed;
    std::size_t connections = 0;  // only touched on the server's thread, as `streams` is
    std::vector<std::weak_ptr<Stream>> streams;
    std::atomic<std::size_t> open_streams{0};
    std::atomic<std::uint64_t> dropped_streams{0};
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    asio::steady_timer feed_timer{io};
    std::optional<asio::ssl::context> tls;  // set: every connection starts with a TLS handshake
    std::thread thread;
};

namespace {

// One client connection over `Transport`: beast::tcp_stream, or TLS over it.
template <class Transport>
class Session : public HttpServer::Impl::Stream, public std::enable_shared_from_this<Session<Transport>> {
    static constexpr bool tls = !std::is_same_v<Transport, beast::tcp_stream>;

  public:
    // `args`: the accepted socket, and for TLS the context.
    template <class... Args>
    explicit Session(HttpServer::Impl& server, Args&&... args) : stream_(std::forward<Args>(args)...), server_(server) {
        ++server_.connections;
    }
    ~Session() override {
        if (streaming_) --server_.open_streams;
        else --server_.connections;
    }

    // A next event for a stream: queued, or the stream dropped when it is too far behind.
    void push(std::shared_ptr<const std::string> event) override {
        if (!socket().is_open()) return;
        if (queue_.size() >= server_.limits.stream_queue) return drop();
        queue_.push_back(std::move(event));
        if (queue_.size() == 1) write_next();
    }

    // TLS: the handshake first, within the request time (a plain-HTTP client fails it).
    void start() {
        if constexpr (tls) {
            tcp_stream().expires_after(server_.limits.request_time);
            stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
                if (ec) {
                    spdlog::debug("http: TLS handshake failed: {}", ec.message());
                    beast::error_code ignored;
                    self->socket().close(ignored);
                    return;
                }
                self->read();
            });
        } else {
            read();
        }
    }

    void read() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(server_.limits.max_header_bytes));
        parser_->body_limit(server_.limits.max_body_bytes);
        tcp_stream().expires_after(server_.limits.request_time);
        http::async_read(stream_, buffer_, *parser_,
                         [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

  private:
    void on_read(beast::error_code ec) {
        if (ec == http::error::header_limit) return refuse(431, "request header fields too large");
        if (ec == http::error::body_limit) return refuse(413, "request body too large");
        if (ec == http::error::end_of_stream || ec == beast::error::timeout) return close();
        if (ec && ec.category() == http::make_error_code(http::error::bad_method).category()) return refuse(400, "malformed request");
        if (ec) return close();
        const auto& req = parser_->get();
        HttpRequest request{text(req.method_string()), text(req.target()), {}};
        if (auto it = req.find(http::field::authorization); it != req.end()) request.authorization = text(it->value());
        HttpResponse answer;
        try {
            answer = server_.handler(request);
        } catch (const std::exception& e) {
            spdlog::warn("http: {} {}: {}", request.method, request.target, e.what());
            answer = json_error(500, "internal error");
        }
        if (answer.event_stream) return start_stream(answer);
        send(answer, req.keep_alive());
    }

    // The connection leaves the connection count for the streams', and gets the feed's
    // events after this first one. No Content-Length: the stream ends when either side closes.
    void start_stream(const HttpResponse& answer) {
        if (server_.open_streams >= server_.limits.max_event_streams)
            return refuse(503, "too many event streams");
        streaming_ = true;
        --server_.connections;
        ++server_.open_streams;
        server_.streams.push_back(this->shared_from_this());
        auto head = std::make_shared<std::string>(
            "HTTP/1.1 200 OK\r\nServer: regpoll\r\nContent-Type: text/event-stream\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n");
        *head += answer.body;
        push(std::move(head));
        watch();
    }

    // A stream reads only to see the client go; this pending read also keeps the session.
    void watch() {
        socket().async_read_some(asio::buffer(drain_buffer_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->socket().close(ec);
            self->watch();
        });
    }

    void write_next() {
        tcp_stream().expires_after(server_.limits.request_time);
        asio::async_write(stream_, asio::buffer(*queue_.front()),
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec == beast::error::timeout) return self->drop();
                              if (ec) return self->socket().close(ec);
                              // Dropped while this write had already ended: nothing more to send.
                              if (!self->socket().is_open()) return;
                              self->queue_.pop_front();
                              if (!self->queue_.empty()) self->write_next();
                          });
    }

    // The queue stays as it is: a write in flight still reads its front.
    void drop() {
        ++server_.dropped_streams;
        beast::error_code ignored;
        socket().close(ignored);
    }

    void refuse(int status, const std::string& why) { send(json_error(status, why), false); }

    void send(const HttpResponse& answer, bool keep_alive) {
        auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(answer.status), 11);
        res->set(http::field::server, "regpoll");
        res->set(http::field::content_type, answer.content_type);
        res->set(http::field::cache_control, "no-store");
        for (const auto& [name, value] : answer.headers) res->set(name, value);
        res->body() = answer.body;
        res->keep_alive(keep_alive);
        res->prepare_payload();
        tcp_stream().expires_after(server_.limits.request_time);
        http::async_write(stream_, *res, [self = this->shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
            if (ec) return self->socket().close(ec);
            if (keep_alive) return self->read();
            self->close();
        });
    }

    // Closes our side, then reads what the client still sends for a while: closing with
    // unread data would reset the connection and could lose the answer just sent. TLS says
    // close_notify first.
    void close() {
        if constexpr (tls) {
            tcp_stream().expires_after(drain_time);
            stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close_tcp(); });
        } else {
            close_tcp();
        }
    }

    void close_tcp() {
        beast::error_code ignored;
        socket().shutdown(tcp::socket::shutdown_send, ignored);
        tcp_stream().expires_after(drain_time);
        drain();
    }

    void drain() {
        tcp_stream().async_read_some(asio::buffer(drain_buffer_), [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
            self->drained_ += n;
            if (ec || self->drained_ > max_drain_bytes) return self->socket().close(ec);
            self->drain();
        });
    }

    beast::tcp_stream& tcp_stream() { return beast::get_lowest_layer(stream_); }
    tcp::socket& socket() { return tcp_stream().socket(); }

    Transport stream_;
    HttpServer::Impl& server_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::array<char, 16 * 1024> drain_buffer_{};
    std::size_t drained_ = 0;
    bool streaming_ = false;
    std::deque<std::shared_ptr<const std::string>> queue_;  // a stream's events, the first being written
};

}  // namespace

void HttpServer::Impl::accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (!acceptor.is_open()) return;
        if (!ec) {
            if (connections >= limits.max_connections) {
                socket.close(ec);  // the client may retry; those connected keep being served
            } else {
                if (tls) {
                    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket), *tls)->start();
                } else {
                    std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket))->start();
                }
            }
        }
        accept();
    });
}

// Asks the feed for its next event every period and hands it to every stream. The feed is
// told whether anyone listens, so that nobody listening costs it no serialising.
void HttpServer::Impl::tick() {
    feed_timer.expires_after(limits.feed_period);
    feed_timer.async_wait([this](beast::error_code ec) {
        if (ec || !acceptor.is_open()) return;
        std::erase_if(streams, [](const std::weak_ptr<Stream>& s) { return s.expired(); });
        const auto event = feed(!streams.empty());
        if (event) {
            for (const auto& weak : streams) {
                if (auto s = weak.lock()) s->push(event);
            }
        }
        tick();
    });
}

HttpServer::HttpServer(Handler handler, HttpLimits limits, EventFeedFn feed)
    : impl_(std::make_shared<Impl>(std::move(handler), limits, std::move(feed))) {}

std::string HttpServer::use_tls(const std::string& cert_file, const std::string& key_file) {
    asio::ssl::context ctx(asio::ssl::context::tls_server);
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    ctx.use_certificate_chain_file(cert_file, ec);
    if (ec) return "cannot use the certificate \"" + cert_file + "\": " + ec.message();
    ctx.use_private_key_file(key_file, asio::ssl::context::pem, ec);
    if (ec) return "cannot use the private key \"" + key_file + "\": " + ec.message();
    impl_->tls.emplace(std::move(ctx));
    return "";
}

HttpServerStats HttpServer::stats() const {
    return {impl_->open_streams.load(), impl_->dropped_streams.load()};
}

HttpServer::~HttpServer() { stop(); }

std::error_code HttpServer::start(const std::string& host, std::uint16_t port) {
    beast::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (ec) return ec;
    const tcp::endpoint endpoint(address, port);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        beast::error_code ignored;
        acceptor.close(ignored);
        return ec;
    }
    impl_->accept();
    if (impl_->feed) impl_->tick();
    impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
    return {};
}

std::uint16_t HttpServer::port() const {
    beast::error_code ec;
    const auto endpoint = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

void HttpServer::stop() {
    if (!impl_ || !impl_->thread.joinable()) return;
    asio::post(impl_->io, [impl = impl_.get()] {
        beast::error_code ignored;
        impl->acceptor.close(ignored);
        impl->feed_timer.cancel();
        impl->io.stop();
    });
    impl_->thread.join();
}

}  // namespace regpoll::web
