// The store's schema as the engine sees it, whatever the backend: its
// version, its identity, and the audit texts shared SQL writes. The tables
// themselves are the backend's (store/sqlite/sqlite_schema.hpp, store/postgres/schema.hpp).
#pragma once

#include <string>

namespace kpi::sql {
class Database;
}

namespace kpi::schema {

// SQL text of a target's audited state, e.g. "target=200000.0;weight=1.0;valid_to=…",
// for row alias `row` (NEW, OLD, or a table alias). Numbers read as SQLite
// shows a REAL; `db` (nullptr: SQLite) gives the dialect.
std::string targetState(const std::string& row, const sql::Database* db = nullptr);

// Creates the schema in an empty store or upgrades an older one in place,
// inside one transaction. Throws Error Corruption for a store that is not a
// SalesKPI store, or whose schema is newer than this build; Error InvalidData,
// listing them, when rows of an older store break the rules of a newer version
// (the store is then left as it was).
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
