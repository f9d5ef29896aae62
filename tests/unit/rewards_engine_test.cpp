// Payouts, closes and statements through the public API (kpi::Engine,
// kpi::Store), against figures worked out by hand.
//
// November 2026 has no holiday here: W(2026-11) = 30 − 5 Sundays = 25; S2
// joins on Monday 16 November: W(16..30) = 13. December: W = 27.
//
// Plan SR (MONTH, gate DS ≥ 0.8, linear), components DS (weight 3, curve
// 0.8:0.5|1:1|1.2:1.5) and PC (weight 1, curve 0.5:0.5|1:1), incentive
// 4,000,000 (S1) and 3,000,000 (S2):
//   S1: DS 900,000 / 1,000,000 = 0.9 → f 0.75; incentive 3,000,000 → 2,250,000.
//       PC 1 / 2 = 0.5 → f 0.5; incentive 1,000,000 → 500,000. Total 2,750,000.
//   S2: DS 500,000 / (1,000,000 × 13/25 = 520,000) = 25/26 → f 47/52;
//       incentive 3,000,000 × 13/25 × 3/4 = 1,170,000 → 1,057,500;
//       no PC target: no attainment, factor 0. Total 1,057,500.
// Plan Q (QUARTER, step, no gate) for M1: DS 1,400,000 / 1,000,000 = 1.4
//       → f 1.5 (the last point's); 2,000,000 × 1.5 = 3,000,000.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kpi/engine.hpp"
#include "kpi/error.hpp"
#include "kpi/store.hpp"
#include "rewards/statement.hpp"
#include "test_store.hpp"
#include "today_variable.hpp"

namespace {

using kpi::Engine;
using kpi::PayoutKind;
using kpi::PayoutQuery;
using kpi::PayoutRow;
using kpi::Period;
using kpitest::CsvFiles;
using kpitest::TestStore;

Period period(const std::string& text) { return *kpi::parsePeriod(text); }

CsvFiles teamFiles() {
    return {
        {"employees.csv", "code,name,role,manager_code,department,region,start_date,end_date\n"
                          "M1,Trần Văn Hùng,SS,,Kênh GT,Nam,2020-01-01,\n"
                          "S1,Nguyễn Thị Lan,SR,M1,Kênh GT,Nam,2020-01-01,\n"
                          "S2,Lê Văn Bình,SR,M1,Kênh MT,Nam,2026-11-16,\n"},
        {"outlets.csv", "code,name,created_date\nO1,Tạp hóa Cô Ba,2020-01-01\n"},
        {"products.csv", "sku,name\nP1,Sữa tươi\n"},
        {"orders.csv", "order_code,employee_code,outlet_code,order_time,type,status\n"
                       "A1,S1,O1,2026-11-03 09:00:00,sale,approved\n"
                       "A2,S2,O1,2026-11-20 09:00:00,sale,approved\n"},
        {"order_lines.csv", "order_code,line_no,sku,quantity,amount\nA1,1,P1,9,900000\nA2,1,P1,5,500000\n"},
        {"kpis.csv", "code,type,name_vi,name_en\nDS,SALES,Doanh số,Sales\n"},
        {"targets.csv", "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n"
                        "S1,DS,MONTH,2026-01-01,2026-12-31,1000000,1\n"
                        "S1,PC,MONTH,2026-01-01,2026-12-31,2,1\n"
                        "S2,DS,MONTH,2026-01-01,2026-12-31,1000000,1\n"
                        "M1,DS,QUARTER,2026-10-01,2026-12-31,1000000,1\n"},
        {"plans.csv", "code,name_vi,name_en,period_type,gate_kpi,gate_min,curve_mode\n"
                      "SR,Thưởng tháng NVBH,Salesperson bonus,MONTH,DS,0.8,\n"
                      "Q,Thưởng quý,Quarterly bonus,QUARTER,,,step\n"},
        {"plan_components.csv", "plan_code,kpi_code,weight,curve\n"
                                "SR,DS,3,0.8:0.5|1:1|1.2:1.5\n"
                                "SR,PC,1,0.5:0.5|1:1\n"
                                "Q,DS,1,0.9:0.5|1:1|1.2:1.5\n"},
        {"plan_assignments.csv", "employee_code,plan_code,valid_from,valid_to,incentive\n"
                                 "S1,SR,2026-01-01,2026-12-31,4000000\n"
                                 "S2,SR,2026-01-01,2026-12-31,3000000\n"
                                 "M1,Q,2026-01-01,2026-12-31,2000000\n"},
    };
}

// "S1 SR 2026-11-01 component DS 2250000": a row as one line.
std::string line(const PayoutRow& r) {
    std::string text = r.employeeCode + " " + r.planCode + " " + kpi::formatDay(r.period.first) + " " +
                       std::string(kpi::payoutKindName(r.kind));
    if (!r.kpiCode.empty()) text += " " + r.kpiCode;
    if (r.amount) text += " " + std::to_string(*r.amount);
    return text;
}

std::vector<std::string> lines(const std::vector<PayoutRow>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(line(r));
    return out;
}

class Rewards : public ::testing::Test {
protected:
    kpitest::TodayVariable today{"2027-01-05"};
    TestStore store{teamFiles()};

