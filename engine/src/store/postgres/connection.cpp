#include "store/postgres/connection.hpp"
#include "store/postgres/first_load.hpp"

#include <dlfcn.h>
#include <libpq-fe.h>
#include <poll.h>

#include <type_traits>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <algorithm>
#include <deque>
#include <unordered_map>
#include <vector>

#include "kpi/engine.hpp"
#include "kpi/error.hpp"
#include "kpi/store.hpp"
#include "store/postgres/schema.hpp"

namespace kpi::sql {

namespace pg {
namespace {

// libpq, loaded when a PostgreSQL store is first opened: a program that only
// ever opens SQLite files does not load it and its dependencies (TLS,
// Kerberos, LDAP: 4 ms more at every start of `kpi`, measured), and runs
// where libpq is not installed.
struct Api {
    decltype(&::PQcancel) PQcancel;
    decltype(&::PQclear) PQclear;
    decltype(&::PQcmdTuples) PQcmdTuples;
    decltype(&::PQconsumeInput) PQconsumeInput;
    decltype(&::PQconnectdbParams) PQconnectdbParams;
    decltype(&::PQerrorMessage) PQerrorMessage;
    decltype(&::PQexec) PQexec;
    decltype(&::PQfinish) PQfinish;
    decltype(&::PQfreeCancel) PQfreeCancel;
    decltype(&::PQgetCancel) PQgetCancel;
    decltype(&::PQgetResult) PQgetResult;
    decltype(&::PQgetisnull) PQgetisnull;
    decltype(&::PQgetlength) PQgetlength;
    decltype(&::PQgetvalue) PQgetvalue;
    decltype(&::PQhost) PQhost;
    decltype(&::PQisBusy) PQisBusy;
    decltype(&::PQputCopyData) PQputCopyData;
    decltype(&::PQputCopyEnd) PQputCopyEnd;
    decltype(&::PQresultErrorField) PQresultErrorField;
    decltype(&::PQresultErrorMessage) PQresultErrorMessage;
    decltype(&::PQresultStatus) PQresultStatus;
    decltype(&::PQsendPrepare) PQsendPrepare;
    decltype(&::PQsendQuery) PQsendQuery;
    decltype(&::PQsendQueryPrepared) PQsendQueryPrepared;
    decltype(&::PQsetSingleRowMode) PQsetSingleRowMode;
    decltype(&::PQsocket) PQsocket;
    decltype(&::PQstatus) PQstatus;
    decltype(&::PQtransactionStatus) PQtransactionStatus;
};

const Api& lib() {
    static const Api api = [] {
        Api api{};
        void* handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
        if (!handle)
            throw Error(Error::Kind::Io, std::string("PostgreSQL's client library libpq.so.5 cannot be loaded (install "
                                                     "the Debian package libpq5): ") + dlerror());
        const auto load = [&](auto& slot, const char* name) {
            slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(handle, name));
            if (!slot)
                throw Error(Error::Kind::Io, std::string("PostgreSQL's client library libpq.so.5 lacks ") + name);
        };
        load(api.PQcancel, "PQcancel");
        load(api.PQclear, "PQclear");
        load(api.PQcmdTuples, "PQcmdTuples");
        load(api.PQconsumeInput, "PQconsumeInput");
        load(api.PQconnectdbParams, "PQconnectdbParams");
        load(api.PQerrorMessage, "PQerrorMessage");
        load(api.PQexec, "PQexec");
        load(api.PQfinish, "PQfinish");
        load(api.PQfreeCancel, "PQfreeCancel");
        load(api.PQgetCancel, "PQgetCancel");
        load(api.PQgetResult, "PQgetResult");
        load(api.PQgetisnull, "PQgetisnull");
        load(api.PQgetlength, "PQgetlength");
        load(api.PQgetvalue, "PQgetvalue");
        load(api.PQhost, "PQhost");
        load(api.PQisBusy, "PQisBusy");
        load(api.PQputCopyData, "PQputCopyData");
        load(api.PQputCopyEnd, "PQputCopyEnd");
        load(api.PQresultErrorField, "PQresultErrorField");
        load(api.PQresultErrorMessage, "PQresultErrorMessage");
        load(api.PQresultStatus, "PQresultStatus");
        load(api.PQsendPrepare, "PQsendPrepare");
        load(api.PQsendQuery, "PQsendQuery");
        load(api.PQsendQueryPrepared, "PQsendQueryPrepared");
        load(api.PQsetSingleRowMode, "PQsetSingleRowMode");
        load(api.PQsocket, "PQsocket");
        load(api.PQstatus, "PQstatus");
        load(api.PQtransactionStatus, "PQtransactionStatus");
        return api;
    }();
    return api;
}

}  // namespace

void ConnDeleter::operator()(pg_conn* conn) const noexcept { lib().PQfinish(conn); }
void ResultDeleter::operator()(pg_result* result) const noexcept { lib().PQclear(result); }

std::string translatePlaceholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 8);
    const size_t n = sql.size();
    for (size_t i = 0; i < n; ++i) {
        const char c = sql[i];
        if (c == '\'' || c == '"') {  // a quoted text or name, '' and "" inside
            size_t j = i + 1;
            while (j < n && sql[j] != c) ++j;
            out.append(sql.substr(i, j + 1 - i));
            i = j;
        } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
            size_t j = sql.find('\n', i);
            if (j == std::string_view::npos) j = n;
            out.append(sql.substr(i, j - i));
            i = j - 1;
        } else if (c == '?' && i + 1 < n && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            out += '$';
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace pg

using pg::lib;

namespace {

constexpr Oid kText = 25, kInt8 = 20, kFloat8 = 701;

// The advisory lock every SalesKPI write transaction takes: writers of one
// store (schema) follow each other, as BEGIN IMMEDIATE makes them in SQLite.
constexpr const char* kWriterLock = "SELECT pg_advisory_xact_lock(hashtext('saleskpi:' || current_schema()))";

std::int64_t parseInt(const char* p, int length) {
    if (length == 1 && (*p == 't' || *p == 'f')) return *p == 't' ? 1 : 0;  // a boolean
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(p, p + length, value);
    if (ec == std::errc() && end == p + length) return value;
    double d = 0;
    auto r = std::from_chars(p, p + length, d);
    if (r.ec == std::errc()) return static_cast<std::int64_t>(d);
    return value;
}

double parseReal(const char* p, int length) {
    if (length == 1 && (*p == 't' || *p == 'f')) return *p == 't' ? 1 : 0;
    double value = 0;
    auto [end, ec] = std::from_chars(p, p + length, value);
    if (ec == std::errc()) return value;
    return std::strtod(p, nullptr);  // Infinity, NaN
}

}  // namespace

class PgCursor final : public Cursor {
public:
    PgCursor(PgDatabase& db, std::string_view sql) : db_(db), sql_(pg::translatePlaceholders(sql)) {}
    ~PgCursor() override {
        try {
            finish(false);
        } catch (...) {
        }
        db_.forget(this);
    }

    void bindText(int index, std::string_view text, bool) override {
        Param& p = param(index);
        p.value.assign(text);
        p.null = false;
        p.type = kText;
    }
    void bindInt(int index, std::int64_t value) override {
        Param& p = param(index);
        p.value = std::to_string(value);
        p.null = false;
        p.type = kInt8;
    }
    void bindReal(int index, double value) override {
        Param& p = param(index);
        char buf[32];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
        p.value.assign(buf, ec == std::errc() ? static_cast<size_t>(end - buf) : 0);
        p.null = false;
        p.type = kFloat8;
    }
    void bindNull(int index) override {
        Param& p = param(index);
        p.value.clear();
        p.null = true;
        p.type = 0;
    }

    bool step() override {
        if (state_ == State::Idle) start();
        row_.reset();
        if (state_ == State::Streaming) return next();
        if (state_ == State::Buffered) {
            if (buffered_.empty()) {
                state_ = State::Done;
                return false;
            }
            row_ = std::move(buffered_.front());
            buffered_.pop_front();
            return true;
        }
        return false;
    }

    void run() override {
        while (step()) {
        }
        finish(false);
    }

    void reset() override {
        finish(false);
        params_.clear();
    }

    bool isNull(int column) const override { return !row_ || lib().PQgetisnull(row_.get(), 0, column); }
    std::int64_t int64(int column) const override {
        if (isNull(column)) return 0;
        return parseInt(lib().PQgetvalue(row_.get(), 0, column), lib().PQgetlength(row_.get(), 0, column));
    }
    double real(int column) const override {
        if (isNull(column)) return 0;
        return parseReal(lib().PQgetvalue(row_.get(), 0, column), lib().PQgetlength(row_.get(), 0, column));
    }
    std::string_view text(int column) const override {
        if (isNull(column)) return {};
        return {lib().PQgetvalue(row_.get(), 0, column), static_cast<size_t>(lib().PQgetlength(row_.get(), 0, column))};
    }

    // Reads what the server still sends for this statement into memory.
    void buffer() {
        if (state_ != State::Streaming) return;
        std::deque<pg::Result> rows;
        if (row_) {
            // The current row stays readable; later ones queue behind it.
        }
        for (;;) {
            db_.awaitResult();
            pg::Result r(lib().PQgetResult(db_.handle()));
            if (!r) break;
            const auto status = lib().PQresultStatus(r.get());
            if (status == PGRES_SINGLE_TUPLE) {
                rows.push_back(std::move(r));
            } else if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
                db_.setChanges(std::atoll(lib().PQcmdTuples(r.get())));
            } else {
                drainQuietly();
                db_.setActive(nullptr);
                state_ = State::Done;
                db_.fail(r.get(), "running SQL");
            }
        }
        db_.setActive(nullptr);
        buffered_ = std::move(rows);
        state_ = State::Buffered;
    }

private:
    enum class State { Idle, Streaming, Buffered, Done };
    struct Param {
        std::string value;
        bool null = true;
        // A parameter never bound is text: PostgreSQL asks a type of each $N
        // up to the highest, also of those the SQL does not use.
        Oid type = kText;
    };

    Param& param(int index) {
        if (index < 1) throw Error(Error::Kind::InvalidArgument, "parameter index out of range");
        if (params_.size() < static_cast<size_t>(index)) params_.resize(static_cast<size_t>(index));
        return params_[static_cast<size_t>(index) - 1];
    }

    void start() {
        db_.settle();
        std::string signature;
        for (const Param& p : params_) signature += std::to_string(p.type) + ",";
        if (name_.empty() || signature != signature_) {
            std::vector<Oid> types;
            for (const Param& p : params_) types.push_back(p.type);
            std::string name = db_.nextStatementName();
            if (!lib().PQsendPrepare(db_.handle(), name.c_str(), sql_.c_str(), static_cast<int>(types.size()),
                                     types.empty() ? nullptr : types.data()))
                db_.fail(nullptr, "preparing SQL");
            pg::Result prepared = db_.lastResult();
            if (!prepared || lib().PQresultStatus(prepared.get()) != PGRES_COMMAND_OK)
                db_.fail(prepared.get(), "preparing SQL (" + sql_.substr(0, 160) + (sql_.size() > 160 ? "…" : "") + ")");
            if (!name_.empty()) deallocate();
            name_ = std::move(name);
            signature_ = std::move(signature);
        }
        std::vector<const char*> values;
        for (const Param& p : params_) values.push_back(p.null ? nullptr : p.value.c_str());
        if (!lib().PQsendQueryPrepared(db_.handle(), name_.c_str(), static_cast<int>(values.size()),
                                 values.empty() ? nullptr : values.data(), nullptr, nullptr, 0))
            db_.fail(nullptr, "running SQL");
        lib().PQsetSingleRowMode(db_.handle());
        state_ = State::Streaming;
        rowsRead_ = 0;
        db_.setActive(this);
    }

    bool next() {
        if (const auto* cancelled = db_.cancelled(); cancelled && (++rowsRead_ & 1023) == 0 && (*cancelled)()) {
            db_.cancelRunning();
            drainQuietly();
            db_.setActive(nullptr);
            state_ = State::Done;
            throw Error(Error::Kind::Io, "reading the store was cancelled: " + db_.location());
        }
        db_.awaitResult();
        pg::Result r(lib().PQgetResult(db_.handle()));
        if (!r) {
            db_.setActive(nullptr);
            state_ = State::Done;
            return false;
        }
        const auto status = lib().PQresultStatus(r.get());
        if (status == PGRES_SINGLE_TUPLE) {
            row_ = std::move(r);
            return true;
        }
        if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
            db_.setChanges(std::atoll(lib().PQcmdTuples(r.get())));
            drainQuietly();
            db_.setActive(nullptr);
            state_ = State::Done;
            return false;
        }
        drainQuietly();
        db_.setActive(nullptr);
        state_ = State::Done;
        db_.fail(r.get(), "running SQL");
    }

    // Reads and drops what is left of this statement's results.
    void drainQuietly() noexcept { db_.drain(); }

    // Back to Idle: a statement still streaming is read to its end.
    void finish(bool) {
        if (state_ == State::Streaming) {
            drainQuietly();
            db_.setActive(nullptr);
        }
        buffered_.clear();
        row_.reset();
        state_ = State::Idle;
    }

    void deallocate() {
        // Prepared statements live as long as the connection; a re-prepared
        // one (other parameter types) lets the old go.
        if (db_.abandoned()) return;
        std::string sql = "DEALLOCATE " + name_;
        pg::Result r(lib().PQexec(db_.handle(), sql.c_str()));
    }

    PgDatabase& db_;
    std::string sql_;
    std::string name_, signature_;
    std::vector<Param> params_;
    State state_ = State::Idle;
    pg::Result row_;
    std::deque<pg::Result> buffered_;
    std::uint64_t rowsRead_ = 0;
};

