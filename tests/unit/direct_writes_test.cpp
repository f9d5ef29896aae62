// Live figures equal a fresh load, whatever a direct writer does (issue 11,
// point 1; docs/store.md, "Writing directly").
//
// A DMS writes into the store with SQL of its own, through its own connection
// with foreign keys on, while an engine (every open Calc) keeps figures in
// memory and folds in the change log on refresh(). After every form of write
// below, the refreshed engine must equal an engine built from scratch on the
// same store — every figure, report row, score and detail row, bit for bit
// (engine_compare.hpp). One test per form of write, with a figure worked out
// by hand; then many rounds of random writes of every form.
//
// The shop: M1 (SS) over S1 and S2; M2 (SS) over S3, who joins 2026-11-10.
// November 2026 has 25 days Monday–Saturday; 2026-11-20 is a holiday: W = 24.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "engine_compare.hpp"
#include "kpi/engine.hpp"
#include "kpi/period.hpp"
#include "test_store.hpp"

namespace {

using kpi::Engine;
using kpitest::CsvFiles;
using kpitest::TestStore;

CsvFiles shopFiles() {
    return {
        {"employees.csv",
         "code,name,role,manager_code,department,region,start_date,end_date\n"
         "M1,Trần Văn Hùng,SS,,Kênh GT,Hồ Chí Minh,2020-01-01,\n"
         "S1,Nguyễn Thị Lan,SR,M1,Kênh GT,Hồ Chí Minh,2020-01-01,\n"
         "S2,Lê Văn Bình,SR,M1,Kênh GT,Hồ Chí Minh,2020-01-01,\n"
         "M2,Phạm Minh Tuấn,SS,,Kênh GT,Hà Nội,2020-01-01,\n"
         "S3,Đỗ Thu Hà,SR,M2,Kênh GT,Hà Nội,2026-11-10,\n"},
        {"outlets.csv",
         "code,name,channel,province,created_date,created_by\n"
         "O1,Tạp hóa Cô Ba,GT,Hồ Chí Minh,2025-01-01,\n"
         "O2,Tạp hóa Minh Anh,GT,Hồ Chí Minh,2025-01-01,\n"
         "O3,Cửa hàng Bảy Hiền,GT,Hồ Chí Minh,2025-01-01,\n"
         "O4,Tạp hóa Bà Tư,GT,Hồ Chí Minh,2026-11-03,S2\n"
         "O5,Tạp hóa Năm Lửa,GT,Hà Nội,2026-11-12,S3\n"
         "O6,Quán Sáu Béo,GT,Hồ Chí Minh,2026-11-20,S1\n"},
        {"products.csv",
         "sku,name,category,brand\n"
         "P1,Sữa tươi 180ml,Dairy,VinaMilk\n"
         "P2,Sữa TH true MILK,Dairy,TH\n"
         "P3,Bánh snack tôm,Snack,Oishi\n"
         "P4,Snack khoai tây,Snack,Oishi\n"},
        {"kpis.csv",
         "code,type,name_vi,name_en,description,applies_to,unit,params,cap\n"
         "SALES_DAIRY,SALES,Doanh số sữa,Dairy sales,,,VND,category=Dairy,\n"
         "VOL_OISHI,VOLUME,Sản lượng Oishi,Oishi volume,,,pcs,brand=Oishi,\n"
         "FOCUS_P3,FOCUS_SALES,Doanh số P3,P3 sales,,,VND,skus=P3,\n"
         "FOCUS_TH,FOCUS_OUTLETS,Điểm bán có TH,TH outlets,,,outlets,brand=TH,\n"
         "NEW_ANY,NEW_OUTLETS,Điểm bán mới,New outlets,,,outlets,require_order=false,1.2\n"},
        {"routes.csv",
         "employee_code,outlet_code,valid_from,valid_to\n"
         "S1,O1,2026-01-01,\n"
         "S1,O2,2026-01-01,\n"
         "S1,O3,2026-01-01,2026-11-15\n"
         "S2,O3,2026-11-16,\n"
         "S2,O4,2026-11-03,\n"
         "S3,O5,2026-11-12,\n"},
        {"holidays.csv", "date,name\n2026-11-20,Ngày Nhà giáo Việt Nam\n"},
        {"orders.csv",
         "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n"
         "A1,S1,O1,2026-11-02 08:00:00,sale,approved,2026-11-02 12:00:00\n"
         "A2,S1,O2,2026-11-03 09:00:00,sale,approved,\n"
         "A3,S1,O1,2026-11-05 10:00:00,sale,pending,\n"
         "R1,S1,O1,2026-11-06 10:00:00,return,approved,\n"
         "B1,S2,O3,2026-11-04 11:00:00,sale,approved,\n"
         "B2,S2,O4,2026-11-04 12:00:00,sale,cancelled,\n"
         "C1,S3,O5,2026-11-12 10:00:00,sale,approved,\n"},
        {"order_lines.csv",
         "order_code,line_no,sku,quantity,amount\n"
         "A1,1,P1,10,100000.1\n"
         "A1,2,P2,5,50000.2\n"
         "A2,1,P3,4,40000\n"
         "A3,1,P1,1,9999\n"
         "R1,1,P1,0.5,5000.1\n"
         "B1,1,P4,6,60000\n"
         "B1,2,P2,1,0.3\n"
         "B2,1,P1,2,20000\n"
         "C1,1,P1,1,7777.7777\n"},
        {"visits.csv",
         "visit_code,employee_code,outlet_code,visit_time\n"
         "V1,S1,O1,2026-11-02 07:55:00\n"
         "V2,S1,O2,2026-11-03 08:50:00\n"
         "V3,S2,O3,2026-11-04 10:50:00\n"
         "V4,S3,O5,2026-11-12 09:00:00\n"},
        {"targets.csv",
         "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n"
         "S1,SALES,MONTH,2026-11-01,2026-11-30,185000.2,2\n"
         "S1,PC,MONTH,2026-11-01,2026-11-30,2,1\n"
         "S1,SALES,DAY,2026-11-01,2026-11-30,7000.5,\n"
         "S2,SALES,MONTH,2026-11-01,2026-11-30,60000.3,\n"
         "S3,SALES,MONTH,2026-11-01,2026-11-30,7777.7777,\n"
         "M1,VISITS,WEEK,2026-11-02,2026-11-29,3,\n"
         "M2,NEW_ANY,CYCLE,2026-11-01,2026-11-15,1,\n"},
    };
}

const kpi::Day kAsOf = kpi::makeDay(2026, 11, 18);

// Every figure of every employee, KPI and period of the shop's activity, and
// the detail rows of the company and a team over a month and a day, for every
// kind of detail (lines by amount, by quantity, sale orders only, filtered;
// visits; outlets) — or none, when `details` is false.
kpitest::Comparison everything(bool details = true) {
    kpitest::Comparison what{{"2026-11", "2026-10", "2026-12", "2026-Q4", "2026", "2026-W45", "2026-W46", "2026-W47",
                              "2026-W48", "2026-11-02", "2026-11-04", "2026-11-12", "2026-11-01..2026-11-15"},
                             kAsOf};
    if (details) {
        what.detailPeriods = {"2026-11", "2026-11-04"};
        what.detailEmployees = {"*", "M1"};
        what.detailKpis = {"SALES", "VOLUME", "PC", "VISITS", "UB", "COVERAGE", "NEW_OUTLETS", "SALES_DAIRY",
                           "VOL_OISHI", "FOCUS_P3", "FOCUS_TH", "NEW_ANY"};
    }
    return what;
}

// The refreshed engine equals a fresh one; a failure lists the differences.
void expectSameAsFresh(Engine& engine, const TestStore& store) {
    Engine fresh(store.path());
    auto diff = kpitest::differences(engine, fresh, everything());
    std::string text;
    for (const auto& line : diff) text += "\n  " + line;
    EXPECT_TRUE(diff.empty()) << "refreshed engine differs from a fresh one:" << text;
}

double actual(Engine& engine, const std::string& employee, const std::string& kpi, const std::string& period) {
    return engine.figures(employee, kpi, kpi::parsePeriod(period).value(), kAsOf).actual;
}

// A DMS writes through its own connection, foreign keys on.
struct Shop {
    TestStore store{shopFiles()};
    Engine engine{store.path()};

