// The engine host when things go wrong: paths that are not stores, a store
// replaced underneath, a store thread stuck on a file system that does not
// answer, and many threads at once while a writer commits (run under
// ThreadSanitizer by `make test-tsan`). docs/reliability.md names these tests.

#include <sqlite3.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "cell_query.hpp"
#include "engine_host.hpp"
#include "sidebar_view.hpp"
#include "test_store.hpp"

namespace saleskpi::addin {
namespace {

using namespace std::chrono_literals;
using testing::addOrder;
using testing::makeTinyStore;
using testing::TempDir;
using Clock = std::chrono::steady_clock;

const kpi::Period kNovember = *kpi::parsePeriod("2026-11");
const kpi::Day kNovember27 = kpi::makeDay(2026, 11, 27);

// Counts change notifications; a test waits for a condition on the host.
class Watcher {
public:
    EngineHost::ChangeHandler handler() {
        return [this] {
            std::lock_guard lock(mutex_);
            ++count_;
            changed_.notify_all();
        };
    }
    template <typename Condition>
    bool waitFor(Condition condition, std::chrono::milliseconds timeout = 20s) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] {
            lock.unlock();
            const bool met = condition();
            lock.lock();
            return met;
        });
    }
    int count() {
        std::lock_guard lock(mutex_);
        return count_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int count_ = 0;
};

double actualOf(EngineHost& host, const std::string& employee = "SR01") {
    double actual = -1;
    host.tryQuery([&](kpi::Engine& engine) { actual = engine.figures(employee, "REV", kNovember, kNovember27).actual; });
    return actual;
}

TEST(EngineHostFaults, SaysAtOnceWhyAPathIsNotAStoreAndStopsPromptly) {
    TempDir dir;
    const auto fifo = dir.path() / "fifo.sqlite";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const auto text = dir.path() / "notes.txt";
    testing::writeText(text, "not a database\n");
    const std::vector<std::pair<std::filesystem::path, std::string>> cases{
        {fifo, "is not a file but a FIFO (named pipe)"},
        {dir.path(), "is not a file but a directory"},
        {"/dev/zero", "is not a file but a character device"},
        {text, "not an SQLite database"},
    };
    for (const auto& [path, expected] : cases) {
        Watcher watcher;
        EngineHost host(path, 3600s, watcher.handler());
        host.start();
        ASSERT_TRUE(watcher.waitFor([&] { return host.status().state == EngineHost::State::Unavailable; }, 5s))
            << path;
        EXPECT_NE(host.status().problem.find(expected), std::string::npos) << host.status().problem;
        const auto started = Clock::now();
        host.stop();
        EXPECT_LT(Clock::now() - started, 500ms) << path;
        EXPECT_FALSE(host.leftBehind());
    }
}

TEST(EngineHostFaults, RunsPostedJobsOnTheStoreThreadOneAtATime) {
    TempDir dir;
    Watcher watcher;
    EngineHost host(makeTinyStore(dir.path()), 3600s, watcher.handler());
    host.start();
    ASSERT_TRUE(watcher.waitFor([&] { return host.status().state == EngineHost::State::Ready; }));
    std::mutex mutex;
    std::vector<std::thread::id> threads;
    std::atomic<int> running{0}, overlapped{0}, done{0};
    for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(host.post([&](const std::function<bool()>&) {
            if (++running > 1) ++overlapped;
            {
                std::lock_guard lock(mutex);
                threads.push_back(std::this_thread::get_id());
            }
            --running;
            ++done;
        }));
    }
    host.refreshNow();
    ASSERT_TRUE(watcher.waitFor([&] { return done == 20; }, 5s) || done == 20);
    EXPECT_EQ(overlapped, 0);
    std::lock_guard lock(mutex);
    for (const auto& id : threads) {
        EXPECT_EQ(id, threads.front());
        EXPECT_NE(id, std::this_thread::get_id());
    }
}

