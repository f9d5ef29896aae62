// The recommendation method's rules on hand-made series (engine/src/targets/method.hpp):
// periods back, the level, the season, the ramp, the spread and the rounding.

#include "targets/method.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using kpi::Period;
using kpi::PeriodType;
using namespace kpi::targets;

Period month(int year, unsigned m) { return kpi::periodContaining(PeriodType::Month, kpi::makeDay(year, m, 1)); }

// A series whose offsets 1..n have the given rates (size 1); 0 = not usable.
Series seriesOf(const std::vector<double>& rates, const std::vector<int>& tenures = {}) {
    Series s(static_cast<int>(rates.size()));
    for (size_t i = 0; i < rates.size(); ++i) {
        Observation& o = s.at(static_cast<int>(i) + 1);
        o.usable = rates[i] > 0;
        o.actual = rates[i];
        o.size = o.sizeAtStart = 1;
        if (i < tenures.size()) o.tenure = tenures[i];
    }
    return s;
}

TEST(RecommendPeriods, ShiftedGoesBackWholePeriodsAcrossYearEnds) {
    EXPECT_EQ(shifted(month(2026, 2), 3), month(2025, 11));
    EXPECT_EQ(shifted(month(2026, 11), 12), month(2025, 11));
    EXPECT_EQ(shifted(month(2026, 1), -1), month(2026, 2));
    EXPECT_EQ(shifted(*kpi::parsePeriod("2026-Q1"), 1), *kpi::parsePeriod("2025-Q4"));
    EXPECT_EQ(shifted(*kpi::parsePeriod("2026-W01"), 1), *kpi::parsePeriod("2025-W52"));
    EXPECT_EQ(shifted(*kpi::parsePeriod("2026"), 2), *kpi::parsePeriod("2024"));
}

TEST(RecommendPeriods, PeriodNumbersCountConsecutivePeriods) {
    const kpi::Day d = kpi::makeDay(2026, 1, 15);
    EXPECT_EQ(periodNumber(PeriodType::Month, d) - periodNumber(PeriodType::Month, kpi::makeDay(2025, 12, 31)), 1);
    EXPECT_EQ(periodNumber(PeriodType::Week, d) - periodNumber(PeriodType::Week, d - 7), 1);
    EXPECT_EQ(periodNumber(PeriodType::Quarter, d) - periodNumber(PeriodType::Quarter, kpi::makeDay(2025, 11, 1)), 1);
}

TEST(RecommendPeriods, OnlyWeeksMonthsQuartersAndYearsAreRecommended) {
    EXPECT_TRUE(isRecommendable(PeriodType::Month));
    EXPECT_TRUE(isRecommendable(PeriodType::Year));
    EXPECT_FALSE(isRecommendable(PeriodType::Day));
    EXPECT_FALSE(isRecommendable(PeriodType::Cycle));
    EXPECT_EQ(settingsFor(PeriodType::Month).seasonalLag, 12);
    EXPECT_EQ(settingsFor(PeriodType::Quarter).seasonalLag, 4);
    EXPECT_EQ(settingsFor(PeriodType::Year).seasonalLag, 0);
}

TEST(RecommendLevel, AveragesTheLastThreeUsablePeriods) {
    const MethodSettings m = settingsFor(PeriodType::Month);
    Level l = levelAt(seriesOf({10, 20, 30, 1000}), 0, 1, m, {});
    ASSERT_TRUE(l.found);
    EXPECT_DOUBLE_EQ(l.rate, 20);
    EXPECT_EQ(l.offsets, (std::vector<int>{1, 2, 3}));
}

TEST(RecommendLevel, SkipsOneMissingPeriodButNoMore) {
    const MethodSettings m = settingsFor(PeriodType::Month);
    Level l = levelAt(seriesOf({10, 0, 30, 50, 70}), 0, 1, m, {});
    EXPECT_EQ(l.offsets, (std::vector<int>{1, 3, 4}));
    EXPECT_DOUBLE_EQ(l.rate, 30);
    // Two gaps: only what lies within four periods back.
    Level short_ = levelAt(seriesOf({10, 0, 0, 40, 70}), 0, 1, m, {});
    EXPECT_EQ(short_.offsets, (std::vector<int>{1, 4}));
}

TEST(RecommendLevel, StartsAtTheHorizonAndTheTarget) {
    const MethodSettings m = settingsFor(PeriodType::Month);
    // Forecasting P from two periods back (P−1 not complete yet).
    EXPECT_EQ(levelAt(seriesOf({99, 10, 20, 30}), 0, 2, m, {}).rate, 20);
    // Forecasting P−1 (a past forecast) with horizon 1: from P−2 back.
    EXPECT_EQ(levelAt(seriesOf({99, 10, 20, 30}), 1, 1, m, {}).rate, 20);
    EXPECT_FALSE(levelAt(seriesOf({0, 0, 0, 0, 0}), 0, 1, m, {}).found);
}