PgDatabase::PgDatabase(const std::string& location, Open mode) : location_(location), mode_(mode) {
    const char* keys[] = {"dbname", "client_encoding", "application_name", "connect_timeout", nullptr};
    const char* values[] = {location.c_str(), "UTF8", "kpi", "10", nullptr};
    conn_.reset(lib().PQconnectdbParams(keys, values, 1));
    if (!conn_) throw Error(Error::Kind::Io, "cannot connect to the PostgreSQL store " + location + ": out of memory");
    if (lib().PQstatus(conn_.get()) != CONNECTION_OK) {
        std::string message = lib().PQerrorMessage(conn_.get());
        while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
        throw Error(Error::Kind::Io, "cannot connect to the PostgreSQL store " + location + ": " + message);
    }
    // Doubles as the shortest text that reads back the same; quiet notices.
    exec("SET extra_float_digits = 3; SET client_min_messages = warning");
    if (mode == Open::ReadOnly) exec("SET default_transaction_read_only = on");
}

PgDatabase::~PgDatabase() = default;

std::unique_ptr<Cursor> PgDatabase::cursor(std::string_view sql) { return std::make_unique<PgCursor>(*this, sql); }

void PgDatabase::settle() {
    if (active_) active_->buffer();
}

void PgDatabase::cancelRunning() noexcept {
    if (PGcancel* cancel = lib().PQgetCancel(conn_.get())) {
        char error[256];
        lib().PQcancel(cancel, error, sizeof error);
        lib().PQfreeCancel(cancel);
    }
}

