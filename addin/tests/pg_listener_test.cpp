// The add-in over a PostgreSQL store, against a real server (tests/postgres/
// README.md: the ctest fixture `postgres`, KPI_TEST_PG): the listener hears
// commits at once, reconnects and catches up after its connection drops,
// stops promptly whatever the server does; the engine host shows a commit
// within moments with a five-minute poll, keeps its figures (stale) while the
// server is down and recovers by itself when it is back.
//
// Tests that stop and start a server use a private cluster of their own
// (scripts/pg-cluster.sh), never the shared one other tests are using.
#include "engine_host.hpp"
#include "pg_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "pg_test_support.hpp"
#include "test_store.hpp"

namespace saleskpi::addin {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

bool haveServer() {
    const char* setting = std::getenv("KPI_TEST_PG");
    return setting && *setting;
}

#define REQUIRE_SERVER()                                                                     \
    if (!haveServer()) GTEST_SKIP() << "KPI_TEST_PG is not set (run through ctest: the fixture postgres)"

template <typename Condition>
bool waitFor(Condition condition, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return condition();
}

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// What a listener told, in order.
struct Heard {
    std::mutex mutex;
    std::vector<long long> changes;
    std::vector<PgListener::State> states;
    std::vector<std::string> problems;

    PgListener::Events events() {
        PgListener::Events events;
        events.changed = [this](long long seq) {
            std::lock_guard lock(mutex);
            changes.push_back(seq);
        };
        events.stateChanged = [this](PgListener::State state, const std::string& problem) {
            std::lock_guard lock(mutex);
            states.push_back(state);
            problems.push_back(problem);
        };
        return events;
    }
    long long highestChange() {
        std::lock_guard lock(mutex);
        long long highest = -1;
        for (long long seq : changes) highest = std::max(highest, seq);
        return highest;
    }
    bool saw(PgListener::State state) {
        std::lock_guard lock(mutex);
        return std::find(states.begin(), states.end(), state) != states.end();
    }
    std::string lastProblem() {
        std::lock_guard lock(mutex);
        return problems.empty() ? "" : problems.back();
    }
};

// A database of the test's own holding the tiny store (kpi init + import).
struct TinyPgStore {
    testing::TempDir dir;
    pgtest::TestDatabase database{false};
    std::string location = database.conninfo();
    TinyPgStore() { testing::fillTinyStore(dir.path(), location); }
};

// One more approved order of SR01 by plain SQL (a DMS writing), committed; the store's new highest seq.
long long commitOrder(const std::string& location, const std::string& code, int amount) {
    pgtest::Connection writer(location);
    writer.exec("BEGIN; INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) VALUES ('" +
                code + "', 'SR01', 'O1', '2026-11-05 08:00:00', 'sale', 'approved'); "
                "INSERT INTO order_lines(order_code, line_no, sku, quantity, amount) VALUES ('" +
                code + "', 1, 'P1', 1, " + std::to_string(amount) + "); COMMIT");
    return std::stoll(writer.value("SELECT max(seq) FROM changes"));
}

TEST(PgListener, HearsACommitAtOnceAndCatchesUpWhenItConnects) {
    REQUIRE_SERVER();
    TinyPgStore store;
    const long long before = commitOrder(store.location, "SQL0", 1000);
    Heard heard;
    PgListener listener(store.location, heard.events());
    listener.start();
    ASSERT_TRUE(waitFor([&] { return listener.state() == PgListener::State::Listening; }, 10s)) << listener.problem();
    // The catch-up after connecting reports what the change log holds already.
    EXPECT_TRUE(waitFor([&] { return heard.highestChange() == before; }, 2s)) << heard.highestChange();
    EXPECT_EQ(listener.lastSeq(), before);

    const auto committing = Clock::now();
    const long long seq = commitOrder(store.location, "SQL1", 2000);
    ASSERT_TRUE(waitFor([&] { return heard.highestChange() == seq; }, 5s)) << "heard " << heard.highestChange();
    const double latency = secondsSince(committing);
    std::printf("commit to listener callback: %.3f s\n", latency);
    EXPECT_LT(latency, 1.0);
    EXPECT_EQ(listener.connections(), 1);
    listener.stop();
    EXPECT_EQ(listener.state(), PgListener::State::Stopped);
}

TEST(PgListener, ReconnectsAfterItsConnectionIsTerminatedListensFirstThenCatchesUp) {
    REQUIRE_SERVER();
    TinyPgStore store;
    Heard heard;
    PgListener listener(store.location, heard.events());
    listener.start();
    ASSERT_TRUE(waitFor([&] { return listener.state() == PgListener::State::Listening; }, 10s));
    // Dropped, and an order committed at once, while it may not listen: either
    // the notification or the catch-up brings it.
    pgtest::Connection admin(store.location);
    admin.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kpi-listen' AND "
               "datname = current_database()");
    const long long seq = commitOrder(store.location, "SQL2", 3000);
    ASSERT_TRUE(waitFor([&] { return listener.connections() == 2 && listener.state() == PgListener::State::Listening; },
                        10s))
        << "connections " << listener.connections() << ", problem: " << listener.problem();
    EXPECT_TRUE(heard.saw(PgListener::State::Reconnecting));
    EXPECT_TRUE(waitFor([&] { return heard.highestChange() >= seq; }, 5s));
    EXPECT_EQ(listener.lastSeq(), seq);

