#include "schema.hpp"

#include "kpi/error.hpp"
#include "kpi/store.hpp"
#include "store/database.hpp"

namespace kpi::schema {

std::string targetState(const std::string& row, const sql::Database* db) {
    const auto real = [&](const std::string& column) {
        const std::string x = row + "." + column;
        return db ? db->realTextSql(x) : x;
    };
    return "'target=' || " + real("target") + " || ';weight=' || " + real("weight") + " || ';valid_to=' || " + row +
           ".valid_to";
}

void createOrUpgrade(sql::Database& db) { db.createOrUpgrade(); }

std::string storeId(sql::Database& db) {
    auto st = db.prepare("SELECT value FROM meta WHERE key = 'store_id'");
    return st.step() ? std::string(st.text(0)) : std::string();
}

void checkReadable(sql::Database& db) {
    bool empty = false;
    int version = db.storedVersion(empty);
    if (empty) throw Error(Error::Kind::Corruption, "store " + db.path().string() + " is empty; run `kpi init`");
    // Every older version is read as it is (its figures as before); `kpi init` upgrades it.
    if (version < 1)
        throw Error(Error::Kind::Corruption, "store " + db.path().string() +
                                                 " has no schema version; run `kpi init` to create its schema");
    if (version > kSchemaVersion)
        throw Error(Error::Kind::Corruption, "store " + db.path().string() + " has schema version " +
                                                 std::to_string(version) + ", newer than this SalesKPI (it reads 1 to " +
                                                 std::to_string(kSchemaVersion) + "); install the newer SalesKPI");
}

}  // namespace kpi::schema
