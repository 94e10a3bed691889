// regpoll run: the main job. One event loop; SIGINT/SIGTERM stop cleanly, SIGHUP reloads
// the configuration (an invalid one is refused and the running one kept).
#include <csignal>
#include <iostream>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/plan_report.hpp"
#include "app/session.hpp"
#include "app/journal_stream.hpp"
#include "app/sinks.hpp"
#include "app/site_loader.hpp"
#include "plugin/plugin_sink.hpp"
#include "app/status_reporter.hpp"
#include "app/status_file.hpp"
#include "gateway/gateway.hpp"
#include "poll/poller.hpp"
#include "sink/history_writer.hpp"
#include "sink/mqtt_sink.hpp"
#include "sink/postgres_writer.hpp"
#include "web/api.hpp"
#include "web/event_feed.hpp"
#include "web/http_server.hpp"
#include "web/live_state.hpp"

namespace regpoll::app {
namespace {

namespace asio = boost::asio;

// `rediscover`: on SIGHUP, SunSpec devices are discovered again. `shard`: --shard.
std::optional<Site> load(const std::string& path, const std::optional<profile::Shard>& shard,
                         bool rediscover = false) {
    auto loaded = load_site(path, rediscover, shard);
    for (const auto& w : loaded.diagnostics.warnings()) spdlog::warn("{}", w);
    if (!loaded.site) {
        for (const auto& e : loaded.diagnostics.errors()) spdlog::error("{}", e);
        return std::nullopt;
    }
    const auto& config = *loaded.site->config;
    if (config.shard) {
        spdlog::info("shard {}: polling {} of {} devices", config.shard->text(),
                     config.devices.size(), config.devices.size() + config.elsewhere.size());
    }
    auto report = plan_report(config, false);
    for (const auto& line : report.lines) spdlog::info("plan: {}", line);
    for (const auto& w : report.warnings) spdlog::warn("{}", w);
    return loaded.site;
}

// Hands every sample to each sink in turn.
class Fanout final : public poll::SampleSink {
public:
    void add(poll::SampleSink* sink) { sinks_.push_back(sink); }
    void on_samples(std::span<const poll::Sample> samples) override {
        for (auto* s : sinks_) s->on_samples(samples);
    }
    void on_availability(const std::string& device, bool online) override {
        for (auto* s : sinks_) s->on_availability(device, online);
    }

private:
    std::vector<poll::SampleSink*> sinks_;
};

class Runner {
public:
  Runner(const RunArgs& args, std::optional<profile::Shard> shard, poll::SampleSink& output,
         std::string status_file)
      : args_(args),
        shard_(shard),
        output_(output),
        signals_(io_),
        stats_timer_(io_),
        status_(io_, std::move(status_file), args.config) {}

