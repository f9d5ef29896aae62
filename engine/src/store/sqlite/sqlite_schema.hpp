// The schema of an SQLite store (docs/store.md describes it for people) and
// its upgrades: the SQLite side of Database::createOrUpgrade() and
// Database::storedVersion().
#pragma once

#include <string>

namespace kpi::sql {
class SqliteDatabase;
}

namespace kpi::schema::sqlite {

// Triggers keep the change log (`changes`) and the target audit
// (`target_history`) for writers other than `kpi import`: a DMS writing
// directly, or sqlite3 by hand; from version 3 they also refuse bad values
// (store_rules.hpp). The import turns triggers off on its own connection,
// checks every value itself and writes one change row per touched (employee,
// day) bucket and its audit rows itself, which is several times cheaper than a
// trigger per row. These are version 1's (every store is created at version 1
// and then upgraded step by step).
std::string triggersV1();

// The file's schema version (PRAGMA user_version); `empty` for a file that
// holds nothing. Throws Error Corruption when it is not a SalesKPI store.
int storedVersion(sql::SqliteDatabase& db, bool& empty);

// Creates the schema in an empty database or upgrades an older one in place,
// inside one transaction (schema::createOrUpgrade() says more).
void createOrUpgrade(sql::SqliteDatabase& db);

}  // namespace kpi::schema::sqlite