TEST(EngineHostFaults, SaysTheStoreDoesNotAnswerAndLeavesAStuckStoreThreadBehindWhenStopping) {
    TempDir dir;
    Watcher watcher;
    std::atomic<int> notifiedAfterStop{0};
    std::atomic<bool> stopped{false};
    auto host = std::make_unique<EngineHost>(makeTinyStore(dir.path()), 3600s,
                                             [&, inner = watcher.handler()] {
                                                 if (stopped) ++notifiedAfterStop;
                                                 inner();
                                             },
                                             300ms);
    host->start();
    ASSERT_TRUE(watcher.waitFor([&] { return host->status().state == EngineHost::State::Ready; }));
    // A job that waits without a sign of progress, as a read(2) on a network
    // share that is down does: the store thread is stuck in it.
    std::mutex mutex;
    std::condition_variable release;
    bool released = false;
    std::atomic<bool> jobEnded{false};
    ASSERT_TRUE(host->post([&](const std::function<bool()>&) {
        std::unique_lock lock(mutex);
        release.wait(lock, [&] { return released; });
        jobEnded = true;
    }));
    ASSERT_TRUE(watcher.waitFor([&] { return host->status().noAnswer; }, 5s));
    const auto status = host->status();
    EXPECT_EQ(status.state, EngineHost::State::Stale);  // the figures read before stay
    EXPECT_NE(status.problem.find("no answer from the file system of"), std::string::npos) << status.problem;
    EXPECT_EQ(actualOf(*host), 250000);
    EXPECT_NE(statusText(status, "test").find("stale: "), std::string::npos);

    const auto started = Clock::now();
    host->stop(200ms);
    stopped = true;
    EXPECT_LT(Clock::now() - started, 1s);
    EXPECT_TRUE(host->leftBehind());
    host.reset();  // the owner goes away while the store thread is still stuck
    {
        std::lock_guard lock(mutex);
        released = true;
    }
    release.notify_all();
    for (int i = 0; i < 200 && !jobEnded; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(jobEnded);
    std::this_thread::sleep_for(100ms);  // the thread ends: releases its engine, calls nobody
    EXPECT_EQ(notifiedAfterStop, 0);
}

TEST(EngineHostFaults, ReadsAStoreRemovedAndMadeAgainFromScratch) {
    TempDir dir;
    const auto store = makeTinyStore(dir.path());
    Watcher watcher;
    EngineHost host(store, 3600s, watcher.handler());
    host.start();
    ASSERT_TRUE(watcher.waitFor([&] { return host.status().state == EngineHost::State::Ready; }));
    const auto firstId = host.status().data->storeId;
    // rm + kpi init + import: another store, with more changes than the first.
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(store.string() + suffix);
    TempDir csv;
    makeTinyStore(dir.path());
    addOrder(csv.path(), store);
    host.refreshNow();
    ASSERT_TRUE(watcher.waitFor([&] { return host.status().data && host.status().data->storeId != firstId; }));
    EXPECT_EQ(actualOf(host), kpi::Engine(store).figures("SR01", "REV", kNovember, kNovember27).actual);
    EXPECT_EQ(actualOf(host), 300000);
}

TEST(EngineHostFaults, ReadsAStoreRestoredInPlaceFromScratch) {
    TempDir dir;
    const auto store = makeTinyStore(dir.path());
    Watcher watcher;
    EngineHost host(store, 3600s, watcher.handler());
    host.start();
    ASSERT_TRUE(watcher.waitFor([&] { return host.status().state == EngineHost::State::Ready; }));
    const auto firstId = host.status().data->storeId;
    TempDir other;
    const auto replacement = makeTinyStore(other.path());
    addOrder(other.path(), replacement);
    addOrder(other.path(), replacement);  // the same order again: no change, but the log moves on
    sqlite3* source = nullptr;
    sqlite3* target = nullptr;
    ASSERT_EQ(sqlite3_open_v2(replacement.c_str(), &source, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_open_v2(store.c_str(), &target, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_busy_timeout(target, 10000);
    sqlite3_backup* backup = sqlite3_backup_init(target, "main", source, "main");
    ASSERT_NE(backup, nullptr);
    EXPECT_EQ(sqlite3_backup_step(backup, -1), SQLITE_DONE);
    sqlite3_backup_finish(backup);
    sqlite3_close(target);
    sqlite3_close(source);
    host.refreshNow();
    ASSERT_TRUE(watcher.waitFor([&] { return host.status().data && host.status().data->storeId != firstId; }));
    EXPECT_EQ(actualOf(host), 300000);
}

TEST(DetailTable, SaysHowManyRowsWereLeftOut) {
    kpi::Detail detail;
    detail.rows.push_back({"2026-11-02", "SO1", "O1", "Tạp hóa Cô Ba", "SR01", 250000});
    detail.total = 123457;
    const auto table = std::get<Table>(detailTable(detail));
    ASSERT_EQ(table.size(), 3u);
    ASSERT_EQ(table[2].size(), detailHeader().size());
    EXPECT_EQ(std::get<std::string>(table[2][0]), "\u2026 and 123,456 more rows");
    EXPECT_EQ(std::get<std::string>(table[2][5]), "");
    detail.total = 1;
    EXPECT_EQ(std::get<Table>(detailTable(detail)).size(), 2u);  // nothing left out: no such row
    EXPECT_EQ(moreRowsText(1), "\u2026 and 1 more row");
}

// Every thread that touches a store in the add-in, at once, while a writer
// commits orders: the store thread refreshing, cells asking figures (the main
// thread), detail queries read on the store thread, and the sidebar's worker
// computing its view. Under ThreadSanitizer (make test-tsan) any unguarded
// sharing — of the engine, or of a SQLite connection (sql::Database marks each
// use) — fails the run. At the end the figures equal a fresh load.
TEST(EngineHostStress, RefreshDetailAndSidebarQueriesOnSeveralThreadsWhileAWriterCommits) {
    TempDir dir;
    const auto store = makeTinyStore(dir.path());
    Watcher watcher;
    EngineHost host(store, 20ms, watcher.handler());
    host.start();
    ASSERT_TRUE(watcher.waitFor([&] { return host.status().state == EngineHost::State::Ready; }));

    constexpr int kOrders = 60;
    std::atomic<bool> writing{true};
    std::atomic<int> figuresRead{0}, detailsRead{0}, viewsComputed{0}, writes{0};
    std::thread writer([&] {
        sqlite3* db = nullptr;
        sqlite3_open_v2(store.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
        sqlite3_busy_timeout(db, 60000);
        for (int i = 0; i < kOrders; ++i) {
            const std::string code = "W" + std::to_string(i);
            const std::string sql = "BEGIN IMMEDIATE; INSERT INTO orders(order_code, employee_code, outlet_code, "
                                    "order_time, type, status) VALUES ('" + code + "', 'SR0" + std::to_string(1 + i % 2) +
                                    "', 'O1', '2026-11-1" + std::to_string(i % 10) + " 10:00:00', 'sale', 'approved'); "
                                    "INSERT INTO order_lines VALUES ('" + code + "', 1, 'P1', 1, 1000); COMMIT;";
            if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK) ++writes;
            std::this_thread::sleep_for(5ms);
        }
        sqlite3_close(db);
        writing = false;
    });
    std::thread cells([&] {  // the main thread: never waits
        while (writing) {
            if (host.tryQuery([&](kpi::Engine& engine) {
                    evaluateFigure(engine, CellQuery{FunctionId::Actual, "SS01", "REV", kNovember}, kNovember27);
                }))
                ++figuresRead;
            std::this_thread::sleep_for(1ms);
        }
    });
    std::thread details([&] {  // KPI.DETAIL: made from the engine, read on the store thread
        while (writing) {
            std::optional<kpi::DetailQuery> query;
            if (!host.tryQuery([&](kpi::Engine& engine) {
                    query = detailQueryOf(engine, CellQuery{FunctionId::Detail, "*", "REV", kNovember}, kNovember27);
                }))
                continue;
            std::mutex mutex;
            std::condition_variable done;
            bool finished = false;
            host.post([&, query = *query](const std::function<bool()>& cancelled) {
                const auto table = detailTable(query.run(kDetailRowLimit, cancelled));
                std::lock_guard lock(mutex);
                finished = !std::get<Table>(table).empty();
                done.notify_all();
            });
            std::unique_lock lock(mutex);
            if (done.wait_for(lock, 5s, [&] { return finished; })) ++detailsRead;
        }
    });
    std::thread sidebar([&] {  // the sidebar's worker: waits for the engine, computes its view
        SidebarRequest request;
        request.period = kNovember;
        request.person = "SS01";
        request.today = kNovember27;
        while (writing) {
            if (host.tryQuery([&](kpi::Engine& engine) { computeSidebarView(engine, request, {}); })) ++viewsComputed;
            else std::this_thread::sleep_for(2ms);
        }
    });
    std::thread refresher([&] {
        while (writing) {
            host.refreshNow();
            std::this_thread::sleep_for(3ms);
        }
    });
    writer.join();
    cells.join();
    details.join();
    sidebar.join();
    refresher.join();
    EXPECT_EQ(writes, kOrders);
    EXPECT_GT(figuresRead, 0);
    EXPECT_GT(detailsRead, 0);
    EXPECT_GT(viewsComputed, 0);
    // One more check folds in the last commits; then the figures equal a fresh load.
    const long long last = kpi::Engine(store).state().changeSeq;
    host.refreshNow();
    ASSERT_TRUE(watcher.waitFor([&] { return host.status().data && host.status().data->changeSeq == last; }));
    kpi::Engine fresh(store);
    for (const char* employee : {"SR01", "SR02", "SS01"})
        EXPECT_EQ(actualOf(host, employee), fresh.figures(employee, "REV", kNovember, kNovember27).actual) << employee;
    EXPECT_EQ(actualOf(host, "SS01"), 350000 + kOrders * 1000);
}

}  // namespace
}  // namespace saleskpi::addin
