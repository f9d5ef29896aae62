// kpi::pg::initSql() on a real server: it creates SQLite's version-3 tables
// (same names, columns, primary keys), is idempotent, and refuses a newer schema.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

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
    // The same foreign keys, deferred where SQLite's are.
    ASSERT_GE(sqlite.foreignKeys.size(), 15u);
    Rows keys = c.query(
        "SELECT t.relname || '.' || a.attname || ' → ' || r.relname || '.' || b.attname || ' ON DELETE ' || "
        "CASE k.confdeltype WHEN 'c' THEN 'CASCADE' ELSE 'NO ACTION' END || CASE WHEN k.condeferred THEN ' deferred' "
        "ELSE '' END FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid "
        "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] "
        "JOIN pg_attribute b ON b.attrelid = k.confrelid AND b.attnum = k.confkey[1] "
        "WHERE k.contype = 'f' AND t.relnamespace = 'public'::regnamespace");
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

}  // namespace
