// The KPI engine against hand-computed figures (SPEC §4–§6).
//
// One small distributor, "the district", is imported once; every expectation
// below is worked out by hand from its rows, with the arithmetic next to it.
//
// Calendar used throughout: November 2026 has Sundays 1, 8, 15, 22, 29, so 25
// days Monday–Saturday; holidays.csv lists Friday 2026-11-20 (one working day
// less: W(Nov) = 24) and Sunday 2026-11-22 (no effect), and 2027-01-01.
//
//   M1 (SS) ── S1 (SR), S2 (SR)
//   M2 (SS) ── J1 (SR, joins 2026-11-16), L1 (SR, leaves after 2026-11-10)
//   X1 (SR, no manager, no activity at all)

#include "kpi/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kpi/error.hpp"
#include "kpi/period.hpp"
#include "kpi/store.hpp"
#include "test_store.hpp"

namespace {

using kpi::Day;
using kpi::Engine;
using kpi::Figures;
using kpi::Period;
using kpi::PeriodType;
using kpitest::CsvFiles;
using kpitest::TestStore;

const std::string kOrdersHeader = "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n";
const std::string kLinesHeader = "order_code,line_no,sku,quantity,amount\n";
const std::string kVisitsHeader = "visit_code,employee_code,outlet_code,visit_time\n";
const std::string kTargetsHeader = "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n";
const std::string kRoutesHeader = "employee_code,outlet_code,valid_from,valid_to\n";
const std::string kProductsHeader = "sku,name,category,brand\n";

CsvFiles districtFiles() {
    return {
        {"employees.csv",
         "code,name,role,manager_code,department,region,start_date,end_date\n"
         "M1,Trần Văn Hùng,SS,,Kênh GT,Hồ Chí Minh,2020-01-01,\n"
         "S1,Nguyễn Thị Lan,SR,M1,Kênh GT,Hồ Chí Minh,2020-01-01,\n"
         "S2,Lê Văn Bình,SR,M1,Kênh GT,Hồ Chí Minh,2020-01-01,\n"
         "M2,Phạm Minh Tuấn,SS,,Kênh GT,Hà Nội,2020-01-01,\n"
         "J1,Đỗ Thu Hà,SR,M2,Kênh GT,Hà Nội,2026-11-16,\n"
         "L1,Vũ Đức Anh,SR,M2,Kênh GT,Hà Nội,2020-01-01,2026-11-10\n"
         "X1,Hoàng Văn Nam,SR,,Kênh MT,Đà Nẵng,2020-01-01,\n"},
        {"outlets.csv",
         "code,name,channel,province,created_date,created_by\n"
         "O1,Tạp hóa Cô Ba,GT,Hồ Chí Minh,2025-01-01,\n"
         "O2,Tạp hóa Minh Anh,GT,Hồ Chí Minh,2025-01-01,\n"
         "O3,Cửa hàng Bảy Hiền,GT,Hồ Chí Minh,2025-01-01,\n"
         "O4,Tạp hóa Bà Tư,GT,Hồ Chí Minh,2026-10-01,S1\n"
         "O5,Tạp hóa Năm Lửa,GT,Hồ Chí Minh,2026-11-12,S1\n"
         "O6,Quán Sáu Béo,GT,Hồ Chí Minh,2026-11-05,S1\n"
         "O7,Tạp hóa Chú Bảy,GT,Hồ Chí Minh,2026-11-11,S1\n"
         "O8,Cửa hàng Tám Hà Nội,GT,Hà Nội,2025-01-01,\n"},
        {"products.csv",
         "sku,name,category,brand\n"
         "P1,Sữa tươi 180ml,Dairy,VinaMilk\n"
         "P2,Sữa TH true MILK,Dairy,TH\n"
         "P3,Bánh snack tôm,Snack,Oishi\n"
         "P4,Snack khoai tây,Snack,Oishi\n"},
        {"routes.csv",
         "employee_code,outlet_code,valid_from,valid_to\n"
         "S1,O1,2026-01-01,\n"
         "S1,O2,2026-01-01,\n"
         "S1,O3,2026-01-01,\n"
         "S1,O4,2026-01-01,2026-11-15\n"
         "S1,O6,2026-11-05,\n"
         "S2,O1,2026-01-01,\n"
         "S2,O4,2026-11-16,\n"
         "S2,O6,2026-11-05,\n"
         "L1,O8,2026-01-01,2026-11-10\n"
         "J1,O8,2026-11-11,\n"},
        {"holidays.csv",
         "date,name\n"
         "2026-11-20,Ngày Nhà giáo Việt Nam\n"
         "2026-11-22,Chủ nhật\n"
         "2027-01-01,Tết Dương lịch\n"},
        {"kpis.csv",
         "code,type,name_vi,name_en,description,applies_to,unit,params,cap\n"
         "SALES_TOTAL,SALES,Doanh số,Sales,,SR|SS,VND,,\n"
         "SALES_DAIRY,SALES,Doanh số sữa,Dairy sales,,,VND,category=Dairy,\n"
         "VOL_OISHI,VOLUME,Sản lượng Oishi,Oishi volume,,,pcs,brand=Oishi,\n"
         "FOCUS_P1P3,FOCUS_SALES,Doanh số SP trọng tâm,Focus sales,,,VND,skus=P1|P3,\n"
         "FOCUS_TH,FOCUS_OUTLETS,Điểm bán có TH,TH outlets,,,outlets,category=Dairy;brand=TH,\n"
         "NEW_ANY,NEW_OUTLETS,Điểm bán mới,New outlets,,,outlets,require_order=false,\n"
         "ASO_K,ASO,Số điểm bán có đơn,Active outlets,,SR,outlets,,1.2\n"},
        {"orders.csv",
         kOrdersHeader +
             "A9,S1,O1,2026-10-30 09:00:00,sale,approved,\n"
             "A1,S1,O1,2026-11-02 08:00:00,sale,approved,2026-11-02 12:00:00\n"
             "A2,S1,O1,2026-11-02 09:30:00,sale,approved,\n"
             "A3,S1,O2,2026-11-03 10:00:00,sale,approved,\n"
             "A5,S1,O1,2026-11-05 10:00:00,sale,pending,\n"
             "A6,S1,O2,2026-11-06 10:00:00,sale,rejected,\n"
             "A7,S1,O3,2026-11-07 10:00:00,sale,cancelled,\n"
             "A4,S1,O3,2026-11-08 10:00:00,sale,approved,\n"
             "R1,S1,O1,2026-11-10 10:00:00,return,approved,\n"
             "R2,S1,O7,2026-11-11 10:00:00,return,approved,\n"
             "R3,S1,O1,2026-11-11 11:00:00,return,pending,\n"
             "A8,S1,O5,2026-11-12 10:00:00,sale,approved,\n"
             "B1,S2,O1,2026-11-02 11:00:00,sale,approved,\n"
             "B2,S2,O6,2026-11-20 10:00:00,sale,approved,\n"
             "C1,J1,O8,2026-11-13 10:00:00,sale,approved,\n"
             "C2,J1,O8,2026-11-17 10:00:00,sale,approved,\n"
             "D1,L1,O8,2026-11-09 10:00:00,sale,approved,\n"
             "D2,L1,O8,2026-11-12 10:00:00,sale,approved,\n"
             "Y1,S1,O1,2026-12-31 10:00:00,sale,approved,\n"
             "Y2,S1,O1,2027-01-02 10:00:00,sale,approved,\n"
             "Y3,S1,O1,2027-01-04 10:00:00,sale,approved,\n"},
        {"order_lines.csv",
         kLinesHeader +
             "A9,1,P1,1,999\n"
             "A1,1,P1,10,100000\n"
             "A1,2,P2,5,50000\n"
             "A2,1,P2,2,20000\n"
             "A2,2,P3,4,40000\n"
             "A3,1,P3,1,30000\n"
             "A5,1,P1,100,1000000\n"
             "A6,1,P1,100,1000000\n"
             "A7,1,P1,100,1000000\n"
             "A4,1,P1,3,60000\n"
             "R1,1,P1,2,20000\n"
             "R2,1,P3,1,5000\n"
             "R3,1,P1,50,500000\n"
             "B1,1,P4,6,60000\n"
             "B2,1,P1,1,10000\n"
             "C1,1,P1,1,7777\n"
             "C2,1,P1,1,10000\n"
             "D1,1,P1,2,20000\n"
             "D2,1,P1,1,5000\n"
             "Y1,1,P1,1,1000\n"
             "Y2,1,P1,1,2000\n"
             "Y3,1,P1,1,4000\n"},
        {"visits.csv",
         kVisitsHeader +
             "V1,S1,O1,2026-11-02 07:55:00\n"
             "V2,S1,O2,2026-11-03 09:50:00\n"
             "V3,S1,O3,2026-11-08 09:50:00\n"
             "V4,S1,O7,2026-11-11 09:50:00\n"
             "V5,S1,O6,2026-11-12 08:00:00\n"
             "V6,S1,O5,2026-11-12 09:50:00\n"
             "V7,S2,O1,2026-11-02 10:50:00\n"
             "V8,S2,O6,2026-11-20 09:50:00\n"},
        {"targets.csv",
         kTargetsHeader +
             "S1,SALES_TOTAL,MONTH,2026-11-01,2026-11-30,300000,2\n"
             "S1,SALES_TOTAL,DAY,2026-11-01,2026-11-30,10000,\n"
             "S1,SALES_TOTAL,CYCLE,2026-11-01,2026-11-15,200000,\n"
             "S1,PC,MONTH,2026-01-01,2026-12-31,5,1\n"
             "S1,PC,WEEK,2026-12-28,2027-01-03,4,\n"
             "S1,ASO_K,MONTH,2026-11-01,2026-11-30,2,1\n"
             "S1,LPPC,MONTH,2026-11-01,2026-11-30,0,1\n"
             "S1,UB,MONTH,2026-11-01,2026-11-30,4,0\n"
             "S1,VISITS,DAY,2026-11-01,2026-11-30,1,\n"
             "S2,SALES_TOTAL,MONTH,2026-01-01,2026-11-10,100000,\n"
             "S2,SALES_TOTAL,MONTH,2026-11-11,2026-12-31,140000,\n"
             "S2,VISITS,WEEK,2026-11-02,2026-11-29,3,\n"
             "J1,SALES_TOTAL,MONTH,2026-11-01,2026-11-30,240000,\n"
             "J1,VISITS,DAY,2026-11-01,2026-11-30,2,\n"
             "L1,SALES_TOTAL,MONTH,2026-11-01,2026-11-30,240000,\n"},
    };
}

Period P(const std::string& text) {
    auto p = kpi::parsePeriod(text);
    if (!p) ADD_FAILURE() << "not a period: " << text;
    return p.value_or(Period{});
}

Day D(const std::string& text) {
    auto d = kpi::parseDay(text);
    if (!d) ADD_FAILURE() << "not a date: " << text;
    return d.value_or(0);
}

// An as-of date after every period below, so that projected = actual.
const Day kLater = kpi::makeDay(2028, 6, 30);

// The district, imported once and shared by the read-only tests.
struct District {
    TestStore store{districtFiles()};
    Engine engine{store.path()};
};

Engine& engine() {
    static District district;
    return district.engine;
}

Figures fig(const std::string& employee, const std::string& kpi, const std::string& period, Day asOf = kLater) {
    return engine().figures(employee, kpi, P(period), asOf);
}

double actual(const std::string& employee, const std::string& kpi, const std::string& period) {
    return fig(employee, kpi, period).actual;
}

std::optional<double> target(const std::string& employee, const std::string& kpi, const std::string& period) {
    return fig(employee, kpi, period).target;
}

// ---- what counts ----------------------------------------------------------------

TEST(Sales, SubtractsApprovedReturnsAndIgnoresOtherStatuses) {
    // Approved sale lines of S1 in November: A1 100000+50000, A2 20000+40000,
    // A3 30000, A4 60000 (Sunday) = 300000; approved returns R1 20000 + R2 5000.
    // A5 pending, A6 rejected, A7 cancelled, R3 pending: ignored.
    // 300000 − 25000 = 275000.
    EXPECT_DOUBLE_EQ(actual("S1", "SALES_TOTAL", "2026-11"), 275000);
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-11"), 275000);
}

TEST(Sales, CountsAReturnOnItsOwnOrderDate) {
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-11-10"), -20000);  // R1
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-11-11"), -5000);   // R2 (R3 pending)
    // W46 = 11-09..11-15: R1 −20000, R2 −5000, A8 (no lines) 0.
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-W46"), -25000);
}

TEST(Sales, CountsASundayOrderOnItsDate) {
    // A4 on Sunday 2026-11-08: P1 60000.
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-11-08"), 60000);
}

TEST(Sales, CountsAnOrderOnAHoliday) {
    // B2 by S2 on the holiday 2026-11-20: 10000.
    EXPECT_DOUBLE_EQ(actual("S2", "SALES", "2026-11-20"), 10000);
}

TEST(Sales, CountsTwoOrdersOfOneDayTogether) {
    // A1 150000 + A2 60000.
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-11-02"), 210000);
}

TEST(Sales, AppliesACategoryFilterToSalesAndReturns) {
    // Dairy = P1, P2. Sales: P1 100000 + 60000, P2 50000 + 20000 = 230000; return R1 (P1) 20000.
    // R2 is P3 (Snack): not subtracted. 230000 − 20000 = 210000.
    EXPECT_DOUBLE_EQ(actual("S1", "SALES_DAIRY", "2026-11"), 210000);
}

TEST(Volume, SubtractsReturnedQuantities) {
    // Sale quantities: A1 10+5, A2 2+4, A3 1, A4 3 = 25; returns R1 2 + R2 1 = 3. 25 − 3 = 22.
    EXPECT_DOUBLE_EQ(actual("S1", "VOLUME", "2026-11"), 22);
}

TEST(Volume, AppliesABrandFilterToSalesAndReturns) {
    // Oishi = P3, P4. S1: A2 P3 4 + A3 P3 1 − R2 P3 1 = 4.
    EXPECT_DOUBLE_EQ(actual("S1", "VOL_OISHI", "2026-11"), 4);
    // M1 adds S2's B1 P4 6: 4 + 6 = 10.
    EXPECT_DOUBLE_EQ(actual("M1", "VOL_OISHI", "2026-11"), 10);
}

TEST(FocusSales, RestrictsToTheFocusSkusAndSubtractsTheirReturns) {
    // skus=P1|P3. Sales: P1 100000 + 60000, P3 40000 + 30000 = 230000; returns P1 20000 + P3 5000.
    // 230000 − 25000 = 205000.
    EXPECT_DOUBLE_EQ(actual("S1", "FOCUS_P1P3", "2026-11"), 205000);
}

TEST(ProductiveCalls, CountDistinctEmployeeOutletDays) {
    // S1: (O1, 11-02) with A1 and A2 — one call —, (O2, 11-03), (O3, 11-08 Sunday), (O5, 11-12) = 4.
    // Returns R1, R2 and non-approved orders make no call.
    EXPECT_DOUBLE_EQ(actual("S1", "PC", "2026-11"), 4);
    EXPECT_DOUBLE_EQ(actual("S1", "PC", "2026-11-02"), 1);
}

TEST(ProductiveCalls, CountAnApprovedSaleOrderWithoutLines) {
    // A8 at O5 on 11-12 has no lines.
    EXPECT_DOUBLE_EQ(actual("S1", "PC", "2026-11-12"), 1);
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-11-12"), 0);
}

TEST(ProductiveCalls, IgnoreReturns) {
    EXPECT_DOUBLE_EQ(actual("S1", "PC", "2026-11-10"), 0);  // R1 only
    EXPECT_DOUBLE_EQ(actual("S1", "PC", "2026-11-11"), 0);  // R2 only
}

TEST(ProductiveCalls, AddUpOverTheSubtreeBecauseTheEmployeeIsPartOfTheCall) {
    // S1's 4 + S2's (O1, 11-02) and (O6, 11-20) = 6; (S1, O1, 11-02) and (S2, O1, 11-02) are two calls.
    EXPECT_DOUBLE_EQ(actual("M1", "PC", "2026-11"), 6);
}

TEST(LinesPerCall, CountsDistinctSkusAcrossTheOrdersOfOneCall) {
    // Call (O1, 11-02): A1 {P1, P2} ∪ A2 {P2, P3} = 3 SKUs; (O2) {P3} 1; (O3) {P1} 1; (O5) no lines 0.
    // (3 + 1 + 1 + 0) / 4 = 1.25.
    EXPECT_DOUBLE_EQ(actual("S1", "LPPC", "2026-11"), 1.25);
    EXPECT_DOUBLE_EQ(actual("S1", "LPPC", "2026-11-02"), 3);
    // M1: S1 5 SKU-calls + S2 (B1 {P4}) 1 + (B2 {P1}) 1 = 7 over 6 calls.
    EXPECT_DOUBLE_EQ(actual("M1", "LPPC", "2026-11"), 7.0 / 6.0);
}

TEST(ActiveOutlets, CountOutletsWithAnApprovedSaleOrderOnly) {
    // S1: O1, O2, O3, O5 = 4. O7 has only a return (R2); the pending/rejected/cancelled
    // orders are at outlets already counted.
    EXPECT_DOUBLE_EQ(actual("S1", "ASO", "2026-11"), 4);
    EXPECT_DOUBLE_EQ(actual("S1", "ASO", "2026-11-11"), 0);  // R2 at O7
}

TEST(ActiveOutlets, RecountDistinctOutletsOverTheSubtree) {
    // S1 {O1, O2, O3, O5} ∪ S2 {O1, O6} = 5 outlets, not 4 + 2 = 6.
    EXPECT_DOUBLE_EQ(actual("S2", "ASO", "2026-11"), 2);
    EXPECT_DOUBLE_EQ(actual("M1", "ASO", "2026-11"), 5);
}

TEST(Universe, CountsOutletsOnRoutesValidOnThePeriodsLastDay) {
    // On 2026-11-30: S1 has O1, O2, O3, O6; the O4 route ended 11-15 → 4.
    EXPECT_DOUBLE_EQ(actual("S1", "UB", "2026-11"), 4);
    // On 2026-11-15: O1, O2, O3, O4 (ends that day, inclusive), O6 (from 11-05) → 5.
    EXPECT_DOUBLE_EQ(actual("S1", "UB", "2026-11-01..2026-11-15"), 5);
    // On 2026-11-04: O6 not yet → 4.
    EXPECT_DOUBLE_EQ(actual("S1", "UB", "2026-11-04"), 4);
}

TEST(Universe, FollowsARouteMovedMidPeriod) {
    // O4 moved from S1 (to 11-15) to S2 (from 11-16).
    // S2 on 11-30: O1, O4, O6 = 3; on 11-15: O1, O6 = 2.
    EXPECT_DOUBLE_EQ(actual("S2", "UB", "2026-11"), 3);
    EXPECT_DOUBLE_EQ(actual("S2", "UB", "2026-11-01..2026-11-15"), 2);
    // M1 on 11-30: {O1, O2, O3, O6} ∪ {O1, O4, O6} = 5 distinct (not 4 + 3).
    EXPECT_DOUBLE_EQ(actual("M1", "UB", "2026-11"), 5);
}

TEST(Universe, UsesTheLastDayOfTheClippedPeriodForALeaver) {
    // L1 left after 11-10; the L1–O8 route ends 11-10. Clipped November ends 11-10 → 1.
    EXPECT_DOUBLE_EQ(actual("L1", "UB", "2026-11"), 1);
    // J1's route to O8 starts 11-11 → 1 on 11-30.
    EXPECT_DOUBLE_EQ(actual("J1", "UB", "2026-11"), 1);
}

TEST(Coverage, CountsOnlyOutletsOfTheUniverse) {
    // S1 UB on 11-30 = {O1, O2, O3, O6}; ordered: O1, O2, O3 (O5 is off-route) → 3 / 4.
    EXPECT_DOUBLE_EQ(actual("S1", "COVERAGE", "2026-11"), 0.75);
    // M1 UB = {O1, O2, O3, O4, O6}; ordered by the team: O1, O2, O3, O5, O6 → {O1, O2, O3, O6} = 4 / 5.
    EXPECT_DOUBLE_EQ(actual("M1", "COVERAGE", "2026-11"), 0.8);
    // S1 over 11-01..11-15: UB = {O1, O2, O3, O4, O6}, covered {O1, O2, O3} → 3 / 5.
    EXPECT_DOUBLE_EQ(actual("S1", "COVERAGE", "2026-11-01..2026-11-15"), 0.6);
}

TEST(NewOutlets, NeedAnApprovedSaleOrderByTheSubtreeByDefault) {
    // Created by S1 in November: O6 (11-05), O7 (11-11), O5 (11-12). O4 was created in October.
    // S1 ordered at O5 (A8, no lines, still a sale order); O6 only by S2; O7 only a return → 1.
    EXPECT_DOUBLE_EQ(actual("S1", "NEW_OUTLETS", "2026-11"), 1);
    // M1's subtree also includes S2, who ordered at O6 (B2) → O5, O6 = 2.
    EXPECT_DOUBLE_EQ(actual("M1", "NEW_OUTLETS", "2026-11"), 2);
}

TEST(NewOutlets, CountEveryCreatedOutletWhenRequireOrderIsFalse) {
    // NEW_ANY has require_order=false: O5, O6, O7 = 3.
    EXPECT_DOUBLE_EQ(actual("S1", "NEW_ANY", "2026-11"), 3);
    // O4 created 2026-10-01: October has 1.
    EXPECT_DOUBLE_EQ(actual("S1", "NEW_ANY", "2026-10"), 1);
    // S2 created nothing.
    EXPECT_DOUBLE_EQ(actual("S2", "NEW_ANY", "2026-11"), 0);
}

TEST(FocusOutlets, CountOutletsWithASaleLineOfAFocusSku) {
    // FOCUS_TH: category=Dairy AND brand=TH → P2 only; P2 was sold at O1 (A1, A2) → 1.
    EXPECT_DOUBLE_EQ(actual("S1", "FOCUS_TH", "2026-11"), 1);
    EXPECT_DOUBLE_EQ(actual("S2", "FOCUS_TH", "2026-11"), 0);
}

TEST(FocusOutlets, AsABareTypeCountOutletsWithAnySaleLine) {
    // S1: O1, O2, O3 have sale lines; O5 (A8) has none; O7 only a return → 3.
    EXPECT_DOUBLE_EQ(actual("S1", "FOCUS_OUTLETS", "2026-11"), 3);
    // M1: {O1, O2, O3} ∪ S2 {O1, O6} = 4.
    EXPECT_DOUBLE_EQ(actual("M1", "FOCUS_OUTLETS", "2026-11"), 4);
}

TEST(Visits, CountEveryVisitIncludingSundays) {
    EXPECT_DOUBLE_EQ(actual("S1", "VISITS", "2026-11"), 6);  // V1..V6, V3 on Sunday 11-08
    EXPECT_DOUBLE_EQ(actual("S1", "VISITS", "2026-11-08"), 1);
    EXPECT_DOUBLE_EQ(actual("M1", "VISITS", "2026-11"), 8);  // + V7, V8
}

TEST(StrikeRate, DividesProductiveCallsByVisits) {
    // S1: 4 / 6. M1: 6 / 8.
    EXPECT_DOUBLE_EQ(actual("S1", "STRIKE_RATE", "2026-11"), 4.0 / 6.0);
    EXPECT_DOUBLE_EQ(actual("M1", "STRIKE_RATE", "2026-11"), 0.75);
}

TEST(DropSize, DividesUnfilteredNetSalesByProductiveCalls) {
    // S1: 275000 / 4 = 68750. M1: (275000 + 70000) / 6 = 57500.
    EXPECT_DOUBLE_EQ(actual("S1", "DROP_SIZE", "2026-11"), 68750);
    EXPECT_DOUBLE_EQ(actual("M1", "DROP_SIZE", "2026-11"), 57500);
}

TEST(Ratios, AreZeroWhenTheDenominatorIsZero) {
    // X1 has no orders, visits or routes.
    for (const char* kpi : {"LPPC", "STRIKE_RATE", "DROP_SIZE", "COVERAGE"}) {
        Figures f = fig("X1", kpi, "2026-11");
        EXPECT_TRUE(f.exists) << kpi;
        EXPECT_EQ(f.actual, 0) << kpi;
        EXPECT_FALSE(std::isnan(f.actual)) << kpi;
    }
    // S1 on 11-10: one return, no call, no visit.
    EXPECT_EQ(actual("S1", "DROP_SIZE", "2026-11-10"), 0);
    EXPECT_EQ(actual("S1", "STRIKE_RATE", "2026-11-10"), 0);
}

TEST(Subtree, SupervisorFiguresCoverTheTeam) {
    // M1 = S1 275000 + S2 (B1 60000 + B2 10000) = 345000.
    EXPECT_DOUBLE_EQ(actual("M1", "SALES", "2026-11"), 345000);
    EXPECT_DOUBLE_EQ(actual("S2", "SALES", "2026-11"), 70000);
    EXPECT_EQ(engine().subtree("M1"), (std::vector<std::string>{"M1", "S1", "S2"}));
    EXPECT_EQ(engine().subtree("S1"), (std::vector<std::string>{"S1"}));
}

TEST(Subtree, SupervisorPeriodIsClippedToTheSupervisorsOwnWindow) {
    // M2 is employed all month, so the team's orders dated anywhere in November count,
    // even J1's C1 (before J1 joined) and L1's D2 (after L1 left): 7777 + 10000 + 20000 + 5000.
    EXPECT_DOUBLE_EQ(actual("M2", "SALES", "2026-11"), 42777);
}

TEST(Company, StarCoversEveryoneUnclippedAndHasNoTarget) {
    // 345000 (M1's team) + 42777 (M2's team) = 387777.
    Figures f = fig("*", "SALES_TOTAL", "2026-11");
    EXPECT_TRUE(f.exists);
    EXPECT_DOUBLE_EQ(f.actual, 387777);
    EXPECT_EQ(f.clipped, P("2026-11"));
    EXPECT_EQ(f.target, std::nullopt);
    EXPECT_EQ(f.attainment, std::nullopt);
    // Distinct outlets company-wide: O1, O2, O3, O5, O6, O8 = 6.
    EXPECT_DOUBLE_EQ(actual("*", "ASO", "2026-11"), 6);
    EXPECT_TRUE(engine().hasEmployee("*"));
}

// ---- joiners and leavers --------------------------------------------------------

TEST(Joiner, PeriodIsClippedToTheStartDate) {
    // J1 joined Monday 2026-11-16. C1 on 11-13 is before, C2 on 11-17 (10000) counts.
    Figures f = fig("J1", "SALES_TOTAL", "2026-11");
    EXPECT_TRUE(f.exists);
    EXPECT_EQ(f.clipped, (Period{PeriodType::Month, D("2026-11-16"), D("2026-11-30")}));
    EXPECT_DOUBLE_EQ(f.actual, 10000);
}

TEST(Joiner, TargetIsProratedByWorkingDays) {
    // W(11-16..11-30) = 16,17,18,19,21 (20 is a holiday) + 23..28 + 30 = 5 + 6 + 1 = 12; W(Nov) = 24.
    // 240000 × 12 / 24 = 120000; attainment 10000 / 120000.
    Figures f = fig("J1", "SALES_TOTAL", "2026-11");
    ASSERT_TRUE(f.target);
    EXPECT_DOUBLE_EQ(*f.target, 120000);
    ASSERT_TRUE(f.attainment);
    EXPECT_DOUBLE_EQ(*f.attainment, 10000.0 / 120000.0);
}

TEST(Joiner, DoesNotExistBeforeTheStartDate) {
    Figures f = fig("J1", "SALES_TOTAL", "2026-10");
    EXPECT_FALSE(f.exists);
    EXPECT_EQ(f.actual, 0);
    EXPECT_EQ(f.target, std::nullopt);
    EXPECT_EQ(f.attainment, std::nullopt);
    // Nor on the Friday before.
    EXPECT_FALSE(fig("J1", "SALES", "2026-11-13").exists);
    EXPECT_EQ(fig("J1", "SALES", "2026-11-13").actual, 0);
}

TEST(Leaver, PeriodIsClippedToTheEndDateAndTargetProrated) {
    // L1 left after 11-10: D1 (11-09) 20000 counts, D2 (11-12) does not.
    // W(11-01..11-10) = 02..07 (6) + 09, 10 (2) = 8; 240000 × 8 / 24 = 80000; 20000 / 80000 = 0.25.
    Figures f = fig("L1", "SALES_TOTAL", "2026-11");
    EXPECT_EQ(f.clipped, (Period{PeriodType::Month, D("2026-11-01"), D("2026-11-10")}));
    EXPECT_DOUBLE_EQ(f.actual, 20000);
    ASSERT_TRUE(f.target);
    EXPECT_DOUBLE_EQ(*f.target, 80000);
    ASSERT_TRUE(f.attainment);
    EXPECT_DOUBLE_EQ(*f.attainment, 0.25);
    EXPECT_FALSE(fig("L1", "SALES_TOTAL", "2026-12").exists);
}

// ---- targets ------------------------------------------------------------------------

TEST(Target, AppliesToEveryPeriodOfItsTypeOverlappingItsWindow) {
    // S1 PC MONTH 2026-01-01..2026-12-31 target 5. December PC: Y1 on 12-31 → 1; 1 / 5.
    Figures dec = fig("S1", "PC", "2026-12");
    ASSERT_TRUE(dec.target);
    EXPECT_DOUBLE_EQ(*dec.target, 5);
    EXPECT_DOUBLE_EQ(dec.actual, 1);
    EXPECT_DOUBLE_EQ(*dec.attainment, 0.2);
    Figures nov = fig("S1", "PC", "2026-11");
    EXPECT_DOUBLE_EQ(*nov.attainment, 0.8);  // 4 / 5
    // 2027 has no PC month target and PC has no DAY targets to fall back on.
    EXPECT_EQ(target("S1", "PC", "2027-01"), std::nullopt);
}

TEST(Target, TakesTheLatestValidFromWhenTwoRowsApply) {
    // S2 SALES_TOTAL: 100000 valid ..11-10 and 140000 valid 11-11.. both overlap November.
    EXPECT_EQ(target("S2", "SALES_TOTAL", "2026-11"), 140000);
    EXPECT_EQ(target("S2", "SALES_TOTAL", "2026-10"), 100000);
    EXPECT_EQ(target("S2", "SALES_TOTAL", "2026-12"), 140000);
    EXPECT_DOUBLE_EQ(*fig("S2", "SALES_TOTAL", "2026-11").attainment, 0.5);  // 70000 / 140000
}

TEST(Target, GivesNoAttainmentForAZeroTarget) {
    Figures f = fig("S1", "LPPC", "2026-11");
    EXPECT_EQ(f.target, 0);
    EXPECT_EQ(f.attainment, std::nullopt);
    EXPECT_DOUBLE_EQ(f.actual, 1.25);
}

TEST(Target, IsNoneWithoutAnyRow) {
    Figures f = fig("S2", "ASO", "2026-11");
    EXPECT_EQ(f.target, std::nullopt);
    EXPECT_EQ(f.attainment, std::nullopt);
}

TEST(Target, DoesNotCapAttainmentInFigures) {
    // ASO_K: 4 outlets against 2 → 2.0 (the cap of 1.2 is for scores only).
    Figures f = fig("S1", "ASO_K", "2026-11");
    ASSERT_TRUE(f.attainment);
    EXPECT_DOUBLE_EQ(*f.attainment, 2.0);
}

TEST(DayTarget, AppliesToWorkingDaysOnly) {
    EXPECT_EQ(target("S1", "SALES_TOTAL", "2026-11-02"), 10000);
    EXPECT_DOUBLE_EQ(*fig("S1", "SALES_TOTAL", "2026-11-02").attainment, 21);  // 210000 / 10000
    // Sunday 11-08: the actual counts, the target does not apply.
    Figures sunday = fig("S1", "SALES_TOTAL", "2026-11-08");
    EXPECT_DOUBLE_EQ(sunday.actual, 60000);
    EXPECT_EQ(sunday.target, std::nullopt);
    EXPECT_EQ(sunday.attainment, std::nullopt);
    // Holiday 11-20.
    EXPECT_EQ(target("S1", "SALES_TOTAL", "2026-11-20"), std::nullopt);
}

TEST(DayTargetFallback, SumsDayTargetsOverTheWorkingDaysOfAPeriodWithoutItsOwnTarget) {
    // VISITS has DAY targets of 1 only; November has 24 working days → 24; 6 / 24 = 0.25.
    Figures nov = fig("S1", "VISITS", "2026-11");
    ASSERT_TRUE(nov.target);
    EXPECT_DOUBLE_EQ(*nov.target, 24);
    EXPECT_DOUBLE_EQ(*nov.attainment, 0.25);
    // W45 (11-02..11-08): 6 working days × 10000 SALES_TOTAL → 60000; actual A1+A2+A3+A4 = 300000.
    Figures w45 = fig("S1", "SALES_TOTAL", "2026-W45");
    EXPECT_EQ(w45.target, 60000);
    EXPECT_DOUBLE_EQ(w45.actual, 300000);
    // W47 (11-16..11-22) has the holiday: 5 × 1.
    EXPECT_EQ(target("S1", "VISITS", "2026-W47"), 5);
    // A cycle without its own row: 11-01..11-14 has 12 working days × 10000.
    EXPECT_EQ(target("S1", "SALES_TOTAL", "2026-11-01..2026-11-14"), 120000);
    // Q4 has no QUARTER row: only November's 24 days carry DAY targets → 240000.
    EXPECT_EQ(target("S1", "SALES_TOTAL", "2026-Q4"), 240000);
}

TEST(DayTargetFallback, UsesOnlyTheWorkingDaysOfAJoinersClippedPeriod) {
    // J1 VISITS DAY target 2; clipped November 11-16..11-30 has 12 working days → 24.
    EXPECT_EQ(target("J1", "VISITS", "2026-11"), 24);
}

TEST(DayTargetFallback, IsNoneWhenNoDayRowCoversThePeriod) {
    EXPECT_EQ(target("S1", "VISITS", "2026-12"), std::nullopt);
}

TEST(DayTargetFallback, DoesNotApplyToNonAdditiveTypes) {
    // S1 has MONTH rows only for ASO_K; a week of ASO_K has no target at all.
    EXPECT_EQ(target("S1", "ASO_K", "2026-W45"), std::nullopt);
    EXPECT_EQ(target("S1", "LPPC", "2026-W45"), std::nullopt);
}

TEST(CycleTarget, AppliesOnlyToItsExactDates) {
    // 11-01..11-15: 200000; actual A1+A2 210000, A3 30000, A4 60000, R1 −20000, R2 −5000 = 275000.
    Figures f = fig("S1", "SALES_TOTAL", "2026-11-01..2026-11-15");
    EXPECT_EQ(f.clipped, P("2026-11-01..2026-11-15"));
    EXPECT_EQ(f.target, 200000);
    EXPECT_DOUBLE_EQ(f.actual, 275000);
    EXPECT_DOUBLE_EQ(*f.attainment, 1.375);
}

TEST(WeekTarget, WorksAcrossTheYearBoundary) {
    // 2026-W53 = 2026-12-28..2027-01-03; PC: (O1, 12-31) and (O1, 01-02) = 2.
    // W = 28..31 (4) + 01-02 (1) = 5, 01-01 a holiday; target 4 × 5 / 5 = 4; 2 / 4 = 0.5.
    Figures f = fig("S1", "PC", "2026-W53");
    EXPECT_DOUBLE_EQ(f.actual, 2);
    EXPECT_EQ(f.target, 4);
    EXPECT_DOUBLE_EQ(*f.attainment, 0.5);
}

TEST(Target, IsNoneWhenTheClippedPeriodHasNoWorkingDay) {
    TestStore store(districtFiles());
    // Z1 starts on Sunday 2026-11-29; a WEEK target covers W48 (11-23..11-29). Clipped to
    // 11-29 alone, W(clipped) = 0: the week exists for Z1, but carries no target.
    store.import({{"employees.csv", "code,name,role,start_date\nZ1,Lý Thị Mười,SR,2026-11-29\n"},
                  {"orders.csv", kOrdersHeader + "Z9,Z1,O1,2026-11-29 10:00:00,sale,approved,\n"},
                  {"order_lines.csv", kLinesHeader + "Z9,1,P1,1,5000\n"},
                  {"targets.csv", kTargetsHeader + "Z1,SALES_TOTAL,WEEK,2026-11-23,2026-11-29,6000,\n"}});
    Engine engine(store.path());
    Figures f = engine.figures("Z1", "SALES_TOTAL", P("2026-W48"), kLater);
    EXPECT_TRUE(f.exists);
    EXPECT_EQ(f.clipped, (Period{PeriodType::Week, D("2026-11-29"), D("2026-11-29")}));
    EXPECT_DOUBLE_EQ(f.actual, 5000);
    EXPECT_EQ(f.target, std::nullopt);
    EXPECT_EQ(f.attainment, std::nullopt);
    EXPECT_EQ(engine.score("Z1", P("2026-W48"), kLater), std::nullopt);
    // W49 lies outside the row's window (and SALES_TOTAL has no DAY rows for Z1): no target.
    EXPECT_EQ(engine.figures("Z1", "SALES_TOTAL", P("2026-W49"), kLater).target, std::nullopt);
}

// ---- every period form ------------------------------------------------------------------

TEST(Periods, EveryFormSumsTheDaysItCovers) {
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-11-02"), 210000);                // DAY
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-W45"), 300000);                  // 11-02..11-08
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-11"), 275000);                   // MONTH
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-10"), 999);                      // A9
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-Q4"), 999 + 275000 + 1000);      // + Y1 12-31
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026"), 276999);                      // YEAR
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-10-30..2026-11-02"), 999 + 210000);  // CYCLE across months
    // The ISO week across the year boundary: Y1 (12-31) + Y2 (01-02) = 3000; Y3 is in 2027-W01.
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-W53"), 3000);
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2027-W01"), 4000);
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2027"), 6000);
    EXPECT_DOUBLE_EQ(actual("S1", "SALES", "2026-12-28..2027-01-03"), 3000);
}

// ---- projection ----------------------------------------------------------------------------

TEST(Projected, ExtrapolatesByWorkingDaysWhenAsOfIsInsideThePeriod) {
    // As of Saturday 11-14: W(11-01..11-14) = 12, W(Nov) = 24 → 275000 × 24 / 12 = 550000.
    EXPECT_DOUBLE_EQ(fig("S1", "SALES_TOTAL", "2026-11", D("2026-11-14")).projected, 550000);
    EXPECT_DOUBLE_EQ(fig("S1", "PC", "2026-11", D("2026-11-14")).projected, 8);           // 4 × 2
    EXPECT_DOUBLE_EQ(fig("S1", "VOLUME", "2026-11", D("2026-11-14")).projected, 44);      // 22 × 2
    EXPECT_DOUBLE_EQ(fig("S1", "VISITS", "2026-11", D("2026-11-14")).projected, 12);      // 6 × 2
    EXPECT_DOUBLE_EQ(fig("S1", "FOCUS_P1P3", "2026-11", D("2026-11-14")).projected, 410000);
    EXPECT_DOUBLE_EQ(fig("S1", "NEW_OUTLETS", "2026-11", D("2026-11-14")).projected, 2);  // 1 × 2
    // As of 11-21 (after the holiday): W(11-01..11-21) = 18 − 1 = 17 → 275000 × 24 / 17.
    EXPECT_DOUBLE_EQ(fig("S1", "SALES_TOTAL", "2026-11", D("2026-11-21")).projected, 275000.0 * 24 / 17);
}

TEST(Projected, EqualsTheActualWhenAsOfIsOutsideThePeriod) {
    EXPECT_DOUBLE_EQ(fig("S1", "SALES_TOTAL", "2026-11", D("2026-12-05")).projected, 275000);
    EXPECT_DOUBLE_EQ(fig("S1", "SALES_TOTAL", "2026-11", D("2026-10-31")).projected, 275000);
}

TEST(Projected, EqualsTheActualWhenNoWorkingDayHasPassed) {
    // As of Sunday 11-01, the first day: W(11-01..11-01) = 0.
    EXPECT_DOUBLE_EQ(fig("S1", "SALES_TOTAL", "2026-11", D("2026-11-01")).projected, 275000);
}

TEST(Projected, EqualsTheActualOnAHolidayThatOpensThePeriod) {
    // As of Friday 2027-01-01, a holiday and the first day of January and of
    // 2027-Q1: no working day has passed, so nothing is extrapolated.
    for (const char* period : {"2027-01", "2027-Q1", "2027"}) {
        Figures f = fig("S1", "SALES_TOTAL", period, D("2027-01-01"));
        EXPECT_DOUBLE_EQ(f.projected, f.actual) << period;
    }
}

TEST(Projected, ExtrapolatesFromTheFirstWorkingDayOfAMonth) {
    // As of Saturday 2027-01-02, the month's first working day (01-01 is a
    // holiday): W(01-01..01-02) = 1, W(January 2027) = 31 − 5 Sundays − 1 = 25.
    Figures f = fig("S1", "SALES_TOTAL", "2027-01", D("2027-01-02"));
    EXPECT_GT(f.actual, 0);
    EXPECT_DOUBLE_EQ(f.projected, f.actual * 25);
}

TEST(Projected, CountsNoWorkingDayForASundayAsOfAfterAHoliday) {
    // As of Sunday 2026-11-22 (also listed as a holiday), inside the week
    // 2026-W47 (11-16..11-22): W(11-16..11-22) = 6 − 1 (Friday 11-20) = 5 = W(week).
    Figures f = fig("S1", "SALES_TOTAL", "2026-W47", D("2026-11-22"));
    EXPECT_DOUBLE_EQ(f.projected, f.actual);
    // As of the holiday itself, 11-20: W(11-16..11-20) = 4 of the week's 5.
    Figures holiday = fig("S1", "SALES_TOTAL", "2026-W47", D("2026-11-20"));
    EXPECT_DOUBLE_EQ(holiday.projected, holiday.actual * 5 / 4);
}

TEST(Projected, EqualsTheActualForNonAdditiveTypes) {
    for (const char* kpi : {"ASO", "LPPC", "UB", "COVERAGE", "STRIKE_RATE", "DROP_SIZE", "FOCUS_TH"}) {
        Figures f = fig("S1", kpi, "2026-11", D("2026-11-14"));
        EXPECT_DOUBLE_EQ(f.projected, f.actual) << kpi;
    }
}

TEST(Projected, UsesTheClippedPeriodOfAJoiner) {
    // J1 as of 11-21: W(11-16..11-21) = 5 (11-20 a holiday), W(clipped) = 12 → 10000 × 12 / 5 = 24000.
    EXPECT_DOUBLE_EQ(fig("J1", "SALES_TOTAL", "2026-11", D("2026-11-21")).projected, 24000);
    // As of 11-10, before J1's clipped period: the actual.
    EXPECT_DOUBLE_EQ(fig("J1", "SALES_TOTAL", "2026-11", D("2026-11-10")).projected, 10000);
}

TEST(Projected, DoesNotChangeTheActual) {
    // As-of only affects the projection: the actual covers the whole (clipped) period.
    EXPECT_DOUBLE_EQ(fig("S1", "SALES_TOTAL", "2026-11", D("2026-11-03")).actual, 275000);
}

// ---- report ---------------------------------------------------------------------------------

std::string describe(const kpi::ReportRow& r) {
    auto opt = [](const std::optional<double>& v) { return v ? std::to_string(*v) : std::string("none"); };
    return r.employeeCode + " " + r.kpiCode + " " + kpi::formatPeriod(r.period) + " actual=" + std::to_string(r.actual) +
           " target=" + opt(r.target) + " attainment=" + opt(r.attainment) + " projected=" + std::to_string(r.projected) +
           " weight=" + std::to_string(r.weight);
}

// "S1 PC 2026-11-01..2026-11-30" per row: who, what, and the (clipped) dates.
std::vector<std::string> keys(const std::vector<kpi::ReportRow>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows)
        out.push_back(r.employeeCode + " " + r.kpiCode + " " + kpi::formatDay(r.period.first) + ".." +
                      kpi::formatDay(r.period.last));
    return out;
}