    // Writes, refreshes, and expects the refreshed engine to equal a fresh one.
    void write(const std::string& sql) {
        store.execute(sql);
        engine.refresh();
        expectSameAsFresh(engine, store);
    }
};

// S1's November sales before any write: A1 150000.3 + A2 40000 − R1 5000.1. Expected
// figures are written as the decimals they are: each is the double nearest to it.
constexpr double kS1Sales = 185000.2;

// ---- orders ---------------------------------------------------------------------------------

TEST(DirectWrites, AnInsertedApprovedOrderIsAddedOnce) {
    Shop shop;
    shop.write(
        "BEGIN; INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
        "VALUES('D1', 'S1', 'O3', '2026-11-09 10:00:00', 'sale', 'approved');"
        "INSERT INTO order_lines VALUES('D1', 1, 'P2', 1, 0.1), ('D1', 2, 'P3', 2, 0.2); COMMIT;");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), 185000.5);
    EXPECT_EQ(actual(shop.engine, "S1", "PC", "2026-11"), 3);
}

TEST(DirectWrites, AnOrderInsertedOrReplacedOverItselfIsCountedOnce) {
    // The bug of issue 11: REPLACE deletes the old row without a DELETE
    // trigger, and the reader added the order a second time.
    Shop shop;
    shop.write(
        "BEGIN; INSERT OR REPLACE INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
        "VALUES('A2', 'S1', 'O2', '2026-11-03 09:00:00', 'sale', 'approved');"
        "INSERT OR REPLACE INTO order_lines VALUES('A2', 1, 'P3', 4, 40000); COMMIT;");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), kS1Sales);
    EXPECT_EQ(actual(shop.engine, "S1", "PC", "2026-11"), 2);
}

TEST(DirectWrites, AnOrderReplacedWithAnotherSalespersonAndDayLeavesItsOldDay) {
    Shop shop;
    shop.write(
        "BEGIN; INSERT OR REPLACE INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
        "VALUES('A2', 'S2', 'O2', '2026-11-09 09:00:00', 'sale', 'approved');"
        "INSERT INTO order_lines VALUES('A2', 1, 'P3', 4, 40000); COMMIT;");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11-03"), 0);
    EXPECT_EQ(actual(shop.engine, "S2", "SALES", "2026-11-09"), 40000);
}

