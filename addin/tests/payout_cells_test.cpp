// KPI.PAYOUT, KPI.FACTOR and closed pay periods in cells, without UNO: the
// arguments, the values the engine gives them, what a partial first load may
// answer, and the wording of KPI.STATUS and report titles for a closed period.
//
// The tiny store (test_store.hpp) plus two plans on REV, curve
// 0.2:0.5|1:1|1.2:1.5: LIN (linear, SR01 at 1,000,000 VND) and STEP (step).
// November 2026 has 25 working days and no holiday; SR01's REV is 250,000
// of 1,000,000: attainment 0.25, linear factor 0.5 + 0.05 ÷ 0.8 × 0.5 =
// 0.53125, so 531,250 VND.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "cell_query.hpp"
#include "closed_periods.hpp"
#include "kpi/error.hpp"
#include "kpi/store.hpp"
#include "report_sheets.hpp"
#include "test_store.hpp"
#include "today_variable.hpp"

namespace saleskpi::addin {
namespace {

using testing::TempDir;
using testing::writeText;

kpi::Period period(const std::string& text) { return *kpi::parsePeriod(text); }

std::string invalidArgumentMessage(const std::function<void()>& call) {
    try {
        call();
    } catch (const kpi::Error& error) {
        if (error.kind() == kpi::Error::Kind::InvalidArgument) return error.what();
        return "not an invalid argument: " + std::string(error.what());
    }
    return "no error";
}

std::filesystem::path makeStoreWithPlans(const std::filesystem::path& dir) {
    const auto store = testing::makeTinyStore(dir);
    const auto csv = dir / "plans";
    std::filesystem::create_directories(csv);
    writeText(csv / "plans.csv",
              "code,name_vi,name_en,period_type,gate_kpi,gate_min,curve_mode\n"
              "LIN,Thưởng doanh số,Sales bonus,MONTH,,,linear\n"
              "STEP,Thưởng bậc thang,Step bonus,MONTH,,,step\n");
    writeText(csv / "plan_components.csv",
              "plan_code,kpi_code,weight,curve\n"
              "LIN,REV,1,0.2:0.5|1:1|1.2:1.5\n"
              "STEP,REV,1,0.2:0.5|1:1|1.2:1.5\n");
    writeText(csv / "plan_assignments.csv",
              "employee_code,plan_code,valid_from,valid_to,incentive\n"
              "SR01,LIN,2026-01-01,2026-12-31,1000000\n");
    kpi::Store::open(store, kpi::Store::Mode::ReadWrite)
        ->import({csv / "plans.csv", csv / "plan_components.csv", csv / "plan_assignments.csv"},
                 kpi::ImportOptions{"test", {}});
    return store;
}

class PayoutCells : public ::testing::Test {
protected:
    // After November: it may be closed.
    kpitest::TodayVariable pinned{"2026-12-05"};
    const kpi::Day today = kpi::makeDay(2026, 12, 5);
    TempDir dir;
    std::filesystem::path store = makeStoreWithPlans(dir.path());