TEST(Report, HasOneRowPerTargetOfThePeriodsTypeSorted) {
    auto rows = engine().report({P("2026-11"), std::nullopt, "", kLater});
    // J1 and L1 show their clipped periods.
    std::vector<std::string> expected = {
        "J1 SALES_TOTAL 2026-11-16..2026-11-30", "L1 SALES_TOTAL 2026-11-01..2026-11-10",
        "S1 ASO_K 2026-11-01..2026-11-30",       "S1 LPPC 2026-11-01..2026-11-30",
        "S1 PC 2026-11-01..2026-11-30",          "S1 SALES_TOTAL 2026-11-01..2026-11-30",
        "S1 UB 2026-11-01..2026-11-30",          "S2 SALES_TOTAL 2026-11-01..2026-11-30"};
    EXPECT_EQ(keys(rows), expected);
    ASSERT_EQ(rows.size(), 8u);
    // J1: clipped to 11-16..11-30, 10000 of 120000.
    EXPECT_EQ(rows[0].period, (Period{PeriodType::Month, D("2026-11-16"), D("2026-11-30")}));
    EXPECT_DOUBLE_EQ(rows[0].actual, 10000);
    EXPECT_EQ(rows[0].target, 120000);
    // L1: 11-01..11-10, 20000 of 80000.
    EXPECT_EQ(rows[1].period, (Period{PeriodType::Month, D("2026-11-01"), D("2026-11-10")}));
    EXPECT_EQ(rows[1].target, 80000);
    EXPECT_EQ(rows[1].attainment, 0.25);
    // S1 LPPC: target 0 → no attainment.
    EXPECT_EQ(rows[3].target, 0);
    EXPECT_EQ(rows[3].attainment, std::nullopt);
    // S1 SALES_TOTAL: 275000 of 300000, weight 2.
    EXPECT_DOUBLE_EQ(rows[5].actual, 275000);
    EXPECT_EQ(rows[5].target, 300000);
    EXPECT_DOUBLE_EQ(rows[5].weight, 2);
    // S1 UB: weight 0.
    EXPECT_DOUBLE_EQ(rows[6].weight, 0);
    // S2: the later of its two rows, 140000; default weight 1.
    EXPECT_EQ(rows[7].target, 140000);
    EXPECT_DOUBLE_EQ(rows[7].weight, 1);
}

