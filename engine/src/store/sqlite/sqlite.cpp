#include "store/sqlite/sqlite.hpp"

#include <sqlite3.h>

#include <ctime>
#include <mutex>

#include "kpi/error.hpp"
#include "store/sqlite/sqlite_schema.hpp"

namespace kpi::sql {
namespace {

// Long enough for any import another process may be committing; readers in WAL
// mode never wait for writers at all.
constexpr int kBusyTimeoutMs = 60'000;
constexpr int kReaderBusyTimeoutMs = 5'000;

// FULL in either journal mode. With WAL's usual NORMAL a commit is safe from
// corruption but reaches the disk only at the next checkpoint, so a power cut
// can take back an import `kpi` already reported as done; FULL syncs the WAL at
// each COMMIT, one fsync per transaction (docs/reliability.md has its cost). A
// rollback journal needs FULL anyway.
constexpr const char* kSynchronous = "PRAGMA synchronous=FULL";

}  // namespace

SqliteDatabase::SqliteDatabase(const std::filesystem::path& path, Open mode) : location_(path.string()) {
    // Memory statistics cost a global mutex per allocation; nothing here reads them.
    // (Only possible before SQLite initialises; harmless when too late.)
    static std::once_flag configured;
    std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    storefile::checkOpenable(storefile::inspect(path), path,
                             mode == Open::ReadOnly    ? storefile::Access::Read
                             : mode == Open::ReadWrite ? storefile::Access::Write
                                                       : storefile::Access::Create);
    int flags = SQLITE_OPEN_NOMUTEX;
    flags |= mode == Open::ReadOnly ? SQLITE_OPEN_READONLY
                                    : (SQLITE_OPEN_READWRITE | (mode == Open::Create ? SQLITE_OPEN_CREATE : 0));
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw Error(rc == SQLITE_CANTOPEN ? Error::Kind::NotFound : Error::Kind::Io,
                    "cannot open store " + path.string() + ": " + message);
    }
    // A reader (the office's worker) gives up sooner and retries on its next
    // check; it must be able to say "busy" while the office stays responsive.
    sqlite3_busy_timeout(db_, mode == Open::ReadOnly ? kReaderBusyTimeoutMs : kBusyTimeoutMs);
    sqlite3_extended_result_codes(db_, 1);
    try {
        configure(mode);
    } catch (...) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw;
    }
}

void SqliteDatabase::configure(Open mode) {
    exec("PRAGMA foreign_keys=ON");
    // Larger pages: fewer page splits and allocations per imported row. Only
    // takes effect on a new, empty file, before its journal mode is chosen.
    if (mode == Open::Create) exec("PRAGMA page_size=8192");
    if (mode == Open::ReadOnly) return;
    // The journal mode is the file's (docs/store.md): WAL on a local disk, a
    // rollback journal where WAL cannot work.
    exec(kSynchronous);
    // A large import's dirty pages stay in memory until COMMIT instead of
    // spilling to the journal page by page.
    exec("PRAGMA cache_size=-2097152");  // 2 GiB at most, taken only as needed
    exec("PRAGMA temp_store=MEMORY");
}

storefile::Journal SqliteDatabase::journal() {
    auto st = prepare("PRAGMA journal_mode");
    st.step();
    return st.text(0) == "wal" ? storefile::Journal::Wal : storefile::Journal::Rollback;
}

void SqliteDatabase::setJournal(storefile::Journal wanted) {
    if (journal() == wanted) return;
    auto st = prepare(wanted == storefile::Journal::Wal ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode=DELETE");
    bool switched = false;
    try {
        st.step();
        switched = (st.text(0) == "wal") == (wanted == storefile::Journal::Wal);
        st.reset();
    } catch (const Error& error) {
        if (error.kind() != Error::Kind::Busy) throw;
    }
    if (!switched)
        throw Error(Error::Kind::Busy, "cannot switch store " + location_ + " to a " +
                                           storefile::journalName(wanted) +
                                           " journal while other programs have it open: close every Calc using it "
                                           "and stop the writers (the DMS feed), then run kpi init again");
    exec(kSynchronous);
}

SqliteDatabase::~SqliteDatabase() {
    markUse();
    sqlite3_close_v2(db_);
}

void SqliteDatabase::fail(int code, std::string_view context) const {
    std::string message = std::string(context) + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code));
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        throw Error(Error::Kind::Busy, "store is busy (locked by another process): " + location_);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        throw Error(Error::Kind::Corruption, "store is damaged or not a SalesKPI store: " + location_ + ": " + message);
    case SQLITE_CANTOPEN:
        throw Error(Error::Kind::NotFound, "store cannot be opened: " + location_ + ": " + message);
    case SQLITE_READONLY:
        throw Error(Error::Kind::Io, "store " + location_ + " cannot be used by this user: " + message +
                                         " (a WAL store needs write access to its folder; docs/store.md)");
    default:
        throw Error(Error::Kind::Io, "store " + location_ + ": " + message);
    }
}

