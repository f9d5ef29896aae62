// The first import into empty tables on PostgreSQL (store/database.hpp,
// FirstLoad): COPY straight into the store's own tables instead of through a
// temporary table and INSERT … SELECT, with what makes each row slow to store
// set aside inside the import's transaction and put back before it commits —
// its indexes and primary key (built again in one pass by CREATE INDEX), its
// triggers (the import checked every reference and writes the change log
// itself) and FORCE ROW LEVEL SECURITY (COPY cannot write a table whose
// policies apply to the writer). docs/postgresql.md, "Import speed".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace kpi::sql {
class PgDatabase;
namespace pg {

// PgDatabase::firstLoad: nullptr unless every table is empty, owned by this
// login and named by no foreign key; otherwise the tables are locked (ACCESS
// EXCLUSIVE, until the transaction ends) and set aside.
std::unique_ptr<FirstLoad> startFirstLoad(PgDatabase& db, const std::vector<std::string>& tables);

}  // namespace pg
}  // namespace kpi::sql