  int run(Site site) {
      if (auto error = status_.open(); !error.empty()) {
          print_error("--status-file: " + error);
          return exit_usage;
      }
      if (!start(std::move(site))) {
          status_.stopping();
          return exit_usage;
      }
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      if (!args_.once) signals_.add(SIGHUP);
      wait_signal();
      if (!args_.once) arm_stats();
      io_.run();
      return exit_code_;
    }

private:
    bool start(Site site) {
        // Sinks first, so nothing the poller produces is missed.
        fanout_ = std::make_unique<Fanout>();
        fanout_->add(&output_);
        if (auto* table = dynamic_cast<TableSink*>(&output_)) table->use_site(*site.config);
        fanout_->add(&status_.tracker());
        if (!args_.once && site.http && !live_) {
            live_ = std::make_unique<web::LiveState>(io_, board_, REGPOLL_VERSION_STRING, args_.config);
            http_ = std::move(site.http);
        } else if (live_ && site.http.has_value() != http_.has_value()) {
            spdlog::warn("{}: /http: changes to the web server apply at the next start", args_.config);
        }
        if (live_) fanout_->add(live_.get());
        if (site.mqtt && mqtt_) {
            // A reload that left the "mqtt" section as it was: same connection, same outbox.
            mqtt_->reconfigure(std::move(*site.mqtt), site.config);
            fanout_->add(mqtt_.get());
        } else if (site.mqtt) {
            mqtt_json_ = site.config->mqtt;
            mqtt_shard_ = site.config->shard;
            try {
                mqtt_ = std::make_unique<sink::MqttSink>(io_, *site.mqtt, site.config, REGPOLL_VERSION_STRING);
            } catch (const std::exception& e) {
                spdlog::error("{}", e.what());
                return false;
            }
            // Commands from MQTT, Domoticz and Home Assistant go to whichever poller runs now.
            mqtt_->set_write_handler([this](const std::string& device, const std::string& point,
                                            const std::string& payload, poll::Poller::WriteDone done) {
                if (poller_) return poller_->write(device, point, payload, std::move(done));
                poll::WriteOutcome out;
                out.error = "not polling yet";
                done(out);
            });
            if (!unsaved_.empty()) {
                spdlog::info("MQTT: {} messages the outbox could not take carried over the reload",
                             unsaved_.size());
                mqtt_->adopt(std::move(unsaved_));
                unsaved_.clear();
            }
            mqtt_->start();
            fanout_->add(mqtt_.get());
        }
        // The history writer survives a reload unless its section changed.
        if (site.history) {
            // A new shard renames the file while the section stays as it was.
            if (!history_ || site.config->history != history_json_ ||
                history_->config().path != site.history->path) {
                if (history_) history_->stop();
                try {
                    history_ = std::make_unique<sink::HistoryWriter>(std::move(*site.history));
                } catch (const std::exception& e) {
                    spdlog::error("{}", e.what());
                    return false;
                }
                history_json_ = site.config->history;
                spdlog::info("history: writing to {}", history_->config().path);
            }
            fanout_->add(history_.get());
        } else if (history_) {
            history_->stop();
            history_.reset();
        }
        if (!start_postgres(site)) return false;
        if (!start_plugin_sinks(site)) return false;
        auto gateways = std::move(site.gateways);
        auto config = std::move(site.config);
        poll::PollerOptions options;
        options.once = args_.once;
        options.hold_registers = !gateways.empty();
        options.on_done = [this](bool all_answered) {
            exit_code_ = all_answered ? exit_ok : exit_failure;
            for (const auto& line : poller_->take_stats_lines()) spdlog::info("{}", line);
            shutdown();
        };
        stats_interval_ = config->poller.stats_interval;
        auto poller = std::make_unique<poll::Poller>(io_, std::move(config), *fanout_, options);
        try {
            poller->start();
        } catch (const std::exception& e) {
            spdlog::error("{}", e.what());
            return false;
        }
        poller->keep_values(std::exchange(carried_keepalives_, {}));
        poller_ = std::move(poller);
        if (!args_.once && !start_gateways(std::move(gateways))) return false;
        status_.set_extra([this](nlohmann::json& status) { status_extra(status); });
        if (live_) {
            live_->attach(*poller_);
            if (!web_ && !start_web()) return false;
        }
        status_.polling(poller_->config());
        return true;
    }

    // The PostgreSQL writer survives a reload unless its section changed; a changed one
    // hands over through the outbox (the old writer puts what it could not send there).
    bool start_postgres(Site& site) {
        if (!site.postgres) {
            if (postgres_) postgres_->stop();
            postgres_.reset();
            return true;
        }
        // A new shard renames the outbox while the section stays as it was.
        if (!postgres_ || site.config->postgres != postgres_json_ ||
            postgres_->config().outbox_path != site.postgres->outbox_path) {
            // Briefly: this is the poll loop's thread. What is not sent by then waits in the
            // outbox, which the new writer sends first.
            if (postgres_) postgres_->stop(std::chrono::seconds(1));
            postgres_.reset();
            try {
                postgres_ = std::make_unique<sink::PostgresWriter>(std::move(*site.postgres));
            } catch (const std::exception& e) {
                spdlog::error("{}", e.what());
                return false;
            }
            postgres_json_ = site.config->postgres;
            spdlog::info("postgres: writing through {} (outbox {})", postgres_->config().conninfo_source,
                         postgres_->config().outbox_path);
        }
        fanout_->add(postgres_.get());
        return true;
    }