    // And it listens again: the next commit is heard at once.
    const auto committing = Clock::now();
    const long long next = commitOrder(store.location, "SQL3", 4000);
    EXPECT_TRUE(waitFor([&] { return heard.highestChange() == next; }, 5s));
    std::printf("commit to listener callback after a reconnect: %.3f s\n", secondsSince(committing));
    listener.stop();
}

TEST(PgListener, KeepsTryingWithBackOffWhileNoServerAnswersAndStopsAtOnce) {
    testing::TempDir nowhere;  // a socket folder where no server runs
    Heard heard;
    PgListener::Timing timing;
    timing.firstRetry = 50ms;
    timing.maxRetry = 400ms;
    PgListener listener("host=" + nowhere.path().string() + " dbname=none user=none", heard.events(), timing);
    listener.start();
    ASSERT_TRUE(waitFor([&] { return listener.state() == PgListener::State::Reconnecting; }, 5s));
    EXPECT_NE(listener.problem().find("cannot connect"), std::string::npos) << listener.problem();
    std::this_thread::sleep_for(1s);
    EXPECT_EQ(listener.connections(), 0);
    const auto stopping = Clock::now();
    listener.stop();
    EXPECT_LT(secondsSince(stopping), 0.2);
    EXPECT_EQ(heard.highestChange(), -1);  // nothing to tell
}

