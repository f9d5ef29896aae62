// Where a store is (kpi/store_location.hpp), and the PostgreSQL backend's
// placeholder translation (store/postgres/connection.hpp).
#include <gtest/gtest.h>

#include "kpi/error.hpp"
#include "kpi/store_location.hpp"
#include "store/postgres/connection.hpp"

namespace {

using kpi::StoreLocation;

StoreLocation::Kind kindOf(const char* text) { return kpi::parseStoreLocation(text).kind; }

std::string refusal(const char* text) {
    try {
        kpi::parseStoreLocation(text);
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::InvalidArgument);
        return e.what();
    }
    return "";
}

TEST(StoreLocation, UrisAndConninfosArePostgresPathsAreSqlite) {
    EXPECT_EQ(kindOf("postgresql://kpi@db.example/kpi"), StoreLocation::Kind::Postgres);
    EXPECT_EQ(kindOf("postgres:///kpi?host=/tmp/x"), StoreLocation::Kind::Postgres);
    EXPECT_EQ(kindOf("service=kpi"), StoreLocation::Kind::Postgres);
    EXPECT_EQ(kindOf("host=/tmp/x dbname=kpi"), StoreLocation::Kind::Postgres);
    EXPECT_EQ(kindOf("kpi.sqlite"), StoreLocation::Kind::Sqlite);
    EXPECT_EQ(kindOf("/srv/share/kpi.sqlite"), StoreLocation::Kind::Sqlite);
    EXPECT_EQ(kindOf("C:\\kpi\\store.sqlite"), StoreLocation::Kind::Sqlite);
    // A path is a path even when it holds '=' (it begins like one).
    EXPECT_EQ(kindOf("/data/run=3/kpi.sqlite"), StoreLocation::Kind::Sqlite);
    EXPECT_EQ(kindOf("./a=b.sqlite"), StoreLocation::Kind::Sqlite);
    EXPECT_EQ(kpi::parseStoreLocation("service=kpi").text, "service=kpi");
    EXPECT_TRUE(kpi::isPostgresLocation("postgresql://x/y"));
    EXPECT_FALSE(kpi::isPostgresLocation("kpi.sqlite"));
}

TEST(StoreLocation, APasswordIsRefusedNamingPgpassAndServiceFile) {
    for (const char* text : {"host=/tmp/x password=secret dbname=kpi", "password = 'a b' host=x",
                              "postgresql://kpi:secret@db/kpi", "postgres://kpi:@db/kpi",
                              "postgresql://db/kpi?user=kpi&password=secret"}) {
        const std::string message = refusal(text);
        EXPECT_NE(message.find("~/.pgpass"), std::string::npos) << text;
        EXPECT_NE(message.find("pg_service.conf"), std::string::npos) << text;
        EXPECT_EQ(message.find("secret"), std::string::npos) << text;  // never repeated
    }
    // Not a password: a user name, an '@' host, a value that merely contains the word.
    EXPECT_EQ(refusal("postgresql://kpi@db/kpi"), "");
    EXPECT_EQ(refusal("host=/tmp/x application_name='password=no'"), "");
    EXPECT_EQ(refusal("passwordless=1 service=kpi"), "");
    EXPECT_NE(refusal(""), "");
}

TEST(PostgresStatement, PlaceholdersBecomeDollarsOutsideQuotesAndComments) {
    using kpi::sql::pg::translatePlaceholders;
    EXPECT_EQ(translatePlaceholders("SELECT a FROM t WHERE b = ?1 AND c BETWEEN ?2 AND ?12"),
              "SELECT a FROM t WHERE b = $1 AND c BETWEEN $2 AND $12");
    EXPECT_EQ(translatePlaceholders("SELECT '?1', \"x?2\" -- ?3\n, ?4"), "SELECT '?1', \"x?2\" -- ?3\n, $4");
    EXPECT_EQ(translatePlaceholders("SELECT 'it''s ?1', ?2"), "SELECT 'it''s ?1', $2");
    EXPECT_EQ(translatePlaceholders("SELECT ?"), "SELECT ?");
}

}  // namespace