    // --- gateways: Modbus TCP servers answering from what the poller holds ---
    bool start_gateways(std::vector<gateway::GatewayConfig> configs) {
        for (auto& config : configs) {
            auto g = std::make_unique<gateway::Gateway>(io_, std::move(config), *poller_);
            const auto& c = g->config();
            if (auto ec = g->start()) {
                spdlog::error("{}: {}/listen: cannot listen on {}: {}", args_.config, c.json_path, c.listen,
                              ec.message());
                return false;
            }
            spdlog::info("{}; listening on port {}", gateway::describe(c, poller_->config()), g->port());
            gateways_.push_back(std::move(g));
        }
        return true;
    }

    // What the status file adds to the poller's view: the gateways, and the history's queue.
    void status_extra(nlohmann::json& status) const {
        if (!gateways_.empty()) {
            auto& list = status["gateways"] = nlohmann::json::array();
            for (const auto& g : gateways_) list.push_back(g->status_json());
        }
        if (history_) {
            const auto h = history_->stats();
            status["history"] = {{"received", h.received}, {"stored", h.stored},   {"queued", h.queued},
                                 {"dropped", h.dropped},   {"failed_commits", h.failed_commits},
                                 {"error", h.last_error}};
        }
        if (postgres_) {
            const auto p = postgres_->stats();
            status["postgres"] = {{"connected", p.connected}, {"received", p.received}, {"sent", p.sent},
                                  {"queued", p.queued},       {"outbox", p.outbox},     {"outboxed", p.outboxed},
                                  {"dropped", p.dropped},     {"error", p.last_error}};
        }
    }

    void stop_gateways() {
        for (auto& g : gateways_) {
            spdlog::info("{}", g->stats_line());
            g->stop();
        }
        gateways_.clear();
    }

    // --- the web server: API, /healthz, /metrics; on its own thread, fed views by live_ ---
    bool start_web() {
        web::ApiOptions options;
        options.board = &board_;
        options.auth = http_->auth;
        options.metric_values = http_->metric_values;
        if (history_) options.history_path = history_->config().path;
        events_ = std::make_unique<web::EventFeed>(board_);  // the page's live values
        options.events = events_.get();
        options.judge = [](const nlohmann::json& status, std::int64_t now_ms) {
            // regpoll health's verdict with its default --max-age.
            const auto verdict = judge_status(status, now_ms, std::chrono::seconds(60));
            return web::HealthAnswer{verdict.healthy, verdict.reason};
        };
        auto api = std::make_shared<const web::Api>(std::move(options));
        web_ = std::make_unique<web::HttpServer>([api](const web::HttpRequest& r) { return api->handle(r); },
                                                 web::HttpLimits{},
                                                 [events = events_.get()](bool listened) { return events->next(listened); });
        if (http_->tls) {
            if (auto why = web_->use_tls(http_->tls->cert_file, http_->tls->key_file); !why.empty()) {
                spdlog::error("{}: /http/tls: {}", args_.config, why);
                return false;
            }
        }
        if (auto ec = web_->start(http_->host, http_->port)) {
            spdlog::error("{}: /http/listen: cannot listen on {}: {}", args_.config, http_->listen, ec.message());
            return false;
        }
        spdlog::info("{}; listening on {}:{}", web::describe(*http_), http_->host, web_->port());
        return true;
    }

