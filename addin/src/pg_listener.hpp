// Pushed changes of a PostgreSQL store: a thread of its own with a connection
// of its own (never shared) that LISTENs on the channel kpi_changes, whose
// payload is the store's highest changes.seq after a commit
// (store/postgres/schema.hpp), and tells its owner at once.
//
// After every connect: LISTEN first, then read the change log's highest seq
// (a catch-up: what was committed while no one listened), then wait. A
// dropped connection (server stopped or restarted, backend terminated) is
// connected again with back-off, LISTEN first again, then caught up. The
// owner hears of every state change (listening, reconnecting and why).
//
// The thread waits on PQsocket() with poll() and a wake-up eventfd, also while
// connecting (libpq's non-blocking connect) and while a statement runs, so
// stop() returns within milliseconds whatever the server does; the thread is
// joined, never left behind. Nothing here throws out of the thread.
//
// Callbacks run on the listener's thread with no lock of the listener held;
// they must not throw or call stop().
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace saleskpi::addin {

class PgListener {
public:
    enum class State {
        Connecting,    // the first connection is being made
        Listening,     // LISTEN is in place: commits are heard at once
        Reconnecting,  // the connection failed or dropped; trying again with back-off
        Stopped,
    };

    struct Events {
        // The store changed (a notification with a higher seq than heard so
        // far, or a catch-up after a connect): the owner checks the store.
        // `seq` is the highest changes.seq heard of.
        std::function<void(long long seq)> changed;
        // The state changed; `problem` says why when Reconnecting.
        std::function<void(State state, const std::string& problem)> stateChanged;
    };

    struct Timing {
        std::chrono::milliseconds firstRetry{250};  // back-off: doubles up to maxRetry
        std::chrono::milliseconds maxRetry{4000};
        std::chrono::milliseconds connectTimeout{10000};  // for connecting and each statement
    };

    static constexpr const char* kChannel = "kpi_changes";

    PgListener(std::string location, Events events, Timing timing);
    PgListener(std::string location, Events events) : PgListener(std::move(location), std::move(events), Timing{}) {}
    ~PgListener();
    PgListener(const PgListener&) = delete;
    PgListener& operator=(const PgListener&) = delete;

    void start();
    // Wakes the thread and asks it to end; returns at once.
    void requestStop() noexcept;
    // requestStop(), then joins the thread (it ends within milliseconds).
    void stop() noexcept;

    State state() const;
    std::string problem() const;
    // The highest seq heard of; 0 before the first catch-up.
    long long lastSeq() const { return lastSeq_.load(); }
    // Connections made so far (1 after the first; each reconnect adds one).
    int connections() const { return connections_.load(); }

private:
    void run() noexcept;
    void setState(State state, const std::string& problem);

    const std::string location_;
    const Events events_;
    const Timing timing_;
    int wakeFd_ = -1;
    std::atomic<bool> stopping_{false};
    std::atomic<long long> lastSeq_{0};
    std::atomic<int> connections_{0};
    mutable std::mutex mutex_;  // state_ and problem_
    State state_ = State::Connecting;
    std::string problem_;
    std::thread thread_;
};

}  // namespace saleskpi::addin
