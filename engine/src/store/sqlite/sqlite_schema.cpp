#include "store/sqlite/sqlite_schema.hpp"

#include <string>
#include <vector>

#include "kpi/error.hpp"
#include "kpi/store.hpp"
#include "schema.hpp"
#include "store/sqlite/rewards_schema.hpp"
#include "store/sqlite/sqlite.hpp"
#include "store/sqlite/store_rules.hpp"

namespace kpi::schema::sqlite {
namespace {

// Version 1, kept as it was: every new store is created at version 1 and then
// taken through each upgrade step, so that the steps an old store takes are
// the ones every test store takes. Natural keys (the codes of SPEC §3)
// everywhere, so that a DMS can write rows directly with the codes it already has.
constexpr const char* kSchemaV1 = R"SQL(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;

CREATE TABLE employees(
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  manager_code TEXT REFERENCES employees(code) DEFERRABLE INITIALLY DEFERRED,
  department TEXT,
  region TEXT,
  start_date TEXT NOT NULL,
  end_date TEXT,
  CHECK (end_date IS NULL OR end_date >= start_date)
);

CREATE TABLE outlets(
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  channel TEXT,
  province TEXT,
  created_date TEXT NOT NULL,
  created_by TEXT REFERENCES employees(code) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX outlets_by_creator ON outlets(created_by, created_date);

CREATE TABLE products(
  sku TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  category TEXT,
  brand TEXT
);

CREATE TABLE routes(
  employee_code TEXT NOT NULL REFERENCES employees(code) DEFERRABLE INITIALLY DEFERRED,
  outlet_code TEXT NOT NULL REFERENCES outlets(code) DEFERRABLE INITIALLY DEFERRED,
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  PRIMARY KEY (employee_code, outlet_code, valid_from),
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
) WITHOUT ROWID;

CREATE TABLE visits(
  visit_code TEXT PRIMARY KEY,
  employee_code TEXT NOT NULL REFERENCES employees(code) DEFERRABLE INITIALLY DEFERRED,
  outlet_code TEXT NOT NULL REFERENCES outlets(code) DEFERRABLE INITIALLY DEFERRED,
  visit_time TEXT NOT NULL,
  visit_date TEXT GENERATED ALWAYS AS (substr(visit_time, 1, 10)) VIRTUAL
) WITHOUT ROWID;
-- One index serves both a date range (the prefix) and one (day, employee) bucket.
CREATE INDEX visits_by_date ON visits(visit_date, employee_code);

CREATE TABLE orders(
  order_code TEXT PRIMARY KEY,
  employee_code TEXT NOT NULL REFERENCES employees(code) DEFERRABLE INITIALLY DEFERRED,
  outlet_code TEXT NOT NULL REFERENCES outlets(code) DEFERRABLE INITIALLY DEFERRED,
  order_time TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('sale', 'return')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
  approved_time TEXT,
  order_date TEXT GENERATED ALWAYS AS (substr(order_time, 1, 10)) VIRTUAL
) WITHOUT ROWID;
-- (day, employee) is a bucket, (day, employee, outlet) a call.
CREATE INDEX orders_by_date ON orders(order_date, employee_code, outlet_code);

CREATE TABLE order_lines(
  order_code TEXT NOT NULL REFERENCES orders(order_code) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  line_no INTEGER NOT NULL,
  sku TEXT NOT NULL REFERENCES products(sku) DEFERRABLE INITIALLY DEFERRED,
  quantity REAL NOT NULL CHECK (quantity >= 0),
  amount REAL NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (order_code, line_no)
) WITHOUT ROWID;

CREATE TABLE kpis(
  code TEXT PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN ('SALES','VOLUME','PC','LPPC','ASO','UB','COVERAGE','NEW_OUTLETS',
                                     'FOCUS_SALES','FOCUS_OUTLETS','VISITS','STRIKE_RATE','DROP_SIZE')),
  name_vi TEXT NOT NULL,
  name_en TEXT NOT NULL,
  description TEXT,
  applies_to TEXT,
  unit TEXT,
  params TEXT,
  cap REAL CHECK (cap IS NULL OR cap > 0)
);

-- kpi_code names a row of kpis or a bare KPI type (SPEC §6), hence no foreign key.
CREATE TABLE targets(
  employee_code TEXT NOT NULL REFERENCES employees(code) DEFERRABLE INITIALLY DEFERRED,
  kpi_code TEXT NOT NULL,
  period_type TEXT NOT NULL CHECK (period_type IN ('DAY','WEEK','MONTH','QUARTER','YEAR','CYCLE')),
  valid_from TEXT NOT NULL,
  valid_to TEXT NOT NULL,
  target REAL NOT NULL CHECK (target >= 0),
  weight REAL NOT NULL DEFAULT 1 CHECK (weight >= 0),
  PRIMARY KEY (employee_code, kpi_code, period_type, valid_from),
  CHECK (valid_to >= valid_from)
) WITHOUT ROWID;

CREATE TABLE holidays(date TEXT PRIMARY KEY, name TEXT) WITHOUT ROWID;

-- Every change to a target: who, when, before and after (SPEC §3).
CREATE TABLE target_history(
  id INTEGER PRIMARY KEY,
  changed_at TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('new', 'edit', 'remove')),
  employee_code TEXT NOT NULL,
  kpi_code TEXT NOT NULL,
  period_type TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  before TEXT,
  after TEXT
);
CREATE INDEX target_history_by_key ON target_history(employee_code, kpi_code);

-- What changed, for readers that fold changes in incrementally. An order row
-- names the order and its state before the change (old_status NULL: it did not
-- exist), so a reader can add a newly approved order at a cost proportional to
-- that order; a line or visit row names the (employee, day) it touches; other
-- tables name only themselves (source), with the other columns NULL.
CREATE TABLE changes(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL,
  employee_code TEXT,
  day TEXT,
  ref TEXT,
  old_status TEXT
);
)SQL";

}  // namespace

