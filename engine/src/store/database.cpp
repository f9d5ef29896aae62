#include "store/database.hpp"

#include "kpi/store_location.hpp"
#include "store/postgres/connection.hpp"
#include "store/sqlite/sqlite.hpp"

namespace kpi::sql {

std::string upsertSql(const std::string& table, const std::vector<std::string>& columns, size_t keys) {
    std::string names, values;
    for (size_t c = 0; c < columns.size(); ++c) {
        names += (c ? ", " : "") + columns[c];
        values += (c ? ", ?" : "?") + std::to_string(c + 1);
    }
    return "INSERT INTO " + table + "(" + names + ") VALUES(" + values + ") " + upsertConflictSql(table, columns, keys);
}

std::string upsertConflictSql(const std::string& table, const std::vector<std::string>& columns, size_t keys) {
    std::string key, set, differs;
    for (size_t c = 0; c < columns.size(); ++c) {
        const std::string& name = columns[c];
        if (c < keys) {
            key += (c ? ", " : "") + name;
            continue;
        }
        set += (set.empty() ? "" : ", ") + name + " = excluded." + name;
        // Qualified: PostgreSQL reads a bare name here as ambiguous.
        differs += (differs.empty() ? "" : " OR ") + table + "." + name + " IS DISTINCT FROM excluded." + name;
    }
    return "ON CONFLICT(" + key + ") DO UPDATE SET " + set + " WHERE " + differs;
}

std::unique_ptr<Database> open(const std::string& location, Open mode) {
    const StoreLocation where = parseStoreLocation(location);
    if (where.kind == StoreLocation::Kind::Postgres) return std::make_unique<PgDatabase>(where.text, mode);
    return std::make_unique<SqliteDatabase>(where.text, mode);
}

}  // namespace kpi::sql
