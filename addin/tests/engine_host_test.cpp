#include "engine_host.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "test_store.hpp"

namespace saleskpi::addin {
namespace {

using namespace std::chrono_literals;
using testing::addOrder;
using testing::makeTinyStore;
using testing::TempDir;

// Counts the host's change notifications and lets a test wait for the next.
class Changes {
public:
    EngineHost::ChangeHandler handler() {
        return [this] {
            std::lock_guard lock(mutex_);
            ++count_;
            changed_.notify_all();
        };
    }
    bool waitBeyond(int seen, std::chrono::seconds timeout = 20s) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return count_ > seen; });
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

double actualOf(EngineHost& host, const std::string& employee) {
    double actual = -1;
    host.tryQuery([&](kpi::Engine& engine) {
        actual = engine.figures(employee, "REV", *kpi::parsePeriod("2026-11"), kpi::makeDay(2026, 11, 27)).actual;
    });
    return actual;
}

TEST(EngineHost, LoadsTheStoreOnItsWorkerAndSaysReady) {
    TempDir dir;
    const auto store = makeTinyStore(dir.path());
    Changes changes;
    EngineHost host(store, 3600s, changes.handler());
    EXPECT_FALSE(host.tryQuery([](kpi::Engine&) {}));
    EXPECT_EQ(host.status().state, EngineHost::State::Loading);
    host.start();
    ASSERT_TRUE(changes.waitBeyond(0));
    const auto status = host.status();
    EXPECT_EQ(status.state, EngineHost::State::Ready);
    EXPECT_FALSE(status.checkedAt.empty());
    ASSERT_TRUE(status.data);
    EXPECT_EQ(actualOf(host, "SR01"), 250000);
}

TEST(EngineHost, SaysWhyAMissingStoreIsUnavailableAndLoadsItOnceItExists) {
    TempDir dir;
    const auto store = dir.path() / "kpi.sqlite";
    Changes changes;
    EngineHost host(store, 3600s, changes.handler());
    host.start();
    ASSERT_TRUE(changes.waitBeyond(0));
    auto status = host.status();
    EXPECT_EQ(status.state, EngineHost::State::Unavailable);
    EXPECT_NE(status.problem.find("not found"), std::string::npos) << status.problem;
    EXPECT_FALSE(host.tryQuery([](kpi::Engine&) {}));

    makeTinyStore(dir.path());
    const int seen = changes.count();
    host.refreshNow();
    ASSERT_TRUE(changes.waitBeyond(seen));
    EXPECT_EQ(host.status().state, EngineHost::State::Ready);
    EXPECT_EQ(actualOf(host, "SR01"), 250000);
}

TEST(EngineHost, FoldsNewOrdersInWhenItChecks) {
    TempDir dir;
    const auto store = makeTinyStore(dir.path());
    Changes changes;
    EngineHost host(store, 3600s, changes.handler());
    host.start();
    ASSERT_TRUE(changes.waitBeyond(0));
    addOrder(dir.path(), store);
    const int seen = changes.count();
    host.refreshNow();
    ASSERT_TRUE(changes.waitBeyond(seen));
    EXPECT_EQ(actualOf(host, "SR01"), 300000);
}

TEST(EngineHost, KeepsTheLastFiguresAndSaysStaleWhenTheStoreGoesAway) {
    TempDir dir;
    const auto store = makeTinyStore(dir.path());
    Changes changes;
    EngineHost host(store, 3600s, changes.handler());
    host.start();
    ASSERT_TRUE(changes.waitBeyond(0));
    const auto loadedAt = host.status().checkedAt;
    std::filesystem::rename(store, dir.path() / "moved.sqlite");
    const int seen = changes.count();
    host.refreshNow();
    ASSERT_TRUE(changes.waitBeyond(seen));
    const auto status = host.status();
    EXPECT_EQ(status.state, EngineHost::State::Stale);
    EXPECT_NE(status.problem.find("not found"), std::string::npos) << status.problem;
    EXPECT_EQ(status.checkedAt, loadedAt);
    EXPECT_EQ(actualOf(host, "SR01"), 250000);
}

TEST(EngineHost, KeepsTheLastFiguresWhenTheStoreIsReplacedByABrokenFile) {
    TempDir dir;
    const auto store = makeTinyStore(dir.path());
    Changes changes;
    EngineHost host(store, 3600s, changes.handler());
    host.start();
    ASSERT_TRUE(changes.waitBeyond(0));
    std::filesystem::rename(store, dir.path() / "original.sqlite");
    testing::writeText(store, std::string(8192, 'x'));
    const int seen = changes.count();
    host.refreshNow();
    ASSERT_TRUE(changes.waitBeyond(seen));
    const auto status = host.status();
    EXPECT_EQ(status.state, EngineHost::State::Stale);
    EXPECT_NE(status.problem.find("not a SalesKPI store"), std::string::npos) << status.problem;
    EXPECT_EQ(actualOf(host, "SR01"), 250000);
}

TEST(EngineHost, LoadsAStoreThatWasReplacedAfresh) {
    TempDir dir;
    const auto store = makeTinyStore(dir.path());
    Changes changes;
    EngineHost host(store, 3600s, changes.handler());
    host.start();
    ASSERT_TRUE(changes.waitBeyond(0));
    // A new store with one more order, moved over the old one (a restore).
    TempDir other;
    const auto replacement = makeTinyStore(other.path());
    addOrder(other.path(), replacement);
    std::filesystem::rename(replacement, store);
    const int seen = changes.count();
    host.refreshNow();
    ASSERT_TRUE(changes.waitBeyond(seen));
    EXPECT_EQ(host.status().state, EngineHost::State::Ready);
    EXPECT_EQ(actualOf(host, "SR01"), 300000);
}

TEST(EngineHost, AnswersNoQueryWithoutAnEngineInsteadOfWaiting) {
    TempDir dir;
    EngineHost host(dir.path() / "none.sqlite", 3600s, {});
    bool called = false;
    EXPECT_FALSE(host.tryQuery([&](kpi::Engine&) { called = true; }));
    EXPECT_FALSE(called);
}

TEST(EngineHost, StopsPromptlyWhileWaitingForTheNextCheck) {
    TempDir dir;
    const auto store = makeTinyStore(dir.path());
    Changes changes;
    EngineHost host(store, 3600s, changes.handler());
    host.start();
    ASSERT_TRUE(changes.waitBeyond(0));
    const auto before = std::chrono::steady_clock::now();
    host.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, 2s);
    EXPECT_EQ(host.status().state, EngineHost::State::Stopped);
    host.stop();  // idempotent
}

}  // namespace
}  // namespace saleskpi::addin
