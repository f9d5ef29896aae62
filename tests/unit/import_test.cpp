// Import of interchange CSV (SPEC §3): every validation rule rejects the whole
// import with FILE:LINE errors and leaves the store exactly as it was (compared
// by a dump of every table); valid imports upsert by key, are idempotent, keep
// the target audit history, and do not care about argument order or file-name
// prefixes.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "kpi/error.hpp"
#include "kpi/store.hpp"
#include "test_store.hpp"

namespace {

namespace fs = std::filesystem;
using kpitest::CsvFiles;
using kpitest::Rejection;
using kpitest::TestStore;
using Strings = std::vector<std::string>;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// "orders.csv:3" of "orders.csv:3: message".
std::string locationOf(const std::string& error) {
    auto colon = error.find(": ");
    return colon == std::string::npos ? error : error.substr(0, colon);
}

// Where each error was reported, in the reported order.
Strings locations(const Rejection& r) {
    Strings out;
    for (const auto& e : r.errors) out.push_back(locationOf(e));
    return out;
}

Strings sorted(Strings v) {
    std::sort(v.begin(), v.end());
    return v;
}

// True when some error at this location mentions every one of the words.
bool mentions(const Rejection& r, const std::string& location, std::initializer_list<std::string> words) {
    for (const auto& e : r.errors) {
        if (locationOf(e) != location) continue;
        if (std::all_of(words.begin(), words.end(), [&](const std::string& w) { return contains(e, w); })) return true;
    }
    return false;
}

const std::string kEmployeesHeader = "code,name,role,manager_code,department,region,start_date,end_date\n";
const std::string kOutletsHeader = "code,name,channel,province,created_date,created_by\n";
const std::string kProductsHeader = "sku,name,category,brand\n";
const std::string kRoutesHeader = "employee_code,outlet_code,valid_from,valid_to\n";
const std::string kVisitsHeader = "visit_code,employee_code,outlet_code,visit_time\n";
const std::string kOrdersHeader = "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n";
const std::string kLinesHeader = "order_code,line_no,sku,quantity,amount\n";
const std::string kKpisHeader = "code,type,name_vi,name_en,description,applies_to,unit,params,cap\n";
const std::string kTargetsHeader = "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n";
const std::string kHolidaysHeader = "date,name\n";

// A small, valid distributor: a supervisor with two salespeople, every file kind.
CsvFiles baseFiles() {
    return {
        {"employees.csv", kEmployeesHeader +
                              "M1,Trần Văn Hùng,SS,,Kênh GT,Hồ Chí Minh,2020-01-01,\n"
                              "S1,Nguyễn Thị Lan,SR,M1,Kênh GT,Hồ Chí Minh,2020-01-01,\n"
                              "S2,Lê Văn Bình,SR,M1,Kênh GT,Hồ Chí Minh,2020-01-01,\n"},
        {"outlets.csv", kOutletsHeader +
                            "O1,Tạp hóa Cô Ba,GT,Hồ Chí Minh,2025-01-01,\n"
                            "O2,\"Cửa hàng Minh Anh, Quận 3\",GT,Hồ Chí Minh,2026-11-05,S1\n"},
        {"products.csv", kProductsHeader +
                             "P1,Sữa tươi 180ml,Dairy,VinaMilk\n"
                             "P2,Bánh snack tôm,Snack,Oishi\n"},
        {"routes.csv", kRoutesHeader +
                           "S1,O1,2026-01-01,\n"
                           "S2,O2,2026-01-01,2026-12-31\n"},
        {"visits.csv", kVisitsHeader +
                           "V1,S1,O1,2026-11-02 08:00:00\n"
                           "V2,S2,O2,2026-11-03 09:00:00\n"},
        {"orders.csv", kOrdersHeader +
                           "A1,S1,O1,2026-11-02 08:10:00,sale,approved,2026-11-02 12:00:00\n"
                           "A2,S2,O2,2026-11-03 09:10:00,sale,pending,\n"},
        {"order_lines.csv", kLinesHeader +
                                "A1,1,P1,10,100000\n"
                                "A1,2,P2,2,25000.50\n"
                                "A2,1,P1,1,10000\n"},
        {"kpis.csv", kKpisHeader +
                         "SALES_SR,SALES,Doanh số,Sales,,SR,VND,,\n"
                         "FOCUS_P1,FOCUS_SALES,Doanh số trọng tâm,Focus sales,,SR|SS,VND,skus=P1,1.2\n"},
        {"targets.csv", kTargetsHeader +
                            "S1,SALES_SR,MONTH,2026-11-01,2026-11-30,300000,2\n"
                            "S2,PC,MONTH,2026-11-01,2026-11-30,20,\n"},
        {"holidays.csv", kHolidaysHeader + "2026-11-20,Ngày Nhà giáo Việt Nam\n"},
    };
}

// ---- happy paths ------------------------------------------------------------

TEST(Import, WritesEveryFileKind) {
    TestStore store(baseFiles());
    EXPECT_EQ(store.query("SELECT code, name, role, coalesce(manager_code, '') FROM employees ORDER BY code"), (Strings{"M1|Trần Văn Hùng|SS|", "S1|Nguyễn Thị Lan|SR|M1", "S2|Lê Văn Bình|SR|M1"}));
    EXPECT_EQ(store.query("SELECT code, name, created_by FROM outlets ORDER BY code"), (Strings{"O1|Tạp hóa Cô Ba|NULL", "O2|Cửa hàng Minh Anh, Quận 3|S1"}));
    EXPECT_EQ(store.query("SELECT order_code, line_no, sku, quantity, amount FROM order_lines ORDER BY 1, 2"), (Strings{"A1|1|P1|10.0|100000.0", "A1|2|P2|2.0|25000.5", "A2|1|P1|1.0|10000.0"}));
    EXPECT_EQ(store.query("SELECT order_code, status, coalesce(approved_time, '-') FROM orders ORDER BY 1"), (Strings{"A1|approved|2026-11-02 12:00:00", "A2|pending|-"}));
    EXPECT_EQ(store.query("SELECT code, params, cap, applies_to FROM kpis ORDER BY 1"), (Strings{"FOCUS_P1|skus=P1|1.2|SR|SS", "SALES_SR|NULL|NULL|SR"}));
    EXPECT_EQ(store.query("SELECT date, name FROM holidays"), (Strings{"2026-11-20|Ngày Nhà giáo Việt Nam"}));
    EXPECT_EQ(store.query("SELECT visit_code, employee_code FROM visits ORDER BY 1"), (Strings{"V1|S1", "V2|S2"}));
    EXPECT_EQ(store.query("SELECT employee_code, outlet_code, coalesce(valid_to, '-') FROM routes ORDER BY 1"), (Strings{"S1|O1|-", "S2|O2|2026-12-31"}));
}

TEST(Import, DefaultsAMissingWeightToOne) {
    TestStore store(baseFiles());
    EXPECT_EQ(store.query("SELECT employee_code, kpi_code, target, weight FROM targets ORDER BY 1"), (Strings{"S1|SALES_SR|300000.0|2.0", "S2|PC|20.0|1.0"}));
}

TEST(Import, SummarisesRowsReadPerFileKind) {
    TestStore store;
    auto summary = store.import(baseFiles());
    auto read = [&](const std::string& kind) {
        for (const auto& [name, rows] : summary.rowsRead)
            if (name == kind) return rows;
        return -1LL;
    };
    EXPECT_EQ(read("order_lines.csv"), 3);
    EXPECT_EQ(read("employees.csv"), 3);
    EXPECT_EQ(read("holidays.csv"), 1);
    // 3 + 2 + 2 + 2 + 2 + 2 + 3 + 2 + 2 + 1 data rows, all new.
    EXPECT_EQ(summary.rowsChanged, 21);
    EXPECT_TRUE(summary.warnings.empty());
}

TEST(Import, AcceptsFilesInAnyArgumentOrder) {
    TestStore reference(baseFiles());

    TestStore store;
    auto paths = store.write(baseFiles());
    std::reverse(paths.begin(), paths.end());  // targets, … , order_lines, orders, … employees last
    ASSERT_EQ(paths.front().filename(), "visits.csv");
    store.importPaths(paths);
    // The same rows as an import in dependency order (the audit times may differ).
    EXPECT_EQ(store.query("SELECT * FROM orders ORDER BY 1"), reference.query("SELECT * FROM orders ORDER BY 1"));
    EXPECT_EQ(store.query("SELECT * FROM order_lines ORDER BY 1, 2"),
              reference.query("SELECT * FROM order_lines ORDER BY 1, 2"));
    EXPECT_EQ(store.query("SELECT * FROM targets ORDER BY 1, 2"), reference.query("SELECT * FROM targets ORDER BY 1, 2"));
    EXPECT_EQ(store.query("SELECT * FROM employees ORDER BY 1"), reference.query("SELECT * FROM employees ORDER BY 1"));
}

TEST(Import, RecognisesTheFileKindFromTheEndOfItsName) {
    TestStore store(baseFiles());
    store.import({{"2026-11_orders.csv", kOrdersHeader + "A7,S1,O1,2026-11-07 10:00:00,sale,approved,\n"},
                  {"dms-export.order_lines.csv", kLinesHeader + "A7,1,P1,1,1000\n"},
                  {"HR-Employees.CSV", kEmployeesHeader + "S3,Phạm Thu Hà,SR,M1,,,2026-11-16,\n"}});
    EXPECT_EQ(store.query("SELECT order_code FROM orders WHERE order_code = 'A7'"), (Strings{"A7"}));
    EXPECT_EQ(store.query("SELECT order_code, sku FROM order_lines WHERE order_code = 'A7'"), (Strings{"A7|P1"}));
    EXPECT_EQ(store.query("SELECT code FROM employees WHERE code = 'S3'"), (Strings{"S3"}));
}

TEST(Import, RejectsAFileWhoseNameNamesNoKind) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"sales.csv", kOrdersHeader}, {"orders_backup.csv", kOrdersHeader}});
    EXPECT_EQ(locations(rejected), (Strings{"orders_backup.csv:1", "sales.csv:1"})) << rejected.message;
}

