// A thin RAII layer over sqlite3: connections, prepared statements and
// transactions. Failures throw kpi::Error with a kind derived from the SQLite code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "store_file.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace kpi::sql {

class Statement;

class Database {
public:
    enum class Open { ReadOnly, ReadWrite, Create };
    // Opens with foreign keys on and a busy timeout, so that many processes
    // share the file without "database is locked" reaching a user. The file is
    // looked at first (storefile::inspect): a path that is not a regular SQLite
    // file, or a WAL store where WAL cannot work, throws a kpi::Error that says
    // so, and SQLite never opens it. The journal mode is the file's own (set by
    // Store::init through setJournal()).
    Database(const std::filesystem::path& path, Open mode);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(std::string_view sql);
    Statement prepare(std::string_view sql);
    std::int64_t changes() const;
    std::int64_t lastInsertRowid() const;
    // Turns this connection's triggers on or off (other connections keep theirs).
    void setTriggersEnabled(bool enabled);
    // Switches the file's journal mode (persistent: every later connection
    // uses it). Throws Error Busy when other connections keep it from switching.
    void setJournal(storefile::Journal journal);
    storefile::Journal journal();
    sqlite3* handle() const { return db_; }
    const std::filesystem::path& path() const { return path_; }

    // Throws the Error matching an SQLite result code, with context.
    [[noreturn]] void fail(int code, std::string_view context) const;

    // Marks a use of the connection. Not atomic on purpose: a connection is
    // used by one thread at a time (SQLITE_OPEN_NOMUTEX), and two threads using
    // it at once then race on this counter, which ThreadSanitizer reports
    // (SQLite's own code is not instrumented; this is).
    void markUse() { ++uses_; }

private:
    void configure(Open mode);

    sqlite3* db_ = nullptr;
    std::filesystem::path path_;
    std::uint64_t uses_ = 0;
};

class Statement {
public:
    Statement(Database& db, std::string_view sql);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::string_view text);
    // Binds without copying: text must stay alive until the statement is reset.
    Statement& bindStatic(int index, std::string_view text);
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bindNull(int index);
    // Binds the text, or NULL when it is empty ("not given").
    Statement& bindOptional(int index, std::string_view text);

    // Steps once; true while a row is available.
    bool step();
    // Steps to completion (for statements without rows).
    void run();
    void reset();

    bool isNull(int column) const;
    std::int64_t int64(int column) const;
    double real(int column) const;
    std::string_view text(int column) const;  // valid until the next step

private:
    Database* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE … COMMIT; rolls back in its destructor unless committed.
class Transaction {
public:
    explicit Transaction(Database& db, bool immediate = true);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& db_;
    bool done_ = false;
};

}  // namespace kpi::sql