namespace {
thread_local bool tAskedWhileWaiting = false;

bool askWhileWaiting(const std::function<bool()>& cancelled) {
    tAskedWhileWaiting = true;
    const bool stop = cancelled();
    tAskedWhileWaiting = false;
    return stop;
}
}  // namespace

void PgDatabase::awaitResult() {
    if (abandoned_) throw Error(Error::Kind::Io, "the connection to the PostgreSQL store " + location_ +
                                                     " was given up (a statement did not answer when cancelled)");
    if (!cancelled_) return;  // PQgetResult waits as long as it takes
    pg_conn* conn = conn_.get();
    bool stopping = false;
    Clock::time_point giveUp{};
    while (lib().PQisBusy(conn)) {
        pollfd socket{lib().PQsocket(conn), POLLIN, 0};
        if (socket.fd < 0) return;  // no connection: PQgetResult says so
        const int ready = ::poll(&socket, 1, 100);
        if (ready > 0 && !lib().PQconsumeInput(conn)) return;  // lost: PQgetResult says so
        if (!stopping && askWhileWaiting(*cancelled_)) {
            // Asked to stop while the server has not answered (a lock, a
            // network that is down). Over a Unix socket the cancel request
            // cannot hang, and the server answers it at once; over TCP it
            // could wait on the same dead network, so it is not sent. Either
            // way the answer is awaited a second at most, then the connection
            // is given up: the statement's thread never waits on the server
            // once stopped (docs/postgresql.md, "When the server is away").
            stopping = true;
            const char* host = lib().PQhost(conn);
            if (host && host[0] == '/') cancelRunning();
            giveUp = Clock::now() + std::chrono::seconds(1);
        }
        if (stopping && Clock::now() >= giveUp) {
            abandoned_ = true;
            active_ = nullptr;
            throw Error(Error::Kind::Io, "reading the store was cancelled: " + location_ +
                                             " (the server did not answer; the connection was given up)");
        }
    }
}

