// SalesKPI ▸ Export statements… without an office: the dialog's choices and
// checks, file names, and how a statement is laid out in the template's rows.

#include "statement_layout.hpp"

#include <gtest/gtest.h>

namespace saleskpi::addin {
namespace {

kpi::Day D(const char* text) { return *kpi::parseDay(text); }
const kpi::Day kToday = D("2026-11-20");
kpi::Period P(const char* text) { return *kpi::parsePeriod(text); }

std::vector<kpi::EmployeeInfo> people() {
    return {{"SS01", "Trần Thị Bích Ngọc", "SS", "", "", "", 0, {}},
            {"NV01", "Nguyễn Văn An", "SR", "SS01", "", "", 0, {}},
            {"NV02", "Lê Hoàng Phúc", "SR", "SS01", "", "", 0, {}}};
}

// NV02's December of docs/rewards.md, with an adjustment for November.
kpi::Statement statement() {
    kpi::Statement s;
    s.employeeCode = "NV02";
    s.employeeName = "Lê Hoàng Phúc";
    s.role = "SR";
    s.department = "Kênh GT";
    s.period = P("2026-12");
    kpi::StatementPlan plan;
    plan.code = "NVBH";
    plan.nameVi = "Thưởng tháng nhân viên bán hàng";
    plan.nameEn = "Salesperson monthly bonus";
    plan.curveMode = "linear";
    kpi::StatementLine component;
    component.row.kind = kpi::PayoutKind::Component;
    component.row.kpiCode = "DS";
    component.row.period = s.period;
    component.row.actual = 4680000;
    component.row.target = 5200000;
    component.row.attainment = 0.9;
    component.row.factor = 0.75;
    component.row.weight = 3;
    component.row.incentive = 1560000;
    component.row.amount = 1170000;
    component.kpiNameVi = "Doanh số";
    component.kpiNameEn = "Sales";
    component.detailFormula = "KPI.DETAIL(\"NV02\"; \"DS\"; \"2026-12\")";
    component.reportCommand = "kpi report --period 2026-12 --employee NV02";
    kpi::StatementLine gate;
    gate.row.kind = kpi::PayoutKind::Gate;
    gate.row.kpiCode = "DS";
    gate.row.attainment = 0.9;
    gate.row.factor = 1;
    gate.row.gateMinimum = 0.8;
    gate.kpiNameVi = "Doanh số";
    gate.kpiNameEn = "Sales";
    gate.detailFormula = component.detailFormula;
    kpi::StatementLine adjustment;
    adjustment.row.kind = kpi::PayoutKind::Adjustment;
    adjustment.row.period = P("2026-11");
    adjustment.row.amount = -1125000;
    kpi::StatementLine total;
    total.row.kind = kpi::PayoutKind::Total;
    total.row.period = s.period;
    total.row.amount = 45000;
    total.row.blockIncentive = 2080000;
    total.row.fullIncentive = 4000000;
    total.row.workingDays = 13;
    total.row.fullWorkingDays = 25;
    plan.lines = {component, gate, adjustment, total};
    plan.total = 45000;
    s.plans.push_back(plan);
    s.total = 45000;
    return s;
}

StatementLayout statementLayoutFor(const kpi::Statement& s, Language language) {
    return layoutStatement(s, language, "2026-11-20 10:00");
}

std::vector<std::string> kinds(const StatementLayout& layout) {
    std::vector<std::string> out;
    for (const auto& row : layout.rows) out.push_back(row.kind);
    return out;
}

TEST(StatementExport, PeriodsArePayPeriodsRelativeToToday) {
    EXPECT_EQ(statementPeriod("last_month", kToday), P("2026-10"));
    EXPECT_EQ(statementPeriod("this_month", kToday), P("2026-11"));
    EXPECT_EQ(statementPeriod("last_quarter", kToday), P("2026-Q3"));
    EXPECT_EQ(statementPeriod("this_quarter", kToday), P("2026-Q4"));
    EXPECT_EQ(statementPeriod("last_year", kToday), P("2025"));
    EXPECT_EQ(statementPeriod(" 2026-09 ", kToday), P("2026-09"));
    EXPECT_FALSE(statementPeriod("2026-W48", kToday));
    EXPECT_FALSE(statementPeriod("2026-11-01..2026-11-20", kToday));
    EXPECT_FALSE(statementPeriod("november", kToday));
}

TEST(StatementExport, DialogOffersEveryoneThenEachManagersTeamAndLastMonthFirst) {
    const auto choices = statementExportChoices(people(), kToday, Language::Vietnamese);
    ASSERT_EQ(choices.teams.size(), 2u);
    EXPECT_EQ(choices.teams[0].value, "*");
    EXPECT_EQ(choices.teams[0].label, "toàn công ty");
    EXPECT_EQ(choices.teams[1].value, "SS01");
    EXPECT_EQ(choices.teams[1].label, "nhóm của SS01 Trần Thị Bích Ngọc");
    EXPECT_EQ(choices.periods.front().label, "Tháng trước (2026-10)");
}

TEST(StatementExport, EntryIsCheckedWithReasonsInTheLanguage) {
    const auto choices = statementExportChoices(people(), kToday, Language::English);
    auto check = checkStatementExportEntry({1, "Last month (2026-10)", "/tmp/out"}, choices, kToday, Language::English);
    ASSERT_TRUE(check.request);
    EXPECT_EQ(check.request->team, "SS01");
    EXPECT_EQ(check.request->period, P("2026-10"));
    EXPECT_EQ(check.request->folder, "/tmp/out");
    check = checkStatementExportEntry({1, "2026-W45", "/tmp/out"}, choices, kToday, Language::English);
    EXPECT_FALSE(check.request);
    EXPECT_NE(check.problem.find("'2026-W45' is not a pay period"), std::string::npos) << check.problem;
    check = checkStatementExportEntry({1, "2026-10", "  "}, choices, kToday, Language::Vietnamese);
    EXPECT_FALSE(check.request);
    EXPECT_EQ(check.problem, "Hãy nhập thư mục lưu các tệp PDF.");
    check = checkStatementExportEntry({-1, "2026-10", "/tmp"}, choices, kToday, Language::English);
    EXPECT_EQ(check.problem, "Choose a team.");
}

TEST(StatementExport, FileNamesKeepDiacriticsAndLoseSeparators) {
    kpi::Statement s = statement();
    EXPECT_EQ(statementFileName(s), "NV02 Lê Hoàng Phúc 2026-12.pdf");
    s.employeeCode = "../NV/02";
    s.employeeName = "Lê: \"Phúc\"\n";
    EXPECT_EQ(statementFileName(s), "_NV_02 Lê_ _Phúc__ 2026-12.pdf");
}

TEST(StatementExport, DefaultFolderIsBesideTheDocumentInTheLanguage) {
    EXPECT_EQ(defaultStatementFolder("/home/an/Bonus", P("2026-10"), Language::Vietnamese),
              "/home/an/Bonus/Phiếu thưởng 2026-10");
    EXPECT_EQ(defaultStatementFolder("/home/an/", P("2026-Q3"), Language::English), "/home/an/Statements 2026-Q3");
}

TEST(StatementExport, PlaceholdersAreFilledAndUnknownOnesStay) {
    EXPECT_EQ(fillPlaceholders("Tổng {period_range}: {amount} {nope} {", {{"period_range", "a..b"}, {"amount", "1"}}),
              "Tổng a..b: 1 {nope} {");
}

TEST(StatementLayout, ShowsPlanIncentiveComponentsGateAdjustmentAndTotalInOrder) {
    const StatementLayout layout = statementLayoutFor(statement(), Language::English);
    EXPECT_EQ(kinds(layout), (std::vector<std::string>{"plan", "incentive", "components", "component", "gate",
                                                        "adjustment", "total", "sources", "source"}));
    EXPECT_EQ(layout.header.at("employee"), "NV02 Lê Hoàng Phúc");
    EXPECT_EQ(layout.header.at("total"), "45,000");
    EXPECT_EQ(layout.header.at("status"), "open — today's figures");
    const auto& plan = layout.rows[0].fields;
    EXPECT_EQ(plan.at("plan_name"), "Salesperson monthly bonus");
    EXPECT_EQ(plan.at("curve_mode"), "linear");
    const auto& incentive = layout.rows[1].fields;
    EXPECT_EQ(incentive.at("full_incentive"), "4,000,000");
    EXPECT_EQ(incentive.at("working_days"), "13");
    EXPECT_EQ(incentive.at("incentive"), "2,080,000");
    const auto& component = layout.rows[3].fields;
    EXPECT_EQ(component.at("kpi_name"), "Sales");
    EXPECT_EQ(component.at("actual"), "4,680,000");
    EXPECT_EQ(component.at("attainment"), "0.9");
    EXPECT_EQ(component.at("factor"), "0.75");
    EXPECT_EQ(component.at("amount"), "1,170,000");
    EXPECT_EQ(layout.rows[4].fields.at("outcome"), "passed");
    EXPECT_EQ(layout.rows[5].fields.at("period"), "2026-11");
    EXPECT_EQ(layout.rows[5].fields.at("amount"), "-1,125,000");
    EXPECT_EQ(layout.rows[8].fields.at("detail"), "=KPI.DETAIL(\"NV02\"; \"DS\"; \"2026-12\")");
}

TEST(StatementLayout, VietnameseUsesItsNamesAndSeparators) {
    kpi::Statement s = statement();
    s.closed = kpi::ClosedPeriod{s.period, "2027-01-02 09:00:00", "chị Hương"};
    const StatementLayout layout = statementLayoutFor(s, Language::Vietnamese);
    EXPECT_EQ(layout.header.at("status"), "đã chốt 2027-01-02 09:00:00, chị Hương");
    EXPECT_EQ(layout.rows[0].fields.at("plan_name"), "Thưởng tháng nhân viên bán hàng");
    EXPECT_EQ(layout.rows[0].fields.at("curve_mode"), "tuyến tính");
    EXPECT_EQ(layout.rows[3].fields.at("kpi_name"), "Doanh số");
    EXPECT_EQ(layout.rows[3].fields.at("attainment"), "0,9");
    EXPECT_EQ(layout.rows[3].fields.at("amount"), "1.170.000");
    EXPECT_EQ(layout.rows[5].fields.at("amount"), "-1.125.000");
}

TEST(StatementLayout, AFailedGateSaysSoAndNoPlanHasItsLine) {
    kpi::Statement s = statement();
    s.plans[0].lines[1].row.factor = 0;
    EXPECT_EQ(statementLayoutFor(s, Language::English).rows[4].fields.at("outcome"), "failed — 0 VND");
    s.plans.clear();
    s.total = 0;
    EXPECT_EQ(kinds(statementLayoutFor(s, Language::English)), std::vector<std::string>{"noplan"});
    EXPECT_FALSE(hasRewardLines(s));
    EXPECT_TRUE(hasRewardLines(statement()));
}

}  // namespace
}  // namespace saleskpi::addin