TEST(Import, ReadsUtf8WithBomAndCrlf) {
    TestStore store;
    CsvFiles files = baseFiles();
    for (auto& [name, content] : files) {
        std::string crlf;
        for (char c : content) {
            if (c == '\n') crlf += '\r';
            crlf += c;
        }
        content = "\xEF\xBB\xBF" + crlf;
    }
    store.import(files);
    TestStore reference(baseFiles());
    EXPECT_EQ(store.query("SELECT * FROM employees ORDER BY 1"), reference.query("SELECT * FROM employees ORDER BY 1"));
    EXPECT_EQ(store.query("SELECT * FROM outlets ORDER BY 1"), reference.query("SELECT * FROM outlets ORDER BY 1"));
    EXPECT_EQ(store.query("SELECT * FROM holidays"), reference.query("SELECT * FROM holidays"));
    // No '\r' or BOM leaks into values or the first column's name.
    EXPECT_EQ(store.query("SELECT count(*) FROM employees WHERE code = 'M1' AND end_date IS NULL"), (Strings{"1"}));
}

TEST(Import, ResolvesReferencesToRowsOfAnEarlierImport) {
    TestStore store;
    CsvFiles files = baseFiles();
    store.import({{"employees.csv", files["employees.csv"]},
                  {"outlets.csv", files["outlets.csv"]},
                  {"products.csv", files["products.csv"]},
                  {"kpis.csv", files["kpis.csv"]}});
    store.import({{"orders.csv", files["orders.csv"]}, {"targets.csv", files["targets.csv"]}});
    // Lines of an order that is only in the store.
    store.import({{"order_lines.csv", files["order_lines.csv"]}});
    EXPECT_EQ(store.query("SELECT count(*) FROM order_lines"), (Strings{"3"}));
    EXPECT_EQ(store.query("SELECT count(*) FROM targets"), (Strings{"2"}));
}

TEST(Import, AcceptsAManagerListedLaterInTheSameFile) {
    TestStore store;
    store.import({{"employees.csv", kEmployeesHeader + "S1,Lan,SR,M1,,,2020-01-01,\nM1,Hùng,SS,,,,2020-01-01,\n"}});
    EXPECT_EQ(store.query("SELECT code, manager_code FROM employees ORDER BY 1"), (Strings{"M1|NULL", "S1|M1"}));
}

TEST(Import, MatchesColumnsByNameInAnyOrder) {
    TestStore store(baseFiles());
    store.import({{"orders.csv", "status,type,order_time,outlet_code,employee_code,order_code\n"
                                 "approved,return,2026-11-09 10:00:00,O1,S1,R1\n"}});
    EXPECT_EQ(store.query("SELECT order_code, employee_code, outlet_code, type, status FROM orders WHERE "
                            "order_code = 'R1'"), (Strings{"R1|S1|O1|return|approved"}));
}

TEST(Import, ReportsAnUnknownColumnAsAWarningAndIgnoresIt) {
    TestStore store(baseFiles());
    auto summary = store.import(
        {{"orders.csv", "order_code,employee_code,outlet_code,order_time,type,status,note\n"
                        "A3,S1,O1,2026-11-04 10:00:00,sale,approved,giao gấp\n"}});
    ASSERT_EQ(summary.warnings.size(), 1u);
    EXPECT_TRUE(contains(summary.warnings[0], "orders.csv:1")) << summary.warnings[0];
    EXPECT_TRUE(contains(summary.warnings[0], "note")) << summary.warnings[0];
    EXPECT_EQ(store.query("SELECT order_code, status FROM orders WHERE order_code = 'A3'"), (Strings{"A3|approved"}));
}

TEST(Import, TreatsEmptyOptionalCellsAsNotGiven) {
    TestStore store(baseFiles());
    store.import({{"employees.csv", kEmployeesHeader + "S3,Hà,SR,,,,2026-01-01,\n"}});
    EXPECT_EQ(store.query("SELECT coalesce(manager_code, 'NULL'), coalesce(department, 'NULL'), "
                            "coalesce(end_date, 'NULL') FROM employees WHERE code = 'S3'"), (Strings{"NULL|NULL|NULL"}));
}

TEST(Import, AcceptsAHeaderOnlyFile) {
    TestStore store(baseFiles());
    std::string before = store.dump();
    auto summary = store.import({{"orders.csv", kOrdersHeader}});
    EXPECT_EQ(summary.rowsChanged, 0);
    EXPECT_EQ(store.dump(), before);
}

// ---- idempotence, updates, audit -------------------------------------------

TEST(Import, ChangesNothingWhenTheSameFilesAreImportedTwice) {
    TestStore store(baseFiles());
    auto store2 = kpi::Store::open(store.path(), kpi::Store::Mode::ReadOnly);
    auto historyBefore = store2->targetHistory("", "");
    std::string before = store.dump();

    auto summary = store.import(baseFiles());

    EXPECT_EQ(summary.rowsChanged, 0);
    EXPECT_EQ(store.dump(), before);
    auto historyAfter = store2->targetHistory("", "");
    ASSERT_EQ(historyAfter.size(), historyBefore.size());
    EXPECT_EQ(historyAfter.size(), 2u);  // the two targets' "new" entries only
}

TEST(Import, UpdatesTheStatusOfAReimportedOrder) {
    TestStore store(baseFiles());
    auto summary = store.import(
        {{"orders.csv", kOrdersHeader + "A2,S2,O2,2026-11-03 09:10:00,sale,approved,2026-11-03 15:00:00\n"
                                        "A1,S1,O1,2026-11-02 08:10:00,sale,cancelled,2026-11-02 12:00:00\n"}});
    EXPECT_EQ(summary.rowsChanged, 2);
    EXPECT_EQ(store.query("SELECT order_code, status, coalesce(approved_time, '-') FROM orders ORDER BY 1"), (Strings{"A1|cancelled|2026-11-02 12:00:00", "A2|approved|2026-11-03 15:00:00"}));
    // The lines stay.
    EXPECT_EQ(store.query("SELECT count(*) FROM order_lines"), (Strings{"3"}));
}

// ---- amended orders (SPEC §3: an order whose lines are in an import gets exactly those lines) ----

