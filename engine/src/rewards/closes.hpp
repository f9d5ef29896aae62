// Closing and reopening pay periods (SPEC §10) in a store, and the audit
// histories of rewards. The writes behind Store::closePeriod() & co.
#pragma once

#include <string>
#include <vector>

#include "kpi/rewards.hpp"

namespace kpi::sql {
class Database;
}

namespace kpi::rewards {

// Freezes what `kpi report --period P` and `kpi payout --period P` give now,
// in one transaction. Throws Error InvalidArgument (and changes nothing) when
// P is not a MONTH, QUARTER or YEAR, has not ended (kpi::today()), is closed
// already or lies before a closed period of its type; Corruption for a store
// without the reward tables (run `kpi init`); Busy or Io.
CloseSummary closePeriod(sql::Database& db, const Period& period, const std::string& user);

// Discards P's frozen rows (and the adjustments settled in them). Throws Error
// InvalidArgument when the reason is empty, P is not closed, or another period
// was closed after it (closes unwind like a stack).
ClosedPeriod reopenPeriod(sql::Database& db, const Period& period, const std::string& reason, const std::string& user);

// The periods closed now, in the order they were closed.
std::vector<ClosedPeriod> closedPeriods(sql::Database& db);

// Every close and reopen, oldest first (none for a store without the reward tables).
std::vector<CloseEvent> closeHistory(sql::Database& db);

// Every change to plans, components and assignments, oldest first; empty
// filters match everything.
std::vector<PlanEdit> planHistory(sql::Database& db, const std::string& planCode, const std::string& employeeCode);

}  // namespace kpi::rewards
