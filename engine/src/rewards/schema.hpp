// The store's tables for rewards (docs/store.md): plans, their components and
// assignments with their audit, and closed pay periods with their frozen rows.
// They come as one upgrade step of the schema (schema::createOrUpgrade).
#pragma once

#include <string>

namespace kpi::sql {
class Database;
}

namespace kpi::rewards::schema {

// Creates the reward tables, views and triggers in a store that has none
// (inside the caller's transaction).
void createTables(sql::Database& db);

// True when the store has the reward tables (a store not upgraded yet has
// none: readers then see no plans and no closed period).
bool hasTables(sql::Database& db);

// SQL text of an audited state, for row alias `row` (NEW, OLD or a table alias):
// "name_vi=…;name_en=…;period_type=…;gate_kpi=…;gate_min=…;curve_mode=…",
// "weight=…;curve=…" and "valid_to=…;incentive=…".
std::string planState(const std::string& row);
std::string componentState(const std::string& row);
std::string assignmentState(const std::string& row);

// SQL text of the key columns of a plan_history row (plan_code, kpi_code,
// employee_code, valid_from) for a row of `table` (plans, plan_components or
// plan_assignments) with alias `row`; NULL where the table has no such key.
std::string auditKeys(const std::string& table, const std::string& row);

}  // namespace kpi::rewards::schema
