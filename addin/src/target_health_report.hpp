// The target_health report sheet kind (report_sheets.hpp): the attainment
// bands per KPI of a period's targets, then the flags of kpi/target_health.hpp,
// each with the orders, visits or outlets behind it, in English or Vietnamese.
//
// Rows 3… hold the bands (KPI, targets, under 80 %, 80–120 %, over 120 %, out
// of reach, given away; counts with their share, as text), an empty row, the
// flags' own header row, then one row per flag (code, name, KPI, flag, days,
// attainment, without the records, the records, what was seen).
//
// Thread-safety: targetHealthTable is pure; buildTargetHealth reads the store
// (kpi::targetHealth): never call it on the office's main thread — the report
// sheets get it through target_health_sheets.
#pragma once

#include <string>
#include <vector>

#include "function_catalog.hpp"
#include "kpi/engine.hpp"
#include "kpi/target_health.hpp"
#include "report_sheets.hpp"

namespace saleskpi::addin {

// Appends the bands and flags of `health` to `table` (which holds the title
// row); names from `employees`.
void targetHealthTable(const kpi::TargetHealth& health, const std::vector<kpi::EmployeeInfo>& employees,
                       Language language, ReportTable& table);

// Computes target health for the period and scope ("*" = everyone) and
// appends it to `table`. Reads the store.
void buildTargetHealth(kpi::Engine& engine, const kpi::Period& period, const std::string& scope, kpi::Day today,
                       Language language, ReportTable& table);

// The flag's name for people: "Sales bunched in the last days", …
std::string healthFlagTitle(kpi::HealthFlagKind kind, Language language);

}  // namespace saleskpi::addin
