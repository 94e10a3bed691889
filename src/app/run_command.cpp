// regpoll run: the main job. One event loop; SIGINT/SIGTERM stop cleanly, SIGHUP reloads
// the configuration (an invalid one is refused and the running one kept).
#include <csignal>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/plan_report.hpp"
#include "app/session.hpp"
#include "app/sinks.hpp"
#include "poll/poller.hpp"

namespace regpoll::app {
namespace {

namespace asio = boost::asio;

std::shared_ptr<const profile::SiteConfig> load(const std::string& path) {
    profile::ProfileLibrary library;
    auto loaded = profile::load_site_config(path, library);
    for (const auto& w : loaded.diagnostics.warnings()) spdlog::warn("{}", w);
    if (!loaded.config) {
        for (const auto& e : loaded.diagnostics.errors()) spdlog::error("{}", e);
        return nullptr;
    }
    auto report = plan_report(*loaded.config, false);
    for (const auto& line : report.lines) spdlog::info("plan: {}", line);
    for (const auto& w : report.warnings) spdlog::warn("{}", w);
    return std::make_shared<const profile::SiteConfig>(std::move(*loaded.config));
}

class Runner {
public:
    Runner(const RunArgs& args, poll::SampleSink& sink) : args_(args), sink_(sink), signals_(io_), stats_timer_(io_) {}

    int run(std::shared_ptr<const profile::SiteConfig> config) {
        if (!start(std::move(config))) return exit_usage;
        signals_.add(SIGINT);
        signals_.add(SIGTERM);
        if (!args_.once) signals_.add(SIGHUP);
        wait_signal();
        if (!args_.once) arm_stats();
        io_.run();
        return exit_code_;
    }

private:
    bool start(std::shared_ptr<const profile::SiteConfig> config) {
        poll::PollerOptions options;
        options.once = args_.once;
        options.on_done = [this](bool all_answered) {
            exit_code_ = all_answered ? exit_ok : exit_failure;
            for (const auto& line : poller_->take_stats_lines()) spdlog::info("{}", line);
            shutdown();
        };
        stats_interval_ = config->poller.stats_interval;
        auto poller = std::make_unique<poll::Poller>(io_, std::move(config), sink_, options);
        try {
            poller->start();
        } catch (const std::exception& e) {
            spdlog::error("{}", e.what());
            return false;
        }
        poller_ = std::move(poller);
        return true;
    }

    void wait_signal() {
        signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
            if (ec) return;
            if (signo == SIGHUP) {
                reload();
                wait_signal();
                return;
            }
            spdlog::info("signal {}: stopping", signo);
            exit_code_ = args_.once ? exit_failure : exit_ok;
            shutdown();
        });
    }

    void reload() {
        spdlog::info("SIGHUP: reloading {}", args_.config);
        auto config = load(args_.config);
        if (!config) {
            spdlog::error("the new configuration has errors; the running one is kept");
            return;
        }
        auto old = std::move(poller_);
        old->stop();
        if (!start(std::move(config))) {
            spdlog::error("the new configuration could not start; exiting");
            exit_code_ = exit_failure;
            shutdown();
        }
        // The old poller goes once the handlers already queued for it have run.
        asio::post(io_, [retired = std::shared_ptr<poll::Poller>(std::move(old))] {});
    }

    void arm_stats() {
        if (stats_interval_.count() <= 0) return;
        stats_timer_.expires_after(stats_interval_);
        stats_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (ec || !poller_) return;
            for (const auto& line : poller_->take_stats_lines()) spdlog::info("{}", line);
            arm_stats();
        });
    }

    void shutdown() {
        if (poller_) poller_->stop();
        signals_.cancel();
        stats_timer_.cancel();
    }

    const RunArgs& args_;
    poll::SampleSink& sink_;
    asio::io_context io_;
    asio::signal_set signals_;
    asio::steady_timer stats_timer_;
    std::chrono::milliseconds stats_interval_{60000};
    std::unique_ptr<poll::Poller> poller_;
    int exit_code_ = exit_ok;
};

}  // namespace

bool setup_logging(const std::string& level) {
    auto lvl = spdlog::level::from_str(level);
    if (lvl == spdlog::level::off && level != "off") return false;
    auto logger = spdlog::stderr_color_mt("regpoll");
    spdlog::set_default_logger(logger);
    spdlog::set_level(lvl);
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
    return true;
}

int run_run(const RunArgs& a) {
    if (!setup_logging(a.log_level)) {
        print_error("--log-level \"" + a.log_level + "\" is not one of trace, debug, info, warn, error, off");
        return exit_usage;
    }
    std::unique_ptr<poll::SampleSink> sink;
    if (a.output == "jsonl") sink = std::make_unique<JsonlSink>(stdout);
    else if (a.output == "log") sink = std::make_unique<LogSink>();
    else if (a.output == "none") sink = std::make_unique<NullSink>();
    else {
        print_error("--output \"" + a.output + "\" is not one of jsonl, log, none");
        return exit_usage;
    }
    auto config = load(a.config);
    if (!config) {
        print_error("the configuration has errors (listed above); nothing started");
        return exit_usage;
    }
    Runner runner(a, *sink);
    return runner.run(std::move(config));
}

}  // namespace regpoll::app