pg::Result PgDatabase::lastResult() {
    pg::Result last;
    for (;;) {
        awaitResult();
        pg::Result r(lib().PQgetResult(conn_.get()));
        if (!r) break;
        const auto status = lib().PQresultStatus(r.get());
        last = std::move(r);
        if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) break;
    }
    return last;
}

void PgDatabase::drain() noexcept {
    if (abandoned_) return;
    try {
        for (;;) {
            awaitResult();
            PGresult* r = lib().PQgetResult(conn_.get());
            if (!r) return;
            lib().PQclear(r);
        }
    } catch (...) {  // given up: nothing more is read from it
    }
}

void PgDatabase::fail(const pg_result* result, std::string_view context) const {
    std::string message = result ? lib().PQresultErrorMessage(result) : lib().PQerrorMessage(conn_.get());
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    if (message.rfind("ERROR:  ", 0) == 0) message.erase(0, 8);
    const char* state = result ? lib().PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const std::string code = state ? state : "";
    if (code == "40001" || code == "40P01" || code == "55P03")
        throw Error(Error::Kind::Busy, "store is busy (locked by another writer): " + location_ + ": " + message);
    if (code == "42P01" || code == "42703")
        throw Error(Error::Kind::Corruption, "store " + location_ + " is not a SalesKPI store of this version (" +
                                                 message + "); run `kpi init`");
    if (code.rfind("08", 0) == 0 || lib().PQstatus(conn_.get()) != CONNECTION_OK)
        throw Error(Error::Kind::Io, "lost the connection to the PostgreSQL store " + location_ + ": " + message);
    throw Error(Error::Kind::Io, "store " + location_ + ": " + std::string(context) + ": " + message);
}