    std::vector<PayoutRow> payout(const std::string& p, const std::string& employee = "", bool live = false) {
        Engine engine(store.path());
        return engine.payout(PayoutQuery{period(p), employee, live});
    }
    kpi::CloseSummary close(const std::string& p) {
        return kpi::Store::open(store.path(), kpi::Store::Mode::ReadWrite)->closePeriod(period(p), "kế toán");
    }
    void lateReturnOf(long long amount, const std::string& code = "R1", const std::string& day = "2026-11-10") {
        store.import({{"orders.csv", "order_code,employee_code,outlet_code,order_time,type,status\n" + code +
                                         ",S1,O1," + day + " 09:00:00,return,approved\n"},
                      {"order_lines.csv", "order_code,line_no,sku,quantity,amount\n" + code + ",1,P1,1," +
                                              std::to_string(amount) + "\n"}});
    }
};

TEST_F(Rewards, PaysEachComponentItsShareOfTheProratedIncentiveTimesTheCurveFactor) {
    auto rows = payout("2026-11");
    EXPECT_EQ(lines(rows), (std::vector<std::string>{
                               "S1 SR 2026-11-01 component DS 2250000", "S1 SR 2026-11-01 component PC 500000",
                               "S1 SR 2026-11-01 gate DS", "S1 SR 2026-11-01 total 2750000",
                               "S2 SR 2026-11-16 component DS 1057500", "S2 SR 2026-11-16 component PC 0",
                               "S2 SR 2026-11-16 gate DS", "S2 SR 2026-11-16 total 1057500"}));
    const PayoutRow& s2 = rows[4];
    EXPECT_DOUBLE_EQ(*s2.attainment, 25.0 / 26.0);
    EXPECT_DOUBLE_EQ(*s2.factor, 47.0 / 52.0);
    EXPECT_DOUBLE_EQ(*s2.incentive, 1170000);
    EXPECT_DOUBLE_EQ(*s2.target, 520000);
    EXPECT_FALSE(rows[5].attainment);  // no PC target for S2
    EXPECT_EQ(*rows[5].factor, 0);
    EXPECT_EQ(*rows[2].factor, 1);  // the gate passed
    EXPECT_FALSE(rows[2].amount);
    EXPECT_EQ(rows[7].workingDays, 13);
    EXPECT_EQ(rows[7].fullWorkingDays, 25);
    EXPECT_DOUBLE_EQ(*rows[7].blockIncentive, 1560000);
}

TEST_F(Rewards, PaysNothingButShowsTheFactorsWhenTheGateFails) {
    lateReturnOf(200000);  // S1: 700,000 / 1,000,000 = 0.7 < 0.8
    auto rows = payout("2026-11", "S1");
    EXPECT_EQ(lines(rows), (std::vector<std::string>{"S1 SR 2026-11-01 component DS 0", "S1 SR 2026-11-01 component PC 0",
                                                     "S1 SR 2026-11-01 gate DS", "S1 SR 2026-11-01 total 0"}));
    EXPECT_EQ(*rows[1].factor, 0.5);  // the curve's value, though nothing is paid
    EXPECT_EQ(*rows[2].factor, 0);
}

TEST_F(Rewards, PaysAQuarterlyStepPlanTheLastFactorAboveTheLastPoint) {
    EXPECT_EQ(lines(payout("2026-Q4")),
              (std::vector<std::string>{"M1 Q 2026-10-01 component DS 3000000", "M1 Q 2026-10-01 total 3000000"}));
    EXPECT_THROW(payout("2026-W48"), kpi::Error);
}

TEST_F(Rewards, GivesKpiPayoutTheTotalOrOneKpisAmountAndNothingWithoutAPlan) {
    Engine engine(store.path());
    EXPECT_EQ(engine.payoutAmount("S1", period("2026-11")), 2750000);
    EXPECT_EQ(engine.payoutAmount("S1", period("2026-11"), "PC"), 500000);
    EXPECT_EQ(engine.payoutAmount("S1", period("2026-11"), "VISITS"), std::nullopt);
    EXPECT_EQ(engine.payoutAmount("M1", period("2026-11")), std::nullopt);  // M1's plan is quarterly
    EXPECT_EQ(engine.payoutAmount("S2", period("2026-10")), std::nullopt);  // before S2 joined
    EXPECT_THROW(engine.payoutAmount("NOBODY", period("2026-11")), kpi::Error);
    // "*" is everyone's payout, not M1's subtree (M1's own plan is quarterly).
    EXPECT_EQ(engine.payoutAmount("*", period("2026-11")), 2750000 + 1057500);
    EXPECT_EQ(engine.payoutAmount("*", period("2026-11"), "PC"), 500000);
    EXPECT_EQ(engine.payoutAmount("*", period("2026-Q4")), 3000000);
    EXPECT_EQ(engine.payoutAmount("*", period("2026-11"), "VISITS"), std::nullopt);
    EXPECT_THROW(engine.payoutAmount("S1", period("2026-11"), "NOKPI"), kpi::Error);
}

TEST_F(Rewards, GivesKpiFactorTheCurveValueOfAnAttainment) {
    Engine engine(store.path());
    EXPECT_DOUBLE_EQ(engine.factor("SR", "DS", 0.9), 0.75);
    EXPECT_DOUBLE_EQ(engine.factor("SR", "DS", 1.1), 1.25);
    EXPECT_DOUBLE_EQ(engine.factor("SR", "DS", 0.79), 0);
    EXPECT_DOUBLE_EQ(engine.factor("Q", "DS", 1.1), 1);  // step
    EXPECT_THROW(engine.factor("NOPLAN", "DS", 1), kpi::Error);
    EXPECT_THROW(engine.factor("Q", "PC", 1), kpi::Error);
    auto plans = engine.plans();
    ASSERT_EQ(plans.size(), 2u);
    EXPECT_EQ(plans[1].code, "SR");
    EXPECT_EQ(plans[1].components[0].curve, "0.8:0.5|1:1|1.2:1.5");
    EXPECT_EQ(*plans[1].gateMinimum, 0.8);
}

TEST_F(Rewards, KeepsAClosedPeriodsFiguresWhateverArrivesLaterAndPaysTheDifferenceWithTheNextClose) {
    auto summary = close("2026-11");
    EXPECT_EQ(summary.reportRows, 3);
    EXPECT_EQ(summary.payoutRows, 8);
    EXPECT_EQ(summary.total, 2750000 + 1057500);
    lateReturnOf(100000);  // S1: 0.8 → DS 1,500,000; the total becomes 2,000,000

    Engine engine(store.path());
    auto closed = engine.closedPeriod(period("2026-11"));
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->closedBy, "kế toán");
    EXPECT_EQ(engine.payoutAmount("S1", period("2026-11")), 2750000);
    EXPECT_EQ(engine.payoutAmount("S1", period("2026-11"), "", true), 2000000);
    EXPECT_EQ(engine.figures("S1", "DS", period("2026-11"), kpi::today()).actual, 900000);
    EXPECT_EQ(engine.figures("S1", "DS", period("2026-11"), kpi::today(), true).actual, 800000);
    EXPECT_EQ(engine.figures("S1", "SALES", period("2026-11"), kpi::today()).actual, 800000);  // never frozen
    auto report = engine.report(kpi::ReportQuery{period("2026-11"), std::nullopt, "S1", kpi::today()});
    ASSERT_EQ(report.size(), 2u);
    EXPECT_EQ(*report[0].attainment, 0.9);
    // Reports of another type still answer for a closed month inside them.
    auto months = engine.report(kpi::ReportQuery{period("2026-Q4"), kpi::PeriodType::Month, "S1", kpi::today()});
    EXPECT_EQ(months[1].actual, 900000);  // November's DS, frozen
    EXPECT_DOUBLE_EQ(*engine.score("S1", period("2026-11"), kpi::today()), (0.9 + 0.5) / 2);

