// `kpi grant`, `kpi revoke` and `kpi migrate` (kpi/store_admin.hpp).
#include "kpi/store_admin.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <set>

#include "kpi/error.hpp"
#include "kpi/store.hpp"
#include "kpi/store_location.hpp"
#include "schema.hpp"
#include "store/postgres/connection.hpp"

namespace kpi {
namespace {

std::unique_ptr<sql::PgDatabase> connectPostgres(const std::string& location, const char* what) {
    const StoreLocation where = parseStoreLocation(location);
    if (where.kind != StoreLocation::Kind::Postgres)
        throw Error(Error::Kind::InvalidArgument,
                    std::string(what) + " needs a PostgreSQL store (postgresql://… or a conninfo such as service=kpi), not " +
                        location + ": an SQLite file has no logins (whoever can read the file sees all of it)");
    return std::make_unique<sql::PgDatabase>(where.text, sql::Open::ReadWrite);
}

// The server's own words for a failed statement: Error's text without the
// location and context before it and the PL/pgSQL CONTEXT lines after it.
std::string serverMessage(const std::string& what) {
    std::string message = what;
    if (const size_t at = message.find("\nCONTEXT:"); at != std::string::npos) message.erase(at);
    if (const size_t at = message.find(": running SQL: "); at != std::string::npos) message.erase(0, at + 15);
    return message;
}

// Runs one of the grant functions; the server's own message when it refuses
// (no such login or employee, not the owner).
void callGrant(const std::string& location, const char* what, const char* sql,
               const std::vector<std::string>& params) {
    auto db = connectPostgres(location, what);
    bool empty = false;
    if (db->storedVersion(empty) == 0)
        throw Error(Error::Kind::NotFound, "store " + location + " holds no SalesKPI schema");
    try {
        auto st = db->prepare(sql);
        for (size_t i = 0; i < params.size(); ++i) st.bind(static_cast<int>(i) + 1, params[i]);
        st.run();
    } catch (const Error& e) {
        if (e.kind() != Error::Kind::Io || std::string_view(e.what()).rfind("lost the connection", 0) == 0) throw;
        const std::string message = serverMessage(e.what());
        if (message.find("does not exist") != std::string::npos && message.find("function kpi_") != std::string::npos)
            throw Error(Error::Kind::Corruption, "store " + location + " has no grant functions (" + message +
                                                     "); run `kpi init` on it first");
        // Not the owner: the server's refusal, as an error of the run (exit 1).
        if (message.find("only the owner") != std::string::npos || message.find("permission denied") != std::string::npos)
            throw Error(Error::Kind::Io, std::string(what) + ": " + message);
        throw Error(Error::Kind::InvalidArgument, std::string(what) + ": " + message);
    }
}

}  // namespace

void grantManager(const std::string& location, const std::string& login, const std::string& employee) {
    callGrant(location, "kpi grant", "SELECT kpi_grant_manager(?1, ?2)", {login, employee});
}

void grantWriter(const std::string& location, const std::string& login) {
    callGrant(location, "kpi grant", "SELECT kpi_grant_writer(?1)", {login});
}

void revokeLogin(const std::string& location, const std::string& login) {
    callGrant(location, "kpi revoke", "SELECT kpi_revoke(?1)", {login});
}

// ---- kpi migrate -----------------------------------------------------------
namespace {

struct SqliteCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StmtCloser {
    void operator()(sqlite3_stmt* st) const noexcept { sqlite3_finalize(st); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;
using SqliteStmt = std::unique_ptr<sqlite3_stmt, StmtCloser>;

SqliteStmt prepareSqlite(sqlite3* db, const std::string& sql, const std::string& from) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
        throw Error(Error::Kind::Corruption, "store " + from + ": " + sqlite3_errmsg(db) + " (in: " + sql + ")");
    return SqliteStmt(st);
}

struct Column {
    std::string name;
    std::string type;  // PostgreSQL's data_type: text, bigint, double precision, boolean
};

struct Table {
    std::string name;
    std::vector<Column> columns;  // written ones (not generated), in order
};

std::string quoteIdent(const std::string& name) {
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string quoteLiteral(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

// COPY's text format: backslash, tab, newline and carriage return escaped.
void appendEscaped(std::string& out, const unsigned char* p, int n) {
    for (int i = 0; i < n; ++i) {
        const char c = static_cast<char>(p[i]);
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            default: out += c;
        }
    }
}

void appendDouble(std::string& out, double value) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);  // the shortest text that reads back the same
    out.append(buf, end);
}

void appendInt(std::string& out, sqlite3_int64 value) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(value));
    out.append(buf, end);
}

