// The store's tables for rewards (docs/store.md): plans, their components and
// assignments with their audit, and closed pay periods with their frozen rows.
// The tables themselves are the backend's (store/sqlite/rewards_schema.hpp).
#pragma once

#include <string>

namespace kpi::sql {
class Database;
}

namespace kpi::rewards::schema {

// True when the store has the reward tables (a store not upgraded yet has
// none: readers then see no plans and no closed period).
bool hasTables(sql::Database& db);

// SQL text of an audited state, for row alias `row` (NEW, OLD or a table alias):
// "name_vi=…;name_en=…;period_type=…;gate_kpi=…;gate_min=…;curve_mode=…",
// "weight=…;curve=…" and "valid_to=…;incentive=…". Numbers read as SQLite
// shows a REAL; `db` (nullptr: SQLite) gives the dialect.
std::string planState(const std::string& row, const sql::Database* db = nullptr);
std::string componentState(const std::string& row, const sql::Database* db = nullptr);
std::string assignmentState(const std::string& row, const sql::Database* db = nullptr);

// SQL text of the key columns of a plan_history row (plan_code, kpi_code,
// employee_code, valid_from) for a row of `table` (plans, plan_components or
// plan_assignments) with alias `row`; NULL where the table has no such key.
std::string auditKeys(const std::string& table, const std::string& row);

}  // namespace kpi::rewards::schema
