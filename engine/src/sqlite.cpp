#include "sqlite.hpp"

#include <sqlite3.h>

#include <mutex>

#include "kpi/error.hpp"

namespace kpi::sql {
namespace {

// Long enough for any import another process may be committing; readers in WAL
// mode never wait for writers at all.
constexpr int kBusyTimeoutMs = 60'000;
constexpr int kReaderBusyTimeoutMs = 5'000;

}  // namespace

Database::Database(const std::filesystem::path& path, Open mode) : path_(path) {
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

void Database::configure(Open mode) {
    exec("PRAGMA foreign_keys=ON");
    // Larger pages: fewer page splits and allocations per imported row. Only
    // takes effect on a new, empty file, before its journal mode is chosen.
    if (mode == Open::Create) exec("PRAGMA page_size=8192");
    if (mode == Open::ReadOnly) return;
    // The journal mode is the file's (docs/store.md): WAL on a local disk, a
    // rollback journal where WAL cannot work. A rollback journal needs FULL
    // to survive a power cut; WAL is safe with NORMAL.
    exec(journal() == storefile::Journal::Wal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL");
    // A large import's dirty pages stay in memory until COMMIT instead of
    // spilling to the journal page by page.
    exec("PRAGMA cache_size=-2097152");  // 2 GiB at most, taken only as needed
    exec("PRAGMA temp_store=MEMORY");
}

storefile::Journal Database::journal() {
    auto st = prepare("PRAGMA journal_mode");
    st.step();
    return st.text(0) == "wal" ? storefile::Journal::Wal : storefile::Journal::Rollback;
}

void Database::setJournal(storefile::Journal wanted) {
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
        throw Error(Error::Kind::Busy, "cannot switch store " + path_.string() + " to a " +
                                           storefile::journalName(wanted) +
                                           " journal while other programs have it open: close every Calc using it "
                                           "and stop the writers (the DMS feed), then run kpi init again");
    exec(wanted == storefile::Journal::Wal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL");
}

Database::~Database() {
    markUse();
    sqlite3_close_v2(db_);
}

void Database::fail(int code, std::string_view context) const {
    std::string message = std::string(context) + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code));
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        throw Error(Error::Kind::Busy, "store is busy (locked by another process): " + path_.string());
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        throw Error(Error::Kind::Corruption, "store is damaged or not a SalesKPI store: " + path_.string() + ": " + message);
    case SQLITE_CANTOPEN:
        throw Error(Error::Kind::NotFound, "store cannot be opened: " + path_.string() + ": " + message);
    case SQLITE_READONLY:
        throw Error(Error::Kind::Io, "store " + path_.string() + " cannot be used by this user: " + message +
                                         " (a WAL store needs write access to its folder; docs/store.md)");
    default:
        throw Error(Error::Kind::Io, "store " + path_.string() + ": " + message);
    }
}

void Database::exec(std::string_view sqlText) {
    markUse();
    std::string text(sqlText);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        sqlite3_free(err);
        fail(rc, "executing SQL");
    }
}

Statement Database::prepare(std::string_view sqlText) { return Statement(*this, sqlText); }

std::int64_t Database::changes() const { return sqlite3_changes64(db_); }

std::int64_t Database::lastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

void Database::setTriggersEnabled(bool enabled) {
    int rc = sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_TRIGGER, enabled ? 1 : 0, nullptr);
    if (rc != SQLITE_OK) fail(rc, "configuring triggers");
}

Statement::Statement(Database& db, std::string_view sqlText) : db_(&db) {
    db.markUse();
    int rc = sqlite3_prepare_v2(db.handle(), sqlText.data(), static_cast<int>(sqlText.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) db.fail(rc, "preparing SQL");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }

Statement& Statement::bind(int index, std::string_view text) {
    int rc = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) db_->fail(rc, "binding a value");
    return *this;
}

Statement& Statement::bindStatic(int index, std::string_view text) {
    int rc = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    if (rc != SQLITE_OK) db_->fail(rc, "binding a value");
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    int rc = sqlite3_bind_int64(stmt_, index, value);
    if (rc != SQLITE_OK) db_->fail(rc, "binding a value");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    int rc = sqlite3_bind_double(stmt_, index, value);
    if (rc != SQLITE_OK) db_->fail(rc, "binding a value");
    return *this;
}

Statement& Statement::bindNull(int index) {
    int rc = sqlite3_bind_null(stmt_, index);
    if (rc != SQLITE_OK) db_->fail(rc, "binding a value");
    return *this;
}

Statement& Statement::bindOptional(int index, std::string_view text) {
    return text.empty() ? bindNull(index) : bind(index, text);
}

bool Statement::step() {
    db_->markUse();
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3_reset(stmt_);
    db_->fail(rc, "running SQL");
}

void Statement::run() {
    while (step()) {
    }
    sqlite3_reset(stmt_);
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Statement::isNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }
std::string_view Statement::text(int column) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : std::string_view();
}

Transaction::Transaction(Database& db, bool immediate) : db_(db) { db_.exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"); }

Transaction::~Transaction() {
    if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace kpi::sql
