// kpi::pg::initSql() on a real server: it creates SQLite's version-3 tables
// (same names, columns, primary keys), is idempotent, and refuses a newer schema.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "kpi/store.hpp"
#include "pg_test_support.hpp"
#include "store/postgres/schema.hpp"

namespace {

using pgtest::Connection;
using pgtest::Rows;
using pgtest::TestDatabase;
namespace fs = std::filesystem;

TEST(PgSchema, RunningInitAgainChangesNothing) {
    TestDatabase db;
    Connection c(db.conninfo());
    const std::string first = db.schemaDump();
    const std::string storeId = c.value("SELECT value FROM meta WHERE key = 'store_id'");
    EXPECT_TRUE(std::regex_match(storeId, std::regex("[0-9a-f]{32}"))) << storeId;
    EXPECT_EQ(c.value("SELECT value FROM meta WHERE key = 'schema_version'"), std::to_string(kpi::kSchemaVersion));
    // Data in it, then init again: the schema's dump, the data and the store's identity are as they were.
    c.exec("INSERT INTO employees(code, name, role, start_date) VALUES('S1', 'Lan', 'SR', '2020-01-01')");
    const Rows changes = c.query("SELECT * FROM changes ORDER BY seq");
    pgtest::initSchema(c);
    pgtest::initSchema(c);
    EXPECT_EQ(pgtest::firstDifference(db.schemaDump(), first), "");
    EXPECT_EQ(c.value("SELECT value FROM meta WHERE key = 'store_id'"), storeId);
    EXPECT_EQ(c.query("SELECT * FROM changes ORDER BY seq"), changes);
    EXPECT_EQ(c.value("SELECT seq FROM kpi_change_counter"), "1");
    // And it made what it says.
    EXPECT_NE(first.find("CREATE TABLE public.orders"), std::string::npos);
    EXPECT_NE(first.find("ENABLE ROW LEVEL SECURITY"), std::string::npos);
}

TEST(PgSchema, ANewerSchemaIsRefusedAndLeftAsItWas) {
    TestDatabase db;
    Connection c(db.conninfo());
    c.exec("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    const std::string before = db.schemaDump();
    try {
        pgtest::initSchema(c);
        FAIL() << "a schema of version 99 was taken";
    } catch (const pgtest::ServerError& e) {
        EXPECT_NE(std::string(e.what()).find("has version 99, newer than this SalesKPI"), std::string::npos) << e.what();
    }
    c.exec("ROLLBACK");
    EXPECT_EQ(pgtest::firstDifference(db.schemaDump(), before), "");
}

TEST(PgSchema, LivesInTheSchemaOfTheSearchPath) {
    TestDatabase db(false);
    Connection c(db.conninfo());
    c.exec("CREATE SCHEMA sales; SET search_path = sales");
    pgtest::initSchema(c);
    EXPECT_EQ(c.value("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0");
    EXPECT_EQ(c.value("SELECT count(*) FROM pg_tables WHERE schemaname = 'sales' AND tablename = 'orders'"), "1");
    // The triggers find their tables whatever the writer's search_path.
    c.exec("SET search_path = public");
    c.exec("INSERT INTO sales.employees(code, name, role, start_date) VALUES('S1', 'Lan', 'SR', '2020-01-01')");
    EXPECT_EQ(c.query("SELECT source FROM sales.changes"), Rows{"employees"});
    EXPECT_EQ(c.refusal("INSERT INTO sales.holidays VALUES('2026-02-30', 'x')"),
              "holidays.date must be a date YYYY-MM-DD (a real calendar date)");
}

// Table → (column → type), and table → primary key columns, of a SQLite store made by `kpi init`.
struct SqliteShape {
    std::map<std::string, std::map<std::string, std::string>> columns;
    std::map<std::string, std::vector<std::string>> keys;
    std::set<std::string> indexes;  // "name(column, column)" of the indexes made by CREATE INDEX
    std::set<std::string> foreignKeys;  // "table.column → table.column ON DELETE action deferred?"
};

SqliteShape sqliteShape() {
    fs::path path = fs::temp_directory_path() / ("kpi-pg-shape-" + std::to_string(getpid()) + ".sqlite");
    fs::remove(path);
    kpi::Store::init(path);
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    SqliteShape shape;
    std::vector<std::string> tables;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", -1, &st,
                       nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) tables.push_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    for (const auto& table : tables) {
        sqlite3_prepare_v2(db, ("SELECT name, type, pk FROM pragma_table_xinfo('" + table + "') ORDER BY pk").c_str(),
                           -1, &st, nullptr);
        while (sqlite3_step(st) == SQLITE_ROW) {
            std::string column = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
            shape.columns[table][column] = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
            if (sqlite3_column_int(st, 2) > 0) shape.keys[table].push_back(column);
        }
        sqlite3_finalize(st);
    }
    sqlite3_prepare_v2(db,
                       "SELECT i.name || '(' || (SELECT group_concat(name, ', ') FROM (SELECT name FROM "
                       "pragma_index_info(i.name) ORDER BY seqno)) || ')' FROM sqlite_schema i WHERE i.type = 'index' "
                       "AND i.sql IS NOT NULL",
                       -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) shape.indexes.insert(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    for (const auto& table : tables) {
        // SQLite keeps DEFERRABLE only in the table's SQL text.
        sqlite3_prepare_v2(db, ("SELECT f.\"from\", f.\"table\", f.\"to\", f.on_delete, (SELECT instr(sql, 'DEFERRABLE') > 0 "
                                "FROM sqlite_schema WHERE name = '" + table + "') FROM pragma_foreign_key_list('" +
                                table + "') f").c_str(),
                           -1, &st, nullptr);
        while (sqlite3_step(st) == SQLITE_ROW) {
            auto text = [&](int i) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, i))); };
            shape.foreignKeys.insert(table + "." + text(0) + " → " + text(1) + "." + text(2) + " ON DELETE " + text(3) +
                                     (sqlite3_column_int(st, 4) ? " deferred" : ""));
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
    return shape;
}

TEST(PgSchema, HasSqlitesTablesColumnsAndKeysWithTheAgreedTypes) {
    const SqliteShape sqlite = sqliteShape();
    ASSERT_GE(sqlite.columns.size(), 20u);
    TestDatabase db;
    Connection c(db.conninfo());
    const std::map<std::string, std::string> typeOf = {
        {"TEXT", "text"}, {"INTEGER", "bigint"}, {"REAL", "double precision"}};
    for (const auto& [table, columns] : sqlite.columns) {
        Rows rows = c.query("SELECT column_name, data_type, is_generated FROM information_schema.columns "
                            "WHERE table_schema = 'public' AND table_name = '" + table + "'");
        std::map<std::string, std::string> pgColumns;
        for (const auto& row : rows) {
            auto bar = row.find('|');
            pgColumns[row.substr(0, bar)] = row.substr(bar + 1);
        }
        EXPECT_EQ(pgColumns.size(), columns.size()) << table;
        for (const auto& [column, type] : columns) {
            ASSERT_TRUE(pgColumns.count(column)) << table << "." << column;
            std::string expected = typeOf.at(type) + "|" +
                                   ((column == "order_date" || column == "visit_date") ? "ALWAYS" : "NEVER");
            EXPECT_EQ(pgColumns[column], expected) << table << "." << column;
        }
        Rows key = c.query("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND "
                           "a.attnum = ANY(i.indkey) WHERE i.indrelid = 'public." + table +
                           "'::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)");
        if (sqlite.keys.count(table)) EXPECT_EQ(key, sqlite.keys.at(table)) << table;
        else EXPECT_TRUE(key.empty()) << table;
    }
    // The same views, and no table SQLite lacks but the counter and the logins.
    Rows extra = c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    std::set<std::string> mine(extra.begin(), extra.end());
    for (const auto& [table, _] : sqlite.columns) mine.erase(table);
    EXPECT_EQ(mine, (std::set<std::string>{"kpi_change_counter", "kpi_logins"}));
    EXPECT_EQ(c.query("SELECT viewname FROM pg_views WHERE schemaname = 'public'"), Rows{"settled_adjustments"});
    // The same indexes, and one more for the row-level security's team query.
    ASSERT_GE(sqlite.indexes.size(), 5u);
    Rows indexes = c.query(
        "SELECT i.relname || '(' || string_agg(a.attname, ', ' ORDER BY k.n) || ')' FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        "CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY k(attnum, n) "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
        "WHERE t.relnamespace = 'public'::regnamespace AND NOT x.indisprimary AND NOT x.indisunique GROUP BY i.relname");
    std::set<std::string> expected = sqlite.indexes;
    expected.insert("employees_by_manager(manager_code)");
    EXPECT_EQ(std::set<std::string>(indexes.begin(), indexes.end()), expected);
    // The same foreign keys, deferred where SQLite's are: REFERENCES keys, and
    // those the schema's triggers hold (each with its deferred triggers on
    // both sides, and its cascade).
    ASSERT_GE(sqlite.foreignKeys.size(), 15u);
    Rows keys = c.query(
        "SELECT t.relname || '.' || a.attname || ' → ' || r.relname || '.' || b.attname || ' ON DELETE ' || "
        "CASE k.confdeltype WHEN 'c' THEN 'CASCADE' ELSE 'NO ACTION' END || CASE WHEN k.condeferred THEN ' deferred' "
        "ELSE '' END FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid "
        "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] "
        "JOIN pg_attribute b ON b.attrelid = k.confrelid AND b.attnum = k.confkey[1] "
        "WHERE k.contype = 'f' AND t.relnamespace = 'public'::regnamespace");
    for (const auto& r : kpi::pg::triggerReferences()) {
        keys.push_back(std::string(r.child) + "." + r.column + " → " + r.parent + "." + r.key + " ON DELETE " +
                       (r.cascade ? "CASCADE" : "NO ACTION") + " deferred");
        const std::string fn = std::string("kpi_ref_") + r.child + "_" + r.column;
        EXPECT_EQ(c.value("SELECT count(*) FROM pg_trigger WHERE tgrelid = '" + std::string(r.child) +
                          "'::regclass AND tgname IN ('" + fn + "_ins', '" + fn +
                          "_upd') AND tgdeferrable AND tginitdeferred AND tgenabled = 'O'"),
                  "2") << fn;
        const std::string kept = std::string("kpi_ref_") + r.parent + "_kept";
        EXPECT_EQ(c.value("SELECT count(*) FROM pg_trigger WHERE tgrelid = '" + std::string(r.parent) +
                          "'::regclass AND tgname IN ('" + kept + "_del', '" + kept + "_upd', 'kpi_ref_" + r.parent +
                          "_cascade', 'kpi_ref_" + r.parent + "_truncated')"),
                  "3") << kept;
    }
    EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), sqlite.foreignKeys);
    // closes' UNIQUE (period_type, period_start) as on SQLite.
    EXPECT_EQ(c.value("SELECT count(*) FROM pg_constraint WHERE conrelid = 'closes'::regclass AND contype = 'u'"), "1");
}

