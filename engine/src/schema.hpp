// The store's schema (docs/store.md describes it for people) and its upgrades.
#pragma once

#include <string>

namespace kpi::sql {
class Database;
}

namespace kpi::schema {

// Triggers keep the change log (`changes`) and the target audit
// (`target_history`) for writers other than `kpi import`: a DMS writing
// directly, or sqlite3 by hand. The import turns triggers off on its own
// connection and writes one change row per touched (employee, day) bucket and
// its audit rows itself, which is several times cheaper than a trigger per row.
std::string triggersV1();

// SQL text of a target's audited state, e.g. "target=200000.0;weight=1.0;valid_to=…",
// for row alias `row` (NEW, OLD, or a table alias).
std::string targetState(const std::string& row);

// Creates the schema in an empty database or upgrades an older one in place,
// inside one transaction. Throws Error Corruption for a database that is not a
// SalesKPI store, or whose schema is newer than this build.
void createOrUpgrade(sql::Database& db);

// The store's identity: meta `store_id`, a random 128-bit hex text that
// createOrUpgrade() writes once. A store replaced underneath (rewritten in
// place, or removed and made again) has another one; "" for a store made
// before SalesKPI wrote one and not initialised since.
std::string storeId(sql::Database& db);

// Throws Error Corruption unless db holds a SalesKPI store of a version this
// build can read.
void checkReadable(sql::Database& db);

}  // namespace kpi::schema
