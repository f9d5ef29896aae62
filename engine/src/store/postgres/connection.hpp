// The PostgreSQL backend of the store seam (store/database.hpp), on libpq's C
// API with a few RAII wrappers.
//
// A statement runs on its first step() as a prepared statement (?N becomes
// $N), its rows streamed in libpq's single-row mode: a loader reading
// millions of rows holds one at a time. One connection runs one statement at
// a time, so when another statement starts while one still streams, the rest
// of the first is read into memory and handed out from there (the sequential
// scan's merge of orders and lines does this). Values arrive as text: numbers
// are parsed exactly (a double as PostgreSQL prints it with
// extra_float_digits ≥ 1, the shortest text that reads back the same), a
// boolean reads as 1 or 0.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

struct pg_conn;
struct pg_result;

namespace kpi::sql {

namespace pg {
struct ConnDeleter {
    void operator()(pg_conn* conn) const noexcept;
};
struct ResultDeleter {
    void operator()(pg_result* result) const noexcept;
};
using Conn = std::unique_ptr<pg_conn, ConnDeleter>;
using Result = std::unique_ptr<pg_result, ResultDeleter>;

// SQL with ?N placeholders as PostgreSQL's $N (quoted text and comments kept).
std::string translatePlaceholders(std::string_view sql);
// Appends a value in COPY's text format (nullptr: NULL, \N).
void appendCopyValue(std::string& out, const std::string* value);
// Appends a row's values in COPY's text format, tab-separated (no newline).
void appendCopyFields(std::string& out, const std::vector<const std::string*>& values);
}  // namespace pg

class PgCursor;

class PgDatabase final : public Database {
public:
    // Connects (libpq reads a URI or a conninfo, ~/.pgpass, pg_service.conf).
    // Throws Error Io, naming the location, when the server cannot be reached.
    PgDatabase(const std::string& location, Open mode);
    ~PgDatabase() override;

    Backend backend() const override { return Backend::Postgres; }
    void exec(std::string_view sql) override;
    std::int64_t changes() const override { return changes_; }
    const std::string& location() const override { return location_; }
    std::unique_ptr<Database> reopen(Open mode) const override;
    void begin(bool immediate) override;
    void commit() override;
    void rollback() noexcept override;
    void watchCancel(const std::function<bool()>* cancelled) override { cancelled_ = cancelled; }
    void bulkWrite(bool on) override;
    std::string nowSql() const override;
    std::string realTextSql(const std::string& expression) const override;
    std::string positionSql(const std::string& haystack, const std::string& needle) const override {
        return "strpos(" + haystack + ", " + needle + ")";
    }
    void createTempTable(const std::string& name, const std::string& columns) override;
    std::unique_ptr<BulkUpsert> bulkUpsert(const std::string& table, const std::vector<std::string>& columns,
                                           size_t keys, const std::vector<std::string>& previous) override;
    std::unique_ptr<BulkInsert> bulkInsert(const std::string& table, const std::vector<std::string>& columns) override;
    // COPY table(columns) FROM STDIN with `data` (COPY's text format).
    void copyIn(const std::string& table, const std::string& columns, const std::string& data);
    // The same in pieces: copyStart, then copyPut as often as needed (each
    // piece whole rows or not; the server stores what it has while more is
    // sent), then copyEnd, which waits for the server's answer.
    void copyStart(const std::string& table, const std::string& columns);
    void copyPut(std::string_view data);
    void copyEnd();
    // Ends the COPY running now as failed (the server discards it, and the
    // transaction is then aborted); never throws.
    void copyAbort() noexcept;
    std::unique_ptr<FirstLoad> firstLoad(const std::vector<std::string>& tables) override;
    bool hasTable(const std::string& name) override;
    int storedVersion(bool& empty) override;
    void createOrUpgrade() override;
    ReadScope readScope() override;

    pg_conn* handle() const { return conn_.get(); }

    // --- for PgCursor ---
    // Reads the rest of the statement still streaming, if any, into memory.
    void settle();
    void setActive(PgCursor* cursor) { active_ = cursor; }
    void forget(PgCursor* cursor) {
        if (active_ == cursor) active_ = nullptr;
    }
    void setChanges(std::int64_t n) { changes_ = n; }
    std::string nextStatementName() { return "kpi_" + std::to_string(++statements_); }
    const std::function<bool()>* cancelled() const { return cancelled_; }
    // Throws the Error for a failed result (or connection), with context.
    [[noreturn]] void fail(const pg_result* result, std::string_view context) const;
    // Sends a cancel request for the statement running now.
    void cancelRunning() noexcept;
    // Returns once the running statement's next result can be read without
    // waiting. While a cancellation is watched (watchCancel) it asks it every
    // 100 ms; told to stop, it gives the server a second to answer, then gives
    // the connection up (abandoned(): nothing is sent on it any more) and
    // throws Error Io. Without one, it returns at once (PQgetResult waits).
    void awaitResult();
    // The last result of what was sent (PQexec's answer, awaited as above).
    pg::Result lastResult();
    // Reads and drops what is left of the results; never throws.
    void drain() noexcept;
    bool abandoned() const { return abandoned_; }

protected:
    std::unique_ptr<Cursor> cursor(std::string_view sql) override;

private:
    pg::Result execute(std::string_view sql);

    pg::Conn conn_;
    std::string location_;
    Open mode_;
    PgCursor* active_ = nullptr;
    std::int64_t changes_ = 0;
    std::uint64_t statements_ = 0;
    const std::function<bool()>* cancelled_ = nullptr;
    bool abandoned_ = false;
    bool copyFailed_ = false;  // a piece of the COPY running now could not be sent
    using Clock = std::chrono::steady_clock;
};

}  // namespace kpi::sql
