// The live table of `regpoll run --output table`: numbers with their point's precision.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "app/sinks.hpp"
#include "profile/site_config.hpp"

namespace regpoll::testing {
namespace {

profile::Point point(const std::string& name, std::optional<int> precision) {
    profile::Point p;
    p.name = name;
    p.precision = precision;
    return p;
}

// What the sink drew last, from a temporary file standing in for the terminal.
std::string drawn(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::string all;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) all.append(buf, n);
    return all.substr(all.rfind("regpoll  "));
}

TEST(TableSink, NumbersPrintWithTheirPointsPrecision) {
    profile::SiteConfig site;
    site.devices.resize(1);
    site.devices[0].name = "meter";
    site.devices[0].points = {point("voltage", 1), point("power", 0), point("thd", std::nullopt),
                              point("count", 2)};
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    app::TableSink sink(f);
    sink.use_site(site);

    const std::string device = "meter", voltage = "voltage", power = "power", thd = "thd", count = "count",
                      volts = "V", watts = "W", percent = "%", none;
    std::vector<poll::Sample> samples(4);
    samples[0] = {1, &device, &voltage, &volts, 230.21205139160156};
    samples[1] = {1, &device, &power, &watts, -1234.5678};
    samples[2] = {1, &device, &thd, &percent, 3.824436};
    samples[3] = {1, &device, &count, &none, std::int64_t{17}};
    sink.on_availability(device, true);  // draws at once; the samples then draw within 250 ms
    sink.on_samples(samples);
    sink.on_availability(device, true);
    const auto table = drawn(f);
    EXPECT_NE(table.find(" 230.2 V"), std::string::npos) << table;
    EXPECT_NE(table.find(" -1235 W"), std::string::npos) << table;
    EXPECT_NE(table.find(" 3.824436 %"), std::string::npos) << "no precision: as decoded\n" << table;
    EXPECT_NE(table.find(" 17 \n"), std::string::npos) << "integers stay integers\n" << table;
    EXPECT_EQ(table.find("230.212"), std::string::npos) << table;

    // A reload without the precision: as decoded again.
    site.devices[0].points = {point("voltage", std::nullopt)};
    sink.use_site(site);
    sink.on_samples(std::vector<poll::Sample>{samples[0]});
    sink.on_availability(device, true);
    EXPECT_NE(drawn(f).find(" 230.21205139160156 V"), std::string::npos) << drawn(f);
    std::fclose(f);
}

}  // namespace
}  // namespace regpoll::testing