class Migration {
public:
    Migration(const std::filesystem::path& from, const std::string& to, const MigrateOptions& options)
        : from_(from.string()), to_(to), options_(options) {}

    MigrateSummary run() {
        openSource();
        const StoreLocation where = parseStoreLocation(to_);
        if (where.kind != StoreLocation::Kind::Postgres)
            throw Error(Error::Kind::InvalidArgument,
                        "kpi migrate copies into a PostgreSQL store (postgresql://… or a conninfo such as service=kpi), "
                        "not " + to_ + " (to copy an SQLite file, copy the file)");
        say("preparing " + to_ + " (kpi init)");
        Store::init(to_);  // creates or upgrades the schema; idempotent
        pg_ = std::make_unique<sql::PgDatabase>(to_, sql::Open::ReadWrite);
        return copy();
    }

private:
    void say(const std::string& line) const {
        if (options_.progress) options_.progress(line);
    }

    void openSource() {
        std::error_code ec;
        if (!std::filesystem::exists(from_, ec))
            throw Error(Error::Kind::NotFound, "no store at " + from_ + " (kpi migrate --from takes an SQLite store file)");
        if (isPostgresLocation(from_))
            throw Error(Error::Kind::InvalidArgument, "kpi migrate --from takes an SQLite store file, not " + from_);
        sqlite3* db = nullptr;
        const int rc = sqlite3_open_v2(from_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
        src_.reset(db);
        if (rc != SQLITE_OK)
            throw Error(Error::Kind::Io, "cannot open " + from_ + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
        sqlite3_busy_timeout(db, 60000);
        // One snapshot of the file for the whole copy (a DMS may write meanwhile).
        exec("BEGIN");
        // A SalesKPI file says so in its application id; its version is the user version.
        auto pragma = [&](const char* sql) {
            auto st = prepareSqlite(db, sql, from_);
            return sqlite3_step(st.get()) == SQLITE_ROW ? sqlite3_column_int64(st.get(), 0) : 0;
        };
        if (pragma("PRAGMA application_id") != 1262636875)  // sqlite_schema.cpp's kApplicationId
            throw Error(Error::Kind::Corruption, "not a SalesKPI store: " + from_);
        const int version = static_cast<int>(pragma("PRAGMA user_version"));
        if (version != kSchemaVersion)
            throw Error(Error::Kind::Corruption,
                        "store " + from_ + " has schema version " + std::to_string(version) + "; kpi migrate copies version " +
                            std::to_string(kSchemaVersion) +
                            (version < kSchemaVersion ? ": upgrade it first with `kpi --store " + from_ + " init`"
                                                              : ": use the SalesKPI that wrote it"));
    }

    void exec(const char* sql) {
        char* message = nullptr;
        if (sqlite3_exec(src_.get(), sql, nullptr, nullptr, &message) != SQLITE_OK) {
            std::string text = message ? message : "failed";
            sqlite3_free(message);
            throw Error(Error::Kind::Io, "store " + from_ + ": " + text);
        }
    }

    // Rows of a query on the target, `columns` texts each.
    std::vector<std::vector<std::string>> query(const std::string& sql, int columns) {
        std::vector<std::vector<std::string>> rows;
        auto st = pg_->prepare(sql);
        while (st.step()) {
            std::vector<std::string> row;
            for (int j = 0; j < columns; ++j) row.emplace_back(st.text(j));
            rows.push_back(std::move(row));
        }
        return rows;
    }

    std::vector<Table> targetTables() {
        std::vector<Table> tables;
        std::map<std::string, size_t> at;
        for (const auto& row : query("SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
                                     "JOIN information_schema.tables t USING (table_schema, table_name) "
                                     "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
                                     "AND c.is_generated = 'NEVER' AND c.table_name NOT LIKE 'kpi\\_%' "
                                     "ORDER BY c.table_name, c.ordinal_position", 3)) {
            auto [it, added] = at.emplace(row[0], tables.size());
            if (added) tables.push_back({row[0], {}});
            tables[it->second].columns.push_back({row[1], row[2]});
        }
        return tables;
    }

    std::set<std::string> sourceColumns(const std::string& table) {
        std::set<std::string> names;
        auto st = prepareSqlite(src_.get(), "SELECT name FROM pragma_table_info(?1)", from_);
        sqlite3_bind_text(st.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(st.get()) == SQLITE_ROW)
            names.emplace(reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0)));
        return names;
    }