TEST(Report, LimitsToTheSubtreeOfTheEmployee) {
    auto rows = engine().report({P("2026-11"), std::nullopt, "M1", kLater});
    EXPECT_EQ(keys(rows), (std::vector<std::string>{
                              "S1 ASO_K 2026-11-01..2026-11-30", "S1 LPPC 2026-11-01..2026-11-30",
                              "S1 PC 2026-11-01..2026-11-30", "S1 SALES_TOTAL 2026-11-01..2026-11-30",
                              "S1 UB 2026-11-01..2026-11-30", "S2 SALES_TOTAL 2026-11-01..2026-11-30"}));
    EXPECT_EQ(engine().report({P("2026-11"), std::nullopt, "X1", kLater}).size(), 0u);
}

TEST(Report, WithTypeDayListsEveryWorkingDayTargetInsideThePeriod) {
    auto rows = engine().report({P("2026-11"), PeriodType::Day, "S1", kLater});
    // SALES_TOTAL and VISITS DAY rows on each of the 24 working days.
    ASSERT_EQ(rows.size(), 48u);
    int sales = 0;
    for (const auto& r : rows) {
        EXPECT_EQ(r.period.type, PeriodType::Day) << describe(r);
        EXPECT_NE(r.period.first, D("2026-11-08")) << "a Sunday row: " << describe(r);
        EXPECT_NE(r.period.first, D("2026-11-20")) << "a holiday row: " << describe(r);
        if (r.kpiCode == "SALES_TOTAL") ++sales;
    }
    EXPECT_EQ(sales, 24);
    // Sorted by KPI, then date: the first is SALES_TOTAL on Monday 11-02, 210000 of 10000.
    EXPECT_EQ(rows[0].kpiCode, "SALES_TOTAL");
    EXPECT_EQ(rows[0].period.first, D("2026-11-02"));
    EXPECT_DOUBLE_EQ(rows[0].actual, 210000);
    EXPECT_EQ(rows[0].target, 10000);
    // VISITS on 11-12: V5 and V6.
    auto v12 = std::find_if(rows.begin(), rows.end(), [](const kpi::ReportRow& r) {
        return r.kpiCode == "VISITS" && r.period.first == D("2026-11-12");
    });
    ASSERT_NE(v12, rows.end());
    EXPECT_DOUBLE_EQ(v12->actual, 2);
}