TEST(ImportAmendedOrders, RemoveTheLineTheDmsDroppedFromAReimportedOrder) {
    TestStore store(baseFiles());
    auto summary = store.import(
        {{"orders.csv", kOrdersHeader + "A1,S1,O1,2026-11-02 08:10:00,sale,approved,2026-11-02 12:00:00\n"},
         {"order_lines.csv", kLinesHeader + "A1,1,P1,10,100000\n"}});
    EXPECT_EQ(store.query("SELECT order_code, line_no FROM order_lines ORDER BY 1, 2"), (Strings{"A1|1", "A2|1"}));
    EXPECT_EQ(summary.linesRemoved, 1);
    EXPECT_EQ(summary.rowsChanged, 0);  // the order and its kept line are as they were
    // Readers learn it from the change log: A1's bucket, as a change of its lines.
    EXPECT_EQ(store.query("SELECT source, employee_code, day, ref FROM changes ORDER BY seq DESC LIMIT 1"),
              (Strings{"order_lines|S1|2026-11-02|A1"}));
}

TEST(ImportAmendedOrders, RemoveDroppedLinesOfAnOrderWhoseLinesAloneAreImported) {
    TestStore store(baseFiles());
    auto summary = store.import({{"order_lines.csv", kLinesHeader + "A1,2,P2,3,30000\n"}});
    EXPECT_EQ(store.query("SELECT order_code, line_no, quantity FROM order_lines ORDER BY 1, 2"),
              (Strings{"A1|2|3.0", "A2|1|1.0"}));
    EXPECT_EQ(summary.linesRemoved, 1);
    EXPECT_EQ(summary.rowsChanged, 1);
}

TEST(ImportAmendedOrders, KeepTheStoredLinesOfAnOrderImportedWithoutAnyLine) {
    TestStore store(baseFiles());
    auto summary = store.import(
        {{"orders.csv", kOrdersHeader + "A1,S1,O1,2026-11-02 08:10:00,sale,cancelled,2026-11-02 12:00:00\n"},
         {"order_lines.csv", kLinesHeader + "A2,1,P1,1,10000\n"}});
    EXPECT_EQ(store.query("SELECT order_code, line_no FROM order_lines ORDER BY 1, 2"),
              (Strings{"A1|1", "A1|2", "A2|1"}));
    EXPECT_EQ(summary.linesRemoved, 0);
}

TEST(ImportAmendedOrders, RemoveLinesBetweenAndBeyondTheImportedOnes) {
    TestStore store(baseFiles());
    store.import({{"order_lines.csv", kLinesHeader + "A1,1,P1,1,1\nA1,2,P1,1,2\nA1,3,P1,1,3\nA1,4,P1,1,4\n"
                                                     "A1,5,P1,1,5\nA1,6,P1,1,6\nA1,7,P1,1,7\n"}});
    // Lines 2, 3 and 4 again (in two runs, out of order), then 6; 1, 5 and 7 were dropped.
    auto summary = store.import({{"order_lines.csv", kLinesHeader + "A1,6,P1,1,6\nA1,3,P1,1,3\nA1,4,P1,1,4\n"
                                                                    "A1,2,P1,1,2\n"}});
    EXPECT_EQ(store.query("SELECT line_no FROM order_lines WHERE order_code = 'A1' ORDER BY 1"),
              (Strings{"2", "3", "4", "6"}));
    EXPECT_EQ(summary.linesRemoved, 3);
}

TEST(ImportAmendedOrders, KeepEveryLineOfAnOrderSpreadOverTwoFiles) {
    TestStore store(baseFiles());
    auto summary = store.import({{"a_order_lines.csv", kLinesHeader + "A1,1,P1,10,100000\nA2,1,P1,1,10000\n"},
                                 {"b_order_lines.csv", kLinesHeader + "A1,2,P2,2,25000.50\n"}});
    EXPECT_EQ(summary.linesRemoved, 0);
    EXPECT_EQ(store.query("SELECT count(*) FROM order_lines"), (Strings{"3"}));
}

TEST(ImportAmendedOrders, LeaveOtherOrdersLinesAlone) {
    TestStore store(baseFiles());
    store.import({{"order_lines.csv", kLinesHeader + "A2,2,P2,1,500\n"}});
    EXPECT_EQ(store.query("SELECT order_code, line_no FROM order_lines ORDER BY 1, 2"), (Strings{"A1|1", "A1|2", "A2|2"}));
}

TEST(ImportAmendedOrders, RemoveNothingWhenTheImportIsRejected) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"orders.csv", kOrdersHeader + "A9,S1,O1,2026-11-02,sale,approved,\n"},
                                          {"order_lines.csv", kLinesHeader + "A1,1,P1,10,100000\n"}});
    EXPECT_TRUE(mentions(rejected, "orders.csv:2", {"order_time"})) << rejected.message;
    EXPECT_EQ(store.query("SELECT count(*) FROM order_lines WHERE order_code = 'A1'"), (Strings{"2"}));
}

TEST(Import, UpsertsDimensionRowsByKey) {
    TestStore store(baseFiles());
    store.import({{"products.csv", kProductsHeader + "P1,Sữa tươi 220ml,Dairy,VinaMilk\n"},
                  {"employees.csv", kEmployeesHeader + "S2,Lê Văn Bình,SR,M1,Kênh GT,Hồ Chí Minh,2020-01-01,2026-11-30\n"}});
    EXPECT_EQ(store.query("SELECT sku, name FROM products ORDER BY 1"), (Strings{"P1|Sữa tươi 220ml", "P2|Bánh snack tôm"}));
    EXPECT_EQ(store.query("SELECT coalesce(end_date, '-') FROM employees WHERE code = 'S2'"), (Strings{"2026-11-30"}));
    EXPECT_EQ(store.query("SELECT count(*) FROM employees"), (Strings{"3"}));
}

TEST(TargetHistory, RecordsAnEditWithBeforeAfterAndTheUser) {
    TestStore store(baseFiles());
    kpi::ImportOptions options;
    options.user = "lan.admin";
    store.import({{"targets.csv", kTargetsHeader + "S1,SALES_SR,MONTH,2026-11-01,2026-11-30,350000,2\n"}}, options);

    auto history = kpi::Store::open(store.path(), kpi::Store::Mode::ReadOnly)->targetHistory("S1", "SALES_SR");
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[0].action, "new");
    EXPECT_EQ(history[0].before, "");
    EXPECT_TRUE(contains(history[0].after, "target=300000")) << history[0].after;
    const auto& edit = history[1];
    EXPECT_EQ(edit.action, "edit");
    EXPECT_EQ(edit.who, "lan.admin");
    EXPECT_EQ(edit.employeeCode, "S1");
    EXPECT_EQ(edit.kpiCode, "SALES_SR");
    EXPECT_EQ(edit.periodType, "MONTH");
    EXPECT_EQ(edit.validFrom, "2026-11-01");
    EXPECT_TRUE(contains(edit.before, "target=300000") && contains(edit.before, "valid_to=2026-11-30")) << edit.before;
    EXPECT_TRUE(contains(edit.after, "target=350000") && contains(edit.after, "valid_to=2026-11-30")) << edit.after;
    EXPECT_TRUE(std::regex_match(edit.when, std::regex(R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})"))) << edit.when;
    // The target itself now has the new value.
    EXPECT_EQ(store.query("SELECT target FROM targets WHERE employee_code = 'S1'"), (Strings{"350000.0"}));
}

TEST(TargetHistory, RecordsAWeightOnlyEdit) {
    TestStore store(baseFiles());
    store.import({{"targets.csv", kTargetsHeader + "S1,SALES_SR,MONTH,2026-11-01,2026-11-30,300000,3\n"}});
    auto history = kpi::Store::open(store.path(), kpi::Store::Mode::ReadOnly)->targetHistory("S1", "");
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[1].action, "edit");
    EXPECT_TRUE(contains(history[1].before, "weight=2")) << history[1].before;
    EXPECT_TRUE(contains(history[1].after, "weight=3")) << history[1].after;
}

TEST(TargetHistory, FiltersByEmployeeAndKpi) {
    TestStore store(baseFiles());
    auto s = kpi::Store::open(store.path(), kpi::Store::Mode::ReadOnly);
    EXPECT_EQ(s->targetHistory("S2", "").size(), 1u);
    EXPECT_EQ(s->targetHistory("", "PC").size(), 1u);
    EXPECT_EQ(s->targetHistory("S2", "SALES_SR").size(), 0u);
    EXPECT_EQ(s->targetHistory("", "").size(), 2u);
}

