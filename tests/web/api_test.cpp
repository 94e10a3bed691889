// The routes over a view made up here: what each answers, authentication, traversal, and
// the metrics text's shape (promtool checks the real thing in tests/integration).
#include "web/api.hpp"

#include <gtest/gtest.h>

#include "modbus/error.hpp"

namespace regpoll::web {
namespace {

using Json = nlohmann::json;

class ApiTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto view = std::make_shared<SiteView>();
        view->version = "0.1.0";
        view->published_ms = 1'000'000;
        view->polling = true;
        auto meter = std::make_shared<DeviceView>();
        meter->name = "meter";
        meter->bus = "lab";
        meter->online = true;
        meter->last_answer_ms = 999'000;
        meter->interval_ms = 1000;
        meter->points.push_back({"voltage", "V", 230.5, poll::Quality::good, 999'000, 1});
        meter->points.push_back({"status", "", std::string("ok \"quoted\""), poll::Quality::good, 999'000, std::nullopt});
        meter->points.push_back({"unread", "A", {}, poll::Quality::good, 0, std::nullopt});
        meter->metrics.record(std::chrono::milliseconds(7), {}, 999'000);
        meter->metrics.record(std::chrono::seconds(1), std::make_error_code(std::errc::timed_out), 999'500);
        view->devices.push_back(meter);
        board_.publish(view);
    }

    Api api(std::optional<HttpAuth> auth = std::nullopt, bool values = true) {
        ApiOptions o;
        o.board = &board_;
        o.auth = std::move(auth);
        o.metric_values = values;
        o.judge = [this](const Json& status, std::int64_t) {
            judged_ = status;
            return HealthAnswer{true, "fine"};
        };
        return Api(std::move(o));
    }

    HttpResponse get(const Api& a, std::string target, std::string authorization = "") {
        return a.handle(HttpRequest{"GET", std::move(target), std::move(authorization)});
    }

    SiteViewBoard board_;
    Json judged_;
};

TEST_F(ApiTest, PlanListsEachBusesRequestsAndLineShare) {
    auto view = std::make_shared<SiteView>(*board_.take());
    auto meter = std::make_shared<DeviceView>(*view->devices[0]);
    auto plan = std::make_shared<PlanView>();
    plan->requests.push_back({"input", 0, 12, 1000, {"voltage", "current"}});
    plan->requests.push_back({"holding", 40, 2, 60000, {"status"}});
    plan->registers = 14;
    plan->wire_seconds = 0.0456;
    plan->line_share = 0.25;
    meter->plan = plan;
    auto second = std::make_shared<DeviceView>(*meter);
    second->name = "meter2";
    auto tcp = std::make_shared<DeviceView>(*meter);
    tcp->name = "inverter";
    tcp->bus = "lan";
    auto tcp_plan = std::make_shared<PlanView>(*plan);
    tcp_plan->wire_seconds.reset();
    tcp_plan->line_share.reset();
    tcp->plan = tcp_plan;
    view->devices = {meter, tcp, second};
    board_.publish(view);
    const auto answer = get(api(), "/api/v1/plan");
    ASSERT_EQ(answer.status, 200);
    const auto j = Json::parse(answer.body);
    ASSERT_EQ(j["buses"].size(), 2U);
    const auto& lab = j["buses"][0];
    EXPECT_EQ(lab["name"], "lab");
    EXPECT_EQ(lab["requests_per_cycle"], 4);
    EXPECT_DOUBLE_EQ(lab["line_share"].get<double>(), 0.5);  // two devices at 25 % each
    ASSERT_EQ(lab["devices"].size(), 2U);
    EXPECT_EQ(lab["devices"][1]["name"], "meter2");
    EXPECT_EQ(lab["devices"][0]["requests"][0],
              Json::parse(R"({"every_ms":1000,"kind":"input","address":0,"count":12,"points":["voltage","current"]})"));
    EXPECT_EQ(lab["devices"][0]["registers_per_cycle"], 14);
    EXPECT_NEAR(lab["devices"][0]["wire_ms_per_cycle"].get<double>(), 45.6, 1e-9);
    EXPECT_EQ(j["buses"][1]["name"], "lan");
    EXPECT_EQ(j["buses"][1]["line_share"], nullptr);  // not a serial line
    EXPECT_EQ(j["buses"][1]["devices"][0]["wire_ms_per_cycle"], nullptr);
}

TEST_F(ApiTest, DevicesAndOneDevice) {
    const auto a = api();
    auto list = get(a, "/api/v1/devices");
    ASSERT_EQ(list.status, 200);
    auto j = Json::parse(list.body);
    EXPECT_EQ(j["devices"][0]["name"], "meter");
    EXPECT_EQ(j["devices"][0]["requests"], 2);
    EXPECT_EQ(j["devices"][0]["errors"], 1);
    auto one = Json::parse(get(a, "/api/v1/devices/meter").body);
    EXPECT_EQ(one["points"][0], Json::parse(R"({"name":"voltage","value":230.5,"unit":"V","ts":999000,"quality":"good","precision":1})"));
    EXPECT_EQ(one["points"][2]["value"], nullptr);
    EXPECT_EQ(one["points"][2]["quality"], "unread");
    EXPECT_EQ(get(a, "/api/v1/devices/nope").status, 404);
    EXPECT_EQ(get(a, "/api/v1/devices/%2e%2e").status, 400);
    EXPECT_EQ(get(a, "/nothing").status, 404);
    EXPECT_EQ(get(a, "nothing").status, 400);
    EXPECT_EQ(a.handle(HttpRequest{"DELETE", "/api/v1/devices", ""}).status, 405);
}

TEST_F(ApiTest, HealthzIsJudgedOnTheStatusFilesShape) {
    const auto a = api();
    auto h = get(a, "/healthz");
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(h.body, "healthy: fine\n");
    EXPECT_EQ(judged_["state"], "polling");
    EXPECT_EQ(judged_["written_ms"], 1'000'000);
    EXPECT_EQ(judged_["devices"]["meter"], Json::parse(R"({"online":true,"last_sample_ms":999000,"interval_ms":1000})"));
}

TEST_F(ApiTest, BasicAuthGuardsAllButHealthz) {
    const auto a = api(HttpAuth{"admin", "pw"});
    EXPECT_EQ(get(a, "/api/v1/devices").status, 401);
    EXPECT_EQ(get(a, "/api/v1/devices", "Basic YWRtaW46cHc=").status, 200);  // admin:pw
    EXPECT_EQ(get(a, "/api/v1/devices", "Basic YWRtaW46cHd4").status, 401);  // admin:pwx
    EXPECT_EQ(get(a, "/api/v1/devices", "Basic !!!!").status, 401);
    EXPECT_EQ(get(a, "/metrics", "Bearer x").status, 401);
    EXPECT_EQ(get(a, "/healthz").status, 200);
}

TEST_F(ApiTest, MetricsText) {
    const auto text = get(api(), "/metrics").body;
    EXPECT_NE(text.find("# TYPE regpoll_requests_total counter\nregpoll_requests_total{device=\"meter\",bus=\"lab\"} 2\n"),
              std::string::npos) << text;
    EXPECT_NE(text.find("regpoll_request_errors_total{device=\"meter\",bus=\"lab\",reason=\"io\"} 1\n"),
              std::string::npos) << text;
    EXPECT_NE(text.find("regpoll_request_duration_seconds_bucket{device=\"meter\",bus=\"lab\",le=\"0.01\"} 1\n"),
              std::string::npos) << text;
    EXPECT_NE(text.find("regpoll_request_duration_seconds_bucket{device=\"meter\",bus=\"lab\",le=\"1\"} 2\n"),
              std::string::npos) << text;
    EXPECT_NE(text.find("regpoll_value{device=\"meter\",point=\"voltage\",unit=\"V\"} 230.5\n"), std::string::npos);
    EXPECT_EQ(text.find("point=\"status\""), std::string::npos);  // text is no gauge
    EXPECT_EQ(text.find("point=\"unread\""), std::string::npos);
    EXPECT_NE(text.find("regpoll_last_success_timestamp_seconds{device=\"meter\",bus=\"lab\"} 999\n"), std::string::npos);
    const auto without = get(api(std::nullopt, false), "/metrics").body;
    EXPECT_EQ(without.find("regpoll_value"), std::string::npos);
}

TEST_F(ApiTest, ThePageAndItsFilesAreEmbedded) {
    const auto a = api();
    const auto page = get(a, "/");
    ASSERT_EQ(page.status, 200);
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("/assets/app.js"), std::string::npos);
    for (const char* name : {"app.js", "style.css", "chart.min.js"}) {
        const auto file = get(a, std::string("/assets/") + name);
        EXPECT_EQ(file.status, 200) << name;
        EXPECT_GT(file.body.size(), 1000U) << name;
    }
    EXPECT_NE(get(a, "/assets/chart.min.js").body.find("Chart"), std::string::npos);
    EXPECT_EQ(get(a, "/assets/chart.min.js").content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(get(a, "/assets/nope.js").status, 404);
    EXPECT_EQ(get(a, "/assets/../api").status, 400);
    EXPECT_EQ(get(api(HttpAuth{"admin", "pw"}), "/").status, 401);
    EXPECT_EQ(get(a, "/api/v1/events").status, 404);  // no feed given
}

TEST(RequestMetrics, ReasonsByClass) {
    using modbus::Errc;
    EXPECT_EQ(poll::error_reason(Errc::timeout), "timeout");
    EXPECT_EQ(poll::error_reason(Errc::bad_crc), "crc");
    EXPECT_EQ(poll::error_reason(modbus::make_exception_error(2)), "exception_2");
    EXPECT_EQ(poll::error_reason(Errc::byte_count_mismatch), "frame");
    EXPECT_EQ(poll::error_reason(std::make_error_code(std::errc::connection_reset)), "io");
}

}  // namespace
}  // namespace regpoll::web
