#include "engine_host.hpp"

#include <pthread.h>
#include <sys/stat.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <ctime>
#include <utility>

#include "kpi/error.hpp"
#include "kpi/store_location.hpp"

namespace saleskpi::addin {
namespace {

using Clock = std::chrono::steady_clock;

std::string localTime(std::time_t when) {
    std::tm local{};
    localtime_r(&when, &local);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &local);
    return buffer;
}

std::string localTimeNow() { return localTime(std::time(nullptr)); }

std::int64_t ticksNow() { return Clock::now().time_since_epoch().count(); }

// A PostgreSQL store whose check failed is checked again after 1 s, 2 s, …
// at most 30 s apart (and never later than the interval).
constexpr std::chrono::milliseconds kFirstPostgresRetry{1000};
constexpr std::chrono::milliseconds kMaxPostgresRetry{30000};

// Names show in /proc/<pid>/task/*/comm, top and gdb (15 characters at most).
void nameThisThread(const char* name) { ::pthread_setname_np(::pthread_self(), name); }

}  // namespace

std::string oneLine(const std::string& text) {
    std::string line;
    for (const char c : text) {
        if (c == '\n' || c == '\t' || c == '\r') {
            if (!line.empty() && line.back() != ' ') line += ' ';
        } else {
            line += c;
        }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
}

std::string describeStoreProblem(const std::exception& error) {
    // The engine's messages name the store and the kind of trouble already.
    if (dynamic_cast<const kpi::Error*>(&error)) return oneLine(error.what());
    return oneLine(std::string("cannot read the store: ") + error.what());
}

struct EngineHost::Core {
    struct FileIdentity {
        dev_t device;
        ino_t inode;
        bool operator==(const FileIdentity&) const = default;
    };

    Core(std::filesystem::path path, std::chrono::milliseconds every, ChangeHandler handler,
         std::chrono::milliseconds silence)
        : store(std::move(path)),
          postgres(kpi::isPostgresLocation(store.string())),
          interval(every),
          noAnswerAfter(silence),
          onChange(std::move(handler)) {
        status.store = store;
        status.interval = std::chrono::ceil<std::chrono::seconds>(interval);
        status.postgres = postgres;
    }

    const std::filesystem::path store;
    const bool postgres;  // a PostgreSQL location: no file, identity = store_id
    const std::chrono::milliseconds interval;
    const std::chrono::milliseconds noAnswerAfter;

    // The change handler belongs to the host's owner: once the owner is gone
    // (finishStop), nothing calls it any more.
    std::mutex callbackMutex;
    ChangeHandler onChange;
    bool ownerGone = false;

    // The engine: the store thread locks it to change it, queries only try.
    std::mutex engineMutex;
    std::unique_ptr<kpi::Engine> engine;  // replaced only by the store thread
    // The quick first load, until engine is loaded; set and reset only by the store thread.
    std::unique_ptr<kpi::Engine> quick;
    std::atomic<std::uint64_t> version{0};  // changed under engineMutex
    FileIdentity loadedIdentity{};          // the store thread's: the file engine was loaded from
    bool reloadNeeded = false;              // the store thread's: a PostgreSQL check failed (its connection may be gone)

    mutable std::mutex stateMutex;  // guards everything below up to the atomics; never held for long
    std::condition_variable wake;
    Status status;
    bool stopRequested = false;
    bool refreshRequested = false;
    bool finished = false;  // the store thread has ended
    std::condition_variable finishedChanged;
    std::deque<StoreJob> jobs;

    std::mutex wantedMutex;  // guards wanted
    std::optional<kpi::Period> wanted;  // the span of the periods noted (type Range)
    std::atomic<bool> windowChosen{false};
    std::atomic<bool> stopping{false};  // requestStop() was called: loads give up

    // The store thread's last sign of progress, and whether it waits on the store.
    std::atomic<std::int64_t> lastSign{0};
    std::atomic<bool> inStore{false};

    // --- the store thread ---------------------------------------------------

    void runStore() noexcept;
    bool check();
    bool load(const std::optional<FileIdentity>& identity);
    void showQuick(std::unique_ptr<kpi::Engine> partial);
    std::optional<kpi::Period> quickWindow();
    bool fetch();
    bool succeed(const kpi::DataState& data);
    bool fail(State state, std::string problem);
    void releaseEngines() noexcept;

    // A sign of progress from the store; true once the host stops. (Asked
    // by a statement still waiting for the server, it is no sign of progress.)
    bool sign() {
        if (!kpi::askedWhileWaiting()) lastSign.store(ticksNow(), std::memory_order_relaxed);
        return stopping.load(std::memory_order_relaxed);
    }
    void beginStoreWork() {
        sign();
        inStore = true;
    }
    void endStoreWork() {
        inStore = false;
        std::lock_guard lock(stateMutex);
        if (status.noAnswer) refreshRequested = true;  // a check says how things are now
    }
    void requestRefresh() noexcept {
        {
            std::lock_guard lock(stateMutex);
            refreshRequested = true;
        }
        wake.notify_all();
    }
    void pushStateChanged(PgListener::State state, const std::string& problem) noexcept {
        {
            std::lock_guard lock(stateMutex);
            if (stopRequested) return;
            status.push = state == PgListener::State::Listening ? Status::Push::Listening : Status::Push::Reconnecting;
            status.pushProblem = oneLine(problem);
        }
        notify();  // KPI.STATUS says so
    }
    void notify() noexcept {
        std::lock_guard lock(callbackMutex);
        if (ownerGone || !onChange) return;
        try {
            onChange();
        } catch (...) {
            // The owner's business; the host carries on.
        }
    }

    // --- the watchdog -------------------------------------------------------

    void runWatchdog() noexcept;

    static std::optional<FileIdentity> identityOf(const std::filesystem::path& path) {
        struct stat info {};
        if (::stat(path.c_str(), &info) != 0) return std::nullopt;
        return FileIdentity{info.st_dev, info.st_ino};
    }
};

EngineHost::EngineHost(std::filesystem::path store, std::chrono::milliseconds interval, ChangeHandler onChange,
                       std::chrono::milliseconds noAnswerAfter)
    : core_(std::make_shared<Core>(std::move(store), interval, std::move(onChange), noAnswerAfter)) {}

EngineHost::~EngineHost() { stop(); }

void EngineHost::start() {
    std::lock_guard lock(core_->stateMutex);
    if (storeThread_.joinable() || core_->stopRequested) return;
    // Each thread holds the core: a thread left behind keeps what it uses alive.
    storeThread_ = std::thread([core = core_] { core->runStore(); });
    watchdog_ = std::thread([core = core_] { core->runWatchdog(); });
    if (core_->postgres) {
        // Joined in finishStop(), before the core can go: it may hold it.
        PgListener::Events events;
        events.changed = [core = core_](long long) { core->requestRefresh(); };
        events.stateChanged = [core = core_](PgListener::State state, const std::string& problem) {
            if (state != PgListener::State::Stopped) core->pushStateChanged(state, problem);
        };
        listener_ = std::make_unique<PgListener>(core_->store.string(), std::move(events));
        listener_->start();
    }
}

void EngineHost::requestStop() {
    {
        std::lock_guard lock(core_->stateMutex);
        core_->stopRequested = true;
        core_->status.state = State::Stopped;
    }
    core_->stopping = true;  // a load in progress gives up
    core_->wake.notify_all();
    if (listener_) listener_->requestStop();
}

void EngineHost::finishStop(std::chrono::steady_clock::time_point deadline) {
    requestStop();
    const auto self = std::this_thread::get_id();
    // The listener waits on poll() with a wake-up fd: it ends at once.
    if (listener_) listener_->stop();
    if (watchdog_.joinable() && watchdog_.get_id() != self) watchdog_.join();
    if (storeThread_.joinable() && storeThread_.get_id() != self) {
        std::unique_lock lock(core_->stateMutex);
        const bool ended = core_->finishedChanged.wait_until(lock, deadline, [this] { return core_->finished; });
        lock.unlock();
        if (ended) {
            storeThread_.join();
        } else {
            // Stuck in a system call on the store's file system: it ends by
            // itself when the call returns, and touches nothing but the core.
            storeThread_.detach();
            leftBehind_ = true;
        }
    }
    std::lock_guard lock(core_->callbackMutex);
    core_->ownerGone = true;
}

void EngineHost::stop(std::chrono::milliseconds grace) { finishStop(Clock::now() + grace); }

bool EngineHost::leftBehind() const { return leftBehind_; }

void EngineHost::refreshNow() {
    {
        std::lock_guard lock(core_->stateMutex);
        core_->refreshRequested = true;
    }
    core_->wake.notify_all();
}

EngineHost::Status EngineHost::status() const {
    std::lock_guard lock(core_->stateMutex);
    return core_->status;
}

std::uint64_t EngineHost::version() const { return core_->version.load(); }

bool EngineHost::tryQuery(const std::function<void(kpi::Engine&)>& query) {
    std::unique_lock lock(core_->engineMutex, std::try_to_lock);
    if (!lock || !core_->engine) return false;
    query(*core_->engine);
    return true;
}

bool EngineHost::tryQueryCovering(const kpi::Period& period, const std::function<void(kpi::Engine&)>& query) {
    std::unique_lock lock(core_->engineMutex, std::try_to_lock);
    if (!lock) return false;
    if (core_->engine) {
        query(*core_->engine);
        return true;
    }
    // Partial data must never answer a period it does not cover entirely.
    if (!core_->quick || !core_->quick->covers(period)) return false;
    query(*core_->quick);
    return true;
}

void EngineHost::noteWanted(const kpi::Period& period) {
    if (core_->windowChosen.load(std::memory_order_relaxed)) return;
    std::lock_guard lock(core_->wantedMutex);
    auto& wanted = core_->wanted;
    if (!wanted) {
        wanted = kpi::Period{kpi::PeriodType::Cycle, period.first, period.last};
    } else {
        wanted->first = std::min(wanted->first, period.first);
        wanted->last = std::max(wanted->last, period.last);
    }
}

bool EngineHost::post(StoreJob job) {
    {
        std::lock_guard lock(core_->stateMutex);
        if (core_->stopRequested) return false;
        core_->jobs.push_back(std::move(job));
    }
    core_->wake.notify_all();
    return true;
}

// --- the store thread --------------------------------------------------------

std::optional<kpi::Period> EngineHost::Core::quickWindow() {
    windowChosen = true;
    std::lock_guard lock(wantedMutex);
    if (!wanted || wanted->last - wanted->first + 1 > kQuickWindowMaxDays) return std::nullopt;
    return wanted;
}

void EngineHost::Core::runStore() noexcept {
    nameThisThread("kpi-store");
    // Nothing may escape a thread function: std::terminate would take the
    // office down with it.
    try {
        kpi::Day day = kpi::today();
        auto nextCheck = Clock::now();
        std::chrono::milliseconds retryAfter = kFirstPostgresRetry / 2;
        std::unique_lock lock(stateMutex);
        while (!stopRequested) {
            if (!jobs.empty()) {
                StoreJob job = std::move(jobs.front());
                jobs.pop_front();
                lock.unlock();
                beginStoreWork();
                try {
                    job([this] { return sign(); });
                } catch (...) {
                    // A job that throws loses its result; the store thread lives on.
                }
                job = nullptr;  // what it holds is released here, on this thread
                endStoreWork();
                lock.lock();
                continue;
            }
            if (refreshRequested || Clock::now() >= nextCheck) {
                refreshRequested = false;
                lock.unlock();
                beginStoreWork();
                bool changed = check();
                endStoreWork();
                const kpi::Day now = kpi::today();
                if (now != day) {
                    day = now;
                    changed = true;  // "today" moves projections and the current month
                }
                if (changed) notify();
                lock.lock();
                // A PostgreSQL store that failed is tried again soon, with
                // back-off (a statement timeout, a lock, a server that is
                // back but sent no notification), never later than usual.
                const bool failed = status.state == State::Stale || status.state == State::Unavailable;
                retryAfter = postgres && failed ? std::min(retryAfter * 2, kMaxPostgresRetry) : kFirstPostgresRetry / 2;
                nextCheck = Clock::now() + (postgres && failed ? std::min<std::chrono::milliseconds>(retryAfter, interval)
                                                               : interval);
                continue;
            }
            wake.wait_until(lock, nextCheck, [this] { return stopRequested || refreshRequested || !jobs.empty(); });
        }
        std::deque<StoreJob> dropped;
        dropped.swap(jobs);
        lock.unlock();
        dropped.clear();  // unrun jobs, released on this thread
    } catch (...) {
        fail(engine ? State::Stale : State::Unavailable, "the refresh worker stopped after an unexpected error");
    }
    // The engines' connections are closed here, on the thread that used them.
    releaseEngines();
    std::lock_guard lock(stateMutex);
    finished = true;
    finishedChanged.notify_all();
}

void EngineHost::Core::releaseEngines() noexcept {
    std::unique_ptr<kpi::Engine> whole, partial;
    {
        std::lock_guard lock(engineMutex);
        whole.swap(engine);
        partial.swap(quick);
        ++version;
    }
}

void EngineHost::Core::showQuick(std::unique_ptr<kpi::Engine> partial) {
    const auto window = partial->window();
    {
        std::lock_guard lock(engineMutex);
        quick.swap(partial);
        ++version;
    }
    {
        std::lock_guard lock(stateMutex);
        status.partial = window;
    }
    // Cells inside the window show their figures now, while the rest loads.
    notify();
}

bool EngineHost::Core::check() {
    if (postgres) {
        // No file to look at: the engine's fetch compares the store_id, and a
        // failed check is followed by a load on a new connection.
        if (!engine || reloadNeeded) return load(std::nullopt);
        return fetch();
    }
    const auto identity = identityOf(store);
    if (!engine) return load(identity);
    // A connection keeps reading the file it opened: a store that was removed
    // or replaced (a restore, a copy from a server) must be noticed here.
    if (!identity) return fail(State::Stale, "store not found: " + store.string());
    if (*identity != loadedIdentity) return load(identity);
    return fetch();
}

bool EngineHost::Core::load(const std::optional<FileIdentity>& identity) {
    std::unique_ptr<kpi::Engine> loaded;
    // Asked every hundred SQLite steps, also by later fetches: a sign of
    // progress, and a load in progress when the office shuts down stops early.
    // (The engines live inside this core, so `this` outlives them.)
    const auto cancelled = [this] { return sign(); };
    const auto everything = [] { return std::optional<kpi::Period>(); };
    try {
        if (!engine && !quick) {
            // The first load: only the short span cells asked for, if any, then
            // the whole store.
            loaded = std::make_unique<kpi::Engine>(store, [this] { return quickWindow(); }, cancelled);
            if (loaded->window()) {
                showQuick(std::move(loaded));
                if (stopping) return false;
                loaded = std::make_unique<kpi::Engine>(store, everything, cancelled);
            }
        } else {
            loaded = std::make_unique<kpi::Engine>(store, everything, cancelled);
        }
    } catch (const std::exception& error) {
        if (stopping) return false;
        return fail(engine ? State::Stale : State::Unavailable, describeStoreProblem(error));
    } catch (...) {
        if (stopping) return false;
        return fail(engine ? State::Stale : State::Unavailable, "cannot read the store");
    }
    reloadNeeded = false;
    const kpi::DataState data = loaded->state();
    std::unique_ptr<kpi::Engine> partial;
    {
        std::lock_guard lock(engineMutex);
        engine.swap(loaded);
        partial.swap(quick);
        ++version;
        if (identity) loadedIdentity = *identity;
    }
    // The engine of a replaced store and the quick load are freed here, on
    // this thread, after the lock.
    const bool freedQuick = partial != nullptr;
    loaded.reset();
    partial.reset();
#ifdef __GLIBC__
    // The quick load's ~100 MB (L) would otherwise stay in the process's heap.
    if (freedQuick) malloc_trim(0);
#endif
    {
        std::lock_guard lock(stateMutex);
        status.partial.reset();
    }
    return succeed(data);
}

bool EngineHost::Core::fetch() {
    kpi::PendingChangesPtr changes;
    try {
        // I/O, without the lock: the engine answers queries meanwhile.
        changes = engine->fetchChanges();
    } catch (const std::exception& error) {
        if (stopping) return false;
        reloadNeeded = postgres;
        return fail(State::Stale, describeStoreProblem(error));
    } catch (...) {
        reloadNeeded = postgres;
        return fail(State::Stale, "cannot read the store");
    }
    kpi::DataState data;
    try {
        std::lock_guard lock(engineMutex);
        if (changes) {
            engine->apply(std::move(changes));  // CPU only
            ++version;
        }
        data = engine->state();
    } catch (const std::exception& error) {
        return fail(State::Stale, describeStoreProblem(error));
    }
    return succeed(data);
}

bool EngineHost::Core::succeed(const kpi::DataState& data) {
    std::lock_guard lock(stateMutex);
    if (stopRequested) return false;
    status.state = State::Ready;
    status.problem.clear();
    status.noAnswer = false;
    status.checkedAt = localTimeNow();
    status.data = data;
    return true;  // at least the time of the last refresh moved
}

bool EngineHost::Core::fail(State state, std::string problem) {
    std::lock_guard lock(stateMutex);
    if (stopRequested) return false;
    const bool changed = status.state != state || status.problem != problem || status.noAnswer;
    status.state = state;
    status.problem = std::move(problem);
    status.noAnswer = false;
    return changed;
}

// --- the watchdog --------------------------------------------------------------

void EngineHost::Core::runWatchdog() noexcept {
    nameThisThread("kpi-watch");
    try {
        std::unique_lock lock(stateMutex);
        while (!stopRequested) {
            wake.wait_for(lock, std::min<std::chrono::milliseconds>(noAnswerAfter / 4 + std::chrono::milliseconds(1),
                                                                    std::chrono::milliseconds(1000)),
                          [this] { return stopRequested; });
            if (stopRequested || status.noAnswer || !inStore) continue;
            const auto silent = Clock::duration(ticksNow() - lastSign.load(std::memory_order_relaxed));
            if (silent < noAnswerAfter) continue;
            // The figures in memory stay; the status says the file system is silent.
            status.state = status.data ? State::Stale : State::Unavailable;
            const auto since = std::time(nullptr) - std::chrono::duration_cast<std::chrono::seconds>(silent).count();
            status.problem =
                postgres ? "no answer from the PostgreSQL server of " + store.string() + " since " + localTime(since) +
                               " (a statement waiting for a lock, or a network that is down?); still waiting for it"
                         : "no answer from the file system of " + store.string() + " since " + localTime(since) +
                               " (a network folder that is down, or a file another program holds?); still waiting for it";
            status.noAnswer = true;
            lock.unlock();
            notify();
            lock.lock();
        }
    } catch (...) {
        // Nothing may escape a thread function.
    }
}

}  // namespace saleskpi::addin
