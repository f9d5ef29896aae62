// The PostgreSQL store refuses the direct writes SQLite's store refuses, with
// the same reasons (tests/unit/schema_test.cpp, StoreRules.*), and takes the
// ones it takes. Where PostgreSQL's types answer first (a text in a number
// column), its own message stands and the store is unchanged all the same.

#include <gtest/gtest.h>

#include "pg_test_support.hpp"

namespace {

using pgtest::Connection;
using pgtest::Rows;
using pgtest::TestDatabase;

// tests/unit/schema_test.cpp's base(), as direct writes.
const char* kBase =
    "INSERT INTO employees(code, name, role, start_date) VALUES('S1', 'Nguyễn Thị Lan', 'SR', '2020-01-01');"
    "INSERT INTO outlets(code, name, created_date) VALUES('O1', 'Tạp hóa Cô Ba', '2025-01-01');"
    "INSERT INTO products VALUES('P1', 'Sữa tươi', 'Dairy', 'VinaMilk');"
    "INSERT INTO kpis(code, type, name_vi, name_en) VALUES('SALES_TOTAL', 'SALES', 'Doanh số', 'Sales');"
    "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status, approved_time) "
    "  VALUES('A1', 'S1', 'O1', '2026-11-02 08:00:00', 'sale', 'approved', NULL);"
    "INSERT INTO order_lines VALUES('A1', 1, 'P1', 1, 1000);"
    "INSERT INTO visits VALUES('V1', 'S1', 'O1', '2026-11-02 07:00:00');"
    "INSERT INTO routes VALUES('S1', 'O1', '2026-01-01', NULL);"
    "INSERT INTO targets VALUES('S1', 'SALES', 'MONTH', '2026-11-01', '2026-11-30', 1000, 1);"
    "INSERT INTO holidays VALUES('2026-11-20', 'Ngày Nhà giáo');";

// Every row of every table the rules cover, and the logs, in key order.
Rows contents(Connection& c) {
    Rows all;
    for (const char* table : {"employees", "outlets", "products", "routes", "visits", "orders", "order_lines", "kpis",
                              "targets", "holidays", "changes", "target_history"}) {
        Rows rows = c.query(std::string("SELECT t::text FROM ") + table + " t ORDER BY 1");
        all.push_back(std::string("-- ") + table);
        all.insert(all.end(), rows.begin(), rows.end());
    }
    return all;
}

TEST(PgStoreRules, RefuseEveryBadValueNamingTableColumnAndRule) {
    TestDatabase db;
    Connection c(db.conninfo());
    c.exec(kBase);
    const std::string date = "must be a date YYYY-MM-DD (a real calendar date)";
    const std::string time = "must be a time YYYY-MM-DD HH:MM:SS (a real date, hours 00-23)";
    const std::string order = "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status, "
                              "approved_time) VALUES('A2', 'S1', 'O1', ";
    const std::string notANumber = "invalid input syntax for type double precision: ";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"INSERT INTO employees(code, name, role, start_date) VALUES('E2', 'x', 'SR', '2026-02-29')",
         "employees.start_date " + date},
        {"INSERT INTO employees(code, name, role, start_date) VALUES('E2', 'x', 'SR', '2100-02-29')",
         "employees.start_date " + date},
        {"INSERT INTO employees(code, name, role, start_date) VALUES('E2', 'x', 'SR', 20260101)",
         "employees.start_date " + date},
        {"INSERT INTO employees(code, name, role, start_date) VALUES('E2', 'x', 'SR', '2026-01-01 ')",
         "employees.start_date " + date},
        {"INSERT INTO employees(code, name, role, start_date) VALUES('E2', 'x', 'SR', '２０２６-01-01')",
         "employees.start_date " + date},
        {"UPDATE employees SET end_date = '2026-13-01' WHERE code = 'S1'", "employees.end_date " + date},
        {"UPDATE employees SET end_date = '2026-04-31' WHERE code = 'S1'", "employees.end_date " + date},
        {"UPDATE outlets SET created_date = '2026-4-01' WHERE code = 'O1'", "outlets.created_date " + date},
        {"INSERT INTO routes VALUES('S1', 'O1', '2026/11/01', NULL)", "routes.valid_from " + date},
        {"UPDATE routes SET valid_to = '2026-11-31'", "routes.valid_to " + date},
        {"INSERT INTO visits VALUES('V2', 'S1', 'O1', '2026-11-02T10:00:00')", "visits.visit_time " + time},
        {"UPDATE visits SET visit_time = '2026-11-02 24:00:00'", "visits.visit_time " + time},
        {"UPDATE visits SET visit_time = '2026-11-02 10:00:00.5'", "visits.visit_time " + time},
        {order + "'2026-11-02 10:00', 'sale', 'approved', NULL)", "orders.order_time " + time},
        {order + "'2026-11-02 10:61:00', 'sale', 'approved', NULL)", "orders.order_time " + time},
        {order + "'2026-11-02 10:00:60', 'sale', 'approved', NULL)", "orders.order_time " + time},
        {order + "'2026-02-29 10:00:00', 'sale', 'approved', NULL)", "orders.order_time " + time},
        {order + "'2026-11-02 10:00:00', 'sale', 'approved', '')", "orders.approved_time " + time},
        {order + "'2026-11-02 10:00:00', 'sales', 'approved', NULL)", "orders.type must be sale or return"},
        {"UPDATE orders SET status = 'done'", "orders.status must be pending, approved, rejected or cancelled"},
        {"UPDATE orders SET status = 'Approved'", "orders.status must be pending, approved, rejected or cancelled"},
        // PostgreSQL's own type check answers a text in a number column.
        {"INSERT INTO order_lines VALUES('A1', 2, 'P1', 'abc', 1)", notANumber + "\"abc\""},
        {"INSERT INTO order_lines VALUES('A1', 2, 'P1', 1, '1,200')", notANumber + "\"1,200\""},
        {"UPDATE order_lines SET quantity = 'NaN'", "order_lines.quantity must be a number (a text is refused)"},
        {"UPDATE order_lines SET amount = -1", "order_lines.amount must not be negative"},
        {"UPDATE order_lines SET amount = 1.23456", "order_lines.amount must have at most 4 decimals"},
        {"UPDATE order_lines SET quantity = 0.00001", "order_lines.quantity must have at most 4 decimals"},
        {"UPDATE order_lines SET amount = 1e15", "order_lines.amount must be at most 100000000000000"},
        {"UPDATE order_lines SET amount = 'Infinity'", "order_lines.amount must be at most 100000000000000"},
        {"UPDATE order_lines SET line_no = 0", "order_lines.line_no must be a whole number of at least 1"},
        {"INSERT INTO kpis(code, type, name_vi, name_en) VALUES('K', 'REVENUE', 'x', 'x')",
         "kpis.type must be a KPI type (SALES, VOLUME, PC, LPPC, ASO, UB, COVERAGE, NEW_OUTLETS, FOCUS_SALES, "
         "FOCUS_OUTLETS, VISITS, STRIKE_RATE, DROP_SIZE)"},
        {"UPDATE kpis SET cap = 0", "kpis.cap must be greater than 0"},
        {"UPDATE kpis SET cap = 'high'", notANumber + "\"high\""},
        {"UPDATE targets SET period_type = 'month'",
         "targets.period_type must be DAY, WEEK, MONTH, QUARTER, YEAR or CYCLE"},
        {"UPDATE targets SET valid_to = '2026-11-31'", "targets.valid_to " + date},
        {"UPDATE targets SET target = 'x'", notANumber + "\"x\""},
        {"UPDATE targets SET target = 0.12345", "targets.target must have at most 4 decimals"},
        {"UPDATE targets SET weight = -1", "targets.weight must not be negative"},
        {"INSERT INTO holidays VALUES('2026-11-21 00:00:00', 'x')", "holidays.date " + date},
        // In a transaction: the refusal aborts it, nothing before it stays.
        {"BEGIN; INSERT INTO holidays VALUES('2026-12-24', 'x'); UPDATE orders SET type = 'gift'; COMMIT",
         "orders.type must be sale or return"},
    };
    const Rows before = contents(c);
    for (const auto& [sql, message] : cases) {
        EXPECT_EQ(c.refusal(sql), message) << sql;
        c.exec("ROLLBACK");  // (a warning outside a transaction)
    }
    EXPECT_EQ(contents(c), before);
}

