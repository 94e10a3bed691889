#pragma once
// What the history tests share: a temporary folder, samples with names that outlive them,
// and reading a database through the sqlite3 API the way a user's tool would.
#include <unistd.h>

#include <atomic>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "poll/sample.hpp"

namespace regpoll::sink::testing {

class TempDir {
  public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("regpoll-history-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }

  private:
    std::filesystem::path path_;
};

// Samples as the poller makes them: names are pointers into storage that lives on.
class SampleMaker {
  public:
    poll::Sample make(const std::string& device, const std::string& point, std::int64_t ts,
                      codec::Value value, const std::string& unit = "",
                      poll::Quality quality = poll::Quality::good) {
        poll::Sample s;
        s.device = keep(device);
        s.point = keep(point);
        s.unit = keep(unit);
        s.ts_ms = ts;
        s.value = std::move(value);
        s.quality = quality;
        return s;
    }

  private:
    const std::string* keep(const std::string& s) {
        for (const auto& k : kept_) {
            if (k == s) return &k;
        }
        return &kept_.emplace_back(s);
    }
    std::deque<std::string> kept_;
};

// A read-only connection for assertions.
class SqliteReader {
  public:
    explicit SqliteReader(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
            throw std::runtime_error("cannot open " + path + ": " + sqlite3_errmsg(db_));
        }
    }
    ~SqliteReader() { sqlite3_close(db_); }
    SqliteReader(const SqliteReader&) = delete;
    SqliteReader& operator=(const SqliteReader&) = delete;

    // Every row of `sql`, columns as text ("NULL" for null), joined by '|' like sqlite3 prints.
    std::vector<std::string> rows(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
            throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
        }
        std::vector<std::string> out;
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            std::string row;
            for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
                if (c) row += '|';
                if (sqlite3_column_type(stmt, c) == SQLITE_NULL)
                    row += "NULL";
                else
                    row += reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            }
            out.push_back(row);
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE) throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
        return out;
    }
    std::string one(const std::string& sql) {
        auto r = rows(sql);
        return r.empty() ? "<no row>" : r.front();
    }
    long long count(const std::string& sql) { return std::stoll(one(sql)); }

  private:
    sqlite3* db_ = nullptr;
};

}  // namespace regpoll::sink::testing
