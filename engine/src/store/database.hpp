// The store seam: the one interface the engine reads and writes the store
// through, whatever holds it — an SQLite file (store/sqlite/) or a PostgreSQL
// server (store/postgres/). docs/design.md#the-store-seam describes it.
//
// SQL text handed to prepare() and exec() is shared by both backends: it uses
// ?N placeholders (the PostgreSQL backend turns them into $N) and only what
// both dialects read alike. What differs — DDL, connection settings, the
// schema's version, a REAL shown as text, the local time, temporary tables —
// is asked of the Database below, never spelt out by the engine.
//
// A Database is one connection, used by one thread at a time; Statement and
// Transaction live no longer than it. Failures throw kpi::Error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

namespace kpi::sql {

enum class Open { ReadOnly, ReadWrite, Create };

// One prepared statement of a backend. Bound values and the current row
// belong to it; text() stays valid until the next step() or reset().
class Cursor {
public:
    virtual ~Cursor() = default;
    // `copy` false: text stays alive until the statement is reset.
    virtual void bindText(int index, std::string_view text, bool copy) = 0;
    virtual void bindInt(int index, std::int64_t value) = 0;
    virtual void bindReal(int index, double value) = 0;
    virtual void bindNull(int index) = 0;
    // Executes on the first call; true while a row is available.
    virtual bool step() = 0;
    // Runs to completion (rows are discarded); the bindings stay.
    virtual void run() = 0;
    // Ready to run again: results dropped, bindings cleared.
    virtual void reset() = 0;
    virtual bool isNull(int column) const = 0;
    virtual std::int64_t int64(int column) const = 0;
    virtual double real(int column) const = 0;
    virtual std::string_view text(int column) const = 0;
    // The SQLite statement behind this cursor, if any: Statement reads its
    // columns directly (a loader reads millions of rows; no virtual call each).
    virtual sqlite3_stmt* sqliteStatement() const { return nullptr; }
};

class Statement {
public:
    explicit Statement(std::unique_ptr<Cursor> cursor) : c_(std::move(cursor)), lite_(c_->sqliteStatement()) {}
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::string_view text) {
        c_->bindText(index, text, true);
        return *this;
    }
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
    // Binds without copying: text must stay alive until the statement is reset.
    Statement& bindStatic(int index, std::string_view text) {
        c_->bindText(index, text, false);
        return *this;
    }
    Statement& bind(int index, std::int64_t value) {
        c_->bindInt(index, value);
        return *this;
    }
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value) {
        c_->bindReal(index, value);
        return *this;
    }
    Statement& bindNull(int index) {
        c_->bindNull(index);
        return *this;
    }
    // Binds the text, or NULL when it is empty ("not given").
    Statement& bindOptional(int index, std::string_view text) {
        return text.empty() ? bindNull(index) : bind(index, text);
    }

    // Steps once; true while a row is available.
    bool step() { return c_->step(); }
    // Steps to completion (for statements without rows).
    void run() { c_->run(); }
    void reset() { c_->reset(); }

    bool isNull(int column) const {
        return lite_ ? sqlite3_column_type(lite_, column) == SQLITE_NULL : c_->isNull(column);
    }
    std::int64_t int64(int column) const { return lite_ ? sqlite3_column_int64(lite_, column) : c_->int64(column); }
    double real(int column) const { return lite_ ? sqlite3_column_double(lite_, column) : c_->real(column); }
    // Valid until the next step.
    std::string_view text(int column) const {
        if (!lite_) return c_->text(column);
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(lite_, column));
        return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(lite_, column))) : std::string_view();
    }

private:
    std::unique_ptr<Cursor> c_;
    sqlite3_stmt* lite_ = nullptr;
};

