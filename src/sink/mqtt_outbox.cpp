#include "sink/mqtt_outbox.hpp"

#include <sqlite3.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace regpoll::sink {
namespace {

// Statement wrapper: prepared, reset and finalized in one place.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
            throw std::runtime_error(std::string("outbox: ") + sqlite3_errmsg(db));
        }
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    sqlite3_stmt* get() { return stmt_; }

private:
    sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

Outbox::Outbox(const std::string& path, std::size_t max_messages, std::string label)
    : path_(path), label_(std::move(label)), max_(max_messages) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(path, ec)) {
        open();  // messages from an earlier run may wait in it
        return;
    }
    // No file yet: SQLite is first touched when a message has to wait (1.2 MB of its code and
    // cache that a site whose broker is always there never needs). Whether it could be created
    // is said now, at start, as opening it would have said.
    const fs::path dir = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
    if (!fs::is_directory(dir, ec)) {
        throw error("directory " + dir.string() + " does not exist");
    }
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
        throw error("cannot create files in " + dir.string() + ": " + std::strerror(errno));
    }
}

void Outbox::open() {
    if (sqlite3_open(path_.c_str(), &db_) != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw error(msg);
    }
    try {
        sqlite3_busy_timeout(db_, 2000);
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA synchronous=NORMAL");
        exec("CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, "
             "payload BLOB NOT NULL, qos INTEGER NOT NULL, retain INTEGER NOT NULL, class INTEGER NOT NULL)");
        Statement count(db_, "SELECT count(*) FROM outbox");
        if (sqlite3_step(count.get()) == SQLITE_ROW) count_ = static_cast<std::size_t>(sqlite3_column_int64(count.get(), 0));
    } catch (...) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw;
    }
}

Outbox::~Outbox() { sqlite3_close(db_); }

std::runtime_error Outbox::error(const std::string& what) const {
    return std::runtime_error(label_ + " \"" + path_ + "\": " + what);
}

void Outbox::exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw error(msg);
    }
}

std::size_t Outbox::append(std::span<const Message> messages) {
    if (messages.empty()) return 0;
    if (!db_) open();
    exec("BEGIN");
    const auto before = count_;
    const auto dropped_before = dropped_total_;
    try {
        {
            Statement insert(db_, "INSERT INTO outbox (topic, payload, qos, retain, class) VALUES (?, ?, ?, ?, ?)");
            for (const auto& m : messages) {
                sqlite3_bind_text(insert.get(), 1, m.topic.data(), static_cast<int>(m.topic.size()), SQLITE_STATIC);
                sqlite3_bind_blob(insert.get(), 2, m.payload.data(), static_cast<int>(m.payload.size()), SQLITE_STATIC);
                sqlite3_bind_int(insert.get(), 3, m.qos);
                sqlite3_bind_int(insert.get(), 4, m.retain ? 1 : 0);
                sqlite3_bind_int(insert.get(), 5, static_cast<int>(m.cls));
                // A full or read-only disk: nothing of this batch is kept, the caller keeps it.
                if (sqlite3_step(insert.get()) != SQLITE_DONE) {
                    throw error(sqlite3_errmsg(db_));
                }
                sqlite3_reset(insert.get());
            }
        }
        count_ += messages.size();
        const std::size_t dropped = enforce_bound();
        exec("COMMIT");
        return dropped;
    } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        count_ = before;
        dropped_total_ = dropped_before;
        throw;
    }
}

std::size_t Outbox::enforce_bound() {
    if (count_ <= max_) return 0;
    std::size_t dropped = 0;
    // Least valuable first: plain topics, then state objects, then Domoticz updates, then
    // (only if the bound is still exceeded) anything, oldest first.
    for (int cls : {static_cast<int>(MessageClass::plain), static_cast<int>(MessageClass::state),
                    static_cast<int>(MessageClass::domoticz), -1}) {
        if (count_ <= max_) break;
        const std::size_t excess = count_ - max_;
        Statement del(db_, cls >= 0 ? "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE class = ? ORDER BY id LIMIT ?)"
                                    : "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT ?2)");
        if (cls >= 0) sqlite3_bind_int(del.get(), 1, cls);
        sqlite3_bind_int64(del.get(), 2, static_cast<sqlite3_int64>(excess));
        sqlite3_step(del.get());
        const auto n = static_cast<std::size_t>(sqlite3_changes(db_));
        count_ -= n;
        dropped += n;
    }
    dropped_total_ += dropped;
    return dropped;
}

std::vector<StoredMessage> Outbox::oldest(std::size_t n, std::int64_t after_id) {
    std::vector<StoredMessage> out;
    if (!db_) return out;
    Statement sel(db_, "SELECT id, topic, payload, qos, retain, class FROM outbox WHERE id > ? ORDER BY id LIMIT ?");
    sqlite3_bind_int64(sel.get(), 1, after_id);
    sqlite3_bind_int64(sel.get(), 2, static_cast<sqlite3_int64>(n));
    while (sqlite3_step(sel.get()) == SQLITE_ROW) {
        StoredMessage s;
        s.id = sqlite3_column_int64(sel.get(), 0);
        s.message.topic.assign(reinterpret_cast<const char*>(sqlite3_column_text(sel.get(), 1)),
                               static_cast<std::size_t>(sqlite3_column_bytes(sel.get(), 1)));
        const auto* blob = static_cast<const char*>(sqlite3_column_blob(sel.get(), 2));
        s.message.payload.assign(blob ? blob : "", static_cast<std::size_t>(sqlite3_column_bytes(sel.get(), 2)));
        s.message.qos = sqlite3_column_int(sel.get(), 3);
        s.message.retain = sqlite3_column_int(sel.get(), 4) != 0;
        s.message.cls = static_cast<MessageClass>(sqlite3_column_int(sel.get(), 5));
        out.push_back(std::move(s));
    }
    return out;
}

void Outbox::remove_up_to(std::int64_t id) {
    if (!db_) return;
    Statement del(db_, "DELETE FROM outbox WHERE id <= ?");
    sqlite3_bind_int64(del.get(), 1, id);
    sqlite3_step(del.get());
    const auto n = static_cast<std::size_t>(sqlite3_changes(db_));
    count_ = n > count_ ? 0 : count_ - n;
}

}  // namespace regpoll::sink
