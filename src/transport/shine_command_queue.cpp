#include "transport/shine_command_queue.hpp"

#include <boost/asio/post.hpp>

#include "common/duration.hpp"

namespace regpoll::transport {

namespace asio = boost::asio;

ShineCommandQueue::ShineCommandQueue(asio::any_io_executor executor,
                                     std::chrono::milliseconds timeout,
                                     std::function<void(std::vector<std::uint8_t>)> send)
    : executor_(executor), timer_(executor), timeout_(timeout), send_(std::move(send)) {}

void ShineCommandQueue::push(std::vector<std::uint8_t> frame, ShineCommandDone done) {
    const auto cut = shine::cut_frame(frame);
    const auto subject = cut.status == shine::CutResult::Status::frame
                             ? shine::command_subject(cut.frame)
                             : std::nullopt;
    if (!subject) {
        asio::post(executor_, [done = std::move(done)] {
            done(Unexpected{ShineCommandError{ShineCommandError::Kind::invalid,
                                              "internal error: not a Shine command frame"}});
        });
        return;
    }
    queue_.push_back({std::move(frame), *subject, std::move(done)});
    send_next();
}

void ShineCommandQueue::send_next() {
    if (in_flight_ || queue_.empty()) return;
    in_flight_ = true;
    send_(queue_.front().frame);
    timer_.expires_after(timeout_);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self || !self->in_flight_) return;
        self->finish(Unexpected{ShineCommandError{
            ShineCommandError::Kind::timeout,
            self->who_ + " did not answer " + self->describe(self->queue_.front().subject) +
                " within " + format_duration(self->timeout_)}});
    });
}

bool ShineCommandQueue::on_answer(const shine::Frame& answer) {
    const auto subject = shine::command_subject(answer);
    if (!in_flight_ || !subject || *subject != queue_.front().subject) return false;
    finish(answer);
    return true;
}

void ShineCommandQueue::finish(ShineCommandResult result) {
    auto done = std::move(queue_.front().done);
    queue_.pop_front();
    in_flight_ = false;
    timer_.cancel();
    asio::post(executor_, [done = std::move(done), result = std::move(result)]() mutable {
        done(std::move(result));
    });
    send_next();
}

void ShineCommandQueue::fail_all(const std::string& why) {
    timer_.cancel();
    in_flight_ = false;
    for (auto& p : queue_) {
        asio::post(executor_, [done = std::move(p.done), text = why + " (" + describe(p.subject) + ")"] {
            done(Unexpected{ShineCommandError{ShineCommandError::Kind::closed, text}});
        });
    }
    queue_.clear();
}

std::string ShineCommandQueue::describe(const shine::CommandSubject& s) const {
    switch (s.type) {
        case 0x19: return "the settings read (0x19) of item " + std::to_string(s.first);
        case 0x18: return "the settings write (0x18) of item " + std::to_string(s.first);
        case 0x05: return "the register read (0x05) at " + std::to_string(s.first);
        case 0x06: return "the register write (0x06) of " + std::to_string(s.first);
        default: return "the registers write (0x10) from " + std::to_string(s.first);
    }
}

}  // namespace regpoll::transport