TEST(PgSchema, ForeignKeysAreDeferredAndLinesGoWithTheirOrder) {
    TestDatabase db;
    Connection c(db.conninfo());
    // Deferred: a line before its order, an order before its employee, in one transaction.
    c.exec("BEGIN;"
           "INSERT INTO products VALUES('P1', 'Sữa', NULL, NULL);"
           "INSERT INTO order_lines VALUES('A1', 1, 'P1', 1, 1000);"
           "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
           "VALUES('A1', 'S1', 'O1', '2026-11-02 08:00:00', 'sale', 'approved');"
           "INSERT INTO outlets(code, name, created_date) VALUES('O1', 'Tạp hóa', '2025-01-01');"
           "INSERT INTO employees(code, name, role, start_date) VALUES('S1', 'Lan', 'SR', '2020-01-01');"
           "COMMIT");
    EXPECT_EQ(c.value("SELECT order_date FROM orders"), "2026-11-02");
    // A dangling reference is refused at commit.
    EXPECT_NE(c.refusal("INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
                        "VALUES('A2', 'NOBODY', 'O1', '2026-11-02 08:00:00', 'sale', 'approved')")
                  .find("violates foreign key constraint"),
              std::string::npos);
    c.exec("DELETE FROM orders WHERE order_code = 'A1'");
    EXPECT_EQ(c.value("SELECT count(*) FROM order_lines"), "0");
    // The tables' own checks hold too (the triggers test first; here the check of two columns).
    EXPECT_NE(c.refusal("INSERT INTO employees(code, name, role, start_date, end_date) "
                        "VALUES('S2', 'x', 'SR', '2020-01-02', '2020-01-01')")
                  .find("violates check constraint \"employees_check\""),
              std::string::npos);
}