TEST(DirectWrites, AnOrderReplacedWithoutItsLinesLosesThemAsSqliteDeletesThem) {
    // With foreign keys on, REPLACE deletes the old order and ON DELETE
    // CASCADE its lines: what the writer asked for, and what a fresh load sees.
    Shop shop;
    shop.write(
        "INSERT OR REPLACE INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
        "VALUES('A2', 'S1', 'O2', '2026-11-03 09:00:00', 'sale', 'approved');");
    EXPECT_EQ(shop.store.query("SELECT count(*) FROM order_lines WHERE order_code = 'A2'"),
              std::vector<std::string>{"0"});
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), 145000.2);
    EXPECT_EQ(actual(shop.engine, "S1", "PC", "2026-11"), 2);  // an approved order without lines is still a call
}

TEST(DirectWrites, ReplaceIntoIsFollowedLikeInsertOrReplace) {
    Shop shop;
    shop.write(
        "BEGIN; REPLACE INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
        "VALUES('B1', 'S2', 'O3', '2026-11-04 11:00:00', 'sale', 'approved');"
        "REPLACE INTO order_lines VALUES('B1', 1, 'P4', 6, 61000); COMMIT;");
    EXPECT_EQ(actual(shop.engine, "S2", "SALES", "2026-11"), 61000);
}

TEST(DirectWrites, AnUpsertOfAnOrderIsFollowed) {
    Shop shop;
    shop.write(
        "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
        "VALUES('A3', 'S1', 'O1', '2026-11-05 10:00:00', 'sale', 'approved') "
        "ON CONFLICT(order_code) DO UPDATE SET status = excluded.status;");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), 194999.2);
}

TEST(DirectWrites, AnInsertOrIgnoreOfAnExistingOrderChangesNothing) {
    Shop shop;
    shop.write(
        "INSERT OR IGNORE INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
        "VALUES('A1', 'S2', 'O1', '2026-11-09 10:00:00', 'sale', 'cancelled');");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), kS1Sales);
}

TEST(DirectWrites, StatusChangesAreFollowed) {
    Shop shop;
    shop.write("UPDATE orders SET status = 'approved' WHERE order_code = 'A3';");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), 194999.2);
    shop.write("UPDATE orders SET status = 'cancelled' WHERE order_code = 'A1';");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), 44998.9);
    shop.write("UPDATE orders SET status = 'rejected' WHERE order_code = 'A3';"
               "UPDATE orders SET status = 'approved' WHERE order_code = 'A3';"
               "UPDATE orders SET status = 'pending' WHERE order_code = 'R1';");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), 49999);
}

TEST(DirectWrites, AChangedOrderTimeMovesTheOrderToItsNewDay) {
    Shop shop;
    shop.write("UPDATE orders SET order_time = '2026-12-01 08:00:00' WHERE order_code = 'A1';");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11-02"), 0);
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-12"), 150000.3);
}

TEST(DirectWrites, AChangedSalespersonMovesTheOrder) {
    Shop shop;
    shop.write("UPDATE orders SET employee_code = 'S3' WHERE order_code = 'B1';");
    EXPECT_EQ(actual(shop.engine, "S2", "SALES", "2026-11"), 0);
    EXPECT_EQ(actual(shop.engine, "M2", "SALES", "2026-11"), 67778.0777);
}

TEST(DirectWrites, AChangedOutletMovesTheCall) {
    Shop shop;
    shop.write("UPDATE orders SET outlet_code = 'O1' WHERE order_code = 'A2';");
    EXPECT_EQ(actual(shop.engine, "S1", "ASO", "2026-11"), 1);
}

TEST(DirectWrites, AChangedTypeTurnsASaleIntoAReturn) {
    Shop shop;
    shop.write("UPDATE orders SET type = 'return' WHERE order_code = 'A2';");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), 105000.2);
    EXPECT_EQ(actual(shop.engine, "S1", "PC", "2026-11"), 1);
}

TEST(DirectWrites, ARenamedOrderIsCountedOnceUnderItsNewCode) {
    Shop shop;
    shop.write("BEGIN; UPDATE orders SET order_code = 'A2-NEW' WHERE order_code = 'A2';"
               "UPDATE order_lines SET order_code = 'A2-NEW' WHERE order_code = 'A2'; COMMIT;");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), kS1Sales);
}

TEST(DirectWrites, AnOrderRenamedOverAnotherWithUpdateOrReplaceReplacesIt) {
    Shop shop;
    // A2 (S1, 40000) takes the code A1 (S1, 150000.3): A1 and its lines go.
    shop.write("BEGIN; UPDATE OR REPLACE orders SET order_code = 'A1' WHERE order_code = 'A2';"
               "UPDATE OR REPLACE order_lines SET order_code = 'A1' WHERE order_code = 'A2'; COMMIT;");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), 34999.9);
}

TEST(DirectWrites, ADeletedOrderIsGoneWithItsLines) {
    Shop shop;
    shop.write("DELETE FROM orders WHERE order_code = 'R1';");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), 190000.3);
}

// ---- order lines ----------------------------------------------------------------------------

TEST(DirectWrites, AnAddedLineIsCounted) {
    Shop shop;
    shop.write("INSERT INTO order_lines VALUES('A2', 2, 'P1', 1, 0.0001);");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), 185000.2001);
    EXPECT_EQ(actual(shop.engine, "S1", "LPPC", "2026-11"), 2);
}

