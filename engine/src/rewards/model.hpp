// What the engine holds about rewards, loaded with the other dimensions: the
// plans and assignments, and the closed pay periods with their frozen rows.
//
// Immutable once loaded; shared by the engine's model (model::Dims).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kpi/engine.hpp"
#include "kpi/rewards.hpp"
#include "rewards/plan.hpp"

namespace kpi::sql {
class Database;
}

namespace kpi::rewards {

// A `kpi report` row frozen by a close, with the cap its KPI had then.
struct FrozenReportRow {
    ReportRow row;
    double cap = 0;
};

struct ClosedState {
    ClosedPeriod info;
    long long seq = 0;  // the order of the closes
    std::vector<FrozenReportRow> report;  // in `kpi report` order
    std::vector<PayoutRow> payout;        // in `kpi payout` order
    // (employee code, KPI code) → index into report, for a frozen figure.
    std::map<std::pair<std::string, std::string>, size_t, std::less<>> reportIndex;

    const FrozenReportRow* reportRow(const std::string& employee, const std::string& kpi) const;
};

struct Model {
    Plans plans;
    std::vector<ClosedState> closed;  // sorted by (period type, first day)

    // The closed period equal to `period` (type and days), or nullptr.
    const ClosedState* closedPeriod(const Period& period) const;
    // Closed periods of `type`, oldest first.
    std::vector<const ClosedState*> closedOfType(PeriodType type) const;
    // The period closed last among those still closed, or nullptr.
    const ClosedState* lastClosed() const;
};

// Reads plans, assignments and closed periods; an empty model for a store
// without the reward tables (not upgraded yet).
std::shared_ptr<const Model> loadModel(sql::Database& db);

}  // namespace kpi::rewards
