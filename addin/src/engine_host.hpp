// Keeps one kpi::Engine for one store current without ever making the office's
// main thread wait: not for I/O, not for the store's threads, and not at exit.
//
// Two threads per store:
// - the store thread does everything that touches the store's file: it loads
//   the engine, checks the store every `interval` (Engine::fetchChanges(), I/O,
//   runs without the engine lock, concurrently with queries; Engine::apply(),
//   CPU only, under it), and runs the jobs posted to it (detail queries of
//   cells and the sidebar, post()). Every SQLite connection of the store is
//   opened, used and closed on this thread: none is ever shared.
// - the watchdog notices a store thread that has been waiting on the file
//   system without a sign of progress for `noAnswerAfter` (a network share that
//   is down: stat(2) or open(2) that never return) and says so in the status.
//
// A store file that was replaced (another inode at the path, or another
// store_id inside) is loaded afresh and swapped in.
//
// A PostgreSQL store (a URI or conninfo as the location) has no file: its
// identity is its store_id alone, and a third thread, a PgListener with a
// connection of its own, LISTENs for commits and asks the store thread to
// check at once (the interval stays as the fallback). A check that fails on a
// PostgreSQL store (server stopped, connection dropped, statement cancelled)
// keeps the figures, says Stale, and the next check loads the store afresh
// on a new connection; the listener's reconnection asks for that check as
// soon as the server answers again. A store that is missing,
// locked or broken leaves the last figures in place: the state says Stale and
// why.
//
// The first load can be quick: cells note the periods they ask for
// (noteWanted); once the dimensions are read, when those periods fit in a short
// window, only the orders and visits of that window are read first, and cells
// whose period lies inside it are answered from that partial engine
// (tryQueryCovering) while the whole store loads. Nothing else (tryQuery:
// sidebar, report sheets) ever sees the partial engine, and a cell whose
// period it does not cover waits for the whole store as before.
//
// Queries (tryQuery) never block: while the store thread holds the engine (an
// apply or a swap) they report "busy" and the caller shows what it showed
// before; the change notification follows, and the caller asks again then.
//
// Stopping never waits for the file system: stop() joins the watchdog, and
// the store thread when it ends within the grace period (a load in progress is
// cancelled within a hundred SQLite steps); a store thread stuck in a system
// call that does not return is left behind, holding only state it shares
// with nobody else, and ends by itself when the call returns (or with the
// process). After stop() returns the change handler is never called again.
//
// Thread-safe.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kpi/date.hpp"
#include "kpi/engine.hpp"
#include "pg_listener.hpp"

namespace saleskpi::addin {

class EngineHost {
public:
    enum class State {
        Loading,      // no engine yet, first load in progress
        Ready,        // the last check read the store
        Stale,        // the last check failed; the figures are those of checkedAt
        Unavailable,  // never loaded; problem says why; retried every interval
        Stopped,      // stop() was called
    };

    struct Status {
        std::filesystem::path store;
        State state = State::Loading;
        std::string problem;                 // why Stale or Unavailable
        std::string checkedAt;               // local time of the last successful read; "" before one
        std::optional<kpi::DataState> data;  // what the figures reflect; nullopt before the first load
        std::chrono::seconds interval{0};
        // While the whole store loads: the window of the quick first load, whose
        // periods cells already show; nullopt otherwise.
        std::optional<kpi::Period> partial;
        bool noAnswer = false;  // the store thread waits on the file system (problem says since when)
        // A PostgreSQL store's pushed changes (PgListener): whether commits
        // are heard at once, or the listener is reconnecting (and why).
        enum class Push { None, Listening, Reconnecting };
        Push push = Push::None;
        std::string pushProblem;
        bool postgres = false;  // the store is a PostgreSQL location
    };

    // A quick first load reads at most this many days of orders and visits;
    // cells asking for a longer span wait for the whole store.
    static constexpr int kQuickWindowMaxDays = 62;
    // How long stop() waits for the store thread by default.
    static constexpr std::chrono::milliseconds kStopGrace{2000};
    // Silence after which the store is said not to answer.
    static constexpr std::chrono::milliseconds kNoAnswerAfter{5000};

    // Called on the host's threads, with no lock of the host held, after
    // something that may change what a cell shows (a load, a successful check,
    // a change of state, a new day). Must not throw and must not call stop().
    using ChangeHandler = std::function<void()>;
    // Work for the store thread. `cancelled` says true once the host stops
    // (and is a sign of progress: ask it while reading, e.g. as a
    // DetailQuery's cancellation). Must not throw.
    using StoreJob = std::function<void(const std::function<bool()>& cancelled)>;

    EngineHost(std::filesystem::path store, std::chrono::milliseconds interval, ChangeHandler onChange,
               std::chrono::milliseconds noAnswerAfter = kNoAnswerAfter);
    ~EngineHost();
    EngineHost(const EngineHost&) = delete;
    EngineHost& operator=(const EngineHost&) = delete;

    // Starts the threads; the first load begins at once.
    void start();
    // Asks the threads to stop; returns at once.
    void requestStop();
    // Joins the watchdog, and the store thread when it ends before `deadline`
    // (else leaves it behind). Idempotent; implies requestStop().
    void finishStop(std::chrono::steady_clock::time_point deadline);
    void stop(std::chrono::milliseconds grace = kStopGrace);
    // Asks the store thread to check the store now rather than at the next interval.
    void refreshNow();

    Status status() const;
    // Moves each time the engine's figures change (a load, a swap, an applied
    // change). Read it inside tryQuery() to know which figures a query saw.
    std::uint64_t version() const;
    // True when finishStop() left the store thread behind.
    bool leftBehind() const;

    // Runs query(engine) and returns true when an engine is loaded and the
    // store thread is not using it; returns false at once otherwise.
    // Exceptions from query propagate.
    bool tryQuery(const std::function<void(kpi::Engine&)>& query);
    // Like tryQuery, and before the whole store is loaded also runs query on
    // the quick first load when that covers `period` entirely.
    bool tryQueryCovering(const kpi::Period& period, const std::function<void(kpi::Engine&)>& query);
    // A period a cell asks for: the quick first load covers the periods noted
    // before it chooses its window. Cheap once the window is chosen.
    void noteWanted(const kpi::Period& period);
    // Queues job for the store thread (after what it is doing). False when
    // the host is stopping: the job is dropped. A job the host stops before
    // running is destroyed unrun.
    bool post(StoreJob job);

private:
    struct Core;  // everything the threads touch, shared with them
    std::shared_ptr<Core> core_;
    std::unique_ptr<PgListener> listener_;  // a PostgreSQL store's pushed changes; joined at stop
    std::thread storeThread_;
    std::thread watchdog_;
    bool leftBehind_ = false;
};

// Why a store could not be read, for KPI.STATUS (one line).
std::string describeStoreProblem(const std::exception& error);
// Text on one line: line breaks and tabs (libpq's messages span lines) as single spaces.
std::string oneLine(const std::string& text);

}  // namespace saleskpi::addin