TEST(DirectWrites, AChangedLineIsFollowed) {
    Shop shop;
    shop.write("UPDATE order_lines SET amount = 100000, quantity = 9 WHERE order_code = 'A1' AND line_no = 1;");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), 185000.1);
    shop.write("UPDATE order_lines SET sku = 'P3' WHERE order_code = 'A1' AND line_no = 2;");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES_DAIRY", "2026-11"), 94999.9);
    EXPECT_EQ(actual(shop.engine, "S1", "FOCUS_P3", "2026-11"), 90000.2);
}

TEST(DirectWrites, ADeletedLineIsGone) {
    Shop shop;
    shop.write("DELETE FROM order_lines WHERE order_code = 'B1' AND line_no = 2;");
    EXPECT_EQ(actual(shop.engine, "S2", "SALES", "2026-11"), 60000);
    EXPECT_EQ(actual(shop.engine, "S2", "FOCUS_TH", "2026-11"), 0);
}

TEST(DirectWrites, ALineMovedToAnotherOrderCountsThere) {
    Shop shop;
    // A1's P2 line (50000.2) moves to S2's B1.
    shop.write("UPDATE order_lines SET order_code = 'B1', line_no = 3 WHERE order_code = 'A1' AND line_no = 2;");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), 135000);
    EXPECT_EQ(actual(shop.engine, "S2", "SALES", "2026-11"), 110000.5);
}

TEST(DirectWrites, ALineInsertedOrReplacedIsCountedOnce) {
    Shop shop;
    shop.write("INSERT OR REPLACE INTO order_lines VALUES('A2', 1, 'P3', 4, 40000.5);");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), 185000.7);
}

TEST(DirectWrites, AnUpsertedLineIsFollowed) {
    Shop shop;
    shop.write("INSERT INTO order_lines VALUES('A2', 1, 'P4', 4, 1) ON CONFLICT(order_code, line_no) DO UPDATE SET "
               "sku = excluded.sku, amount = excluded.amount;"
               "INSERT INTO order_lines VALUES('A2', 2, 'P1', 1, 2) ON CONFLICT(order_code, line_no) DO NOTHING;");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES", "2026-11"), 145003.2);
}

// ---- visits ---------------------------------------------------------------------------------

TEST(DirectWrites, VisitsInsertedChangedAndDeletedAreFollowed) {
    Shop shop;
    shop.write("INSERT INTO visits VALUES('V9', 'S1', 'O3', '2026-11-09 10:00:00');"
               "UPDATE visits SET visit_time = '2026-11-10 10:00:00' WHERE visit_code = 'V1';"
               "UPDATE visits SET employee_code = 'S1' WHERE visit_code = 'V3';"
               "DELETE FROM visits WHERE visit_code = 'V4';");
    EXPECT_EQ(actual(shop.engine, "S1", "VISITS", "2026-11"), 4);
    EXPECT_EQ(actual(shop.engine, "S1", "VISITS", "2026-11-02"), 0);
    EXPECT_EQ(actual(shop.engine, "M2", "VISITS", "2026-11"), 0);
}

TEST(DirectWrites, AVisitReplacedOnAnotherDayLeavesItsOldDay) {
    Shop shop;
    shop.write("INSERT OR REPLACE INTO visits VALUES('V1', 'S2', 'O1', '2026-11-11 10:00:00');"
               "INSERT INTO visits VALUES('V2', 'S1', 'O2', '2026-11-12 08:50:00') ON CONFLICT(visit_code) DO UPDATE "
               "SET visit_time = excluded.visit_time;");
    EXPECT_EQ(actual(shop.engine, "S1", "VISITS", "2026-11-02"), 0);
    EXPECT_EQ(actual(shop.engine, "S1", "VISITS", "2026-11"), 1);
    EXPECT_EQ(actual(shop.engine, "S2", "VISITS", "2026-11"), 2);
}

TEST(DirectWrites, AVisitRenamedOverAnotherWithUpdateOrReplaceReplacesIt) {
    Shop shop;
    shop.write("UPDATE OR REPLACE visits SET visit_code = 'V4' WHERE visit_code = 'V1';");
    EXPECT_EQ(actual(shop.engine, "S3", "VISITS", "2026-11"), 0);
    EXPECT_EQ(actual(shop.engine, "S1", "VISITS", "2026-11"), 2);
}

// ---- everything else ------------------------------------------------------------------------

TEST(DirectWrites, RouteChangesAreFollowed) {
    Shop shop;
    shop.write("INSERT INTO routes VALUES('S1', 'O6', '2026-11-20', NULL);"
               "UPDATE routes SET valid_to = '2026-11-25' WHERE employee_code = 'S1' AND outlet_code = 'O2';"
               "DELETE FROM routes WHERE employee_code = 'S2' AND outlet_code = 'O4';"
               "INSERT OR REPLACE INTO routes VALUES('S3', 'O5', '2026-11-12', '2026-11-13');");
    EXPECT_EQ(actual(shop.engine, "S1", "UB", "2026-11"), 2);  // O1, O6
    EXPECT_EQ(actual(shop.engine, "M2", "UB", "2026-11"), 0);
}