// SQLite's foreign keys that the schema's triggers hold (schema.hpp,
// triggerReferences): every dangling reference a direct writer makes is
// refused at commit with PostgreSQL's own message, and nothing of it stays.
const char* kParents =
    "INSERT INTO employees(code, name, role, start_date) VALUES('S1', 'Lan', 'SR', '2020-01-01');"
    "INSERT INTO employees(code, name, role, start_date, manager_code) VALUES('S2', 'Hoa', 'SR', '2020-01-01', 'S1');"
    "INSERT INTO employees(code, name, role, start_date) VALUES('S9', 'Nam', 'SR', '2020-01-01');"
    "INSERT INTO outlets(code, name, created_date, created_by) VALUES('O1', 'Tạp hóa', '2025-01-01', 'S1');"
    "INSERT INTO outlets(code, name, created_date) VALUES('O9', 'Chợ', '2025-01-01');"
    "INSERT INTO products VALUES('P1', 'Sữa', NULL, NULL);"
    "INSERT INTO products VALUES('P9', 'Trà', NULL, NULL);"
    "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
    "  VALUES('A1', 'S1', 'O1', '2026-11-02 08:00:00', 'sale', 'approved');"
    "INSERT INTO order_lines VALUES('A1', 1, 'P1', 1, 1000);"
    "INSERT INTO visits VALUES('V1', 'S1', 'O1', '2026-11-02 07:00:00');"
    "INSERT INTO routes VALUES('S1', 'O1', '2026-01-01', NULL);"
    "INSERT INTO targets VALUES('S1', 'SALES', 'MONTH', '2026-11-01', '2026-11-30', 1000, 1);";

