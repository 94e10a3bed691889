#pragma once
// The poll loop's side of the web server: it follows the samples and availability the
// poller hands to its sinks, and every `period` publishes a SiteView (only devices that
// changed are copied again) to a SiteViewBoard. Lives on the poll loop; never blocks it.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "poll/poller.hpp"
#include "web/site_view.hpp"

namespace regpoll::web {

class LiveState final : public poll::SampleSink {
  public:
    LiveState(boost::asio::io_context& io, SiteViewBoard& board, std::string version,
              std::string config_file, std::chrono::milliseconds period = std::chrono::milliseconds(500));

    // A started poller (at start and after each reload); the values of devices that stay are
    // kept. It must stay valid until the next attach() or stopping().
    void attach(const poll::Poller& poller);
    // Publishes a last view saying "stopped" and stops the timer.
    void stopping();

    void on_samples(std::span<const poll::Sample> samples) override;
    void on_availability(const std::string& device, bool online) override;

  private:
    struct Device {
        DeviceView current;  // follows every sample
        std::map<std::string, std::size_t, std::less<>> point_index;
        std::shared_ptr<const DeviceView> published;
        bool changed = true;
    };
    void arm();
    void publish();
    Device* find(std::string_view name);

    boost::asio::steady_timer timer_;
    SiteViewBoard& board_;
    std::string version_;
    std::string config_file_;
    std::int64_t started_ms_;
    std::chrono::milliseconds period_;
    const poll::Poller* poller_ = nullptr;
    std::vector<Device> devices_;
    std::map<std::string, std::size_t, std::less<>> device_index_;
    bool stopped_ = false;
};

}  // namespace regpoll::web