TEST(DirectWrites, TargetChangesAreFollowed) {
    Shop shop;
    shop.write("UPDATE targets SET target = 200000 WHERE employee_code = 'S1' AND kpi_code = 'SALES' AND "
               "period_type = 'MONTH';"
               "DELETE FROM targets WHERE employee_code = 'S1' AND kpi_code = 'PC';"
               "INSERT OR REPLACE INTO targets VALUES('S2', 'SALES', 'MONTH', '2026-11-01', '2026-11-30', 30000.15, 1);"
               "INSERT INTO targets VALUES('S3', 'SALES', 'MONTH', '2026-11-01', '2026-11-30', 1, 3) ON CONFLICT DO "
               "UPDATE SET weight = excluded.weight;"
               "INSERT INTO targets VALUES('S3', 'VISITS', 'MONTH', '2026-11-01', '2026-11-30', 2, 1);");
    auto s2 = shop.engine.figures("S2", "SALES", kpi::parsePeriod("2026-11").value(), kAsOf);
    EXPECT_EQ(s2.attainment, 2.0);
}

TEST(DirectWrites, OutletChangesAreFollowed) {
    Shop shop;
    shop.write("INSERT INTO outlets(code, name, created_date, created_by) VALUES('O9', 'Tạp hóa Chín', '2026-11-04', "
               "'S1');"
               "UPDATE outlets SET created_by = 'S2', created_date = '2026-11-05' WHERE code = 'O6';"
               "INSERT OR REPLACE INTO outlets(code, name, created_date, created_by) VALUES('O5', 'Tạp hóa Năm', "
               "'2026-11-13', 'S1');");
    EXPECT_EQ(actual(shop.engine, "S1", "NEW_ANY", "2026-11"), 2);  // O9, O5
    EXPECT_EQ(actual(shop.engine, "S2", "NEW_ANY", "2026-11"), 2);  // O4, O6
}

TEST(DirectWrites, EmployeeChangesAreFollowed) {
    Shop shop;
    shop.write("INSERT INTO employees(code, name, role, manager_code, start_date) VALUES('S4', 'Vũ Đức Anh', 'SR', "
               "'M2', '2026-11-16');"
               "UPDATE employees SET manager_code = 'M2' WHERE code = 'S2';"
               "UPDATE employees SET end_date = '2026-11-15' WHERE code = 'S1';"
               "INSERT OR REPLACE INTO employees(code, name, role, manager_code, start_date) VALUES('S3', 'Đỗ Hà', "
               "'SR', 'M2', '2026-11-01');");
    EXPECT_EQ(shop.engine.subtree("M2"), (std::vector<std::string>{"M2", "S2", "S3", "S4"}));
    EXPECT_EQ(actual(shop.engine, "M1", "SALES", "2026-11"), kS1Sales);
}

TEST(DirectWrites, AManagerLoopWrittenDirectlyGivesTheSameTreeAsAFreshLoad) {
    Shop shop;
    // REPLACE gives M1 a new rowid, so a fresh load meets S1 first; a loop is
    // entered at its smallest code either way.
    shop.write("INSERT OR REPLACE INTO employees(code, name, role, manager_code, start_date) VALUES('M1', 'Trần Văn "
               "Hùng', 'SS', 'S1', '2020-01-01');");
    EXPECT_EQ(shop.engine.subtree("M1"), (std::vector<std::string>{"M1", "S1", "S2"}));
    EXPECT_EQ(shop.engine.subtree("S1"), (std::vector<std::string>{"S1"}));
}

TEST(DirectWrites, AManagerCodeNamingNoEmployeeMakesARootAsInAFreshLoad) {
    Shop shop;
    shop.write("INSERT INTO employees(code, name, role, start_date) VALUES('A9', 'Tạm', 'SS', '2020-01-01');");
    // A writer with foreign keys off removes A9 while S2 still names it.
    shop.write("PRAGMA foreign_keys = OFF; DELETE FROM employees WHERE code = 'A9';"
               "UPDATE employees SET manager_code = 'A9' WHERE code = 'S2';");
    EXPECT_EQ(shop.engine.subtree("M1"), (std::vector<std::string>{"M1", "S1"}));
    EXPECT_EQ(shop.engine.subtree("S2"), (std::vector<std::string>{"S2"}));
}

TEST(DirectWrites, ProductKpiAndHolidayChangesAreFollowed) {
    Shop shop;
    shop.write("UPDATE products SET category = 'Dairy' WHERE sku = 'P3';"
               "INSERT INTO kpis(code, type, name_vi, name_en, params) VALUES('FOCUS_P4', 'FOCUS_SALES', 'P4', 'P4', "
               "'skus=P4');"
               "DELETE FROM holidays;");
    EXPECT_EQ(actual(shop.engine, "S1", "SALES_DAIRY", "2026-11"), kS1Sales);
    EXPECT_EQ(actual(shop.engine, "M1", "FOCUS_P4", "2026-11"), 60000);
}

TEST(DirectWrites, ASkuKnownOnlyFromOrderLinesPassesTheSameFiltersAsInAFreshLoad) {
    Shop shop;
    // A writer with foreign keys off removes P3 while A2 still has a P3 line:
    // the line still counts for FOCUS_P3 (skus=P3), fresh or refreshed.
    shop.write("PRAGMA foreign_keys = OFF; DELETE FROM products WHERE sku = 'P3';");
    EXPECT_EQ(actual(shop.engine, "S1", "FOCUS_P3", "2026-11"), 40000);
}

