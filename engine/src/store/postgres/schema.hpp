// The PostgreSQL store's schema (docs/postgresql.md): the tables of SQLite
// schema version 3 (schema.cpp, store_rules.cpp, rewards/schema.cpp) with the
// same names, columns, keys and checks; PL/pgSQL triggers that refuse the same
// bad direct writes with the same reasons and write the same change log and
// audit rows; the change log numbered in commit order with a NOTIFY at commit;
// and row-level security per login (security.cpp).
#pragma once

#include <string>
#include <vector>

namespace kpi::pg {

// SQL that creates the schema at kSchemaVersion in the connection's current
// schema (the first of its search_path), or upgrades an older one in place.
// Idempotent: running it again changes nothing. `kpi init` runs it inside one
// transaction. Refuses (raises) a schema of a newer version.
//
// Besides SQLite's tables it creates:
//  - kpi_change_counter: one row, the highest committed changes.seq. A change
//    row takes its seq under that row's lock, held until commit, so seq
//    follows commit order (a reader asking `seq > last` never skips a row that
//    commits late). At commit the counter is written back and
//    NOTIFY kpi_changes, payload the new highest seq, is sent (once per
//    transaction).
//  - kpi_logins: login → employee code ('*': everything) and writer flag,
//    read by the row-level security policies; only the schema owner reads it.
//  - functions kpi_grant_manager(login, employee), kpi_grant_writer(login),
//    kpi_revoke(login), executable by the schema owner only (security.hpp).
//
// The bulk path (`kpi import`, which checks every value and writes its change
// and audit rows itself, as on SQLite): inside its transaction the schema
// owner runs `SET LOCAL kpi.import = 'on'` (or set_config on the session), and
// the check, change-log, audit and child-side reference triggers do not fire
// for its rows (their
// WHEN is false: no PL/pgSQL call, no queued event; COPY of 200,000 lines
// measured 0.71–0.76 s, against 0.53–0.64 s with the user triggers disabled
// and 1.75 s when the triggers returned early). For any other login the
// setting changes nothing.
std::string initSql();

// A reference SQLite's schema makes by a foreign key (all DEFERRABLE INITIALLY
// DEFERRED but frozen rows'), held in PostgreSQL by the schema's own triggers
// instead of a REFERENCES key (schema.cpp, referenceTriggers): checked at
// commit for every writer but the owner's `kpi import`, which checks them
// itself. The others (plans', frozen rows') stay REFERENCES keys.
struct Reference {
    const char* child;
    const char* column;
    const char* parent;
    const char* key;
    bool cascade;  // ON DELETE CASCADE
};
std::vector<Reference> triggerReferences();

// SQL of an audited target state, "target=…;weight=…;valid_to=…", for row
// alias `row`, with numbers as SQLite writes a REAL (kpi_real_text()).
std::string targetState(const std::string& row);

}  // namespace kpi::pg
