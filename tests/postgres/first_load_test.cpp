// The first import of visits, orders and lines into a PostgreSQL store that
// holds none goes by COPY straight into their tables while it is checked, with
// their indexes, triggers and forced row-level security set aside and put
// back before the commit (store/postgres/first_load.hpp). These tests hold it
// to everything the usual path promises: the schema exactly as it was, the
// same figures and target audit as SQLite from the same files, an error found
// after rows were sent leaving the store as it was (with the same FILE:LINE
// messages as SQLite), a reader open before it reading everything after it,
// and a direct writer (a DMS) that comes meanwhile waiting, then logged.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "engine_compare.hpp"
#include "kpi/demo.hpp"
#include "kpi/engine.hpp"
#include "kpi/error.hpp"
#include "kpi/store.hpp"
#include "pg_test_support.hpp"

namespace {

using pgtest::Connection;
using pgtest::TestDatabase;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

const kpi::Day kUntil = kpi::makeDay(2026, 11, 20);

// A folder of the test's own, removed at the end.
struct Folder {
    fs::path path;
    explicit Folder(const std::string& name) {
        static int counter = 0;
        path = fs::temp_directory_path() / ("kpi-first-load-" + std::to_string(getpid()) + "-" +
                                            std::to_string(counter++) + "-" + name);
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~Folder() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

// A small demo distributor's thirteen files.
std::vector<fs::path> demoFiles(const fs::path& dir) {
    kpi::DemoOptions options;
    options.salespeople = 12;
    options.months = 2;
    options.seed = 11;
    options.until = kUntil;
    kpi::writeDemoData(dir, options);
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

// The fields of a CSV line without quotes.
std::vector<std::string> fields(const std::string& line) {
    std::vector<std::string> out(1);
    for (char ch : line) {
        if (ch == ',') out.emplace_back();
        else out.back() += ch;
    }
    return out;
}

// A PostgreSQL store made by `kpi init` in a database of the test's own.
struct PgStore {
    TestDatabase db{false};
    std::string location = db.conninfo();
    PgStore() { kpi::Store::init(location); }
};

std::string sqliteStore(const Folder& folder) {
    const fs::path path = folder.path / "store.sqlite";
    kpi::Store::init(path);
    return path.string();
}

kpi::ImportSummary import(const std::string& location, const std::vector<fs::path>& files,
                          std::vector<std::string>* progress = nullptr) {
    auto store = kpi::Store::open(location, kpi::Store::Mode::ReadWrite);
    kpi::ImportOptions options;
    if (progress) options.progress = [progress](const std::string& line) { progress->push_back(line); };
    return store->import(files, options);
}

// The message of the import's refusal ("" when it was imported).
std::string refusal(const std::string& location, const std::vector<fs::path>& files) {
    try {
        import(location, files);
    } catch (const kpi::Error& e) {
        return e.what();
    }
    return "";
}

bool tookTheFirstLoad(const std::vector<std::string>& progress) {
    return std::any_of(progress.begin(), progress.end(), [](const std::string& line) {
        return line.rfind("building the index order_lines_pkey of order_lines", 0) == 0;
    });
}

kpitest::Comparison allOf() {
    return kpitest::Comparison{{"2026-11", "2026-10", "2026-Q4", "2026-W46", "2026-11-12", "2026-10-01..2026-11-20"},
                               kUntil,
                               {"2026-11"},
                               {"*"},
                               {"SALES", "PC", "VISITS", "NEW_OUTLETS"}};
}

void expectSame(kpi::Engine& a, kpi::Engine& b, const std::string& what, bool sameChangeLog = true) {
    auto comparison = allOf();
    comparison.changeSeq = sameChangeLog;
    auto diff = kpitest::differences(a, b, comparison);
    std::string text;
    for (const auto& line : diff) text += "\n  " + line;
    EXPECT_TRUE(diff.empty()) << what << ":" << text;
}

// The target audit without its times (the two stores were written moments apart).
std::vector<std::string> audit(const std::string& location) {
    auto store = kpi::Store::open(location, kpi::Store::Mode::ReadOnly);
    std::vector<std::string> rows;
    for (const auto& e : store->targetHistory("", ""))
        rows.push_back(e.who + "|" + e.action + "|" + e.employeeCode + "|" + e.kpiCode + "|" + e.periodType + "|" +
                       e.validFrom + "|" + e.before + "|" + e.after);
    return rows;
}

TEST(PgFirstLoad, PutsTheTablesBackAsTheyWereAndGivesTheFiguresAndAuditOfSqlite) {
    Folder folder("good");
    const auto files = demoFiles(folder.path / "csv");
    PgStore pg;
    const std::string schemaBefore = pg.db.schemaDump();
    kpi::Engine reader(pg.location);  // open before the import: no facts yet
    std::vector<std::string> progress;
    const auto summary = import(pg.location, files, &progress);
    ASSERT_TRUE(tookTheFirstLoad(progress)) << "the first import did not take the first load";
    const std::string schemaAfter = pg.db.schemaDump();
    EXPECT_EQ(schemaAfter, schemaBefore) << pgtest::firstDifference(schemaBefore, schemaAfter);

    // The same files into SQLite: the same counts, figures and target audit.
    const std::string lite = sqliteStore(folder);
    const auto expected = import(lite, files);
    EXPECT_EQ(summary.rowsRead, expected.rowsRead);
    EXPECT_EQ(summary.rowsChanged, expected.rowsChanged);
    EXPECT_GT(summary.rowsChanged, 10'000);
    kpi::Engine fromPg(pg.location), fromSqlite(lite);
    expectSame(fromPg, fromSqlite, "PostgreSQL after a first load against SQLite", false);
    EXPECT_GT(fromPg.figures("*", "SALES", kpi::parsePeriod("2026-11").value(), kUntil).actual, 0);
    EXPECT_EQ(audit(pg.location), audit(lite));
    EXPECT_GT(audit(pg.location).size(), 100u);

    // No change row per order or visit: one of the import, and the floor at it,
    // so that a reader open before reads everything again — and equals a fresh one.
    Connection c(pg.location);
    EXPECT_EQ(c.value("SELECT count(*) FROM changes WHERE source IN ('orders', 'order_lines', 'visits')"), "0");
    EXPECT_EQ(c.value("SELECT value FROM meta WHERE key = 'changes_floor'"),
              c.value("SELECT max(seq) FROM changes WHERE source = 'import'"));
    reader.refresh();
    expectSame(reader, fromPg, "a reader open before the first load, refreshed, against a fresh one");

    // Importing the same files again changes nothing, through the usual path.
    progress.clear();
    EXPECT_EQ(import(pg.location, files, &progress).rowsChanged, 0);
    EXPECT_FALSE(tookTheFirstLoad(progress));
    EXPECT_EQ(pg.db.schemaDump(), schemaBefore);
}

TEST(PgFirstLoad, AnErrorFoundAfterRowsWereSentLeavesTheStoreAsItWas) {
    Folder folder("bad");
    const auto files = demoFiles(folder.path / "csv");
    // The last file checked gets two bad lines at its end, after every order
    // and visit (and almost every line) was sent to the server: a product
    // that does not exist, and a second line 1 of the first order.
    const fs::path lines = folder.path / "csv" / "order_lines.csv";
    std::string original;
    {
        std::ifstream in(lines);
        original.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const long long count = std::count(original.begin(), original.end(), '\n');  // the header and every line
    const size_t firstStart = original.find('\n') + 1;
    const std::string first = original.substr(firstStart, original.find('\n', firstStart) - firstStart);
    const std::string order = first.substr(0, first.find(','));
    {
        std::ofstream out(lines, std::ios::app);
        out << order << ",999,SP_KHONG_CO,1,1000\n" << first << "\n";
    }
    PgStore pg;
    const std::string schemaBefore = pg.db.schemaDump();
    Connection c(pg.location);
    const std::string changesBefore = c.value("SELECT count(*) FROM changes");

    const std::string message = refusal(pg.location, files);
    EXPECT_NE(message.find(lines.string() + ":" + std::to_string(count + 1) +
                           ": 'sku' refers to unknown product 'SP_KHONG_CO'"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(lines.string() + ":" + std::to_string(count + 2) + ": "), std::string::npos) << message;
    EXPECT_NE(message.find("the store is unchanged"), std::string::npos) << message;
    // Word for word what SQLite says of the same files.
    Folder lite("bad-lite");
    EXPECT_EQ(message, refusal(sqliteStore(lite), files));

    const std::string schemaAfter = pg.db.schemaDump();
    EXPECT_EQ(schemaAfter, schemaBefore) << pgtest::firstDifference(schemaBefore, schemaAfter);
    for (const char* table : {"orders", "order_lines", "visits", "employees", "outlets", "targets", "target_history"})
        EXPECT_EQ(c.value(std::string("SELECT count(*) FROM ") + table), "0") << table;
    EXPECT_EQ(c.value("SELECT count(*) FROM changes"), changesBefore);
    EXPECT_EQ(c.value("SELECT count(*) FROM meta WHERE key = 'changes_floor'"), "0");

    // Corrected, the same import goes in, by the first load again.
    {
        std::ofstream out(lines, std::ios::trunc);
        out << original;
    }
    std::vector<std::string> progress;
    EXPECT_GT(import(pg.location, files, &progress).rowsChanged, 10'000);
    EXPECT_TRUE(tookTheFirstLoad(progress));
}

TEST(PgFirstLoad, ARowTheServerRefusesWhileItIsCopiedLeavesTheStoreAsItWas) {
    // A rule of the company's own that the import does not know (an admin's
    // CHECK): the server refuses a line while the sender copies it, after
    // the check found nothing wrong.
    Folder folder("refused");
    const auto files = demoFiles(folder.path / "csv");
    PgStore pg;
    Connection c(pg.location);
    c.exec("ALTER TABLE order_lines ADD CONSTRAINT amount_below_a_billion CHECK (amount < 1000000000)");
    const fs::path lines = folder.path / "csv" / "order_lines.csv";
    std::string header, first;
    {
        std::ifstream in(lines);
        std::getline(in, header);
        std::getline(in, first);
    }
    {
        std::ofstream out(lines, std::ios::app);
        const auto f = fields(first);  // order_code, line_no, sku, quantity, amount
        out << f[0] << ",998," << f[2] << ",1,2000000000\n";
    }
    const std::string schemaBefore = pg.db.schemaDump();
    const std::string changesBefore = c.value("SELECT count(*) FROM changes");
    const std::string message = refusal(pg.location, files);
    EXPECT_NE(message.find("amount_below_a_billion"), std::string::npos) << message;
    const std::string schemaAfter = pg.db.schemaDump();
    EXPECT_EQ(schemaAfter, schemaBefore) << pgtest::firstDifference(schemaBefore, schemaAfter);
    for (const char* table : {"orders", "order_lines", "visits", "employees", "targets"})
        EXPECT_EQ(c.value(std::string("SELECT count(*) FROM ") + table), "0") << table;
    EXPECT_EQ(c.value("SELECT count(*) FROM changes"), changesBefore);
}

TEST(PgFirstLoad, ADirectWriterThatComesMeanwhileWaitsAndIsThenLogged) {
    Folder folder("writer");
    const auto files = demoFiles(folder.path / "csv");
    PgStore pg;
    kpi::Engine reader(pg.location);
    Connection watcher(pg.location), dms(pg.location);  // connected before the import starts
    auto importing = std::async(std::launch::async, [&] { return import(pg.location, files); });
    // Once the import holds the tables, a DMS inserts an order of a salesperson
    // and outlet the import brings: it waits for the import's commit.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (watcher.value("SELECT count(*) FROM pg_locks WHERE relation = 'orders'::regclass AND "
                         "mode = 'AccessExclusiveLock' AND granted") == "0") {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the import never locked orders";
        ASSERT_NE(importing.wait_for(0s), std::future_status::ready) << "the import ended before it was seen";
        std::this_thread::sleep_for(5ms);
    }
    std::ifstream orders(folder.path / "csv" / "orders.csv");
    std::string line;
    std::getline(orders, line);
    std::getline(orders, line);  // the first order: its salesperson and outlet
    const auto f = fields(line);
    dms.send("INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) VALUES "
             "('DMS-1', '" + f[1] + "', '" + f[2] + "', '2026-11-19 10:00:00', 'sale', 'approved'); "
             "INSERT INTO order_lines VALUES ('DMS-1', 1, (SELECT min(sku) FROM products), 2, 123456)");
    EXPECT_GT(importing.get().rowsChanged, 10'000);
    dms.finish();  // throws the server's refusal, if any
    Connection c(pg.location);
    EXPECT_EQ(c.value("SELECT count(*) FROM changes WHERE ref = 'DMS-1'"), "2");  // the order and its line
    reader.refresh();
    kpi::Engine fresh(pg.location);
    expectSame(reader, fresh, "a reader after the first load and a DMS order, against a fresh one");
}

}  // namespace
