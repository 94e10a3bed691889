#pragma once
// One simulated device (unit 1) on 127.0.0.1: regpoll's own TCP server on a thread and
// io_context of its own, so it takes up requests while a handler of the code under test
// is still running, as a device would. For the poller's and the gateway's tests.
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "server/tcp_server.hpp"

namespace regpoll::poll::testing {

class ServerThread {
  public:
    explicit ServerThread(const std::function<void(server::UnitTables&)>& fill,
                          server::TcpServerOptions options = {}) {
        fill(tables_.add_unit(1));
        options.port = 0;
        server_ = std::make_unique<server::TcpServer>(io_, tables_, options);
        if (auto ec = server_->start()) throw std::runtime_error("server: " + ec.message());
        thread_ = std::thread([this] { io_.run(); });
    }
    ~ServerThread() {
        boost::asio::post(io_, [this] {
            server_->stop();
            io_.stop();
        });
        thread_.join();
    }
    std::uint16_t port() const { return server_->port(); }
    // Requests taken up so far (read on the server's thread).
    std::uint64_t requests() {
        return on_thread([this] { return server_->stats().requests; });
    }
    // Connections accepted so far.
    std::uint64_t connections() {
        return on_thread([this] { return server_->stats().connections; });
    }
    // Runs `f` on the server's thread (the tables live there) and returns its result.
    template <class F>
    auto on_thread(F f) -> decltype(f()) {
        std::promise<decltype(f())> answer;
        boost::asio::post(io_, [&] { answer.set_value(f()); });
        return answer.get_future().get();
    }
    server::DataTables& tables() { return tables_; }

  private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
        io_.get_executor()};
    server::DataTables tables_;
    std::unique_ptr<server::TcpServer> server_;
    std::thread thread_;
};

}  // namespace regpoll::poll::testing