void SqliteDatabase::exec(std::string_view sqlText) {
    markUse();
    std::string text(sqlText);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        sqlite3_free(err);
        fail(rc, "executing SQL");
    }
}


std::int64_t SqliteDatabase::changes() const { return sqlite3_changes64(db_); }

std::int64_t SqliteDatabase::lastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

void SqliteDatabase::setTriggersEnabled(bool enabled) {
    int rc = sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_TRIGGER, enabled ? 1 : 0, nullptr);
    if (rc != SQLITE_OK) fail(rc, "configuring triggers");
}

namespace {

class SqliteCursor final : public Cursor {
public:
    SqliteCursor(SqliteDatabase& db, std::string_view sqlText) : db_(&db) {
        db.markUse();
        int rc = sqlite3_prepare_v2(db.handle(), sqlText.data(), static_cast<int>(sqlText.size()), &stmt_, nullptr);
        if (rc != SQLITE_OK) db.fail(rc, "preparing SQL");
    }
    ~SqliteCursor() override { sqlite3_finalize(stmt_); }

    void bindText(int index, std::string_view text, bool copy) override {
        int rc = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                                   copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
        if (rc != SQLITE_OK) db_->fail(rc, "binding a value");
    }
    void bindInt(int index, std::int64_t value) override {
        int rc = sqlite3_bind_int64(stmt_, index, value);
        if (rc != SQLITE_OK) db_->fail(rc, "binding a value");
    }
    void bindReal(int index, double value) override {
        int rc = sqlite3_bind_double(stmt_, index, value);
        if (rc != SQLITE_OK) db_->fail(rc, "binding a value");
    }
    void bindNull(int index) override {
        int rc = sqlite3_bind_null(stmt_, index);
        if (rc != SQLITE_OK) db_->fail(rc, "binding a value");
    }
    bool step() override {
        db_->markUse();
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        sqlite3_reset(stmt_);
        db_->fail(rc, "running SQL");
    }
    void run() override {
        while (step()) {
        }
        sqlite3_reset(stmt_);
    }
    void reset() override {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    bool isNull(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
    std::int64_t int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
    double real(int column) const override { return sqlite3_column_double(stmt_, column); }
    std::string_view text(int column) const override {
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
        return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : std::string_view();
    }
    sqlite3_stmt* sqliteStatement() const override { return stmt_; }

private:
    SqliteDatabase* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// Asks the function every hundred virtual-machine steps; true interrupts
// the statement (SQLITE_INTERRUPT).
int askCancelled(void* cancelled) {
    try {
        return (*static_cast<const std::function<bool()>*>(cancelled))() ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

}  // namespace

std::unique_ptr<Cursor> SqliteDatabase::cursor(std::string_view sqlText) {
    return std::make_unique<SqliteCursor>(*this, sqlText);
}

std::unique_ptr<Database> SqliteDatabase::reopen(Open mode) const {
    return std::make_unique<SqliteDatabase>(location_, mode);
}

void SqliteDatabase::begin(bool immediate) { exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"); }

void SqliteDatabase::commit() { exec("COMMIT"); }

void SqliteDatabase::rollback() noexcept { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

void SqliteDatabase::watchCancel(const std::function<bool()>* cancelled) {
    if (cancelled && *cancelled)
        sqlite3_progress_handler(db_, 100, &askCancelled, const_cast<std::function<bool()>*>(cancelled));
    else
        sqlite3_progress_handler(db_, 0, nullptr, nullptr);
}

// A modest page cache: rows come mostly in key order, so a full page is
// rarely touched again and spilling it to the WAL before COMMIT costs one
// write either way; keeping every dirty page of a large import in memory
// instead costs a page fault per page (measured on L: 2–3 s more system time,
// 1.1 GB instead of 0.6 GB).
void SqliteDatabase::bulkWrite(bool on) {
    if (on) {
        auto st = prepare("PRAGMA cache_size");
        if (st.step()) cacheSize_ = st.int64(0);
        exec("PRAGMA cache_size=-65536");  // 64 MiB
        exec("PRAGMA foreign_keys=OFF");
        setTriggersEnabled(false);
    } else {
        setTriggersEnabled(true);
        exec("PRAGMA foreign_keys=ON");
        exec("PRAGMA cache_size=" + std::to_string(cacheSize_));
    }
}

std::string SqliteDatabase::nowSql() const { return "strftime('%Y-%m-%d %H:%M:%S', 'now', 'localtime')"; }

void SqliteDatabase::createTempTable(const std::string& name, const std::string& columns) {
    exec("CREATE TEMP TABLE " + name + "(" + columns + ") WITHOUT ROWID");
}

bool SqliteDatabase::hasTable(const std::string& name) {
    auto st = prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
    st.bind(1, name);
    return st.step();
}

int SqliteDatabase::storedVersion(bool& empty) { return schema::sqlite::storedVersion(*this, empty); }

void SqliteDatabase::createOrUpgrade() { schema::sqlite::createOrUpgrade(*this); }

}  // namespace kpi::sql
