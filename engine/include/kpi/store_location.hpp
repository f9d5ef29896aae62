// Where a store is: one reading of the text users give as --store, KPI_STORE,
// or the add-in's store setting (docs/postgresql.md#where-the-store-is).
//
//   postgresql://…, postgres://…   a PostgreSQL connection URI
//   text holding '=' (service=kpi, host=/run/x dbname=kpi)   a libpq conninfo
//   anything else                  the path of an SQLite file (also text
//                                  beginning with '/', '.' or '~', '=' or not)
//
// A PostgreSQL location never holds a password: it is shown in messages and
// kept in settings and shell history. It is refused, with a message naming
// ~/.pgpass and pg_service.conf, where libpq finds passwords instead.
#pragma once

#include <string>
#include <string_view>

namespace kpi {

struct StoreLocation {
    enum class Kind { Sqlite, Postgres };
    Kind kind = Kind::Sqlite;
    std::string text;  // as given
};

// Throws Error InvalidArgument for a PostgreSQL location holding a password
// (password=… in a conninfo, user:password@ or ?password= in a URI) or an
// empty text.
StoreLocation parseStoreLocation(std::string_view text);

// True for text that names a PostgreSQL store (no check beyond the form).
bool isPostgresLocation(std::string_view text);

}  // namespace kpi