TEST(TargetHistory, KeepsNothingOfARejectedImport) {
    TestStore store(baseFiles());
    store.importRejected({{"targets.csv", kTargetsHeader + "S1,SALES_SR,MONTH,2026-11-01,2026-11-30,350000,2\n"
                                                           "S1,NOPE,MONTH,2026-11-01,2026-11-30,1,\n"}});
    auto history = kpi::Store::open(store.path(), kpi::Store::Mode::ReadOnly)->targetHistory("S1", "");
    EXPECT_EQ(history.size(), 1u);
}

TEST(TargetHistory, RecordsEditsAndRemovalsWrittenDirectlyToTheStore) {
    TestStore store(baseFiles());
    store.execute("UPDATE targets SET target = 310000 WHERE employee_code = 'S1';"
                  "DELETE FROM targets WHERE employee_code = 'S2';");
    auto s = kpi::Store::open(store.path(), kpi::Store::Mode::ReadOnly);
    auto s1 = s->targetHistory("S1", "");
    ASSERT_EQ(s1.size(), 2u);
    EXPECT_EQ(s1[1].action, "edit");
    EXPECT_TRUE(contains(s1[1].before, "target=300000")) << s1[1].before;
    EXPECT_TRUE(contains(s1[1].after, "target=310000")) << s1[1].after;
    auto s2 = s->targetHistory("S2", "");
    ASSERT_EQ(s2.size(), 2u);
    EXPECT_EQ(s2[1].action, "remove");
    EXPECT_TRUE(contains(s2[1].before, "target=20")) << s2[1].before;
    EXPECT_EQ(s2[1].after, "");
}

// ---- error reporting in general ---------------------------------------------

TEST(ImportErrors, NameTheFileAsGivenAndTheLine) {
    TestStore store(baseFiles());
    auto path = store.writeFile("orders.csv", kOrdersHeader + "A3,S1,O1,2026-11-04 10:00:00,sale,done,\n");
    try {
        kpi::Store::open(store.path(), kpi::Store::Mode::ReadWrite)->import({path}, {});
        FAIL() << "accepted";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::InvalidData);
        EXPECT_EQ(std::string(e.what()).rfind(path.string() + ":2: ", 0), 0u) << e.what();
    }
}

TEST(ImportErrors, ReportEveryBadRowNotJustTheFirst) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"orders.csv", kOrdersHeader +
                                                             "A3,S1,O1,2026-11-04 10:00:00,sale,done,\n"
                                                             "A4,S1,O1,2026-11-04 10:00:00,sale,approved,\n"
                                                             "A5,S1,O1,2026-11-04,sale,approved,\n"
                                                             "A6,S1,O1,2026-11-04 10:00:00,refund,approved,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"orders.csv:2", "orders.csv:4", "orders.csv:5"})) << rejected.message;
    EXPECT_TRUE(contains(rejected.message, "3 errors")) << rejected.message;
}

TEST(ImportErrors, ReportErrorsOfEveryFileOfTheImport) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected(
        {{"orders.csv", kOrdersHeader + "A3,S1,O1,2026-11-04 10:00:00,sale,done,\n"},
         {"order_lines.csv", kLinesHeader + "A1,3,P1,-1,100\n"},
         {"targets.csv", kTargetsHeader + "S1,PC,MONTH,2026-12-01,2026-12-31,-5,\n"}});
    EXPECT_EQ(sorted(locations(rejected)), sorted(Strings{"orders.csv:2", "order_lines.csv:2", "targets.csv:2"})) << rejected.message;
}

// SPEC §3: "every error is reported". A bad cell on one row must not hide an
// unknown reference on another.
TEST(ImportErrors, ReportBadCellsAndUnknownReferencesTogether) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"orders.csv", kOrdersHeader +
                                                             "A3,S1,O1,2026-11-04 10:00:00,sale,done,\n"
                                                             "A4,NOBODY,O1,2026-11-04 10:00:00,sale,approved,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"orders.csv:2", "orders.csv:3"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "orders.csv:3", {"NOBODY"})) << rejected.message;
}

// SPEC §3: "every error is reported". A bad cell must not hide a duplicate key
// in the same import.
TEST(ImportErrors, ReportBadCellsAndDuplicateKeysTogether) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"orders.csv", kOrdersHeader +
                                                             "A3,S1,O1,2026-11-04 10:00:00,sale,done,\n"
                                                             "A4,S1,O1,2026-11-04 10:00:00,sale,approved,\n"
                                                             "A4,S1,O1,2026-11-04 11:00:00,sale,approved,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"orders.csv:2", "orders.csv:4"})) << rejected.message;
}

// SPEC §3: "every error is reported". Overlapping windows, manager loops and
// applies_to are rules over the store as the import would leave it; a bad cell
// on another row must not hide them.
TEST(ImportErrors, ReportBadCellsAndOverlappingTargetsTogether) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"targets.csv", kTargetsHeader +
                                                              "S1,PC,MONTH,2026-11-01,2026-11-30,-5,\n"
                                                              "S2,VISITS,MONTH,2026-11-01,2026-11-30,100,\n"
                                                              "S2,VISITS,MONTH,2026-11-15,2026-12-31,120,\n"}});
    ASSERT_EQ(rejected.errors.size(), 2u) << rejected.message;
    EXPECT_EQ(locationOf(rejected.errors[0]), "targets.csv:2") << rejected.message;
    std::string overlap = locationOf(rejected.errors[1]);
    EXPECT_TRUE(overlap == "targets.csv:3" || overlap == "targets.csv:4") << rejected.message;
}

TEST(ImportErrors, ReportBadCellsAndManagerLoopsTogether) {
    TestStore store(baseFiles());
    // Row 2 has an impossible date; row 3 makes M1 report to S1, who reports to M1.
    auto rejected = store.importRejected({{"employees.csv", kEmployeesHeader +
                                                                "S3,Ba,SR,M1,,,2026-02-30,\n"
                                                                "M1,Trần Văn Hùng,SS,S1,,,2020-01-01,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"employees.csv:2", "employees.csv:3"})) << rejected.message;
}

TEST(ImportErrors, ReportBadCellsAndAppliesToViolationsTogether) {
    TestStore store(baseFiles());
    // Row 2 has a negative target; row 3 gives the SS M1 a target of the SR-only SALES_SR.
    auto rejected = store.importRejected({{"targets.csv", kTargetsHeader +
                                                              "S1,PC,MONTH,2026-11-01,2026-11-30,-5,\n"
                                                              "M1,SALES_SR,MONTH,2026-11-01,2026-11-30,1000,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"targets.csv:2", "targets.csv:3"})) << rejected.message;
}

TEST(ImportErrors, StopListingAfterAHundredAndCountTheRest) {
    TestStore store(baseFiles());
    std::string orders = kOrdersHeader;
    for (int i = 0; i < 150; ++i) {
        orders += 'X';
        orders += std::to_string(i);
        orders += ",S1,O1,2026-11-04 10:00:00,sale,done,\n";
    }
    auto rejected = store.importRejected({{"orders.csv", orders}});
    auto located = std::count_if(rejected.errors.begin(), rejected.errors.end(),
                                 [](const std::string& e) { return e.rfind("orders.csv:", 0) == 0; });
    EXPECT_EQ(located, 100);
    EXPECT_TRUE(contains(rejected.message, "50 more")) << rejected.message;
    EXPECT_TRUE(contains(rejected.message, "150 errors")) << rejected.message;
}

TEST(ImportErrors, LeaveTheStoreUntouchedWhenOnlyTheLastFileIsBad) {
    TestStore store(baseFiles());
    std::string before = store.dump();
    // Everything but the targets is valid and would be written first (dependency
    // order); the overlap in targets.csv is only found after those writes.
    auto paths = store.write({{"employees.csv", kEmployeesHeader + "S9,Đỗ Văn Chín,SR,M1,,,2026-11-01,\n"},
                              {"outlets.csv", kOutletsHeader + "O9,Tạp hóa Chín,GT,,2026-11-01,S9\n"},
                              {"orders.csv", kOrdersHeader + "A9,S9,O9,2026-11-04 10:00:00,sale,approved,\n"},
                              {"order_lines.csv", kLinesHeader + "A9,1,P1,1,1000\n"},
                              {"visits.csv", kVisitsHeader + "V9,S9,O9,2026-11-04 09:00:00\n"},
                              {"targets.csv", kTargetsHeader +
                                                  "S9,SALES_SR,MONTH,2026-11-01,2026-11-30,1000,\n"
                                                  "S9,SALES_SR,MONTH,2026-11-15,2026-12-31,1000,\n"}});
    // targets.csv is the last file on the command line and the last to be applied.
    std::stable_partition(paths.begin(), paths.end(), [](const fs::path& p) { return p.filename() != "targets.csv"; });
    ASSERT_EQ(paths.back().filename(), "targets.csv");
    auto rejected = store.importPathsRejected(paths);
    ASSERT_EQ(rejected.errors.size(), 1u) << rejected.message;
    EXPECT_TRUE(locationOf(rejected.errors[0]) == "targets.csv:2" || locationOf(rejected.errors[0]) == "targets.csv:3")
        << rejected.message;
    EXPECT_EQ(store.dump(), before);
    EXPECT_EQ(store.query("SELECT count(*) FROM employees WHERE code = 'S9'"), (Strings{"0"}));
}

TEST(ImportErrors, RejectAMissingFile) {
    TestStore store(baseFiles());
    auto rejected = store.importPathsRejected({store.dir() / "nowhere" / "orders.csv"});
    EXPECT_EQ(locations(rejected), (Strings{"orders.csv:1"})) << rejected.message;
}

TEST(ImportErrors, RejectAnEmptyFile) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"orders.csv", ""}});
    EXPECT_EQ(locations(rejected), (Strings{"orders.csv:1"})) << rejected.message;
}

TEST(ImportErrors, RejectAnImportOfNoFilesAsAnInvalidArgument) {
    TestStore store(baseFiles());
    try {
        store.importPaths({});
        FAIL() << "an import of nothing was accepted";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::InvalidArgument);
    }
}

// ---- header rules -----------------------------------------------------------

TEST(ImportHeader, RejectsAMissingRequiredColumn) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"orders.csv", "order_code,employee_code,outlet_code,order_time,type\n"
                                                         "A3,S1,O1,2026-11-04 10:00:00,sale\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"orders.csv:1"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "orders.csv:1", {"status"})) << rejected.message;
}

