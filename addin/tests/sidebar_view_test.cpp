// What the sidebar shows, against the tiny store (test_store.hpp): SS01 with
// SR01 (REV target 1,000,000; sold 250,000 in November 2026) and SR02 (no
// target; sold 100,000).
#include "sidebar_view.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "kpi/engine.hpp"
#include "sidebar_worker.hpp"
#include "test_store.hpp"

namespace saleskpi::addin {
namespace {

using testing::makeTinyStore;
using testing::TempDir;

const kpi::Day kNovember27 = kpi::makeDay(2026, 11, 27);

SidebarRequest november(std::string person = {}) {
    SidebarRequest request;
    request.period = *kpi::parsePeriod("2026-11");
    request.today = kNovember27;
    request.person = std::move(person);
    return request;
}

const auto kNever = [] { return false; };

TEST(SidebarPeriods, MeanTheCalendarAroundToday) {
    EXPECT_EQ(kpi::formatPeriod(*periodOf(PeriodChoice::Today, "", kNovember27)), "2026-11-27");
    EXPECT_EQ(kpi::formatPeriod(*periodOf(PeriodChoice::ThisWeek, "", kNovember27)), "2026-W48");
    EXPECT_EQ(kpi::formatPeriod(*periodOf(PeriodChoice::ThisMonth, "", kNovember27)), "2026-11");
    EXPECT_EQ(kpi::formatPeriod(*periodOf(PeriodChoice::LastMonth, "", kpi::makeDay(2026, 1, 5))), "2025-12");
}

TEST(SidebarPeriods, ReadACustomPeriodInThePeriodGrammarAndRejectOtherText) {
    EXPECT_EQ(kpi::formatPeriod(*periodOf(PeriodChoice::Custom, " 2026-11-01..2026-11-20 ", kNovember27)),
              "2026-11-01..2026-11-20");
    EXPECT_FALSE(periodOf(PeriodChoice::Custom, "November", kNovember27));
    EXPECT_FALSE(periodOf(PeriodChoice::Custom, "", kNovember27));
}

TEST(SidebarView, ListsEveryoneByScoreWithTheUnscoredLast) {
    TempDir dir;
    kpi::Engine engine(makeTinyStore(dir.path()));
    const SidebarView view = computeSidebarView(engine, november(), kNever);
    ASSERT_EQ(view.team.size(), 3u);
    EXPECT_EQ(view.team[0].employee.code, "SR01");
    ASSERT_TRUE(view.team[0].value);
    EXPECT_DOUBLE_EQ(*view.team[0].value, 0.25);
    EXPECT_FALSE(view.team[1].value);
    ASSERT_EQ(view.managers.size(), 1u);
    EXPECT_EQ(view.managers[0].code, "SS01");
}

TEST(SidebarView, ShowsOnlyTheChosenManagersTeamSortedByAKpi) {
    TempDir dir;
    kpi::Engine engine(makeTinyStore(dir.path()));
    SidebarRequest request = november();
    request.manager = "SS01";
    request.sortKpi = "REV";
    const SidebarView view = computeSidebarView(engine, request, kNever);
    ASSERT_EQ(view.team.size(), 3u);  // the manager and the two below
    EXPECT_EQ(view.team[0].employee.code, "SR01");
    EXPECT_DOUBLE_EQ(*view.team[0].value, 0.25);
}

TEST(SidebarView, OpensAPersonWithTheSameFiguresAsTheEngineAndTheRecordsBehindOne) {
    TempDir dir;
    kpi::Engine engine(makeTinyStore(dir.path()));
    const SidebarView view = computeSidebarView(engine, november("SR01"), kNever);
    ASSERT_TRUE(view.person);
    EXPECT_EQ(view.person->name, "Trần Thị Bình");
    ASSERT_EQ(view.personFigures.size(), view.kpis.size());
    const auto expected = engine.figures("SR01", "REV", *kpi::parsePeriod("2026-11"), kNovember27);
    const auto& rev = view.personFigures[0];
    EXPECT_EQ(rev.kpi.code, "REV");
    EXPECT_DOUBLE_EQ(rev.figures.actual, expected.actual);
    EXPECT_EQ(rev.figures.target, expected.target);
    EXPECT_EQ(rev.figures.attainment, expected.attainment);
    EXPECT_DOUBLE_EQ(rev.figures.projected, expected.projected);
    EXPECT_EQ(view.detailKpi, "REV");
    ASSERT_TRUE(view.detailQuery);
    const auto detail = view.detailQuery->run(200);
    ASSERT_EQ(detail.total, 1u);
    EXPECT_EQ(detail.rows[0].reference, "SO1");
}

TEST(SidebarView, ReadsAtMostTheDetailLimitButCountsEveryRecord) {
    TempDir dir;
    kpi::Engine engine(makeTinyStore(dir.path()));
    SidebarRequest request = november("SS01");
    request.detailLimit = 1;
    const SidebarView view = computeSidebarView(engine, request, kNever);
    ASSERT_TRUE(view.detailQuery);
    const auto detail = view.detailQuery->run(request.detailLimit);
    EXPECT_EQ(detail.total, 2u);
    EXPECT_EQ(detail.rows.size(), 1u);
}

TEST(SidebarView, OpensNobodyForAnUnknownPersonAndEveryoneForAnUnknownManager) {
    TempDir dir;
    kpi::Engine engine(makeTinyStore(dir.path()));
    SidebarRequest request = november("NOBODY");
    request.manager = "NOBODY";
    const SidebarView view = computeSidebarView(engine, request, kNever);
    EXPECT_FALSE(view.person);
    EXPECT_EQ(view.team.size(), 3u);
}

TEST(SidebarView, StopsWhenCancelled) {
    TempDir dir;
    kpi::Engine engine(makeTinyStore(dir.path()));
    const SidebarView view = computeSidebarView(engine, november(), [] { return true; });
    EXPECT_TRUE(view.cancelled);
}

TEST(SidebarLines, DrawTenCellBarsWithThePercentage) {
    EXPECT_EQ(attainmentBar(0.82), "████████░░  82%");
    EXPECT_EQ(attainmentBar(1.27), "██████████ 127%");
    EXPECT_EQ(attainmentBar(std::nullopt), "░░░░░░░░░░    –");
}

TEST(SidebarLines, FormatNumbersTheWayEachLanguageWritesThem) {
    EXPECT_EQ(formatNumber(1234567.5, 2, Language::English), "1,234,567.5");
    EXPECT_EQ(formatNumber(1234567.5, 2, Language::Vietnamese), "1.234.567,5");
    EXPECT_EQ(formatNumber(-1000, 0, Language::English), "-1,000");
    EXPECT_EQ(formatNumber(0.004, 2, Language::English), "0");
}

TEST(SidebarLines, ShowRatiosAsPercentagesAndLinesPerCallWithTwoDecimals) {
    EXPECT_EQ(formatFigure({"COV", "COVERAGE", "", "", ""}, 0.8712, Language::English), "87.1%");
    EXPECT_EQ(formatFigure({"LPPC", "LPPC", "", "", ""}, 4.6389, Language::English), "4.64");
    EXPECT_EQ(formatFigure({"DS", "SALES", "", "", ""}, 374578261.4, Language::English), "374,578,261");
}

TEST(SidebarLines, ShowAPersonsKpiOnTwoLines) {
    kpi::Figures figures;
    figures.actual = 250000;
    figures.target = 1000000;
    figures.attainment = 0.25;
    figures.projected = 300000;
    const auto lines = personFigureLines({{"REV", "SALES", "Doanh số", "Revenue", "VND"}, figures}, Language::Vietnamese);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "███░░░░░░░  25%  Doanh số (REV)");
    EXPECT_EQ(lines[1], "      250.000 / 1.000.000 → 300.000");
}

TEST(SidebarWorker, RunsOnlyTheLatestJobAndCancelsTheRunningOne) {
    SidebarWorker worker;
    std::atomic<int> ran{0};
    std::atomic<bool> firstCancelled{false};
    std::atomic<bool> started{false};
    worker.submit([&](const SidebarWorker::Cancelled& cancelled) {
        started = true;
        while (!cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        firstCancelled = true;
    });
    while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    worker.submit([&](const SidebarWorker::Cancelled&) { ++ran; });
    for (int i = 0; i < 2000 && ran == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_TRUE(firstCancelled);
    EXPECT_EQ(ran, 1);
}

TEST(SidebarWorker, StopJoinsARunningJobAndIgnoresLaterOnes) {
    SidebarWorker worker;
    std::atomic<bool> started{false};
    worker.submit([&](const SidebarWorker::Cancelled& cancelled) {
        started = true;
        while (!cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    worker.stop();
    bool ran = false;
    worker.submit([&](const SidebarWorker::Cancelled&) { ran = true; });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_FALSE(ran);
}

TEST(SidebarPayout, IsAboutThePayPeriodOfTheChosenPeriod) {
    EXPECT_EQ(payPeriodOf(*kpi::parsePeriod("2026-11")), *kpi::parsePeriod("2026-11"));
    EXPECT_EQ(payPeriodOf(*kpi::parsePeriod("2026-Q4")), *kpi::parsePeriod("2026-Q4"));
    EXPECT_EQ(payPeriodOf(*kpi::parsePeriod("2026-W48")), *kpi::parsePeriod("2026-11"));
    EXPECT_EQ(payPeriodOf(*kpi::parsePeriod("2026-11-20")), *kpi::parsePeriod("2026-11"));
}

TEST(SidebarPayout, ShowsTheTotalThenEachComponentGateAndAdjustment) {
    kpi::Statement s;
    s.period = *kpi::parsePeriod("2026-12");
    kpi::StatementPlan plan;
    plan.code = "NVBH";
    plan.nameVi = "Thưởng tháng";
    plan.nameEn = "Monthly bonus";
    kpi::StatementLine component;
    component.row.kind = kpi::PayoutKind::Component;
    component.row.kpiCode = "DS";
    component.row.attainment = 1.1;
    component.row.factor = 1.25;
    component.row.amount = 3750000;
    component.kpiNameVi = "Doanh số";
    component.kpiNameEn = "Sales";
    kpi::StatementLine gate;
    gate.row.kind = kpi::PayoutKind::Gate;
    gate.row.kpiCode = "DS";
    gate.row.attainment = 1.1;
    gate.row.factor = 1;
    gate.row.gateMinimum = 0.8;
    kpi::StatementLine adjustment;
    adjustment.row.kind = kpi::PayoutKind::Adjustment;
    adjustment.row.period = *kpi::parsePeriod("2026-11");
    adjustment.row.amount = -1125000;
    kpi::StatementLine total;
    total.row.kind = kpi::PayoutKind::Total;
    total.row.amount = 2625000;
    plan.lines = {component, gate, adjustment, total};
    s.plans.push_back(plan);
    s.total = 2625000;
    EXPECT_EQ(payoutLines(s, Language::English),
              (std::vector<std::string>{"Payout 2026-12: 2,625,000 VND", "  NVBH Monthly bonus",
                                        "    DS Sales: 1.1 × 1.25 → 3,750,000", "    Gate DS 1.1 ≥ 0.8: passed",
                                        "    Adjustment for 2026-11: -1,125,000"}));
    EXPECT_EQ(payoutLines(s, Language::Vietnamese)[2], "    DS Doanh số: 1,1 × 1,25 → 3.750.000");
    s.plans.clear();
    EXPECT_EQ(payoutLines(s, Language::Vietnamese),
              std::vector<std::string>{"Thưởng 2026-12: không có kế hoạch thưởng"});
}

}  // namespace
}  // namespace saleskpi::addin
