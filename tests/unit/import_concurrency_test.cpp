// An import alongside other writers (SPEC §2: the DMS writes all day). The
// files are checked before the store's write lock is taken, so another writer
// commits while a large import is being checked; whatever another writer
// changed between the check and the write is checked again under the lock; a
// commit that returned is on disk. The moments in between are reached through
// the import's progress lines: "checking FILE: …" (every 4 MiB read) and
// "checked N rows; writing them into the store" (after the check's snapshot
// ended, before the write lock is asked for).

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "kpi/error.hpp"
#include "kpi/store.hpp"
#include "store/sqlite/sqlite.hpp"
#include "test_store.hpp"

namespace {

namespace fs = std::filesystem;
using kpitest::CsvFiles;
using kpitest::TestStore;
using Strings = std::vector<std::string>;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
bool startsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

const std::string kOrdersHeader = "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n";
const std::string kLinesHeader = "order_code,line_no,sku,quantity,amount\n";
const std::string kTargetsHeader = "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n";

CsvFiles people() {
    return {{"employees.csv",
             "code,name,role,manager_code,department,region,start_date,end_date\n"
             "S1,Nguyễn Thị Lan,SR,,,,2020-01-01,\n"},
            {"outlets.csv",
             "code,name,channel,province,created_date,created_by\n"
             "O1,Tạp hóa Cô Ba,GT,,2025-01-01,\n"
             "O2,Cửa hàng Minh Anh,GT,,2025-01-01,\n"},
            {"products.csv", "sku,name,category,brand\nP1,Sữa tươi 180ml,Dairy,VinaMilk\n"}};
}

// A direct write the way a DMS does it, on a connection of its own that does
// not wait for a lock at all: SQLITE_OK, or SQLITE_BUSY while another
// connection holds the write lock.
int writeWithoutWaiting(const fs::path& store, const std::string& sql) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(store.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, ("BEGIN IMMEDIATE;" + sql + "COMMIT;").c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
    return rc & 0xff;
}

// Options whose progress callback runs `action` once, between the check and
// the write: after the check's snapshot ended, before the write lock is asked for.
kpi::ImportOptions betweenCheckAndWrite(std::function<void()> action) {
    kpi::ImportOptions options;
    options.progress = [action = std::move(action)](const std::string& line) {
        if (startsWith(line, "checked ")) action();
    };
    return options;
}

// The message of an import that must be rejected (the test fails otherwise).
std::string rejection(TestStore& store, const std::vector<fs::path>& files, const kpi::ImportOptions& options) {
    try {
        kpi::Store::open(store.path(), kpi::Store::Mode::ReadWrite)->import(files, options);
        ADD_FAILURE() << "the import was not rejected";
    } catch (const kpi::Error& e) {
        EXPECT_EQ(e.kind(), kpi::Error::Kind::InvalidData) << e.what();
        EXPECT_TRUE(contains(e.what(), "the store is unchanged")) << e.what();
        return e.what();
    }
    return {};
}

// Orders and lines past 4 MiB of order_lines.csv, so that the import says
// "checking order_lines.csv" while it reads them.
CsvFiles largeOrders(int orders) {
    std::string o = kOrdersHeader, l = kLinesHeader;
    for (int i = 0; i < orders; ++i) {
        const std::string code = "L" + std::to_string(100000 + i);
        o += code + ",S1,O1,2026-11-02 08:00:00,sale,approved,\n";
        for (int n = 1; n <= 5; ++n) l += code + "," + std::to_string(n) + ",P1,1,1000.25\n";
    }
    return {{"orders.csv", o}, {"order_lines.csv", l}};
}

TEST(ImportAlongsideWriters, LetsAnotherWriterCommitWhileTheFilesAreChecked) {
    TestStore store(people());
    int duringCheck = -1, duringWrite = -1;
    kpi::ImportOptions options;
    options.progress = [&](const std::string& line) {
        const bool lines = contains(line, "order_lines.csv: ");  // the file's name as given: its whole path here
        if (startsWith(line, "checking ") && lines && duringCheck < 0)
            duringCheck = writeWithoutWaiting(store.path(), "INSERT INTO products(sku, name) VALUES('P7', 'Bánh');");
        if (startsWith(line, "writing ") && lines && duringWrite < 0)
            duringWrite = writeWithoutWaiting(store.path(), "INSERT INTO products(sku, name) VALUES('P8', 'Kẹo');");
    };
    store.import(largeOrders(40000), options);
    EXPECT_EQ(duringCheck, SQLITE_OK) << "another writer could not commit while the import was checking";
    // Writing holds the lock: the import's rows and the other writer's never interleave.
    EXPECT_EQ(duringWrite, SQLITE_BUSY);
    EXPECT_EQ(store.query("SELECT sku FROM products ORDER BY 1"), (Strings{"P1", "P7"}));
    EXPECT_EQ(store.query("SELECT count(*) FROM order_lines"), (Strings{"200000"}));
}

TEST(ImportAlongsideWriters, KeepsWhatAnotherWriterCommittedBeforeTheWrite) {
    TestStore store(people());
    store.import({{"orders.csv", kOrdersHeader + "A1,S1,O1,2026-11-02 08:00:00,sale,approved,\n"},
                  {"order_lines.csv", kLinesHeader + "A1,1,P1,1,10000\n"}},
                 betweenCheckAndWrite([&] {
                     store.execute("INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
                                   "VALUES('D1', 'S1', 'O2', '2026-11-03 09:00:00', 'sale', 'approved');"
                                   "INSERT INTO order_lines(order_code, line_no, sku, quantity, amount) "
                                   "VALUES('D1', 1, 'P1', 2, 20000);");
                 }));
    EXPECT_EQ(store.query("SELECT order_code, line_no FROM order_lines ORDER BY 1"), (Strings{"A1|1", "D1|1"}));
    // Both in the change log: the direct write's by its triggers, the import's by the import.
    EXPECT_EQ(store.query("SELECT DISTINCT ref FROM changes WHERE source = 'orders' ORDER BY 1"), (Strings{"A1", "D1"}));
}

TEST(ImportAlongsideWriters, RejectsAReferenceAnotherWriterRemovedAfterTheCheck) {
    TestStore store(people());
    auto files = store.write({{"orders.csv", kOrdersHeader + "A1,S1,O1,2026-11-02 08:00:00,sale,approved,\n"
                                                             "A2,S1,O2,2026-11-02 09:00:00,sale,approved,\n"
                                                             "A3,S1,O2,2026-11-02 10:00:00,sale,approved,\n"}});
    const std::string message =
        rejection(store, files, betweenCheckAndWrite([&] { store.execute("DELETE FROM outlets WHERE code = 'O2';"); }));
    // The first row that named it.
    EXPECT_TRUE(contains(message, "orders.csv:3: 'outlet_code' refers to outlet 'O2', which another writer removed"))
        << message;
    EXPECT_EQ(store.query("SELECT count(*) FROM orders"), (Strings{"0"}));
    EXPECT_EQ(store.query("SELECT code FROM outlets"), (Strings{"O1"}));
}

TEST(ImportAlongsideWriters, RejectsAFileChangedBetweenItsCheckAndItsWrite) {
    TestStore store(people());
    auto files = store.write({{"orders.csv", kOrdersHeader + "A1,S1,O1,2026-11-02 08:00:00,sale,approved,\n"}});
    auto rejected = store.importPathsRejected(files, betweenCheckAndWrite([&] {
        // An unchecked row: an unknown outlet, a bad date.
        std::ofstream(files[0], std::ios::binary | std::ios::trunc) << kOrdersHeader << "A1,S1,O9,yesterday,sale,approved,\n";
    }));
    EXPECT_TRUE(contains(rejected.message, "orders.csv:1: the file changed while it was being imported"))
        << rejected.message;
}

TEST(ImportAlongsideWriters, RejectsAFileRemovedBetweenItsCheckAndItsWrite) {
    TestStore store(people());
    auto files = store.write({{"orders.csv", kOrdersHeader + "A1,S1,O1,2026-11-02 08:00:00,sale,approved,\n"}});
    auto rejected = store.importPathsRejected(files, betweenCheckAndWrite([&] { fs::remove(files[0]); }));
    EXPECT_TRUE(contains(rejected.message, "orders.csv:1: the file changed while it was being imported"))
        << rejected.message;
}

TEST(ImportAlongsideWriters, ChecksOverlappingTargetsAgainWithWhatAnotherWriterAdded) {
    TestStore store(people());
    auto files = store.write({{"targets.csv", kTargetsHeader + "S1,SALES,MONTH,2026-11-01,2026-11-30,100,\n"}});
    const std::string message = rejection(store, files, betweenCheckAndWrite([&] {
        store.execute("INSERT INTO targets(employee_code, kpi_code, period_type, valid_from, valid_to, target) "
                      "VALUES('S1', 'SALES', 'MONTH', '2026-10-01', '2026-12-31', 5);");
    }));
    EXPECT_TRUE(contains(message, "targets.csv:2: target S1/SALES/MONTH valid 2026-11-01..2026-11-30 overlaps"))
        << message;
    EXPECT_EQ(store.query("SELECT valid_from FROM targets"), (Strings{"2026-10-01"}));
}

TEST(ImportAlongsideWriters, ChecksTheRulesOverTheStoreBeforeTakingTheLock) {
    // Overlapping targets are found against the store as the import would
    // leave it, while checking: the write lock is never asked for.
    TestStore store(people());
    store.import({{"targets.csv", kTargetsHeader + "S1,SALES,MONTH,2026-10-01,2026-12-31,5,\n"}});
    bool wrote = false;
    kpi::ImportOptions options;
    options.progress = [&](const std::string& line) { wrote = wrote || startsWith(line, "checked "); };
    auto rejected = store.importRejected({{"targets.csv", kTargetsHeader + "S1,SALES,MONTH,2026-11-01,2026-11-30,1,\n"},
                                          {"employees.csv",
                                           "code,name,role,manager_code,department,region,start_date,end_date\n"
                                           "S1,Nguyễn Thị Lan,SR,S9,,,2020-01-01,\n"}},
                                         options);
    EXPECT_FALSE(wrote);
    ASSERT_EQ(rejected.errors.size(), 2u) << rejected.message;
    EXPECT_TRUE(contains(rejected.errors[0], "employees.csv:2: 'manager_code' refers to unknown employee 'S9'"))
        << rejected.message;
    EXPECT_TRUE(contains(rejected.errors[1], "targets.csv:2: target S1/SALES/MONTH valid 2026-11-01..2026-11-30"))
        << rejected.message;
}

TEST(ImportAlongsideWriters, NeverLeavesTheOverlayTablesBehind) {
    TestStore store(people());
    auto opened = kpi::Store::open(store.path(), kpi::Store::Mode::ReadWrite);
    auto files = store.write({{"targets.csv", kTargetsHeader + "S1,SALES,MONTH,2026-11-01,2026-11-30,100,\n"}});
    opened->import(files, {});
    // The same connection imports again: the overlay of the first import is gone.
    opened->import(files, {});
    EXPECT_EQ(store.query("SELECT count(*) FROM targets"), (Strings{"1"}));
}

// SPEC: an import reported as done survives a power cut. In WAL mode that takes
// synchronous=FULL (NORMAL syncs the WAL only at checkpoints); every
// connection that writes the store gets it.
TEST(StoreDurability, EveryWritingConnectionSyncsItsCommits) {
    TestStore store;
    kpi::sql::SqliteDatabase db(store.path(), kpi::sql::Open::ReadWrite);
    auto synchronous = db.prepare("PRAGMA synchronous");
    ASSERT_TRUE(synchronous.step());
    EXPECT_EQ(synchronous.int64(0), 2) << "2 is FULL";
    auto journal = db.prepare("PRAGMA journal_mode");
    ASSERT_TRUE(journal.step());
    EXPECT_EQ(std::string(journal.text(0)), "wal");
}

}  // namespace
