// The store itself (schema version 3; docs/store.md): it refuses direct
// writes that break SPEC §3's rules, with the reason; `kpi init` upgrades a
// version-1 store in place or lists the rows in the way and changes nothing;
// a version-1 store is still read; the target audit and the change log cannot
// be edited or deleted by a direct writer.
//
// store-v1.sqlite was made by the kpi of schema version 1 (tests/unit/data/make_store_v1.sh).

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "kpi/engine.hpp"
#include "kpi/error.hpp"
#include "kpi/period.hpp"
#include "kpi/store.hpp"
#include "test_store.hpp"

namespace {

namespace fs = std::filesystem;
using kpi::Engine;
using kpitest::CsvFiles;
using kpitest::TestStore;
using Strings = std::vector<std::string>;

const kpi::Day kAsOf = kpi::makeDay(2026, 11, 30);

kpi::Period P(const std::string& text) { return kpi::parsePeriod(text).value(); }

CsvFiles base() {
    return {
        {"employees.csv",
         "code,name,role,manager_code,department,region,start_date,end_date\n"
         "S1,Nguyễn Thị Lan,SR,,,,2020-01-01,\n"},
        {"outlets.csv", "code,name,channel,province,created_date,created_by\nO1,Tạp hóa Cô Ba,,,2025-01-01,\n"},
        {"products.csv", "sku,name,category,brand\nP1,Sữa tươi,Dairy,VinaMilk\n"},
        {"kpis.csv", "code,type,name_vi,name_en\nSALES_TOTAL,SALES,Doanh số,Sales\n"},
        {"orders.csv",
         "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n"
         "A1,S1,O1,2026-11-02 08:00:00,sale,approved,\n"},
        {"order_lines.csv", "order_code,line_no,sku,quantity,amount\nA1,1,P1,1,1000\n"},
        {"visits.csv", "visit_code,employee_code,outlet_code,visit_time\nV1,S1,O1,2026-11-02 07:00:00\n"},
        {"routes.csv", "employee_code,outlet_code,valid_from,valid_to\nS1,O1,2026-01-01,\n"},
        {"targets.csv",
         "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n"
         "S1,SALES,MONTH,2026-11-01,2026-11-30,1000,1\n"},
        {"holidays.csv", "date,name\n2026-11-20,Ngày Nhà giáo\n"},
    };
}

// What SQLite said when a direct write was refused; "" when it was accepted.
std::string refusal(const TestStore& store, const std::string& sql) {
    try {
        store.execute(sql);
        return "";
    } catch (const std::runtime_error& e) {
        std::string message = e.what();
        const std::string prefix = "direct write failed: ";
        return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
    }
}

// ---- the store refuses bad direct writes ----------------------------------------------------

TEST(StoreRules, RefuseEveryBadValueNamingTableColumnAndRule) {
    TestStore store(base());
    const std::string date = "must be a date YYYY-MM-DD (a real calendar date)";
    const std::string time = "must be a time YYYY-MM-DD HH:MM:SS (a real date, hours 00-23)";
    const std::string order = "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status, "
                              "approved_time) VALUES('A2', 'S1', 'O1', ";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"INSERT INTO employees(code, name, role, start_date) VALUES('E2', 'x', 'SR', '2026-02-29')",
         "employees.start_date " + date},
        {"INSERT INTO employees(code, name, role, start_date) VALUES('E2', 'x', 'SR', '2100-02-29')",
         "employees.start_date " + date},
        {"INSERT INTO employees(code, name, role, start_date) VALUES('E2', 'x', 'SR', 20260101)",
         "employees.start_date " + date},
        {"UPDATE employees SET end_date = '2026-13-01' WHERE code = 'S1'", "employees.end_date " + date},
        {"UPDATE outlets SET created_date = '2026-4-01' WHERE code = 'O1'", "outlets.created_date " + date},
        {"INSERT INTO routes VALUES('S1', 'O1', '2026/11/01', NULL)", "routes.valid_from " + date},
        {"UPDATE routes SET valid_to = '2026-11-31'", "routes.valid_to " + date},
        {"INSERT INTO visits VALUES('V2', 'S1', 'O1', '2026-11-02T10:00:00')", "visits.visit_time " + time},
        {"UPDATE visits SET visit_time = '2026-11-02 24:00:00'", "visits.visit_time " + time},
        {order + "'2026-11-02 10:00', 'sale', 'approved', NULL)", "orders.order_time " + time},
        {order + "'2026-11-02 10:61:00', 'sale', 'approved', NULL)", "orders.order_time " + time},
        {order + "'2026-11-02 10:00:00', 'sale', 'approved', '')", "orders.approved_time " + time},
        {order + "'2026-11-02 10:00:00', 'sales', 'approved', NULL)", "orders.type must be sale or return"},
        {"UPDATE orders SET status = 'done'", "orders.status must be pending, approved, rejected or cancelled"},
        {"INSERT INTO order_lines VALUES('A1', 2, 'P1', 'abc', 1)",
         "order_lines.quantity must be a number (a text is refused)"},
        {"INSERT INTO order_lines VALUES('A1', 2, 'P1', 1, '1,200')",
         "order_lines.amount must be a number (a text is refused)"},
        {"UPDATE order_lines SET amount = -1", "order_lines.amount must not be negative"},
        {"UPDATE order_lines SET amount = 1.23456", "order_lines.amount must have at most 4 decimals"},
        {"UPDATE order_lines SET quantity = 0.00001", "order_lines.quantity must have at most 4 decimals"},
        {"UPDATE order_lines SET amount = 1e15", "order_lines.amount must be at most 100000000000000"},
        {"UPDATE order_lines SET line_no = 0", "order_lines.line_no must be a whole number of at least 1"},
        {"INSERT INTO order_lines VALUES('A1', 1.5, 'P1', 1, 1)",
         "order_lines.line_no must be a whole number of at least 1"},
        {"INSERT INTO kpis(code, type, name_vi, name_en) VALUES('K', 'REVENUE', 'x', 'x')",
         "kpis.type must be a KPI type (SALES, VOLUME, PC, LPPC, ASO, UB, COVERAGE, NEW_OUTLETS, FOCUS_SALES, "
         "FOCUS_OUTLETS, VISITS, STRIKE_RATE, DROP_SIZE)"},
        {"UPDATE kpis SET cap = 0", "kpis.cap must be greater than 0"},
        {"UPDATE kpis SET cap = 'high'", "kpis.cap must be a number (a text is refused)"},
        {"UPDATE targets SET period_type = 'month'",
         "targets.period_type must be DAY, WEEK, MONTH, QUARTER, YEAR or CYCLE"},
        {"UPDATE targets SET valid_to = '2026-11-31'", "targets.valid_to " + date},
        {"UPDATE targets SET target = 'x'", "targets.target must be a number (a text is refused)"},
        {"UPDATE targets SET target = 0.12345", "targets.target must have at most 4 decimals"},
        {"UPDATE targets SET weight = -1", "targets.weight must not be negative"},
        {"INSERT INTO holidays VALUES('2026-11-21 00:00:00', 'x')", "holidays.date " + date},
    };
    const std::string before = store.dump();
    for (const auto& [sql, message] : cases) EXPECT_EQ(refusal(store, sql), message) << sql;
    EXPECT_EQ(store.dump(), before);
}

