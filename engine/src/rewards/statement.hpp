// One person's reward statement (`kpi statement`), built from their payout
// rows: the rows grouped by plan, with the KPI names and the calls behind each
// figure.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kpi/engine.hpp"
#include "kpi/rewards.hpp"
#include "rewards/model.hpp"

namespace kpi::rewards {

struct StatementInputs {
    EmployeeInfo employee;
    Period period{};
    std::optional<ClosedPeriod> closed;
    bool live = false;
    std::vector<PayoutRow> rows;  // the employee's own payout rows, in order
    // (Vietnamese, English) name of a KPI code.
    std::function<std::pair<std::string, std::string>(const std::string& kpiCode)> kpiNames;
    // Whether `kpi report --period P --employee E` has a row for the KPI.
    std::function<bool(const std::string& kpiCode)> hasReportRow;
};

Statement buildStatement(const Model& model, StatementInputs inputs);

// KPI.DETAIL("NV01"; "DS"; "2026-11"), as a formula in Calc.
std::string detailFormula(const std::string& employeeCode, const std::string& kpiCode, const Period& period);

}  // namespace kpi::rewards