pg::Result PgDatabase::execute(std::string_view sql) {
    settle();
    std::string text(sql);
    if (!lib().PQsendQuery(conn_.get(), text.c_str())) fail(nullptr, "executing SQL");
    pg::Result r = lastResult();
    const auto status = r ? lib().PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r.get(), "executing SQL");
    return r;
}

void PgDatabase::exec(std::string_view sql) {
    auto r = execute(sql);
    changes_ = std::atoll(lib().PQcmdTuples(r.get()));
}

std::unique_ptr<Database> PgDatabase::reopen(Open mode) const { return std::make_unique<PgDatabase>(location_, mode); }

void PgDatabase::begin(bool immediate) {
    if (immediate) {
        exec("BEGIN ISOLATION LEVEL READ COMMITTED");
        try {
            exec(kWriterLock);
        } catch (...) {
            rollback();
            throw;
        }
    } else {
        exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
    }
}

void PgDatabase::commit() { exec("COMMIT"); }

void PgDatabase::rollback() noexcept {
    try {
        settle();
    } catch (...) {
    }
    if (abandoned_ || lib().PQtransactionStatus(conn_.get()) == PQTRANS_IDLE) return;
    lib().PQclear(lib().PQexec(conn_.get(), "ROLLBACK"));
}

void PgDatabase::bulkWrite(bool on) {
    // `kpi import` writes the change log and audit itself: the store's
    // triggers for other writers skip rows while the transaction says so
    // (store/postgres/schema.hpp). The setting ends with the transaction.
    if (on) exec("SELECT set_config('kpi.import', 'on', false)");
    else exec("SELECT set_config('kpi.import', '', false)");
}

std::string PgDatabase::nowSql() const {
    // The client's local time, as SQLite's 'localtime' gives it: the server's
    // time zone may be another.
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char buf[32];
    std::strftime(buf, sizeof buf, "'%Y-%m-%d %H:%M:%S'", &local);
    return buf;
}

std::string PgDatabase::realTextSql(const std::string& x) const {
    // SQLite shows a whole REAL below 1e15 with ".0", others with up to 15
    // significant digits; PostgreSQL shows the shortest exact text. They agree
    // on every other value an import can store (at most 4 decimals).
    return "(CASE WHEN (" + x + ") = trunc(" + x + ") AND abs(" + x + ") < 1e15 THEN trunc(" + x +
           ")::numeric::text || '.0' ELSE (" + x + ")::text END)";
}

void PgDatabase::createTempTable(const std::string& name, const std::string& columns) {
    exec("CREATE TEMP TABLE " + name + "(" + columns + ")");
}