Rows everything(Connection& c) {
    Rows all;
    for (const char* table : {"employees", "outlets", "products", "routes", "visits", "orders", "order_lines", "targets",
                              "changes", "target_history"}) {
        Rows rows = c.query(std::string("SELECT t::text FROM ") + table + " t ORDER BY 1");
        all.push_back(std::string("-- ") + table);
        all.insert(all.end(), rows.begin(), rows.end());
    }
    return all;
}

TEST(PgSchema, EveryReferenceIsHeldForDirectWritersAtCommit) {
    TestDatabase db;
    Connection c(db.conninfo());
    c.exec(kParents);
    const Rows before = everything(c);
    const std::string order = "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) VALUES";
    auto missing = [](const std::string& child, const std::string& column, const std::string& value,
                      const std::string& parent) {
        return "insert or update on table \"" + child + "\" violates foreign key constraint \"" + child + "_" + column +
               "_fkey\"|Key (" + column + ")=(" + value + ") is not present in table \"" + parent + "\".";
    };
    auto kept = [](const std::string& parent, const std::string& child, const std::string& column,
                   const std::string& key, const std::string& value) {
        return "update or delete on table \"" + parent + "\" violates foreign key constraint \"" + child + "_" + column +
               "_fkey\" on table \"" + child + "\"|Key (" + key + ")=(" + value + ") is still referenced from table \"" +
               child + "\".";
    };
    const std::vector<std::pair<std::string, std::string>> cases = {
        {order + "('A2', 'NOBODY', 'O1', '2026-11-02 08:00:00', 'sale', 'approved')",
         missing("orders", "employee_code", "NOBODY", "employees")},
        {order + "('A2', 'S1', 'NOWHERE', '2026-11-02 08:00:00', 'sale', 'approved')",
         missing("orders", "outlet_code", "NOWHERE", "outlets")},
        {"INSERT INTO order_lines VALUES('A404', 1, 'P1', 1, 1000)", missing("order_lines", "order_code", "A404", "orders")},
        {"INSERT INTO order_lines VALUES('A1', 2, 'NOSKU', 1, 1000)", missing("order_lines", "sku", "NOSKU", "products")},
        {"INSERT INTO visits VALUES('V2', 'NOBODY', 'O1', '2026-11-02 07:00:00')",
         missing("visits", "employee_code", "NOBODY", "employees")},
        {"INSERT INTO visits VALUES('V2', 'S1', 'NOWHERE', '2026-11-02 07:00:00')",
         missing("visits", "outlet_code", "NOWHERE", "outlets")},
        {"INSERT INTO routes VALUES('NOBODY', 'O1', '2026-01-01', NULL)",
         missing("routes", "employee_code", "NOBODY", "employees")},
        {"INSERT INTO routes VALUES('S1', 'NOWHERE', '2026-02-01', NULL)",
         missing("routes", "outlet_code", "NOWHERE", "outlets")},
        {"INSERT INTO targets VALUES('NOBODY', 'SALES', 'MONTH', '2026-11-01', '2026-11-30', 1, 1)",
         missing("targets", "employee_code", "NOBODY", "employees")},
        {"INSERT INTO outlets(code, name, created_date, created_by) VALUES('O2', 'x', '2025-01-01', 'NOBODY')",
         missing("outlets", "created_by", "NOBODY", "employees")},
        {"INSERT INTO employees(code, name, role, start_date, manager_code) VALUES('S3', 'x', 'SR', '2020-01-01', 'NOBODY')",
         missing("employees", "manager_code", "NOBODY", "employees")},
        // An update that points a row at nothing.
        {"UPDATE orders SET employee_code = 'NOBODY'", missing("orders", "employee_code", "NOBODY", "employees")},
        {"UPDATE order_lines SET sku = 'NOSKU'", missing("order_lines", "sku", "NOSKU", "products")},
        // A parent deleted, or its key changed, while rows refer to it.
        {"DELETE FROM employees WHERE code = 'S1'", kept("employees", "employees", "manager_code", "code", "S1")},
        {"DELETE FROM employees WHERE code IN ('S1', 'S2')", kept("employees", "outlets", "created_by", "code", "S1")},
        {"UPDATE employees SET code = 'S1X' WHERE code = 'S1'", kept("employees", "employees", "manager_code", "code", "S1")},
        {"DELETE FROM outlets WHERE code = 'O1'", kept("outlets", "routes", "outlet_code", "code", "O1")},
        {"DELETE FROM products WHERE sku = 'P1'", kept("products", "order_lines", "sku", "sku", "P1")},
        {"UPDATE products SET sku = 'P1X' WHERE sku = 'P1'", kept("products", "order_lines", "sku", "sku", "P1")},
        {"UPDATE orders SET order_code = 'A1X'", kept("orders", "order_lines", "order_code", "order_code", "A1")},
        // In a transaction, the bad row among good ones: nothing stays.
        {"BEGIN; INSERT INTO products VALUES('P2', 'x', NULL, NULL); INSERT INTO order_lines VALUES('A1', 2, 'P2', 1, 5);"
         "INSERT INTO order_lines VALUES('A1', 3, 'NOSKU', 1, 5); COMMIT",
         missing("order_lines", "sku", "NOSKU", "products")},
    };
    for (const auto& [sql, message] : cases) {
        std::string refusal, detail;
        try {
            c.exec(sql);
        } catch (const pgtest::ServerError& e) {
            EXPECT_EQ(e.sqlState, "23503") << sql;
            refusal = e.what();
            // The detail, from the connection's last error.
            detail = PQerrorMessage(c.raw());
            const auto at = detail.find("DETAIL:  ");
            detail = at == std::string::npos ? "" : detail.substr(at + 9, detail.find('\n', at) - at - 9);
            c.exec("ROLLBACK");
        }
        EXPECT_EQ(refusal + "|" + detail, message) << sql;
    }
    // A parent truncated while a child table holds rows; with its children it may be.
    EXPECT_EQ(c.refusal("TRUNCATE products"), "cannot truncate a table referenced in a foreign key constraint");
    EXPECT_EQ(c.refusal("TRUNCATE orders"), "cannot truncate a table referenced in a foreign key constraint");
    EXPECT_EQ(c.refusal("BEGIN; TRUNCATE order_lines, orders; SELECT count(*) FROM orders; ROLLBACK"), "");
    EXPECT_EQ(everything(c), before);
}


