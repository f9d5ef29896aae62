// Keeps one kpi::Engine for one store current without ever making the office's
// main thread wait: not for I/O, and not for the worker.
//
// A worker thread loads the engine, then checks the store every `interval`:
// Engine::fetchChanges() (I/O) runs without the engine lock, concurrently with
// queries; Engine::apply() (CPU only) under it. A store file that was replaced
// (another inode at the path) is loaded afresh and swapped in. A store that is
// missing, locked or broken leaves the last figures in place: the state says
// Stale and why.
//
// The first load can be quick: cells note the periods they ask for
// (noteWanted); once the dimensions are read, when those periods fit in a short
// window, only the orders and visits of that window are read first, and cells
// whose period lies inside it are answered from that partial engine
// (tryQueryCovering) while the whole store loads on the worker. Nothing else
// (tryQuery: sidebar, report sheets) ever sees the partial engine, and a cell
// whose period it does not cover waits for the whole store as before.
//
// Queries (tryQuery) never block: while the worker holds the engine (an apply
// or a swap) they report "busy" and the caller shows what it showed before;
// the worker's change notification follows, and the caller asks again then.
//
// Thread-safe. stop() (also the destructor) joins the worker: a load in
// progress is cancelled (it stops within a hundred SQLite steps, or after the
// in-memory building it is in), a fetch in progress is finished.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kpi/date.hpp"
#include "kpi/engine.hpp"

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
    };

    // A quick first load reads at most this many days of orders and visits;
    // cells asking for a longer span wait for the whole store.
    static constexpr int kQuickWindowMaxDays = 62;

    // Called on the worker thread, with no lock held, after a check that may
    // have changed what a cell shows (a load, a successful check, a change of
    // state, a new day). Must not throw and must not call stop().
    using ChangeHandler = std::function<void()>;

    EngineHost(std::filesystem::path store, std::chrono::seconds interval, ChangeHandler onChange);
    ~EngineHost();
    EngineHost(const EngineHost&) = delete;
    EngineHost& operator=(const EngineHost&) = delete;

    // Starts the worker; the first load begins at once.
    void start();
    // Asks the worker to stop and joins it. Idempotent.
    void stop();
    // Asks the worker to check the store now rather than at the next interval.
    void refreshNow();

    Status status() const;

    // Runs query(engine) and returns true when an engine is loaded and the
    // worker is not using it; returns false at once otherwise. Exceptions from
    // query propagate.
    bool tryQuery(const std::function<void(kpi::Engine&)>& query);
    // Like tryQuery, and before the whole store is loaded also runs query on
    // the quick first load when that covers `period` entirely.
    bool tryQueryCovering(const kpi::Period& period, const std::function<void(kpi::Engine&)>& query);
    // A period a cell asks for: the quick first load covers the periods noted
    // before it chooses its window. Cheap once the window is chosen.
    void noteWanted(const kpi::Period& period);

private:
    struct FileIdentity {
        dev_t device;
        ino_t inode;
        bool operator==(const FileIdentity&) const = default;
    };
    static std::optional<FileIdentity> identityOf(const std::filesystem::path& path);

    // The worker's steps; each returns whether what cells show may have changed.
    void run() noexcept;
    bool check();
    bool load(const std::optional<FileIdentity>& identity);
    // Puts the quick first load in place and tells the cells.
    void showQuick(std::unique_ptr<kpi::Engine> quick);
    bool stopping() const;
    // The quick first load's window: the span of the periods noted so far when
    // it is short enough, else nullopt (load everything at once).
    std::optional<kpi::Period> quickWindow();
    bool fetch();
    bool succeed(const kpi::DataState& data);
    bool fail(State state, std::string problem);

    const std::filesystem::path store_;
    const std::chrono::seconds interval_;
    const ChangeHandler onChange_;

    // The engine: the worker locks it to change it, queries only try.
    std::mutex engineMutex_;
    std::unique_ptr<kpi::Engine> engine_;  // replaced only by the worker
    // The quick first load, until engine_ is loaded; set and reset only by the worker.
    std::unique_ptr<kpi::Engine> quick_;
    FileIdentity loadedIdentity_{};        // the worker's: the file engine_ was loaded from

    mutable std::mutex stateMutex_;  // guards status_ and the requests; never held for long
    std::condition_variable wake_;
    Status status_;
    bool stopRequested_ = false;
    bool refreshRequested_ = false;
    std::thread worker_;

    std::mutex wantedMutex_;  // guards wanted_
    std::optional<kpi::Period> wanted_;  // the span of the periods noted (type Range)
    std::atomic<bool> windowChosen_{false};
    std::atomic<bool> stopping_{false};  // stop() was called: loads give up
};

// Why a store could not be read, for KPI.STATUS.
std::string describeStoreProblem(const std::exception& error);

}  // namespace saleskpi::addin
