// Import of the plan files (SPEC §3, §9): every rule rejects the whole import
// with FILE:LINE errors and leaves the store as it was; valid plans upsert by
// key, re-importing changes nothing, and every change is in the plan audit.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "kpi/error.hpp"
#include "kpi/store.hpp"
#include "test_store.hpp"

namespace {

using kpitest::CsvFiles;
using kpitest::Rejection;
using kpitest::TestStore;

const std::string kPlansHeader = "code,name_vi,name_en,period_type,gate_kpi,gate_min,curve_mode\n";
const std::string kComponentsHeader = "plan_code,kpi_code,weight,curve\n";
const std::string kAssignmentsHeader = "employee_code,plan_code,valid_from,valid_to,incentive\n";

CsvFiles people() {
    return {{"employees.csv",
             "code,name,role,manager_code,department,region,start_date,end_date\n"
             "M1,Trần Văn Hùng,SS,,Kênh GT,Hồ Chí Minh,2020-01-01,\n"
             "S1,Nguyễn Thị Lan,SR,M1,Kênh GT,Hồ Chí Minh,2020-01-01,\n"},
            {"kpis.csv", "code,type,name_vi,name_en\nDS,SALES,Doanh số,Sales\n"}};
}

CsvFiles plans() {
    return {{"plans.csv", kPlansHeader + "SR_THANG,Thưởng tháng NVBH,Salesperson bonus,MONTH,DS,0.8,linear\n"
                                         "SS_QUY,\"Thưởng quý, giám sát\",Supervisor quarterly,QUARTER,,,step\n"},
            {"plan_components.csv", kComponentsHeader + "SR_THANG,DS,3,0.8:0.5|1:1|1.2:1.5\n"
                                                        "SR_THANG,PC,1,1:1\n"
                                                        "SS_QUY,DS,1,0.9:0.5|1:1\n"},
            {"plan_assignments.csv", kAssignmentsHeader + "S1,SR_THANG,2026-01-01,2026-06-30,5000000\n"
                                                          "S1,SR_THANG,2026-07-01,2026-12-31,5500000.5\n"
                                                          "M1,SS_QUY,2026-01-01,2026-12-31,12000000\n"}};
}

CsvFiles with(CsvFiles files, const CsvFiles& more) {
    for (const auto& [name, text] : more) files[name] = text;
    return files;
}

bool has(const Rejection& r, const std::string& error) {
    return std::find(r.errors.begin(), r.errors.end(), error) != r.errors.end();
}

std::string all(const Rejection& r) {
    std::string text;
    for (const auto& e : r.errors) text += e + "\n";
    return text;
}

TEST(PlanImport, WritesPlansComponentsAndAssignmentsInTheSameImportAsTheirEmployeesAndKpis) {
    TestStore store(with(people(), plans()));
    EXPECT_EQ(store.query("SELECT code, period_type, coalesce(gate_kpi, '-'), coalesce(gate_min, '-'), curve_mode "
                          "FROM plans ORDER BY code"),
              (std::vector<std::string>{"SR_THANG|MONTH|DS|0.8|linear", "SS_QUY|QUARTER|-|-|step"}));
    EXPECT_EQ(store.query("SELECT count(*) FROM plan_components"), std::vector<std::string>{"3"});
    EXPECT_EQ(store.query("SELECT incentive FROM plan_assignments WHERE valid_from = '2026-07-01'"),
              std::vector<std::string>{"5500000.5"});
}

TEST(PlanImport, DefaultsTheCurveModeToLinear) {
    TestStore store(with(people(), {{"plans.csv", kPlansHeader + "P,Thưởng,Bonus,YEAR,,,\n"}}));
    EXPECT_EQ(store.query("SELECT curve_mode FROM plans"), std::vector<std::string>{"linear"});
}

TEST(PlanImport, ChangesNothingWhenTheSameFilesComeAgain) {
    TestStore store(with(people(), plans()));
    std::string before = store.dump();
    auto summary = store.import(plans());
    EXPECT_EQ(summary.rowsChanged, 0);
    EXPECT_EQ(store.dump(), before);
}

TEST(PlanImport, KeepsEveryChangeInThePlanHistoryWithWhoBeforeAndAfter) {
    TestStore store(people());
    kpi::ImportOptions admin;
    admin.user = "chị Hương";
    store.import(plans(), admin);
    store.import({{"plan_components.csv", kComponentsHeader + "SR_THANG,DS,3,0.8:0.6|1:1|1.2:1.5\n"},
                  {"plan_assignments.csv", kAssignmentsHeader + "S1,SR_THANG,2026-07-01,2026-12-31,6000000\n"}},
                 admin);
    auto history = kpi::Store::open(store.path(), kpi::Store::Mode::ReadOnly)->planHistory("SR_THANG", "");
    ASSERT_EQ(history.size(), 7u);  // a plan, two components, two assignments, then two edits
    EXPECT_EQ(history[0].subject, "plan");
    EXPECT_EQ(history[0].action, "new");
    EXPECT_EQ(history[0].who, "chị Hương");
    EXPECT_EQ(history[0].after,
              "name_vi=Thưởng tháng NVBH;name_en=Salesperson bonus;period_type=MONTH;gate_kpi=DS;gate_min=0.8;"
              "curve_mode=linear");
    const auto& curveEdit = history[5];
    EXPECT_EQ(curveEdit.action, "edit");
    EXPECT_EQ(curveEdit.subject, "component");
    EXPECT_EQ(curveEdit.kpiCode, "DS");
    EXPECT_EQ(curveEdit.before, "weight=3.0;curve=0.8:0.5|1:1|1.2:1.5");
    EXPECT_EQ(curveEdit.after, "weight=3.0;curve=0.8:0.6|1:1|1.2:1.5");
    const auto& incentiveEdit = history[6];
    EXPECT_EQ(incentiveEdit.subject, "assignment");
    EXPECT_EQ(incentiveEdit.employeeCode, "S1");
    EXPECT_EQ(incentiveEdit.validFrom, "2026-07-01");
    EXPECT_EQ(incentiveEdit.before, "valid_to=2026-12-31;incentive=5500000.5");
    EXPECT_EQ(incentiveEdit.after, "valid_to=2026-12-31;incentive=6000000.0");
    EXPECT_EQ(kpi::Store::open(store.path(), kpi::Store::Mode::ReadOnly)->planHistory("", "M1").size(), 1u);
}

TEST(PlanImport, AuditsADirectWriteToo) {
    TestStore store(with(people(), plans()));
    store.execute("UPDATE plan_assignments SET incentive = 1 WHERE employee_code = 'M1';"
                  "DELETE FROM plan_components WHERE kpi_code = 'PC';");
    auto history = kpi::Store::open(store.path(), kpi::Store::Mode::ReadOnly)->planHistory("", "");
    ASSERT_GE(history.size(), 2u);
    const auto& edit = history[history.size() - 2];
    EXPECT_EQ(edit.who, "direct write");
    EXPECT_EQ(edit.action, "edit");
    EXPECT_EQ(edit.after, "valid_to=2026-12-31;incentive=1.0");
    EXPECT_EQ(history.back().action, "remove");
    EXPECT_EQ(history.back().subject, "component");
    EXPECT_EQ(history.back().after, "");
    // Readers learn of it from the change log.
    EXPECT_EQ(store.query("SELECT count(*) FROM changes WHERE source IN ('plan_assignments', 'plan_components') "
                          "AND seq > (SELECT max(seq) - 2 FROM changes)"),
              std::vector<std::string>{"2"});
}

TEST(PlanImport, RejectsAPlanWhosePeriodIsNoPayPeriodOrWhoseGateIsHalfGiven) {
    TestStore store(people());
    auto r = store.importRejected({{"plans.csv", kPlansHeader + "A,a,a,WEEK,,,\n"
                                                                "B,b,b,MONTH,DS,,\n"
                                                                "C,c,c,MONTH,,0.8,\n"
                                                                "D,d,d,MONTH,NOPE,0.8,\n"
                                                                "E,e,e,MONTH,,,smooth\n"
                                                                "F,f,f,MONTH,DS,-1,\n"}});
    EXPECT_TRUE(has(r, "plans.csv:2: 'period_type' must be MONTH, QUARTER or YEAR, got 'WEEK'")) << all(r);
    EXPECT_TRUE(has(r, "plans.csv:3: 'gate_kpi' is given without 'gate_min'")) << all(r);
    EXPECT_TRUE(has(r, "plans.csv:4: 'gate_min' is given without 'gate_kpi'")) << all(r);
    EXPECT_TRUE(has(r, "plans.csv:5: 'gate_kpi' refers to unknown KPI 'NOPE'")) << all(r);
    EXPECT_TRUE(has(r, "plans.csv:6: 'curve_mode' must be linear or step, got 'smooth'")) << all(r);
    EXPECT_TRUE(has(r, "plans.csv:7: 'gate_min' must not be negative, got '-1'")) << all(r);
    EXPECT_EQ(r.errors.size(), 6u) << all(r);
}

TEST(PlanImport, RejectsAComponentOnAnUnknownKpiOrPlanABadCurveAndAWeightNotAboveZero) {
    TestStore store(with(people(), {{"plans.csv", plans().at("plans.csv")}}));
    auto r = store.importRejected({{"plan_components.csv", kComponentsHeader + "SR_THANG,XYZ,1,1:1\n"
                                                                               "NOPLAN,DS,1,1:1\n"
                                                                               "SR_THANG,DS,0,1:1\n"
                                                                               "SR_THANG,PC,-2,1:1\n"
                                                                               "SS_QUY,DS,1,1:1|0.5:2\n"
                                                                               "SS_QUY,PC,1,1:-1\n"
                                                                               "SS_QUY,ASO,1,abc\n"
                                                                               "SS_QUY,VISITS,1.5.1,1:1\n"}});
    EXPECT_TRUE(has(r, "plan_components.csv:2: 'kpi_code' refers to unknown KPI 'XYZ'")) << all(r);
    EXPECT_TRUE(has(r, "plan_components.csv:3: 'plan_code' refers to unknown plan 'NOPLAN'")) << all(r);
    EXPECT_TRUE(has(r, "plan_components.csv:4: 'weight' must be greater than 0, got '0'")) << all(r);
    EXPECT_TRUE(has(r, "plan_components.csv:5: 'weight' must not be negative, got '-2'")) << all(r);
    EXPECT_TRUE(has(r, "plan_components.csv:6: 'curve' is not a payout curve: point 2 '0.5:2' does not come after "
                       "the point before it (attainments must strictly increase), got '1:1|0.5:2'"))
        << all(r);
    EXPECT_TRUE(has(r, "plan_components.csv:7: 'curve' is not a payout curve: point 1 '1:-1' has a negative factor, "
                       "got '1:-1'"))
        << all(r);
    EXPECT_TRUE(has(r, "plan_components.csv:8: 'curve' is not a payout curve: point 1 'abc' is not x:y with two "
                       "decimal numbers (curve x:y|x:y|…), got 'abc'"))
        << all(r);
    EXPECT_TRUE(has(r, "plan_components.csv:9: 'weight' must be a number (digits, '.' as decimal mark), got '1.5.1'"))
        << all(r);
}

TEST(PlanImport, RejectsOverlappingAssignmentsOfOneEmployeeToOnePlanWhicheverImportBringsThem) {
    TestStore store(with(people(), plans()));
    auto r = store.importRejected(
        {{"plan_assignments.csv", kAssignmentsHeader + "S1,SR_THANG,2026-12-01,2027-03-31,5000000\n"
                                                       "M1,SR_THANG,2026-01-01,2026-12-31,1\n"}});
    ASSERT_EQ(r.errors.size(), 1u) << all(r);
    EXPECT_EQ(r.errors[0], "plan_assignments.csv:2: assignment of 'S1' to plan 'SR_THANG' valid 2026-12-01..2027-03-31 "
                           "overlaps the one valid 2026-07-01..2026-12-31");
    // Within one import, too; and on another plan the same window is fine.
    TestStore fresh(people());
    auto r2 = fresh.importRejected(with(plans(), {{"plan_assignments.csv",
                                                   kAssignmentsHeader + "S1,SR_THANG,2026-01-01,2026-06-30,1\n"
                                                                        "S1,SR_THANG,2026-06-30,2026-12-31,1\n"
                                                                        "S1,SS_QUY,2026-01-01,2026-12-31,1\n"}}));
    ASSERT_EQ(r2.errors.size(), 1u) << all(r2);
    EXPECT_EQ(r2.errors[0].substr(0, 23), "plan_assignments.csv:3:");
}

TEST(PlanImport, RejectsANegativeIncentiveAnUnknownEmployeeOrPlanAndAWindowThatEndsBeforeItStarts) {
    TestStore store(with(people(), {{"plans.csv", plans().at("plans.csv")}}));
    auto r = store.importRejected({{"plan_assignments.csv", kAssignmentsHeader + "S1,SR_THANG,2026-01-01,2026-12-31,-5\n"
                                                                                 "S9,SR_THANG,2026-01-01,2026-12-31,5\n"
                                                                                 "S1,NOPE,2026-01-01,2026-12-31,5\n"
                                                                                 "M1,SS_QUY,2026-05-01,2026-04-30,5\n"
                                                                                 "M1,SS_QUY,2026-13-01,,5\n"}});
    EXPECT_TRUE(has(r, "plan_assignments.csv:2: 'incentive' must not be negative, got '-5'")) << all(r);
    EXPECT_TRUE(has(r, "plan_assignments.csv:3: 'employee_code' refers to unknown employee 'S9'")) << all(r);
    EXPECT_TRUE(has(r, "plan_assignments.csv:4: 'plan_code' refers to unknown plan 'NOPE'")) << all(r);
    EXPECT_TRUE(has(r, "plan_assignments.csv:5: 'valid_to' is before 'valid_from'")) << all(r);
    EXPECT_TRUE(has(r, "plan_assignments.csv:6: 'valid_to' is required")) << all(r);
    EXPECT_TRUE(has(r, "plan_assignments.csv:6: 'valid_from' must be a date YYYY-MM-DD, got '2026-13-01'")) << all(r);
}

TEST(PlanImport, RejectsAKeyTwiceInOneImportAndAMissingColumnAndKeepsCoreErrorsAlongside) {
    TestStore store(people());
    auto r = store.importRejected(
        {{"plans.csv", kPlansHeader + "P,a,a,MONTH,,,\nP,b,b,MONTH,,,\n"},
         {"plan_components.csv", "plan_code,kpi_code,curve\nP,DS,1:1\n"},
         {"targets.csv", "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n"
                         "S1,DS,MONTH,2026-01-01,2026-12-31,-1,\n"}});
    bool duplicate = false;
    for (const auto& e : r.errors)
        duplicate = duplicate || (e.rfind("plans.csv:3: key P appears twice in this import (first at ", 0) == 0 &&
                                  e.size() > 13 && e.compare(e.size() - 13, 13, "/plans.csv:2)") == 0);
    EXPECT_TRUE(duplicate) << all(r);
    EXPECT_TRUE(has(r, "plan_components.csv:1: missing column 'weight'")) << all(r);
    EXPECT_TRUE(has(r, "targets.csv:2: 'target' must not be negative, got '-1'")) << all(r);
}

TEST(PlanImport, RecognisesPlanFilesByNameWithAPrefixAndWarnsOfUnknownColumns) {
    TestStore store(people());
    auto summary = store.import({{"2026-11_plans.csv", kPlansHeader.substr(0, kPlansHeader.size() - 1) + ",note\n" +
                                                           "P,Thưởng,Bonus,MONTH,,,,ghi chú\n"},
                                 {"hr.plan_assignments.csv", kAssignmentsHeader + "S1,P,2026-01-01,2026-12-31,1\n"}});
    EXPECT_EQ(summary.rowsChanged, 2);
    ASSERT_EQ(summary.warnings.size(), 1u);
    EXPECT_NE(summary.warnings[0].find("2026-11_plans.csv:1: unknown column 'note' ignored"), std::string::npos);
}

TEST(PlanImport, TellsToUpgradeAStoreOfTheFirstSchema) {
    TestStore store(people());
    // What a store made by the first SalesKPI looks like: no reward tables, version 1.
    store.execute(
        "DROP VIEW settled_adjustments; DROP TABLE frozen_payout_rows; DROP TABLE frozen_report_rows; "
        "DROP TABLE close_history; DROP TABLE closes; DROP TABLE plan_history; DROP TABLE plan_assignments; "
        "DROP TABLE plan_components; DROP TABLE plans; PRAGMA user_version = 1;");
    auto r = store.importRejected({{"plans.csv", kPlansHeader + "P,a,a,MONTH,,,\n"}});
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_NE(r.errors[0].find("plans.csv:1: the store has no plan tables yet"), std::string::npos);
    EXPECT_NE(r.errors[0].find("kpi init"), std::string::npos);
    kpi::Store::init(store.path());  // upgrades in place
    EXPECT_EQ(store.query("PRAGMA user_version"), std::vector<std::string>{std::to_string(kpi::kSchemaVersion)});
    store.import(with(plans(), {{"plan_components.csv", kComponentsHeader}, {"plan_assignments.csv", kAssignmentsHeader}}));
    EXPECT_EQ(store.query("SELECT count(*) FROM plans"), std::vector<std::string>{"2"});
}

}  // namespace