void PgDatabase::copyIn(const std::string& table, const std::string& columns, const std::string& data) {
    copyStart(table, columns);
    copyPut(data);
    copyEnd();
}

void PgDatabase::copyStart(const std::string& table, const std::string& columns) {
    settle();
    copyFailed_ = false;
    const std::string sql = "COPY " + table + "(" + columns + ") FROM STDIN";
    pg::Result start(lib().PQexec(conn_.get(), sql.c_str()));
    if (!start || lib().PQresultStatus(start.get()) != PGRES_COPY_IN) fail(start.get(), "starting COPY");
}

void PgDatabase::copyPut(std::string_view data) {
    constexpr size_t kChunk = 1 << 20;
    for (size_t at = 0; !copyFailed_ && at < data.size(); at += kChunk)
        copyFailed_ = lib().PQputCopyData(conn_.get(), data.data() + at,
                                          static_cast<int>(std::min(kChunk, data.size() - at))) != 1;
}

void PgDatabase::copyEnd() {
    if (lib().PQputCopyEnd(conn_.get(), copyFailed_ ? "kpi: sending rows failed" : nullptr) != 1)
        fail(nullptr, "ending COPY");
    pg::Result done(lib().PQgetResult(conn_.get()));
    const bool ok = done && lib().PQresultStatus(done.get()) == PGRES_COMMAND_OK;
    while (PGresult* r = lib().PQgetResult(conn_.get())) lib().PQclear(r);
    if (!ok) fail(done.get(), "copying rows");
}

void PgDatabase::copyAbort() noexcept {
    if (lib().PQputCopyEnd(conn_.get(), "kpi: the import stopped") == 1)
        while (PGresult* r = lib().PQgetResult(conn_.get())) lib().PQclear(r);
}

std::unique_ptr<FirstLoad> PgDatabase::firstLoad(const std::vector<std::string>& tables) {
    return pg::startFirstLoad(*this, tables);
}

namespace pg {

// COPY's text format: a row per line, tab-separated, \N for NULL. Runs of
// plain characters are appended whole.
void appendCopyValue(std::string& out, const std::string* value) {
    if (!value) {
        out += "\\N";
        return;
    }
    const std::string& v = *value;
    size_t plain = 0;
    for (size_t i = 0; i < v.size(); ++i) {
        const char c = v[i];
        const char* escaped = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : nullptr;
        if (!escaped) continue;
        out.append(v, plain, i - plain);
        out += escaped;
        plain = i + 1;
    }
    out.append(v, plain, std::string::npos);
}

void appendCopyFields(std::string& out, const std::vector<const std::string*>& values) {
    for (size_t c = 0; c < values.size(); ++c) {
        if (c) out += '\t';
        appendCopyValue(out, values[c]);
    }
}

}  // namespace pg

namespace {

using pg::appendCopyFields;
using pg::appendCopyValue;

class PgBulkUpsert final : public BulkUpsert {
public:
    PgBulkUpsert(PgDatabase& db, const std::string& table, const std::vector<std::string>& columns, size_t keys,
                 const std::vector<std::string>& previous)
        : db_(db), batch_("kpi_bulk_" + table), keys_(keys), previous_(previous.size()) {
        for (size_t c = 0; c < columns.size(); ++c) names_ += (c ? ", " : "") + columns[c];
        db_.exec("DROP TABLE IF EXISTS pg_temp." + batch_);
        // The table's column types, none of its constraints or defaults.
        db_.exec("CREATE TEMP TABLE " + batch_ + " AS SELECT " + names_ + " FROM " + table + " WITH NO DATA");
        std::string keyNames, on, upKeys, prevCols;
        for (size_t k = 0; k < keys; ++k) {
            keyNames += (k ? ", " : "") + columns[k];
            on += std::string(k ? " AND " : "") + "p." + columns[k] + " = u." + columns[k];
            upKeys += (k ? ", " : "") + std::string("coalesce(u.") + columns[k] + ", p." + columns[k] + ")";
        }
        std::string prevSelect = "t." + columns[0];
        for (size_t k = 1; k < keys; ++k) prevSelect += ", t." + columns[k];
        for (const auto& column : previous) {
            prevSelect += ", t." + column;
            prevCols += ", p." + column;
        }
        std::string join;
        for (size_t k = 0; k < keys; ++k) join += std::string(k ? " AND " : "") + "t." + columns[k] + " = b." + columns[k];
        // A table empty when its file starts (a first import): every row is
        // new, so a plain INSERT, with no join to the rows before and no keys
        // sent back. DO NOTHING and the count: a row another writer (not
        // under the import's lock) added meanwhile fails the import, whole.
        empty_ = !db_.prepare("SELECT 1 FROM " + table + " LIMIT 1").step();
        insert_ = "INSERT INTO " + table + "(" + names_ + ") SELECT " + names_ + " FROM " + batch_ +
                  " ON CONFLICT DO NOTHING";
        table_ = table;
        // Every sub-statement sees the store as it was before the INSERT: p
        // holds the rows as they were.
        upsert_ = "WITH p AS (SELECT " + prevSelect + " FROM " + table + " t JOIN " + batch_ + " b ON " + join +
                  "), u AS (INSERT INTO " + table + "(" + names_ + ") SELECT " + names_ + " FROM " + batch_ + " " +
                  upsertConflictSql(table, columns, keys) + " RETURNING " + keyNames + ") SELECT " + upKeys +
                  ", u." + columns[0] + " IS NOT NULL, p." + columns[0] + " IS NOT NULL" + prevCols +
                  " FROM u FULL JOIN p ON " + on;
    }
    ~PgBulkUpsert() override {
        try {
            db_.exec("DROP TABLE IF EXISTS pg_temp." + batch_);
        } catch (...) {
        }
    }