TEST(Report, WithTypeWeekListsOnlyWeeksLyingInsideThePeriod) {
    // S2 VISITS WEEK 11-02..11-29 target 3. Weeks inside November: W45..W48 (W44 starts in
    // October, W49 ends in December). Visits: V7 (W45), V8 (W47).
    auto rows = engine().report({P("2026-11"), PeriodType::Week, "S2", kLater});
    EXPECT_EQ(keys(rows), (std::vector<std::string>{
                              "S2 VISITS 2026-11-02..2026-11-08", "S2 VISITS 2026-11-09..2026-11-15",
                              "S2 VISITS 2026-11-16..2026-11-22", "S2 VISITS 2026-11-23..2026-11-29"}));
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_DOUBLE_EQ(rows[0].actual, 1);
    EXPECT_DOUBLE_EQ(rows[1].actual, 0);
    EXPECT_DOUBLE_EQ(rows[2].actual, 1);
    for (const auto& r : rows) EXPECT_EQ(r.target, 3) << describe(r);
}

TEST(Report, WithTypeMonthOverAQuarterPicksTheRowThatAppliesToEachMonth) {
    auto rows = engine().report({P("2026-Q4"), PeriodType::Month, "S2", kLater});
    EXPECT_EQ(keys(rows), (std::vector<std::string>{"S2 SALES_TOTAL 2026-10-01..2026-10-31",
                                                     "S2 SALES_TOTAL 2026-11-01..2026-11-30",
                                                     "S2 SALES_TOTAL 2026-12-01..2026-12-31"}));
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].target, 100000);
    EXPECT_EQ(rows[1].target, 140000);
    EXPECT_EQ(rows[2].target, 140000);
    EXPECT_DOUBLE_EQ(rows[1].actual, 70000);
}