    auto december = engine.payout(PayoutQuery{period("2026-12"), "S1"});
    EXPECT_EQ(lines(december), (std::vector<std::string>{
                                   "S1 SR 2026-12-01 component DS 0", "S1 SR 2026-12-01 component PC 0",
                                   "S1 SR 2026-12-01 gate DS", "S1 SR 2026-11-01 adjustment -750000",
                                   "S1 SR 2026-12-01 total -750000"}));
    EXPECT_EQ(close("2026-12").adjustmentAmount, -750000);

    // A second late change to November: only what was not settled yet.
    lateReturnOf(100000, "R2");  // 0.7: the gate fails, November's live total is 0
    Engine later(store.path());
    auto january = later.payout(PayoutQuery{period("2027-01"), "S1"});
    EXPECT_EQ(lines(january), (std::vector<std::string>{"S1 SR 2026-11-01 adjustment -2000000",
                                                        "S1 SR 2027-01-01 total -2000000"}));
}

TEST_F(Rewards, GivesOnePersonsPayoutAloneAsTheCompanysRowsDo) {
    close("2026-11");
    lateReturnOf(100000);  // December settles a November adjustment
    for (const char* month : {"2026-11", "2026-12"})
        for (bool live : {false, true}) {
            Engine alone(store.path());  // each person's rows computed for them alone
            Engine company(store.path());
            const auto rows = company.payout(PayoutQuery{period(month), "", live});  // the company's, cached
            for (const char* employee : {"S1", "S2", "M1"})
                for (const char* kpiCode : {"", "DS", "PC"}) {
                    std::optional<long long> expected;
                    for (const auto& r : rows)
                        if (r.employeeCode == employee &&
                            (*kpiCode ? r.kind == PayoutKind::Component && r.kpiCode == kpiCode
                                      : r.kind == PayoutKind::Total))
                            expected = expected.value_or(0) + r.amount.value_or(0);
                    EXPECT_EQ(alone.payoutAmount(employee, period(month), kpiCode, live), expected)
                        << month << " " << employee << " " << kpiCode << " live " << live;
                    EXPECT_EQ(company.payoutAmount(employee, period(month), kpiCode, live), expected);
                }
        }
    // A refresh drops one person's cached rows as it drops the company's.
    Engine engine(store.path());
    EXPECT_EQ(engine.payoutAmount("S1", period("2026-12")), -750000);
    lateReturnOf(100000, "R2");
    ASSERT_TRUE(engine.refresh());
    EXPECT_EQ(engine.payoutAmount("S1", period("2026-12")), -2750000);
}