TEST(PgSchema, ReferencesAreCheckedAtCommitAsDeferredKeysWere) {
    TestDatabase db;
    Connection c(db.conninfo());
    c.exec(kParents);
    // A row pointing at nothing, then removed or re-pointed before commit; a
    // parent deleted and put back; the owner's import path (it checked).
    c.exec("BEGIN; INSERT INTO order_lines VALUES('A1', 2, 'NOSKU', 1, 5); DELETE FROM order_lines WHERE line_no = 2; COMMIT");
    c.exec("BEGIN; INSERT INTO order_lines VALUES('A1', 2, 'NOSKU', 1, 5); UPDATE order_lines SET sku = 'P9' "
           "WHERE line_no = 2; COMMIT");
    c.exec("BEGIN; DELETE FROM products WHERE sku = 'P1'; INSERT INTO products VALUES('P1', 'Sữa', NULL, NULL); COMMIT");
    EXPECT_EQ(c.value("SELECT count(*) FROM order_lines"), "2");
    // Deleting an order takes its lines, logged as before (the order's row, no line rows).
    const std::string seq = c.value("SELECT max(seq) FROM changes");
    c.exec("DELETE FROM orders WHERE order_code = 'A1'");
    EXPECT_EQ(c.value("SELECT count(*) FROM order_lines"), "0");
    EXPECT_EQ(c.query("SELECT source || ':' || coalesce(ref, '') FROM changes WHERE seq > " + seq + " ORDER BY seq"),
              Rows{"orders:A1"});
    // Only the owner's session skips the check: a writer's setting changes nothing.
    std::string writer = db.role("dms");
    c.exec("SELECT kpi_grant_writer('" + writer + "')");
    Connection w(db.conninfo(writer));
    const std::string bad = "INSERT INTO visits VALUES('V9', 'S1', 'NOWHERE', '2026-11-02 07:00:00')";
    EXPECT_EQ(w.refusal("BEGIN; SET LOCAL kpi.import = 'on'; " + bad + "; COMMIT"),
              "insert or update on table \"visits\" violates foreign key constraint \"visits_outlet_code_fkey\"");
    EXPECT_EQ(w.refusal(bad), "insert or update on table \"visits\" violates foreign key constraint \"visits_outlet_code_fkey\"");
    // A writer that cannot see the parent (row-level security) still finds it.
    w.exec("INSERT INTO visits VALUES('V8', 'S9', 'O9', '2026-11-02 07:00:00')");
    c.exec("BEGIN; SET LOCAL kpi.import = 'on'; " + bad + "; ROLLBACK");
    // kpi migrate's check of every reference at once.
    EXPECT_EQ(c.refusal("SELECT kpi_check_references()"), "");
    EXPECT_EQ(c.refusal("BEGIN; SET LOCAL kpi.import = 'on'; " + bad + "; SELECT kpi_check_references()"),
              "insert or update on table \"visits\" violates foreign key constraint \"visits_outlet_code_fkey\"");
    c.exec("ROLLBACK");
}

