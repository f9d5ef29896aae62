// Target health (kpi/target_health.hpp) on planned data with planted gaming:
// month-end bunching, returns right after the month, outlets that ordered once,
// visits without orders bunched on one day, an order approved then cancelled.
// Each flag must name exactly the planted records, and steady people none.
//
// The period is October 2026: 27 working days (Sundays 4, 11, 18, 25), its
// last three Thursday 29 to Saturday 31; the five working days after it are
// Monday 2 to Friday 6 November (the days after it: 1 to 6 November). Data
// run to 20 November.

#include "kpi/target_health.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "kpi/engine.hpp"
#include "kpi/error.hpp"
#include "targets_data.hpp"

namespace {

using kpi::Day;
using kpi::Engine;
using kpi::HealthFlag;
using kpi::HealthFlagKind;
using kpitest::PlannedCompany;
using kpitest::TestStore;

Day D(const char* text) { return *kpi::parseDay(text); }
kpi::Period P(const char* text) { return *kpi::parsePeriod(text); }
using Codes = std::set<std::string>;

PlannedCompany steadyTeam() {
    PlannedCompany c;
    c.first = D("2026-01-01");
    c.last = D("2026-11-20");
    for (const char* code : {"S1", "S2", "S3", "S4"})
        c.people.push_back({code, "SR", "SS1", 0, [](Day) { return 1'000'000.0; }});
    return c;
}

void addOrder(PlannedCompany& c, const std::string& code, const std::string& employee, const std::string& outlet,
              const std::string& time, const std::string& type, const std::string& status,
              const std::string& approved, const std::string& amount) {
    c.extraOrders += code + "," + employee + "," + outlet + "," + time + "," + type + "," + status + "," + approved + "\n";
    c.extraLines += code + ",1,P1,1," + amount + "\n";
}

// Everything planted at once, each on its own salesperson.
PlannedCompany plantedTeam() {
    PlannedCompany c = steadyTeam();
    // S1 books three big orders in October's last three working days.
    addOrder(c, "B1", "S1", "S1-O1", "2026-10-29 16:00:00", "sale", "approved", "2026-10-29 17:00:00", "20000000");
    addOrder(c, "B2", "S1", "S1-O2", "2026-10-30 16:00:00", "sale", "approved", "2026-10-30 17:00:00", "20000000");
    addOrder(c, "B3", "S1", "S1-O3", "2026-10-31 16:00:00", "sale", "approved", "2026-10-31 17:00:00", "20000000");
    // S2's outlets send goods back right after October; a return later, or
    // from an outlet S2 did not sell to in October, is not part of it.
    addOrder(c, "R1", "S2", "S2-O3", "2026-11-02 15:00:00", "return", "approved", "2026-11-02 16:00:00", "5000000");
    addOrder(c, "R3", "S2", "S2-O4", "2026-11-06 15:00:00", "return", "approved", "2026-11-06 16:00:00", "100000");
    addOrder(c, "R2", "S2", "S2-O5", "2026-11-10 15:00:00", "return", "approved", "2026-11-10 16:00:00", "5000000");
    c.extraOutlets += "X1,Cửa hàng lạ,GT,Bình Dương,2019-01-01,\n";
    addOrder(c, "R4", "S2", "X1", "2026-11-03 15:00:00", "return", "approved", "2026-11-03 16:00:00", "5000000");
    // S3 opens four outlets; three order once and never again.
    for (int i = 1; i <= 4; ++i) {
        const std::string code = "N" + std::to_string(i);
        const std::string day = "2026-10-0" + std::to_string(4 + i);
        c.extraOutlets += code + ",Tạp hóa mới " + std::to_string(i) + ",GT,TP. Hồ Chí Minh," + day + ",S3\n";
        c.extraRoutes += "S3," + code + "," + day + ",\n";
        addOrder(c, "F" + std::to_string(i), "S3", code, day + " 11:00:00", "sale", "approved", day + " 12:00:00",
                 "500000");
    }
    addOrder(c, "F4b", "S3", "N4", "2026-10-20 11:00:00", "sale", "approved", "2026-10-20 12:00:00", "500000");
    // S3 also had an order approved, then cancelled.
    addOrder(c, "C1", "S3", "S3-O1", "2026-10-15 11:00:00", "sale", "cancelled", "2026-10-15 12:00:00", "3000000");
    // S4 checks in at 25 outlets without an order on 14 October (the day's
    // order is at S4-O<day % 10>), and at 5 on 21 October.
    const Day fourteenth = D("2026-10-14");
    for (int i = 0; i < 25; ++i) {
        std::string outlet = "S4-O" + std::to_string((fourteenth % 10 + 1 + i % 9) % 10);
        char time[16];
        std::snprintf(time, sizeof time, "%02d:%02d:00", 13 + i / 12, (i % 12) * 5);
        c.extraVisits += "VB" + std::to_string(i) + ",S4," + outlet + ",2026-10-14 " + time + "\n";
    }
    const Day twentyFirst = D("2026-10-21");
    for (int i = 0; i < 5; ++i)
        c.extraVisits += "VS" + std::to_string(i) + ",S4,S4-O" + std::to_string((twentyFirst % 10 + 1 + i) % 10) +
                         ",2026-10-21 14:0" + std::to_string(i) + ":00\n";
    return c;
}

kpi::TargetHealth health(Engine& engine, const char* period = "2026-10", const char* asOf = "2026-11-20",
                         std::string employee = {}) {
    return kpi::targetHealth(engine, kpi::TargetHealthQuery{P(period), std::move(employee), D(asOf)});
}

std::vector<HealthFlag> flagsOf(const kpi::TargetHealth& h, HealthFlagKind kind) {
    std::vector<HealthFlag> out;
    for (const auto& f : h.flags)
        if (f.kind == kind) out.push_back(f);
    return out;
}

Codes codes(const std::vector<std::string>& list) { return Codes(list.begin(), list.end()); }

bool gaming(HealthFlagKind kind) { return kind != HealthFlagKind::OutOfReach && kind != HealthFlagKind::GivenAway; }

struct Planted {
    TestStore store{plantedTeam().files()};
    Engine engine{store.path()};
    kpi::TargetHealth result = health(engine);
};

Planted& planted() {
    static Planted p;
    return p;
}

TEST(TargetHealth, MonthEndBunchingNamesExactlyTheBigLastDayOrders) {
    auto flags = flagsOf(planted().result, HealthFlagKind::LastDaysBunching);
    ASSERT_EQ(flags.size(), 1u);
    const HealthFlag& f = flags.front();
    EXPECT_EQ(f.employeeCode, "S1");
    EXPECT_EQ(f.kpiCode, "DS");
    EXPECT_EQ(f.days.first, D("2026-10-29"));
    EXPECT_EQ(f.days.last, D("2026-10-31"));
    EXPECT_EQ(codes(f.orders), (Codes{"B1", "B2", "B3"}));
    EXPECT_NEAR(f.value, 63.0 / 87.0, 1e-9);  // 3 + 60 of 27 + 60 millions
    ASSERT_TRUE(f.usual);
    EXPECT_NEAR(*f.usual, 3.0 / 26, 0.01);    // three of 25–27 working days
    EXPECT_NE(kpi::explainHealthFlag(f, "en").find("72% of the sales in the last days 2026-10-29..2026-10-31"),
              std::string::npos)
        << kpi::explainHealthFlag(f, "en");
    EXPECT_NE(kpi::explainHealthFlag(f, "vi").find("72% doanh số dồn vào những ngày cuối"), std::string::npos);
}

TEST(TargetHealth, ReturnsRightAfterThePeriodNameOnlyThoseAtOutletsSoldToInIt) {
    auto flags = flagsOf(planted().result, HealthFlagKind::ReturnsAfterPeriod);
    ASSERT_EQ(flags.size(), 1u);
    const HealthFlag& f = flags.front();
    EXPECT_EQ(f.employeeCode, "S2");
    EXPECT_EQ(codes(f.orders), (Codes{"R1", "R3"}));  // not R2 (10 November) nor R4 (an outlet not sold to)
    EXPECT_EQ(f.days.first, D("2026-11-01"));  // from the day after October, a Sunday
    EXPECT_EQ(f.days.last, D("2026-11-06"));
    EXPECT_DOUBLE_EQ(f.value, 5'100'000);
}

TEST(TargetHealth, OutletsThatOrderedOnceAndNeverAgainAreNamedWithTheirOrder) {
    auto flags = flagsOf(planted().result, HealthFlagKind::OneOrderOutlets);
    ASSERT_EQ(flags.size(), 1u);
    const HealthFlag& f = flags.front();
    EXPECT_EQ(f.employeeCode, "S3");
    EXPECT_EQ(f.kpiCode, "NEW");
    EXPECT_EQ(f.outlets, (std::vector<std::string>{"N1", "N2", "N3"}));
    EXPECT_EQ(f.orders, (std::vector<std::string>{"F1", "F2", "F3"}));
    EXPECT_EQ(f.value, 3);
    EXPECT_EQ(f.usual, 4);  // of the four new outlets with an order
    ASSERT_TRUE(f.attainmentWithout);
    EXPECT_DOUBLE_EQ(*f.attainmentWithout, 1.0);  // target 1: 4 new outlets, 1 without them
}

TEST(TargetHealth, VisitsWithoutOrdersBunchedOnOneDayAreNamed) {
    auto flags = flagsOf(planted().result, HealthFlagKind::VisitsBunched);
    ASSERT_EQ(flags.size(), 1u);  // not the 5 of 21 October
    const HealthFlag& f = flags.front();
    EXPECT_EQ(f.employeeCode, "S4");
    EXPECT_EQ(f.kpiCode, "VIS");
    EXPECT_EQ(f.days, (kpi::Period{kpi::PeriodType::Day, D("2026-10-14"), D("2026-10-14")}));
    Codes expected;
    for (int i = 0; i < 25; ++i) expected.insert("VB" + std::to_string(i));
    EXPECT_EQ(codes(f.visits), expected);
    EXPECT_EQ(f.value, 25);
}

TEST(TargetHealth, AnOrderApprovedThenCancelledIsNamed) {
    auto flags = flagsOf(planted().result, HealthFlagKind::CancelledAfterApproval);
    ASSERT_EQ(flags.size(), 1u);
    EXPECT_EQ(flags.front().employeeCode, "S3");
    EXPECT_EQ(flags.front().orders, (std::vector<std::string>{"C1"}));
    EXPECT_DOUBLE_EQ(flags.front().value, 3'000'000);
}

TEST(TargetHealth, EachPlantedSignIsTheOnlyOneOfItsPerson) {
    std::set<std::pair<std::string, HealthFlagKind>> seen;
    for (const auto& f : planted().result.flags)
        if (gaming(f.kind)) seen.insert({f.employeeCode, f.kind});
    EXPECT_EQ(seen, (std::set<std::pair<std::string, HealthFlagKind>>{
                        {"S1", HealthFlagKind::LastDaysBunching},
                        {"S2", HealthFlagKind::ReturnsAfterPeriod},
                        {"S3", HealthFlagKind::CancelledAfterApproval},
                        {"S3", HealthFlagKind::OneOrderOutlets},
                        {"S4", HealthFlagKind::VisitsBunched},
                    }));
}

TEST(TargetHealth, SteadyPeopleRaiseNoSignOfGaming) {
    TestStore store(steadyTeam().files());
    Engine engine(store.path());
    for (const auto& f : health(engine).flags) EXPECT_FALSE(gaming(f.kind)) << kpi::healthFlagName(f.kind);
}

TEST(TargetHealth, AScopeKeepsItsTeamsFlagsOnly) {
    PlannedCompany c = plantedTeam();
    c.people[1].manager = "SS2";  // S2 moves to another team
    TestStore store(c.files());
    Engine engine(store.path());
    for (const auto& f : health(engine, "2026-10", "2026-11-20", "SS2").flags) EXPECT_EQ(f.employeeCode, "S2");
    EXPECT_EQ(flagsOf(health(engine, "2026-10", "2026-11-20", "SS2"), HealthFlagKind::ReturnsAfterPeriod).size(), 1u);
    EXPECT_THROW(health(engine, "2026-10", "2026-11-20", "NOBODY"), kpi::Error);
}

TEST(TargetHealth, NeverAgainNeedsTwoWeeksOfDataAfterTheOneOrder) {
    // Asked on 15 October, the outlets opened on 5–7 October have had
    // eight to ten days to order again: too soon to say.
    PlannedCompany c = plantedTeam();
    c.last = D("2026-10-15");
    TestStore store(c.files());
    Engine engine(store.path());
    EXPECT_TRUE(flagsOf(health(engine, "2026-10", "2026-10-15"), HealthFlagKind::OneOrderOutlets).empty());
}

TEST(TargetHealth, TheSpreadCountsAttainmentBandsAndTheTargetsHistoryDidNotSupport) {
    PlannedCompany c = steadyTeam();
    // October: 27,000,000 each. With a history that never moved, the method is
    // certain: a target at or below it is given away, one above out of reach.
    c.target = [](const std::string& person, const std::string& kpi) {
        if (kpi != "DS") return 1.0;
        return person == "S1" ? 27'000'000.0 : person == "S2" ? 40'000'000.0 : person == "S3" ? 20'000'000.0 : 30'000'000.0;
    };
    TestStore store(c.files());
    Engine engine(store.path());
    auto h = health(engine);
    auto ds = std::find_if(h.spread.begin(), h.spread.end(), [](const auto& s) { return s.kpiCode == "DS"; });
    ASSERT_NE(ds, h.spread.end());
    EXPECT_EQ(ds->targets, 4);
    EXPECT_EQ(ds->under80, 1);      // S2: 67.5 %
    EXPECT_EQ(ds->from80To120, 2);  // S1: 100 %, S4: 90 %
    EXPECT_EQ(ds->over120, 1);      // S3: 135 %
    EXPECT_EQ(ds->outOfReach, 2);   // S2, S4
    EXPECT_EQ(ds->givenAway, 2);    // S1, S3
    std::set<std::string> outOfReach;
    for (const auto& f : flagsOf(h, HealthFlagKind::OutOfReach))
        if (f.kpiCode == "DS") outOfReach.insert(f.employeeCode);
    EXPECT_EQ(outOfReach, (std::set<std::string>{"S2", "S4"}));
}

TEST(TargetHealth, TheWindowCoversTheHistoryThePeriodAndTheDaysAfter) {
    kpi::Period w = kpi::healthWindow(P("2026-10"), D("2026-11-20"));
    EXPECT_LE(w.first, D("2025-01-01"));  // the recommendation's history and the usual shares
    EXPECT_EQ(w.last, D("2026-11-20"));
    // Twice the period's length after it at most: 62 days after 31 October.
    EXPECT_EQ(kpi::healthWindow(P("2026-10"), D("2027-06-01")).last, D("2027-01-01"));
}

}  // namespace