TEST(PgListener, StopsAtOnceWhileAServerDoesNotAnswerItsConnect) {
    // A TCP socket that accepts connections in the kernel and never answers:
    // libpq's startup waits for a reply that never comes.
    const int server = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(server, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(server, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(server, 8), 0);
    socklen_t length = sizeof address;
    ::getsockname(server, reinterpret_cast<sockaddr*>(&address), &length);
    const int port = ntohs(address.sin_port);
    Heard heard;
    PgListener listener("host=127.0.0.1 port=" + std::to_string(port) + " dbname=x user=x sslmode=disable",
                        heard.events());
    listener.start();
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(listener.state(), PgListener::State::Connecting);  // still waiting for the server's answer
    const auto stopping = Clock::now();
    listener.stop();
    EXPECT_LT(secondsSince(stopping), 0.2);
    ::close(server);
}

// A private cluster that a test may stop and start (scripts/pg-cluster.sh).
class PrivateCluster {
public:
    PrivateCluster() {
        dir_ = std::string(SALESKPI_BINARY_DIR) + "/pg-listener-" + std::to_string(::getpid());
        run("start --fresh");
        std::ifstream in(dir_ + "/conninfo");
        std::getline(in, admin_);
    }
    ~PrivateCluster() {
        run("stop");
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    void start() { run("start"); }
    void stop() { run("stop"); }
    const std::string& admin() const { return admin_; }

private:
    void run(const std::string& what) {
        const std::string command =
            std::string(SALESKPI_SOURCE_DIR) + "/scripts/pg-cluster.sh " + what + " " + dir_ + " >/dev/null 2>&1";
        if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
    }
    std::string dir_;
    std::string admin_;
};

double revenue(EngineHost& host) {
    double value = -1;
    const kpi::Period november{kpi::PeriodType::Month, *kpi::parseDay("2026-11-01"), *kpi::parseDay("2026-11-30")};
    host.tryQuery([&](kpi::Engine& engine) {
        value = engine.figures("SR01", "REV", november, *kpi::parseDay("2026-11-20")).actual;
    });
    return value;
}

TEST(PgEngineHost, ShowsACommitWithinMomentsWithAFiveMinutePoll) {
    REQUIRE_SERVER();
    TinyPgStore store;
    std::atomic<int> changes{0};
    EngineHost host(store.location, 300s, [&] { ++changes; });
    host.start();
    ASSERT_TRUE(waitFor([&] { return host.status().state == EngineHost::State::Ready; }, 20s)) << host.status().problem;
    ASSERT_TRUE(waitFor([&] { return host.status().push == EngineHost::Status::Push::Listening; }, 10s));
    EXPECT_TRUE(host.status().postgres);
    EXPECT_DOUBLE_EQ(revenue(host), 250000);
    EXPECT_FALSE(host.status().data->storeId.empty());

    const auto committing = Clock::now();
    commitOrder(store.location, "SQL4", 50000);
    ASSERT_TRUE(waitFor([&] { return revenue(host) == 300000; }, 5s)) << revenue(host);
    std::printf("commit to engine figures (interval 300 s): %.3f s\n", secondsSince(committing));
    host.stop();
}

// A check that waits on the server (another program holds the change log
// locked) ends when the host stops: the store thread is joined within the
// grace, never left behind (PgDatabase::awaitResult cancels the statement).
TEST(PgEngineHost, StopsAtOnceWhileACheckWaitsOnALock) {
    REQUIRE_SERVER();
    TinyPgStore store;
    EngineHost host(store.location, 300s, [] {});
    host.start();
    ASSERT_TRUE(waitFor([&] { return host.status().state == EngineHost::State::Ready; }, 20s)) << host.status().problem;
    pgtest::Connection holder(store.location);
    holder.exec("BEGIN; LOCK TABLE changes IN ACCESS EXCLUSIVE MODE");
    pgtest::Connection watcher(store.location);
    host.refreshNow();
    ASSERT_TRUE(waitFor([&] {
        return watcher.value("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'changes'::regclass") ==
               "1";
    }, 10s)) << "the check never waited on the lock";
    std::this_thread::sleep_for(300ms);  // well inside the wait
    const auto stopping = Clock::now();
    host.stop();
    const double seconds = secondsSince(stopping);
    std::printf("stopped with a check waiting on a lock: %.3f s\n", seconds);
    EXPECT_LT(seconds, 1.5);
    EXPECT_FALSE(host.leftBehind());
    // The server let the statement go: nothing waits on the lock any more.
    EXPECT_TRUE(waitFor([&] {
        return watcher.value("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'changes'::regclass") ==
               "0";
    }, 5s));
    holder.exec("ROLLBACK");
}

TEST(PgEngineHost, KeepsItsFiguresWhileTheServerIsDownAndRecoversByItself) {
    REQUIRE_SERVER();
    PrivateCluster cluster;
    {
        pgtest::Connection admin(cluster.admin());
        admin.exec("CREATE DATABASE kpi_faults");
    }
    const std::string location = cluster.admin() + " dbname=kpi_faults";
    testing::TempDir dir;
    testing::fillTinyStore(dir.path(), location);
    EngineHost host(location, 300s, [] {});
    host.start();
    ASSERT_TRUE(waitFor([&] { return host.status().state == EngineHost::State::Ready; }, 20s)) << host.status().problem;
    ASSERT_TRUE(waitFor([&] { return host.status().push == EngineHost::Status::Push::Listening; }, 10s));

    cluster.stop();
    const auto stopped = Clock::now();
    ASSERT_TRUE(waitFor([&] { return host.status().state == EngineHost::State::Stale; }, 10s));
    std::printf("server stopped to status stale: %.3f s\n", secondsSince(stopped));
    EXPECT_EQ(host.status().push, EngineHost::Status::Push::Reconnecting);
    EXPECT_DOUBLE_EQ(revenue(host), 250000);  // the figures stay

    cluster.start();
    const auto started = Clock::now();
    ASSERT_TRUE(waitFor([&] { return host.status().state == EngineHost::State::Ready &&
                                     host.status().push == EngineHost::Status::Push::Listening; },
                        15s))
        << host.status().problem;
    std::printf("server started to status ready: %.3f s\n", secondsSince(started));
    // Caught up: an order committed now shows at once.
    commitOrder(location, "SQL5", 50000);
    EXPECT_TRUE(waitFor([&] { return revenue(host) == 300000; }, 5s)) << revenue(host);
    const auto stopping = Clock::now();
    host.stop();
    EXPECT_LT(secondsSince(stopping), 1.0);
    EXPECT_FALSE(host.leftBehind());
}

TEST(PgEngineHost, IsUnavailableWhileTheServerIsDownAtOpenAndLoadsWhenItComes) {
    REQUIRE_SERVER();
    PrivateCluster cluster;
    {
        pgtest::Connection admin(cluster.admin());
        admin.exec("CREATE DATABASE kpi_late");
    }
    const std::string location = cluster.admin() + " dbname=kpi_late";
    testing::TempDir dir;
    testing::fillTinyStore(dir.path(), location);
    cluster.stop();
    EngineHost host(location, 300s, [] {});
    host.start();
    ASSERT_TRUE(waitFor([&] { return host.status().state == EngineHost::State::Unavailable; }, 10s));
    EXPECT_NE(host.status().problem.find("cannot connect"), std::string::npos) << host.status().problem;
    EXPECT_EQ(host.status().problem.find('\n'), std::string::npos);
    cluster.start();
    const auto started = Clock::now();
    ASSERT_TRUE(waitFor([&] { return host.status().state == EngineHost::State::Ready; }, 15s)) << host.status().problem;
    std::printf("server started to first figures: %.3f s\n", secondsSince(started));
    EXPECT_DOUBLE_EQ(revenue(host), 250000);
    host.stop();
}

}  // namespace
}  // namespace saleskpi::addin
