#pragma once
// A thin RAII layer over libpq for the PostgreSQL sink and its reader: a connection,
// results, COPY FROM STDIN, and one exception type. A connection is used by one thread at a time.
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace regpoll::sink {

class PgError : public std::runtime_error {
  public:
    // `connection_lost`: the server is gone (reconnect); otherwise the statement failed.
    PgError(const std::string& message, bool connection_lost)
        : std::runtime_error(message), connection_lost_(connection_lost) {}
    bool connection_lost() const { return connection_lost_; }

  private:
    bool connection_lost_;
};

class PgResult {
  public:
    explicit PgResult(pg_result* r) : r_(r) {}
    int rows() const;
    bool is_null(int row, int column) const;
    std::string_view text(int row, int column) const;  // text format, as the server sent it
    long long integer(int row, int column) const;
    bool ok() const;  // the statement succeeded
    pg_result* get() const { return r_.get(); }

  private:
    struct Free {
        void operator()(pg_result* r) const;
    };
    std::unique_ptr<pg_result, Free> r_;
};

class PgConnection {
  public:
    // Connects (blocking; connect_timeout 10 s unless `conninfo` sets one); throws
    // PgError(connection_lost).
    explicit PgConnection(const std::string& conninfo);
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    // Runs one or more statements without parameters.
    void exec(const std::string& sql);
    // One statement with text parameters ($1, $2, ...); returns its rows.
    PgResult query(const std::string& sql, const std::vector<std::string>& params = {});
    // The same, one row at a time (libpq's single-row mode): `on_row` sees each result of one
    // row as it arrives, so a large result is never held whole. Returns the number of rows.
    std::size_t query_rows(const std::string& sql, const std::vector<std::string>& params,
                           const std::function<void(const PgResult&)>& on_row);
    // COPY <target> FROM STDIN (text format) with `data`, rows ending in '\n'.
    void copy_in(const std::string& target, std::string_view data);
    bool ok() const;

  private:
    [[noreturn]] void fail(const std::string& what) const;

    pg_conn* conn_ = nullptr;
};

// libpq's soname on Debian 12 (package libpq5); regpoll opens it with the first connection.
inline constexpr const char* libpq_soname = "libpq.so.5";
// Opens libpq from `soname` and takes its functions, once per process: "" when they are
// there (now or already), else what went wrong, naming the library and the package.
std::string load_libpq(const char* soname);

// Appends `s` to a COPY text-format field: backslash, tab, line feed and carriage return escaped.
void append_copy_text(std::string& out, std::string_view s);
// 'quoted' for SQL text literals (single quotes doubled).
std::string pg_literal(std::string_view s);

}  // namespace regpoll::sink