// Rows of one table written in batches (PostgreSQL: COPY into a temporary
// table, then one upsert per batch, instead of a round trip per row), with
// what each row was before. Keys are unique within a batch.
class BulkUpsert {
public:
    struct Outcome {
        size_t row;         // index in the batch, in the order added
        bool existed;       // the key was stored before
        bool changed;       // inserted, or a value differed
        std::vector<std::string> previous;  // the previous columns' texts when it existed
    };
    virtual ~BulkUpsert() = default;
    // One row's values in column order (nullptr: NULL), as SQL text.
    virtual void add(const std::vector<const std::string*>& values) = 0;
    virtual size_t pending() const = 0;
    // Writes the rows added since the last flush; the outcomes of every row
    // that existed or changed, in the order added.
    virtual std::vector<Outcome> flush() = 0;
};

// Rows appended to one table in order (PostgreSQL: one COPY; row triggers
// still run), instead of a round trip per row.
class BulkInsert {
public:
    virtual ~BulkInsert() = default;
    // One row's values in column order (nullptr: NULL), as SQL text.
    virtual void add(const std::vector<const std::string*>& values) = 0;
    // Writes the rows added.
    virtual void finish() = 0;
};

// A first import into empty tables, written as it is checked (PostgreSQL:
// one COPY straight into each table, while the client goes on checking, with
// the tables' indexes, triggers and forced row-level security set aside and
// put back by finish(), all inside the import's write transaction; see
// docs/postgresql.md, "Import speed"). The tables stay locked against every
// other reader and writer until the transaction ends.
class FirstLoad {
public:
    virtual ~FirstLoad() = default;
    // Starts writing `columns` of `table` (one of the tables firstLoad() was given).
    virtual void startTable(const std::string& table, const std::vector<std::string>& columns) = 0;
    // One row's values in column order (nullptr: NULL), as SQL text.
    virtual void add(const std::vector<const std::string*>& values) = 0;
    // Ends the table started last. Its rows may still be on their way, and
    // its indexes built after them: the connection is the FirstLoad's until
    // wait() returns.
    virtual void endTable() = 0;
    // Returns once every row added is stored and the indexes of the tables
    // ended are built, passing on what is being done (each index built);
    // throws the server's refusal.
    virtual void wait(const std::function<void(const std::string&)>& progress) = 0;
    // Waits, then puts back what is still set aside (indexes of a table
    // never started, triggers, row-level security).
    virtual void finish(const std::function<void(const std::string&)>& progress) = 0;
};

// Which SQL a backend speaks, for the few places that must know (tests, docs).
enum class Backend { Sqlite, Postgres };

// Which rows the store shows a connection (docs/postgresql.md, "Who sees
// what"): all of them, or, for a PostgreSQL manager's login, one team.
struct ReadScope {
    bool everything = true;  // an SQLite file, the schema's owner, a login granted '*'
    std::string login;       // the server's login (session_user); "" for an SQLite file
    // When not everything: the employees at the top of what it sees, by code
    // (one: the employee it was granted; none when it sees no employee).
    std::vector<std::string> teams;
    bool operator==(const ReadScope&) const = default;
};

class Database {
public:
    using Open = sql::Open;
    virtual ~Database() = default;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    virtual Backend backend() const = 0;
    // Runs SQL text without results (may hold several statements).
    virtual void exec(std::string_view sql) = 0;
    Statement prepare(std::string_view sql) { return Statement(cursor(sql)); }
    // Rows the last INSERT, UPDATE or DELETE statement changed.
    virtual std::int64_t changes() const = 0;
    // The store's location as given (a path, or a PostgreSQL conninfo or URI).
    virtual const std::string& location() const = 0;
    std::filesystem::path path() const { return location(); }
    // Another connection to the same store (a reader on another thread).
    virtual std::unique_ptr<Database> reopen(Open mode) const = 0;

    // Transactions (see Transaction). A write transaction (`immediate`) waits
    // for, then keeps out, every other writer of SalesKPI until it ends; a
    // read transaction sees one snapshot of the store.
    virtual void begin(bool immediate) = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;

    // While set, `cancelled` is asked now and then during long statements; a
    // true answer interrupts them (they throw). nullptr: never asked.
    virtual void watchCancel(const std::function<bool()>* cancelled) = 0;