TEST(Report, ForACycleListsCycleTargetsLyingInsideIt) {
    auto inside = engine().report({P("2026-11-01..2026-11-15"), std::nullopt, "", kLater});
    ASSERT_EQ(inside.size(), 1u);
    EXPECT_EQ(keys(inside)[0], "S1 SALES_TOTAL 2026-11-01..2026-11-15");
    EXPECT_EQ(inside[0].period.type, PeriodType::Cycle);
    EXPECT_DOUBLE_EQ(inside[0].actual, 275000);
    EXPECT_EQ(inside[0].target, 200000);
    // The same cycle through --type CYCLE over the month.
    auto viaType = engine().report({P("2026-11"), PeriodType::Cycle, "", kLater});
    EXPECT_EQ(keys(viaType), keys(inside));
    // A cycle that does not contain the target's cycle has no row.
    EXPECT_EQ(engine().report({P("2026-11-01..2026-11-14"), std::nullopt, "", kLater}).size(), 0u);
}

TEST(Report, LeavesOutPeriodsWhereTheEmployeeWasNotEmployed) {
    // J1's VISITS DAY rows cover all of November, but J1 joined on 11-16: only the 12 working
    // days from 11-16 have a row.
    auto rows = engine().report({P("2026-11"), PeriodType::Day, "J1", kLater});
    ASSERT_EQ(rows.size(), 12u);
    EXPECT_EQ(rows.front().period.first, D("2026-11-16"));
    EXPECT_EQ(rows.back().period.first, D("2026-11-30"));
    for (const auto& r : rows) EXPECT_EQ(r.target, 2) << describe(r);
    // October: J1 had not joined, L1's and J1's targets are November's; S1's PC row spans the year.
    EXPECT_EQ(keys(engine().report({P("2026-10"), std::nullopt, "", kLater})),
              (std::vector<std::string>{"S1 PC 2026-10-01..2026-10-31", "S2 SALES_TOTAL 2026-10-01..2026-10-31"}));
}

TEST(Report, WithTypeWeekReachesAcrossTheYearBoundaryOnlyWhenTheWeekLiesInside) {
    // S1's PC WEEK row is 2026-W53 = 2026-12-28..2027-01-03.
    EXPECT_TRUE(engine().report({P("2026-12"), PeriodType::Week, "S1", kLater}).empty());
    EXPECT_TRUE(engine().report({P("2026"), PeriodType::Week, "S1", kLater}).empty());
    auto rows = engine().report({P("2026-12-21..2027-01-10"), PeriodType::Week, "S1", kLater});
    EXPECT_EQ(keys(rows), (std::vector<std::string>{"S1 PC 2026-12-28..2027-01-03"}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_DOUBLE_EQ(rows[0].actual, 2);
    EXPECT_EQ(rows[0].target, 4);
    // Without --type, the week itself.
    EXPECT_EQ(keys(engine().report({P("2026-W53"), std::nullopt, "S1", kLater})), keys(rows));
}

TEST(Report, CarriesTheProjection) {
    auto rows = engine().report({P("2026-11"), std::nullopt, "S1", D("2026-11-14")});
    auto sales = std::find_if(rows.begin(), rows.end(), [](const kpi::ReportRow& r) { return r.kpiCode == "SALES_TOTAL"; });
    ASSERT_NE(sales, rows.end());
    EXPECT_DOUBLE_EQ(sales->projected, 550000);
}

// ---- scores -------------------------------------------------------------------------------

TEST(Score, WeighsCappedAttainmentsOfTheReportRows) {
    // S1's November rows: SALES_TOTAL w2 att 275000/300000; PC w1 0.8; ASO_K w1 att 2 capped at 1.2;
    // LPPC has no attainment (target 0); UB has weight 0. (2 × 0.91667 + 0.8 + 1.2) / 4.
    auto score = engine().score("S1", P("2026-11"), kLater);
    ASSERT_TRUE(score);
    EXPECT_NEAR(*score, (2 * (275000.0 / 300000.0) + 0.8 + 1.2) / 4, 1e-12);
}

TEST(Score, UsesTheClippedRowsOfAJoiner) {
    auto score = engine().score("J1", P("2026-11"), kLater);
    ASSERT_TRUE(score);
    EXPECT_NEAR(*score, 10000.0 / 120000.0, 1e-12);
}

TEST(Score, IsNoneWithoutRows) {
    EXPECT_EQ(engine().score("X1", P("2026-11"), kLater), std::nullopt);
    EXPECT_EQ(engine().score("M1", P("2026-11"), kLater), std::nullopt);
    // S1 has no WEEK target overlapping W45.
    EXPECT_EQ(engine().score("S1", P("2026-W45"), kLater), std::nullopt);
}

TEST(Score, IsNoneWhenEveryRowHasWeightZeroOrNoAttainment) {
    TestStore store(districtFiles());
    // X1: a weight-0 row with an attainment, and a weighted row whose target is 0.
    store.import({{"targets.csv", kTargetsHeader + "X1,UB,MONTH,2026-11-01,2026-11-30,1,0\n"
                                                   "X1,LPPC,MONTH,2026-11-01,2026-11-30,0,3\n"}});
    Engine engine(store.path());
    EXPECT_EQ(engine.report({P("2026-11"), std::nullopt, "X1", kLater}).size(), 2u);
    EXPECT_EQ(engine.score("X1", P("2026-11"), kLater), std::nullopt);
    // S1 in December has only the PC row: 1 / 5.
    auto dec = engine.score("S1", P("2026-12"), kLater);
    ASSERT_TRUE(dec);
    EXPECT_NEAR(*dec, 0.2, 1e-12);
}

TEST(Score, CapsABareKpiTypeAtOnePointFive) {
    TestStore store(districtFiles());
    // S1 also gets a bare ASO target of 2: attainment 4 / 2 = 2, capped at the default 1.5.
    store.import({{"targets.csv", kTargetsHeader + "S1,ASO,MONTH,2026-11-01,2026-11-30,2,1\n"}});
    Engine engine(store.path());
    auto score = engine.score("S1", P("2026-11"), kLater);
    ASSERT_TRUE(score);
    // (2 × 275000/300000 + PC 0.8 + ASO_K min(2, 1.2) + ASO min(2, 1.5)) / 5.
    EXPECT_NEAR(*score, (2 * (275000.0 / 300000.0) + 0.8 + 1.2 + 1.5) / 5, 1e-12);
}

TEST(Scores, HaveOneRowPerEmployeeWithReportRows) {
    auto rows = engine().scores(P("2026-11"), kLater);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].employeeCode, "J1");
    EXPECT_EQ(rows[1].employeeCode, "L1");
    EXPECT_EQ(rows[2].employeeCode, "S1");
    EXPECT_EQ(rows[3].employeeCode, "S2");
    EXPECT_NEAR(rows[1].score.value_or(-1), 0.25, 1e-12);
    EXPECT_NEAR(rows[3].score.value_or(-1), 0.5, 1e-12);
    EXPECT_EQ(rows[2].score, engine().score("S1", P("2026-11"), kLater));
}

// ---- detail ---------------------------------------------------------------------------------

TEST(Detail, ListsTheOrdersBehindSalesWithAmountsSummingToTheActual) {
    auto rows = engine().detail("S1", "SALES_TOTAL", P("2026-11"));
    std::vector<std::string> refs;
    double total = 0;
    for (const auto& r : rows) {
        refs.push_back(r.reference);
        total += r.value;
        EXPECT_EQ(r.employeeCode, "S1");
    }
    // Approved orders by order time; pending, rejected and cancelled ones are not there.
    EXPECT_EQ(refs, (std::vector<std::string>{"A1", "A2", "A3", "A4", "R1", "R2", "A8"}));
    EXPECT_DOUBLE_EQ(total, 275000);
    ASSERT_EQ(rows.size(), 7u);
    EXPECT_DOUBLE_EQ(rows[0].value, 150000);
    EXPECT_EQ(rows[0].date, "2026-11-02");
    EXPECT_EQ(rows[0].outletCode, "O1");
    EXPECT_EQ(rows[0].outletName, "Tạp hóa Cô Ba");
    EXPECT_DOUBLE_EQ(rows[4].value, -20000);
}

TEST(Detail, KeepsOnlyOrdersWithFilteredLinesAndTheirFilteredAmounts) {
    // Dairy: A1 150000, A2 20000 (P2 only), A4 60000, R1 −20000 → 210000; A3, R2, A8 have no dairy.
    auto rows = engine().detail("S1", "SALES_DAIRY", P("2026-11"));
    std::vector<std::string> refs;
    double total = 0;
    for (const auto& r : rows) {
        refs.push_back(r.reference);
        total += r.value;
    }
    EXPECT_EQ(refs, (std::vector<std::string>{"A1", "A2", "A4", "R1"}));
    EXPECT_DOUBLE_EQ(total, actual("S1", "SALES_DAIRY", "2026-11"));
}

TEST(Detail, ListsTheVisitsBehindVisits) {
    auto rows = engine().detail("S1", "VISITS", P("2026-11"));
    std::vector<std::string> refs;
    for (const auto& r : rows) {
        refs.push_back(r.reference);
        EXPECT_DOUBLE_EQ(r.value, 1);
    }
    EXPECT_EQ(refs, (std::vector<std::string>{"V1", "V2", "V3", "V4", "V5", "V6"}));
    EXPECT_EQ(rows[2].date, "2026-11-08");
    EXPECT_EQ(rows[2].outletCode, "O3");
}

TEST(Detail, CoversTheSubtreeAndTheClippedPeriod) {
    EXPECT_EQ(engine().detail("M1", "VISITS", P("2026-11")).size(), 8u);
    // J1's clipped November holds C2 only.
    auto rows = engine().detail("J1", "SALES", P("2026-11"));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].reference, "C2");
    EXPECT_TRUE(engine().detail("J1", "SALES", P("2026-10")).empty());
}

