#include "transport/shine_register_link.hpp"

#include <boost/asio/post.hpp>

#include "modbus/error.hpp"

namespace regpoll::transport {
namespace {

using modbus::Errc;
using modbus::Function;

// The Modbus response PDU a stick's answer stands for, or the error it means.
Expected<modbus::Pdu, Errc> to_response(const modbus::Pdu& request, const shine::Frame& answer) {
    const auto fn = static_cast<Function>(request[0]);
    if (fn == Function::read_holding_registers) {
        auto a = shine::parse_register_read_answer(answer);
        const std::uint16_t count = modbus::get_u16(request, 3);
        if (!a) return Unexpected{Errc::malformed_frame};
        if (a->values.empty()) return Unexpected{Errc::illegal_data_address};  // could not read them
        if (a->values.size() != count) return Unexpected{Errc::byte_count_mismatch};
        modbus::Pdu out{request[0], static_cast<std::uint8_t>(2 * count)};
        for (auto v : a->values) modbus::put_u16(out, v);
        return out;
    }
    auto a = shine::parse_register_write_answer(answer);
    if (!a) return Unexpected{Errc::malformed_frame};
    if (a->result != 0x00) return Unexpected{Errc::server_device_failure};
    if (fn == Function::write_single_register) return request;  // FC6 echoes the request
    return modbus::Pdu(request.begin(), request.begin() + 5);   // FC16: address and quantity
}

class ShineRegisterLink final : public Link, public std::enable_shared_from_this<ShineRegisterLink> {
  public:
    ShineRegisterLink(boost::asio::io_context& io, std::weak_ptr<ShineListener> listener,
                      std::string datalogger, std::string inverter, LogFn log)
        : io_(io), listener_(std::move(listener)), datalogger_(std::move(datalogger)),
          inverter_(std::move(inverter)), log_(std::move(log)) {}

    void async_transact(std::uint8_t, modbus::Pdu request, Milliseconds, Handler handler) override {
        auto listener = listener_.lock();
        ++stats_.requests;
        auto build = builder(request);
        if (!listener || !build) {
            ++stats_.errors;
            const Errc e = listener ? Errc::illegal_function : Errc::cancelled;
            boost::asio::post(io_, [handler, e] { handler(e, {}); });
            return;
        }
        listener->command(
            datalogger_, inverter_, build,
            [self = shared_from_this(), request, handler](ShineCommandResult answer) {
                if (!answer) {
                    ++self->stats_.errors;
                    if (self->log_) self->log_(LogLevel::warning, answer.error().text);
                    const bool timed_out = answer.error().kind == ShineCommandError::Kind::timeout;
                    if (timed_out) ++self->stats_.timeouts;
                    return handler(timed_out ? Errc::timeout : Errc::connection_closed, {});
                }
                auto response = to_response(request, *answer);
                if (!response) {
                    ++self->stats_.errors;
                    return handler(response.error(), {});
                }
                ++self->stats_.responses;
                handler({}, std::move(*response));
            });
    }

    void close() override {}
    std::string describe() const override { return "datalogger " + datalogger_; }

  private:
    // The stick command for a request, or nothing for what a stick cannot do.
    static ShineCommandBuilder builder(const modbus::Pdu& r) {
        if (r.size() < 5) return {};
        const std::uint16_t address = modbus::get_u16(r, 1);
        const std::uint16_t second = modbus::get_u16(r, 3);
        switch (static_cast<Function>(r[0])) {
            case Function::read_holding_registers:
                if (second == 0) return {};
                return [=](const shine::CommandTarget& to) {
                    return shine::build_register_read(to, address, static_cast<std::uint16_t>(address + second - 1));
                };
            case Function::write_single_register:
                return [=](const shine::CommandTarget& to) { return shine::build_register_write(to, address, second); };
            case Function::write_multiple_registers: {
                if (r.size() < 6 + 2 * std::size_t{second} || second == 0) return {};
                std::vector<std::uint16_t> values;
                for (std::size_t i = 0; i < second; ++i) values.push_back(modbus::get_u16(r, 6 + 2 * i));
                return [=](const shine::CommandTarget& to) { return shine::build_registers_write(to, address, values); };
            }
            default:
                return {};
        }
    }

    boost::asio::io_context& io_;
    std::weak_ptr<ShineListener> listener_;
    std::string datalogger_, inverter_;
    LogFn log_;
};

}  // namespace

std::shared_ptr<Link> make_shine_register_link(boost::asio::io_context& io, std::weak_ptr<ShineListener> listener,
                                               std::string datalogger, std::string inverter, LogFn log) {
    return std::make_shared<ShineRegisterLink>(io, std::move(listener), std::move(datalogger), std::move(inverter),
                                               std::move(log));
}

}  // namespace regpoll::transport
