// The recommendation method of kpi/recommend.hpp on plain numbers: series of
// what people did in the periods before P, the level, the season, the ramp,
// and the empirical spread of past forecast errors. Nothing here reads the
// engine or the store, so each rule is tested on hand-made series.
//
// Thread-safe: values and pure functions.
#pragma once

#include <optional>
#include <vector>

#include "kpi/period.hpp"
#include "kpi_types.hpp"

namespace kpi::targets {

// How figures of a KPI type are compared across periods of different sizes.
enum class Scale {
    PerWorkingDay,  // SALES, VOLUME, PC, VISITS, FOCUS_SALES, NEW_OUTLETS: actual ÷ W(clipped)
    PerOutlet,      // ASO, FOCUS_OUTLETS: actual ÷ outlets on route at the period's end
    Level,          // LPPC, STRIKE_RATE, DROP_SIZE, COVERAGE: the actual itself
    Universe,       // UB: the routes as they stand when the period starts
};
Scale scaleOf(KpiType type);

// The method's lengths for a period type, counted in periods of that type.
struct MethodSettings {
    int levelPeriods = 3;     // periods averaged into the level
    int seasonalLag = 12;     // the same period a year before; 0 = no season
    int rampPeriods = 3;      // first periods of an employment a ramp applies to
    int backtestPeriods = 6;  // past periods whose forecast errors make the spread

    // How far back the level looks for its periods (one gap allowed).
    int levelSearch() const { return levelPeriods + 1; }
    // The oldest period offset any forecast needs, for a horizon h.
    int oldestOffset(int horizon) const { return backtestPeriods + horizon + levelSearch() - 1 + seasonalLag; }
};

// Whether recommend supports the type, and its settings: MONTH 3/12/3/6,
// WEEK 4/52/13/8, QUARTER 2/4/1/4, YEAR 1/0/0/2.
bool isRecommendable(PeriodType type);
MethodSettings settingsFor(PeriodType type);

// The period `back` periods of the same type before p (after it when negative).
// For WEEK, MONTH, QUARTER and YEAR only.
Period shifted(const Period& p, int back);
// Consecutive numbers for the periods of a type: the period after p is
// periodNumber(p) + 1.
long periodNumber(PeriodType type, Day day);

// What an employee (or the company) did in one period before P.
struct Observation {
    bool usable = false;     // complete by the as-of date, inside the data, employed, size > 0
    double actual = 0;
    double size = 0;         // W(clipped), outlets on route at its end, or 1
    double sizeAtStart = 0;  // the size as known when it started (outlets on route on its first day)
    int tenure = 0;          // 1 = the period the employment started in; 0 = unknown
    double rate() const { return size > 0 ? actual / size : 0; }
};

// Observations by offset from P: at(1) is the period before P.
class Series {
public:
    explicit Series(int oldestOffset = 0) : byOffset_(static_cast<size_t>(oldestOffset) + 1) {}
    Observation& at(int offset) { return byOffset_[static_cast<size_t>(offset)]; }
    const Observation* find(int offset) const {
        return offset >= 1 && static_cast<size_t>(offset) < byOffset_.size() ? &byOffset_[static_cast<size_t>(offset)]
                                                                              : nullptr;
    }
    bool usable(int offset) const {
        const Observation* o = find(offset);
        return o && o->usable;
    }
    int oldestOffset() const { return static_cast<int>(byOffset_.size()) - 1; }

private:
    std::vector<Observation> byOffset_;
};

// Ramp factors by tenure: factors[t - 1] for the t-th period of an
// employment; a tenure beyond them (or 0) has factor 1.
struct RampCurve {
    std::vector<std::optional<double>> factors;
    double at(int tenure) const {
        if (tenure < 1 || static_cast<size_t>(tenure) > factors.size()) return 1;
        return factors[static_cast<size_t>(tenure) - 1].value_or(1);
    }
    bool known(int tenure) const {
        return tenure >= 1 && static_cast<size_t>(tenure) <= factors.size() && factors[static_cast<size_t>(tenure) - 1];
    }
};

// The level a forecast of the period `target` offsets back (0 = P) starts
// from: the mean rate of the first `levelPeriods` usable periods from
// target + horizon back (within levelSearch()), each divided by the ramp
// factor of its tenure.
struct Level {
    bool found = false;
    double rate = 0;
    std::vector<int> offsets;  // the periods used, newest first
};
Level levelAt(const Series& own, int target, int horizon, const MethodSettings& settings, const RampCurve& ramp);

// The season of the period `target` offsets back: the company's rate in the
// same period a year before, divided by its mean rate over the same offsets
// as the level's a year before. None when one of them is missing or 0.
std::optional<double> seasonAt(const Series& company, int target, const std::vector<int>& levelOffsets,
                               const MethodSettings& settings);

// The ramp of a role for a KPI, from peers whose start is inside the data:
// for each tenure t ≤ rampPeriods, the median over peers of their rate in their
// t-th period ÷ their settled rate (the mean over tenures rampPeriods+1 to
// rampPeriods+3). A tenure needs at least two peers; factors are kept within
// [0.2, 1.5]. Only periods at least `horizon` back count.
RampCurve rampFrom(const std::vector<const Series*>& joiners, int horizon, const MethodSettings& settings);

// An empirical distribution of actual ÷ forecast, from past forecasts.
class Spread {
public:
    Spread() = default;
    explicit Spread(std::vector<double> ratios);
    std::size_t size() const { return sorted_.size(); }
    bool empty() const { return sorted_.empty(); }
    // The q-quantile, interpolated between neighbouring samples.
    double quantile(double q) const;
    // The share of the distribution at or above x, the inverse of quantile():
    // exceedance(quantile(q)) == 1 − q between the smallest and largest samples.
    double exceedance(double x) const;

private:
    std::vector<double> sorted_;
};

// A figure rounded to three significant digits, with whole numbers for
// counts, VND and units (never below 1 when positive for counts) and
// hundredths for COVERAGE and STRIKE_RATE.
double roundTarget(double value, KpiType type);

}  // namespace kpi::targets