TEST(PgStoreRules, AcceptEveryGoodValueIncludingTheEdges) {
    TestDatabase db;
    Connection c(db.conninfo());
    c.exec(kBase);
    const Rows good = {
        "INSERT INTO employees(code, name, role, start_date, end_date) VALUES('E2', 'x', 'SR', '2028-02-29', NULL)",
        "INSERT INTO employees(code, name, role, start_date) VALUES('E3', 'x', 'SR', '2000-02-29')",
        "INSERT INTO visits VALUES('V2', 'S1', 'O1', '2026-12-31 23:59:59')",
        "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status, approved_time) "
        "VALUES('A2', 'S1', 'O1', '2026-11-02 00:00:00', 'return', 'rejected', '2026-11-03 12:00:00')",
        "INSERT INTO order_lines VALUES('A2', 1, 'P1', 0, 0)",
        "INSERT INTO order_lines VALUES('A2', 2, 'P1', 0.0001, 100000000000000)",
        "INSERT INTO order_lines VALUES('A2', 3, 'P1', 2.5, 68719476735.9999)",
        "INSERT INTO order_lines VALUES('A2', 4, 'P1', 3 * 0.1::float8, 0.1::float8 + 0.2::float8)",  // a writer's noise
        "INSERT INTO order_lines VALUES('A2', 5, 'P1', '2', '336')",  // a text that reads as a number
        "UPDATE kpis SET cap = 1.2",
        "UPDATE kpis SET cap = NULL",
        "INSERT INTO targets VALUES('S1', 'PC', 'CYCLE', '2026-11-01', '2026-11-15', 0, 0)",
        "INSERT INTO holidays VALUES('2026-12-31', NULL)",
    };
    for (const auto& sql : good) EXPECT_EQ(c.refusal(sql), "") << sql;
    EXPECT_EQ(c.value("SELECT amount FROM order_lines WHERE order_code = 'A2' AND line_no = 5"), "336");
    EXPECT_EQ(c.value("SELECT count(*) FROM order_lines WHERE order_code = 'A2'"), "5");
}