TEST_F(Rewards, AnEngineOpenBeforeACloseSeesItAtItsNextRefresh) {
    Engine engine(store.path());
    EXPECT_FALSE(engine.closedPeriod(period("2026-11")));
    close("2026-11");
    lateReturnOf(100000);
    EXPECT_TRUE(engine.refresh());
    EXPECT_TRUE(engine.closedPeriod(period("2026-11")));
    EXPECT_EQ(engine.payoutAmount("S1", period("2026-11")), 2750000);
    EXPECT_EQ(engine.figures("S1", "DS", period("2026-11"), kpi::today()).actual, 900000);
    kpi::Store::open(store.path(), kpi::Store::Mode::ReadWrite)->reopenPeriod(period("2026-11"), "sai số liệu", "kế toán");
    EXPECT_TRUE(engine.refresh());
    EXPECT_FALSE(engine.closedPeriod(period("2026-11")));
    EXPECT_EQ(engine.payoutAmount("S1", period("2026-11")), 2000000);
}

TEST_F(Rewards, NeverPaysFromAWindowThatMissesAPeriodItRecomputes) {
    close("2026-11");
    auto closed = kpi::Store::open(store.path(), kpi::Store::Mode::ReadOnly)->closedPeriods();
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(kpi::formatPeriod(kpi::payoutWindow(closed, period("2026-12"))), "2026-11-01..2026-12-31");
    EXPECT_EQ(kpi::formatPeriod(kpi::payoutWindow(closed, period("2026-11"))),
              "2026-11-01..2026-11-30");  // frozen: its own days
    Engine december(store.path(), period("2026-12"));  // misses November, whose adjustment December settles
    EXPECT_THROW(december.payout(PayoutQuery{period("2026-12"), "S1"}), kpi::Error);
    EXPECT_THROW(december.payoutAmount("S1", period("2026-12")), kpi::Error);
    Engine window(store.path(), kpi::payoutWindow(closed, period("2026-12")));
    EXPECT_EQ(window.payoutAmount("S1", period("2026-12")), 0);
    Engine november(store.path(), period("2026-11"));
    EXPECT_EQ(november.payoutAmount("S1", period("2026-11")), 2750000);
    EXPECT_EQ(november.payoutAmount("S1", period("2026-11"), "", true), 2750000);
}