    static CellQuery payout(const std::string& employee, const std::string& when, const std::string& kpi = {}) {
        return CellQuery{FunctionId::Payout, employee, kpi, period(when)};
    }
    static CellQuery factor(const std::string& plan, const std::string& kpi, double attainment) {
        CellQuery query{FunctionId::Factor, {}, kpi, std::nullopt};
        query.plan = plan;
        query.attainment = attainment;
        return query;
    }
    static double number(const CellValue& value) { return std::get<double>(value); }
    void close(const std::string& when) {
        kpi::Store::open(store, kpi::Store::Mode::ReadWrite)->closePeriod(period(when), "kế toán");
    }
};

TEST_F(PayoutCells, PayoutIsTheEnginesAmountInWholeVnd) {
    kpi::Engine engine(store);
    EXPECT_EQ(number(evaluateFigure(engine, payout("SR01", "2026-11"), today)), 531250);
    EXPECT_EQ(number(evaluateFigure(engine, payout("SR01", "2026-11", "REV"), today)), 531250);
    EXPECT_EQ(number(evaluateFigure(engine, payout("*", "2026-11"), today)), 531250);
    EXPECT_EQ(number(evaluateFigure(engine, payout("SR01", "2026-11"), today)),
              static_cast<double>(*engine.payoutAmount("SR01", period("2026-11"))));
}

TEST_F(PayoutCells, PayoutWithoutAPlanOrComponentShowsNoValue) {
    kpi::Engine engine(store);
    // SR02 is on no plan; SR01's plan pays on REV, not SALES; and monthly, not quarterly.
    EXPECT_TRUE(std::holds_alternative<std::monostate>(evaluateFigure(engine, payout("SR02", "2026-11"), today)));
    EXPECT_TRUE(
        std::holds_alternative<std::monostate>(evaluateFigure(engine, payout("SR01", "2026-11", "SALES"), today)));
    EXPECT_TRUE(std::holds_alternative<std::monostate>(evaluateFigure(engine, payout("SR01", "2026-Q4"), today)));
}

TEST_F(PayoutCells, PayoutRejectsAnUnknownEmployeeOrKpiAndPeriodsNoPlanPaysForNamingTheArgument) {
    kpi::Engine engine(store);
    EXPECT_EQ(invalidArgumentMessage([&] { evaluateFigure(engine, payout("NOBODY", "2026-11"), today); }),
              "employee: unknown employee 'NOBODY'");
    EXPECT_EQ(invalidArgumentMessage([&] { evaluateFigure(engine, payout("SR01", "2026-11", "NOPE"), today); }),
              "kpi: unknown KPI 'NOPE'");
    for (const char* notPaid : {"2026-11-20", "2026-W48", "2026-11-01..2026-11-20"}) {
        const std::string message = invalidArgumentMessage([&] { checkArguments(payout("SR01", notPaid)); });
        EXPECT_EQ(message.rfind("period: KPI.PAYOUT takes a pay period", 0), 0u) << notPaid << ": " << message;
    }
    EXPECT_EQ(invalidArgumentMessage([&] { checkArguments(payout("SR01", "2026")); }), "no error");
}

TEST_F(PayoutCells, PayoutsComponentArgumentIsATextOrNothing) {
    EXPECT_EQ(componentFromArgument(std::monostate{}), "");
    EXPECT_EQ(componentFromArgument(0.0), "");  // an empty cell
    EXPECT_EQ(componentFromArgument(std::string("REV")), "REV");
    EXPECT_EQ(invalidArgumentMessage([] { componentFromArgument(3.0); }), "kpi: a KPI code as text, or nothing for the total");
}

TEST_F(PayoutCells, FactorFollowsTheCurveOnBetweenAndAboveItsPoints) {
    kpi::Engine engine(store);
    const auto at = [&](const std::string& plan, double attainment) {
        return number(evaluateFigure(engine, factor(plan, "REV", attainment), today));
    };
    EXPECT_EQ(at("LIN", 0.1), 0);    // below the first point
    EXPECT_EQ(at("LIN", 0.2), 0.5);  // on points
    EXPECT_EQ(at("LIN", 1), 1);
    EXPECT_EQ(at("LIN", 0.25), 0.53125);  // between: on the line
    EXPECT_EQ(at("LIN", 1.1), 1.25);
    EXPECT_EQ(at("LIN", 1.2), 1.5);
    EXPECT_EQ(at("LIN", 3), 1.5);  // above the last point: the last factor
    EXPECT_EQ(at("STEP", 0.1), 0);
    EXPECT_EQ(at("STEP", 0.25), 0.5);  // between: the step reached
    EXPECT_EQ(at("STEP", 1.1), 1);
    EXPECT_EQ(at("STEP", 1.2), 1.5);
    EXPECT_EQ(at("STEP", 3), 1.5);
}

TEST_F(PayoutCells, FactorRejectsAnUnknownPlanOrAKpiThePlanDoesNotPayOn) {
    kpi::Engine engine(store);
    EXPECT_EQ(invalidArgumentMessage([&] { evaluateFigure(engine, factor("NOPE", "REV", 1), today); }),
              "unknown plan 'NOPE'");
    EXPECT_EQ(invalidArgumentMessage([&] { evaluateFigure(engine, factor("LIN", "SALES", 1), today); }),
              "plan 'LIN' has no component on KPI 'SALES'");
    EXPECT_EQ(invalidArgumentMessage([&] { validateQuery(engine, factor("NOPE", "REV", 1)); }), "unknown plan 'NOPE'");
}

TEST_F(PayoutCells, KeysTellPlansKpisAndAttainmentsApart) {
    EXPECT_EQ(factor("LIN", "REV", 1.1).key(), factor("LIN", "REV", 1.1).key());
    EXPECT_NE(factor("LIN", "REV", 1.1).key(), factor("STEP", "REV", 1.1).key());
    EXPECT_NE(factor("LIN", "REV", 1.1).key(), factor("LIN", "REV", std::nextafter(1.1, 2.0)).key());
    EXPECT_NE(payout("SR01", "2026-11").key(), payout("SR01", "2026-11", "REV").key());
    EXPECT_NE(payout("SR01", "2026-11").key(), (CellQuery{FunctionId::Score, "SR01", "", period("2026-11")}.key()));
}

TEST_F(PayoutCells, AClosedPeriodsCellsKeepTheirFiguresWhenALateOrderArrives) {
    close("2026-11");
    kpi::Engine engine(store);
    testing::addOrder(dir.path(), store);  // SO4: 50,000 more for SR01 in November
    ASSERT_TRUE(engine.refresh());
    const CellQuery actual{FunctionId::Actual, "SR01", "REV", period("2026-11")};
    const CellQuery attainment{FunctionId::Attainment, "SR01", "REV", period("2026-11")};
    EXPECT_EQ(number(evaluateFigure(engine, actual, today)), 250000);
    EXPECT_EQ(number(evaluateFigure(engine, attainment, today)), 0.25);
    EXPECT_EQ(number(evaluateFigure(engine, payout("SR01", "2026-11"), today)), 531250);
    // The live figures moved: attainment 0.3, factor 0.5 + 0.1 ÷ 0.8 × 0.5 = 0.5625.
    EXPECT_EQ(engine.figures("SR01", "REV", period("2026-11"), today, true).actual, 300000);
    EXPECT_EQ(engine.payoutAmount("SR01", period("2026-11"), "", true), 562500);
    // The same month as a cycle, or a day of it, is not the closed period.
    const CellQuery cycle{FunctionId::Actual, "SR01", "REV", period("2026-11-01..2026-11-30")};
    EXPECT_EQ(number(evaluateFigure(engine, cycle, today)), 300000);
    // December, still open, owes SR01 the difference as an adjustment.
    EXPECT_EQ(number(evaluateFigure(engine, payout("SR01", "2026-12"), today)), 31250);
}

TEST_F(PayoutCells, APartialLoadAnswersAPayoutOnlyWhenItHoldsTheClosedPeriodsItAdjusts) {
    close("2026-10");
    const CellQuery december = payout("SR01", "2026-12");
    const CellQuery actual{FunctionId::Actual, "SR01", "REV", period("2026-12")};
    kpi::Engine partial(store, period("2026-12"));
    EXPECT_FALSE(answerable(partial, december, today));  // it recomputes October's payout
    EXPECT_TRUE(answerable(partial, actual, today));
    EXPECT_TRUE(answerable(partial, factor("LIN", "REV", 1), today));
    kpi::Engine wide(store, period("2026-10-01..2026-12-31"));
    EXPECT_TRUE(answerable(wide, december, today));
    kpi::Engine whole(store);
    EXPECT_TRUE(answerable(whole, december, today));
}

TEST(ClosedPeriods, StatusSaysWhetherThePeriodShownIsClosedInBothLanguages) {
    const std::vector<kpi::ClosedPeriod> closed{{period("2026-10"), "2026-11-02 17:00:00", "lan"},
                                                {period("2026-09"), "2026-10-01 08:00:00", "lan"},
                                                {period("2026-Q3"), "2026-10-05 09:30:00", "Kế toán"}};
    EXPECT_EQ(closedPeriodsNote(closed, period("2026-10"), Language::English),
              "; 2026-10 closed 2026-11-02 17:00:00 by lan: frozen figures");
    EXPECT_EQ(closedPeriodsNote(closed, period("2026-10"), Language::Vietnamese),
              "; 2026-10 đã chốt lúc 2026-11-02 17:00:00 bởi lan: số liệu đã chốt");
    EXPECT_EQ(closedPeriodsNote(closed, period("2026-11"), Language::English), "; 2026-11 open: live figures");
    EXPECT_EQ(closedPeriodsNote(closed, period("2026-11"), Language::Vietnamese),
              "; 2026-11 chưa chốt: số liệu hiện tại");
    EXPECT_EQ(closedPeriodsNote(closed, period("2026-10-05"), Language::English), "");  // no close freezes a day
    EXPECT_EQ(closedPeriodsNote(closed, std::nullopt, Language::English),
              "; last closed: 2026-10 (2026-11-02 17:00:00 by lan), 2026-Q3 (2026-10-05 09:30:00 by Kế toán)");
    EXPECT_EQ(closedPeriodsNote(closed, std::nullopt, Language::Vietnamese),
              "; chốt gần nhất: 2026-10 (lúc 2026-11-02 17:00:00 bởi lan), 2026-Q3 (lúc 2026-10-05 09:30:00 bởi "
              "Kế toán)");
    EXPECT_EQ(closedPeriodsNote({}, std::nullopt, Language::English), "");
}

TEST_F(PayoutCells, AReportSheetOfAClosedPeriodSaysItsFiguresAreFrozen) {
    close("2026-11");
    kpi::Engine engine(store);
    const ReportDefinition november{"Tháng 11", ReportKind::Attainment, "2026-11", "*", {"REV"}};
    const auto title = std::get<std::string>(buildReport(engine, november, today, Language::Vietnamese).rows[0][0]);
    EXPECT_NE(title.find("2026-11 đã chốt lúc "), std::string::npos) << title;
    EXPECT_NE(title.find(" bởi kế toán: số liệu đã chốt"), std::string::npos) << title;
    const ReportDefinition december{"Dec", ReportKind::Attainment, "2026-12", "*", {"REV"}};
    const auto open = std::get<std::string>(buildReport(engine, december, today, Language::English).rows[0][0]);
    EXPECT_EQ(open.find("closed"), std::string::npos) << open;
}

}  // namespace
}  // namespace saleskpi::addin
