#pragma once
// The commands regpoll sends through one datalogger connection: one in flight at a time
// (sticks answer slowly and one by one), the next when its answer came or it timed out. An
// answer is the stick's record of the command's type naming the same setting or register
// (shine::command_subject); anything else that looks like an answer is not taken for it.
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/expected.hpp"
#include "shine/commands.hpp"

namespace regpoll::transport {

// Why a command got no answer; the text names the datalogger and the command.
struct ShineCommandError {
    enum class Kind { not_connected, timeout, closed, invalid } kind = Kind::invalid;
    std::string text;
};
using ShineCommandResult = Expected<shine::Frame, ShineCommandError>;
using ShineCommandDone = std::function<void(ShineCommandResult)>;

class ShineCommandQueue : public std::enable_shared_from_this<ShineCommandQueue> {
  public:
    // `send` writes a frame to the connection; `who` names the datalogger in errors.
    ShineCommandQueue(boost::asio::any_io_executor executor, std::chrono::milliseconds timeout,
                      std::function<void(std::vector<std::uint8_t>)> send);

    void set_who(std::string who) { who_ = std::move(who); }
    // Queues a built command frame. `done` runs later on the executor, once.
    void push(std::vector<std::uint8_t> frame, ShineCommandDone done);
    // A command-type record from the stick: true when it answered the command in flight.
    bool on_answer(const shine::Frame& answer);
    // Fails what is in flight and waiting (the connection is gone).
    void fail_all(const std::string& why);

  private:
    struct Pending {
        std::vector<std::uint8_t> frame;
        shine::CommandSubject subject;
        ShineCommandDone done;
    };
    void send_next();
    void finish(ShineCommandResult result);
    std::string describe(const shine::CommandSubject& s) const;

    boost::asio::any_io_executor executor_;
    boost::asio::steady_timer timer_;
    std::chrono::milliseconds timeout_;
    std::function<void(std::vector<std::uint8_t>)> send_;
    std::string who_ = "datalogger";
    std::deque<Pending> queue_;
    bool in_flight_ = false;
};

}  // namespace regpoll::transport