TEST(StoreRules, AcceptEveryGoodValueIncludingTheEdges) {
    TestStore store(base());
    const Strings good = {
        "INSERT INTO employees(code, name, role, start_date, end_date) VALUES('E2', 'x', 'SR', '2028-02-29', NULL)",
        "INSERT INTO employees(code, name, role, start_date) VALUES('E3', 'x', 'SR', '2000-02-29')",
        "INSERT INTO visits VALUES('V2', 'S1', 'O1', '2026-12-31 23:59:59')",
        "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status, approved_time) "
        "VALUES('A2', 'S1', 'O1', '2026-11-02 00:00:00', 'return', 'rejected', '2026-11-03 12:00:00')",
        "INSERT INTO order_lines VALUES('A2', 1, 'P1', 0, 0)",
        "INSERT INTO order_lines VALUES('A2', 2, 'P1', 0.0001, 100000000000000)",
        "INSERT INTO order_lines VALUES('A2', 3, 'P1', 2.5, 68719476735.9999)",
        "INSERT INTO order_lines VALUES('A2', 4, 'P1', 3 * 0.1, 0.1 + 0.2)",  // a writer's floating-point noise
        "UPDATE kpis SET cap = 1.2",
        "UPDATE kpis SET cap = NULL",
        "INSERT INTO targets VALUES('S1', 'PC', 'CYCLE', '2026-11-01', '2026-11-15', 0, 0)",
    };
    for (const auto& sql : good) EXPECT_EQ(refusal(store, sql), "") << sql;
}

