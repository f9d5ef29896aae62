// SalesKPI ▸ Suggest targets… without an office: the dialog's choices and
// checks, what a suggestion writes into the Targets sheet, and that the review
// columns never reach the import.

#include "target_suggestions.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "target_health_report.hpp"

namespace saleskpi::addin {
namespace {

kpi::Day D(const char* text) { return *kpi::parseDay(text); }
const kpi::Day kNullDate = D("1899-12-30");
const kpi::Day kToday = D("2026-11-20");

std::vector<kpi::EmployeeInfo> people() {
    return {{"SS01", "Trần Văn Hùng", "SS", "", "", "", 0, {}}, {"NV01", "Nguyễn Thị Lan", "SR", "SS01", "", "", 0, {}}};
}

SheetCell text(const char* value) { return SheetCell{std::string(value), false}; }
SheetCell number(double value) { return SheetCell{value, false}; }
SheetCell date(const char* day) { return SheetCell{static_cast<double>(D(day) - kNullDate), true}; }

kpi::Recommendation suggestion(const char* employee, const char* kpiCode, double target, double effective) {
    kpi::Recommendation r;
    r.employeeCode = employee;
    r.kpiCode = kpiCode;
    r.period = *kpi::parsePeriod("2026-12");
    r.clipped = r.period;
    r.target = target;
    r.effectiveTarget = effective;
    r.weight = 35;
    r.p10 = effective * 0.9;
    r.p50 = effective * 1.05;
    r.p90 = effective * 1.2;
    r.probability = 0.65;
    r.basis.source = kpi::LevelSource::Own;
    r.basis.periodsUsed = 3;
    r.basis.levelFirst = *kpi::parsePeriod("2026-08");
    r.basis.levelLast = *kpi::parsePeriod("2026-10");
    r.basis.levelRate = 1000;
    return r;
}

std::vector<SheetWrite> at(const SuggestionPlan& plan, int row) {
    std::vector<SheetWrite> out;
    std::copy_if(plan.writes.begin(), plan.writes.end(), std::back_inserter(out),
                 [row](const SheetWrite& w) { return w.row == row; });
    return out;
}

const SheetWrite* cell(const SuggestionPlan& plan, int row, int column) {
    for (const auto& w : plan.writes)
        if (w.row == row && w.column == column) return &w;
    return nullptr;
}

TEST(SuggestTargetsDialog, OffersTheComingPeriodsWithTheirDatesAndTheTeams) {
    SuggestChoices c = suggestChoices(people(), kToday, Language::English);
    ASSERT_EQ(c.periods.size(), 4u);
    EXPECT_EQ(c.periods[0], (FormOption{"next_month", "Next month (2026-12)"}));
    EXPECT_EQ(c.periods[2], (FormOption{"next_quarter", "Next quarter (2027-Q1)"}));
    EXPECT_EQ(c.scopes[0].value, "*");
    EXPECT_EQ(c.scopes[1].label, "Team of SS01 Trần Văn Hùng");
    EXPECT_EQ(suggestChoices(people(), kToday, Language::Vietnamese).periods[0].label, "Tháng sau (2026-12)");
}

TEST(SuggestTargetsDialog, ReadsAListedOrTypedPeriodAndRefusesOthersInTheUsersLanguage) {
    SuggestChoices c = suggestChoices(people(), kToday, Language::English);
    auto ok = checkSuggestEntry({"Next month (2026-12)", 1}, c, kToday, Language::English);
    ASSERT_TRUE(ok.request);
    EXPECT_EQ(ok.request->period, *kpi::parsePeriod("2026-12"));
    EXPECT_EQ(ok.request->scope, "SS01");
    EXPECT_EQ(checkSuggestEntry({" 2027-Q1 ", 0}, c, kToday, Language::English).request->period,
              *kpi::parsePeriod("2027-Q1"));
    auto cycle = checkSuggestEntry({"2026-12-01..2026-12-15", 0}, c, kToday, Language::English);
    EXPECT_FALSE(cycle.request);
    EXPECT_NE(cycle.problem.find("'2026-12-01..2026-12-15' is not a period targets are suggested for"),
              std::string::npos);
    auto vi = checkSuggestEntry({"2026-13", 0}, c, kToday, Language::Vietnamese);
    EXPECT_NE(vi.problem.find("không phải là kỳ có thể gợi ý chỉ tiêu"), std::string::npos) << vi.problem;
    EXPECT_EQ(checkSuggestEntry({"", 0}, c, kToday, Language::English).problem, "Choose a period.");
    EXPECT_EQ(checkSuggestEntry({"next_month", -1}, c, kToday, Language::English).problem,
              "Choose whose targets to suggest.");
}

TEST(SuggestTargetsSheet, AnEmptySheetGetsTheHeaderAndOneRowPerSuggestion) {
    auto plan = planSuggestions({}, {suggestion("NV01", "DS", 400'000'000, 400'000'000)}, kNullDate, Language::English);
    EXPECT_EQ(plan.added, 1);
    const auto header = at(plan, 0);
    ASSERT_EQ(header.size(), 13u);
    EXPECT_EQ(header[0].text, "employee_code");
    EXPECT_EQ(header[7].text, "suggested");
    EXPECT_EQ(header[12].text, "why");
    EXPECT_EQ(cell(plan, 1, 0)->text, "NV01");
    EXPECT_EQ(cell(plan, 1, 3)->kind, SheetWrite::Kind::Date);
    EXPECT_EQ(cell(plan, 1, 3)->number, D("2026-12-01") - kNullDate);
    EXPECT_EQ(cell(plan, 1, 5)->number, 400'000'000);  // target = the suggestion
    EXPECT_EQ(cell(plan, 1, 6)->number, 35);
    EXPECT_EQ(cell(plan, 1, 7)->number, 400'000'000);
    EXPECT_EQ(cell(plan, 1, 11)->kind, SheetWrite::Kind::Formula);
    EXPECT_EQ(cell(plan, 1, 11)->text,
              "=IF(F2=\"\";\"\";IF(F2=H2;0.65;IF(F2<=I2;0.9;IF(F2<=J2;0.9-0.4*(F2-I2)/MAX(J2-I2;1E-9);"
              "IF(F2<K2;0.5-0.4*(F2-J2)/MAX(K2-J2;1E-9);0.1)))))");
    EXPECT_EQ(cell(plan, 1, 12)->text.rfind("3-month level", 0), 0u);
}

TEST(SuggestTargetsSheet, ARowTheSheetHasKeepsItsTargetAndGetsTheReviewColumns) {
    std::vector<std::vector<SheetCell>> rows{
        {text("employee_code"), text("kpi_code"), text("period_type"), text("valid_from"), text("valid_to"),
         text("target"), text("weight")},
        {text("NV01"), text("DS"), text("MONTH"), date("2026-12-01"), date("2026-12-31"), number(450'000'000),
         number(35)},
        {text("NV01"), text("PC"), text("MONTH"), text("2026-12-01"), text("2026-12-31"), number(300), number(15)},
    };
    auto plan = planSuggestions(rows,
                                {suggestion("NV01", "DS", 400'000'000, 400'000'000), suggestion("NV01", "PC", 310, 310),
                                 suggestion("NV01", "ASO", 80, 80)},
                                kNullDate, Language::English);
    EXPECT_EQ(plan.reviewed, 2);
    EXPECT_EQ(plan.added, 1);
    EXPECT_EQ(cell(plan, 1, 5), nullptr);  // the target typed stays
    EXPECT_EQ(cell(plan, 1, 7)->number, 400'000'000);
    EXPECT_EQ(cell(plan, 2, 7)->number, 310);  // a text valid_from matches too
    EXPECT_EQ(cell(plan, 3, 1)->text, "ASO");  // the new row below the last
    EXPECT_EQ(cell(plan, 0, 7)->text, "suggested");
}

TEST(SuggestTargetsSheet, AJoinersSpreadIsOnTheFootingOfTheFullPeriodTarget) {
    // Half the month worked: the row's target is twice the effective one.
    auto plan = planSuggestions({}, {suggestion("NV01", "DS", 200'000'000, 100'000'000)}, kNullDate, Language::English);
    EXPECT_DOUBLE_EQ(cell(plan, 1, 8)->number, 180'000'000);  // p10 = 90 % of the effective target, × 2
    EXPECT_DOUBLE_EQ(cell(plan, 1, 10)->number, 240'000'000);
}

TEST(SuggestTargetsSheet, WithoutASpreadTheProbabilityIsLeftEmpty) {
    kpi::Recommendation r = suggestion("NV01", "DS", 4e8, 4e8);
    r.probability.reset();
    r.p10 = r.p50 = r.p90 = 4e8;
    auto plan = planSuggestions({}, {r}, kNullDate, Language::English);
    EXPECT_EQ(cell(plan, 1, 11)->kind, SheetWrite::Kind::Text);
    EXPECT_EQ(cell(plan, 1, 11)->text, "");
}

TEST(SuggestTargetsSheet, SuggestionsWithoutABasisAreCountedNotWritten) {
    kpi::Recommendation none;
    none.employeeCode = "NV01";
    none.kpiCode = "DS";
    none.period = *kpi::parsePeriod("2026-12");
    none.basis.problem = "no complete MONTH of history before 2026-12";
    auto plan = planSuggestions({}, {none}, kNullDate, Language::English);
    EXPECT_EQ(plan.withoutBasis, 1);
    EXPECT_EQ(plan.added, 0);
}

TEST(SuggestTargetsSheet, TheWhyColumnIsInTheDocumentsLanguage) {
    auto plan = planSuggestions({}, {suggestion("NV01", "DS", 4e8, 4e8)}, kNullDate, Language::Vietnamese);
    EXPECT_EQ(cell(plan, 1, 12)->text.rfind("mức 3 tháng gần nhất", 0), 0u) << cell(plan, 1, 12)->text;
}

TEST(TargetsSheetCsv, LeavesTheReviewColumnsOut) {
    std::vector<std::vector<SheetCell>> rows{
        {text("employee_code"), text("kpi_code"), text("period_type"), text("valid_from"), text("valid_to"),
         text("target"), text("weight"), text("suggested"), text("p10"), text("p50"), text("p90"),
         text("probability"), text("why"), text("note")},
        {text("NV01"), text("DS"), text("MONTH"), date("2026-12-01"), date("2026-12-31"), number(4e8), number(35),
         number(4e8), number(1), number(2), number(3), number(0.65), text("3-month level"), text("mine")},
    };
    const TargetsCsv csv = targetsCsvFromSheet(rows, kNullDate);
    EXPECT_EQ(csv.text,
              "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight,note\n"
              "NV01,DS,MONTH,2026-12-01,2026-12-31,400000000,35,mine\n");
}

TEST(TargetHealthSheet, ShowsTheBandsThenOneRowPerFlagWithItsRecords) {
    kpi::TargetHealth h;
    h.spread.push_back({"DS", 4, 1, 2, 1, 1, 0});
    kpi::HealthFlag f;
    f.kind = kpi::HealthFlagKind::LastDaysBunching;
    f.employeeCode = "NV01";
    f.kpiCode = "DS";
    f.days = {kpi::PeriodType::Cycle, D("2026-10-29"), D("2026-10-31")};
    f.value = 0.72;
    f.usual = 0.115;
    f.target = 27e6;
    f.attainment = 3.2;
    f.attainmentWithout = 1.0;
    f.orders = {"B1", "B2"};
    h.flags.push_back(f);
    ReportTable table;
    table.rows.push_back({std::string("title")});
    targetHealthTable(h, people(), Language::English, table);
    ASSERT_EQ(table.rows.size(), 6u);
    EXPECT_EQ(table.rows[1][2], ReportCell(std::string("Under 80 %")));
    EXPECT_EQ(table.rows[2][0], ReportCell(std::string("DS")));
    EXPECT_EQ(table.rows[2][2], ReportCell(std::string("1 (25 %)")));
    EXPECT_EQ(table.rows[4][3], ReportCell(std::string("Flag")));
    EXPECT_EQ(table.rows[5][1], ReportCell(std::string("Nguyễn Thị Lan")));
    EXPECT_EQ(table.rows[5][3], ReportCell(std::string("Sales bunched in the last days")));
    EXPECT_EQ(table.rows[5][5], ReportCell(3.2));
    EXPECT_EQ(table.rows[5][7], ReportCell(std::string("B1, B2")));
    ReportTable vi;
    vi.rows.push_back({std::string("title")});
    targetHealthTable(h, people(), Language::Vietnamese, vi);
    EXPECT_EQ(vi.rows[5][3], ReportCell(std::string("Doanh số dồn vào những ngày cuối")));
    EXPECT_NE(std::get<std::string>(vi.rows[5][8]).find("doanh số dồn vào những ngày cuối"), std::string::npos);
}

TEST(TargetHealthSheet, SaysSoWhenThereIsNoFlag) {
    ReportTable table;
    table.rows.push_back({std::string("title")});
    targetHealthTable(kpi::TargetHealth{}, people(), Language::English, table);
    EXPECT_EQ(table.rows.back(),
              std::vector<ReportCell>{std::string("No flag: no target out of reach or given away, no sign of gaming.")});
}

TEST(TargetHealthSheet, IsAReportKindOfItsOwn) {
    EXPECT_EQ(parseReportKind("target_health"), ReportKind::TargetHealth);
    EXPECT_EQ(reportKindTitle(ReportKind::TargetHealth, Language::Vietnamese), "Đánh giá chỉ tiêu");
    auto parsed = parseReportDefinitions("Health|target_health|last_month|SS01|\n");
    ASSERT_EQ(parsed.reports.size(), 1u);
    EXPECT_EQ(parsed.reports[0].kind, ReportKind::TargetHealth);
}

}  // namespace
}  // namespace saleskpi::addin