// The import's bulk path: the owner's transaction with kpi.import = 'on' is
// let through (it checks its values and writes its log rows itself); the same
// setting in any other login's transaction changes nothing.
TEST(PgStoreRules, OnlyTheOwnersImportSkipsTheTriggers) {
    TestDatabase db;
    Connection c(db.conninfo());
    c.exec(kBase);
    const std::string changes = c.value("SELECT count(*) FROM changes");
    c.exec("BEGIN; SET LOCAL kpi.import = 'on';"
           "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
           "VALUES('A2', 'S1', 'O1', '2026-11-03 09:00:00', 'sale', 'pending');"
           "INSERT INTO changes(source, employee_code, day, ref) VALUES('orders', 'S1', '2026-11-03', 'A2');"
           "COMMIT");
    EXPECT_EQ(c.value("SELECT count(*) FROM changes"), std::to_string(std::stoi(changes) + 1));
    EXPECT_EQ(c.value("SELECT seq FROM kpi_change_counter"), c.value("SELECT max(seq) FROM changes"));
    // After the transaction the setting is gone: the triggers are back.
    EXPECT_EQ(c.refusal("UPDATE orders SET status = 'done'"),
              "orders.status must be pending, approved, rejected or cancelled");

    std::string writer = db.role("dms");
    c.exec("SELECT kpi_grant_writer('" + writer + "')");
    Connection w(db.conninfo(writer));
    EXPECT_EQ(w.refusal("BEGIN; SET LOCAL kpi.import = 'on'; UPDATE orders SET status = 'done'; COMMIT"),
              "orders.status must be pending, approved, rejected or cancelled");
    w.exec("ROLLBACK");
    w.exec("BEGIN; SET LOCAL kpi.import = 'on'; UPDATE orders SET status = 'cancelled' WHERE order_code = 'A2'; COMMIT");
    EXPECT_EQ(c.query("SELECT source, ref, old_status FROM changes ORDER BY seq DESC LIMIT 1"),
              Rows{"orders|A2|pending"});
}

// The tables' own CHECK constraints (SQLite's), which hold also where the
// triggers do not fire (the owner's import path).
TEST(PgStoreRules, TheTablesOwnChecksHoldUnderTheImportPathToo) {
    TestDatabase db;
    Connection c(db.conninfo());
    c.exec(kBase);
    c.exec("INSERT INTO plans(code, name_vi, name_en, period_type) VALUES('BONUS', 'Thưởng', 'Bonus', 'MONTH')");
    const Rows before = contents(c);
    const Rows bad = {
        "UPDATE orders SET type = 'gift'",
        "UPDATE orders SET status = 'done'",
        "UPDATE order_lines SET quantity = -1",
        "UPDATE order_lines SET amount = -0.5",
        "UPDATE kpis SET type = 'REVENUE'",
        "UPDATE kpis SET cap = 0",
        "UPDATE targets SET period_type = 'month'",
        "UPDATE targets SET target = -1",
        "UPDATE targets SET weight = -1",
        "UPDATE targets SET valid_to = '2026-10-31'",
        "UPDATE employees SET end_date = '2019-12-31'",
        "UPDATE routes SET valid_to = '2025-12-31'",
        "UPDATE plans SET period_type = 'WEEK'",
        "UPDATE plans SET gate_kpi = 'SALES'",
        "UPDATE plans SET curve_mode = 'smooth'",
        "INSERT INTO plan_components VALUES('BONUS', 'SALES', 0, '0:0,1:1')",
        "INSERT INTO plan_assignments VALUES('S1', 'BONUS', '2026-11-01', '2026-10-01', 1)",
        "INSERT INTO target_history(changed_at, changed_by, action, employee_code, kpi_code, period_type, valid_from) "
        "VALUES('x', 'x', 'moved', 'S1', 'K', 'MONTH', '2026-11-01')",
        "INSERT INTO closes(period_type, period_start, period_end, closed_at, closed_by) VALUES('WEEK', 'a', 'b', 'c', 'd')",
    };
    for (const auto& sql : bad) {
        std::string refusal = c.refusal("BEGIN; SET LOCAL kpi.import = 'on'; " + sql + "; COMMIT");
        EXPECT_NE(refusal.find("violates check constraint"), std::string::npos) << sql << ": " << refusal;
        c.exec("ROLLBACK");
    }
    EXPECT_EQ(contents(c), before);
}

}  // namespace