TEST(StoreRules, TakeATextThatReadsAsANumberAsThatNumber) {
    // SQLite's column affinity turns '336' into the REAL 336 before any rule
    // sees it: the value is the number written, never a misread text.
    TestStore store(base());
    EXPECT_EQ(refusal(store, "INSERT INTO order_lines VALUES('A1', 2, 'P1', '2', '336')"), "");
    EXPECT_EQ(store.query("SELECT typeof(amount), amount FROM order_lines WHERE line_no = 2"),
              Strings{"real|336.0"});
}

// ---- upgrading a version-1 store ------------------------------------------------------------

// A TestStore whose file is a copy of the version-1 store.
struct Version1Store : TestStore {
    Version1Store() {
        for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path().string() + suffix);
        fs::copy_file(fs::path(SALESKPI_TEST_DATA_DIR) / "store-v1.sqlite", path());
    }
    Strings schema() const {
        auto rows = query("SELECT type || ' ' || name FROM sqlite_schema ORDER BY 1");
        rows.push_back("user_version " + query("PRAGMA user_version").at(0));
        return rows;
    }
    // The rows of the tables and meta keys `reference` (an earlier dump) has:
    // what an upgrade must keep, whatever tables and meta keys it adds.
    std::string dumpLike(const std::string& reference) const {
        std::set<std::string> tables, metaKeys;
        std::istringstream in(reference);
        for (std::string line; std::getline(in, line);) {
            if (line.rfind("== ", 0) == 0) tables.insert(line.substr(3));
            if (line.rfind("meta: key=", 0) == 0) metaKeys.insert(line.substr(0, line.find(',')));
        }
        std::istringstream all(dump());
        std::string kept;
        for (std::string line; std::getline(all, line);) {
            std::string table = line.rfind("== ", 0) == 0 ? line.substr(3) : line.substr(0, line.find(':'));
            if (!tables.count(table)) continue;
            if (table == "meta" && line.rfind("meta: ", 0) == 0 && !metaKeys.count(line.substr(0, line.find(','))))
                continue;
            kept += line + "\n";
        }
        return kept;
    }
    int triggers(const std::string& prefix) const {
        return std::stoi(
            query("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND substr(name, 1, " +
                  std::to_string(prefix.size()) + ") = '" + prefix + "'")
                .at(0));
    }
};

// Figures of the version-1 store, worked out from make_store_v1.sh: S1 sold
// 100000.1 + 50000.2 + 20000.3 − 5000.1 = 165000.5, its target exactly.
void expectVersion1Figures(const fs::path& path) {
    Engine engine(path);
    auto s1 = engine.figures("S1", "SALES_TOTAL", P("2026-11"), kAsOf);
    EXPECT_EQ(s1.actual, 165000.5);
    EXPECT_EQ(s1.attainment, 1.0);
    // S2: B1 60000 + D1 (written directly through version 1's triggers) 0.1 + 0.2.
    EXPECT_EQ(engine.figures("S2", "SALES", P("2026-11"), kAsOf).actual, 60000.3);
    // P1: 10 + 2.5 − 0.5 + D1 0.1.
    EXPECT_EQ(engine.figures("M1", "VOL_DAIRY", P("2026-11"), kAsOf).actual, 12.1);
}

TEST(SchemaUpgrade, AVersionOneStoreIsStillReadAsBefore) {
    Version1Store v1;
    const Strings schema = v1.schema();
    expectVersion1Figures(v1.path());
    auto store = kpi::Store::open(v1.path(), kpi::Store::Mode::ReadOnly);
    auto history = store->targetHistory("S2", "");
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[1].who, "direct write");
    EXPECT_EQ(v1.schema(), schema);
    EXPECT_EQ(schema.back(), "user_version 1");
}

TEST(SchemaUpgrade, KpiInitUpgradesAVersionOneStoreInPlaceKeepingEveryRow) {
    Version1Store v1;
    const std::string rows = v1.dump();
    Engine engine(v1.path());  // open before the upgrade, as a workbook would be
    kpi::Store::init(v1.path());
    EXPECT_EQ(v1.query("PRAGMA user_version"), Strings{"3"});
    EXPECT_EQ(v1.dumpLike(rows), rows);
    EXPECT_EQ(v1.triggers("orders_"), 0);  // version 1's triggers are gone
    EXPECT_EQ(v1.triggers("targets_audit_"), 0);
    EXPECT_GT(v1.triggers("check_"), 0);
    EXPECT_GT(v1.triggers("log_"), 0);
    expectVersion1Figures(v1.path());
    // The upgraded store refuses what version 1 took, and an engine opened
    // before the upgrade follows what is written after it.
    EXPECT_EQ(refusal(v1, "UPDATE order_lines SET amount = 'abc'"), "order_lines.amount must be a number (a text is refused)");
    v1.execute("INSERT OR REPLACE INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
               "VALUES('A2', 'S1', 'O2', '2026-11-05 09:30:00', 'sale', 'approved');"
               "INSERT INTO order_lines VALUES('A2', 1, 'P1', 2.5, 20000.3);");
    EXPECT_TRUE(engine.refresh());
    EXPECT_EQ(engine.figures("S1", "SALES_TOTAL", P("2026-11"), kAsOf).attainment, 1.0);
    const std::string upgraded = v1.dump();
    kpi::Store::init(v1.path());  // a second init changes nothing
    EXPECT_EQ(v1.query("PRAGMA user_version"), Strings{"3"});
    EXPECT_EQ(v1.dump(), upgraded);
}