TEST_F(Rewards, RefusesToCloseAPeriodClosedNotEndedOrBeforeAClosedOneAndChangesNothing) {
    close("2026-11");
    const std::string before = store.dump();
    auto refused = [&](const std::string& p, const std::string& why) {
        try {
            close(p);
            ADD_FAILURE() << p << " was closed";
        } catch (const kpi::Error& e) {
            EXPECT_EQ(e.kind(), kpi::Error::Kind::InvalidArgument);
            EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
        }
        EXPECT_EQ(store.dump(), before) << p;
    };
    refused("2026-11", "2026-11 is closed already (by kế toán at ");
    refused("2026-10", "2026-10 lies before 2026-11, which is closed");
    refused("2027-01", "2027-01 has not ended: it ends on 2027-01-31 and today is 2027-01-05");
    refused("2026-W45", "only a pay period can be closed");
    refused("2026-11-01..2026-11-30", "only a pay period can be closed");
}

TEST_F(Rewards, ReopensOnlyThePeriodClosedLastAndKeepsEveryCloseAndReopenInTheHistory) {
    close("2026-11");
    close("2026-Q4");
    auto store2 = kpi::Store::open(store.path(), kpi::Store::Mode::ReadWrite);
    EXPECT_THROW(store2->reopenPeriod(period("2026-11"), "x", "kế toán"), kpi::Error);  // Q4 was closed after it
    EXPECT_THROW(store2->reopenPeriod(period("2026-Q4"), "  ", "kế toán"), kpi::Error);  // no reason
    EXPECT_THROW(store2->reopenPeriod(period("2026-12"), "x", "kế toán"), kpi::Error);   // not closed
    store2->reopenPeriod(period("2026-Q4"), "thiếu đơn trả hàng", "chị Hương");
    store2->reopenPeriod(period("2026-11"), "sai chỉ tiêu", "chị Hương");
    EXPECT_EQ(store.query("SELECT count(*) FROM closes"), std::vector<std::string>{"0"});
    EXPECT_EQ(store.query("SELECT count(*) FROM frozen_report_rows"), std::vector<std::string>{"0"});
    EXPECT_EQ(store.query("SELECT count(*) FROM frozen_payout_rows"), std::vector<std::string>{"0"});
    auto history = store2->closeHistory();
    ASSERT_EQ(history.size(), 4u);
    EXPECT_EQ(history[0].action, "close");
    EXPECT_EQ(history[0].who, "kế toán");
    EXPECT_EQ(kpi::formatPeriod(history[1].period), "2026-Q4");
    EXPECT_EQ(history[2].action, "reopen");
    EXPECT_EQ(history[2].reason, "thiếu đơn trả hàng");
    EXPECT_EQ(history[3].who, "chị Hương");
}