TEST(ImportHeader, ReportsEveryMissingRequiredColumn) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"targets.csv", "employee_code,kpi_code,valid_from,valid_to\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"targets.csv:1", "targets.csv:1"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "targets.csv:1", {"period_type"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "targets.csv:1", {"target"})) << rejected.message;
}

TEST(ImportHeader, DoesNotRequireOptionalColumns) {
    TestStore store(baseFiles());
    store.import({{"targets.csv", "employee_code,kpi_code,period_type,valid_from,valid_to,target\n"
                                  "S1,PC,MONTH,2026-11-01,2026-11-30,12\n"},
                  {"employees.csv", "code,name,role,start_date\nS4,Tư,SR,2026-01-01\n"}});
    EXPECT_EQ(store.query("SELECT weight FROM targets WHERE kpi_code = 'PC' AND employee_code = 'S1'"), (Strings{"1.0"}));
}

TEST(ImportHeader, RejectsAColumnGivenTwice) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"holidays.csv", "date,name,date\n2026-12-25,Noel,2026-12-25\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"holidays.csv:1"})) << rejected.message;
}

TEST(ImportRows, RejectARowWithMoreOrFewerFieldsThanTheHeader) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"holidays.csv", "date,name\n2026-12-24,Eve,extra\n2026-12-25\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"holidays.csv:2", "holidays.csv:3"})) << rejected.message;
}

TEST(ImportRows, RejectAnEmptyRequiredCell) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"outlets.csv", kOutletsHeader + "O5,,GT,,2026-11-01,\n"
                                                                           ",Tên,GT,,2026-11-01,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"outlets.csv:2", "outlets.csv:3"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "outlets.csv:2", {"name"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "outlets.csv:3", {"code"})) << rejected.message;
}

TEST(ImportRows, KeepLineNumbersRightAfterAQuotedLineBreak) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"outlets.csv", kOutletsHeader +
                                                              "O5,\"Tạp hóa\nHai dòng\",GT,,2026-11-01,\n"
                                                              "O6,Tạp hóa Sáu,GT,,2026-13-01,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"outlets.csv:4"})) << rejected.message;
}

TEST(ImportRows, RejectMalformedCsv) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"holidays.csv", "date,name\n2026-12-24,\"Eve\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"holidays.csv:2"})) << rejected.message;
}

TEST(ImportRows, RejectInvalidUtf8) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"holidays.csv", "date,name\n2026-12-24,Gi\xE1ng sinh\n2026-12-25,Noel\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"holidays.csv:2"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "holidays.csv:2", {"UTF-8"})) << rejected.message;
}

// ---- references --------------------------------------------------------------

TEST(ImportReferences, RejectAnOrderOfAnUnknownEmployeeOrOutlet) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"orders.csv", kOrdersHeader +
                                                             "A3,ZZ,O1,2026-11-04 10:00:00,sale,approved,\n"
                                                             "A4,S1,OX,2026-11-04 10:00:00,sale,approved,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"orders.csv:2", "orders.csv:3"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "orders.csv:2", {"ZZ"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "orders.csv:3", {"OX"})) << rejected.message;
}

TEST(ImportReferences, RejectALineOfAnUnknownOrderOrSku) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"order_lines.csv", kLinesHeader +
                                                                  "NOPE,1,P1,1,100\n"
                                                                  "A1,3,P9,1,100\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"order_lines.csv:2", "order_lines.csv:3"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "order_lines.csv:2", {"NOPE"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "order_lines.csv:3", {"P9"})) << rejected.message;
}

TEST(ImportReferences, RejectATargetOfAnUnknownEmployeeOrKpi) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"targets.csv", kTargetsHeader +
                                                              "ZZ,PC,MONTH,2026-11-01,2026-11-30,5,\n"
                                                              "S1,REVENUE,MONTH,2026-11-01,2026-11-30,5,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"targets.csv:2", "targets.csv:3"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "targets.csv:2", {"ZZ"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "targets.csv:3", {"REVENUE"})) << rejected.message;
}

TEST(ImportReferences, AcceptABareKpiTypeAsATargetsKpiCode) {
    TestStore store(baseFiles());
    store.import({{"targets.csv", kTargetsHeader + "S1,VISITS,DAY,2026-11-01,2026-11-30,8,\n"}});
    EXPECT_EQ(store.query("SELECT kpi_code FROM targets WHERE kpi_code = 'VISITS'"), (Strings{"VISITS"}));
}

TEST(ImportReferences, RejectAnUnknownManager) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"employees.csv", kEmployeesHeader + "S3,Hà,SR,M9,,,2026-01-01,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"employees.csv:2"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "employees.csv:2", {"M9"})) << rejected.message;
}

TEST(ImportReferences, ResolveAgainstRowsOfTheSameImport) {
    TestStore store;
    CsvFiles files = baseFiles();
    files["orders.csv"] += "A3,S3,O3,2026-11-04 10:00:00,sale,approved,\n";
    files["order_lines.csv"] += "A3,1,P3,1,100\n";
    files["employees.csv"] += "S3,Hà,SR,M1,,,2026-01-01,\n";
    files["outlets.csv"] += "O3,Tạp hóa Ba,GT,,2026-11-01,S3\n";
    files["products.csv"] += "P3,Nước mắm,Sauce,Nam Ngư\n";
    store.import(files);
    EXPECT_EQ(store.query("SELECT count(*) FROM order_lines WHERE order_code = 'A3'"), (Strings{"1"}));
}

// ---- values -------------------------------------------------------------------

TEST(ImportValues, RejectNegativeQuantitiesAndAmounts) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"order_lines.csv", kLinesHeader +
                                                                  "A1,3,P1,-1,100\n"
                                                                  "A1,4,P1,1,-100\n"
                                                                  "A1,5,P1,0,0\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"order_lines.csv:2", "order_lines.csv:3"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "order_lines.csv:2", {"quantity"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "order_lines.csv:3", {"amount"})) << rejected.message;
}