    void add(const std::vector<const std::string*>& values) override {
        std::string key;
        for (size_t c = 0; c < values.size(); ++c) {
            if (c) data_ += '\t';
            appendCopyValue(data_, values[c]);
            if (c < keys_ && !empty_) {
                if (c) key += '\x1f';
                key += values[c] ? *values[c] : std::string();
            }
        }
        data_ += '\n';
        if (!empty_) index_.emplace(std::move(key), rows_);
        ++rows_;
    }

    size_t pending() const override { return rows_; }

    std::vector<Outcome> flush() override {
        std::vector<Outcome> out;
        if (rows_ == 0) return out;
        db_.exec("TRUNCATE " + batch_);
        db_.copyIn(batch_, names_, data_);
        if (empty_) {
            db_.exec(insert_);
            if (static_cast<size_t>(db_.changes()) != rows_)
                throw Error(Error::Kind::Busy, "another writer added rows to " + table_ +
                                                   " while this import wrote it; nothing was imported: import again");
            out.reserve(rows_);
            for (size_t row = 0; row < rows_; ++row) out.push_back(Outcome{row, false, true, {}});
            data_.clear();
            index_.clear();
            rows_ = 0;
            return out;
        }
        auto st = db_.prepare(upsert_);
        while (st.step()) {
            std::string key;
            for (size_t k = 0; k < keys_; ++k) {
                if (k) key += '\x1f';
                key += st.text(static_cast<int>(k));
            }
            auto it = index_.find(key);
            if (it == index_.end()) continue;
            Outcome o{it->second, st.int64(static_cast<int>(keys_ + 1)) != 0, st.int64(static_cast<int>(keys_)) != 0, {}};
            for (size_t c = 0; c < previous_; ++c) o.previous.emplace_back(st.text(static_cast<int>(keys_ + 2 + c)));
            out.push_back(std::move(o));
        }
        std::sort(out.begin(), out.end(), [](const Outcome& a, const Outcome& b) { return a.row < b.row; });
        data_.clear();
        index_.clear();
        rows_ = 0;
        return out;
    }

private:
    PgDatabase& db_;
    std::string batch_, names_, upsert_, insert_, table_, data_;
    size_t keys_, previous_, rows_ = 0;
    bool empty_ = false;
    std::unordered_map<std::string, size_t> index_;
};

// COPY into a temporary table, then one INSERT … SELECT in the order added:
// COPY itself cannot write a table under row-level security (the owner's
// tables are, FORCE ROW LEVEL SECURITY), and the table's triggers (the change
// log's numbering) run as for any INSERT.
class PgBulkInsert final : public BulkInsert {
public:
    PgBulkInsert(PgDatabase& db, const std::string& table, const std::vector<std::string>& columns)
        : db_(db), table_(table), batch_("kpi_append_" + table) {
        for (size_t c = 0; c < columns.size(); ++c) names_ += (c ? ", " : "") + columns[c];
        db_.exec("DROP TABLE IF EXISTS pg_temp." + batch_);
        db_.exec("CREATE TEMP TABLE " + batch_ + " AS SELECT " + names_ + ", 0::bigint AS kpi_row FROM " + table +
                 " WITH NO DATA");
    }
    ~PgBulkInsert() override {
        try {
            db_.exec("DROP TABLE IF EXISTS pg_temp." + batch_);
        } catch (...) {
        }
    }
    void add(const std::vector<const std::string*>& values) override {
        appendCopyFields(data_, values);
        data_ += '\t' + std::to_string(++rows_) + '\n';
    }
    void finish() override {
        if (data_.empty()) return;
        db_.exec("TRUNCATE " + batch_);
        db_.copyIn(batch_, names_ + ", kpi_row", data_);
        db_.exec("INSERT INTO " + table_ + "(" + names_ + ") SELECT " + names_ + " FROM " + batch_ + " ORDER BY kpi_row");
        data_.clear();
        rows_ = 0;
    }

private:
    PgDatabase& db_;
    std::string table_, batch_, names_, data_;
    std::uint64_t rows_ = 0;
};

}  // namespace

