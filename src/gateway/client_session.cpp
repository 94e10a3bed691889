#include "gateway/client_session.hpp"

#include <cstring>

#include <boost/asio/write.hpp>

#include "modbus/mbap.hpp"

namespace regpoll::gateway {

namespace asio = boost::asio;

ClientSession::ClientSession(asio::ip::tcp::socket socket, RequestHandler on_request,
                             ClosedHandler on_closed)
    : socket_(std::move(socket)),
      on_request_(std::move(on_request)),
      on_closed_(std::move(on_closed)) {
    boost::system::error_code ec;
    const auto remote = socket_.remote_endpoint(ec);
    peer_ = ec ? "unknown" : remote.address().to_string() + ":" + std::to_string(remote.port());
}

void ClientSession::start() {
    read();
}

void ClientSession::close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
}

void ClientSession::fail(const std::string& why, bool misbehaved) {
    if (closed_) return;
    close();
    if (on_closed_) on_closed_(*this, why, misbehaved);
}

void ClientSession::read() {
    if (closed_ || reading_ || slots_.size() >= max_pending || unsent_.size() >= max_unsent) return;
    if (rx_len_ == rx_.size()) return;  // full of requests waiting for answers to drain
    reading_ = true;
    socket_.async_read_some(
        asio::buffer(rx_.data() + rx_len_, rx_.size() - rx_len_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
            self->reading_ = false;
            if (self->closed_) return;
            if (ec) return self->fail(ec == asio::error::eof ? "closed" : ec.message(), false);
            self->on_data(n);
        });
}

void ClientSession::on_data(std::size_t n) {
    rx_len_ += n;
    std::size_t offset = 0;
    parsing_ = true;  // answers given right away must not parse this buffer again
    // One request at a time beyond the limit stays in the buffer until answers drain.
    while (offset < rx_len_ && slots_.size() < max_pending) {
        auto r = modbus::parse_mbap(
            std::span<const std::uint8_t>(rx_.data() + offset, rx_len_ - offset));
        if (r.status == modbus::ParseResult::Status::need_more) break;
        if (r.status == modbus::ParseResult::Status::error) {
            // No way to find the next MBAP header in a stream that lied about one.
            parsing_ = false;
            return fail("not Modbus TCP (" + r.error.message() + ")", true);
        }
        offset += r.consumed;
        const std::uint64_t seq = first_seq_ + slots_.size();
        slots_.push_back(Slot{r.adu.transaction, r.adu.unit, std::nullopt});
        std::weak_ptr<ClientSession> weak = shared_from_this();
        on_request_(*this, r.adu, [weak, seq](modbus::Pdu pdu) {
            if (auto self = weak.lock()) self->answer(seq, std::move(pdu));
        });
        if (closed_) return;
    }
    parsing_ = false;
    std::memmove(rx_.data(), rx_.data() + offset, rx_len_ - offset);
    rx_len_ -= offset;
    read();
}

void ClientSession::answer(std::uint64_t seq, modbus::Pdu pdu) {
    if (closed_ || seq < first_seq_ || seq - first_seq_ >= slots_.size()) return;
    slots_[seq - first_seq_].answer = std::move(pdu);
    flush();
}

void ClientSession::flush() {
    while (!slots_.empty() && slots_.front().answer) {
        const auto& s = slots_.front();
        const auto adu = modbus::encode_mbap(s.transaction, s.unit, *s.answer);
        unsent_.insert(unsent_.end(), adu.begin(), adu.end());
        slots_.pop_front();
        ++first_seq_;
    }
    if (unsent_.size() > max_unsent) return fail("does not read its answers", true);
    write();
    if (parsing_) return;  // on_data reads on when it is done with the buffer
    // Requests left in the buffer while the limit was reached go now.
    if (rx_len_ > 0 && !reading_) return on_data(0);
    read();
}

void ClientSession::write() {
    if (closed_ || writing_ || unsent_.empty()) return;
    writing_ = true;
    sending_.swap(unsent_);
    asio::async_write(
        socket_, asio::buffer(sending_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            self->writing_ = false;
            self->sending_.clear();
            if (self->closed_) return;
            if (ec) return self->fail(ec.message(), false);
            self->write();
            self->read();
        });
}

}  // namespace regpoll::gateway
