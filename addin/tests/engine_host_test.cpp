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

kpi::Period period(const std::string& text) { return *kpi::parsePeriod(text); }

// What the host answered when it first told about a change (on its worker).
struct FirstChange {
    EngineHost::Status status;
    bool novemberAnswered = false;
    double novemberActual = -1;
    bool quarterAnswered = true;
    bool straddlingAnswered = true;
    bool plainQueryAnswered = true;
};

TEST(EngineHost, AnswersCellsInsideTheQuickWindowFirstAndNoOtherPeriodBeforeTheWholeStore) {
    TempDir dir;
    const auto store = makeTinyStore(dir.path());
    std::mutex mutex;
    std::condition_variable changed;
    int count = 0;
    FirstChange first;
    EngineHost* self = nullptr;
    EngineHost host(store, 3600s, [&] {
        std::lock_guard lock(mutex);
        if (++count == 1) {
            first.status = self->status();
            first.novemberAnswered = self->tryQueryCovering(period("2026-11"), [&](kpi::Engine& engine) {
                first.novemberActual = engine.figures("SR01", "REV", period("2026-11"), kpi::makeDay(2026, 11, 27)).actual;
            });
            first.quarterAnswered = self->tryQueryCovering(period("2026-Q4"), [](kpi::Engine&) {});
            first.straddlingAnswered = self->tryQueryCovering(period("2026-10-31..2026-11-30"), [](kpi::Engine&) {});
            first.plainQueryAnswered = self->tryQuery([](kpi::Engine&) {});
        }
        changed.notify_all();
    });
    self = &host;
    host.noteWanted(period("2026-11"));
    host.noteWanted(period("2026-11-05"));
    host.start();
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(changed.wait_for(lock, 20s, [&] { return count >= 2; }));
    }
    // First: the quick load of November alone, which answers only periods inside it.
    EXPECT_EQ(first.status.state, EngineHost::State::Loading);
    ASSERT_TRUE(first.status.partial);
    EXPECT_EQ(kpi::formatPeriod(*first.status.partial), "2026-11-01..2026-11-30");
    EXPECT_FALSE(first.status.data);  // KPI.ASOF waits for the whole store
    EXPECT_TRUE(first.novemberAnswered);
    EXPECT_EQ(first.novemberActual, 250000);
    EXPECT_FALSE(first.quarterAnswered);
    EXPECT_FALSE(first.straddlingAnswered);
    EXPECT_FALSE(first.plainQueryAnswered);  // the sidebar and report sheets never see partial data
    // Then the whole store, for every period and every caller.
    const auto status = host.status();
    EXPECT_EQ(status.state, EngineHost::State::Ready);
    EXPECT_FALSE(status.partial);
    EXPECT_TRUE(host.tryQueryCovering(period("2026-Q4"), [](kpi::Engine&) {}));
    EXPECT_EQ(actualOf(host, "SR01"), 250000);
}

TEST(EngineHost, LoadsTheWholeStoreAtOnceWhenCellsAskForALongSpan) {
    TempDir dir;
    const auto store = makeTinyStore(dir.path());
    Changes changes;
    EngineHost host(store, 3600s, changes.handler());
    host.noteWanted(period("2026-11"));
    host.noteWanted(period("2026-08"));
    host.start();
    ASSERT_TRUE(changes.waitBeyond(0));
    const auto status = host.status();
    EXPECT_EQ(status.state, EngineHost::State::Ready);
    EXPECT_FALSE(status.partial);
    EXPECT_TRUE(host.tryQuery([](kpi::Engine&) {}));
}

TEST(EngineHost, SaysUnavailableForAMissingStoreAlsoWhenCellsAskedForAShortSpan) {
    TempDir dir;
    Changes changes;
    EngineHost host(dir.path() / "kpi.sqlite", 3600s, changes.handler());
    host.noteWanted(period("2026-11"));
    host.start();
    ASSERT_TRUE(changes.waitBeyond(0));
    const auto status = host.status();
    EXPECT_EQ(status.state, EngineHost::State::Unavailable);
    EXPECT_NE(status.problem.find("not found"), std::string::npos) << status.problem;
    EXPECT_FALSE(status.partial);
    EXPECT_FALSE(host.tryQueryCovering(period("2026-11"), [](kpi::Engine&) {}));
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
