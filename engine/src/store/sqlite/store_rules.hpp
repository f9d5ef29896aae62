// What the store itself enforces on writers other than `kpi import` (schema
// version 3; docs/store.md, "Writing directly"): the rules every value must
// follow, the change log readers fold in, the target audit, and the audit and
// log kept read-only. One list of column rules serves both the triggers that
// refuse a bad write and the upgrade that first looks for rows breaking them.
//
// The triggers use only SQL that SQLite 3.31 (the first with generated
// columns, which schema version 1 already needs) parses, so that any DMS
// whose SQLite can open the store can write to it. RAISE() takes only a fixed
// text there, so a refusal names the table, the column and the rule, not the
// value (the writer has it at hand).
#pragma once

#include <string>
#include <vector>

namespace kpi::sql {
class Database;
}

namespace kpi::rules {

// The column rules of version 3 without a dialect: each store turns a test
// into its own SQL (SQLite here, PostgreSQL in store/postgres/schema.cpp).
enum class RuleTest {
    NotDate,          // not a real date YYYY-MM-DD
    NotTime,          // not a real time YYYY-MM-DD HH:MM:SS, hours 00-23
    NotNumber,        // not a number (a text)
    Negative,         // < 0
    NotPositive,      // <= 0
    TooLarge,         // > 1e14
    TooManyDecimals,  // more than 4 decimals, beyond a writer's floating-point noise
    NotLineNumber,    // not a whole number >= 1
    NotOrderType,
    NotOrderStatus,
    NotPeriodType,
    NotKpiType,
};
struct ColumnRule {
    const char* table;
    const char* column;
    RuleTest test;
    std::string message;  // what a refusal says, e.g. "orders.type must be sale or return"
};
// Every rule, per table in the order a trigger tests them (NULL passes every rule).
const std::vector<ColumnRule>& columnRules();

// Every trigger of schema version 3 on the tables of SPEC §3 (the reward tables
// keep their own, rewards/schema.hpp), as SQL text (CREATE TRIGGER …;).
std::string triggersV3();

// The rows that break the column rules of version 3, one line each, e.g.
//   orders order_code='DH1': order_time must be a time YYYY-MM-DD HH:MM:SS …, not '2026/11/02'
// At most `limit` lines; count says how many rows there are in all.
struct Violations {
    std::vector<std::string> lines;
    long long count = 0;
};
Violations findViolations(sql::Database& db, size_t limit);

}  // namespace kpi::rules
