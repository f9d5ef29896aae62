#include "report_sheets.hpp"

#include <gtest/gtest.h>

#include "kpi/engine.hpp"
#include "kpi/store.hpp"
#include "test_store.hpp"

namespace saleskpi::addin {
namespace {

using testing::makeTinyStore;
using testing::TempDir;
using testing::writeText;

const kpi::Day kNovember27 = kpi::makeDay(2026, 11, 27);

std::string text(const ReportCell& cell) { return std::get<std::string>(cell); }
double number(const ReportCell& cell) { return std::get<double>(cell); }
bool empty(const ReportCell& cell) { return std::holds_alternative<std::monostate>(cell); }

class Reports : public ::testing::Test {
protected:
    void SetUp() override { engine_ = std::make_unique<kpi::Engine>(makeTinyStore(dir_.path())); }

    ReportTable build(const std::string& line, Language language = Language::English) {
        const ReportDefinitions definitions = parseReportDefinitions(line);
        EXPECT_EQ(definitions.reports.size(), 1u) << line;
        return buildReport(*engine_, definitions.reports.at(0), kNovember27, language);
    }

    TempDir dir_;
    std::unique_ptr<kpi::Engine> engine_;
};

TEST(ReportDefinitions, ReadEveryFieldAndTrimSpaces) {
    const auto parsed = parseReportDefinitions(
        " Daily sales | daily_sales | this_month | * | DS, SL \r\n\nRanking|ranking|2026-11|SS01|");
    ASSERT_EQ(parsed.reports.size(), 2u);
    EXPECT_TRUE(parsed.problems.empty());
    EXPECT_EQ(parsed.reports[0],
              (ReportDefinition{"Daily sales", ReportKind::DailySales, "this_month", "*", {"DS", "SL"}}));
    EXPECT_EQ(parsed.reports[1], (ReportDefinition{"Ranking", ReportKind::Ranking, "2026-11", "SS01", {}}));
}

TEST(ReportDefinitions, KeepTheGoodLinesAndNameTheSheetOfABadOne) {
    const auto parsed = parseReportDefinitions(
        "A|attainment|this_month|*|REV\nB|pie_chart|this_month|*|\nC|employees\nA|ranking|2026-11|*|\n|employees|x|*|");
    ASSERT_EQ(parsed.reports.size(), 1u);
    EXPECT_EQ(parsed.reports[0].sheet, "A");
    ASSERT_EQ(parsed.problems.size(), 4u);
    EXPECT_EQ(parsed.problems[0].sheet, "B");
    EXPECT_NE(parsed.problems[0].problem.find("unknown kind 'pie_chart'"), std::string::npos);
    EXPECT_EQ(parsed.problems[1].sheet, "C");
    EXPECT_NE(parsed.problems[1].problem.find("SHEET|KIND|PERIOD|SCOPE|KPIS"), std::string::npos);
    EXPECT_EQ(parsed.problems[2].sheet, "");  // A's second line: A keeps its first definition
    EXPECT_NE(parsed.problems[2].problem.find("defined twice"), std::string::npos);
    EXPECT_EQ(parsed.problems[3].sheet, "");
}

TEST(ReportDefinitions, FormatReadsBackTheSame) {
    const ReportDefinition report{"KPI attainment", ReportKind::Attainment, "last_month", "SS01", {"DS", "PC"}};
    EXPECT_EQ(formatReportDefinition(report), "KPI attainment|attainment|last_month|SS01|DS,PC");
    EXPECT_EQ(parseReportDefinitions(formatReportDefinition(report)).reports.at(0), report);
}

TEST(ReportDefinitions, AnAddedDefinitionReplacesTheLineOfItsSheetOrIsAppended) {
    const std::string property = "Daily | daily_sales|this_month|*|DS\n\nRanking|ranking|2026-11|*|";
    const ReportDefinition team{"Team", ReportKind::Employees, "this_month", "SS01", {}};
    EXPECT_EQ(withReportDefinition(property, team),
              "Daily | daily_sales|this_month|*|DS\nRanking|ranking|2026-11|*|\nTeam|employees|this_month|SS01|");
    const ReportDefinition daily{"Daily", ReportKind::Attainment, "last_month", "*", {"DS", "PC"}};
    EXPECT_EQ(withReportDefinition(property, daily), "Daily|attainment|last_month|*|DS,PC\nRanking|ranking|2026-11|*|");
    EXPECT_EQ(withReportDefinition("", team), "Team|employees|this_month|SS01|");
    EXPECT_EQ(parseKpiCodes(" DS, ,PC ,"), (std::vector<std::string>{"DS", "PC"}));
}

TEST(ReportCellReferences, ReadTheCellAsCalcWritesIt) {
    EXPECT_EQ(parseCellReference("=$Overview.$B$4"), (CellReference{"Overview", 1, 3}));
    EXPECT_EQ(parseCellReference(" = Overview.b5 "), (CellReference{"Overview", 1, 4}));
    EXPECT_EQ(parseCellReference("=$'Tổng quan'.$B$4"), (CellReference{"Tổng quan", 1, 3}));
    EXPECT_EQ(parseCellReference("='It''s.here'.AA10"), (CellReference{"It's.here", 26, 9}));
    EXPECT_EQ(parseCellReference("=Sheet.v1.$XFD$1048576"), (CellReference{"Sheet.v1", 16383, 1048575}));
}

TEST(ReportCellReferences, RefuseWhatIsNoCell) {
    for (const char* field : {"SS01", "*", "this_month", "=", "=B4", "=Overview.", "=Overview.B", "=Overview.4",
                              "=Overview.B0", "=Overview.XFE1", "=Overview.B4x", "='Overview.B4", "=''.B4",
                              "=Overview.B1048577"})
        EXPECT_FALSE(parseCellReference(field)) << field;
    EXPECT_TRUE(isCellReference("=anything"));
    EXPECT_FALSE(isCellReference("SS01"));
    EXPECT_FALSE(isCellReference(""));
}

TEST(ReportCellReferences, FormatReadsBackTheSame) {
    for (const CellReference& cell : {CellReference{"Overview", 1, 3}, CellReference{"Tổng quan", 27, 99},
                                      CellReference{"It's", 0, 0}, CellReference{"2026", 701, 4}}) {
        EXPECT_EQ(parseCellReference("=" + formatCellReference(cell)), cell) << formatCellReference(cell);
    }
    EXPECT_EQ(formatCellReference({"Overview", 1, 3}), "$Overview.$B$4");
    EXPECT_EQ(formatCellReference({"Tổng quan", 1, 3}), "$'Tổng quan'.$B$4");
}

TEST(ReportDefinitions, KeepCellReferencesAsWrittenAndRefuseMalformedOnes) {
    const auto parsed = parseReportDefinitions(
        "Team|attainment|=$Overview.$B$5|=$Overview.$B$4|DS\nBad|ranking|this_month|=Overview|\n"
        "Worse|ranking|=B5|*|");
    ASSERT_EQ(parsed.reports.size(), 1u);
    EXPECT_EQ(parsed.reports[0].period, "=$Overview.$B$5");
    EXPECT_EQ(parsed.reports[0].scope, "=$Overview.$B$4");
    EXPECT_EQ(parseReportDefinitions(formatReportDefinition(parsed.reports[0])).reports.at(0), parsed.reports[0]);
    ASSERT_EQ(parsed.problems.size(), 2u);
    EXPECT_EQ(parsed.problems[0].sheet, "Bad");
    EXPECT_NE(parsed.problems[0].problem.find("SCOPE '=Overview' is not a cell reference"), std::string::npos)
        << parsed.problems[0].problem;
    EXPECT_EQ(parsed.problems[1].sheet, "Worse");
    EXPECT_NE(parsed.problems[1].problem.find("PERIOD '=B5'"), std::string::npos) << parsed.problems[1].problem;
}

TEST(ReportCellReferences, AnEmptyCellMeansTheDefaultAndFixedFieldsIgnoreTheCells) {
    const ReportDefinition fromCells{"Team", ReportKind::Ranking, "=$Overview.$B$5", "=$Overview.$B$4", {}};
    EXPECT_EQ(withCellValues(fromCells, "  ", ""),
              (ReportDefinition{"Team", ReportKind::Ranking, "this_month", "*", {}}));
    EXPECT_EQ(withCellValues(fromCells, " 2026-10 ", " SS01 "),
              (ReportDefinition{"Team", ReportKind::Ranking, "2026-10", "SS01", {}}));
    const ReportDefinition fixed{"Team", ReportKind::Ranking, "2026-11", "SS02", {}};
    EXPECT_EQ(withCellValues(fixed, "2026-10", "SS01"), fixed);
}

TEST_F(Reports, ACellWithAnUnknownCodeOrABadPeriodIsSaidInTheTitle) {
    const ReportDefinition fromCells{"Team", ReportKind::Ranking, "=$Overview.$B$5", "=$Overview.$B$4", {}};
    const ReportTable unknown = buildReport(*engine_, withCellValues(fromCells, "", "SS99"), kNovember27,
                                            Language::English);
    ASSERT_EQ(unknown.rows.size(), 1u);
    EXPECT_NE(text(unknown.rows[0][0]).find("unknown employee 'SS99' as the scope"), std::string::npos);
    const ReportTable badPeriod = buildReport(*engine_, withCellValues(fromCells, "2026-13", ""), kNovember27,
                                              Language::English);
    ASSERT_EQ(badPeriod.rows.size(), 1u);
    EXPECT_NE(text(badPeriod.rows[0][0]).find("unknown period '2026-13'"), std::string::npos);
}

TEST(ReportPeriod, CalendarWordsFollowToday) {
    const kpi::Day january2 = kpi::makeDay(2027, 1, 2);  // a Saturday
    EXPECT_EQ(kpi::formatPeriod(*resolveReportPeriod("this_month", january2)), "2027-01");
    EXPECT_EQ(kpi::formatPeriod(*resolveReportPeriod("last_month", january2)), "2026-12");
    EXPECT_EQ(kpi::formatPeriod(*resolveReportPeriod("this_week", january2)), "2026-W53");
    EXPECT_EQ(kpi::formatPeriod(*resolveReportPeriod("today", january2)), "2027-01-02");
    EXPECT_EQ(kpi::formatPeriod(*resolveReportPeriod("2026-Q4", january2)), "2026-Q4");
    EXPECT_FALSE(resolveReportPeriod("next_month", january2));
    EXPECT_FALSE(resolveReportPeriod("2026-13", january2));
}

TEST_F(Reports, DailySalesHasAnEmployeeARowADayAColumnAndTheScopeAsTotals) {
    const ReportTable table = build("Daily|daily_sales|2026-11|SS01|REV");
    EXPECT_EQ(text(table.rows[0][0]),
              "Daily sales (REV) · team of SS01 Nguyễn Văn An · 2026-11 (2026-11-01..2026-11-30) · data to "
              "2026-11-03 09:30:00");
    ASSERT_EQ(table.rows[1].size(), 2u + 30u + 1u);
    EXPECT_EQ(text(table.rows[1][2]), "2026-11-01");
    EXPECT_EQ(text(table.rows[1][31]), "2026-11-30");
    EXPECT_EQ(text(table.rows[1][32]), "Total");
    ASSERT_EQ(table.rows.size(), 2u + 3u + 1u);  // SS01, SR01, SR02, total
    const auto& sr01 = table.rows[3];
    EXPECT_EQ(text(sr01[0]), "SR01");
    EXPECT_EQ(text(sr01[1]), "Trần Thị Bình");
    EXPECT_EQ(number(sr01[2 + 1]), 250000);  // 2026-11-02
    EXPECT_EQ(number(sr01[2 + 3]), 0);       // 2026-11-04: the pending order does not count
    EXPECT_EQ(number(sr01[32]), 250000);
    // SS01's row is the team's (the subtree rule); the total is the scope's
    // own figure, not the sum of the rows.
    EXPECT_EQ(number(table.rows[2][32]), 350000);
    const auto& total = table.rows.back();
    EXPECT_EQ(text(total[0]), "SS01");
    EXPECT_EQ(number(total[2 + 2]), 100000);
    EXPECT_EQ(number(total[32]), 350000);
    EXPECT_EQ(table.formats[2], ColumnFormat::Integer);
    EXPECT_FALSE(table.attainmentColumn);
}

TEST_F(Reports, AttainmentHasARowPerEmployeeAndKpi) {
    const ReportTable table = build("Att|attainment|2026-11|SS01|REV,SALES");
    ASSERT_EQ(table.rows.size(), 2u + 3u * 2u);
    EXPECT_EQ(table.rows[1],
              (std::vector<ReportCell>{"Code", "Name", "KPI", "Actual", "Target", "Attainment", "Projected"}));
    const auto& sr01 = table.rows[4];  // SS01 REV, SS01 SALES, SR01 REV
    EXPECT_EQ(text(sr01[0]), "SR01");
    EXPECT_EQ(text(sr01[2]), "REV");
    EXPECT_EQ(number(sr01[3]), 250000);
    EXPECT_EQ(number(sr01[4]), 1000000);
    EXPECT_DOUBLE_EQ(number(sr01[5]), 0.25);
    const kpi::Figures figures = engine_->figures("SR01", "REV", *kpi::parsePeriod("2026-11"), kNovember27);
    EXPECT_DOUBLE_EQ(number(sr01[6]), figures.projected);
    EXPECT_TRUE(empty(table.rows[5][4]));  // SR01 SALES: no target
    EXPECT_TRUE(empty(table.rows[5][5]));
    EXPECT_EQ(table.attainmentColumn, 5u);
    EXPECT_EQ(table.formats[5], ColumnFormat::Percent);
}

TEST_F(Reports, RankingOrdersByScoreAndTiesShareARank) {
    // SR02 gets a target it reaches to the same 25 % as SR01; SS01's team
    // reaches 200 %, capped at 150 % in the score.
    writeText(dir_.path() / "targets.csv",
              "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n"
              "SR02,REV,MONTH,2026-01-01,2026-12-31,400000,1\n"
              "SS01,REV,MONTH,2026-01-01,2026-12-31,175000,1\n");
    kpi::Store::open(dir_.path() / "kpi.sqlite", kpi::Store::Mode::ReadWrite)
        ->import({dir_.path() / "targets.csv"}, kpi::ImportOptions{"test", {}});
    engine_->refresh();
    const ReportTable table = build("Rank|ranking|2026-11|*|");
    ASSERT_EQ(table.rows.size(), 2u + 3u);
    EXPECT_EQ(table.rows[2], (std::vector<ReportCell>{1.0, "SS01", "Nguyễn Văn An", 1.5}));
    EXPECT_EQ(table.rows[3], (std::vector<ReportCell>{2.0, "SR01", "Trần Thị Bình", 0.25}));
    EXPECT_EQ(table.rows[4], (std::vector<ReportCell>{2.0, "SR02", "Lê Văn Cường", 0.25}));
}

TEST_F(Reports, EmployeesListTheScopeWithRoleManagerAndDepartment) {
    const ReportTable table = build("Emp|employees|this_month|SS01|");
    ASSERT_EQ(table.rows.size(), 2u + 3u);
    EXPECT_EQ(table.rows[1], (std::vector<ReportCell>{"Code", "Name", "Role", "Manager", "Department"}));
    EXPECT_EQ(table.rows[2], (std::vector<ReportCell>{"SS01", "Nguyễn Văn An", "SS", "", "Sales HCM"}));
    EXPECT_EQ(table.rows[3], (std::vector<ReportCell>{"SR01", "Trần Thị Bình", "SR", "SS01", "Sales HCM"}));
    EXPECT_EQ(build("Emp|employees|this_month|SR01|").rows.size(), 2u + 1u);
}

TEST_F(Reports, HeadersAndTitleFollowTheDocumentsLanguage) {
    const ReportTable table = build("Xếp hạng|ranking|2026-11|*|", Language::Vietnamese);
    EXPECT_EQ(text(table.rows[0][0]).rfind("Xếp hạng theo điểm KPI · toàn công ty · 2026-11", 0), 0u);
    EXPECT_EQ(table.rows[1], (std::vector<ReportCell>{"Hạng", "Mã", "Họ tên", "Điểm"}));
}

TEST_F(Reports, AMonthBeforeItsFirstOrderSaysSoInTheTitleAndShowsZeros) {
    // The tiny store's data end on 2026-11-03; on 1 December "this month" has
    // nothing yet: the title says so, the rows show 0, nothing is an error.
    const kpi::Day december1 = kpi::makeDay(2026, 12, 1);
    const ReportDefinitions definitions = parseReportDefinitions("Daily|daily_sales|this_month|SS01|REV");
    const ReportTable table = buildReport(*engine_, definitions.reports.at(0), december1, Language::English);
    EXPECT_EQ(text(table.rows[0][0]),
              "Daily sales (REV) · team of SS01 Nguyễn Văn An · 2026-12 (2026-12-01..2026-12-31) · data to "
              "2026-11-03 09:30:00 · no order or visit in this period yet");
    ASSERT_EQ(table.rows.size(), 2u + 3u + 1u);
    for (std::size_t row = 2; row < table.rows.size(); ++row)
        for (std::size_t column = 2; column < table.rows[row].size(); ++column)
            EXPECT_EQ(number(table.rows[row][column]), 0) << row << "," << column;
    const ReportTable vietnamese = buildReport(*engine_, definitions.reports.at(0), december1, Language::Vietnamese);
    EXPECT_NE(text(vietnamese.rows[0][0]).find(" · kỳ này chưa có đơn hàng hay lượt viếng thăm nào"), std::string::npos);
    // November has data: no such words.
    EXPECT_EQ(text(build("Daily|daily_sales|2026-11|SS01|REV").rows[0][0]).find("in this period yet"),
              std::string::npos);
}

TEST(NothingYetIn, HoldsWhenTheNewestDataIsBeforeThePeriodOrThereIsNone) {
    const kpi::Period december = *kpi::parsePeriod("2026-12");
    EXPECT_TRUE(nothingYetIn(december, "2026-11-30 23:59:59"));
    EXPECT_TRUE(nothingYetIn(december, ""));
    EXPECT_FALSE(nothingYetIn(december, "2026-12-01 00:00:00"));
    EXPECT_FALSE(nothingYetIn(december, "2027-01-05 08:00:00"));  // a past period
}

TEST_F(Reports, AWrongDefinitionShowsWhyInTheTitleOnly) {
    const auto titleOf = [&](const std::string& line) {
        const ReportTable table = build(line);
        EXPECT_EQ(table.rows.size(), 1u) << line;
        return text(table.rows[0][0]);
    };
    EXPECT_NE(titleOf("X|attainment|2026-11|NOBODY|REV").find("unknown employee 'NOBODY'"), std::string::npos);
    EXPECT_NE(titleOf("X|attainment|2026-11|*|REV,NOPE").find("unknown KPI 'NOPE'"), std::string::npos);
    EXPECT_NE(titleOf("X|attainment|next_month|*|REV").find("unknown period 'next_month'"), std::string::npos);
    EXPECT_NE(titleOf("X|daily_sales|2026-11|*|").find("no KPI"), std::string::npos);
    EXPECT_NE(titleOf("X|daily_sales|2025-01-01..2026-11-30|*|REV").find("at most 366 days"), std::string::npos);
    EXPECT_EQ(titleOf("X|attainment|2026-11|*|NOPE").rfind("SalesKPI cannot write this report (X): ", 0), 0u);
}

}  // namespace
}  // namespace saleskpi::addin