std::unique_ptr<BulkInsert> PgDatabase::bulkInsert(const std::string& table, const std::vector<std::string>& columns) {
    return std::make_unique<PgBulkInsert>(*this, table, columns);
}

std::unique_ptr<BulkUpsert> PgDatabase::bulkUpsert(const std::string& table, const std::vector<std::string>& columns,
                                                   size_t keys, const std::vector<std::string>& previous) {
    return std::make_unique<PgBulkUpsert>(*this, table, columns, keys, previous);
}

bool PgDatabase::hasTable(const std::string& name) {
    auto st = prepare("SELECT to_regclass(?1) IS NOT NULL");
    st.bind(1, name);
    return st.step() && st.int64(0) != 0;
}

int PgDatabase::storedVersion(bool& empty) {
    empty = false;
    if (!hasTable("meta")) {
        auto st = prepare("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()");
        st.step();
        empty = st.int64(0) == 0;
        if (empty) return 0;
        throw Error(Error::Kind::Corruption, "not a SalesKPI store: " + location_ +
                                                 " (its schema holds tables but no meta table)");
    }
    auto st = prepare("SELECT value FROM meta WHERE key = 'schema_version'");
    if (!st.step()) return 0;
    const std::string_view text = st.text(0);
    int version = 0;
    std::from_chars(text.data(), text.data() + text.size(), version);
    return version;
}

void PgDatabase::createOrUpgrade() {
    Transaction tx(*this);
    bool empty = false;
    const int version = storedVersion(empty);
    if (version > kSchemaVersion)
        throw Error(Error::Kind::Corruption, "store " + location_ + " has schema version " + std::to_string(version) +
                                                 ", newer than this kpi (" + std::to_string(kSchemaVersion) +
                                                 "); upgrade SalesKPI");
    exec(kpi::pg::initSql());
    // The identity readers compare on every check (as in SQLite: 16 random bytes in hex).
    exec("INSERT INTO meta(key, value) VALUES('store_id', md5(random()::text || clock_timestamp()::text || "
         "pg_backend_pid()::text)) ON CONFLICT (key) DO NOTHING");
    tx.commit();
}

// The policies let a login read everything when kpi_reads_all(current_user)
// (the owner, '*'); otherwise kpi_team(): the granted employee and everyone
// below. What the login sees of employees is then that subtree, so its top is
// the employee it was granted (kpi_logins itself is the owner's to read).
ReadScope PgDatabase::readScope() {
    ReadScope scope;
    {
        auto st = prepare("SELECT session_user::text, kpi_reads_all(current_user)");
        st.step();
        scope.login = std::string(st.text(0));
        scope.everything = st.int64(1) != 0;
    }
    if (scope.everything) return scope;
    auto st = prepare(
        "SELECT code FROM employees WHERE manager_code IS NULL OR manager_code = code OR manager_code NOT IN "
        "(SELECT code FROM employees) ORDER BY code COLLATE \"C\"");
    while (st.step()) scope.teams.emplace_back(st.text(0));
    return scope;
}

}  // namespace kpi::sql

namespace kpi {
bool askedWhileWaiting() { return sql::tAskedWhileWaiting; }
}  // namespace kpi