    // --- plugin sinks: opened at every start (and reload), each behind its own queue ---
    bool start_plugin_sinks(const Site& site) {
        if (!site.plugins) return true;
        for (const auto& spec : site.plugins->sinks()) {
            try {
                plugin_sinks_.push_back(std::make_unique<plugin::PluginSink>(spec));
            } catch (const std::exception& e) {
                spdlog::error("{}", e.what());
                return false;
            }
            spdlog::info("{}: {} opened", spec.instance, spec.library->label());
            fanout_->add(plugin_sinks_.back().get());
        }
        return true;
    }

    void stop_plugin_sinks() {
        for (auto& p : plugin_sinks_) p->stop();
        plugin_sinks_.clear();
    }
    // --- end plugin sinks ---

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
        status_.reloading();
        auto site = load(args_.config, shard_, true);
        if (!site) {
            spdlog::error("the new configuration has errors; the running one is kept");
            status_.polling(poller_->config(), "last reload refused, see the log");
            return;
        }
        auto old = std::move(poller_);
        carried_keepalives_ = old->kept_values();  // written values a charger must keep hearing
        stop_gateways();  // they refer to the old poller
        old->stop();
        stop_plugin_sinks();
        // The MQTT connection stays unless its section changed: no offline/online flicker in
        // Home Assistant, and no wait for the broker on this thread.
        // A new shard is a new client id and status topic: a new connection too.
        if (!site->mqtt || site->config->mqtt != mqtt_json_ || site->config->shard != mqtt_shard_)
            stop_mqtt();
        if (!start(std::move(*site))) {
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
            if (history_) spdlog::info("{}", sink::format_history_stats(history_->stats()));
            if (postgres_) spdlog::info("{}", sink::format_postgres_stats(postgres_->stats()));
            for (const auto& p : plugin_sinks_) spdlog::info("{}", p->stats_line());
            for (const auto& g : gateways_) spdlog::info("{}", g->stats_line());
            arm_stats();
        });
    }

    void shutdown() {
        status_.stopping();
        if (live_) live_->stopping();
        stop_gateways();
        if (poller_) poller_->stop();
        signals_.cancel();
        stats_timer_.cancel();
        // The sinks drain while the loop keeps running (so late broker events still
        // arrive), then go.
        if (mqtt_) mqtt_->request_stop();
        wait_for_sinks();
    }

    void wait_for_sinks() {
        if (!mqtt_ || mqtt_->stopped()) {
            stop_sinks();
            if (!unsaved_.empty()) {
                spdlog::error("MQTT: {} messages are lost: neither the broker nor the outbox took them "
                              "before exit (see the outbox error above)",
                              unsaved_.size());
                unsaved_.clear();
            }
            // Every queued history row is committed before exit.
            if (history_ && !history_->stop()) exit_code_ = exit_failure;
            history_.reset();
            // What the database does not take in time waits in the outbox for the next run.
            if (postgres_) postgres_->stop();
            postgres_.reset();
            return;
        }
        stats_timer_.expires_after(std::chrono::milliseconds(20));
        stats_timer_.async_wait([this](const boost::system::error_code&) { wait_for_sinks(); });
    }

    // Sinks flush what they hold (MQTT: what the broker does not take in time waits in the
    // outbox for the next run).
    void stop_sinks() {
        stop_mqtt();
        stop_plugin_sinks();
    }

    void stop_mqtt() {
        if (mqtt_) {
            mqtt_->stop();
            auto unsaved = mqtt_->take_unsaved();
            unsaved_.insert(unsaved_.end(), std::make_move_iterator(unsaved.begin()),
                            std::make_move_iterator(unsaved.end()));
        }
        mqtt_.reset();
    }