    // Every table of the source has its twin in the target, with every column
    // the target writes; nothing of the source is left behind.
    void matchSchemas(const std::vector<Table>& tables) {
        std::set<std::string> known;
        for (const auto& t : tables) {
            known.insert(t.name);
            const auto have = sourceColumns(t.name);
            if (have.empty())
                throw Error(Error::Kind::Corruption, "store " + from_ + " has no table " + t.name);
            for (const auto& c : t.columns)
                if (!have.count(c.name))
                    throw Error(Error::Kind::Corruption, "store " + from_ + ": table " + t.name + " has no column " + c.name);
        }
        auto st = prepareSqlite(src_.get(), "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'", from_);
        while (sqlite3_step(st.get()) == SQLITE_ROW) {
            const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0));
            if (!known.count(name))
                throw Error(Error::Kind::Corruption, "store " + from_ + " has a table " + name +
                                                         " that the PostgreSQL schema does not: not copied, nothing done");
        }
    }

    void refuseNonEmpty(const std::vector<Table>& tables) {
        std::string probe;
        for (const auto& t : tables) {
            if (t.name == "meta") continue;
            probe += std::string(probe.empty() ? "" : " UNION ALL ") + "(SELECT " + quoteLiteral(t.name) + " FROM " +
                     quoteIdent(t.name) + " LIMIT 1)";
        }
        auto rows = query(probe, 1);
        if (!rows.empty()) {
            std::string names;
            for (const auto& r : rows) names += (names.empty() ? "" : ", ") + r[0];
            throw Error(Error::Kind::InvalidArgument,
                        "the PostgreSQL store " + to_ + " is not empty (rows in " + names +
                            "): kpi migrate copies into an empty store only; nothing was copied. Name an empty "
                            "database or schema, or import the files there with kpi import instead");
        }
    }

    // Streams the table in COPY statements of about 8 MiB each.
    std::int64_t copyTable(const Table& t) {
        std::string select, columns;
        for (const auto& c : t.columns) {
            select += (select.empty() ? "" : ", ") + quoteIdent(c.name);
            columns += (columns.empty() ? "" : ", ") + quoteIdent(c.name);
        }
        // (A WITHOUT ROWID table is read in key order: the target's b-trees fill from the left.)
        auto st = prepareSqlite(src_.get(), "SELECT " + select + " FROM " + quoteIdent(t.name), from_);
        std::string buf;
        buf.reserve(9 << 20);
        std::int64_t rows = 0;
        const int n = static_cast<int>(t.columns.size());
        std::vector<int> kind(static_cast<size_t>(n));  // 0 text, 1 bigint, 2 double, 3 boolean
        for (int i = 0; i < n; ++i) {
            const auto& type = t.columns[static_cast<size_t>(i)].type;
            kind[static_cast<size_t>(i)] = type == "bigint" || type == "integer" ? 1
                                           : type == "double precision"       ? 2
                                           : type == "boolean"                ? 3
                                                                              : 0;
        }
        const std::string table = quoteIdent(t.name);
        int rc;
        while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
            for (int i = 0; i < n; ++i) {
                if (i) buf += '\t';
                const int type = sqlite3_column_type(st.get(), i);
                const int k = kind[static_cast<size_t>(i)];
                if (type == SQLITE_NULL) {
                    buf += "\\N";
                } else if (type == SQLITE_INTEGER) {
                    const sqlite3_int64 v = sqlite3_column_int64(st.get(), i);
                    if (k == 2) appendDouble(buf, static_cast<double>(v));
                    else if (k == 3) buf += v ? 't' : 'f';
                    else appendInt(buf, v);
                } else if (type == SQLITE_FLOAT) {
                    appendDouble(buf, sqlite3_column_double(st.get(), i));
                } else {
                    const unsigned char* p = sqlite3_column_text(st.get(), i);
                    appendEscaped(buf, p, sqlite3_column_bytes(st.get(), i));
                }
            }
            buf += '\n';
            ++rows;
            if (buf.size() >= (8u << 20)) {
                pg_->copyIn(table, columns, buf);
                buf.clear();
            }
            if (rows % 1000000 == 0) say(t.name + ": " + std::to_string(rows) + " rows…");
        }
        if (rc != SQLITE_DONE)
            throw Error(Error::Kind::Io, "store " + from_ + ": reading " + t.name + ": " + sqlite3_errmsg(src_.get()));
        if (!buf.empty()) pg_->copyIn(table, columns, buf);
        return rows;
    }

    MigrateSummary copy() {
        MigrateSummary summary;
        auto tables = targetTables();
        matchSchemas(tables);
        sql::Transaction tx(*pg_);
        refuseNonEmpty(tables);
        // The source's rows passed the same rules when they were written:
        // the triggers that check, log and audit other writers' rows stand
        // aside (the import's path), the change log keeps its numbers, and
        // foreign keys are checked once per table at the end instead of once
        // per row.
        pg_->bulkWrite(true);
        pg_->exec("ALTER TABLE changes DISABLE TRIGGER kpi_changes_seq");
        // COPY FROM refuses a table whose row-level security applies to the
        // one copying: its owner stands outside the policies until the copy
        // is done (the same transaction puts them back).
        auto forced = query("SELECT c.oid::regclass::text FROM pg_class c WHERE c.relforcerowsecurity "
                            "AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())", 1);
        for (const auto& t : forced) pg_->exec("ALTER TABLE " + t[0] + " NO FORCE ROW LEVEL SECURITY");
        auto foreignKeys = query(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
            "ORDER BY 1, 2", 3);
        for (const auto& fk : foreignKeys)
            pg_->exec("ALTER TABLE " + fk[0] + " DROP CONSTRAINT " + quoteIdent(fk[1]));
        // Parents before children: the same order checks nothing now, but
        // reads best.
        static const std::vector<std::string> order = {
            "meta",          "employees",      "outlets",         "products",         "kpis",
            "holidays",      "routes",         "orders",          "order_lines",      "visits",
            "targets",       "target_history", "changes",         "plans",            "plan_components",
            "plan_assignments", "plan_history", "closes",         "close_history",    "frozen_report_rows",
            "frozen_payout_rows"};
        std::vector<const Table*> sorted;
        for (const auto& name : order)
            for (const auto& t : tables)
                if (t.name == name) sorted.push_back(&t);
        for (const auto& t : tables)
            if (std::find(order.begin(), order.end(), t.name) == order.end()) sorted.push_back(&t);
        for (const Table* t : sorted) {
            if (t->name == "meta") {
                // The target keeps its own schema_version and store_id (it is
                // another store); anything else the file notes comes along.
                auto st = prepareSqlite(src_.get(), "SELECT key, value FROM meta WHERE key NOT IN ('schema_version', 'store_id')", from_);
                std::int64_t n = 0;
                while (sqlite3_step(st.get()) == SQLITE_ROW) {
                    auto ins = pg_->prepare("INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
                    ins.bind(1, std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0))));
                    if (sqlite3_column_type(st.get(), 1) == SQLITE_NULL) ins.bindNull(2);
                    else ins.bind(2, std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 1))));
                    ins.run();
                    ++n;
                }
                summary.rows.emplace_back("meta", n);
                continue;
            }
            const std::int64_t n = copyTable(*t);
            summary.rows.emplace_back(t->name, n);
            say(t->name + ": " + std::to_string(n) + " rows");
        }
        say("checking references…");
        // The references the schema's triggers hold (which the copy went around), then its keys.
        pg_->exec("SELECT kpi_check_references()");
        for (const auto& fk : foreignKeys)
            pg_->exec("ALTER TABLE " + fk[0] + " ADD CONSTRAINT " + quoteIdent(fk[1]) + " " + fk[2]);
        // Identities continue after the copied numbers; the change log's
        // counter at its last number.
        for (const auto& id : query("SELECT table_name, column_name FROM information_schema.columns "
                                    "WHERE table_schema = current_schema() AND is_identity = 'YES'", 2))
            pg_->exec("SELECT setval(pg_get_serial_sequence(" + quoteLiteral(quoteIdent(id[0])) + ", " +
                      quoteLiteral(id[1]) + "), max(" + quoteIdent(id[1]) + ")) FROM " + quoteIdent(id[0]) +
                      " HAVING max(" + quoteIdent(id[1]) + ") IS NOT NULL");
        pg_->exec("UPDATE kpi_change_counter SET seq = (SELECT coalesce(max(seq), 0) FROM changes)");
        pg_->exec("ALTER TABLE changes ENABLE TRIGGER kpi_changes_seq");
        for (const auto& t : forced) pg_->exec("ALTER TABLE " + t[0] + " FORCE ROW LEVEL SECURITY");
        pg_->bulkWrite(false);
        say("committing…");
        tx.commit();
        exec("COMMIT");
        // Fresh statistics: the first reports plan their queries on them.
        say("analysing…");
        std::string names;
        for (const auto& t : tables) names += (names.empty() ? "" : ", ") + quoteIdent(t.name);
        pg_->exec("ANALYZE " + names);
        return summary;
    }

    std::string from_;
    std::string to_;
    MigrateOptions options_;
    SqliteDb src_;
    std::unique_ptr<sql::PgDatabase> pg_;
};

}  // namespace

MigrateSummary migrate(const std::filesystem::path& from, const std::string& to, const MigrateOptions& options) {
    return Migration(from, to, options).run();
}

}  // namespace kpi
