// The SQLite backend of the store seam (store/database.hpp): a thin RAII
// layer over sqlite3. Failures throw kpi::Error with a kind derived from the
// SQLite code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "store/database.hpp"
#include "store/sqlite/store_file.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace kpi::sql {

class SqliteDatabase final : public Database {
public:
    // Opens with foreign keys on and a busy timeout, so that many processes
    // share the file without "database is locked" reaching a user. The file is
    // looked at first (storefile::inspect): a path that is not a regular SQLite
    // file, or a WAL store where WAL cannot work, throws a kpi::Error that says
    // so, and SQLite never opens it. The journal mode is the file's own (set by
    // Store::init through setJournal()).
    SqliteDatabase(const std::filesystem::path& path, Open mode);
    ~SqliteDatabase() override;

    Backend backend() const override { return Backend::Sqlite; }
    void exec(std::string_view sql) override;
    std::int64_t changes() const override;
    const std::string& location() const override { return location_; }
    std::unique_ptr<Database> reopen(Open mode) const override;
    void begin(bool immediate) override;
    void commit() override;
    void rollback() noexcept override;
    void watchCancel(const std::function<bool()>* cancelled) override;
    void bulkWrite(bool on) override;
    std::string nowSql() const override;
    std::string realTextSql(const std::string& expression) const override { return expression; }
    std::string positionSql(const std::string& haystack, const std::string& needle) const override {
        return "instr(" + haystack + ", " + needle + ")";
    }
    void createTempTable(const std::string& name, const std::string& columns) override;
    bool hasTable(const std::string& name) override;
    int storedVersion(bool& empty) override;
    void createOrUpgrade() override;

    std::int64_t lastInsertRowid() const;
    // Turns this connection's triggers on or off (other connections keep theirs).
    void setTriggersEnabled(bool enabled);
    // Switches the file's journal mode (persistent: every later connection
    // uses it). Throws Error Busy when other connections keep it from switching.
    void setJournal(storefile::Journal journal);
    storefile::Journal journal();
    sqlite3* handle() const { return db_; }

    // Throws the Error matching an SQLite result code, with context.
    [[noreturn]] void fail(int code, std::string_view context) const;

    // Marks a use of the connection. Not atomic on purpose: a connection is
    // used by one thread at a time (SQLITE_OPEN_NOMUTEX), and two threads using
    // it at once then race on this counter, which ThreadSanitizer reports
    // (SQLite's own code is not instrumented; this is).
    void markUse() { ++uses_; }

protected:
    std::unique_ptr<Cursor> cursor(std::string_view sql) override;

private:
    void configure(Open mode);

    sqlite3* db_ = nullptr;
    std::string location_;
    std::uint64_t uses_ = 0;
    std::int64_t cacheSize_ = 0;  // the page cache before bulkWrite(true)
};

}  // namespace kpi::sql