TEST(ImportValues, RejectNegativeTargetsAndWeights) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"targets.csv", kTargetsHeader +
                                                              "S1,PC,MONTH,2026-11-01,2026-11-30,-5,\n"
                                                              "S1,VISITS,MONTH,2026-11-01,2026-11-30,5,-0.5\n"
                                                              "S1,ASO,MONTH,2026-11-01,2026-11-30,0,0\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"targets.csv:2", "targets.csv:3"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "targets.csv:2", {"target"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "targets.csv:3", {"weight"})) << rejected.message;
}

TEST(ImportValues, AcceptZeroTargetsAndZeroWeights) {
    TestStore store(baseFiles());
    store.import({{"targets.csv", kTargetsHeader + "S1,ASO,MONTH,2026-11-01,2026-11-30,0,0\n"}});
    EXPECT_EQ(store.query("SELECT target, weight FROM targets WHERE kpi_code = 'ASO'"), (Strings{"0.0|0.0"}));
}

TEST(ImportValues, RejectNumbersThatAreNotPlainDecimals) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"order_lines.csv", kLinesHeader +
                                                                  "A1,3,P1,1,\"1,200\"\n"
                                                                  "A1,4,P1,1,12abc\n"
                                                                  "A1,5,P1,1e3,100\n"
                                                                  "A1,6,P1,one,100\n"
                                                                  "A1,7,P1,2,1500.75\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"order_lines.csv:2", "order_lines.csv:3", "order_lines.csv:4", "order_lines.csv:5"})) << rejected.message;
}

TEST(ImportValues, RejectALineNumberThatIsNotAWholeNumber) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"order_lines.csv", kLinesHeader + "A1,x,P1,1,100\nA1,1.5,P1,1,100\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"order_lines.csv:2", "order_lines.csv:3"})) << rejected.message;
}

TEST(ImportValues, RejectDatesThatAreNotRealIsoDates) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"employees.csv", kEmployeesHeader +
                                                                "S3,Ba,SR,M1,,,2026-02-30,\n"
                                                                "S4,Bốn,SR,M1,,,2026/11/01,\n"
                                                                "S5,Năm,SR,M1,,,01-11-2026,\n"
                                                                "S6,Sáu,SR,M1,,,2026-11-01,2026-11-31\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"employees.csv:2", "employees.csv:3", "employees.csv:4", "employees.csv:5"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "employees.csv:2", {"start_date"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "employees.csv:3", {"start_date"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "employees.csv:4", {"start_date"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "employees.csv:5", {"end_date"})) << rejected.message;
}

TEST(ImportValues, RejectAnEndBeforeTheStart) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected(
        {{"employees.csv", kEmployeesHeader + "S3,Ba,SR,M1,,,2026-11-10,2026-11-09\n"},
         {"routes.csv", kRoutesHeader + "S1,O2,2026-11-10,2026-11-01\n"},
         {"targets.csv", kTargetsHeader + "S1,PC,WEEK,2026-11-10,2026-11-01,5,\n"}});
    EXPECT_EQ(sorted(locations(rejected)), sorted(Strings{"employees.csv:2", "routes.csv:2", "targets.csv:2"})) << rejected.message;
}

TEST(ImportValues, RejectTimesThatAreNotFullLocalTimestamps) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"orders.csv", kOrdersHeader +
                                                             "A3,S1,O1,2026-11-04 10:00,sale,approved,\n"
                                                             "A4,S1,O1,2026-11-04 24:00:00,sale,approved,\n"
                                                             "A5,S1,O1,2026-11-04T10:00:00,sale,approved,\n"
                                                             "A6,S1,O1,2026-11-04 10:00:00,sale,approved,yesterday\n"},
                                          {"visits.csv", kVisitsHeader + "V3,S1,O1,2026-11-31 10:00:00\n"}});
    EXPECT_EQ(sorted(locations(rejected)), sorted(Strings{"visits.csv:2", "orders.csv:2", "orders.csv:3", "orders.csv:4", "orders.csv:5"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "visits.csv:2", {"visit_time"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "orders.csv:2", {"order_time"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "orders.csv:3", {"order_time"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "orders.csv:4", {"order_time"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "orders.csv:5", {"approved_time"})) << rejected.message;
}

TEST(ImportValues, RejectUnknownOrderTypesAndStatuses) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"orders.csv", kOrdersHeader +
                                                             "A3,S1,O1,2026-11-04 10:00:00,refund,approved,\n"
                                                             "A4,S1,O1,2026-11-04 10:00:00,sale,done,\n"
                                                             "A5,S1,O1,2026-11-04 10:00:00,Sale,Approved,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"orders.csv:2", "orders.csv:3", "orders.csv:4", "orders.csv:4"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "orders.csv:2", {"refund"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "orders.csv:3", {"done"})) << rejected.message;
}

TEST(ImportValues, RejectUnknownPeriodTypes) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"targets.csv", kTargetsHeader +
                                                              "S1,PC,FORTNIGHT,2026-11-01,2026-11-30,5,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"targets.csv:2"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "targets.csv:2", {"FORTNIGHT"})) << rejected.message;
}

TEST(ImportValues, RejectUnknownKpiTypes) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"kpis.csv", kKpisHeader + "REV,REVENUE,Doanh thu,Revenue,,,,,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"kpis.csv:2"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "kpis.csv:2", {"REVENUE"})) << rejected.message;
}

TEST(ImportValues, RejectANonPositiveCap) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"kpis.csv", kKpisHeader + "K1,PC,Số đơn,Calls,,,,,0\n"
                                                                     "K2,PC,Số đơn,Calls,,,,,-1\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"kpis.csv:2", "kpis.csv:3"})) << rejected.message;
}

// ---- KPI params ---------------------------------------------------------------

TEST(ImportKpis, RejectFocusKpisWithoutFocusFilter) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"kpis.csv", kKpisHeader +
                                                           "F1,FOCUS_SALES,Trọng tâm,Focus,,,,,\n"
                                                           "F2,FOCUS_OUTLETS,Điểm trọng tâm,Focus outlets,,,,,\n"
                                                           "F3,FOCUS_SALES,Trọng tâm,Focus,,,,require_order=false,\n"
                                                           "F4,FOCUS_OUTLETS,Điểm,Outlets,,,,brand=Oishi,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"kpis.csv:2", "kpis.csv:3", "kpis.csv:4"})) << rejected.message;
}

TEST(ImportKpis, RejectBadParams) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"kpis.csv", kKpisHeader +
                                                           "K1,SALES,A,A,,,,region=South,\n"
                                                           "K2,SALES,B,B,,,,skus=,\n"
                                                           "K3,NEW_OUTLETS,C,C,,,,require_order=maybe,\n"
                                                           "K4,SALES,D,D,,,,category,\n"
                                                           "K5,SALES,E,E,,,,skus=A||B,\n"
                                                           "K6,SALES,F,F,,,,brand=X;brand=Y,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"kpis.csv:2", "kpis.csv:3", "kpis.csv:4", "kpis.csv:5", "kpis.csv:6", "kpis.csv:7"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "kpis.csv:2", {"region"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "kpis.csv:4", {"maybe"})) << rejected.message;
}

TEST(ImportKpis, AcceptEveryKnownParamsKey) {
    TestStore store(baseFiles());
    store.import({{"kpis.csv", kKpisHeader +
                                   "K1,SALES,A,A,,,,skus=P1|P2;category=Dairy;brand=VinaMilk,\n"
                                   "K2,NEW_OUTLETS,B,B,,,,require_order=false,\n"
                                   "K3,FOCUS_OUTLETS,C,C,,,,category=Snack,2\n"}});
    EXPECT_EQ(store.query("SELECT code FROM kpis WHERE code LIKE 'K%' ORDER BY 1"), (Strings{"K1", "K2", "K3"}));
}

// ---- duplicates ------------------------------------------------------------------

TEST(ImportDuplicates, RejectAKeyTwiceInOneFile) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"orders.csv", kOrdersHeader +
                                                             "A3,S1,O1,2026-11-04 10:00:00,sale,approved,\n"
                                                             "A3,S1,O1,2026-11-04 11:00:00,sale,approved,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"orders.csv:3"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "orders.csv:3", {"A3"})) << rejected.message;
}