// A child written while another transaction deletes its parent: whichever
// commits first, no row is left pointing at nothing.
TEST(PgSchema, AParentDeletedWhileAChildIsWrittenLeavesNoDanglingRow) {
    TestDatabase db;
    Connection admin(db.conninfo()), parent(db.conninfo()), child(db.conninfo());
    admin.exec(kParents);
    const std::string line = "INSERT INTO order_lines VALUES('A1', 7, 'P9', 1, 5)";
    const std::string message =
        "insert or update on table \"order_lines\" violates foreign key constraint \"order_lines_sku_fkey\"";
    auto waitsOnALock = [&](Connection& who) {
        std::string waiting;
        for (int i = 0; i < 100 && waiting != "Lock"; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            waiting = admin.value("SELECT coalesce(wait_event_type, '') FROM pg_stat_activity WHERE pid = " +
                                  std::to_string(who.backendPid()));
        }
        return waiting == "Lock";
    };
    // 1. The delete first, uncommitted; the line's commit waits for it, then is refused.
    parent.exec("BEGIN; DELETE FROM products WHERE sku = 'P9'");
    child.send("BEGIN; " + line + "; COMMIT");
    EXPECT_TRUE(waitsOnALock(child));
    parent.exec("COMMIT");
    try {
        child.finish();
        ADD_FAILURE() << "the line was committed under a deleted product";
    } catch (const pgtest::ServerError& e) {
        EXPECT_EQ(std::string(e.what()), message);
    }
    EXPECT_EQ(admin.value("SELECT count(*) FROM order_lines WHERE sku = 'P9'"), "0");
    EXPECT_EQ(admin.value("SELECT count(*) FROM products WHERE sku = 'P9'"), "0");
    // 2. The line first, uncommitted, then the delete: they wait for each
    // other (the delete for the change log's counter, the line's check at
    // commit for the deleted row), as with REFERENCES keys; the server ends
    // one (deadlock), the other commits.
    admin.exec("INSERT INTO products VALUES('P9', 'Trà', NULL, NULL)");
    child.exec("BEGIN; INSERT INTO order_lines VALUES('A1', 8, 'P9', 1, 5)");
    parent.send("DELETE FROM products WHERE sku = 'P9'");
    EXPECT_TRUE(waitsOnALock(parent));
    const std::string lineRefused = child.refusal("COMMIT");
    std::string deleteRefused;
    try {
        parent.finish();
    } catch (const pgtest::ServerError& e) {
        deleteRefused = e.what();
    }
    EXPECT_NE(lineRefused.empty(), deleteRefused.empty()) << lineRefused << " / " << deleteRefused;
    EXPECT_EQ(admin.value("SELECT count(*) FROM order_lines WHERE sku = 'P9'"), lineRefused.empty() ? "1" : "0");
    EXPECT_EQ(admin.value("SELECT count(*) FROM products WHERE sku = 'P9'"), deleteRefused.empty() ? "0" : "1");
    // 3. The line committed first: the delete is refused.
    EXPECT_EQ(parent.refusal("DELETE FROM products WHERE sku = 'P1'"),
              "update or delete on table \"products\" violates foreign key constraint \"order_lines_sku_fkey\" on "
              "table \"order_lines\"");
    EXPECT_EQ(admin.value("SELECT count(*) FROM order_lines WHERE sku NOT IN (SELECT sku FROM products)"), "0");
}

