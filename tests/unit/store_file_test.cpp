// What the engine does with paths that are not stores, with the journal mode
// of a store's location, with a store replaced underneath, and with detail
// queries that run on other threads (docs/store.md, docs/reliability.md).

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kpi/engine.hpp"
#include "kpi/error.hpp"
#include "kpi/period.hpp"
#include "kpi/store.hpp"
#include "store/sqlite/store_file.hpp"
#include "test_store.hpp"

namespace {

using namespace std::chrono_literals;
using kpi::Engine;
using kpi::Error;
using kpitest::CsvFiles;
using kpitest::TestStore;
namespace storefile = kpi::storefile;

// One salesperson with `orders` approved sale orders in November 2026, each of
// one line of 1000 VND of P1 and, every third one, a line of P2 (Snack).
CsvFiles salesperson(int orders, const std::string& prefix = "SO") {
    std::string orderRows = "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n";
    std::string lineRows = "order_code,line_no,sku,quantity,amount\n";
    for (int i = 0; i < orders; ++i) {
        const std::string code = prefix + std::to_string(100000 + i);
        char time[32];
        std::snprintf(time, sizeof time, "2026-11-%02d %02d:%02d:00", 1 + i % 28, 8 + (i / 60) % 10, i % 60);
        orderRows += code + ",S1,O1," + time + ",sale,approved,\n";
        lineRows += code + ",1,P1,1,1000\n";
        if (i % 3 == 0) lineRows += code + ",2,P2,2,500\n";
    }
    return {
        {"employees.csv", "code,name,role,manager_code,department,region,start_date,end_date\n"
                          "S1,Nguyễn Thị Lan,SR,,Kênh GT,Hồ Chí Minh,2020-01-01,\n"},
        {"outlets.csv", "code,name,channel,province,created_date,created_by\nO1,Tạp hóa Cô Ba,GT,HCM,2025-01-01,\n"},
        {"products.csv", "sku,name,category,brand\nP1,Sữa tươi,Dairy,VinaMilk\nP2,Snack tôm,Snack,Oishi\n"},
        {"kpis.csv", "code,type,name_vi,name_en,description,applies_to,unit,params,cap\n"
                     "DS,SALES,Doanh số,Sales,,,VND,,\nSNACK,SALES,Snack,Snack,,,VND,category=Snack,\n"},
        {"orders.csv", orderRows},
        {"order_lines.csv", lineRows},
    };
}

const kpi::Period kNovember = *kpi::parsePeriod("2026-11");

double salesOf(Engine& engine, const std::string& kpi = "DS") {
    return engine.figures("S1", kpi, kNovember, kpi::makeDay(2026, 11, 30)).actual;
}

// How long fn takes, in seconds.
template <typename Fn>
double secondsOf(Fn&& fn) {
    const auto started = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

// The message of the kpi::Error that opening an engine on path throws.
std::string engineError(const std::filesystem::path& path, Error::Kind* kind = nullptr) {
    try {
        Engine engine(path);
    } catch (const Error& error) {
        if (kind) *kind = error.kind();
        return error.what();
    }
    return "(no error)";
}

class ScratchDir {
public:
    ScratchDir() {
        char pattern[] = "/tmp/saleskpi-storefile-XXXXXX";
        path_ = ::mkdtemp(pattern);
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

TEST(StoreFile, NeverOpensAFifoAndSaysWhatItIs) {
    ScratchDir dir;
    const auto fifo = dir.path() / "kpi.sqlite";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    // Were the FIFO opened, open(2) would wait for a writer: this one comes
    // after 3 s, so that a regression fails the time bound instead of hanging.
    std::promise<void> finished;
    std::thread rescue([&, done = finished.get_future()] {
        if (done.wait_for(3s) == std::future_status::ready) return;
        const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (fd >= 0) ::close(fd);
    });
    std::string message;
    EXPECT_LT(secondsOf([&] { message = engineError(fifo); }), 1.0);
    finished.set_value();
    rescue.join();
    EXPECT_NE(message.find("is not a file but a FIFO (named pipe)"), std::string::npos) << message;
}

TEST(StoreFile, SaysADirectoryOrADeviceIsNotAStore) {
    ScratchDir dir;
    Error::Kind kind{};
    std::string message = engineError(dir.path(), &kind);
    EXPECT_NE(message.find("is not a file but a directory"), std::string::npos) << message;
    EXPECT_EQ(kind, Error::Kind::Corruption);
    message = engineError("/dev/zero");
    EXPECT_NE(message.find("/dev/zero is not a file but a character device"), std::string::npos) << message;
}

TEST(StoreFile, SaysATextFileOrAHugeSparseFileIsNotAnSqliteDatabaseAtOnce) {
    ScratchDir dir;
    const auto text = dir.path() / "notes.txt";
    std::ofstream(text) << "order_code,amount\nSO1,1000\n";
    EXPECT_NE(engineError(text).find("not a SalesKPI store: " + text.string() + ": not an SQLite database"),
              std::string::npos);
    const auto huge = dir.path() / "huge.sqlite";
    std::filesystem::resize_file((std::ofstream(huge), huge), 10LL << 30);  // 10 GiB of holes
    std::string message;
    EXPECT_LT(secondsOf([&] { message = engineError(huge); }), 1.0);
    EXPECT_NE(message.find("not an SQLite database"), std::string::npos) << message;
}

// Another process (a new one: a fork would inherit this process's SQLite
// state) writes one order and closes its connection: when it believes it is
// the store's last user, SQLite checkpoints and deletes the WAL and its index.
void writeFromAnotherProcess(const std::filesystem::path& store, const std::string& order) {
    const auto script = store.parent_path() / "write_order.py";
    std::ofstream(script) << "import sqlite3, sys\n"
                             "c = sqlite3.connect(sys.argv[1], timeout=10)\n"
                             "c.execute(\"INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, "
                             "status) VALUES (?, 'S1', 'O1', '2026-11-20 10:00:00', 'sale', 'approved')\", (sys.argv[2],))\n"
                             "c.execute(\"INSERT INTO order_lines VALUES (?, 1, 'P1', 1, 1000)\", (sys.argv[2],))\n"
                             "c.commit()\n"
                             "c.close()\n";
    const std::string command = "/usr/bin/python3 " + script.string() + " " + store.string() + " " + order;
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

TEST(StoreFile, LookingAtAStoreKeepsTheLocksOfTheConnectionsAlreadyOpenOnIt) {
    // POSIX drops every lock a process holds on a file when any descriptor of
    // that file closes. Had inspect() opened and closed the file itself, the
    // open engine's locks would be gone: the writer below would take the
    // store for its own, reset the WAL, and the engine would never see another
    // change (what froze the live demo dashboard once).
    TestStore store(salesperson(2));
    Engine engine(store.path());
    storefile::inspect(store.path());
    Engine other(store.path());                       // opens (and looks at) the file again
    engine.detailQuery("S1", "DS", kNovember).run(10);  // and so does a detail query
    writeFromAnotherProcess(store.path(), "LATE1");
    EXPECT_TRUE(std::filesystem::exists(store.path().string() + "-shm"));
    EXPECT_TRUE(engine.refresh());
    EXPECT_EQ(salesOf(engine), 3 * 1000 + 500);
    writeFromAnotherProcess(store.path(), "LATE2");
    EXPECT_TRUE(engine.refresh());
    EXPECT_EQ(salesOf(engine), 4 * 1000 + 500);
}

TEST(StoreFile, KnowsWhichFileSystemsShareFilesBetweenComputers) {
    EXPECT_TRUE(storefile::classifyFilesystem(0x6969).shared);  // NFS
    EXPECT_EQ(storefile::classifyFilesystem(0x6969).name, "nfs");
    EXPECT_TRUE(storefile::classifyFilesystem(static_cast<long>(0xFF534D42)).shared);  // CIFS
    EXPECT_TRUE(storefile::classifyFilesystem(static_cast<long>(0xFE534D42)).shared);  // SMB2
    EXPECT_TRUE(storefile::classifyFilesystem(0x517B).shared);                         // SMB
    EXPECT_FALSE(storefile::classifyFilesystem(0xEF53).shared);                        // ext4
    EXPECT_FALSE(storefile::classifyFilesystem(0x01021994).shared);                    // tmpfs
    EXPECT_EQ(storefile::journalFor(storefile::classifyFilesystem(0x6969)), storefile::Journal::Rollback);
    EXPECT_EQ(storefile::journalFor(storefile::classifyFilesystem(0xEF53)), storefile::Journal::Wal);
}

storefile::Facts walStore() {
    storefile::Facts facts;
    facts.exists = true;
    facts.size = 8192;
    facts.sqlite = true;
    facts.journal = storefile::Journal::Wal;
    facts.filesystem = {"ext4", false};
    facts.folderWritable = true;
    return facts;
}

std::string refusal(const storefile::Facts& facts, storefile::Access access) {
    try {
        storefile::checkOpenable(facts, "/srv/kpi/npp.sqlite", access);
    } catch (const Error& error) {
        return error.what();
    }
    return "";
}

TEST(StoreFile, RefusesWalOnANetworkFileSystemAndSaysHowToSwitch) {
    auto facts = walStore();
    facts.filesystem = storefile::classifyFilesystem(0x6969);
    for (auto access : {storefile::Access::Read, storefile::Access::Write}) {
        const std::string message = refusal(facts, access);
        EXPECT_NE(message.find("uses WAL journal mode but lies on a network file system (nfs)"), std::string::npos)
            << message;
        EXPECT_NE(message.find("kpi --store /srv/kpi/npp.sqlite init --journal rollback"), std::string::npos);
    }
    EXPECT_EQ(refusal(facts, storefile::Access::Create), "");  // kpi init switches it
    facts.journal = storefile::Journal::Rollback;
    EXPECT_EQ(refusal(facts, storefile::Access::Read), "");
}

TEST(StoreFile, TellsAReaderWhoCannotCreateTheWalIndexWhatToDo) {
    auto facts = walStore();
    facts.folderWritable = false;
    const std::string message = refusal(facts, storefile::Access::Read);
    EXPECT_NE(message.find("needs the file /srv/kpi/npp.sqlite-shm beside it, and this user may not create files in "
                           "/srv/kpi"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("init --journal rollback"), std::string::npos);
    facts.walIndexExists = true;  // a writer keeps the store open: SQLite reads it through a read-only index
    EXPECT_EQ(refusal(facts, storefile::Access::Read), "");
    facts.walIndexExists = false;
    facts.journal = storefile::Journal::Rollback;  // a reader needs only read access
    EXPECT_EQ(refusal(facts, storefile::Access::Read), "");
}

std::string journalOf(const std::filesystem::path& store) {
    return kpitest::queryStore(store, "PRAGMA journal_mode").at(0);
}

TEST(StoreJournal, IsWalOnALocalDiskAndStaysRollbackOnceChosen) {
    ScratchDir dir;
    const auto wal = dir.path() / "wal.sqlite";
    EXPECT_EQ(kpi::Store::init(wal).journal, "wal");
    EXPECT_EQ(journalOf(wal), "wal");

    const auto rollback = dir.path() / "rollback.sqlite";
    EXPECT_EQ(kpi::Store::init(rollback, kpi::JournalMode::Rollback).journal, "rollback");
    EXPECT_EQ(journalOf(rollback), "delete");
    // Neither a later init (an upgrade) nor a writer turns it back to WAL.
    EXPECT_EQ(kpi::Store::init(rollback).journal, "rollback");
    kpi::Store::open(rollback, kpi::Store::Mode::ReadWrite);
    EXPECT_EQ(journalOf(rollback), "delete");
    // Asked for, it switches back.
    EXPECT_EQ(kpi::Store::init(rollback, kpi::JournalMode::Wal).journal, "wal");
}

TEST(StoreJournal, ReadsAndFollowsARollbackStore) {
    TestStore store;
    kpi::Store::init(store.path(), kpi::JournalMode::Rollback);
    store.import(salesperson(4));
    Engine engine(store.path());
    EXPECT_EQ(salesOf(engine), 4 * 1000 + 2 * 500);
    store.import(salesperson(1, "NEW"));
    EXPECT_TRUE(engine.refresh());
    EXPECT_EQ(salesOf(engine), 5 * 1000 + 3 * 500);
}

TEST(StoreJournal, RefusesToSwitchWhileAnotherProgramHasTheStoreOpen) {
    TestStore store(salesperson(2));
    Engine reader(store.path());  // keeps a connection open, as Calc does
    try {
        kpi::Store::init(store.path(), kpi::JournalMode::Rollback);
        // SQLite may switch when the reader holds no lock at this instant; then nothing is refused.
        EXPECT_EQ(journalOf(store.path()), "delete");
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), Error::Kind::Busy);
        EXPECT_NE(std::string(error.what()).find("while other programs have it open"), std::string::npos)
            << error.what();
        EXPECT_EQ(journalOf(store.path()), "wal");
    }
}

TEST(StoreIdentity, InitGivesAStoreARandomIdOnceAndKeepsIt) {
    ScratchDir dir;
    const auto first = kpi::Store::init(dir.path() / "a.sqlite").storeId;
    const auto other = kpi::Store::init(dir.path() / "b.sqlite").storeId;
    EXPECT_EQ(first.size(), 32u);
    EXPECT_NE(first, other);
    EXPECT_EQ(kpi::Store::init(dir.path() / "a.sqlite").storeId, first);
}

TEST(StoreIdentity, InitGivesAnOlderStoreWithoutAnIdOne) {
    TestStore store(salesperson(1));
    store.execute("DELETE FROM meta WHERE key = 'store_id'");
    EXPECT_TRUE(store.query("SELECT value FROM meta WHERE key = 'store_id'").empty());
    EXPECT_EQ(kpi::Store::init(store.path()).storeId.size(), 32u);
    EXPECT_EQ(store.query("SELECT length(value) FROM meta WHERE key = 'store_id'"), std::vector<std::string>{"32"});
}

// Copies the store at `from` over the one at `to` through SQLite's backup API:
// the file keeps its inode, and readers see the new content at their next
// transaction — a restore in place.
void restoreInPlace(const std::filesystem::path& from, const std::filesystem::path& to) {
    sqlite3* source = nullptr;
    sqlite3* target = nullptr;
    ASSERT_EQ(sqlite3_open_v2(from.c_str(), &source, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_open_v2(to.c_str(), &target, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_busy_timeout(target, 10000);
    sqlite3_backup* backup = sqlite3_backup_init(target, "main", source, "main");
    ASSERT_NE(backup, nullptr) << sqlite3_errmsg(target);
    EXPECT_EQ(sqlite3_backup_step(backup, -1), SQLITE_DONE);
    EXPECT_EQ(sqlite3_backup_finish(backup), SQLITE_OK);
    sqlite3_close(target);
    sqlite3_close(source);
}

TEST(StoreIdentity, AStoreRestoredInPlaceIsReadFromScratchNotFoldedIn) {
    TestStore store(salesperson(3));
    Engine engine(store.path());
    const auto before = engine.state();
    EXPECT_EQ(salesOf(engine), 3 * 1000 + 500);

    // Another store whose change log runs further than the first one's: folded
    // in, its changes past the engine's position would be added to the old figures.
    TestStore other(salesperson(5, "XX"));
    for (int i = 0; i < 3; ++i) other.import(salesperson(1, "Y" + std::to_string(i)));
    ASSERT_GT(std::stoll(other.query("SELECT max(seq) FROM changes").at(0)), before.changeSeq);
    struct stat was {};
    ::stat(store.path().c_str(), &was);
    restoreInPlace(other.path(), store.path());
    struct stat now {};
    ::stat(store.path().c_str(), &now);
    ASSERT_EQ(was.st_ino, now.st_ino);

    EXPECT_TRUE(engine.refresh());
    Engine fresh(store.path());
    EXPECT_EQ(salesOf(engine), salesOf(fresh));
    EXPECT_EQ(salesOf(engine), 8 * 1000 + 5 * 500);
    EXPECT_EQ(salesOf(engine, "SNACK"), salesOf(fresh, "SNACK"));
    EXPECT_NE(engine.state().storeId, before.storeId);
    EXPECT_EQ(engine.state().storeId, fresh.state().storeId);
    EXPECT_EQ(engine.detail("S1", "DS", kNovember).size(), 8u);
}

TEST(DetailQuery, BuildsAtMostTheLimitAndCountsTheRest) {
    TestStore store(salesperson(30));
    Engine engine(store.path());
    const auto all = engine.detail("S1", "DS", kNovember);
    ASSERT_EQ(all.size(), 30u);
    const auto cut = engine.detailQuery("S1", "DS", kNovember).run(7);
    EXPECT_EQ(cut.total, 30u);
    ASSERT_EQ(cut.rows.size(), 7u);
    for (size_t i = 0; i < cut.rows.size(); ++i) {
        EXPECT_EQ(cut.rows[i].reference, all[i].reference);
        EXPECT_EQ(cut.rows[i].value, all[i].value);
        EXPECT_EQ(cut.rows[i].outletName, "Tạp hóa Cô Ba");
    }
    // A filtered KPI counts only the orders with a line that passes the filter.
    const auto snack = engine.detailQuery("S1", "SNACK", kNovember).run(3);
    EXPECT_EQ(snack.total, 10u);
    EXPECT_EQ(snack.rows.size(), 3u);
    EXPECT_EQ(snack.rows[0].value, 500);
    EXPECT_EQ(engine.detailQuery("S1", "DS", kNovember).run(1000).total, 30u);
}

TEST(DetailQuery, OutlivesTheEngineThatMadeIt) {
    TestStore store(salesperson(4));
    std::optional<kpi::DetailQuery> query;
    {
        Engine engine(store.path());
        query = engine.detailQuery("S1", "DS", kNovember);
    }
    EXPECT_EQ(query->run(10).total, 4u);
}

TEST(DetailQuery, StopsWhenCancelled) {
    TestStore store(salesperson(200));
    Engine engine(store.path());
    try {
        engine.detailQuery("S1", "DS", kNovember).run(10, [] { return true; });
        FAIL() << "not cancelled";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), Error::Kind::Io);
        EXPECT_NE(std::string(error.what()).find("cancelled"), std::string::npos) << error.what();
    }
}

// The engine's connection belongs to the thread that fetches; detail queries
// read through their own. Run under ThreadSanitizer (make test-tsan), any
// sharing of a connection between threads is a reported race.
TEST(DetailQuery, RunsOnOtherThreadsWhileTheEngineFetchesAndAWriterCommits) {
    TestStore store(salesperson(20));
    Engine engine(store.path());
    std::mutex engineMutex;
    std::atomic<bool> done{false};
    std::atomic<int> writes{0}, details{0};
    std::thread writer([&] {
        for (int i = 0; i < 40; ++i) {
            store.execute("INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
                          "VALUES ('W" + std::to_string(i) + "', 'S1', 'O1', '2026-11-15 10:00:00', 'sale', "
                          "'approved'); INSERT INTO order_lines VALUES ('W" + std::to_string(i) +
                          "', 1, 'P1', 1, 1000);");
            ++writes;
        }
        done = true;
    });
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t) {
        readers.emplace_back([&] {
            while (!done) {
                kpi::DetailQuery query;
                {
                    std::lock_guard lock(engineMutex);
                    query = engine.detailQuery("S1", "DS", kNovember);
                }
                EXPECT_GE(query.run(5).total, 20u);
                ++details;
            }
        });
    }
    while (!done) {
        auto changes = engine.fetchChanges();  // the engine's own connection, this thread only
        std::lock_guard lock(engineMutex);
        engine.apply(std::move(changes));
    }
    writer.join();
    for (auto& reader : readers) reader.join();
    engine.refresh();
    EXPECT_EQ(writes, 40);
    EXPECT_GT(details, 0);
    Engine fresh(store.path());
    EXPECT_EQ(salesOf(engine), salesOf(fresh));
    EXPECT_EQ(engine.detailQuery("S1", "DS", kNovember).run(0).total, 60u);
}

}  // namespace
