// The payout rows of SPEC §9 and the adjustments of SPEC §10, computed from a
// rewards model and the KPI figures behind it.
//
// Not thread-safe (a FigureSource rarely is); pure computation otherwise.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kpi/rewards.hpp"
#include "rewards/exact.hpp"
#include "rewards/model.hpp"

namespace kpi::rewards {

// What payouts need from the KPI engine: the seam between rewards and figures.
class FigureSource {
public:
    virtual ~FigureSource() = default;

    struct Figures {
        std::optional<Rational> attainment;  // exact actual ÷ effective target; none without a target or with 0
        double actual = 0;
        std::optional<double> target;
    };
    // Today's figures of the employee and KPI over the period (SPEC §6, the
    // period clipped to the employment window), never those frozen by a close.
    virtual Figures live(const std::string& employeeCode, const std::string& kpiCode, const Period& period) = 0;
    // The employee's employment window [first, last]; nullopt for an unknown code.
    virtual std::optional<std::pair<Day, Day>> employment(const std::string& employeeCode) const = 0;
    // Working days in [first, last] (SPEC §4).
    virtual int workingDays(Day first, Day last) const = 0;
    // Whether the figures of the period see all of its data (an engine loaded
    // with a window may not).
    virtual bool covers(const Period& period) const = 0;
};

// Which employees the rows are for.
using InScope = std::function<bool(const std::string& employeeCode)>;

// The rows of `kpi payout --period P` for the employees in scope, in their
// order: for a closed P those frozen in it (with `live`, its components, gates
// and totals recomputed, its frozen adjustments kept); for an open P today's,
// with the adjustments closing P now would settle. Throws Error
// InvalidArgument when P is not a MONTH, QUARTER or YEAR, or when the figures
// do not cover a period the rows are computed over (P, or an earlier closed
// period whose adjustment is recomputed): never a payout from partial data.
std::vector<PayoutRow> payoutRows(const Model& model, FigureSource& figures, const Period& period, const InScope& inScope,
                                  bool live);

}  // namespace kpi::rewards