TEST_F(Rewards, ShowsTheAdjustmentsClosingAnOpenPeriodWouldSettleToAnEmployeeNoLongerOnThePlan) {
    close("2026-11");
    lateReturnOf(100000);
    store.import({{"plan_assignments.csv", "employee_code,plan_code,valid_from,valid_to,incentive\n"
                                           "S1,SR,2026-01-01,2026-11-30,4000000\n"}});
    auto rows = payout("2026-12", "S1");
    ASSERT_EQ(lines(rows), (std::vector<std::string>{"S1 SR 2026-11-01 adjustment -750000",
                                                     "S1 SR 2026-12-01 total -750000"}));
    EXPECT_EQ(kpi::formatDay(rows[1].period.last), "2026-12-31");
}

TEST_F(Rewards, ExplainsEveryFigureOfAStatement) {
    close("2026-11");
    Engine engine(store.path());
    auto s = engine.statement("S1", period("2026-11"));
    EXPECT_EQ(s.employeeName, "Nguyễn Thị Lan");
    ASSERT_TRUE(s.closed);
    EXPECT_EQ(s.total, 2750000);
    ASSERT_EQ(s.plans.size(), 1u);
    const auto& plan = s.plans[0];
    EXPECT_EQ(plan.nameVi, "Thưởng tháng NVBH");
    EXPECT_EQ(plan.curveMode, "linear");
    ASSERT_EQ(plan.lines.size(), 4u);
    EXPECT_EQ(plan.lines[0].kpiNameVi, "Doanh số");
    EXPECT_EQ(plan.lines[0].detailFormula, "KPI.DETAIL(\"S1\"; \"DS\"; \"2026-11\")");
    EXPECT_EQ(plan.lines[0].reportCommand, "kpi report --period 2026-11 --employee S1");
    EXPECT_EQ(plan.lines[1].kpiNameEn, "Productive calls");  // a bare type: its own names
    EXPECT_EQ(*plan.lines[0].row.actual, 900000);
    EXPECT_EQ(*plan.lines[0].row.weight, 3);
    EXPECT_EQ(*plan.lines[2].row.gateMinimum, 0.8);
    auto none = engine.statement("M1", period("2026-11"));
    EXPECT_TRUE(none.plans.empty());
    EXPECT_EQ(none.total, 0);
    EXPECT_THROW(engine.statement("*", period("2026-11")), kpi::Error);
}

// A code with a quote cannot end the formula's string literal and add a
// formula of its own: kpi statement's CSV keeps this formula as it is (it is
// meant to run in Calc), so its literals must hold whatever a code holds.
TEST(StatementDetail, QuotesCodesAsCalcStringLiterals) {
    EXPECT_EQ(kpi::rewards::detailFormula("S1", "DS", period("2026-11")), "KPI.DETAIL(\"S1\"; \"DS\"; \"2026-11\")");
    EXPECT_EQ(kpi::rewards::detailFormula("S1\"); WEBSERVICE(\"x", "DS", period("2026-11")),
              "KPI.DETAIL(\"S1\"\"); WEBSERVICE(\"\"x\"; \"DS\"; \"2026-11\")");
}

}  // namespace