TEST(SchemaUpgrade, IsRefusedListingTheRowsThatBreakTheRulesAndChangesNothing) {
    Version1Store v1;
    // Version 1 took these.
    v1.execute("INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
               "VALUES('D9', 'S1', 'O1', '2026/11/19 10:00:00', 'sale', 'approved');"
               "INSERT INTO order_lines VALUES('D9', 1, 'P1', 1, 'abc'), ('A1', 3, 'P2', 1.23456, 1);"
               "UPDATE targets SET weight = 'heavy' WHERE employee_code = 'S2';"
               "INSERT INTO holidays VALUES('2026-02-30', 'Sai ngày');");
    const std::string rows = v1.dump();
    const Strings schema = v1.schema();
    try {
        kpi::Store::init(v1.path());
        FAIL() << "upgraded";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::InvalidData);
        const std::string path = v1.path().string();
        EXPECT_EQ(std::string(e.what()),
                  "store " + path +
                      " cannot be upgraded to schema version 3: 5 rows break the rules that version adds. Nothing was "
                      "changed (the store stays at version 1, which SalesKPI still reads); correct or delete these "
                      "rows, then run `kpi init` again:\n"
                      "  orders order_code='D9': order_time must be a time YYYY-MM-DD HH:MM:SS (a real date, hours "
                      "00-23), not '2026/11/19 10:00:00'\n"
                      "  order_lines order_code='A1', line_no=3: quantity must have at most 4 decimals, not 1.23456\n"
                      "  order_lines order_code='D9', line_no=1: amount must be a number (a text is refused), not 'abc'\n"
                      "  targets employee_code='S2', kpi_code='SALES_TOTAL', period_type='MONTH', "
                      "valid_from='2026-11-01': weight must be a number (a text is refused), not 'heavy'\n"
                      "  holidays date='2026-02-30': date must be a date YYYY-MM-DD (a real calendar date), not "
                      "'2026-02-30'");
    }
    EXPECT_EQ(v1.dump(), rows);
    EXPECT_EQ(v1.schema(), schema);
    // Still read as version 1 always read it: A1's third line adds 1, the text 'abc' counts 0.
    Engine stillRead(v1.path());
    EXPECT_EQ(stillRead.figures("S1", "SALES_TOTAL", P("2026-11"), kAsOf).actual, 165001.5);
    // Once the admin has corrected them, the upgrade goes through.
    v1.execute("UPDATE orders SET order_time = '2026-11-19 10:00:00' WHERE order_code = 'D9';"
               "UPDATE order_lines SET amount = 336 WHERE order_code = 'D9';"
               "DELETE FROM order_lines WHERE order_code = 'A1' AND line_no = 3;"
               "UPDATE targets SET weight = 1 WHERE employee_code = 'S2';"
               "DELETE FROM holidays WHERE date = '2026-02-30';");
    kpi::Store::init(v1.path());
    EXPECT_EQ(v1.query("PRAGMA user_version"), Strings{"3"});
}

