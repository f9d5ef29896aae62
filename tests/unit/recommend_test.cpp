// Recommended targets and team splits (kpi/recommend.hpp) on planned data:
// every order is chosen by the test, so each figure is worked out by hand.
//
// The calendar: November 2026 has 25 working days (Sundays 1, 8, 15, 22, 29);
// with the holiday of Friday 20 November, 24.

#include "kpi/recommend.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "kpi/engine.hpp"
#include "kpi/error.hpp"
#include "targets_data.hpp"

namespace {

using kpi::Day;
using kpi::Engine;
using kpi::Recommendation;
using kpitest::PlannedCompany;
using kpitest::PlannedPerson;
using kpitest::TestStore;

Day D(const char* text) { return *kpi::parseDay(text); }
kpi::Period P(const char* text) { return *kpi::parsePeriod(text); }

// A steady team: four salespeople under SS1 selling 1,000,000 a working day
// from December 2024 to October 2026.
PlannedCompany steadyTeam() {
    PlannedCompany c;
    c.first = D("2024-12-01");
    c.last = D("2026-10-31");
    for (const char* code : {"S1", "S2", "S3", "S4"})
        c.people.push_back({code, "SR", "SS1", 0, [](Day) { return 1'000'000.0; }});
    return c;
}

// A factor in [0.8, 1.2] for a person and month that looks random but is fixed.
double wobble(int person, Day day) {
    unsigned month = static_cast<unsigned>(kpi::yearOf(day) * 12 + static_cast<int>(kpi::monthOf(day)));
    unsigned h = (month * 2654435761u) ^ (static_cast<unsigned>(person) * 40503u + 17u);
    h ^= h >> 13;
    h *= 0x5bd1e995u;
    h ^= h >> 15;
    return 0.8 + 0.4 * static_cast<double>(h % 1000) / 999.0;
}

// Eight salespeople whose month-to-month sales wobble by up to ±20 %.
PlannedCompany wobblyTeam() {
    PlannedCompany c;
    c.first = D("2024-12-01");
    c.last = D("2026-10-31");
    for (int i = 0; i < 8; ++i) {
        const double base = 1'000'000.0 * (1 + i * 0.25);
        c.people.push_back({"W" + std::to_string(i + 1), "SR", "SS1", 0,
                            [i, base](Day d) { return base * wobble(i, d); }});
    }
    return c;
}

// A copy: the rows are often a temporary.
Recommendation find(const std::vector<Recommendation>& rows, const std::string& employee, const std::string& kpi) {
    for (const auto& r : rows)
        if (r.employeeCode == employee && r.kpiCode == kpi) return r;
    ADD_FAILURE() << "no recommendation for " << employee << " " << kpi;
    return {};
}

std::vector<Recommendation> recommend(Engine& engine, const char* period, const char* asOf,
                                      std::vector<std::string> kpis = {}, std::string employee = {}) {
    kpi::RecommendQuery q;
    q.period = P(period);
    q.asOf = D(asOf);
    q.kpiCodes = std::move(kpis);
    q.employeeCode = std::move(employee);
    return kpi::recommendTargets(engine, q);
}

TEST(Recommend, AFlatHistoryGivesTheRateTimesTheWorkingDaysOfThePeriod) {
    TestStore store(steadyTeam().files());
    Engine engine(store.path());
    auto rows = recommend(engine, "2026-11", "2026-11-01", {"DS"});
    const Recommendation r = find(rows, "S1", "DS");
    ASSERT_TRUE(r.target);
    EXPECT_EQ(*r.target, 25'000'000);  // 1,000,000 × 25 working days
    EXPECT_EQ(*r.effectiveTarget, 25'000'000);
    EXPECT_DOUBLE_EQ(r.p50, 25'000'000);
    EXPECT_EQ(r.basis.source, kpi::LevelSource::Own);
    EXPECT_EQ(r.basis.periodsUsed, 3);
    EXPECT_EQ(r.basis.levelFirst, P("2026-08"));
    EXPECT_EQ(r.basis.levelLast, P("2026-10"));
    ASSERT_TRUE(r.basis.season);
    EXPECT_DOUBLE_EQ(*r.basis.season, 1.0);
    EXPECT_EQ(r.lastPeriod, P("2026-10"));
    EXPECT_DOUBLE_EQ(*r.lastActual, 27'000'000);  // October 2026: 27 working days
}

TEST(Recommend, AHolidayInThePeriodLowersThePerDayKpisByOneDay) {
    PlannedCompany c = steadyTeam();
    c.holidays = {"2026-11-20"};
    TestStore store(c.files());
    Engine engine(store.path());
    const Recommendation r = find(recommend(engine, "2026-11", "2026-11-01", {"DS", "PC"}), "S2", "DS");
    EXPECT_EQ(*r.target, 24'000'000);
    EXPECT_EQ(r.basis.workingDays, 24);
    EXPECT_NE(kpi::explainRecommendation(r, "en").find("× 24 working days"), std::string::npos)
        << kpi::explainRecommendation(r, "en");
    const Recommendation pc = find(recommend(engine, "2026-11", "2026-11-01", {"PC"}), "S2", "PC");
    EXPECT_EQ(*pc.target, 24);  // one productive call a working day
}

TEST(Recommend, TheSeasonIsTheCompanysSamePeriodAYearBeforeAgainstTheMonthsBeforeIt) {
    PlannedCompany c = steadyTeam();
    // November 2025 sold twice as much as August–October 2025, for everyone.
    for (auto& p : c.people)
        p.amount = [](Day d) { return kpi::yearOf(d) == 2025 && kpi::monthOf(d) == 11 ? 2'000'000.0 : 1'000'000.0; };
    TestStore store(c.files());
    Engine engine(store.path());
    const Recommendation r = find(recommend(engine, "2026-11", "2026-11-01", {"DS"}), "S3", "DS");
    ASSERT_TRUE(r.basis.season);
    EXPECT_DOUBLE_EQ(*r.basis.season, 2.0);
    EXPECT_EQ(r.basis.seasonPeriod, P("2025-11"));
    EXPECT_EQ(*r.target, 50'000'000);
    EXPECT_NE(kpi::explainRecommendation(r, "en").find("season +100% (2025-11 against 2025-08..2025-10, company)"),
              std::string::npos)
        << kpi::explainRecommendation(r, "en");
    EXPECT_NE(kpi::explainRecommendation(r, "vi").find("mùa vụ +100% (2025-11 so với 2025-08..2025-10, toàn công ty)"),
              std::string::npos)
        << kpi::explainRecommendation(r, "vi");
}

TEST(Recommend, WithoutAYearOfDataThereIsNoSeason) {
    PlannedCompany c = steadyTeam();
    c.first = D("2026-01-01");
    TestStore store(c.files());
    Engine engine(store.path());
    const Recommendation r = find(recommend(engine, "2026-11", "2026-11-01", {"DS"}), "S1", "DS");
    EXPECT_FALSE(r.basis.season);
    EXPECT_EQ(*r.target, 25'000'000);
}

TEST(Recommend, OutletKpisFollowTheRouteUniverseNow) {
    PlannedCompany c = steadyTeam();
    // S1 takes five more outlets from 1 November.
    for (int i = 0; i < 5; ++i) {
        c.extraOutlets += "NEW" + std::to_string(i) + ",Cửa hàng mới " + std::to_string(i) + ",GT,TP. Hồ Chí Minh,2026-10-01,\n";
        c.extraRoutes += "S1,NEW" + std::to_string(i) + ",2026-11-01,\n";
    }
    TestStore store(c.files());
    Engine engine(store.path());
    auto rows = recommend(engine, "2026-11", "2026-11-01", {"ASO", "COV"});
    const Recommendation aso = find(rows, "S1", "ASO");
    EXPECT_EQ(aso.basis.unit, kpi::LevelUnit::PerOutlet);
    EXPECT_EQ(aso.basis.universeNow, 15);
    EXPECT_EQ(aso.basis.universeThen, 10);
    EXPECT_EQ(*aso.target, 15);  // every outlet on route ordered each month
    EXPECT_EQ(*find(rows, "S2", "ASO").target, 10);
    EXPECT_DOUBLE_EQ(*find(rows, "S1", "COV").target, 1.0);
    // The routes as they stand for the period's first day: planned from 1
    // November, they count for November asked on 25 October too; for
    // October they do not.
    EXPECT_EQ(*find(recommend(engine, "2026-11", "2026-10-25", {"ASO"}), "S1", "ASO").target, 15);
    EXPECT_EQ(*find(recommend(engine, "2026-10", "2026-10-01", {"ASO"}), "S1", "ASO").target, 10);
}

TEST(Recommend, OnlyPeriodsEndedBeforeTheAsOfDateAreHistory) {
    PlannedCompany c = steadyTeam();
    // October 2026 sold double: known on 1 November, not on 20 October.
    for (auto& p : c.people)
        p.amount = [](Day d) { return d >= D("2026-10-01") ? 2'000'000.0 : 1'000'000.0; };
    TestStore store(c.files());
    Engine engine(store.path());
    const Recommendation before = find(recommend(engine, "2026-11", "2026-10-20", {"DS"}), "S1", "DS");
    EXPECT_EQ(before.basis.levelLast, P("2026-09"));
    EXPECT_EQ(*before.target, 25'000'000);
    const Recommendation after = find(recommend(engine, "2026-11", "2026-11-01", {"DS"}), "S1", "DS");
    EXPECT_EQ(after.basis.levelLast, P("2026-10"));
    EXPECT_NEAR(*after.target, 25'000'000.0 * 4 / 3, 100'000);  // (1 + 1 + 2) / 3 a day
}

TEST(Recommend, AJoinerStartsFromThePeersMedianTimesTheRampOfPeersFirstMonths) {
    PlannedCompany c = steadyTeam();
    // Two who joined inside the data, at half speed their first month and
    // three quarters their second; a newcomer starting in November.
    auto ramped = [](Day start) {
        return [start](Day d) {
            long months = (kpi::yearOf(d) * 12L + kpi::monthOf(d)) - (kpi::yearOf(start) * 12L + kpi::monthOf(start));
            return months == 0 ? 500'000.0 : months == 1 ? 750'000.0 : 1'000'000.0;
        };
    };
    c.people.push_back({"J4", "SR", "SS1", D("2025-01-01"), ramped(D("2025-01-01"))});
    c.people.push_back({"J2", "SR", "SS1", D("2026-01-01"), ramped(D("2026-01-01"))});
    c.people.push_back({"J3", "SR", "SS1", D("2026-03-01"), ramped(D("2026-03-01"))});
    c.people.push_back({"J1", "SR", "SS1", D("2026-11-01"), [](Day) { return 0.0; }});
    TestStore store(c.files());
    Engine engine(store.path());
    const Recommendation r = find(recommend(engine, "2026-11", "2026-11-01", {"DS"}), "J1", "DS");
    EXPECT_EQ(r.basis.source, kpi::LevelSource::Peers);
    ASSERT_TRUE(r.basis.ramp);
    EXPECT_DOUBLE_EQ(*r.basis.ramp, 0.5);
    EXPECT_EQ(r.basis.tenure, 1);
    EXPECT_EQ(*r.target, 12'500'000);  // the peers' 1,000,000 a day × 0.5 × 25
    // J3's own first months (March to May: 500,000, 750,000, 1,000,000 a
    // day) are read at their settled equivalent: 1,000,000 × 26 in June.
    const Recommendation j3 = find(recommend(engine, "2026-06", "2026-06-01", {"DS"}), "J3", "DS");
    EXPECT_EQ(j3.basis.source, kpi::LevelSource::Own);
    EXPECT_DOUBLE_EQ(j3.basis.levelRate, 1'000'000);
    EXPECT_DOUBLE_EQ(j3.p50, 26'000'000) << kpi::explainRecommendation(j3, "en");
}

TEST(Recommend, TheTargetSitsAtTheChanceAskedForWithinTheSpread) {
    TestStore store(wobblyTeam().files());
    Engine engine(store.path());
    for (double reach : {0.5, 0.65, 0.8}) {
        kpi::RecommendQuery q{P("2026-11"), "", {"DS"}, D("2026-11-01"), reach};
        for (const Recommendation& r : kpi::recommendTargets(engine, q)) {
            ASSERT_TRUE(r.probability) << r.employeeCode;
            EXPECT_LT(r.p10, r.p50);
            EXPECT_LT(r.p50, r.p90);
            EXPECT_GT(r.basis.errorSamples, 20);
            // Rounded to three significant digits, the chance stays near the one asked.
            EXPECT_NEAR(*r.probability, reach, 0.05) << r.employeeCode << " " << reach;
            if (reach > 0.5) {
                EXPECT_LT(*r.effectiveTarget, r.p50) << r.employeeCode;
            }
        }
    }
}

TEST(Recommend, WithoutKpisEachEmployeeGetsTheKpisTheyHadTargetsForInTheirSubtree) {
    PlannedCompany c = steadyTeam();
    c.people.push_back({"T1", "SR", "SS2", 0, [](Day) { return 1'000'000.0; }});
    TestStore store(c.files());
    Engine engine(store.path());
    auto rows = recommend(engine, "2026-11", "2026-11-01", {}, "SS1");
    std::set<std::string> people, kpis;
    for (const auto& r : rows) {
        people.insert(r.employeeCode);
        kpis.insert(r.kpiCode);
    }
    EXPECT_EQ(people, (std::set<std::string>{"S1", "S2", "S3", "S4"}));  // SS1 has no targets; T1 is not below SS1
    EXPECT_EQ(kpis, (std::set<std::string>{"ASO", "COV", "DS", "NEW", "PC", "VIS"}));
    // A KPI asked for by name goes to everyone of the scope whose role it applies to.
    auto aso = recommend(engine, "2026-11", "2026-11-01", {"ASO"}, "SS1");
    EXPECT_EQ(aso.size(), 5u);  // SS1 too (ASO applies to SR|SS)
    EXPECT_TRUE(recommend(engine, "2026-11", "2026-11-01", {"NEW"}, "SS1").size() == 4u);  // NEW is for SR only
}

TEST(Recommend, RefusesPeriodsItCannotRecommendFor) {
    TestStore store(steadyTeam().files());
    Engine engine(store.path());
    try {
        recommend(engine, "2026-11-01..2026-11-15", "2026-11-01");
        FAIL() << "a cycle was accepted";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("WEEK, MONTH, QUARTER or YEAR"), std::string::npos) << e.what();
    }
    EXPECT_THROW(recommend(engine, "2026-11", "2026-11-01", {"NOPE"}), kpi::Error);
    EXPECT_THROW(recommend(engine, "2026-11", "2026-11-01", {}, "NOBODY"), kpi::Error);
    kpi::RecommendQuery q{P("2026-11"), "", {}, D("2026-11-01"), 1.5};
    EXPECT_THROW(kpi::recommendTargets(engine, q), kpi::Error);
}

TEST(Recommend, AStoreWithoutHistoryGivesRowsThatSayWhy) {
    PlannedCompany c = steadyTeam();
    c.first = D("2026-10-01");
    c.last = D("2026-10-31");
    TestStore store(c.files());
    Engine engine(store.path());
    const Recommendation r = find(recommend(engine, "2026-10", "2026-10-01", {"DS"}), "S1", "DS");
    EXPECT_FALSE(r.target);
    EXPECT_EQ(r.basis.source, kpi::LevelSource::None);
    EXPECT_NE(r.basis.problem.find("no complete MONTH of history before 2026-10"), std::string::npos)
        << r.basis.problem;
    EXPECT_EQ(kpi::explainRecommendation(r, "en"), r.basis.problem);
}

// ---- team split -----------------------------------------------------------

std::vector<Recommendation> split(Engine& engine, const std::string& total, const std::string& kpi = "DS",
                                  const std::string& manager = "SS1") {
    kpi::AllocationQuery q;
    q.period = P("2026-11");
    q.managerCode = manager;
    q.kpiCode = kpi;
    q.total = total;
    q.asOf = D("2026-11-01");
    return kpi::allocateTeamTarget(engine, q);
}

TEST(TeamSplit, PartsAddUpExactlyToTheTotal) {
    TestStore store(wobblyTeam().files());
    Engine engine(store.path());
    for (const std::string total : {"400000001", "400000000", "987654321.5", "400001234.0005"}) {
        auto parts = split(engine, total);
        ASSERT_EQ(parts.size(), 8u);
        // Summed in ten-thousandths, exactly.
        long long sum = 0;
        for (const auto& r : parts) sum += std::llround(*r.effectiveTarget * 10'000);
        long long wanted = std::llround(std::stod(total) * 10'000);
        EXPECT_EQ(sum, wanted) << total;
        double shares = 0;
        for (const auto& r : parts) shares += *r.share;
        EXPECT_NEAR(shares, 1.0, 1e-12);
    }
}

TEST(TeamSplit, PartsFollowTheExpectedActualsAndAreRoundToTheTotalsUnit) {
    TestStore store(wobblyTeam().files());
    Engine engine(store.path());
    auto parts = split(engine, "400000000");
    double p50s = 0;
    for (const auto& r : parts) p50s += r.p50;
    for (const auto& r : parts) {
        // 400,000,000: a thousandth is 400,000, so parts are whole 100,000s.
        EXPECT_EQ(std::fmod(*r.effectiveTarget, 100'000), 0) << r.employeeCode;
        if (*r.effectiveTarget > std::ceil(r.p10 / 100'000) * 100'000) {  // not raised to its floor
            EXPECT_NEAR(*r.share, r.p50 / p50s, 0.01) << r.employeeCode;
        }
        EXPECT_GE(*r.effectiveTarget, r.p10) << r.employeeCode;
        ASSERT_TRUE(r.probability);
    }
}

TEST(TeamSplit, NoPartFallsBelowItsP10) {
    TestStore store(wobblyTeam().files());
    Engine engine(store.path());
    auto plain = recommend(engine, "2026-11", "2026-11-01", {"DS"});
    double p10s = 0;
    for (const auto& r : plain) p10s += r.p10;
    // Just above the sum of the P10s: everyone at (or barely above) their floor.
    const long long total = static_cast<long long>(std::ceil(p10s)) + 8;
    auto parts = split(engine, std::to_string(total));
    long long sum = 0;
    for (const auto& r : parts) {
        EXPECT_GE(*r.effectiveTarget, r.p10) << r.employeeCode;
        sum += std::llround(*r.effectiveTarget);
    }
    EXPECT_EQ(sum, total);
}

TEST(TeamSplit, ATotalBelowTheTeamsP10IsRefusedWithTheSum) {
    TestStore store(wobblyTeam().files());
    Engine engine(store.path());
    try {
        split(engine, "1000000");
        FAIL() << "accepted";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("is below what the 8 people under SS1 reach 9 times in 10"),
                  std::string::npos)
            << e.what();
    }
}

TEST(TeamSplit, RefusesWhatCannotBeSplit) {
    TestStore store(wobblyTeam().files());
    Engine engine(store.path());
    auto refused = [&](const std::string& total, const std::string& kpi, const std::string& manager,
                       const std::string& expected) {
        try {
            split(engine, total, kpi, manager);
            ADD_FAILURE() << "accepted " << kpi << "=" << total << " for " << manager;
        } catch (const kpi::Error& e) {
            EXPECT_EQ(e.kind(), kpi::Error::Kind::InvalidArgument);
            EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
        }
    };
    refused("0.9", "COV", "SS1", "cannot be split into parts that add up");
    refused("-5", "DS", "SS1", "must be a positive number with at most 4 decimals");
    refused("1,000", "DS", "SS1", "must be a positive number");
    refused("1.00001", "DS", "SS1", "at most 4 decimals");
    refused("1000", "DS", "NOBODY", "unknown employee 'NOBODY'");
    refused("1000", "DS", "W1", "no one under W1 is employed in 2026-11");
}

}  // namespace

namespace {

// recommend and target-health read their long windows on two connections
// (Engine(path, window, readers)): the figures are those of one.
TEST(EngineReaders, TwoReadersLoadTheSameFiguresAsOne) {
    TestStore store(wobblyTeam().files());
    const kpi::Period window{kpi::PeriodType::Cycle, D("2024-01-01"), D("2026-10-31")};
    Engine one(store.path(), window);
    Engine two(store.path(), window, 2);
    Engine three(store.path(), window, 3);
    EXPECT_EQ(one.firstActivity(), two.firstActivity());
    for (const char* period : {"2024-12", "2025-06", "2025-12", "2026-03", "2026-10", "2025", "2026-W20"})
        for (const char* code : {"W1", "W5", "SS1", "*"})
            for (const char* kpiCode : {"DS", "PC", "ASO", "COV", "VIS", "LPPC"}) {
                const double a = one.figures(code, kpiCode, P(period), D("2026-11-01")).actual;
                EXPECT_EQ(two.figures(code, kpiCode, P(period), D("2026-11-01")).actual, a) << period << code << kpiCode;
                EXPECT_EQ(three.figures(code, kpiCode, P(period), D("2026-11-01")).actual, a) << period << code << kpiCode;
            }
}

}  // namespace