TEST(Detail, ListsTheOutletsBehindOutletCounts) {
    auto codes = [](const std::vector<kpi::DetailRow>& rows) {
        std::vector<std::string> out;
        for (const auto& r : rows) out.push_back(r.outletCode);
        std::sort(out.begin(), out.end());
        return out;
    };
    // UB on 11-30: O1, O2, O3, O6; covered: O1, O2, O3; new with an order: O5.
    EXPECT_EQ(codes(engine().detail("S1", "UB", P("2026-11"))), (std::vector<std::string>{"O1", "O2", "O3", "O6"}));
    EXPECT_EQ(codes(engine().detail("S1", "COVERAGE", P("2026-11"))), (std::vector<std::string>{"O1", "O2", "O3"}));
    EXPECT_EQ(codes(engine().detail("S1", "NEW_OUTLETS", P("2026-11"))), (std::vector<std::string>{"O5"}));
    EXPECT_EQ(codes(engine().detail("S1", "NEW_ANY", P("2026-11"))), (std::vector<std::string>{"O5", "O6", "O7"}));
    auto ub = engine().detail("S1", "UB", P("2026-11"));
    auto o1 = std::find_if(ub.begin(), ub.end(), [](const kpi::DetailRow& r) { return r.outletCode == "O1"; });
    ASSERT_NE(o1, ub.end());
    EXPECT_EQ(o1->outletName, "Tạp hóa Cô Ba");
}

// ---- names, errors, state -------------------------------------------------------------------

TEST(Employees, KeepVietnameseNames) {
    auto all = engine().employees();
    ASSERT_EQ(all.size(), 7u);
    auto s1 = std::find_if(all.begin(), all.end(), [](const kpi::EmployeeInfo& e) { return e.code == "S1"; });
    ASSERT_NE(s1, all.end());
    EXPECT_EQ(s1->name, "Nguyễn Thị Lan");
    EXPECT_EQ(s1->role, "SR");
    EXPECT_EQ(s1->managerCode, "M1");
    EXPECT_EQ(s1->region, "Hồ Chí Minh");
    auto j1 = std::find_if(all.begin(), all.end(), [](const kpi::EmployeeInfo& e) { return e.code == "J1"; });
    ASSERT_NE(j1, all.end());
    EXPECT_EQ(j1->name, "Đỗ Thu Hà");
}

TEST(Kpis, ListTheDefinitionsWithTheirNames) {
    auto all = engine().kpis();
    auto focus = std::find_if(all.begin(), all.end(), [](const kpi::KpiInfo& k) { return k.code == "FOCUS_P1P3"; });
    ASSERT_NE(focus, all.end());
    EXPECT_EQ(focus->type, "FOCUS_SALES");
    EXPECT_EQ(focus->nameVi, "Doanh số SP trọng tâm");
    EXPECT_TRUE(engine().hasKpi("SALES_TOTAL"));
    EXPECT_TRUE(engine().hasKpi("STRIKE_RATE"));  // a bare type
    EXPECT_FALSE(engine().hasKpi("REVENUE"));
}

void expectInvalidArgument(const std::function<void()>& call, const std::string& what) {
    try {
        call();
        ADD_FAILURE() << what << ": no error";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::InvalidArgument) << what << ": " << e.what();
    }
}

TEST(Errors, AnUnknownEmployeeIsAnInvalidArgument) {
    EXPECT_FALSE(engine().hasEmployee("NOBODY"));
    expectInvalidArgument([] { engine().figures("NOBODY", "SALES", P("2026-11"), kLater); }, "figures");
    expectInvalidArgument([] { engine().score("NOBODY", P("2026-11"), kLater); }, "score");
    expectInvalidArgument([] { engine().detail("NOBODY", "SALES", P("2026-11")); }, "detail");
    expectInvalidArgument([] { engine().report({P("2026-11"), std::nullopt, "NOBODY", kLater}); }, "report");
    expectInvalidArgument([] { engine().subtree("NOBODY"); }, "subtree");
    // A code known only as an outlet is no employee either.
    expectInvalidArgument([] { engine().figures("O1", "SALES", P("2026-11"), kLater); }, "outlet code");
}

TEST(Errors, AnUnknownKpiIsAnInvalidArgument) {
    expectInvalidArgument([] { engine().figures("S1", "REVENUE", P("2026-11"), kLater); }, "figures");
    expectInvalidArgument([] { engine().detail("S1", "REVENUE", P("2026-11")); }, "detail");
    expectInvalidArgument([] { engine().figures("*", "", P("2026-11"), kLater); }, "empty code");
}

TEST(Errors, AMissingStoreIsNotFound) {
    TestStore store;
    try {
        Engine missing(store.dir() / "missing.sqlite");
        FAIL() << "opened a missing store";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::NotFound);
    }
}

TEST(DataState, ReportsTheNewestActivity) {
    auto state = engine().state();
    EXPECT_EQ(state.latestActivity, "2027-01-04 10:00:00");  // Y3
    EXPECT_GT(state.changeSeq, 0);
}

TEST(Window, AnEngineLoadedForOnePeriodSeesNoActivityOutsideIt) {
    TestStore store(districtFiles());
    Engine windowed(store.path(), P("2026-11"));
    EXPECT_DOUBLE_EQ(windowed.figures("S1", "SALES", P("2026-11"), kLater).actual, 275000);
    EXPECT_DOUBLE_EQ(windowed.figures("M1", "ASO", P("2026-11"), kLater).actual, 5);
    EXPECT_DOUBLE_EQ(windowed.figures("S1", "SALES", P("2026-10"), kLater).actual, 0);  // A9 is outside
    // Targets and routes are not windowed.
    EXPECT_EQ(windowed.figures("S1", "SALES_TOTAL", P("2026-11"), kLater).target, 300000);
}

TEST(Window, AnEngineCoversOnlyPeriodsInsideItsWindow) {
    TestStore store(districtFiles());
    Engine windowed(store.path(), P("2026-11"));
    EXPECT_EQ(windowed.window(), P("2026-11"));
    EXPECT_TRUE(windowed.covers(P("2026-11")));
    EXPECT_TRUE(windowed.covers(P("2026-11-25")));
    EXPECT_TRUE(windowed.covers(P("2026-11-01..2026-11-15")));
    EXPECT_TRUE(windowed.covers(P("2026-W45")));   // 2026-11-02..08
    EXPECT_FALSE(windowed.covers(P("2026-W44")));  // 2026-10-26..11-01 reaches into October
    EXPECT_FALSE(windowed.covers(P("2026-Q4")));
    EXPECT_FALSE(windowed.covers(P("2026-10")));
    EXPECT_FALSE(windowed.covers(P("2026-10-31..2026-11-30")));
    EXPECT_EQ(engine().window(), std::nullopt);
    EXPECT_TRUE(engine().covers(P("2026")));
}

TEST(Window, IsChosenOnceTheDimensionsAreLoaded) {
    TestStore store(districtFiles());
    int asked = 0;
    Engine windowed(store.path(), [&]() -> std::optional<Period> {
        ++asked;
        return P("2026-11");
    });
    EXPECT_EQ(asked, 1);
    EXPECT_EQ(windowed.window(), P("2026-11"));
    Engine whole(store.path(), [] { return std::optional<Period>(); });
    EXPECT_EQ(whole.window(), std::nullopt);
    EXPECT_DOUBLE_EQ(whole.figures("S1", "SALES", P("2026-10"), kLater).actual,
                     engine().figures("S1", "SALES", P("2026-10"), kLater).actual);
}

TEST(Window, AnswersEveryPeriodItCoversLikeTheFullEngine) {
    TestStore store(districtFiles());
    Engine windowed(store.path(), [] { return std::optional<Period>(P("2026-11")); });
    int compared = 0;
    for (const auto& e : {"*", "M1", "S1", "S2", "M2", "J1", "L1", "X1"})
        for (const auto& k : {"SALES_TOTAL", "SALES_DAIRY", "VOL_OISHI", "FOCUS_P1P3", "FOCUS_TH", "NEW_ANY", "ASO_K",
                              "PC", "LPPC", "ASO", "UB", "COVERAGE", "NEW_OUTLETS", "FOCUS_OUTLETS", "VISITS",
                              "STRIKE_RATE", "DROP_SIZE"})
            for (const auto& p : {"2026-11", "2026-W48", "2026-11-25", "2026-11-03", "2026-11-01..2026-11-15"}) {
                ASSERT_TRUE(windowed.covers(P(p)));
                Figures x = windowed.figures(e, k, P(p), D("2026-11-18")), y = engine().figures(e, k, P(p), D("2026-11-18"));
                EXPECT_TRUE(x.exists == y.exists && x.clipped == y.clipped && x.actual == y.actual &&
                            x.target == y.target && x.attainment == y.attainment && x.projected == y.projected)
                    << e << " " << k << " " << p << ": windowed " << x.actual << ", full " << y.actual;
                ++compared;
            }
    EXPECT_EQ(compared, 8 * 17 * 5);
    for (const auto& e : {"S1", "S2", "J1", "L1", "X1"})
        EXPECT_EQ(windowed.score(e, P("2026-11"), kLater), engine().score(e, P("2026-11"), kLater)) << e;
}

TEST(Window, ALoadStopsWithAnErrorOnceItIsCancelled) {
    TestStore store(districtFiles());
    int asked = 0;
    try {
        Engine cancelled(store.path(), [] { return std::optional<Period>(); }, [&] { return ++asked > 0; });
        ADD_FAILURE() << "the load was not cancelled";
    } catch (const kpi::Error& error) {
        EXPECT_EQ(error.kind(), kpi::Error::Kind::Io);
        EXPECT_NE(std::string(error.what()).find("cancelled"), std::string::npos) << error.what();
    }
    EXPECT_GT(asked, 0);
    Engine loaded(store.path(), [] { return std::optional<Period>(); }, [] { return false; });
    EXPECT_DOUBLE_EQ(loaded.figures("S1", "SALES", P("2026-11"), kLater).actual, 275000);
}

TEST(Score, FollowsARefreshAfterItWasAskedOnce) {
    TestStore store(districtFiles());
    Engine engine(store.path());
    const auto before = engine.score("S1", P("2026-11"), kLater);
    ASSERT_TRUE(before);
    EXPECT_EQ(engine.score("S1", P("2026-11"), kLater), before);  // the same, from the cache
    // S1's PC target for 2026 doubles (5 → 10): PC's attainment halves.
    store.import({{"targets.csv", kTargetsHeader + "S1,PC,MONTH,2026-01-01,2026-12-31,10,1\n"}});
    ASSERT_TRUE(engine.refresh());
    Engine fresh(store.path());
    const auto after = engine.score("S1", P("2026-11"), kLater);
    ASSERT_TRUE(after);
    EXPECT_NE(after, before);
    EXPECT_EQ(after, fresh.score("S1", P("2026-11"), kLater));
    // Another as-of date or period is its own entry.
    EXPECT_EQ(engine.score("S1", P("2026-12"), kLater), fresh.score("S1", P("2026-12"), kLater));
}

// ---- refresh --------------------------------------------------------------------------------

const std::vector<std::string> kEveryEmployee = {"*", "M1", "S1", "S2", "M2", "J1", "L1", "X1"};
const std::vector<std::string> kEveryKpi = {"SALES_TOTAL", "SALES_DAIRY", "VOL_OISHI", "FOCUS_P1P3", "FOCUS_TH",
                                            "NEW_ANY", "ASO_K", "SALES", "VOLUME", "PC", "LPPC", "ASO", "UB",
                                            "COVERAGE", "NEW_OUTLETS", "FOCUS_OUTLETS", "VISITS", "STRIKE_RATE",
                                            "DROP_SIZE"};
const std::vector<std::string> kEveryPeriod = {"2026-11", "2026-W45", "2026-W48", "2026-11-25", "2026-11-03",
                                               "2026-Q4", "2026", "2026-01", "2027-02", "2026-11-01..2026-11-15",
                                               "2026-W53"};