TEST(RecommendLevel, DividesEachPeriodByTheRampOfItsTenure) {
    const MethodSettings m = settingsFor(PeriodType::Month);
    RampCurve ramp;
    ramp.factors = {0.5, 0.8, std::nullopt};
    // Tenures 3, 2, 1 at offsets 1, 2, 3: 30 / 1 (unknown), 16 / 0.8, 10 / 0.5.
    Level l = levelAt(seriesOf({30, 16, 10}, {3, 2, 1}), 0, 1, m, ramp);
    EXPECT_DOUBLE_EQ(l.rate, (30.0 + 20.0 + 20.0) / 3);
}

TEST(RecommendSeason, IsTheSamePeriodAYearBeforeAgainstTheLevelsPeriodsAYearBefore) {
    const MethodSettings m = settingsFor(PeriodType::Month);
    std::vector<double> company(16, 100);
    company[12 - 1] = 130;  // the same month a year before
    company[13 - 1] = 90;
    company[14 - 1] = 100;
    company[15 - 1] = 110;
    auto season = seasonAt(seriesOf(company), 0, {1, 2, 3}, m);
    ASSERT_TRUE(season);
    EXPECT_DOUBLE_EQ(*season, 1.3);
}

TEST(RecommendSeason, IsNoneWhenTheDataDoNotReachBackOrTheTypeHasNone) {
    const MethodSettings m = settingsFor(PeriodType::Month);
    EXPECT_FALSE(seasonAt(seriesOf(std::vector<double>(14, 100)), 0, {1, 2, 3}, m));
    std::vector<double> gap(16, 100);
    gap[13 - 1] = 0;
    EXPECT_FALSE(seasonAt(seriesOf(gap), 0, {1, 2, 3}, m));
    EXPECT_FALSE(seasonAt(seriesOf(std::vector<double>(16, 100)), 0, {1}, settingsFor(PeriodType::Year)));
}

TEST(RecommendRamp, IsThePeersMedianOfEarlyRateOverSettledRate) {
    const MethodSettings m = settingsFor(PeriodType::Month);
    // Offsets 1..6 hold tenures 6, 5, 4, 3, 2, 1 (they joined six periods ago).
    const std::vector<int> tenures{6, 5, 4, 3, 2, 1};
    Series a = seriesOf({100, 100, 100, 90, 70, 50}, tenures);
    Series b = seriesOf({200, 200, 200, 190, 150, 100}, tenures);
    Series c = seriesOf({50, 50, 50, 50, 40, 30}, tenures);
    RampCurve ramp = rampFrom({&a, &b, &c}, 1, m);
    ASSERT_EQ(ramp.factors.size(), 3u);
    EXPECT_DOUBLE_EQ(ramp.at(1), 0.5);   // 0.5, 0.5, 0.6
    EXPECT_DOUBLE_EQ(ramp.at(2), 0.75);  // 0.7, 0.75, 0.8
    EXPECT_DOUBLE_EQ(ramp.at(3), 0.95);  // 0.9, 0.95, 1.0
    EXPECT_DOUBLE_EQ(ramp.at(4), 1.0);
}

TEST(RecommendRamp, NeedsTwoPeersForATenure) {
    const MethodSettings m = settingsFor(PeriodType::Month);
    Series a = seriesOf({100, 100, 100, 90, 70, 50}, {6, 5, 4, 3, 2, 1});
    RampCurve ramp = rampFrom({&a}, 1, m);
    EXPECT_FALSE(ramp.known(1));
    EXPECT_DOUBLE_EQ(ramp.at(1), 1.0);
}

TEST(RecommendSpread, ExceedanceIsTheInverseOfTheQuantile) {
    Spread s({0.8, 0.9, 1.0, 1.1, 1.2});
    EXPECT_DOUBLE_EQ(s.quantile(0.5), 1.0);
    EXPECT_DOUBLE_EQ(s.quantile(0.125), 0.85);
    for (double q : {0.05, 0.1, 0.35, 0.5, 0.9})
        EXPECT_NEAR(s.exceedance(s.quantile(q)), 1 - q, 1e-12) << q;
    EXPECT_EQ(s.exceedance(0.5), 1.0);
    EXPECT_EQ(s.exceedance(1.5), 0.0);
}

TEST(RecommendRounding, KeepsThreeSignificantDigitsWholeForCountsAndMoney) {
    EXPECT_EQ(roundTarget(417'712'345, kpi::KpiType::Sales), 418'000'000);
    EXPECT_EQ(roundTarget(1234.6, kpi::KpiType::Pc), 1230);
    EXPECT_EQ(roundTarget(84.4, kpi::KpiType::Aso), 84);
    EXPECT_EQ(roundTarget(0.3, kpi::KpiType::NewOutlets), 1);  // a positive count is at least 1
    EXPECT_EQ(roundTarget(0, kpi::KpiType::NewOutlets), 0);
    EXPECT_DOUBLE_EQ(roundTarget(0.8649, kpi::KpiType::Coverage), 0.86);
    EXPECT_DOUBLE_EQ(roundTarget(4.5872, kpi::KpiType::Lppc), 4.59);
}

}  // namespace