    const RunArgs& args_;
    std::optional<profile::Shard> shard_;  // --shard, for reloads
    poll::SampleSink& output_;
    std::unique_ptr<Fanout> fanout_;
    std::unique_ptr<sink::MqttSink> mqtt_;
    profile::Json mqtt_json_;  // the section mqtt_ was made from
    std::optional<profile::Shard> mqtt_shard_;  // and the shard
    // Messages a stopped sink could neither publish nor write to its outbox (a full disk):
    // the next sink (after a reload) takes them; at exit they are counted as lost.
    std::vector<sink::Message> unsaved_;
    std::unique_ptr<sink::HistoryWriter> history_;
    profile::Json history_json_;
    std::unique_ptr<sink::PostgresWriter> postgres_;
    profile::Json postgres_json_;  // the section postgres_ was made from
    std::vector<std::unique_ptr<plugin::PluginSink>> plugin_sinks_;
    asio::io_context io_;
    asio::signal_set signals_;
    asio::steady_timer stats_timer_;
    StatusReporter status_;  // the status file for `regpoll health`, and systemd's notifications
    std::chrono::milliseconds stats_interval_{60000};
    std::unique_ptr<poll::Poller> poller_;
    std::vector<poll::KeptValue> carried_keepalives_;  // from the poller a reload replaces
    std::vector<std::unique_ptr<gateway::Gateway>> gateways_;  // after poller_: they refer to it
    std::optional<web::HttpConfig> http_;  // as at start: a reload does not move the server
    web::SiteViewBoard board_;
    std::unique_ptr<web::LiveState> live_;   // after poller_: it reads its figures
    std::unique_ptr<web::EventFeed> events_;  // used on the web server's thread only
    std::unique_ptr<web::HttpServer> web_;  // last: stopped first, while board_ still exists
    int exit_code_ = exit_ok;
};

// spdlog's flag %* : the journal's priority prefix of the message's level.
class JournalPriorityFlag : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        const auto name = spdlog::level::to_string_view(msg.level);
        const auto prefix = journal_priority_prefix(std::string_view(name.data(), name.size()));
        dest.append(prefix.data(), prefix.data() + prefix.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JournalPriorityFlag>();
    }
};

}  // namespace

bool setup_logging(const std::string& level) {
    auto lvl = spdlog::level::from_str(level);
    if (lvl == spdlog::level::off && level != "off") return false;
    auto logger = spdlog::stderr_color_mt("regpoll");
    spdlog::set_default_logger(logger);
    spdlog::set_level(lvl);
    if (stderr_is_journal()) {
        // The journal stamps each line itself and reads "<N>" as its priority, so that
        // `journalctl -p err -u regpoll` finds the errors.
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<JournalPriorityFlag>('*').set_pattern("%*%l %v");
        spdlog::set_formatter(std::move(formatter));
    } else {
        spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
    }
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
    else if (a.output == "table") sink = std::make_unique<TableSink>(stdout);
    else {
        print_error("--output \"" + a.output + "\" is not one of jsonl, log, table, none");
        return exit_usage;
    }
    std::optional<profile::Shard> shard;
    if (!shard_arg(a.shard, shard)) return exit_usage;
    auto site = load(a.config, shard);
    if (!site) {
        print_error("the configuration has errors (listed above); nothing started");
        return exit_usage;
    }
    if (!a.http.empty()) {
        if (!site->http) site->http.emplace();
        if (auto why = web::set_listen(*site->http, a.http); !why.empty()) {
            print_error("--http: " + why);
            return exit_usage;
        }
        if (auto why = web::check_exposure(*site->http); !why.empty()) {
            print_error("--http: " + why + " in the configuration's \"http\" section");
            return exit_usage;
        }
    }
    // The shard in effect (--shard, else the file's) names the status file; a reload that
    // changes the file's "shard" keeps the file named as at start.
    const auto& in_effect = site->config->shard;
    Runner runner(a, shard, *sink,
                  a.status_file.empty()
                      ? default_status_file_for_run(in_effect ? in_effect->tag() : "")
                      : a.status_file);
    return runner.run(std::move(*site));
}

}  // namespace regpoll::app
