// regpoll history: prints rows of a history database as CSV (with a header) or JSON lines.
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/session.hpp"
#include "sink/history_query.hpp"
#include "sink/postgres_config.hpp"
#include "sink/postgres_query.hpp"
#include "sink/history_time.hpp"

namespace regpoll::app {
namespace {

// Output is buffered and written in large blocks: a query may print millions of rows.
class Output {
  public:
    ~Output() { flush(); }
    void append(std::string_view s) {
        buffer_ += s;
        if (buffer_.size() >= 1 << 16) flush();
    }
    void flush() {
        std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
        buffer_.clear();
    }

  private:
    std::string buffer_;
};

template <class T>
std::string number_text(T n) {
    char buffer[32];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, n);
    return std::string(buffer, r.ptr);
}

// RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled.
std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string ts_text(std::int64_t ts, bool iso) {
    return iso ? sink::format_time_utc(ts) : number_text(ts);
}

void write_csv(Output& out, const sink::HistoryRow& row, bool iso) {
    std::string line =
        ts_text(row.ts, iso) + "," + csv_field(row.device) + "," + csv_field(row.point) + ",";
    if (row.type == sink::HistoryRow::Type::integer) line += number_text(row.integer);
    if (row.type == sink::HistoryRow::Type::real) line += number_text(row.real);
    line += ",";
    if (row.text) line += csv_field(*row.text);
    line += "," + csv_field(row.unit) + "\n";
    out.append(line);
}

void write_json(Output& out, const sink::HistoryRow& row, bool iso) {
    nlohmann::ordered_json j;
    if (iso)
        j["ts"] = sink::format_time_utc(row.ts);
    else
        j["ts"] = row.ts;
    j["device"] = row.device;
    j["point"] = row.point;
    switch (row.type) {
        case sink::HistoryRow::Type::integer:
            j["value"] = row.integer;
            break;
        case sink::HistoryRow::Type::real:
            j["value"] = std::isfinite(row.real) ? nlohmann::ordered_json(row.real) : nullptr;
            break;
        case sink::HistoryRow::Type::null:
            j["value"] = nullptr;
            break;
    }
    j["text"] = row.text ? nlohmann::ordered_json(*row.text) : nullptr;
    j["unit"] = row.unit;
    // Text from a device may be any bytes: replace what is not UTF-8 rather than fail.
    out.append(j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    out.append("\n");
}

std::optional<sink::HistorySelection> selection_from(const HistoryArgs& a) {
    sink::HistorySelection selection;
    selection.devices = a.devices;
    selection.points = a.points;
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    for (auto [text, option, target] : {std::tuple{&a.since, "--since", &selection.since_ms},
                                        std::tuple{&a.until, "--until", &selection.until_ms}}) {
        if (text->empty()) continue;
        auto t = sink::parse_time_point(*text, now);
        if (!t) {
            print_error(std::string(option) + ": " + t.error());
            return std::nullopt;
        }
        *target = *t;
    }
    if (selection.since_ms && selection.until_ms && *selection.since_ms > *selection.until_ms) {
        print_error("--since (" + sink::format_time_utc(*selection.since_ms) +
                    ") is after --until (" + sink::format_time_utc(*selection.until_ms) + ")");
        return std::nullopt;
    }
    return selection;
}

// --pg: the connection string from --pg-conninfo-file, $REGPOLL_PG, or the config's
// "postgres" section, in that order. Empty (after an error message) when none gives one.
std::string pg_conninfo(const HistoryArgs& a) {
    if (!a.pg_conninfo_file.empty()) {
        std::ifstream in(a.pg_conninfo_file);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        if (!in || text.empty()) print_error("--pg-conninfo-file: cannot read \"" + a.pg_conninfo_file + "\"");
        return text;
    }
    if (const char* env = std::getenv("REGPOLL_PG"); env && *env) return env;
    if (a.config.empty()) {
        print_error("--pg: give --pg-conninfo-file, set REGPOLL_PG, or name a configuration with a postgres section (-c)");
        return {};
    }
    std::ifstream in(a.config);
    const auto json = profile::Json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("postgres")) {
        print_error(a.config + ": no \"postgres\" section to read the connection string from");
        return {};
    }
    profile::Diagnostics diag;
    auto config = sink::parse_postgres_config(json["postgres"], a.config, diag);
    for (const auto& e : diag.errors()) print_error(e);
    return config ? config->conninfo : std::string();
}

}  // namespace

int run_history(const HistoryArgs& a) {
    if (a.format != "csv" && a.format != "json" && a.format != "jsonl") {
        print_error("--format \"" + a.format + "\" is not one of csv, json");
        return exit_usage;
    }
    if (a.time != "ms" && a.time != "iso") {
        print_error("--time \"" + a.time + "\" is not one of ms, iso");
        return exit_usage;
    }
    const auto selection = selection_from(a);
    if (!selection) return exit_usage;
    const bool iso = a.time == "iso";
    const bool csv = a.format == "csv";
    if (a.pg != a.db.empty()) {
        print_error("--db is required (the SQLite history), or --pg to read from PostgreSQL");
        return exit_usage;
    }
    std::string conninfo;
    if (a.pg && (conninfo = pg_conninfo(a)).empty()) return exit_usage;
    const std::string source = a.pg ? std::string("PostgreSQL") : a.db;
    try {
        // Opened before the header is printed: a failure prints only the error.
        std::unique_ptr<sink::PgHistoryReader> pg_reader;
        std::optional<sink::HistoryReader> sqlite_reader;
        if (a.pg)
            pg_reader = std::make_unique<sink::PgHistoryReader>(conninfo);
        else
            sqlite_reader.emplace(a.db);
        Output out;
        if (csv) out.append("ts,device,point,value,text,unit\n");
        auto print = [&](const sink::HistoryRow& row) {
            if (csv)
                write_csv(out, row, iso);
            else
                write_json(out, row, iso);
        };
        if (pg_reader)
            pg_reader->read(*selection, print);
        else
            sqlite_reader->read(*selection, print);
    } catch (const sink::HistoryOpenError& e) {
        print_error(e.what());
        return exit_usage;
    } catch (const std::exception& e) {
        print_error(source + ": " + e.what());
        return exit_failure;
    }
    return exit_ok;
}

}  // namespace regpoll::app