// Version 1's triggers (version 3 replaces them: store_rules.hpp).
std::string triggersV1() {
    std::string sqlText;
    // Orders: one row per change, with the state before it.
    sqlText +=
        "CREATE TRIGGER orders_INSERT AFTER INSERT ON orders BEGIN INSERT INTO changes(source, employee_code, day, "
        "ref, old_status) VALUES('orders', NEW.employee_code, NEW.order_date, NEW.order_code, NULL); END;\n"
        "CREATE TRIGGER orders_UPDATE AFTER UPDATE ON orders BEGIN INSERT INTO changes(source, employee_code, day, "
        "ref, old_status) VALUES('orders', OLD.employee_code, OLD.order_date, OLD.order_code, OLD.status); "
        "INSERT INTO changes(source, employee_code, day, ref, old_status) SELECT 'orders', NEW.employee_code, "
        "NEW.order_date, NEW.order_code, NULL WHERE NEW.order_code <> OLD.order_code; END;\n"
        "CREATE TRIGGER orders_DELETE AFTER DELETE ON orders BEGIN INSERT INTO changes(source, employee_code, day, "
        "ref, old_status) VALUES('orders', OLD.employee_code, OLD.order_date, OLD.order_code, OLD.status); END;\n";
    auto line = [&](const char* event, const char* row) {
        sqlText += std::string("CREATE TRIGGER order_lines_") + event + "_" + row + " AFTER " + event +
                   " ON order_lines BEGIN INSERT INTO changes(source, employee_code, day, ref) SELECT 'order_lines', "
                   "employee_code, order_date, order_code FROM orders WHERE order_code = " + row + ".order_code; END;\n";
    };
    line("INSERT", "NEW");
    line("UPDATE", "OLD");
    line("UPDATE", "NEW");
    line("DELETE", "OLD");
    auto visit = [&](const char* event, const char* row) {
        sqlText += std::string("CREATE TRIGGER visits_") + event + "_" + row + " AFTER " + event +
                   " ON visits BEGIN INSERT INTO changes(source, employee_code, day) VALUES('visits', " + row +
                   ".employee_code, " + row + ".visit_date); END;\n";
    };
    visit("INSERT", "NEW");
    visit("UPDATE", "OLD");
    visit("UPDATE", "NEW");
    visit("DELETE", "OLD");
    for (const char* table : {"employees", "outlets", "products", "routes", "kpis", "targets", "holidays"}) {
        for (const char* event : {"INSERT", "UPDATE", "DELETE"}) {
            sqlText += std::string("CREATE TRIGGER ") + table + "_" + event + "_dim AFTER " + event + " ON " + table +
                       " BEGIN INSERT INTO changes(source) VALUES('" + table + "'); END;\n";
        }
    }
    const char* who = "'direct write'";
    const char* now = "strftime('%Y-%m-%d %H:%M:%S', 'now', 'localtime')";
    auto state = [](const char* row) { return targetState(row); };
    sqlText += std::string("CREATE TRIGGER targets_audit_insert AFTER INSERT ON targets BEGIN ") +
               "INSERT INTO target_history(changed_at, changed_by, action, employee_code, kpi_code, period_type, "
               "valid_from, before, after) VALUES(" + now + ", " + who +
               ", 'new', NEW.employee_code, NEW.kpi_code, NEW.period_type, NEW.valid_from, NULL, " + state("NEW") +
               "); END;\n";
    sqlText += std::string("CREATE TRIGGER targets_audit_update AFTER UPDATE ON targets BEGIN ") +
               "INSERT INTO target_history(changed_at, changed_by, action, employee_code, kpi_code, period_type, "
               "valid_from, before, after) VALUES(" + now + ", " + who +
               ", 'edit', NEW.employee_code, NEW.kpi_code, NEW.period_type, NEW.valid_from, " + state("OLD") + ", " +
               state("NEW") + "); END;\n";
    sqlText += std::string("CREATE TRIGGER targets_audit_delete AFTER DELETE ON targets BEGIN ") +
               "INSERT INTO target_history(changed_at, changed_by, action, employee_code, kpi_code, period_type, "
               "valid_from, before, after) VALUES(" + now + ", " + who +
               ", 'remove', OLD.employee_code, OLD.kpi_code, OLD.period_type, OLD.valid_from, " + state("OLD") +
               ", NULL); END;\n";
    return sqlText;
}

