#include "web/live_state.hpp"

#include <algorithm>

#include "plan/block_planner.hpp"
#include "plan/bus_time.hpp"

namespace regpoll::web {
namespace {

// The plan the poller follows for `device` (plan::plan_device with the same inputs).
std::shared_ptr<const PlanView> plan_view(const profile::DeviceConfig& device, const profile::BusConfig* bus) {
    auto view = std::make_shared<PlanView>();
    const auto plan = plan::plan_device(device.points, device.interval, device.limits);
    for (const auto& group : plan.groups) {
        for (const auto& block : group.blocks) {
            PlannedRequest r{std::string(modbus::register_kind_name(block.kind)), block.address, block.count,
                             group.interval.count(), {}};
            for (std::size_t p : block.points) r.points.push_back(device.points[p].name);
            view->requests.push_back(std::move(r));
        }
    }
    view->registers = plan.registers();
    if (auto line = bus ? plan::line_settings(bus->uri) : std::nullopt) {
        view->wire_seconds = plan::cycle_wire_seconds(plan, *line);
        view->line_share = plan::line_utilisation(plan, *line);
    }
    return view;
}

}  // namespace

std::int64_t unix_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

const DeviceView* SiteView::device(std::string_view name) const {
    for (const auto& d : devices) {
        if (d->name == name) return d.get();
    }
    return nullptr;
}

LiveState::LiveState(boost::asio::io_context& io, SiteViewBoard& board, std::string version,
                     std::string config_file, std::chrono::milliseconds period)
    : timer_(io),
      board_(board),
      version_(std::move(version)),
      config_file_(std::move(config_file)),
      started_ms_(unix_now_ms()),
      period_(period) {}

void LiveState::attach(const poll::Poller& poller) {
    const auto& config = poller.config();
    std::vector<Device> next(config.devices.size());
    for (std::size_t d = 0; d < config.devices.size(); ++d) {
        const auto& cfg = config.devices[d];
        auto& view = next[d].current;
        view.name = cfg.name;
        view.bus = cfg.bus;
        view.unit = cfg.unit;
        view.manufacturer = cfg.manufacturer;
        view.model = cfg.model;
        auto shortest = cfg.interval;
        for (const auto& p : cfg.points) shortest = std::min(shortest, p.interval.value_or(cfg.interval));
        view.interval_ms = shortest.count();
        view.plan = plan_view(cfg, config.bus(cfg.bus));
        const Device* old = find(cfg.name);
        if (old) {
            view.online = old->current.online;
            view.last_answer_ms = old->current.last_answer_ms;
        }
        for (const auto& p : cfg.points) {
            next[d].point_index.emplace(p.name, view.points.size());
            PointView point{p.name, p.unit, {}, poll::Quality::good, 0, p.precision};
            if (old) {
                if (auto it = old->point_index.find(p.name); it != old->point_index.end()) {
                    const auto& was = old->current.points[it->second];
                    point.value = was.value;
                    point.quality = was.quality;
                    point.ts_ms = was.ts_ms;
                }
            }
            view.points.push_back(std::move(point));
        }
    }
    devices_ = std::move(next);
    device_index_.clear();
    for (std::size_t d = 0; d < devices_.size(); ++d) device_index_.emplace(devices_[d].current.name, d);
    poller_ = &poller;
    stopped_ = false;
    publish();
    timer_.cancel();
    arm();
}

LiveState::Device* LiveState::find(std::string_view name) {
    auto it = device_index_.find(name);
    return it == device_index_.end() ? nullptr : &devices_[it->second];
}

void LiveState::on_samples(std::span<const poll::Sample> samples) {
    Device* device = nullptr;
    const std::string* last = nullptr;
    for (const auto& s : samples) {
        if (!s.device || !s.point) continue;
        if (s.device != last) {  // a batch holds one device's samples
            last = s.device;
            device = find(*s.device);
        }
        if (!device) continue;
        auto it = device->point_index.find(*s.point);
        if (it == device->point_index.end()) continue;
        auto& point = device->current.points[it->second];
        point.value = s.value;
        point.quality = s.quality;
        point.ts_ms = s.ts_ms;
        device->current.last_answer_ms = std::max(device->current.last_answer_ms, s.ts_ms);
        device->changed = true;
    }
}

void LiveState::on_availability(const std::string& name, bool online) {
    if (auto* device = find(name)) {
        device->current.online = online;
        device->changed = true;
    }
}

void LiveState::stopping() {
    if (stopped_) return;
    stopped_ = true;
    timer_.cancel();
    publish();
    poller_ = nullptr;
}

void LiveState::arm() {
    timer_.expires_after(period_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        publish();
        arm();
    });
}

void LiveState::publish() {
    auto view = std::make_shared<SiteView>();
    view->version = version_;
    view->config_file = config_file_;
    view->started_ms = started_ms_;
    view->published_ms = unix_now_ms();
    view->polling = !stopped_;
    view->devices.reserve(devices_.size());
    for (std::size_t d = 0; d < devices_.size(); ++d) {
        auto& device = devices_[d];
        // Only what changed is copied: a device that was not polled since keeps its view.
        const auto* metrics = poller_ ? &poller_->metrics(d) : nullptr;
        const bool polled = metrics && (!device.published ||
                                        metrics->requests != device.published->metrics.requests ||
                                        metrics->missed_deadlines != device.published->metrics.missed_deadlines);
        if (device.changed || polled || !device.published) {
            auto copy = std::make_shared<DeviceView>(device.current);
            if (metrics) copy->metrics = *metrics;
            else if (device.published) copy->metrics = device.published->metrics;
            device.published = std::move(copy);
            device.changed = false;
        }
        view->devices.push_back(device.published);
    }
    board_.publish(std::move(view));
}

}  // namespace regpoll::web