TEST(ImportDuplicates, RejectACompositeKeyTwice) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected(
        {{"order_lines.csv", kLinesHeader + "A1,1,P1,1,100\nA1,2,P1,1,100\nA1,1,P2,1,100\n"},
         {"targets.csv", kTargetsHeader + "S1,PC,MONTH,2026-12-01,2026-12-31,5,\nS1,PC,MONTH,2026-12-01,2026-12-31,6,\n"},
         {"routes.csv", kRoutesHeader + "S1,O2,2026-11-01,\nS1,O2,2026-11-01,2026-12-31\n"}});
    EXPECT_EQ(sorted(locations(rejected)), sorted(Strings{"order_lines.csv:4", "targets.csv:3", "routes.csv:3"})) << rejected.message;
}

TEST(ImportDuplicates, RejectAKeyInTwoFilesOfTheSameKind) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected(
        {{"orders.csv", kOrdersHeader + "A3,S1,O1,2026-11-04 10:00:00,sale,approved,\n"},
         {"2026-11_orders.csv", kOrdersHeader + "A3,S1,O1,2026-11-04 10:00:00,sale,approved,\n"}});
    ASSERT_EQ(rejected.errors.size(), 1u) << rejected.message;
    std::string at = locationOf(rejected.errors[0]);
    EXPECT_TRUE(at == "orders.csv:2" || at == "2026-11_orders.csv:2") << rejected.message;
}

// Order lines and visits keep only hashes of their keys while read; a
// duplicate is confirmed, and its first place found, by reading the files again.
TEST(ImportDuplicates, RejectAnOrderLineInTwoFilesAndNameWhereItCameFirst) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"order_lines.csv", kLinesHeader + "A1,5,P1,1,100\nA1,6,P1,1,100\n"},
                                          {"2026-11_order_lines.csv", kLinesHeader + "A2,5,P1,1,100\nA1,6,P2,2,200\n"}});
    ASSERT_EQ(rejected.errors.size(), 1u) << rejected.message;
    // Files of one kind are read in the order given; either may come first.
    std::string first = locationOf(rejected.errors[0]) == "order_lines.csv:3" ? "/2026-11_order_lines.csv:3)"
                                                                              : "/order_lines.csv:3)";
    EXPECT_TRUE(mentions(rejected, locationOf(rejected.errors[0]), {"key A1,6 appears twice", first})) << rejected.message;
}

TEST(ImportDuplicates, RejectAVisitTwiceAndNameWhereItCameFirst) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"visits.csv", kVisitsHeader +
                                                             "V7,S1,O1,2026-11-04 08:00:00\n"
                                                             "V8,S1,O1,2026-11-04 09:00:00\n"
                                                             "V7,S2,O2,2026-11-04 10:00:00\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"visits.csv:4"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "visits.csv:4", {"key V7 appears twice", "/visits.csv:2)"})) << rejected.message;
}

// A duplicate confirmed late still takes its place among the errors of its
// file: after its row's bad cells, before its row's unknown references and the
// rows after it.
TEST(ImportDuplicates, ReportDuplicateLinesInTheOrderTheyAreMet) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"order_lines.csv", kLinesHeader +
                                                                  "A1,7,P1,1,100\n"
                                                                  "A1,7,NOPE,x,100\n"
                                                                  "A1,8,NOPE,1,100\n"
                                                                  "A1,7,P1,1,100\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"order_lines.csv:3", "order_lines.csv:3", "order_lines.csv:3",
                                            "order_lines.csv:4", "order_lines.csv:5"}))
        << rejected.message;
    ASSERT_EQ(rejected.errors.size(), 5u) << rejected.message;
    EXPECT_TRUE(contains(rejected.errors[0], "'quantity'")) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "order_lines.csv:3", {"key A1,7 appears twice", "/order_lines.csv:2)"}))
        << rejected.message;
    EXPECT_TRUE(contains(rejected.errors[1], "key A1,7 appears twice")) << rejected.message;
    EXPECT_TRUE(contains(rejected.errors[2], "'sku' refers to unknown product 'NOPE'")) << rejected.message;
    EXPECT_TRUE(contains(rejected.errors[3], "'sku' refers to unknown product 'NOPE'")) << rejected.message;
    EXPECT_TRUE(contains(rejected.errors[4], "key A1,7 appears twice")) << rejected.message;
    EXPECT_TRUE(contains(rejected.errors[4], "/order_lines.csv:2)")) << rejected.message;
}

// The first hundred errors are listed whatever found them: duplicates
// confirmed late push later errors out of the list.
TEST(ImportDuplicates, CountLateDuplicatesAmongTheFirstHundred) {
    TestStore store(baseFiles());
    std::string lines = kLinesHeader;
    for (const char* sku : {"P1", "NOPE"})
        for (int i = 0; i < 60; ++i) {
            lines += "A1,";
            lines += std::to_string(10 + i);
            lines += ',';
            lines += sku;
            lines += ",1,100\n";
        }
    auto rejected = store.importRejected({{"order_lines.csv", lines}});
    auto located = std::count_if(rejected.errors.begin(), rejected.errors.end(),
                                 [](const std::string& e) { return e.rfind("order_lines.csv:", 0) == 0; });
    ASSERT_EQ(located, 100) << rejected.message;
    // Row 62 is the first repeat: its duplicate, then its unknown product.
    EXPECT_EQ(locationOf(rejected.errors[0]), "order_lines.csv:62") << rejected.message;
    EXPECT_TRUE(contains(rejected.errors[0], "key A1,10 appears twice")) << rejected.message;
    EXPECT_TRUE(contains(rejected.errors[1], "order_lines.csv:62: 'sku'")) << rejected.message;
    EXPECT_EQ(locationOf(rejected.errors[99]), "order_lines.csv:111") << rejected.message;
    EXPECT_TRUE(contains(rejected.errors[99], "'sku'")) << rejected.message;
    EXPECT_TRUE(contains(rejected.message, "20 more")) << rejected.message;
    EXPECT_TRUE(contains(rejected.message, "120 errors")) << rejected.message;
}

// The second read must see the rows the first one saw; a file rewritten in
// between (here from the progress callback, once the first read is under way)
// is reported rather than trusted.
TEST(ImportDuplicates, RejectAFileThatChangesBetweenItsTwoReads) {
    TestStore store(baseFiles());
    std::string visits = kVisitsHeader;
    for (int i = 0; i < 140000; ++i) {
        visits += 'W';
        visits += std::to_string(i);
        visits += ",S1,O1,2026-11-04 08:00:00\n";
    }
    visits += "W7,S1,O1,2026-11-04 09:00:00\n";  // past 4 MiB: the progress line comes first
    auto paths = store.write({{"visits.csv", visits}});
    bool rewritten = false;
    kpi::ImportOptions options;
    options.progress = [&](const std::string&) {
        if (rewritten) return;
        std::ofstream(paths[0], std::ios::binary | std::ios::trunc) << kVisitsHeader << "W1,S1,O1,2026-11-04 08:00:00\n";
        rewritten = true;
    };
    auto rejected = store.importPathsRejected(paths, options);
    ASSERT_TRUE(rewritten);
    EXPECT_TRUE(mentions(rejected, "visits.csv:1", {"changed while it was being imported"})) << rejected.message;
}

TEST(ImportDuplicates, AllowTheSameKeyInDifferentKinds) {
    TestStore store(baseFiles());
    store.import({{"outlets.csv", kOutletsHeader + "X1,Tạp hóa X,GT,,2026-11-01,\n"},
                  {"products.csv", kProductsHeader + "X1,Sản phẩm X,,\n"}});
    EXPECT_EQ(store.query("SELECT count(*) FROM outlets WHERE code = 'X1'"), (Strings{"1"}));
}

// ---- manager chains -----------------------------------------------------------------

TEST(ImportManagers, RejectAnEmployeeWhoManagesThemself) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"employees.csv", kEmployeesHeader + "S3,Ba,SR,S3,,,2026-01-01,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"employees.csv:2"})) << rejected.message;
}

TEST(ImportManagers, RejectALoopWithinOneFile) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"employees.csv", kEmployeesHeader +
                                                                "A,An,SS,B,,,2026-01-01,\n"
                                                                "B,Bình,SS,C,,,2026-01-01,\n"
                                                                "C,Cường,SS,A,,,2026-01-01,\n"
                                                                "D,Dũng,SR,A,,,2026-01-01,\n"}});
    ASSERT_FALSE(rejected.errors.empty());
    for (const auto& at : locations(rejected))
        EXPECT_TRUE(at == "employees.csv:2" || at == "employees.csv:3" || at == "employees.csv:4") << rejected.message;
}