namespace {

// The names of the triggers an SQL text creates.
std::vector<std::string> triggerNames(const std::string& sqlText) {
    std::vector<std::string> names;
    const std::string create = "CREATE TRIGGER ";
    for (size_t at = sqlText.find(create); at != std::string::npos; at = sqlText.find(create, at + 1)) {
        size_t begin = at + create.size(), end = sqlText.find(' ', begin);
        names.push_back(sqlText.substr(begin, end - begin));
    }
    return names;
}

// Version 3: the store refuses values that break the rules of SPEC §3 (dates,
// times, numbers with at most 4 decimals, enumerations), the change log
// follows REPLACE too, and the target audit and the change log only grow
// (store_rules.hpp). Rows an older store already holds that break the rules
// are listed, and nothing is changed (not even an earlier step of the same
// `kpi init`): the admin corrects them and runs `kpi init` again; until then
// the store stays at its version, which this build reads as before.
void upgradeToVersion3(sql::SqliteDatabase& db, int storedVersion) {
    constexpr size_t kListed = 100;
    auto broken = rules::findViolations(db, kListed);
    if (broken.count > 0) {
        std::string text = "store " + db.path().string() + " cannot be upgraded to schema version 3: " +
                           std::to_string(broken.count) + (broken.count == 1 ? " row breaks" : " rows break") +
                           " the rules that version adds. Nothing was changed (the store stays at version " +
                           std::to_string(storedVersion) +
                           ", which SalesKPI still reads); correct or delete these rows, then run `kpi init` again:\n";
        for (const auto& line : broken.lines) text += "  " + line + "\n";
        if (broken.count > static_cast<long long>(broken.lines.size()))
            text += "  … and " + std::to_string(broken.count - static_cast<long long>(broken.lines.size())) + " more\n";
        text.pop_back();
        throw Error(Error::Kind::InvalidData, text);
    }
    // Version 1's triggers give way to version 3's (of which none can exist
    // yet in a real store; dropping them too keeps the step safe to repeat).
    const std::string next = rules::triggersV3();
    for (const auto& sqlText : {triggersV1(), next})
        for (const auto& name : triggerNames(sqlText)) db.exec("DROP TRIGGER IF EXISTS " + name);
    db.exec(next);
}

constexpr const char* kApplicationId = "1262636875";  // 0x4B415F4B, "KA_K": marks a SalesKPI store

}  // namespace

int storedVersion(sql::SqliteDatabase& db, bool& empty) {
    auto objects = db.prepare("SELECT count(*) FROM sqlite_schema");
    objects.step();
    empty = objects.int64(0) == 0;
    if (empty) return 0;
    auto appId = db.prepare("PRAGMA application_id");
    appId.step();
    if (std::to_string(appId.int64(0)) != kApplicationId)
        throw Error(Error::Kind::Corruption, "not a SalesKPI store: " + db.path().string());
    auto version = db.prepare("PRAGMA user_version");
    version.step();
    return static_cast<int>(version.int64(0));
}

void createOrUpgrade(sql::SqliteDatabase& db) {
    sql::Transaction tx(db);
    bool empty = false;
    int version = storedVersion(db, empty);
    if (version > kSchemaVersion)
        throw Error(Error::Kind::Corruption, "store " + db.path().string() + " has schema version " +
                                                 std::to_string(version) + ", newer than this kpi (" +
                                                 std::to_string(kSchemaVersion) + "); upgrade SalesKPI");
    const int stored = version;  // what the file says, before any step
    if (empty) {
        db.exec(kSchemaV1);
        db.exec(triggersV1());
        db.exec(std::string("PRAGMA application_id = ") + kApplicationId);
        version = 1;
    }
    // One step per version, each in place, all in this one transaction.
    if (version == 1) {
        // Rewards: plans, assignments, closed pay periods (rewards/schema.hpp).
        rewards::schema::sqlite::createTables(db);
        version = 2;
    }
    if (version == 2) {
        upgradeToVersion3(db, stored);
        version = 3;
    }
    db.exec("PRAGMA user_version = " + std::to_string(version));
    // The identity readers compare on every check: a new or re-created store
    // gets a new one; a store that lacks one gets it here, once.
    db.exec("INSERT OR IGNORE INTO meta(key, value) VALUES('store_id', lower(hex(randomblob(16))))");
    tx.commit();
}

}  // namespace kpi::schema::sqlite