    // `kpi import` writes the change log and audit rows itself and checks
    // every value: on this connection, the triggers and foreign keys that
    // serve other writers are off while `on`.
    virtual void bulkWrite(bool on) = 0;

    // Batched writing of `columns` of `table` (the first `keys` of them the
    // key), reporting `previous` columns of rows that existed; nullptr when
    // the backend writes rows one by one as fast (SQLite).
    virtual std::unique_ptr<BulkUpsert> bulkUpsert(const std::string& table, const std::vector<std::string>& columns,
                                                   size_t keys, const std::vector<std::string>& previous) {
        (void)table, (void)columns, (void)keys, (void)previous;
        return nullptr;
    }

    // Appending rows to `table` in one go; nullptr when the backend writes
    // rows one by one as fast (SQLite).
    virtual std::unique_ptr<BulkInsert> bulkInsert(const std::string& table, const std::vector<std::string>& columns) {
        (void)table, (void)columns;
        return nullptr;
    }

    // Inside a write transaction: when every one of `tables` is empty and
    // this login may set their indexes and triggers aside (it owns them, and
    // no foreign key names them), locks them for the rest of the transaction
    // and returns the FirstLoad writing them; nullptr otherwise (the tables
    // are then as they were, and not locked), and on a backend without one.
    virtual std::unique_ptr<FirstLoad> firstLoad(const std::vector<std::string>& tables) {
        (void)tables;
        return nullptr;
    }

    // ---- the dialect -------------------------------------------------------
    // An SQL expression giving the local time "YYYY-MM-DD HH:MM:SS".
    virtual std::string nowSql() const = 0;
    // An SQL expression showing the REAL `expression` as text the way SQLite
    // does ("200000.0", "0.5"): audit texts read the same in both backends.
    virtual std::string realTextSql(const std::string& expression) const = 0;
    // An SQL expression: 1-based position of `needle` in `haystack`, 0 if absent.
    virtual std::string positionSql(const std::string& haystack, const std::string& needle) const = 0;
    // Creates a temporary table private to this connection (`columns`: the
    // column list with its PRIMARY KEY, as in CREATE TABLE).
    virtual void createTempTable(const std::string& name, const std::string& columns) = 0;

    // ---- the schema --------------------------------------------------------
    // Whether the store holds this table.
    virtual bool hasTable(const std::string& name) = 0;
    // The store's schema version; `empty` when it holds nothing at all.
    // Throws Error Corruption when it is not a SalesKPI store.
    virtual int storedVersion(bool& empty) = 0;
    // Creates the schema or upgrades it in one transaction (schema.hpp).
    virtual void createOrUpgrade() = 0;

    // Which rows this connection is shown (the server's row-level security
    // decides; this only reports it). SQLite: everything.
    virtual ReadScope readScope() { return {}; }

protected:
    Database() = default;
    virtual std::unique_ptr<Cursor> cursor(std::string_view sql) = 0;
};

// "INSERT INTO table(columns) VALUES(?1, …) ON CONFLICT(first `keys` columns)
// DO UPDATE SET … WHERE <a column differs>": an upsert that leaves an
// unchanged row untouched (changes() says 0), in SQL both backends read.
std::string upsertSql(const std::string& table, const std::vector<std::string>& columns, size_t keys);
// Its part from ON CONFLICT on.
std::string upsertConflictSql(const std::string& table, const std::vector<std::string>& columns, size_t keys);

// Opens the store at `location` (kpi/store_location.hpp says which backend).
std::unique_ptr<Database> open(const std::string& location, Open mode);

// A write transaction (the default) or a read transaction; rolls back in its
// destructor unless committed.
class Transaction {
public:
    explicit Transaction(Database& db, bool immediate = true) : db_(db) { db_.begin(immediate); }
    ~Transaction() {
        if (!done_) db_.rollback();
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
        db_.commit();
        done_ = true;
    }

private:
    Database& db_;
    bool done_ = false;
};

}  // namespace kpi::sql
