#include "store/sqlite/store_rules.hpp"

#include <cassert>

#include "schema.hpp"  // the shared one (engine/src)
#include "store/database.hpp"

namespace kpi::rules {
namespace {

enum class Kind { Date, Time, Number, PositiveNumber, LineNumber, OrderType, OrderStatus, PeriodType, KpiTypeName };

using Test = RuleTest;

// One way a value can break its rule, and what the rule says.
struct Check {
    Test test;
    const char* message;
};

struct Column {
    const char* name;
    Kind kind;
};

struct Table {
    const char* name;
    std::vector<const char*> key;  // for naming a row
    std::vector<Column> columns;   // the columns with a rule (NULL passes; NOT NULL is the schema's own)
};

const std::vector<Table>& tables() {
    static const std::vector<Table> all = {
        {"employees", {"code"}, {{"start_date", Kind::Date}, {"end_date", Kind::Date}}},
        {"outlets", {"code"}, {{"created_date", Kind::Date}}},
        {"routes", {"employee_code", "outlet_code", "valid_from"},
         {{"valid_from", Kind::Date}, {"valid_to", Kind::Date}}},
        {"visits", {"visit_code"}, {{"visit_time", Kind::Time}}},
        {"orders", {"order_code"},
         {{"order_time", Kind::Time}, {"approved_time", Kind::Time}, {"type", Kind::OrderType},
          {"status", Kind::OrderStatus}}},
        {"order_lines", {"order_code", "line_no"},
         {{"line_no", Kind::LineNumber}, {"quantity", Kind::Number}, {"amount", Kind::Number}}},
        {"kpis", {"code"}, {{"type", Kind::KpiTypeName}, {"cap", Kind::PositiveNumber}}},
        {"targets", {"employee_code", "kpi_code", "period_type", "valid_from"},
         {{"period_type", Kind::PeriodType}, {"valid_from", Kind::Date}, {"valid_to", Kind::Date},
          {"target", Kind::Number}, {"weight", Kind::Number}}},
        {"holidays", {"date"}, {{"date", Kind::Date}}},
    };
    return all;
}

// The ways a value of each kind can break its rule (not NULL: NULL passes),
// in the order a trigger tests them, with what the rule says.
std::vector<Check> checksOf(Kind kind) {
    // The limits of exact arithmetic (exact.hpp): at most 10^14 and 4 decimals.
    auto number = [](bool positive) {
        std::vector<Check> checks = {{Test::NotNumber, "must be a number (a text is refused)"}};
        if (positive) checks.push_back({Test::NotPositive, "must be greater than 0"});
        else checks.push_back({Test::Negative, "must not be negative"});
        checks.push_back({Test::TooLarge, "must be at most 100000000000000"});
        checks.push_back({Test::TooManyDecimals, "must have at most 4 decimals"});
        return checks;
    };
    switch (kind) {
    case Kind::Date: return {{Test::NotDate, "must be a date YYYY-MM-DD (a real calendar date)"}};
    case Kind::Time: return {{Test::NotTime, "must be a time YYYY-MM-DD HH:MM:SS (a real date, hours 00-23)"}};
    case Kind::Number: return number(false);
    case Kind::PositiveNumber: return number(true);
    case Kind::LineNumber: return {{Test::NotLineNumber, "must be a whole number of at least 1"}};
    case Kind::OrderType: return {{Test::NotOrderType, "must be sale or return"}};
    case Kind::OrderStatus: return {{Test::NotOrderStatus, "must be pending, approved, rejected or cancelled"}};
    case Kind::PeriodType: return {{Test::NotPeriodType, "must be DAY, WEEK, MONTH, QUARTER, YEAR or CYCLE"}};
    case Kind::KpiTypeName:
        return {{Test::NotKpiType, "must be a KPI type (SALES, VOLUME, PC, LPPC, ASO, UB, COVERAGE, NEW_OUTLETS, "
                                   "FOCUS_SALES, FOCUS_OUTLETS, VISITS, STRIKE_RATE, DROP_SIZE)"}};
    }
    return {};
}

// SQLite's date functions take the calendar apart and put it together again
// when given a modifier: only a real date (time) in exactly this form comes
// back unchanged ('2026-02-30' becomes '2026-03-02', '2026-11-02 24:00:00' the
// next day, '2026-11-02 10:00' gains its seconds, a number is not a date).
std::string notDate(const std::string& x) { return "date(" + x + ", '+0 days') IS NOT " + x; }
std::string notTime(const std::string& x) { return "datetime(" + x + ", '+0 seconds') IS NOT " + x; }

// SQLite's condition, true when value x (not NULL) fails the test.
std::string sqliteBroken(Test test, const std::string& x) {
    switch (test) {
    case Test::NotDate: return notDate(x);
    case Test::NotTime: return notTime(x);
    case Test::NotNumber: return "typeof(" + x + ") NOT IN ('integer', 'real')";
    case Test::Negative: return x + " < 0";
    case Test::NotPositive: return x + " <= 0";
    case Test::TooLarge: return x + " > 1e14";
    // The decimals test allows the noise of a writer's own floating point
    // (0.1 + 0.2) and, above about 10^10, what REAL cannot tell apart.
    case Test::TooManyDecimals:
        return "abs(" + x + " * 10000 - round(" + x + " * 10000)) > 0.001 + abs(" + x + ") * 1e-11";
    case Test::NotLineNumber: return "typeof(" + x + ") <> 'integer' OR " + x + " < 1";
    case Test::NotOrderType: return x + " NOT IN ('sale', 'return')";
    case Test::NotOrderStatus: return x + " NOT IN ('pending', 'approved', 'rejected', 'cancelled')";
    case Test::NotPeriodType: return x + " NOT IN ('DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR', 'CYCLE')";
    case Test::NotKpiType:
        return x + " NOT IN ('SALES', 'VOLUME', 'PC', 'LPPC', 'ASO', 'UB', 'COVERAGE', 'NEW_OUTLETS', "
                   "'FOCUS_SALES', 'FOCUS_OUTLETS', 'VISITS', 'STRIKE_RATE', 'DROP_SIZE')";
    }
    return "0";
}

// BEFORE INSERT and BEFORE UPDATE triggers refusing a row that breaks a rule:
// one statement per table, the first broken rule raising its message. (Every
// connection parses these when it opens the store, so they are kept short.)
std::string checkTriggers() {
    std::string out;
    for (const Table& t : tables()) {
        std::string cases;
        for (const Column& c : t.columns) {
            const std::string value = std::string("NEW.") + c.name;
            for (const Check& check : checksOf(c.kind)) {
                std::string message = std::string(t.name) + "." + c.name + " " + check.message;
                assert(message.find('\'') == std::string::npos);
                cases += " WHEN " + value + " IS NOT NULL AND (" + sqliteBroken(check.test, value) +
                         ") THEN RAISE(ABORT, '" + message + "')";
            }
        }
        const std::string body = "SELECT CASE" + cases + " END;";
        for (const char* event : {"INSERT", "UPDATE"})
            out += std::string("CREATE TRIGGER check_") + t.name + "_" + (event[0] == 'I' ? "insert" : "update") +
                   " BEFORE " + event + " ON " + t.name + " BEGIN " + body + " END;\n";
    }
    return out;
}

// The change log (docs/store.md, "The change log"), complete for every form
// of write: REPLACE deletes the row it replaces without firing a DELETE
// trigger, so the state an INSERT or a key-changing UPDATE is about to
// replace is logged BEFORE it (an INSERT that then does nothing, OR IGNORE or
// an UPSERT, only makes a reader look at the row again).
std::string changeLogTriggers() {
    const std::string insertChange = "INSERT INTO changes(source, employee_code, day, ref, old_status) ";
    std::string out;
    auto trigger = [&](const std::string& name, const std::string& when, const std::string& body) {
        out += "CREATE TRIGGER " + name + " " + when + " BEGIN " + body + " END;\n";
    };
    // Orders: one row per change, with the state before it (old_status NULL: the order is new).
    const std::string orderState = "SELECT 'orders', employee_code, order_date, order_code, status FROM orders ";
    trigger("log_orders_replaced", "BEFORE INSERT ON orders",
            insertChange + orderState + "WHERE order_code = NEW.order_code;");
    trigger("log_orders_insert", "AFTER INSERT ON orders",
            insertChange + "VALUES('orders', NEW.employee_code, NEW.order_date, NEW.order_code, NULL);");
    trigger("log_orders_rekeyed_over", "BEFORE UPDATE OF order_code ON orders WHEN NEW.order_code IS NOT OLD.order_code",
            insertChange + orderState + "WHERE order_code = NEW.order_code;");
    trigger("log_orders_update", "AFTER UPDATE ON orders",
            insertChange + "VALUES('orders', OLD.employee_code, OLD.order_date, OLD.order_code, OLD.status); " +
                insertChange +
                "SELECT 'orders', NEW.employee_code, NEW.order_date, NEW.order_code, NULL WHERE NEW.order_code IS "
                "NOT OLD.order_code;");
    trigger("log_orders_delete", "AFTER DELETE ON orders",
            insertChange + "VALUES('orders', OLD.employee_code, OLD.order_date, OLD.order_code, OLD.status);");
    // Lines: the bucket of their order. A line's key includes its order, so a
    // line that REPLACE removes belongs to the order the new one names.
    auto line = [&](const char* event, const char* row) {
        trigger(std::string("log_order_lines_") + event + "_" + row, std::string("AFTER ") + event + " ON order_lines",
                std::string(insertChange) +
                    "SELECT 'order_lines', employee_code, order_date, order_code, NULL FROM orders WHERE order_code = " +
                    row + ".order_code;");
    };
    line("INSERT", "NEW");
    line("UPDATE", "OLD");
    line("UPDATE", "NEW");
    line("DELETE", "OLD");
    // Visits: the bucket they count in.
    const std::string visitState = "SELECT 'visits', employee_code, visit_date, NULL, NULL FROM visits ";
    trigger("log_visits_replaced", "BEFORE INSERT ON visits",
            insertChange + visitState + "WHERE visit_code = NEW.visit_code;");
    trigger("log_visits_rekeyed_over", "BEFORE UPDATE OF visit_code ON visits WHEN NEW.visit_code IS NOT OLD.visit_code",
            insertChange + visitState + "WHERE visit_code = NEW.visit_code;");
    auto visit = [&](const char* event, const char* row) {
        trigger(std::string("log_visits_") + event + "_" + row, std::string("AFTER ") + event + " ON visits",
                insertChange + std::string("VALUES('visits', ") + row + ".employee_code, " + row +
                    ".visit_date, NULL, NULL);");
    };
    visit("INSERT", "NEW");
    visit("UPDATE", "OLD");
    visit("UPDATE", "NEW");
    visit("DELETE", "OLD");
    // Other tables: only that they changed (a REPLACE fires the AFTER INSERT).
    for (const char* table : {"employees", "outlets", "products", "routes", "kpis", "targets", "holidays"})
        for (const char* event : {"INSERT", "UPDATE", "DELETE"})
            trigger(std::string("log_") + table + "_" + event, std::string("AFTER ") + event + " ON " + table,
                    std::string("INSERT INTO changes(source) VALUES('") + table + "');");
    return out;
}

// The target audit (SPEC §3) of direct writes. An INSERT that replaces a row
// (REPLACE) is an edit: the last audited state of its key is its "before".
std::string auditTriggers() {
    const std::string columns =
        "INSERT INTO target_history(changed_at, changed_by, action, employee_code, kpi_code, period_type, "
        "valid_from, before, after) ";
    const std::string now = "strftime('%Y-%m-%d %H:%M:%S', 'now', 'localtime'), 'direct write'";
    const std::string lastState =
        "(SELECT h.after FROM target_history h WHERE h.employee_code = NEW.employee_code AND h.kpi_code = "
        "NEW.kpi_code AND h.period_type = NEW.period_type AND h.valid_from = NEW.valid_from ORDER BY h.id DESC "
        "LIMIT 1)";
    const std::string arrival = columns + "SELECT " + now +
                                ", CASE WHEN previous IS NULL THEN 'new' ELSE 'edit' END, NEW.employee_code, "
                                "NEW.kpi_code, NEW.period_type, NEW.valid_from, previous, " +
                                schema::targetState("NEW") + " FROM (SELECT " + lastState + " AS previous);";
    const std::string removal = columns + "VALUES(" + now +
                                ", 'remove', OLD.employee_code, OLD.kpi_code, OLD.period_type, OLD.valid_from, " +
                                schema::targetState("OLD") + ", NULL);";
    const std::string keyChanged =
        "NEW.employee_code IS NOT OLD.employee_code OR NEW.kpi_code IS NOT OLD.kpi_code OR NEW.period_type IS NOT "
        "OLD.period_type OR NEW.valid_from IS NOT OLD.valid_from";
    std::string out;
    out += "CREATE TRIGGER audit_targets_insert AFTER INSERT ON targets BEGIN " + arrival + " END;\n";
    out += "CREATE TRIGGER audit_targets_update AFTER UPDATE ON targets WHEN NOT (" + keyChanged + ") BEGIN " +
           columns + "VALUES(" + now +
           ", 'edit', NEW.employee_code, NEW.kpi_code, NEW.period_type, NEW.valid_from, " +
           schema::targetState("OLD") + ", " + schema::targetState("NEW") + "); END;\n";
    // A new key: the old one is removed, the new one arrives (or replaces one).
    out += "CREATE TRIGGER audit_targets_rekey AFTER UPDATE ON targets WHEN " + keyChanged + " BEGIN " + removal +
           " " + arrival + " END;\n";
    out += "CREATE TRIGGER audit_targets_delete AFTER DELETE ON targets BEGIN " + removal + " END;\n";
    return out;
}

// The audit and the change log only grow: a direct writer can neither edit
// nor delete their rows (kpi import and kpi never do either).
std::string appendOnlyTriggers() {
    std::string out;
    auto refuse = [&](const char* table, const char* event, const char* message) {
        out += std::string("CREATE TRIGGER keep_") + table + "_" + event + " BEFORE " + event + " ON " + table +
               " BEGIN SELECT RAISE(ABORT, '" + message + "'); END;\n";
    };
    const char* audit = "target_history is the audit of target changes: its rows cannot be changed or deleted";
    const char* log =
        "changes is the change log that open workbooks follow: its rows cannot be changed or deleted";
    refuse("target_history", "UPDATE", audit);
    refuse("target_history", "DELETE", audit);
    refuse("changes", "UPDATE", log);
    refuse("changes", "DELETE", log);
    return out;
}

}  // namespace

const std::vector<ColumnRule>& columnRules() {
    static const std::vector<ColumnRule> all = [] {
        std::vector<ColumnRule> out;
        for (const Table& t : tables())
            for (const Column& c : t.columns)
                for (const Check& check : checksOf(c.kind))
                    out.push_back({t.name, c.name, check.test, std::string(t.name) + "." + c.name + " " + check.message});
        return out;
    }();
    return all;
}

std::string triggersV3() { return checkTriggers() + changeLogTriggers() + auditTriggers() + appendOnlyTriggers(); }

Violations findViolations(sql::Database& db, size_t limit) {
    Violations found;
    for (const Table& t : tables()) {
        std::string key;
        for (const char* k : t.key) key += std::string(key.empty() ? "'" : " || ', ") + k + "=' || quote(" + k + ")";
        for (const Column& c : t.columns) {
            std::string which = "CASE", any;
            for (const Check& check : checksOf(c.kind)) {
                const std::string broken = sqliteBroken(check.test, c.name);
                which += " WHEN " + broken + " THEN '" + check.message + "'";
                any += std::string(any.empty() ? "" : " OR ") + "(" + broken + ")";
            }
            which += " END";
            auto st = db.prepare("SELECT " + key + ", quote(" + c.name + "), " + which + " FROM " + t.name + " WHERE " +
                                 c.name + " IS NOT NULL AND (" + any + ")");
            while (st.step()) {
                if (found.lines.size() < limit)
                    found.lines.push_back(std::string(t.name) + " " + std::string(st.text(0)) + ": " + c.name + " " +
                                          std::string(st.text(2)) + ", not " + std::string(st.text(1)));
                ++found.count;
            }
        }
    }
    return found;
}

}  // namespace kpi::rules