TEST(SchemaUpgrade, AStoreOfANewerVersionIsRefusedSayingToInstallTheNewerSalesKpi) {
    TestStore store(base());
    store.execute("PRAGMA user_version = 4;");
    try {
        Engine engine(store.path());
        FAIL() << "read";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::Corruption);
        EXPECT_NE(std::string(e.what()).find("has schema version 4, newer than this SalesKPI (it reads 1 to 3); "
                                             "install the newer SalesKPI"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(kpi::Store::init(store.path()), kpi::Error);
}

// ---- an audit you can trust -----------------------------------------------------------------

Strings history(const TestStore& store) {
    return store.query("SELECT action || ' ' || employee_code || ' ' || kpi_code || ' ' || period_type || ' ' || "
                       "valid_from || ' ' || coalesce(before, '-') || ' → ' || coalesce(after, '-') || ' by ' || "
                       "changed_by FROM target_history ORDER BY id");
}

TEST(TargetAudit, CannotBeEditedOrDeletedByADirectWriter) {
    TestStore store(base());
    const Strings before = history(store);
    ASSERT_EQ(before.size(), 1u);
    const std::string message = "target_history is the audit of target changes: its rows cannot be changed or deleted";
    EXPECT_EQ(refusal(store, "UPDATE target_history SET after = 'target=1'"), message);
    EXPECT_EQ(refusal(store, "UPDATE target_history SET changed_by = 'someone else'"), message);
    EXPECT_EQ(refusal(store, "DELETE FROM target_history"), message);
    EXPECT_EQ(refusal(store, "BEGIN; DELETE FROM target_history WHERE id = 1; COMMIT;"), message);
    EXPECT_EQ(history(store), before);
    // kpi import keeps adding to it.
    store.import({{"targets.csv", "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n"
                                  "S1,SALES,MONTH,2026-11-01,2026-11-30,1200,1\n"}});
    EXPECT_EQ(history(store).size(), 2u);
}

TEST(ChangeLog, CannotBeEditedOrDeletedByADirectWriter) {
    TestStore store(base());
    const Strings before = store.query("SELECT * FROM changes ORDER BY seq");
    const std::string message = "changes is the change log that open workbooks follow: its rows cannot be changed or deleted";
    EXPECT_EQ(refusal(store, "DELETE FROM changes"), message);
    EXPECT_EQ(refusal(store, "UPDATE changes SET day = '2026-11-03'"), message);
    EXPECT_EQ(store.query("SELECT * FROM changes ORDER BY seq"), before);
}

TEST(TargetAudit, RecordsEveryFormOfDirectWrite) {
    TestStore store(base());
    store.execute(
        // A new target, then replaced (REPLACE deletes the old row without a
        // DELETE trigger: the audit still shows the edit and its before).
        "INSERT INTO targets VALUES('S1', 'PC', 'MONTH', '2026-11-01', '2026-11-30', 5, 1);"
        "INSERT OR REPLACE INTO targets VALUES('S1', 'PC', 'MONTH', '2026-11-01', '2026-11-30', 6, 1);"
        // An upsert that updates, and an insert that is ignored.
        "INSERT INTO targets VALUES('S1', 'PC', 'MONTH', '2026-11-01', '2026-11-30', 7, 1) ON CONFLICT DO UPDATE "
        "SET target = excluded.target;"
        "INSERT OR IGNORE INTO targets VALUES('S1', 'PC', 'MONTH', '2026-11-01', '2026-11-30', 8, 1);"
        // A new key: the old one is removed, the new one arrives.
        "UPDATE targets SET valid_from = '2026-11-16' WHERE kpi_code = 'PC';"
        // Moved over an existing key: that one is edited.
        "UPDATE OR REPLACE targets SET kpi_code = 'SALES', valid_from = '2026-11-01', target = 900 WHERE kpi_code = "
        "'PC';"
        "DELETE FROM targets;");
    const std::string month = "MONTH 2026-11-01 ";
    EXPECT_EQ(history(store),
              (Strings{"new S1 SALES " + month + "- → target=1000.0;weight=1.0;valid_to=2026-11-30 by kpi import",
                       "new S1 PC " + month + "- → target=5.0;weight=1.0;valid_to=2026-11-30 by direct write",
                       "edit S1 PC " + month +
                           "target=5.0;weight=1.0;valid_to=2026-11-30 → target=6.0;weight=1.0;valid_to=2026-11-30 "
                           "by direct write",
                       "edit S1 PC " + month +
                           "target=6.0;weight=1.0;valid_to=2026-11-30 → target=7.0;weight=1.0;valid_to=2026-11-30 "
                           "by direct write",
                       "remove S1 PC " + month + "target=7.0;weight=1.0;valid_to=2026-11-30 → - by direct write",
                       "new S1 PC MONTH 2026-11-16 - → target=7.0;weight=1.0;valid_to=2026-11-30 by direct write",
                       "remove S1 PC MONTH 2026-11-16 target=7.0;weight=1.0;valid_to=2026-11-30 → - by direct write",
                       "edit S1 SALES " + month +
                           "target=1000.0;weight=1.0;valid_to=2026-11-30 → target=900.0;weight=1.0;valid_to=2026-11-30 "
                           "by direct write",
                       "remove S1 SALES " + month + "target=900.0;weight=1.0;valid_to=2026-11-30 → - by direct write"}));
}

}  // namespace
