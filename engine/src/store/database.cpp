#include "store/database.hpp"

#include "kpi/store_location.hpp"
#include "store/postgres/connection.hpp"
#include "store/sqlite/sqlite.hpp"

namespace kpi::sql {

std::unique_ptr<Database> open(const std::string& location, Open mode) {
    const StoreLocation where = parseStoreLocation(location);
    if (where.kind == StoreLocation::Kind::Postgres) return std::make_unique<PgDatabase>(where.text, mode);
    return std::make_unique<SqliteDatabase>(where.text, mode);
}

}  // namespace kpi::sql