// A store made before the references moved to triggers (REFERENCES keys, no
// kpi_ref_ triggers): `kpi init` upgrades it in place, data kept, and the
// schema is then that of a new store.
TEST(PgSchema, InitUpgradesAStoreWithReferencesKeysInPlace) {
    TestDatabase fresh;
    const std::string expected = fresh.schemaDump();
    TestDatabase db;
    Connection c(db.conninfo());
    c.exec(kParents);
    c.exec("DO $$ DECLARE t record; BEGIN FOR t IN SELECT tgrelid::regclass AS rel, tgname FROM pg_trigger "
           "WHERE tgname LIKE 'kpi\\_ref\\_%' LOOP EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.rel); END LOOP; END $$");
    for (const auto& r : kpi::pg::triggerReferences())
        c.exec(std::string("ALTER TABLE ") + r.child + " ADD FOREIGN KEY (" + r.column + ") REFERENCES " + r.parent + "(" +
               r.key + ")" + (r.cascade ? " ON DELETE CASCADE" : "") + " DEFERRABLE INITIALLY DEFERRED");
    EXPECT_EQ(c.value("SELECT count(*) FROM pg_constraint WHERE contype = 'f'"),
              std::to_string(5 + kpi::pg::triggerReferences().size()));
    const Rows data = everything(c);
    pgtest::initSchema(c);
    EXPECT_EQ(c.value("SELECT count(*) FROM pg_constraint WHERE contype = 'f'"), "5");
    EXPECT_EQ(everything(c), data);
    EXPECT_EQ(pgtest::firstDifference(db.schemaDump(), expected), "");
    EXPECT_NE(c.refusal("DELETE FROM employees WHERE code = 'S1'").find("violates foreign key constraint"), std::string::npos);
}

}  // namespace
