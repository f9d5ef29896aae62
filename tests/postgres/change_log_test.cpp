// The change log and the audits on PostgreSQL: for the same direct writes the
// same rows as SQLite's triggers write (each statement run on a SQLite store
// made by `kpi init` and on PostgreSQL, the new rows compared after each);
// the log and the target audit cannot be changed; seq follows commit order;
// one NOTIFY kpi_changes per committed transaction, with the highest seq.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "kpi/store.hpp"
#include "pg_test_support.hpp"

namespace {

using pgtest::Connection;
using pgtest::Rows;
using pgtest::TestDatabase;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A SQLite store made by `kpi init`, written to directly as a DMS would (foreign keys on).
class SqliteStore {
public:
    SqliteStore() {
        path_ = fs::temp_directory_path() / ("kpi-pg-log-" + std::to_string(getpid()) + ".sqlite");
        remove();
        kpi::Store::init(path_);
        if (sqlite3_open(path_.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("cannot open " + path_.string());
        exec("PRAGMA foreign_keys = ON");
    }
    ~SqliteStore() {
        sqlite3_close(db_);
        remove();
    }
    void exec(const std::string& sql) {
        char* error = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            std::string message = error ? error : "?";
            sqlite3_free(error);
            throw std::runtime_error(message);
        }
    }
    Rows query(const std::string& sql) {
        Rows rows;
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
        while (sqlite3_step(st) == SQLITE_ROW) {
            std::string line;
            for (int c = 0; c < sqlite3_column_count(st); ++c) {
                if (c) line += '|';
                const unsigned char* text = sqlite3_column_text(st, c);
                line += text ? reinterpret_cast<const char*>(text) : "∅";
            }
            rows.push_back(line);
        }
        sqlite3_finalize(st);
        return rows;
    }

private:
    void remove() {
        for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_.string() + suffix);
    }
    fs::path path_;
    sqlite3* db_ = nullptr;
};

// The rows each log gained since the last call, in the order they were written.
struct LogReader {
    long long changes = 0, targets = 0, plans = 0;
    template <class Store>
    Rows next(Store& store) {
        Rows out;
        auto take = [&](const std::string& what, const std::string& sql, long long& last) {
            for (const auto& row : store.query(sql + " > " + std::to_string(last) + " ORDER BY 1")) {
                auto bar = row.find('|');
                last = std::stoll(row.substr(0, bar));
                out.push_back(what + " " + row.substr(bar + 1));
            }
        };
        take("changes", "SELECT seq, source, employee_code, day, ref, old_status FROM changes WHERE seq", changes);
        take("target_history",
             "SELECT id, changed_by, action, employee_code, kpi_code, period_type, valid_from, before, after "
             "FROM target_history WHERE id",
             targets);
        take("plan_history",
             "SELECT id, changed_by, action, subject, plan_code, kpi_code, employee_code, valid_from, before, after "
             "FROM plan_history WHERE id",
             plans);
        return out;
    }
};

const char* const kOrder =
    "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status, approved_time) VALUES";

// A statement of several rows: each row's log rows are the same, but the rows
// are visited in the order of each store's scan.
const char* const kAnyOrder = "-- rows in any order\n";

// Direct writes of every form a DMS or a person with psql/sqlite3 makes, in
// SQL both dialects read alike.
const std::vector<std::string> kWrites = {
    // Dimensions.
    "INSERT INTO employees(code, name, role, manager_code, start_date) VALUES('M1', 'Trần Văn Hùng', 'SS', NULL, "
    "'2019-01-01')",
    "INSERT INTO employees(code, name, role, manager_code, start_date) VALUES('S1', 'Nguyễn Thị Lan', 'SR', 'M1', "
    "'2020-01-01'), ('S2', 'Lê Văn Tám', 'SR', 'M1', '2020-01-01')",
    "UPDATE employees SET region = 'Miền Nam' WHERE code = 'S1'",
    "INSERT INTO outlets(code, name, created_date, created_by) VALUES('O1', 'Tạp hóa Cô Ba', '2025-01-01', 'S1'), "
    "('O2', 'Quán Chú Tư', '2025-02-01', 'S2')",
    "INSERT INTO products VALUES('P1', 'Sữa tươi', 'Dairy', 'VinaMilk'), ('P2', 'Cà phê', 'Drinks', NULL)",
    "INSERT INTO routes VALUES('S1', 'O1', '2026-01-01', NULL)",
    "UPDATE routes SET valid_to = '2026-12-31'",
    "INSERT INTO kpis(code, type, name_vi, name_en, cap) VALUES('SALES_TOTAL', 'SALES', 'Doanh số', 'Sales', 1.5)",
    "INSERT INTO holidays VALUES('2026-11-20', 'Ngày Nhà giáo')",
    "DELETE FROM holidays",
    "INSERT INTO kpis(code, type, name_vi, name_en) VALUES('PC', 'PC', 'Đơn', 'PC') ON CONFLICT(code) DO UPDATE SET "
    "name_en = excluded.name_en",
    "INSERT INTO kpis(code, type, name_vi, name_en) VALUES('PC', 'PC', 'Đơn', 'Productive calls') ON CONFLICT(code) "
    "DO UPDATE SET name_en = excluded.name_en",
    // Orders.
    std::string(kOrder) + "('A1', 'S1', 'O1', '2026-11-02 08:00:00', 'sale', 'pending', NULL)",
    std::string(kOrder) + "('A2', 'S2', 'O2', '2026-11-03 09:00:00', 'sale', 'approved', '2026-11-03 10:00:00')",
    "UPDATE orders SET status = 'approved', approved_time = '2026-11-02 09:00:00' WHERE order_code = 'A1'",
    "UPDATE orders SET order_time = '2026-11-04 08:00:00' WHERE order_code = 'A1'",
    "UPDATE orders SET employee_code = 'S2' WHERE order_code = 'A1'",
    "UPDATE orders SET order_code = 'A1b' WHERE order_code = 'A1'",
    std::string(kOrder) + "('A1b', 'S1', 'O1', '2026-11-05 08:00:00', 'sale', 'cancelled', NULL) "
                          "ON CONFLICT(order_code) DO UPDATE SET status = excluded.status, order_time = excluded.order_time",
    std::string(kOrder) + "('A2', 'S2', 'O2', '2026-11-03 09:00:00', 'sale', 'approved', NULL) ON CONFLICT DO NOTHING",
    std::string(kOrder) + "('A3', 'S1', 'O1', '2026-11-06 08:00:00', 'return', 'approved', NULL) "
                          "ON CONFLICT(order_code) DO UPDATE SET status = excluded.status",
    std::string(kAnyOrder) + "UPDATE orders SET status = 'rejected' WHERE status <> 'rejected'",
    // Lines.
    "INSERT INTO order_lines VALUES('A1b', 1, 'P1', 2, 30000)",
    "INSERT INTO order_lines VALUES('A2', 1, 'P1', 1, 15000), ('A2', 2, 'P2', 3, 45000.5)",
    "UPDATE order_lines SET amount = 31000 WHERE order_code = 'A1b'",
    "UPDATE order_lines SET order_code = 'A3' WHERE order_code = 'A2' AND line_no = 2",
    "INSERT INTO order_lines VALUES('A1b', 1, 'P2', 5, 1) ON CONFLICT(order_code, line_no) DO UPDATE SET sku = "
    "excluded.sku, quantity = excluded.quantity",
    "DELETE FROM order_lines WHERE order_code = 'A3'",
    "DELETE FROM orders WHERE order_code = 'A2'",  // and its line, by the cascade
    // Visits.
    "INSERT INTO visits VALUES('V1', 'S1', 'O1', '2026-11-02 07:00:00')",
    "INSERT INTO visits VALUES('V2', 'S2', 'O2', '2026-11-02 07:30:00'), ('V3', 'S2', 'O2', '2026-11-03 07:30:00')",
    "UPDATE visits SET visit_time = '2026-11-04 07:00:00' WHERE visit_code = 'V1'",
    "UPDATE visits SET employee_code = 'S1' WHERE visit_code = 'V2'",
    "UPDATE visits SET visit_code = 'V9' WHERE visit_code = 'V3'",
    "INSERT INTO visits VALUES('V9', 'S1', 'O1', '2026-11-05 07:00:00') ON CONFLICT(visit_code) DO UPDATE SET "
    "visit_time = excluded.visit_time",
    "INSERT INTO visits VALUES('V1', 'S1', 'O1', '2026-11-05 07:00:00') ON CONFLICT DO NOTHING",
    "DELETE FROM visits WHERE visit_code = 'V2'",
    // Targets and their audit.
    "INSERT INTO targets VALUES('S1', 'SALES_TOTAL', 'MONTH', '2026-11-01', '2026-11-30', 200000, 1)",
    "UPDATE targets SET target = 250000.5, weight = 2 WHERE employee_code = 'S1'",
    "INSERT INTO targets VALUES('S1', 'SALES_TOTAL', 'MONTH', '2026-11-01', '2026-11-30', 260000, 1) "
    "ON CONFLICT(employee_code, kpi_code, period_type, valid_from) DO UPDATE SET target = excluded.target",
    "INSERT INTO targets VALUES('S1', 'SALES_TOTAL', 'MONTH', '2026-11-01', '2026-11-30', 1, 1) ON CONFLICT DO NOTHING",
    "UPDATE targets SET valid_from = '2026-11-16' WHERE employee_code = 'S1'",
    "INSERT INTO targets VALUES('S2', 'PC', 'MONTH', '2026-11-01', '2026-11-30', 0.1, 0.5)",
    "DELETE FROM targets",
    "INSERT INTO targets VALUES('S1', 'SALES_TOTAL', 'MONTH', '2026-11-16', '2026-11-30', 123456789012.3456, 1)",
    // Plans and their audit.
    "INSERT INTO plans(code, name_vi, name_en, period_type, gate_kpi, gate_min) VALUES('BONUS', 'Thưởng', 'Bonus', "
    "'MONTH', 'SALES', 0.8)",
    "INSERT INTO plans(code, name_vi, name_en, period_type) VALUES('FLAT', 'Cố định', 'Flat', 'QUARTER')",
    "UPDATE plans SET curve_mode = 'step', gate_min = 0.85 WHERE code = 'BONUS'",
    "INSERT INTO plan_components VALUES('BONUS', 'SALES', 0.6, '0:0,1:1'), ('BONUS', 'PC', 0.4, '0:0,1:1')",
    "UPDATE plan_components SET weight = 0.7 WHERE kpi_code = 'SALES'",
    "INSERT INTO plan_assignments VALUES('S1', 'BONUS', '2026-11-01', '2026-12-31', 2000000)",
    "UPDATE plan_assignments SET incentive = 2500000.25",
    "DELETE FROM plan_assignments",
    "DELETE FROM plan_components WHERE kpi_code = 'PC'",
    "DELETE FROM plans WHERE code = 'FLAT'",
    // Dimensions again.
    "DELETE FROM routes",
    "DELETE FROM employees WHERE code = 'S2' AND NOT EXISTS (SELECT 1 FROM orders WHERE employee_code = 'S2') AND "
    "NOT EXISTS (SELECT 1 FROM visits WHERE employee_code = 'S2') AND NOT EXISTS (SELECT 1 FROM outlets WHERE "
    "created_by = 'S2') AND NOT EXISTS (SELECT 1 FROM targets WHERE employee_code = 'S2')",
};

TEST(PgChangeLog, SameRowsAsSqliteForEveryFormOfDirectWrite) {
    SqliteStore sqlite;
    TestDatabase db;
    Connection c(db.conninfo());
    LogReader fromSqlite, fromPg;
    fromSqlite.next(sqlite);  // what `kpi init` wrote
    fromPg.next(c);
    size_t rows = 0;
    for (const auto& sql : kWrites) {
        ASSERT_NO_THROW(sqlite.exec(sql)) << sql;
        ASSERT_EQ(c.refusal(sql), "") << sql;
        Rows expected = fromSqlite.next(sqlite), actual = fromPg.next(c);
        if (sql.rfind(kAnyOrder, 0) == 0) {
            std::sort(expected.begin(), expected.end());
            std::sort(actual.begin(), actual.end());
        }
        EXPECT_EQ(actual, expected) << sql;
        rows += expected.size();
    }
    EXPECT_GE(rows, 90u);
    // The data itself is the same too (numbers compared in units of 0.0001).
    auto units = [](const char* x) { return std::string("CAST(round(") + x + " * 10000) AS bigint)"; };
    const std::vector<std::string> tables = {
        "code, name, role, manager_code, region, start_date FROM employees",
        "code, name, created_by FROM outlets",
        "* FROM orders",
        "order_code, line_no, sku, " + units("quantity") + ", " + units("amount") + " FROM order_lines",
        "* FROM visits",
        "employee_code, kpi_code, period_type, valid_from, valid_to, " + units("target") + ", " + units("weight") +
            " FROM targets",
        "code, curve_mode, " + units("gate_min") + " FROM plans",
        "plan_code, kpi_code, curve, " + units("weight") + " FROM plan_components",
        "code, name_en, " + units("cap") + " FROM kpis",
    };
    for (const auto& table : tables) {
        std::string all = "SELECT " + table + " ORDER BY 1, 2";
        EXPECT_EQ(c.query(all), sqlite.query(all)) << all;
    }
}

TEST(PgChangeLog, TheLogAndTheTargetAuditCannotBeChangedOrDeleted) {
    TestDatabase db;
    Connection c(db.conninfo());
    c.exec("INSERT INTO employees(code, name, role, start_date) VALUES('S1', 'Lan', 'SR', '2020-01-01');"
           "INSERT INTO targets VALUES('S1', 'SALES', 'MONTH', '2026-11-01', '2026-11-30', 1000, 1)");
    const Rows log = c.query("SELECT * FROM changes ORDER BY seq"), audit = c.query("SELECT * FROM target_history");
    ASSERT_EQ(log.size(), 2u);
    ASSERT_EQ(audit.size(), 1u);
    const std::string logMessage =
        "changes is the change log that open workbooks follow: its rows cannot be changed or deleted";
    const std::string auditMessage =
        "target_history is the audit of target changes: its rows cannot be changed or deleted";
    EXPECT_EQ(c.refusal("DELETE FROM changes"), logMessage);
    EXPECT_EQ(c.refusal("UPDATE changes SET day = '2026-11-03'"), logMessage);
    EXPECT_EQ(c.refusal("TRUNCATE changes"), logMessage);
    EXPECT_EQ(c.refusal("UPDATE target_history SET after = 'target=1'"), auditMessage);
    EXPECT_EQ(c.refusal("UPDATE target_history SET changed_by = 'someone else'"), auditMessage);
    EXPECT_EQ(c.refusal("DELETE FROM target_history"), auditMessage);
    EXPECT_EQ(c.refusal("TRUNCATE target_history"), auditMessage);
    EXPECT_EQ(c.refusal("BEGIN; DELETE FROM target_history WHERE id = 1; COMMIT"), auditMessage);
    c.exec("ROLLBACK");
    EXPECT_EQ(c.query("SELECT * FROM changes ORDER BY seq"), log);
    EXPECT_EQ(c.query("SELECT * FROM target_history"), audit);
    // A seq a writer gives is not taken: the log numbers its rows itself.
    c.exec("INSERT INTO changes(seq, source) VALUES(1000, 'holidays')");
    EXPECT_EQ(c.value("SELECT max(seq) FROM changes"), "3");
}

// The counter's row lock is held from a transaction's first change row to
// its commit: a second writer waits, so seq follows commit order.
TEST(PgChangeLog, SeqFollowsCommitOrder) {
    TestDatabase db;
    Connection admin(db.conninfo()), first(db.conninfo()), second(db.conninfo()), reader(db.conninfo());
    admin.exec("INSERT INTO employees(code, name, role, start_date) VALUES('S1', 'Lan', 'SR', '2020-01-01');"
               "INSERT INTO outlets(code, name, created_date) VALUES('O1', 'Cô Ba', '2025-01-01')");
    const long long start = std::stoll(admin.value("SELECT max(seq) FROM changes"));
    auto order = [](const std::string& code) {
        return std::string(kOrder) + "('" + code + "', 'S1', 'O1', '2026-11-02 08:00:00', 'sale', 'approved', NULL)";
    };
    auto seqOf = [&](const std::string& code) { return std::stoll(admin.value("SELECT seq FROM changes WHERE ref = '" + code + "'")); };

    // 1. Started first, committed last: the later seq.
    first.exec("BEGIN; SELECT count(*) FROM orders");
    second.exec("BEGIN; " + order("B1") + "; COMMIT");
    first.exec(order("A1") + "; COMMIT");
    EXPECT_EQ(seqOf("B1"), start + 1);
    EXPECT_EQ(seqOf("A1"), start + 2);

    // 2. Both write before either commits: the second waits for the first's
    // commit, and a reader that saw the first's rows never misses the second's.
    first.exec("BEGIN; " + order("A2"));
    second.send("BEGIN; " + order("B2"));
    // The second is waiting on a lock.
    std::string waiting;
    for (int i = 0; i < 100 && waiting != "Lock"; ++i) {
        std::this_thread::sleep_for(50ms);
        waiting = admin.value("SELECT coalesce(wait_event_type, '') FROM pg_stat_activity WHERE pid = " +
                              std::to_string(second.backendPid()));
    }
    EXPECT_EQ(waiting, "Lock");
    EXPECT_EQ(reader.value("SELECT max(seq) FROM changes"), std::to_string(start + 2));
    first.exec("COMMIT");
    const long long seenAfterFirst = std::stoll(reader.value("SELECT max(seq) FROM changes"));
    EXPECT_EQ(seenAfterFirst, start + 3);
    second.finish();
    second.exec("COMMIT");
    EXPECT_EQ(reader.query("SELECT ref FROM changes WHERE seq > " + std::to_string(seenAfterFirst) + " ORDER BY seq"),
              Rows{"B2"});
    EXPECT_EQ(seqOf("B2"), start + 4);

    // 3. A transaction rolled back leaves no row and no gap.
    first.exec("BEGIN; " + order("A3") + "; ROLLBACK");
    second.exec(order("B3"));
    EXPECT_EQ(seqOf("B3"), start + 5);
    EXPECT_EQ(admin.value("SELECT seq FROM kpi_change_counter"), std::to_string(start + 5));
    // Several rows of one transaction: consecutive, and the counter ends at the last.
    first.exec("BEGIN; " + order("A4") + "; " + order("A5") + "; UPDATE orders SET status = 'pending' WHERE order_code "
               "IN ('A4', 'A5'); COMMIT");
    EXPECT_EQ(admin.query("SELECT seq FROM changes WHERE seq > " + std::to_string(start + 5) + " ORDER BY seq").size(), 4u);
    EXPECT_EQ(admin.value("SELECT seq FROM kpi_change_counter"), std::to_string(start + 9));
    EXPECT_EQ(admin.value("SELECT max(seq) FROM changes"), std::to_string(start + 9));
}

// Many writers at once: every seq once, in commit order, none lost.
TEST(PgChangeLog, ConcurrentWritersGetEverySeqOnceWithoutGaps) {
    TestDatabase db;
    {
        Connection admin(db.conninfo());
        admin.exec("INSERT INTO employees(code, name, role, start_date) VALUES('S1', 'Lan', 'SR', '2020-01-01');"
                   "INSERT INTO outlets(code, name, created_date) VALUES('O1', 'Cô Ba', '2025-01-01')");
    }
    constexpr int kWriters = 6, kEach = 30;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int w = 0; w < kWriters; ++w)
        threads.emplace_back([&, w] {
            try {
                Connection c(db.conninfo());
                for (int i = 0; i < kEach; ++i) {
                    std::string code = "W" + std::to_string(w) + "_" + std::to_string(i);
                    c.exec("BEGIN; " + std::string(kOrder) + "('" + code +
                           "', 'S1', 'O1', '2026-11-02 08:00:00', 'sale', 'pending', NULL); UPDATE orders SET status = "
                           "'approved' WHERE order_code = '" + code + "'; COMMIT");
                }
            } catch (const std::exception&) {
                ++failures;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    Connection c(db.conninfo());
    EXPECT_EQ(c.value("SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM changes"),
              "362|362|1|362");  // 2 dimension rows, 2 per order
    // Each transaction's two rows are consecutive: no transaction's rows interleave with another's.
    EXPECT_EQ(c.value("SELECT count(*) FROM (SELECT ref, max(seq) - min(seq) AS spread FROM changes "
                      "WHERE source = 'orders' GROUP BY ref) t WHERE spread <> 1"),
              "0");
}

// Savepoints rolled back, constraints fired early, a repeatable-read writer:
// the counter, the rows and the notifications stay right.
TEST(PgChangeLog, SavepointsImmediateConstraintsAndRepeatableReadKeepTheCounterRight) {
    TestDatabase db;
    Connection listener(db.conninfo()), c(db.conninfo()), other(db.conninfo());
    listener.exec("LISTEN kpi_changes");
    auto holiday = [](const std::string& day) { return "INSERT INTO holidays VALUES('" + day + "', NULL);"; };
    // The first change row of the transaction is rolled back with its savepoint.
    c.exec("BEGIN; SAVEPOINT a;" + holiday("2026-01-01") + "ROLLBACK TO SAVEPOINT a;" + holiday("2026-01-02") +
           "SAVEPOINT b;" + holiday("2026-01-03") + "ROLLBACK TO SAVEPOINT b;" + holiday("2026-01-04") + "COMMIT");
    EXPECT_EQ(c.query("SELECT seq FROM changes ORDER BY seq"), (Rows{"1", "2"}));
    EXPECT_EQ(c.value("SELECT seq FROM kpi_change_counter"), "2");
    EXPECT_EQ(listener.notifications(5s), (std::vector<std::string>{"kpi_changes:2"}));
    // Constraints fired after each statement: the counter is written each time, the last one counts.
    c.exec("BEGIN; SET CONSTRAINTS ALL IMMEDIATE;" + holiday("2026-01-05") + holiday("2026-01-06") +
           holiday("2026-01-07") + "COMMIT");
    EXPECT_EQ(c.value("SELECT seq FROM kpi_change_counter"), "5");
    auto notes = listener.notifications(5s);
    ASSERT_FALSE(notes.empty());
    EXPECT_EQ(notes.back(), "kpi_changes:5");
    other.exec(holiday("2026-01-08"));
    EXPECT_EQ(other.value("SELECT max(seq) FROM changes"), "6");
    // A repeatable-read writer whose snapshot predates another's commit is
    // refused (it would otherwise number from a counter it cannot see), never given a seq twice.
    c.exec("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM changes");
    other.exec(holiday("2026-01-09"));
    EXPECT_EQ(c.refusal(holiday("2026-01-10")), "could not serialize access due to concurrent update");
    c.exec("ROLLBACK");
    c.exec("BEGIN ISOLATION LEVEL REPEATABLE READ;" + holiday("2026-01-10") + "COMMIT");
    EXPECT_EQ(c.value("SELECT count(*), count(DISTINCT seq), max(seq) FROM changes"), "8|8|8");
    EXPECT_EQ(c.value("SELECT seq FROM kpi_change_counter"), "8");
}

// A writer that sets the log's own settings by hand cannot break the numbering
// for the others: at worst its own transaction goes unnotified.
TEST(PgChangeLog, AWriterMeddlingWithTheSettingsDoesNotBreakTheNumbering) {
    TestDatabase db;
    Connection admin(db.conninfo());
    admin.exec("INSERT INTO employees(code, name, role, start_date) VALUES('S1', 'Lan', 'SR', '2020-01-01');"
               "INSERT INTO outlets(code, name, created_date) VALUES('O1', 'Cô Ba', '2025-01-01')");
    std::string login = db.role("dms");
    admin.exec("SELECT kpi_grant_writer('" + login + "')");
    Connection w(db.conninfo(login));
    auto order = [](const std::string& code) {
        return std::string(kOrder) + "('" + code + "', 'S1', 'O1', '2026-11-02 08:00:00', 'sale', 'approved', NULL);";
    };
    // The commit trigger kept from being queued: the counter is left behind.
    w.exec("BEGIN; SELECT pg_current_xact_id();"
           "SELECT set_config('kpi.seq_queued', pg_current_xact_id()::text || ':0', true);" + order("W1") + "COMMIT");
    EXPECT_EQ(admin.value("SELECT max(seq) FROM changes"), "3");
    // A seq claimed by hand: not below what the log holds.
    w.exec("BEGIN; SELECT set_config('kpi.seq', pg_current_xact_id()::text || ':1', true);" + order("W2") + "COMMIT");
    // The others go on numbering after the last row.
    admin.exec(order("A1"));
    EXPECT_EQ(admin.query("SELECT ref FROM changes WHERE source = 'orders' ORDER BY seq"), (Rows{"W1", "W2", "A1"}));
    EXPECT_EQ(admin.value("SELECT count(*) = count(DISTINCT seq) FROM changes"), "t");
    EXPECT_EQ(admin.value("SELECT seq FROM kpi_change_counter"), admin.value("SELECT max(seq) FROM changes"));
}

TEST(PgChangeLog, OneNotificationPerCommittedTransactionWithItsHighestSeq) {
    TestDatabase db;
    Connection listener(db.conninfo()), writer(db.conninfo());
    listener.exec("LISTEN kpi_changes");
    writer.exec("INSERT INTO employees(code, name, role, start_date) VALUES('S1', 'Lan', 'SR', '2020-01-01')");
    EXPECT_EQ(listener.notifications(5s), (std::vector<std::string>{"kpi_changes:1"}));

    // Many change rows, one transaction: one notification, the last seq.
    writer.exec("BEGIN;"
                "INSERT INTO outlets(code, name, created_date) VALUES('O1', 'Cô Ba', '2025-01-01'), "
                "('O2', 'Chú Tư', '2025-01-01');"
                "INSERT INTO products VALUES('P1', 'Sữa', NULL, NULL);" +
                std::string(kOrder) + "('A1', 'S1', 'O1', '2026-11-02 08:00:00', 'sale', 'approved', NULL);"
                "INSERT INTO order_lines VALUES('A1', 1, 'P1', 1, 1000), ('A1', 2, 'P1', 2, 2000);"
                "COMMIT");
    EXPECT_EQ(writer.value("SELECT max(seq) FROM changes"), "7");
    EXPECT_EQ(listener.notifications(5s), (std::vector<std::string>{"kpi_changes:7"}));

    // Nothing while a transaction is open; nothing for a rollback; nothing when no row changes.
    writer.exec("BEGIN; UPDATE orders SET status = 'pending'");
    EXPECT_TRUE(listener.notifications(300ms).empty());
    writer.exec("ROLLBACK");
    writer.exec("UPDATE orders SET status = 'pending' WHERE order_code = 'nothing'");
    writer.exec("SELECT * FROM orders");
    EXPECT_TRUE(listener.notifications(300ms).empty());

    // Two transactions: two notifications, in commit order.
    writer.exec("UPDATE orders SET status = 'cancelled'");
    writer.exec("DELETE FROM order_lines WHERE line_no = 2");
    EXPECT_EQ(listener.notifications(5s).size() + listener.notifications(1s).size(), 2u);
    EXPECT_EQ(writer.value("SELECT max(seq) FROM changes"), "9");
    // A listener on another connection of another login sees the same counter (and nothing else).
    Connection late(db.conninfo());
    late.exec("LISTEN kpi_changes");
    writer.exec("INSERT INTO holidays VALUES('2026-12-25', NULL)");
    EXPECT_EQ(late.notifications(5s), (std::vector<std::string>{"kpi_changes:10"}));
}

}  // namespace