// Every figure, report row and score of `a` equals that of `b`.
void expectSameFigures(Engine& a, Engine& b, Day asOf) {
    int differences = 0;
    for (const auto& e : kEveryEmployee)
        for (const auto& k : kEveryKpi)
            for (const auto& p : kEveryPeriod) {
                Figures x = a.figures(e, k, P(p), asOf), y = b.figures(e, k, P(p), asOf);
                bool same = x.exists == y.exists && x.clipped == y.clipped && x.actual == y.actual &&
                            x.target == y.target && x.attainment == y.attainment && x.projected == y.projected;
                if (!same && ++differences <= 10)
                    ADD_FAILURE() << e << " " << k << " " << p << ": refreshed actual " << x.actual << " target "
                                  << x.target.value_or(-1) << ", fresh actual " << y.actual << " target "
                                  << y.target.value_or(-1);
            }
    EXPECT_EQ(differences, 0);
    for (const auto& p : {"2026-11", "2026-Q4"}) {
        auto ra = a.report({P(p), std::nullopt, "", asOf}), rb = b.report({P(p), std::nullopt, "", asOf});
        ASSERT_EQ(ra.size(), rb.size()) << p;
        for (size_t i = 0; i < ra.size(); ++i) EXPECT_EQ(describe(ra[i]), describe(rb[i])) << p;
        auto sa = a.scores(P(p), asOf), sb = b.scores(P(p), asOf);
        ASSERT_EQ(sa.size(), sb.size()) << p;
        for (size_t i = 0; i < sa.size(); ++i) {
            EXPECT_EQ(sa[i].employeeCode, sb[i].employeeCode);
            EXPECT_EQ(sa[i].score, sb[i].score) << sa[i].employeeCode;
        }
    }
}

CsvFiles moreActivity() {
    return {
        {"orders.csv", kOrdersHeader +
                           "A3,S1,O2,2026-11-03 10:00:00,sale,cancelled,\n"  // was approved
                           "N1,S2,O2,2026-11-25 10:00:00,sale,approved,\n"
                           "N2,S1,O1,2026-01-05 10:00:00,sale,approved,\n"   // before S1's first day with data
                           "N3,S1,O1,2027-02-01 10:00:00,sale,approved,\n"   // after S1's last day with data
                           "N4,X1,O1,2026-11-26 10:00:00,sale,approved,\n"}, // X1's first activity
        {"order_lines.csv", kLinesHeader +
                                "N1,1,P2,3,33000\n"
                                "N2,1,P1,1,500\n"
                                "N3,1,P1,1,700\n"
                                "N4,1,P3,2,8000\n"},
        {"visits.csv", kVisitsHeader + "V9,S2,O2,2026-11-25 09:00:00\n"},
        {"targets.csv", kTargetsHeader + "S2,SALES_TOTAL,MONTH,2026-11-11,2026-12-31,150000,\n"},
        {"routes.csv", kRoutesHeader + "S2,O2,2026-11-20,\n"},
    };
}

TEST(Refresh, FoldsInNewOrdersStatusChangesAndTargetEdits) {
    TestStore store(districtFiles());
    Engine engine(store.path());
    Day asOf = D("2026-11-14");
    EXPECT_DOUBLE_EQ(engine.figures("S1", "SALES", P("2026-11"), asOf).actual, 275000);

    store.import(moreActivity());
    EXPECT_TRUE(engine.refresh());

    // A3 cancelled: 275000 − 30000 = 245000, and its call at O2 is gone: PC 3.
    EXPECT_DOUBLE_EQ(engine.figures("S1", "SALES", P("2026-11"), asOf).actual, 245000);
    EXPECT_DOUBLE_EQ(engine.figures("S1", "PC", P("2026-11"), asOf).actual, 3);
    // S2: 70000 + N1 33000; the edited target 150000; UB on 11-30 adds O2: {O1, O2, O4, O6} = 4.
    Figures s2 = engine.figures("S2", "SALES_TOTAL", P("2026-11"), asOf);
    EXPECT_DOUBLE_EQ(s2.actual, 103000);
    EXPECT_EQ(s2.target, 150000);
    EXPECT_DOUBLE_EQ(engine.figures("S2", "UB", P("2026-11"), asOf).actual, 4);
    EXPECT_DOUBLE_EQ(engine.figures("S2", "VISITS", P("2026-11"), asOf).actual, 3);
    // 2026: 999 + 245000 + 1000 + N2 500 = 247499; 2027-02: N3 700; X1: N4 8000.
    EXPECT_DOUBLE_EQ(engine.figures("S1", "SALES", P("2026"), asOf).actual, 247499);
    EXPECT_DOUBLE_EQ(engine.figures("S1", "SALES", P("2027-02"), asOf).actual, 700);
    EXPECT_DOUBLE_EQ(engine.figures("X1", "SALES", P("2026-11"), asOf).actual, 8000);

    Engine fresh(store.path());
    expectSameFigures(engine, fresh, asOf);
    EXPECT_EQ(engine.state().changeSeq, fresh.state().changeSeq);
    EXPECT_EQ(engine.state().latestActivity, "2027-02-01 10:00:00");
}

TEST(Refresh, FoldsInOrdersAloneAgainstTheLoadedDimensions) {
    TestStore store(districtFiles());
    Engine engine(store.path());
    // Facts only: no employee, outlet, product, KPI, target, route or holiday changes.
    store.import({{"orders.csv", kOrdersHeader +
                                     "A4,S1,O3,2026-11-08 10:00:00,sale,rejected,\n"     // was approved
                                     "A5,S1,O1,2026-11-05 10:00:00,sale,approved,\n"     // was pending
                                     "B3,S2,O3,2026-11-21 10:00:00,sale,approved,\n"   // new, S2 at S1's outlet
                                     "A2,S2,O1,2026-11-04 09:30:00,sale,approved,\n"},  // moved from S1, 11-02
                  {"order_lines.csv", kLinesHeader +
                                          "B3,1,P2,1,5000\n"
                                          "A1,1,P1,10,110000\n"},  // a line of an unchanged order, 100000 before
                  {"visits.csv", kVisitsHeader + "V9,S2,O3,2026-11-21 09:00:00\n"}});
    EXPECT_TRUE(engine.refresh());
    // S1: 275000 − A4 60000 + A5 1000000 − A2 60000 + A1's line +10000 = 1165000; calls (O3, 11-08)
    // gone, (O1, 11-05) new, (O1, 11-02) kept by A1: still 4.
    EXPECT_DOUBLE_EQ(engine.figures("S1", "SALES", P("2026-11"), kLater).actual, 1165000);
    EXPECT_DOUBLE_EQ(engine.figures("S1", "PC", P("2026-11"), kLater).actual, 4);
    EXPECT_DOUBLE_EQ(engine.figures("S1", "SALES", P("2026-11-02"), kLater).actual, 160000);
    // S2: 70000 + B3 5000 + A2 60000 (now on 11-04) = 135000.
    EXPECT_DOUBLE_EQ(engine.figures("S2", "SALES", P("2026-11"), kLater).actual, 135000);
    EXPECT_DOUBLE_EQ(engine.figures("S2", "SALES", P("2026-11-04"), kLater).actual, 60000);
    // S1's outlets: O1, O2, O5 (O3 lost with A4) → 3; M1 regains O3 through S2's B3 → 5.
    EXPECT_DOUBLE_EQ(engine.figures("S1", "ASO", P("2026-11"), kLater).actual, 3);
    EXPECT_DOUBLE_EQ(engine.figures("M1", "ASO", P("2026-11"), kLater).actual, 5);
    EXPECT_DOUBLE_EQ(engine.figures("S2", "VISITS", P("2026-11"), kLater).actual, 3);
    Engine fresh(store.path());
    expectSameFigures(engine, fresh, D("2026-11-14"));
}

TEST(Refresh, FoldsInRowsTheDmsWritesDirectly) {
    TestStore store(districtFiles());
    Engine engine(store.path());
    // The DMS writes with SQL of its own, not through `kpi import`.
    store.execute(
        "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
        "VALUES('D9', 'S2', 'O2', '2026-11-24 10:00:00', 'sale', 'approved');"
        "INSERT INTO order_lines(order_code, line_no, sku, quantity, amount) VALUES('D9', 1, 'P2', 2, 22000);"
        "UPDATE orders SET status = 'cancelled' WHERE order_code = 'A3';"
        "UPDATE order_lines SET amount = 70000 WHERE order_code = 'A4' AND line_no = 1;"
        "INSERT INTO visits(visit_code, employee_code, outlet_code, visit_time) "
        "VALUES('V9', 'S2', 'O2', '2026-11-24 09:00:00');");
    EXPECT_TRUE(engine.refresh());
    // S1: 275000 − A3 30000 + (A4 70000 − 60000) = 255000. S2: 70000 + D9 22000 = 92000.
    EXPECT_DOUBLE_EQ(engine.figures("S1", "SALES", P("2026-11"), kLater).actual, 255000);
    EXPECT_DOUBLE_EQ(engine.figures("S2", "SALES", P("2026-11"), kLater).actual, 92000);
    EXPECT_DOUBLE_EQ(engine.figures("S2", "VISITS", P("2026-11"), kLater).actual, 3);
    Engine fresh(store.path());
    expectSameFigures(engine, fresh, D("2026-11-14"));
    EXPECT_FALSE(engine.refresh());
}

TEST(Refresh, FollowsAnOrderTheDmsMovesToAnotherDayOrSalesperson) {
    TestStore store(districtFiles());
    Engine engine(store.path());
    // A3 (S1, 11-03, 30000) is re-dated to 11-04; B1 (S2, 60000) is reassigned to S1.
    store.execute("UPDATE orders SET order_time = '2026-11-04 10:00:00' WHERE order_code = 'A3';"
                  "UPDATE orders SET employee_code = 'S1' WHERE order_code = 'B1';");
    EXPECT_TRUE(engine.refresh());
    EXPECT_DOUBLE_EQ(engine.figures("S1", "SALES", P("2026-11-03"), kLater).actual, 0);
    EXPECT_DOUBLE_EQ(engine.figures("S1", "SALES", P("2026-11-04"), kLater).actual, 30000);
    EXPECT_DOUBLE_EQ(engine.figures("S2", "SALES", P("2026-11"), kLater).actual, 10000);
    EXPECT_DOUBLE_EQ(engine.figures("S1", "SALES", P("2026-11"), kLater).actual, 335000);  // 275000 + 60000
    Engine fresh(store.path());
    expectSameFigures(engine, fresh, D("2026-11-14"));
}

TEST(Refresh, FollowsDimensionChangesTheDmsWritesDirectly) {
    TestStore store(districtFiles());
    Engine engine(store.path());
    // A new outlet created by S2 with an approved order, a route, and S2 moved under M2.
    store.execute(
        "INSERT INTO outlets(code, name, created_date, created_by) VALUES('O9', 'Tạp hóa Chín', '2026-11-23', 'S2');"
        "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
        "VALUES('D9', 'S2', 'O9', '2026-11-23 10:00:00', 'sale', 'approved');"
        "INSERT INTO order_lines(order_code, line_no, sku, quantity, amount) VALUES('D9', 1, 'P1', 1, 9000);"
        "INSERT INTO routes(employee_code, outlet_code, valid_from) VALUES('S2', 'O9', '2026-11-23');"
        "UPDATE employees SET manager_code = 'M2' WHERE code = 'S2';"
        "INSERT INTO holidays(date, name) VALUES('2026-11-21', 'Nghỉ bù');");
    EXPECT_TRUE(engine.refresh());
    EXPECT_DOUBLE_EQ(engine.figures("S2", "NEW_OUTLETS", P("2026-11"), kLater).actual, 1);
    EXPECT_DOUBLE_EQ(engine.figures("S2", "UB", P("2026-11"), kLater).actual, 4);  // O1, O4, O6, O9
    EXPECT_EQ(engine.subtree("M2"), (std::vector<std::string>{"M2", "J1", "L1", "S2"}));
    EXPECT_DOUBLE_EQ(engine.figures("M1", "SALES", P("2026-11"), kLater).actual, 275000);
    // W(Nov) = 23 now: J1's target 240000 × 11 / 23.
    EXPECT_DOUBLE_EQ(*engine.figures("J1", "SALES_TOTAL", P("2026-11"), kLater).target, 240000.0 * 11 / 23);
    Engine fresh(store.path());
    expectSameFigures(engine, fresh, D("2026-11-14"));
}

