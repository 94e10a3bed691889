#include "poll/point_writer.hpp"

#include "poll/point_decoder.hpp"

namespace regpoll::poll {
namespace {

// The steps of one write, chained through the link's handlers.
struct WriteJob : std::enable_shared_from_this<WriteJob> {
    WriteTarget target;
    codec::Value value;
    std::function<void(WriteOutcome)> done;
    WriteInputs inputs;
    std::optional<std::int64_t> scale_exponent;
    std::optional<std::uint16_t> current_register;

    void transact(modbus::Pdu request, void (WriteJob::*next)(const modbus::Pdu& request, std::error_code, const modbus::Pdu&)) {
        target.link->async_transact(target.unit, request, target.timeout,
                                    [self = shared_from_this(), request, next](std::error_code ec, modbus::Pdu pdu) {
                                        ((*self).*next)(request, ec, pdu);
                                    });
    }

    void fail(std::string error) {
        WriteOutcome out;
        out.error = std::move(error);
        done(std::move(out));
    }

    void start() {
        if (inputs.scale_point) return transact(make_point_read(*inputs.scale_point), &WriteJob::on_scale);
        transact(make_point_read(*target.point), &WriteJob::on_current);
    }

    void on_scale(const modbus::Pdu& request, std::error_code ec, const modbus::Pdu& pdu) {
        auto regs = ec ? Expected<std::vector<std::uint16_t>>(Unexpected{ec}) : modbus::parse_registers(request, pdu);
        if (!regs) return fail("reading the scale factor " + inputs.scale_point->name + " failed: " + regs.error().message());
        Quality quality;
        std::string error;
        auto sf = codec::to_double(decode_point(*inputs.scale_point, *regs, std::nullopt, quality, error));
        if (!sf) return fail("the scale factor " + inputs.scale_point->name + " is not available, so the value cannot be encoded");
        scale_exponent = static_cast<std::int64_t>(*sf);
        after_scale();
    }

    void after_scale() {
        if (inputs.current_register) return transact(make_point_read(*target.point), &WriteJob::on_current);
        send_write();
    }

    void on_current(const modbus::Pdu& request, std::error_code ec, const modbus::Pdu& pdu) {
        auto regs = ec ? Expected<std::vector<std::uint16_t>>(Unexpected{ec}) : modbus::parse_registers(request, pdu);
        if (!regs) return fail("reading register " + std::to_string(target.point->address) + " before changing part of it failed: " + regs.error().message());
        current_register = regs->front();
        send_write();
    }

    void send_write() {
        auto request = make_point_write(*target.point, value, scale_exponent, current_register);
        if (!request) return fail(request.error());
        transact(std::move(*request), &WriteJob::on_written);
    }

    void on_written(const modbus::Pdu&, std::error_code ec, const modbus::Pdu&) {
        if (ec) return fail("the device refused the write: " + ec.message());
        if (!target.point->readable) {
            // Write-only: the device took it, and reading it back would only be refused.
            WriteOutcome out;
            out.ok = true;
            out.value = value;
            out.read_back = false;
            return done(std::move(out));
        }
        transact(make_point_read(*target.point), &WriteJob::on_read_back);
    }

    void on_read_back(const modbus::Pdu& request, std::error_code ec, const modbus::Pdu& pdu) {
        WriteOutcome out;
        out.ok = true;
        const auto& p = *target.point;
        if (!ec && modbus::is_bit_kind(p.kind)) {
            auto bits = modbus::parse_bits(request, pdu);
            if (bits) out.value = bit_value(p, bits->front());
            else ec = bits.error();
        } else if (!ec) {
            auto regs = modbus::parse_registers(request, pdu);
            if (regs) {
                std::string error;
                out.value = decode_point(p, *regs, scale_exponent, out.quality, error);
                if (!error.empty()) out.warning = "written, but the value read back does not decode: " + error;
            } else {
                ec = regs.error();
            }
        }
        if (ec) out.warning = "written, but reading it back failed: " + ec.message();
        done(std::move(out));
    }
};

}  // namespace

std::optional<std::string> write_point(const WriteTarget& target, codec::Value value,
                                       std::function<void(WriteOutcome)> done) {
    auto job = std::make_shared<WriteJob>();
    job->target = target;
    job->value = std::move(value);
    job->done = std::move(done);
    job->inputs = write_inputs(*target.device, *target.point);
    if (!job->inputs.scale_point && !job->inputs.current_register) {
        // Nothing to read first: a value the type cannot hold is refused before anything is sent.
        auto request = make_point_write(*target.point, job->value, std::nullopt, std::nullopt);
        if (!request) return request.error();
        job->transact(std::move(*request), &WriteJob::on_written);
        return std::nullopt;
    }
    job->start();
    return std::nullopt;
}

}  // namespace regpoll::poll