TEST(ImportManagers, RejectALoopClosedAgainstTheStore) {
    TestStore store(baseFiles());
    // The store has S1 → M1; making M1 report to S1 closes the loop.
    auto rejected = store.importRejected({{"employees.csv", kEmployeesHeader + "M1,Trần Văn Hùng,SS,S1,,,2020-01-01,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"employees.csv:2"})) << rejected.message;
}

TEST(ImportManagers, AcceptMovingAnEmployeeToAnotherManager) {
    TestStore store(baseFiles());
    store.import({{"employees.csv", kEmployeesHeader + "M2,Phạm Minh Tuấn,SS,,,,2020-01-01,\n"
                                                       "S2,Lê Văn Bình,SR,M2,Kênh GT,Hồ Chí Minh,2020-01-01,\n"}});
    EXPECT_EQ(store.query("SELECT manager_code FROM employees WHERE code = 'S2'"), (Strings{"M2"}));
}

// ---- applies_to -----------------------------------------------------------------------

TEST(ImportAppliesTo, RejectsATargetForARoleTheKpiIsNotFor) {
    TestStore store(baseFiles());
    // SALES_SR applies to SR; M1 is SS.
    auto rejected = store.importRejected({{"targets.csv", kTargetsHeader +
                                                              "S2,SALES_SR,MONTH,2026-11-01,2026-11-30,1000,\n"
                                                              "M1,SALES_SR,MONTH,2026-11-01,2026-11-30,1000,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"targets.csv:3"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "targets.csv:3", {"M1"})) << rejected.message;
}

TEST(ImportAppliesTo, RejectsARoleChangeOfAnEmployeeWithSuchATarget) {
    TestStore store(baseFiles());
    // S1 has a SALES_SR target; promoting S1 to SS breaks applies_to=SR.
    auto rejected = store.importRejected(
        {{"employees.csv", kEmployeesHeader + "S1,Nguyễn Thị Lan,SS,M1,Kênh GT,Hồ Chí Minh,2020-01-01,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"employees.csv:2"})) << rejected.message;
    EXPECT_TRUE(mentions(rejected, "employees.csv:2", {"S1"})) << rejected.message;
}

TEST(ImportAppliesTo, RejectsNarrowingAKpiBelowItsTargets) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"kpis.csv", kKpisHeader + "SALES_SR,SALES,Doanh số,Sales,,SS,VND,,\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"kpis.csv:2"})) << rejected.message;
}

TEST(ImportAppliesTo, AcceptsEveryRoleWhenEmptyAndAnyListedRole) {
    TestStore store(baseFiles());
    store.import({{"kpis.csv", kKpisHeader + "ANY,PC,Số đơn,Calls,,,,,\nBOTH,ASO,Điểm bán,Outlets,,SR|SS,,,\n"},
                  {"targets.csv", kTargetsHeader +
                                      "M1,ANY,MONTH,2026-11-01,2026-11-30,5,\n"
                                      "M1,BOTH,MONTH,2026-11-01,2026-11-30,5,\n"
                                      "S1,FOCUS_P1,MONTH,2026-11-01,2026-11-30,5,\n"}});
    EXPECT_EQ(store.query("SELECT count(*) FROM targets"), (Strings{"5"}));
}

// ---- overlapping target windows ------------------------------------------------------------

TEST(ImportTargets, RejectOverlappingWindowsInOneFile) {
    TestStore store(baseFiles());
    auto rejected = store.importRejected({{"targets.csv", kTargetsHeader +
                                                              "S2,VISITS,MONTH,2026-11-01,2026-11-30,100,\n"
                                                              "S2,VISITS,MONTH,2026-11-15,2026-12-31,120,\n"}});
    ASSERT_EQ(rejected.errors.size(), 1u) << rejected.message;
    EXPECT_TRUE(locationOf(rejected.errors[0]) == "targets.csv:2" || locationOf(rejected.errors[0]) == "targets.csv:3")
        << rejected.message;
}

TEST(ImportTargets, RejectAWindowOverlappingOneInTheStoreFromEitherSide) {
    TestStore store(baseFiles());
    // The store has S1 SALES_SR MONTH 2026-11-01..2026-11-30.
    auto later = store.importRejected({{"targets.csv", kTargetsHeader +
                                                           "S1,SALES_SR,MONTH,2026-11-30,2026-12-31,1,\n"}});
    EXPECT_EQ(locations(later), (Strings{"targets.csv:2"})) << later.message;
    auto earlier = store.importRejected({{"targets.csv", kTargetsHeader +
                                                             "S1,SALES_SR,MONTH,2026-10-01,2026-11-01,1,\n"}});
    EXPECT_EQ(locations(earlier), (Strings{"targets.csv:2"})) << earlier.message;
    auto inside = store.importRejected({{"targets.csv", kTargetsHeader +
                                                            "S1,SALES_SR,MONTH,2026-11-10,2026-11-12,1,\n"}});
    EXPECT_EQ(locations(inside), (Strings{"targets.csv:2"})) << inside.message;
}

TEST(ImportTargets, RejectExtendingAStoredWindowOverAnother) {
    TestStore store(baseFiles());
    store.import({{"targets.csv", kTargetsHeader + "S1,SALES_SR,MONTH,2026-12-01,2026-12-31,1,\n"}});
    auto rejected = store.importRejected({{"targets.csv", kTargetsHeader +
                                                              "S1,SALES_SR,MONTH,2026-11-01,2026-12-15,300000,2\n"}});
    EXPECT_EQ(locations(rejected), (Strings{"targets.csv:2"})) << rejected.message;
}

TEST(ImportTargets, AcceptAdjacentWindowsAndOtherPeriodTypes) {
    TestStore store(baseFiles());
    store.import({{"targets.csv", kTargetsHeader +
                                      "S1,SALES_SR,MONTH,2026-12-01,2026-12-31,1,\n"
                                      "S1,SALES_SR,WEEK,2026-11-01,2026-11-30,1,\n"
                                      "S1,SALES_SR,CYCLE,2026-11-01,2026-11-15,1,\n"
                                      "S1,SALES_SR,CYCLE,2026-11-16,2026-11-30,1,\n"
                                      "S2,SALES_SR,MONTH,2026-11-01,2026-11-30,1,\n"}});
    EXPECT_EQ(store.query("SELECT count(*) FROM targets"), (Strings{"7"}));
}

// ---- store life cycle ------------------------------------------------------------------------

TEST(Store, InitIsIdempotent) {
    TestStore store(baseFiles());
    std::string before = store.dump();
    kpi::Store::init(store.path());
    EXPECT_EQ(store.dump(), before);
}

TEST(Store, OpenThrowsNotFoundForAMissingFile) {
    TestStore store;
    try {
        kpi::Store::open(store.dir() / "missing.sqlite", kpi::Store::Mode::ReadOnly);
        FAIL() << "opened a missing store";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::NotFound);
    }
}

TEST(Store, OpenRefusesAStoreOfANewerSchema) {
    TestStore store(baseFiles());
    store.execute("PRAGMA user_version = 99;");
    try {
        kpi::Store::open(store.path(), kpi::Store::Mode::ReadOnly);
        FAIL() << "opened a store of schema version 99";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::Corruption) << e.what();
    }
    try {
        kpi::Store::init(store.path());
        FAIL() << "init accepted a store of schema version 99";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::Corruption) << e.what();
    }
}

TEST(Store, OpenRefusesAnSqliteFileOfAnotherApplication) {
    TestStore store;
    // A SQLite file with tables, marked as belonging to another application.
    store.execute("PRAGMA application_id = 42;");
    try {
        kpi::Store::open(store.path(), kpi::Store::Mode::ReadOnly);
        FAIL() << "opened a database of another application";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::Corruption) << e.what();
    }
}

TEST(Store, OpenThrowsCorruptionForAFileThatIsNoStore) {
    TestStore store;
    auto path = store.writeFile("notes.sqlite", "this is not a database, just text that is long enough to matter\n");
    try {
        kpi::Store::open(path, kpi::Store::Mode::ReadOnly);
        FAIL() << "opened a text file as a store";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::Corruption) << e.what();
    }
}

}  // namespace