TEST(Refresh, AddsNewlyApprovedOrdersIncludingOnesJoiningAnExistingCall) {
    TestStore store(districtFiles());
    Engine engine(store.path());
    // Facts only, all new orders: the engine may add them without re-reading whole days.
    store.import({{"orders.csv", kOrdersHeader +
                                     "E1,S1,O1,2026-11-02 15:00:00,sale,approved,\n"     // a third order in call (S1, O1, 11-02)
                                     "E2,S1,O2,2026-11-03 15:00:00,return,approved,\n"   // a return on a day with a call
                                     "E3,S2,O3,2026-11-25 10:00:00,sale,approved,\n"     // two orders making one new call
                                     "E4,S2,O3,2026-11-25 11:00:00,sale,approved,\n"
                                     "N2,S1,O1,2026-01-05 10:00:00,sale,approved,\n"     // before S1's first day with data
                                     "N3,S1,O1,2027-02-01 10:00:00,sale,approved,\n"     // after S1's last day with data
                                     "N4,X1,O1,2026-11-26 10:00:00,sale,approved,\n"},  // X1's first activity
                  {"order_lines.csv", kLinesHeader +
                                          "E1,1,P4,1,4000\n"
                                          "E1,2,P1,1,1000\n"
                                          "E2,1,P3,1,3000\n"
                                          "E3,1,P1,2,2000\n"
                                          "E3,2,P2,1,1000\n"
                                          "E4,1,P2,1,1000\n"
                                          "E4,2,P3,1,1000\n"
                                          "N2,1,P1,1,500\n"
                                          "N3,1,P1,1,700\n"
                                          "N4,1,P3,2,8000\n"},
                  {"visits.csv", kVisitsHeader +
                                     "V9,X1,O1,2026-11-26 09:00:00\n"
                                     "V10,X1,O2,2026-12-01 09:00:00\n"}});
    EXPECT_TRUE(engine.refresh());
    auto actualOf = [&](const char* e, const char* k, const char* p) { return engine.figures(e, k, P(p), kLater).actual; };
    // S1: 275000 + E1 5000 − E2 3000 = 277000; E1 joins call (O1, 11-02), E2 is a return: PC still 4.
    EXPECT_DOUBLE_EQ(actualOf("S1", "SALES", "2026-11"), 277000);
    EXPECT_DOUBLE_EQ(actualOf("S1", "PC", "2026-11"), 4);
    // Call (O1, 11-02): {P1, P2, P3} ∪ {P4, P1} = 4 SKUs; LPPC (4 + 1 + 1 + 0) / 4 = 1.5.
    EXPECT_DOUBLE_EQ(actualOf("S1", "LPPC", "2026-11-02"), 4);
    EXPECT_DOUBLE_EQ(actualOf("S1", "LPPC", "2026-11"), 1.5);
    // S2: 70000 + E3 3000 + E4 2000 = 75000; calls 2 + (O3, 11-25) = 3; SKUs 1 + 1 + |{P1, P2, P3}| = 5.
    EXPECT_DOUBLE_EQ(actualOf("S2", "SALES", "2026-11"), 75000);
    EXPECT_DOUBLE_EQ(actualOf("S2", "PC", "2026-11"), 3);
    EXPECT_DOUBLE_EQ(actualOf("S2", "LPPC", "2026-11"), 5.0 / 3.0);
    // 2026: 276999 + 5000 − 3000 + N2 500 = 279499; 2027-02: N3 700.
    EXPECT_DOUBLE_EQ(actualOf("S1", "SALES", "2026"), 279499);
    EXPECT_DOUBLE_EQ(actualOf("S1", "SALES", "2027-02"), 700);
    // X1: N4 8000, one visit in November and one in December, 1 call / 1 visit.
    EXPECT_DOUBLE_EQ(actualOf("X1", "SALES", "2026-11"), 8000);
    EXPECT_DOUBLE_EQ(actualOf("X1", "VISITS", "2026-11"), 1);
    EXPECT_DOUBLE_EQ(actualOf("X1", "VISITS", "2026-12"), 1);
    EXPECT_DOUBLE_EQ(actualOf("X1", "STRIKE_RATE", "2026-11"), 1);
    // M1 outlets: {O1, O2, O3, O5} ∪ {O1, O6, O3} = 5.
    EXPECT_DOUBLE_EQ(actualOf("M1", "ASO", "2026-11"), 5);
    Engine fresh(store.path());
    expectSameFigures(engine, fresh, D("2026-11-14"));
    EXPECT_EQ(engine.state().latestActivity, fresh.state().latestActivity);
}

TEST(Refresh, FollowsAnOrderWhoseLinesArriveLaterAndWhoseStatusFlips) {
    TestStore store(districtFiles());
    Engine engine(store.path());
    Engine* current = &engine;
    auto check = [&](const char* step) {
        SCOPED_TRACE(step);
        Engine fresh(store.path());
        expectSameFigures(*current, fresh, D("2026-11-14"));
    };
    // An approved order without lines: a call, no sales.
    store.import({{"orders.csv", kOrdersHeader + "F1,S2,O2,2026-11-26 10:00:00,sale,approved,\n"}});
    EXPECT_TRUE(engine.refresh());
    EXPECT_DOUBLE_EQ(engine.figures("S2", "PC", P("2026-11"), kLater).actual, 3);
    EXPECT_DOUBLE_EQ(engine.figures("S2", "SALES", P("2026-11"), kLater).actual, 70000);
    check("order without lines");
    // Its lines arrive: 1111 + 2222, two SKUs in the call.
    store.import({{"order_lines.csv", kLinesHeader + "F1,1,P1,1,1111\nF1,2,P2,1,2222\n"}});
    EXPECT_TRUE(engine.refresh());
    EXPECT_DOUBLE_EQ(engine.figures("S2", "SALES", P("2026-11"), kLater).actual, 73333);
    EXPECT_DOUBLE_EQ(engine.figures("S2", "LPPC", P("2026-11-26"), kLater).actual, 2);
    check("lines arrived");
    // Cancelled, then approved again.
    store.import({{"orders.csv", kOrdersHeader + "F1,S2,O2,2026-11-26 10:00:00,sale,cancelled,\n"}});
    EXPECT_TRUE(engine.refresh());
    EXPECT_DOUBLE_EQ(engine.figures("S2", "SALES", P("2026-11"), kLater).actual, 70000);
    EXPECT_DOUBLE_EQ(engine.figures("S2", "PC", P("2026-11"), kLater).actual, 2);
    check("cancelled");
    store.import({{"orders.csv", kOrdersHeader + "F1,S2,O2,2026-11-26 10:00:00,sale,approved,\n"}});
    EXPECT_TRUE(engine.refresh());
    EXPECT_DOUBLE_EQ(engine.figures("S2", "SALES", P("2026-11"), kLater).actual, 73333);
    check("approved again");
    // Turned into a return: −3333 instead of +3333, and no call.
    store.import({{"orders.csv", kOrdersHeader + "F1,S2,O2,2026-11-26 10:00:00,return,approved,\n"}});
    EXPECT_TRUE(engine.refresh());
    EXPECT_DOUBLE_EQ(engine.figures("S2", "SALES", P("2026-11"), kLater).actual, 66667);
    EXPECT_DOUBLE_EQ(engine.figures("S2", "PC", P("2026-11"), kLater).actual, 2);
    check("a return");
}

TEST(Refresh, StartsFromAnEmptyStore) {
    TestStore store;
    Engine engine(store.path());
    EXPECT_TRUE(engine.employees().empty());
    EXPECT_DOUBLE_EQ(engine.figures("*", "SALES", P("2026-11"), kLater).actual, 0);
    EXPECT_FALSE(engine.refresh());
    store.import(districtFiles());
    EXPECT_TRUE(engine.refresh());
    EXPECT_DOUBLE_EQ(engine.figures("S1", "SALES", P("2026-11"), kLater).actual, 275000);
    Engine fresh(store.path());
    expectSameFigures(engine, fresh, D("2026-11-14"));
}

TEST(Refresh, ReturnsFalseWhenNothingChanged) {
    TestStore store(districtFiles());
    Engine engine(store.path());
    EXPECT_FALSE(engine.refresh());
    // Re-importing the same files changes nothing either.
    store.import(districtFiles());
    EXPECT_FALSE(engine.refresh());
    store.import(moreActivity());
    EXPECT_TRUE(engine.refresh());
    EXPECT_FALSE(engine.refresh());
}

TEST(Refresh, FollowsChangedProductsAndKpiDefinitions) {
    TestStore store(districtFiles());
    Engine engine(store.path());
    // P3 becomes Dairy: SALES_DAIRY of S1 gains A2's 40000 and A3's 30000 and loses R2's 5000.
    store.import({{"products.csv", kProductsHeader + "P3,Bánh snack tôm,Dairy,Oishi\n"},
                  {"kpis.csv", "code,type,name_vi,name_en,params\nTOP_P4,FOCUS_SALES,Trọng tâm P4,P4,skus=P4\n"}});
    EXPECT_TRUE(engine.refresh());
    EXPECT_DOUBLE_EQ(engine.figures("S1", "SALES_DAIRY", P("2026-11"), kLater).actual, 210000 + 40000 + 30000 - 5000);
    EXPECT_DOUBLE_EQ(engine.figures("M1", "TOP_P4", P("2026-11"), kLater).actual, 60000);  // B1
    Engine fresh(store.path());
    expectSameFigures(engine, fresh, kLater);
}

TEST(Refresh, StaysConsistentWhileAnotherConnectionImports) {
    TestStore store(districtFiles());
    const int batches = 12;
    std::atomic<bool> done{false};
    std::string writerError;
    // The writer imports through its own Store connection (TestStore::importPaths opens one).
    std::vector<std::vector<std::filesystem::path>> files;
    for (int i = 0; i < batches; ++i) {
        std::string code = "W" + std::to_string(i);
        std::string employee = i % 2 ? "S2" : "S1";
        char time[32];
        std::snprintf(time, sizeof time, "2026-11-%02d 10:00:00", 2 + i);
        std::string orders = kOrdersHeader + code + "," + employee + ",O2," + time + ",sale,approved,\n";
        if (i == batches / 2) orders += "A1,S1,O1,2026-11-02 08:00:00,sale,cancelled,2026-11-02 12:00:00\n";
        files.push_back(store.write({{"orders.csv", orders},
                                     {"order_lines.csv", kLinesHeader + code + ",1,P1,1," +
                                                             std::to_string(1000 * (i + 1)) + "\n"}}));
    }
    std::thread writer([&] {
        try {
            for (const auto& batch : files) store.importPaths(batch);
        } catch (const std::exception& e) {
            writerError = e.what();
        }
        done = true;
    });

    Engine engine(store.path());
    std::string readerError;
    int rounds = 0;
    try {
        while (!done || rounds == 0) {
            engine.refresh();
            engine.figures("M1", "SALES_TOTAL", P("2026-11"), kLater);
            engine.figures("*", "ASO", P("2026-11"), kLater);
            engine.report({P("2026-11"), std::nullopt, "", kLater});
            ++rounds;
        }
        engine.refresh();
    } catch (const std::exception& e) {
        readerError = e.what();
    }
    writer.join();
    EXPECT_EQ(writerError, "");
    EXPECT_EQ(readerError, "");
    EXPECT_GT(rounds, 0);

    // M1 = 345000 + Σ 1000 × (1..12) = 345000 + 78000, minus the cancelled A1 150000 = 273000.
    EXPECT_DOUBLE_EQ(engine.figures("M1", "SALES_TOTAL", P("2026-11"), kLater).actual, 273000);
    Engine fresh(store.path());
    expectSameFigures(engine, fresh, kLater);
}

}  // namespace

TEST(Refresh, FetchesOnAWorkerThreadAndAppliesOnAnother) {
    TestStore store(districtFiles());
    Engine engine(store.path());
    store.import({{"orders.csv", kOrdersHeader + "B3,S2,O3,2026-11-21 10:00:00,sale,approved,\n"},
                  {"order_lines.csv", kLinesHeader + "B3,1,P2,1,5000\n"}});
    kpi::PendingChangesPtr pending;
    std::thread worker([&] { pending = engine.fetchChanges(); });  // I/O only, as the add-in does
    worker.join();
    ASSERT_TRUE(pending);
    engine.apply(std::move(pending));
    EXPECT_DOUBLE_EQ(engine.figures("S2", "SALES", P("2026-11"), kLater).actual, 75000);  // 70000 + B3 5000
    EXPECT_FALSE(engine.fetchChanges());  // nothing new; an unused result is simply dropped
    Engine fresh(store.path());
    expectSameFigures(engine, fresh, D("2026-11-14"));
}
