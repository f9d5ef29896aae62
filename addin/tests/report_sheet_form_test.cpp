#include "report_sheet_form.hpp"

#include <gtest/gtest.h>

namespace saleskpi::addin {
namespace {

const kpi::Day kNovember27 = kpi::makeDay(2026, 11, 27);

ReportSheetChoices tinyChoices(Language language = Language::English) {
    return reportSheetChoices({{"SS01", "Lan Nguyễn Thị", "SS", "", "", ""},
                               {"SR01", "Minh Trần", "SR", "SS01", "", ""},
                               {"SR02", "Hà Lê", "SR", "SS01", "", ""}},
                              {{"REV", "SALES_AMOUNT", "Doanh số", "Sales", "VND"},
                               {"PC", "PRODUCTIVE_CALLS", "Đơn thành công", "Productive calls", "count"}},
                              language);
}

ReportSheetEntry validEntry() {
    // Attainment, this month, the team of SS01, both KPIs.
    return {"Team", 1, "This month", 1, {0, 1}};
}

TEST(ReportSheetForm, OffersKindsPeriodsScopesAndKpisOfTheStore) {
    const ReportSheetChoices choices = tinyChoices();
    ASSERT_EQ(choices.kinds.size(), 5u);
    EXPECT_EQ(choices.kinds[1], (FormOption{"attainment", "KPI attainment"}));
    EXPECT_EQ(choices.periods.front(), (FormOption{"today", "Today"}));
    EXPECT_EQ(choices.scopes.size(), 4u);
    EXPECT_EQ(choices.scopes[0], (FormOption{"*", "Everyone"}));
    EXPECT_EQ(choices.scopes[1], (FormOption{"SS01", "Team of SS01 Lan Nguyễn Thị"}));
    EXPECT_EQ(choices.scopes[2], (FormOption{"SR01", "SR01 Minh Trần"}));
    EXPECT_EQ(choices.kpis[0], (FormOption{"REV", "REV — Sales"}));
}

TEST(ReportSheetForm, SpeaksVietnamese) {
    const ReportSheetChoices choices = tinyChoices(Language::Vietnamese);
    EXPECT_EQ(choices.scopes[0].label, "Toàn công ty");
    EXPECT_EQ(choices.scopes[1].label, "Nhóm của SS01 Lan Nguyễn Thị");
    EXPECT_EQ(choices.periods[2].label, "Tháng này");
    EXPECT_EQ(choices.kpis[1].label, "PC — Đơn thành công");
    ReportSheetEntry entry = validEntry();
    entry.period = "2026-13";
    const auto check = checkReportSheetEntry(entry, choices, {}, kNovember27, Language::Vietnamese);
    EXPECT_FALSE(check.definition);
    EXPECT_EQ(check.problem.rfind("'2026-13' không phải là một kỳ.", 0), 0u) << check.problem;
}

TEST(ReportSheetForm, ReadsAValidEntryAsADefinition) {
    const auto check = checkReportSheetEntry(validEntry(), tinyChoices(), {}, kNovember27, Language::English);
    ASSERT_TRUE(check.definition) << check.problem;
    EXPECT_EQ(formatReportDefinition(*check.definition), "Team|attainment|this_month|SS01|REV,PC");
}

TEST(ReportSheetForm, TakesAFixedPeriodOfTheGrammarAsTyped) {
    ReportSheetEntry entry = validEntry();
    entry.period = " 2026-11-01..2026-11-20 ";
    const auto check = checkReportSheetEntry(entry, tinyChoices(), {}, kNovember27, Language::English);
    ASSERT_TRUE(check.definition) << check.problem;
    EXPECT_EQ(check.definition->period, "2026-11-01..2026-11-20");
}

TEST(ReportSheetForm, RefusesABadFixedPeriodWithAClearMessage) {
    ReportSheetEntry entry = validEntry();
    entry.period = "2026-13";
    const auto check = checkReportSheetEntry(entry, tinyChoices(), {}, kNovember27, Language::English);
    EXPECT_FALSE(check.definition);
    EXPECT_EQ(check.problem,
              "'2026-13' is not a period. Choose one from the list, or write a period such as 2026-11, 2026-W48, "
              "2026-Q4, 2026, 2026-11-27 or 2026-11-01..2026-11-20.");
}

TEST(ReportSheetForm, RefusesAYearOfDailySales) {
    ReportSheetEntry entry = validEntry();
    entry.kind = 0;
    entry.period = "2025-01-01..2026-06-30";
    EXPECT_NE(checkReportSheetEntry(entry, tinyChoices(), {}, kNovember27, Language::English).problem.find("366"),
              std::string::npos);
}

TEST(ReportSheetForm, NeedsAKpiOnlyForKindsThatListThem) {
    ReportSheetEntry entry = validEntry();
    entry.kpis.clear();
    EXPECT_EQ(checkReportSheetEntry(entry, tinyChoices(), {}, kNovember27, Language::English).problem,
              "Choose at least one KPI.");
    entry.kind = 2;  // ranking
    entry.kpis = {0};
    const auto check = checkReportSheetEntry(entry, tinyChoices(), {}, kNovember27, Language::English);
    ASSERT_TRUE(check.definition) << check.problem;
    EXPECT_TRUE(check.definition->kpis.empty());
}

TEST(ReportSheetForm, KeepsOtherSheetsSafeWhenAdding) {
    ReportSheetPlace place{{"Sheet1", "Team"}, {"Team"}, std::nullopt};
    EXPECT_NE(checkReportSheetEntry(validEntry(), tinyChoices(), place, kNovember27, Language::English)
                  .problem.find("is a report sheet already"),
              std::string::npos);
    place.reportSheets.clear();
    EXPECT_NE(checkReportSheetEntry(validEntry(), tinyChoices(), place, kNovember27, Language::English)
                  .problem.find("is a sheet of the document already"),
              std::string::npos);
    ReportSheetEntry entry = validEntry();
    entry.sheet = "a/b";
    EXPECT_NE(checkReportSheetEntry(entry, tinyChoices(), {}, kNovember27, Language::English)
                  .problem.find("cannot hold"),
              std::string::npos);
}

TEST(ReportSheetForm, EditingKeepsTheSheetAndShowsItsDefinition) {
    const ReportSheetChoices choices = tinyChoices();
    const ReportDefinition report{"Team", ReportKind::DailySales, "2026-11", "SR02", {"PC", "GONE"}};
    const ReportSheetEntry entry = entryOf(report, choices);
    EXPECT_EQ(entry, (ReportSheetEntry{"Team", 0, "2026-11", 3, {1}}));
    EXPECT_EQ(entryOf({"T", ReportKind::Ranking, "last_month", "NOBODY", {}}, choices).period, "Last month");
    EXPECT_EQ(entryOf({"T", ReportKind::Ranking, "last_month", "NOBODY", {}}, choices).scope, -1);
    ReportSheetEntry renamed = entry;
    renamed.sheet = "Other";
    const ReportSheetPlace place{{"Team"}, {"Team"}, std::string("Team")};
    const auto check = checkReportSheetEntry(renamed, choices, place, kNovember27, Language::English);
    ASSERT_TRUE(check.definition) << check.problem;
    EXPECT_EQ(formatReportDefinition(*check.definition), "Team|daily_sales|2026-11|SR02|PC");
}

TEST(ReportSheetForm, EditingADefinitionThatReadsCellsShowsAndKeepsTheCells) {
    const ReportDefinition report{"Team", ReportKind::Attainment, "=$Overview.$B$5", "=$Overview.$B$4", {"REV"}};
    const ReportSheetChoices choices = withCellsOf(tinyChoices(), report, Language::English);
    ASSERT_EQ(choices.scopes.size(), 5u);
    EXPECT_EQ(choices.scopes.back(), (FormOption{"=$Overview.$B$4", "From cell $Overview.$B$4"}));
    EXPECT_EQ(withCellsOf(tinyChoices(Language::Vietnamese), report, Language::Vietnamese).scopes.back().label,
              "Theo ô $Overview.$B$4");
    const ReportSheetEntry entry = entryOf(report, choices);
    EXPECT_EQ(entry, (ReportSheetEntry{"Team", 1, "=$Overview.$B$5", 4, {0}}));
    const ReportSheetPlace place{{"Team", "Overview"}, {"Team"}, std::string("Team")};
    const auto check = checkReportSheetEntry(entry, choices, place, kNovember27, Language::English);
    ASSERT_TRUE(check.definition) << check.problem;
    EXPECT_EQ(*check.definition, report);
    // Fixed scopes add nothing; a malformed cell is refused as a period.
    EXPECT_EQ(withCellsOf(tinyChoices(), {"T", ReportKind::Ranking, "today", "SS01", {}}, Language::English).scopes,
              tinyChoices().scopes);
    ReportSheetEntry malformed = entry;
    malformed.period = "=B5";
    EXPECT_NE(checkReportSheetEntry(malformed, choices, place, kNovember27, Language::English)
                  .problem.find("'=B5' is not a period"),
              std::string::npos);
}

}  // namespace
}  // namespace saleskpi::addin
