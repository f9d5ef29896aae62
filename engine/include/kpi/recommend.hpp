// Recommended targets (issue 14): for each employee and KPI, a target for a
// coming period from the employee's own history of that period type, with the
// spread of the expected actual (P10, P50, P90), the chance of reaching the
// target, and what drove the number; and a manager's team target split among
// the people under them. The method, in plain words, is docs/targets.md:
//
//   expected actual = recent level × season × ramp × size of the period
//
// - recent level: the average rate of the last complete periods (3 months,
//   4 weeks, 2 quarters or 1 year), per working day (SALES, VOLUME, PC,
//   VISITS, FOCUS_SALES, NEW_OUTLETS), per outlet on route (ASO,
//   FOCUS_OUTLETS) or as it is (LPPC, STRIKE_RATE, DROP_SIZE, COVERAGE);
// - season: how the whole company's same period a year before compared with
//   the level's periods a year before (weeks, months and quarters, when the
//   data reach back);
// - ramp: for people in their first periods, how far peers who joined were
//   from their settled level in the same month of their tenure;
// - size: the working days of the period (clipped to the employment), or the
//   outlets on the person's routes now; UB is the route universe now.
//
// The spread comes from how far the same method was off for people of the
// same role and KPI in the last periods (each forecast made from the data
// before it). The recommended target is the figure reached with probability
// `reach` (65 % by default), rounded to three significant digits.
//
// Everything is computed from the Engine's figures in memory: no file is read.
// Thread-safety: as the Engine used (not thread-safe; call these where the
// engine may be used). The engine must have loaded the periods the method
// reads: historyWindow() says which (a whole-store engine always has them).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kpi/date.hpp"
#include "kpi/engine.hpp"
#include "kpi/period.hpp"

namespace kpi {

struct RecommendQuery {
    Period period{};                     // P: a WEEK, MONTH, QUARTER or YEAR
    std::string employeeCode;            // E and everyone below; empty = everyone
    // The KPIs; empty = each KPI the employee has or had a target row of P's
    // type for. A KPI given here is recommended for every employee of the
    // scope whose role it applies to.
    std::vector<std::string> kpiCodes;
    // "Now": only periods that ended before this day are history, and the
    // route universe is the one of this day. 0 = today().
    Day asOf = 0;
    double reach = 0.65;  // the chance of reaching the recommended target
};

// Where a recommendation's level came from.
enum class LevelSource {
    Own,    // the employee's own recent periods
    Peers,  // no own history yet: the median of peers (same manager and role, else same role)
    None,   // no basis: no recommendation
};

// What the level is measured in.
enum class LevelUnit {
    PerWorkingDay,  // SALES, VOLUME, PC, VISITS, FOCUS_SALES, NEW_OUTLETS
    PerOutlet,      // ASO, FOCUS_OUTLETS: per outlet on the routes
    AsIs,           // LPPC, STRIKE_RATE, DROP_SIZE, COVERAGE
    Universe,       // UB: the routes now
};

// The parts of the number, for the one line that explains it.
struct RecommendationBasis {
    LevelSource source = LevelSource::None;
    LevelUnit unit = LevelUnit::AsIs;
    int periodsUsed = 0;               // own (or peers') periods in the level
    Period levelFirst{}, levelLast{};  // the oldest and newest of them
    double levelRate = 0;              // per working day, per outlet, or the level itself
    std::optional<double> season;      // company: same period a year before ÷ the level's periods a year before
    Period seasonPeriod{};             // the same period a year before
    Period seasonBaseFirst{}, seasonBaseLast{};  // the level's periods a year before
    std::optional<double> ramp;        // the joiner's factor in P (tenure month `tenure`)
    int tenure = 0;                    // P's number in the employment: 1 = the period they joined in
    std::optional<double> workingDays;         // W(P clipped), for per-working-day KPIs
    std::optional<double> historyWorkingDays;  // their average over the level's periods
    std::optional<double> universeNow;         // outlets on route now (per-outlet KPIs and UB)
    std::optional<double> universeThen;        // their average over the level's periods
    int errorSamples = 0;              // past forecasts the spread is taken from
    std::string problem;               // why there is no recommendation, when source is None
};

struct Recommendation {
    std::string employeeCode, kpiCode;
    Period period{};   // P, as the targets.csv row's valid_from..valid_to
    Period clipped{};  // P within the employment window
    // The targets.csv value: the full-period figure whose proration (SPEC §5)
    // over `clipped` is `effectiveTarget`. None when there is no basis.
    std::optional<double> target;
    std::optional<double> effectiveTarget;  // what attainment will be measured against
    double weight = 1;  // the weight of the KPI's target row for P, else of its latest row, else 1
    // The expected actual over `clipped`; equal when there is no spread.
    double p10 = 0, p50 = 0, p90 = 0;
    // The chance that the actual reaches effectiveTarget; none without a spread.
    std::optional<double> probability;
    std::optional<double> currentTarget;  // the store's effective target for P, if any
    std::optional<double> lastActual;     // the actual of the latest history period
    Period lastPeriod{};                  // that period
    std::optional<double> share;          // team allocation: the part's share of the total
    RecommendationBasis basis;
};

// The engine window recommendTargets() and targetHealth() read for P at asOf
// (0 = today): the periods before P back to the oldest the method can use.
Period historyWindow(const Period& period, Day asOf = 0);

// One row per (employee of the scope employed in P, KPI), sorted by employee
// code then KPI code; rows without a basis have no target (basis.problem says
// why). Throws Error InvalidArgument for an unknown employee or KPI, a period
// that is not a WEEK, MONTH, QUARTER or YEAR, or a reach outside [0.05, 0.95].
std::vector<Recommendation> recommendTargets(Engine& engine, const RecommendQuery& query);

struct AllocationQuery {
    Period period{};
    std::string managerCode;  // the people directly under them share the total
    std::string kpiCode;      // SALES, VOLUME, PC, VISITS, FOCUS_SALES, NEW_OUTLETS, ASO or FOCUS_OUTLETS type
    std::string total;        // the team's target, a decimal as in targets.csv (up to 4 decimals)
    Day asOf = 0;
    double reach = 0.65;
};

// Splits `total` among the people directly under the manager (employed in P)
// in proportion to each one's expected actual (P50), never below their P10:
// a part that would fall below is raised to it (rounded up) and the rest is
// shared among the others. Parts are whole multiples of a unit — the largest
// power of ten, at most a thousandth of the total, that divides it — rounded
// by largest remainder, so they add up to exactly `total`. Each row's
// effectiveTarget is the part (target its full-period figure), probability the
// chance of reaching it, share its part of the total. Throws Error
// InvalidArgument for an unknown manager or KPI, a KPI whose type cannot be
// split (ratios, UB), a malformed or negative total, a manager with no one
// under them employed in P or no basis for one of them, or a total below the
// sum of their P10 (naming it).
std::vector<Recommendation> allocateTeamTarget(Engine& engine, const AllocationQuery& query);

// The one line that says what drove a recommendation, in English ("en") or
// Vietnamese ("vi"), e.g. "3-month level 14,200,000 per working day
// (2026-08..2026-10) × 24 working days (history 25.3); season +8%
// (2025-11 against 2025-08..2025-10, company)".
std::string explainRecommendation(const Recommendation& recommendation, std::string_view language);

}  // namespace kpi
