// The `kpi` commands of rewards (SPEC §7, §9–§10): payout, close, reopen,
// statement, and the plan and close histories of `kpi history`.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "kpi/rewards.hpp"
#include "output.hpp"

namespace kpi::cli {

int runPayout(const std::filesystem::path& store, const std::vector<std::string>& args);
int runClose(const std::filesystem::path& store, const std::vector<std::string>& args);
int runReopen(const std::filesystem::path& store, const std::vector<std::string>& args);
int runStatement(const std::filesystem::path& store, const std::vector<std::string>& args);

// `kpi history --of plans` and `--of closes`.
void printPlanHistory(const std::filesystem::path& store, const std::string& planCode, const std::string& employeeCode,
                      Format format);
void printCloseHistory(const std::filesystem::path& store, Format format);

// Prints the rows of a command about one period: CSV as they are (SPEC §7);
// a table under a line saying, when the period is closed, by whom and when;
// JSON as {"period", "period_type", "period_start", "period_end", "closed"
// (null or {"closed_at", "closed_by"}), "live", "rows"}.
void printPeriodRows(std::ostream& out, const Table& rows, Format format, const Period& period,
                     const std::optional<ClosedPeriod>& closed, bool live);

// The days an engine must load to answer about `period` (its closed periods'
// adjustments included): read from the store's closes.
Period windowFor(const std::filesystem::path& store, const Period& period);

}  // namespace kpi::cli
