#pragma once
// A Connection over any Asio stream (serial_port, tcp::socket). End of file becomes
// Errc::connection_closed, so the link core never needs Asio's error enums.
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>

#include "modbus/error.hpp"
#include "transport/byte_stream.hpp"

namespace regpoll::transport {

template <class Stream>
class AsioConnection final : public Connection,
                             public std::enable_shared_from_this<AsioConnection<Stream>> {
public:
    template <class... Args>
    explicit AsioConnection(std::string peer, Args&&... args)
        : stream_(std::forward<Args>(args)...), peer_(std::move(peer)) {}

    Stream& stream() { return stream_; }

    void async_read_some(std::span<std::uint8_t> buffer, IoHandler handler) override {
        stream_.async_read_some(
            boost::asio::buffer(buffer.data(), buffer.size()),
            [self = this->shared_from_this(), handler = std::move(handler)](
                const boost::system::error_code& ec, std::size_t n) { handler(convert(ec), n); });
    }

    void async_write(std::span<const std::uint8_t> bytes, IoHandler handler) override {
        boost::asio::async_write(
            stream_, boost::asio::buffer(bytes.data(), bytes.size()),
            [self = this->shared_from_this(), handler = std::move(handler)](
                const boost::system::error_code& ec, std::size_t n) { handler(convert(ec), n); });
    }

    void close() override {
        open_ = false;
        boost::system::error_code ignored;
        stream_.close(ignored);
    }

    bool is_open() const override { return open_; }
    std::string peer() const override { return peer_; }

private:
    static std::error_code convert(const boost::system::error_code& ec) {
        if (ec == boost::asio::error::eof) {
            return modbus::make_error_code(modbus::Errc::connection_closed);
        }
        return ec;
    }

    Stream stream_;
    std::string peer_;
    bool open_ = true;
};

}  // namespace regpoll::transport