// ---- random writes of every form ------------------------------------------------------------

// A DMS's connection: foreign keys on, waiting for other writers.
class Writer {
public:
    explicit Writer(const std::filesystem::path& path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
            throw std::runtime_error("cannot open the store for writing");
        sqlite3_busy_timeout(db_, 10'000);
        run("PRAGMA foreign_keys = ON;");
    }
    ~Writer() { sqlite3_close(db_); }
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    // Runs SQL; false when SQLite refused it (an open transaction is then rolled back).
    bool run(const std::string& sql) {
        char* message = nullptr;
        int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
        error = message ? message : "";
        sqlite3_free(message);
        if (rc != SQLITE_OK && !sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        return rc == SQLITE_OK;
    }
    std::vector<std::string> column(const std::string& sql) {
        std::vector<std::string> values;
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return values;
        while (sqlite3_step(st) == SQLITE_ROW) {
            auto text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
            values.emplace_back(text ? text : "");
        }
        sqlite3_finalize(st);
        return values;
    }
    std::string error;

private:
    sqlite3* db_ = nullptr;
};

// Random direct writes of every form, over the codes the store holds now.
class RandomWrites {
public:
    RandomWrites(Writer& writer, unsigned seed) : w_(writer), rng_(seed) {}

    // One statement (or a few that belong together) of a randomly chosen form.
    std::string next() {
        static const int kForms = 42;
        switch (below(kForms)) {
        // orders
        case 0: case 1: return insertOrder("INSERT", fresh("N"));
        case 2: return "UPDATE orders SET status = " + status() + " WHERE order_code = " + order() + ";";
        case 3: return "UPDATE orders SET order_time = " + time() + " WHERE order_code = " + order() + ";";
        case 4: return "UPDATE orders SET employee_code = " + employee() + " WHERE order_code = " + order() + ";";
        case 5: return "UPDATE orders SET outlet_code = " + outlet() + " WHERE order_code = " + order() + ";";
        case 6: return "UPDATE orders SET type = " + type() + " WHERE order_code = " + order() + ";";
        case 7: {
            std::string from = order(), to = fresh("K");
            return "UPDATE orders SET order_code = " + to + " WHERE order_code = " + from +
                   "; UPDATE order_lines SET order_code = " + to + " WHERE order_code = " + from + ";";
        }
        case 8: return "DELETE FROM orders WHERE order_code = " + order() + ";";
        case 9: return insertOrder("INSERT OR REPLACE", order());
        case 10: return insertOrder("REPLACE", order());
        case 11: {
            std::string code = below(3) ? order() : fresh("U");
            return "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) VALUES(" +
                   code + ", " + employee() + ", " + outlet() + ", " + time() + ", " + type() + ", " + status() +
                   ") ON CONFLICT(order_code) DO UPDATE SET status = excluded.status, order_time = "
                   "excluded.order_time, employee_code = excluded.employee_code;";
        }
        case 12: return insertOrder("INSERT OR IGNORE", order());
        case 13: {
            std::string from = order(), to = order();
            return "UPDATE OR REPLACE orders SET order_code = " + to + " WHERE order_code = " + from +
                   "; UPDATE OR REPLACE order_lines SET order_code = " + to + " WHERE order_code = " + from + ";";
        }
        // order lines
        case 14: case 15: {
            std::string code = order();
            return "INSERT INTO order_lines VALUES(" + code + ", (SELECT coalesce(max(line_no), 0) + 1 FROM "
                   "order_lines WHERE order_code = " + code + "), " + sku() + ", " + quantity() + ", " + amount() + ");";
        }
        case 16: return "UPDATE order_lines SET amount = " + amount() + ", quantity = " + quantity() + " WHERE " + line() + ";";
        case 17: return "UPDATE order_lines SET sku = " + sku() + " WHERE " + line() + ";";
        case 18: return "DELETE FROM order_lines WHERE " + line() + ";";
        case 19: {
            std::string to = order();
            return "UPDATE order_lines SET order_code = " + to + ", line_no = (SELECT coalesce(max(line_no), 0) + 1 "
                   "FROM order_lines WHERE order_code = " + to + ") WHERE " + line() + ";";
        }
        case 20: return lineWrite("INSERT OR REPLACE INTO order_lines VALUES(", ");");
        case 21:
            return lineWrite("INSERT INTO order_lines VALUES(", ") ON CONFLICT(order_code, line_no) DO UPDATE SET "
                                                               "amount = excluded.amount, sku = excluded.sku;");
        // visits
        case 22: case 23: return visitWrite("INSERT", fresh("W"));
        case 24: return "UPDATE visits SET visit_time = " + time() + " WHERE visit_code = " + visit() + ";";
        case 25:
            return "UPDATE visits SET employee_code = " + employee() + ", outlet_code = " + outlet() +
                   " WHERE visit_code = " + visit() + ";";
        case 26: return "DELETE FROM visits WHERE visit_code = " + visit() + ";";
        case 27: return visitWrite("INSERT OR REPLACE", visit());
        case 28:
            return "INSERT INTO visits VALUES(" + visit() + ", " + employee() + ", " + outlet() + ", " + time() +
                   ") ON CONFLICT(visit_code) DO UPDATE SET visit_time = excluded.visit_time, employee_code = "
                   "excluded.employee_code;";
        case 29: return "UPDATE visits SET visit_code = " + fresh("W") + " WHERE visit_code = " + visit() + ";";
        case 30: return "UPDATE OR REPLACE visits SET visit_code = " + visit() + " WHERE visit_code = " + visit() + ";";
        // routes
        case 31:
            return std::string(below(2) ? "INSERT OR REPLACE" : "INSERT") + " INTO routes VALUES(" + employee() + ", " +
                   outlet() + ", " + date() + ", " + (below(2) ? std::string("NULL") : "'2026-12-31'") + ");";
        case 32: {
            auto routes = w_.column("SELECT quote(employee_code) || ' AND outlet_code = ' || quote(outlet_code) FROM routes");
            if (routes.empty()) return "";
            std::string where = " WHERE employee_code = " + pick(routes);
            return below(2) ? "DELETE FROM routes" + where + ";"
                            : "UPDATE routes SET valid_to = " + date() + where + " AND valid_from <= '2026-10-28';";
        }
        // targets
        case 33: case 34: {
            std::string verb = pick(std::vector<std::string>{"INSERT", "INSERT OR REPLACE", "REPLACE"});
            return verb + " INTO targets VALUES(" + employee() + ", " + kpiCode() + ", " + periodType() +
                   ", '2026-11-01', '2026-11-30', " + amount() + ", " + pick(std::vector<std::string>{"0", "1", "2.5"}) +
                   ");";
        }
        case 35: {
            auto keys = w_.column(
                "SELECT 'employee_code = ' || quote(employee_code) || ' AND kpi_code = ' || quote(kpi_code) || "
                "' AND period_type = ' || quote(period_type) FROM targets");
            if (keys.empty()) return "";
            std::string where = " WHERE " + pick(keys);
            switch (below(3)) {
            case 0: return "DELETE FROM targets" + where + ";";
            case 1: return "UPDATE targets SET target = " + amount() + ", weight = 3" + where + ";";
            default: return "UPDATE targets SET valid_from = '2026-11-16'" + where + ";";
            }
        }
        // outlets, employees, products, KPIs, holidays
        case 36:
            return std::string(below(2) ? "INSERT OR REPLACE" : "INSERT") +
                   " INTO outlets(code, name, created_date, created_by) VALUES(" +
                   (below(2) ? outlet() : fresh("Q")) + ", 'Tạp hóa mới', " + date() + ", " + employee() + ");";
        case 37: return "UPDATE outlets SET created_by = " + employee() + ", created_date = " + date() +
                        " WHERE code = " + outlet() + ";";
        case 38:
            switch (below(4)) {
            case 0:
                return "INSERT INTO employees(code, name, role, manager_code, start_date) VALUES(" + fresh("E") +
                       ", 'Nhân viên mới', 'SR', " + employee() + ", " + date() + ");";
            case 1: return "UPDATE employees SET manager_code = " + employee() + " WHERE code = " + employee() + ";";
            case 2:
                return "UPDATE employees SET start_date = " + date() + ", end_date = NULL WHERE code = " + employee() + ";";
            default:
                return "INSERT OR REPLACE INTO employees(code, name, role, manager_code, start_date) VALUES(" +
                       employee() + ", 'Nhân viên', 'SR', " + employee() + ", '2020-01-01');";
            }
        case 39:
            return below(2) ? "UPDATE products SET category = " +
                                  pick(std::vector<std::string>{"'Dairy'", "'Snack'", "NULL"}) + " WHERE sku = " + sku() + ";"
                            : "INSERT OR REPLACE INTO products(sku, name, category, brand) VALUES(" + sku() +
                                  ", 'Sản phẩm', 'Dairy', 'TH');";
        case 40:
            return "UPDATE kpis SET params = " +
                   pick(std::vector<std::string>{"'skus=P1|P3'", "'category=Snack'", "'brand=TH'"}) +
                   " WHERE code IN ('SALES_DAIRY', 'FOCUS_P3', 'VOL_OISHI') AND code = " +
                   pick(std::vector<std::string>{"'SALES_DAIRY'", "'FOCUS_P3'", "'VOL_OISHI'"}) + ";";
        default:
            return below(2) ? "INSERT OR IGNORE INTO holidays VALUES(" + date() + ", 'Nghỉ');"
                            : "DELETE FROM holidays WHERE date = " + date() + ";";
        }
    }

private:
    Writer& w_;
    std::mt19937 rng_;
    int counter_ = 0;

    int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    template <typename T>
    const T& pick(const std::vector<T>& v) { return v[static_cast<size_t>(below(static_cast<int>(v.size())))]; }
    std::string fresh(const char* prefix) { return "'" + std::string(prefix) + std::to_string(++counter_) + "'"; }
    std::string some(const std::string& query, const std::string& otherwise) {
        auto values = w_.column(query);
        return values.empty() ? otherwise : pick(values);
    }
    std::string order() { return some("SELECT quote(order_code) FROM orders ORDER BY 1", "'none'"); }
    std::string visit() { return some("SELECT quote(visit_code) FROM visits ORDER BY 1", "'none'"); }
    std::string employee() { return some("SELECT quote(code) FROM employees ORDER BY 1", "'S1'"); }
    std::string outlet() { return some("SELECT quote(code) FROM outlets ORDER BY 1", "'O1'"); }
    std::string sku() { return some("SELECT quote(sku) FROM products ORDER BY 1", "'P1'"); }
    std::string line() {
        return some("SELECT 'order_code = ' || quote(order_code) || ' AND line_no = ' || line_no FROM order_lines "
                    "ORDER BY 1",
                    "0");
    }
    std::string kpiCode() {
        return pick(std::vector<std::string>{"'SALES'", "'PC'", "'VISITS'", "'LPPC'", "'SALES_DAIRY'", "'NEW_ANY'"});
    }
    std::string periodType() { return pick(std::vector<std::string>{"'DAY'", "'WEEK'", "'MONTH'", "'CYCLE'"}); }
    std::string status() { return pick(std::vector<std::string>{"'approved'", "'approved'", "'pending'", "'cancelled'", "'rejected'"}); }
    std::string type() { return below(5) ? "'sale'" : "'return'"; }
    std::string date() {
        kpi::Day day = kpi::makeDay(2026, 10, 28) + below(37);
        return "'" + kpi::formatDay(day) + "'";
    }
    std::string time() {
        char text[16];
        std::snprintf(text, sizeof text, " %02d:%02d:%02d'", below(24), below(60), below(60));
        return date().substr(0, 11) + text;
    }
    std::string amount() {
        // Whole thousands, or decimals down to the fourth (SPEC §4).
        switch (below(4)) {
        case 0: return std::to_string(1000 * (1 + below(200)));
        case 1: return std::to_string(below(100000)) + "." + std::to_string(below(10));
        case 2: return "0." + std::to_string(1000 + below(9000));
        default: return std::to_string(below(1000)) + ".0" + std::to_string(10 + below(90));
        }
    }
    std::string quantity() { return pick(std::vector<std::string>{"1", "2", "12", "0.5", "0.25", "0.0001", "0"}); }
    std::string insertOrder(const std::string& verb, const std::string& code) {
        std::string sql = verb + " INTO orders(order_code, employee_code, outlet_code, order_time, type, status) VALUES(" +
                          code + ", " + employee() + ", " + outlet() + ", " + time() + ", " + type() + ", " +
                          status() + ");";
        int lines = below(4);
        for (int n = 1; n <= lines; ++n)
            sql += " INSERT OR REPLACE INTO order_lines VALUES(" + code + ", " + std::to_string(n) + ", " + sku() +
                   ", " + quantity() + ", " + amount() + ");";
        return sql;
    }
    std::string lineWrite(const std::string& head, const std::string& tail) {
        return head + order() + ", " + std::to_string(1 + below(3)) + ", " + sku() + ", " + quantity() + ", " +
               amount() + tail;
    }
    std::string visitWrite(const std::string& verb, const std::string& code) {
        return verb + " INTO visits VALUES(" + code + ", " + employee() + ", " + outlet() + ", " + time() + ");";
    }
};

// KPI_DIRECT_WRITE_ROUNDS and KPI_DIRECT_WRITE_SEED repeat or lengthen the run.
int fromEnvironment(const char* name, int otherwise) {
    const char* value = std::getenv(name);
    return value && *value ? std::atoi(value) : otherwise;
}

TEST(DirectWrites, RandomWritesOfEveryFormLeaveARefreshedEngineEqualToAFreshOne) {
    const int rounds = fromEnvironment("KPI_DIRECT_WRITE_ROUNDS", 120);
    const unsigned seed = static_cast<unsigned>(fromEnvironment("KPI_DIRECT_WRITE_SEED", 20261118));
    TestStore store(shopFiles());
    Engine engine(store.path());
    Writer writer(store.path());
    RandomWrites writes(writer, seed);
    std::mt19937 rng(seed ^ 0x5eed);
    int committed = 0, refused = 0, refreshes = 0;
    std::string log;  // the writes since the last comparison
    for (int round = 1; round <= rounds; ++round) {
        // A transaction of one to four writes, or as many autocommitted statements.
        const int count = 1 + static_cast<int>(rng() % 4);
        const bool oneTransaction = rng() % 2;
        std::string batch;
        for (int i = 0; i < count; ++i) batch += writes.next() + "\n";
        bool ok = writer.run(oneTransaction ? "BEGIN IMMEDIATE;\n" + batch + "COMMIT;" : batch);
        ok ? ++committed : ++refused;
        log += (oneTransaction ? "[tx] " : "") + batch + (ok ? "" : "  -- refused: " + writer.error + "\n");
        // Sometimes several rounds are folded in at once.
        if (rng() % 3 == 0 && round != rounds) continue;
        engine.refresh();
        ++refreshes;
        Engine fresh(store.path());
        // Detail rows every fourth comparison and at the end (each costs a connection).
        auto diff = kpitest::differences(engine, fresh, everything(refreshes % 4 == 1 || round == rounds), 8);
        if (!diff.empty()) {
            std::string text;
            for (const auto& line : diff) text += "\n  " + line;
            FAIL() << "after round " << round << " (seed " << seed << "), the writes since the last refresh:\n"
                   << log << "the refreshed engine differs from a fresh one:" << text;
        }
        log.clear();
    }
    // The run wrote in earnest: most batches were committed.
    EXPECT_GT(committed, rounds / 2) << refused << " batches refused";
    EXPECT_GT(refreshes, rounds / 3);
    RecordProperty("committed", committed);
    RecordProperty("refused", refused);
}

}  // namespace
