#include "gateway/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include "gateway/gateway.hpp"
#include "gateway/point_write_filter.hpp"
#include "gateway/request_check.hpp"
#include "server/request_handler.hpp"

namespace regpoll::gateway {
namespace {

using modbus::Errc;

server::DeviceIdentity identity_of(const profile::DeviceConfig& device) {
    server::DeviceIdentity id;
    id.set_object(server::ObjectId::vendor_name,
                  device.manufacturer.empty() ? "unknown" : device.manufacturer);
    id.set_object(server::ObjectId::product_code, device.model.empty() ? "unknown" : device.model);
    id.set_object(server::ObjectId::major_minor_revision, "regpoll gateway");
    id.set_object(server::ObjectId::model_name, device.model);
    id.set_object(server::ObjectId::user_application_name, device.name);
    return id;
}

// "FC16 holding 40+2", for the write log.
std::string describe_write(const modbus::Pdu& pdu) {
    const auto range = poll::written_range(pdu);
    std::string text = "FC" + std::to_string(pdu[0]);
    if (range) {
        text += " " + std::string(modbus::register_kind_name(range->kind)) + " " +
                std::to_string(range->address) + "+" + std::to_string(range->count);
    }
    return text;
}

}  // namespace

Dispatcher::Dispatcher(const GatewayConfig& config, poll::Poller& poller, GatewayStats& stats)
    : config_(config), poller_(poller), stats_(stats) {
    for (const auto& device : poller.config().devices) identities_.push_back(identity_of(device));
}

void Dispatcher::refuse(std::uint8_t fc, Errc code, const Reply& reply) {
    ++stats_.exceptions;
    reply(server::exception_response(fc, code));
}

std::chrono::milliseconds Dispatcher::max_age(std::size_t device) const {
    return config_.max_age.value_or(2 * poller_.config().devices[device].interval);
}

void Dispatcher::handle(const std::string& client, const modbus::Adu& request, Reply reply) {
    ++stats_.requests;
    const auto& pdu = request.pdu;
    const auto fc = static_cast<std::uint8_t>(pdu[0] & 0x7F);
    const auto* route = config_.route(request.unit);
    if (!route) return refuse(fc, Errc::gateway_path_unavailable, reply);
    if (!is_served_function(pdu)) return refuse(fc, Errc::illegal_function, reply);
    if (auto code = check_request(pdu)) return refuse(fc, *code, reply);
    const auto d = route->device;
    if (fc == static_cast<std::uint8_t>(modbus::Function::encapsulated_interface)) {
        ++stats_.cache_hits;
        auto rsp = server::read_device_identification(identities_[d], pdu);
        if (rsp.size() == 2 && (rsp[0] & 0x80)) ++stats_.exceptions;
        return reply(std::move(rsp));
    }
    if (is_write(pdu)) {
        if (!admit_write(client, d, pdu, reply)) return;
    } else if (max_age(d).count() > 0) {
        const auto since = poll::HeldRegisters::Clock::now() - max_age(d);
        if (auto rsp = answer_from_held(poller_.held(d), pdu, since)) {
            ++stats_.cache_hits;
            return reply(std::move(*rsp));
        }
    }
    // Waiting a timeout for a device the poller already gave up on helps no client.
    if (poller_.offline(d)) return refuse(fc, Errc::gateway_target_failed, reply);
    forward(client, d, pdu, std::move(reply));
}

bool Dispatcher::admit_write(const std::string& client, std::size_t device, const modbus::Pdu& pdu,
                             const Reply& reply) {
    ++stats_.writes;
    const auto& cfg = poller_.config().devices[device];
    const auto what = describe_write(pdu);
    if (config_.writes == WriteMode::deny) {
        spdlog::warn("gateway {}: client {}: {} to device {} refused: writes are denied",
                     config_.listen, client, what, cfg.name);
        refuse(pdu[0], Errc::illegal_function, reply);
        return false;
    }
    if (config_.writes == WriteMode::points) {
        if (auto verdict = check_point_write(cfg, poller_.held(device), pdu)) {
            spdlog::warn("gateway {}: client {}: {} to device {} refused: {}", config_.listen,
                         client, what, cfg.name, verdict->reason);
            refuse(pdu[0], verdict->exception, reply);
            return false;
        }
    }
    spdlog::info("gateway {}: client {}: {} to device {}", config_.listen, client, what, cfg.name);
    return true;
}

void Dispatcher::forward(const std::string& client, std::size_t device, const modbus::Pdu& pdu,
                         Reply reply) {
    std::weak_ptr<Dispatcher> weak = shared_from_this();
    ++stats_.device_requests;
    if (is_write(pdu)) {  // never shared: each client's write is its own
        poller_.transact(
            device, pdu,
            [weak, client, device, fc = pdu[0], reply](std::error_code ec, modbus::Pdu rsp) {
                auto self = weak.lock();
                if (!self) return;
                const auto& name = self->poller_.config().devices[device].name;
                if (ec)
                    spdlog::warn("gateway {}: client {}: write to device {} failed: {}",
                                 self->config_.listen, client, name, ec.message());
                else
                    spdlog::info("gateway {}: client {}: write to device {} done",
                                 self->config_.listen, client, name);
                reply(self->answer_of(fc, ec, std::move(rsp), 1));
            });
        return;
    }
    Key key{device, pdu};
    auto [it, fresh] = waiting_.try_emplace(key);
    it->second.push_back(std::move(reply));
    if (!fresh) {
        --stats_.device_requests;
        ++stats_.shared;
        return;
    }
    poller_.transact(device, pdu, [weak, key](std::error_code ec, modbus::Pdu rsp) {
        auto self = weak.lock();
        if (!self) return;
        auto node = self->waiting_.extract(key);
        if (node.empty()) return;
        const auto answer =
            self->answer_of(key.second[0], ec, std::move(rsp), node.mapped().size());
        for (auto& w : node.mapped()) w(answer);
    });
}

modbus::Pdu Dispatcher::answer_of(std::uint8_t fc, std::error_code ec, modbus::Pdu rsp,
                                  std::size_t clients) {
    if (!ec) return rsp;
    stats_.exceptions += clients;
    // The device's own exceptions go back as they are; no answer at all is 0x0B.
    const auto code =
        modbus::is_exception(ec) ? static_cast<Errc>(ec.value()) : Errc::gateway_target_failed;
    return server::exception_response(fc, code);
}

}  // namespace regpoll::gateway
