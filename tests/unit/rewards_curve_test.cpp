// Payout curves (SPEC §9) and the exact arithmetic money is computed with:
// decimals read exactly, one rounding to whole VND, half away from zero.

#include <gtest/gtest.h>

#include <string>

#include "rewards/exact.hpp"
#include "rewards/plan.hpp"

namespace {

using kpi::rewards::Curve;
using kpi::rewards::CurveMode;
using kpi::rewards::Rational;

Rational decimal(const std::string& text) { return *kpi::rewards::parseDecimal(text); }

Curve curve(const std::string& text) {
    std::string error;
    auto c = Curve::parse(text, error);
    EXPECT_TRUE(c) << text << ": " << error;
    return c.value_or(Curve());
}

std::string rejection(const std::string& text) {
    std::string error;
    EXPECT_FALSE(Curve::parse(text, error)) << text;
    return error;
}

TEST(Curve, GivesZeroBelowTheFirstPointAndTheLastFactorFromTheLastPointOn) {
    Curve c = curve("0.8:0.5|1:1|1.2:1.5");
    for (CurveMode mode : {CurveMode::Linear, CurveMode::Step}) {
        EXPECT_EQ(c.factor(decimal("0.7999"), mode), 0);
        EXPECT_EQ(c.factor(decimal("-3"), mode), 0);
        EXPECT_EQ(c.factor(decimal("1.2"), mode), decimal("1.5"));
        EXPECT_EQ(c.factor(decimal("7"), mode), decimal("1.5"));
    }
}

TEST(Curve, GivesAPointsOwnFactorToAnAttainmentExactlyOnIt) {
    Curve c = curve("0.8:0.5|1:1|1.2:1.5");
    for (CurveMode mode : {CurveMode::Linear, CurveMode::Step}) {
        EXPECT_EQ(c.factor(decimal("0.8"), mode), decimal("0.5"));
        EXPECT_EQ(c.factor(decimal("1"), mode), 1);
    }
}

TEST(Curve, InterpolatesOnTheStraightLineInLinearModeExactly) {
    Curve c = curve("0.8:0.5|1:1|1.2:1.5");
    EXPECT_EQ(c.factor(decimal("0.9"), CurveMode::Linear), decimal("0.75"));
    // 25/26 lies 21/130 above 0.8: 0.5 + 21/130 × 2.5 = 47/52, not a rounded double.
    EXPECT_EQ(c.factor(Rational(25, 26), CurveMode::Linear), Rational(47, 52));
}

TEST(Curve, KeepsTheFactorOfTheGreatestPointBelowInStepMode) {
    Curve c = curve("0.8:0.5|1:1|1.2:1.5");
    EXPECT_EQ(c.factor(decimal("0.9999"), CurveMode::Step), decimal("0.5"));
    EXPECT_EQ(c.factor(decimal("1.1999"), CurveMode::Step), 1);
}

TEST(Curve, AcceptsOnePointAndAZeroFactor) {
    Curve c = curve("1:0");
    EXPECT_EQ(c.factor(decimal("2"), CurveMode::Linear), 0);
    Curve flat = curve("0:1");
    EXPECT_EQ(flat.factor(decimal("0.3"), CurveMode::Linear), 1);
}

TEST(Curve, RejectsTextThatIsNotPointsWithIncreasingAttainmentsAndNonNegativeFactors) {
    EXPECT_NE(rejection("").find("empty"), std::string::npos);
    EXPECT_NE(rejection("1").find("point 1 '1' is not x:y"), std::string::npos);
    EXPECT_NE(rejection("0.8:0.5|1;1").find("point 2"), std::string::npos);
    EXPECT_NE(rejection("0.8:0.5||1:1").find("point 2 ''"), std::string::npos);
    EXPECT_NE(rejection("1:1|1:2").find("does not come after"), std::string::npos);
    EXPECT_NE(rejection("1:1|0.9:2").find("point 2 '0.9:2' does not come after"), std::string::npos);
    EXPECT_NE(rejection("1:-0.5").find("negative factor"), std::string::npos);
    EXPECT_NE(rejection("1e0:1").find("not x:y"), std::string::npos);
    EXPECT_NE(rejection("1,2:1").find("not x:y"), std::string::npos);
}

TEST(ExactMoney, ReadsDecimalsExactlyAndRefusesExponentsAndSeparators) {
    EXPECT_EQ(decimal("0.1") * 3, decimal("0.3"));
    EXPECT_EQ(decimal("-12.50"), Rational(-25, 2));
    EXPECT_EQ(decimal("+7"), 7);
    EXPECT_FALSE(kpi::rewards::parseDecimal("1e3"));
    EXPECT_FALSE(kpi::rewards::parseDecimal("1,200"));
    EXPECT_FALSE(kpi::rewards::parseDecimal("."));
    EXPECT_FALSE(kpi::rewards::parseDecimal("1.2.3"));
}

TEST(ExactMoney, TakesAStoredDoubleAsTheDecimalItWasWrittenFrom) {
    EXPECT_EQ(kpi::rewards::storedDecimal(0.85), decimal("0.85"));
    EXPECT_EQ(kpi::rewards::storedDecimal(4500000.5), decimal("4500000.5"));
    EXPECT_EQ(kpi::rewards::storedDecimal(3333333.33), decimal("3333333.33"));
}

TEST(ExactMoney, TakesAnEngineSumToFourDecimals) {
    EXPECT_EQ(kpi::rewards::exactSum(0.1 + 0.2), decimal("0.3"));
    EXPECT_EQ(kpi::rewards::exactSum(-120000.0), -120000);
}

TEST(ExactMoney, RoundsOnceToWholeVndHalfAwayFromZero) {
    using kpi::rewards::toWholeVnd;
    EXPECT_EQ(toWholeVnd(decimal("500000.5")), 500001);
    EXPECT_EQ(toWholeVnd(decimal("-500000.5")), -500001);
    EXPECT_EQ(toWholeVnd(decimal("2.4999")), 2);
    EXPECT_EQ(toWholeVnd(Rational(-5, 3)), -2);
    EXPECT_EQ(toWholeVnd(0), 0);
}

TEST(ExactMoney, FormatsAtMostSixDecimalsLikeTheCommand) {
    using kpi::rewards::formatDecimal;
    EXPECT_EQ(formatDecimal(Rational(1, 3)), "0.333333");
    EXPECT_EQ(formatDecimal(Rational(2, 3)), "0.666667");
    EXPECT_EQ(formatDecimal(Rational(-1, 2000000)), "-0.000001");
    EXPECT_EQ(formatDecimal(Rational(-1, 3000000)), "0");
    EXPECT_EQ(formatDecimal(decimal("1560000")), "1560000");
}

}  // namespace
