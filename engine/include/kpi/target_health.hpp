// Target health (issue 14): how fair last period's targets were and where
// they may have been gamed. For a period P, per KPI, the spread of attainment
// over the targets of P (the rows `kpi report --period P` gives); targets that
// were out of reach or given away, judged by the recommendation for P made
// from the data before P (kpi/recommend.hpp); and signs of gaming, each naming
// the orders (visits, outlets) behind it:
//
//   last_days_bunching      a salesperson's share of P's sales in P's last
//                           working days (12 % of them, at least 1) well above
//                           their usual share in the periods before: at least
//                           10 points and half again above it. Named: the
//                           orders of those days worth more than twice the
//                           salesperson's usual big order (the 90th
//                           percentile of their other orders of P), or all
//                           of them when none is.
//   returns_after_period    approved returns in the first working days after
//                           P (20 % of P's, at least 1) at outlets the
//                           salesperson sold to in P, worth at least 5 % of
//                           their sales of P. Named: the returns.
//   cancelled_after_approval orders of P that were approved (they have an
//                           approval time) and are now cancelled. Named: them.
//   one_order_outlets       outlets the salesperson opened in P that ordered
//                           once, in P, and never again in the 14 days or more
//                           of data after that order: at least 2, and at least
//                           a third of their new outlets with an order. Named:
//                           the outlets and their one order.
//   visits_bunched          a day of P with many visits without an order: at
//                           least twice the salesperson's usual 90th percentile
//                           of such visits a day, and 10 more than it. Named:
//                           the visits.
//   out_of_reach/given_away a target with less than a 10 % (more than 90 %)
//                           chance by the history before P.
//
// Gaming signs are looked for in the orders and visits of people with no one
// under them; a manager's team shows as its members' flags. With a scope, only
// the scope's own orders are read (a new outlet's later orders by someone
// outside it are not seen).
//
// Thread-safety: uses the engine (not thread-safe) and reads the store it was
// loaded from through a read-only connection of its own: call it off the
// office's main thread. The engine must hold the days historyWindow(P, P.first)
// names through P and the days after it (healthWindow() says which).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kpi/date.hpp"
#include "kpi/engine.hpp"
#include "kpi/period.hpp"

namespace kpi {

struct TargetHealthQuery {
    Period period{};           // P
    std::string employeeCode;  // E and everyone below; empty = everyone
    Day asOf = 0;              // the last day of data looked at after P; 0 = today()
};

// Attainment over the targets of one KPI in P.
struct AttainmentSpread {
    std::string kpiCode;
    int targets = 0;  // rows with an attainment
    int under80 = 0;  // attainment < 0.8
    int from80To120 = 0;
    int over120 = 0;  // attainment > 1.2
    int outOfReach = 0, givenAway = 0;
};

enum class HealthFlagKind {
    OutOfReach,
    GivenAway,
    LastDaysBunching,
    ReturnsAfterPeriod,
    CancelledAfterApproval,
    OneOrderOutlets,
    VisitsBunched,
};

struct HealthFlag {
    HealthFlagKind kind = HealthFlagKind::LastDaysBunching;
    std::string employeeCode;
    std::string kpiCode;  // the KPI it bears on: the salesperson's target of that type in P, else the type
    Period days{};        // the days it looks at (P's last days, the days after P, one day, or P)
    // What was seen: bunching the share of P's sales in `days`; returns and
    // cancellations the amount; one-order outlets their number; visits the
    // visits without an order; out of reach and given away the chance.
    double value = 0;
    // What is usual: bunching the usual share; visits the usual 90th
    // percentile a day; out of reach and given away the expected actual (P50).
    std::optional<double> usual;
    std::optional<double> target, attainment;
    std::optional<double> attainmentWithout;  // attainment without the records named
    std::vector<std::string> orders, outlets, visits;  // the records behind the flag
};

struct TargetHealth {
    Period period{};
    std::vector<AttainmentSpread> spread;  // by KPI code
    std::vector<HealthFlag> flags;         // by employee code, then kind, then KPI
};

// The days an engine must hold for targetHealth(P) at asOf (0 = today).
Period healthWindow(const Period& period, Day asOf = 0);

// Throws Error InvalidArgument for an unknown employee; NotFound, Corruption,
// Busy or Io when the store cannot be read.
TargetHealth targetHealth(Engine& engine, const TargetHealthQuery& query);

// "out_of_reach", "given_away", "last_days_bunching", "returns_after_period",
// "cancelled_after_approval", "one_order_outlets", "visits_bunched".
std::string_view healthFlagName(HealthFlagKind kind);

// One line saying what was seen, in English ("en") or Vietnamese ("vi").
std::string explainHealthFlag(const HealthFlag& flag, std::string_view language);

}  // namespace kpi
