// The reward tables of an SQLite store (docs/store.md): plans, their
// components and assignments with their audit, and closed pay periods with
// their frozen rows. They come as one upgrade step of the schema.
#pragma once

namespace kpi::sql {
class Database;
}

namespace kpi::rewards::schema::sqlite {

// Creates the reward tables, views and triggers in a store that has none
// (inside the caller's transaction).
void createTables(sql::Database& db);

}  // namespace kpi::rewards::schema::sqlite
