#include "engine_host.hpp"

#include <sys/stat.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <ctime>
#include <utility>

#include "kpi/error.hpp"

namespace saleskpi::addin {
namespace {

std::string localTimeNow() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &local);
    return buffer;
}

}  // namespace

std::string describeStoreProblem(const std::exception& error) {
    // The engine's messages name the store and the kind of trouble already.
    if (dynamic_cast<const kpi::Error*>(&error)) return error.what();
    return std::string("cannot read the store: ") + error.what();
}

std::optional<EngineHost::FileIdentity> EngineHost::identityOf(const std::filesystem::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return std::nullopt;
    return FileIdentity{info.st_dev, info.st_ino};
}

EngineHost::EngineHost(std::filesystem::path store, std::chrono::seconds interval, ChangeHandler onChange)
    : store_(std::move(store)), interval_(interval), onChange_(std::move(onChange)) {
    status_.store = store_;
    status_.interval = interval_;
}

EngineHost::~EngineHost() { stop(); }

void EngineHost::start() {
    std::lock_guard lock(stateMutex_);
    if (worker_.joinable() || stopRequested_) return;
    worker_ = std::thread([this] { run(); });
}

void EngineHost::stop() {
    {
        std::lock_guard lock(stateMutex_);
        stopRequested_ = true;
    }
    stopping_ = true;  // a load in progress gives up
    wake_.notify_all();
    if (worker_.joinable() && worker_.get_id() != std::this_thread::get_id()) worker_.join();
    std::lock_guard lock(stateMutex_);
    status_.state = State::Stopped;
}

void EngineHost::refreshNow() {
    {
        std::lock_guard lock(stateMutex_);
        refreshRequested_ = true;
    }
    wake_.notify_all();
}

EngineHost::Status EngineHost::status() const {
    std::lock_guard lock(stateMutex_);
    return status_;
}

bool EngineHost::tryQuery(const std::function<void(kpi::Engine&)>& query) {
    std::unique_lock lock(engineMutex_, std::try_to_lock);
    if (!lock || !engine_) return false;
    query(*engine_);
    return true;
}

bool EngineHost::tryQueryCovering(const kpi::Period& period, const std::function<void(kpi::Engine&)>& query) {
    std::unique_lock lock(engineMutex_, std::try_to_lock);
    if (!lock) return false;
    if (engine_) {
        query(*engine_);
        return true;
    }
    // Partial data must never answer a period it does not cover entirely.
    if (!quick_ || !quick_->covers(period)) return false;
    query(*quick_);
    return true;
}

void EngineHost::noteWanted(const kpi::Period& period) {
    if (windowChosen_.load(std::memory_order_relaxed)) return;
    std::lock_guard lock(wantedMutex_);
    if (!wanted_) {
        wanted_ = kpi::Period{kpi::PeriodType::Cycle, period.first, period.last};
    } else {
        wanted_->first = std::min(wanted_->first, period.first);
        wanted_->last = std::max(wanted_->last, period.last);
    }
}

std::optional<kpi::Period> EngineHost::quickWindow() {
    windowChosen_ = true;
    std::lock_guard lock(wantedMutex_);
    if (!wanted_ || wanted_->last - wanted_->first + 1 > kQuickWindowMaxDays) return std::nullopt;
    return wanted_;
}

void EngineHost::run() noexcept {
    // Nothing may escape a thread function: std::terminate would take the
    // office down with it.
    try {
        kpi::Day day = kpi::today();
        std::unique_lock lock(stateMutex_);
        while (!stopRequested_) {
            lock.unlock();
            bool changed = check();
            const kpi::Day now = kpi::today();
            if (now != day) {
                day = now;
                changed = true;  // "today" moves projections and the current month
            }
            if (changed && onChange_) onChange_();
            lock.lock();
            wake_.wait_for(lock, interval_, [this] { return stopRequested_ || refreshRequested_; });
            refreshRequested_ = false;
        }
    } catch (...) {
        fail(engine_ ? State::Stale : State::Unavailable, "the refresh worker stopped after an unexpected error");
    }
}

void EngineHost::showQuick(std::unique_ptr<kpi::Engine> quick) {
    const auto window = quick->window();
    {
        std::lock_guard lock(engineMutex_);
        quick_.swap(quick);
    }
    {
        std::lock_guard lock(stateMutex_);
        status_.partial = window;
    }
    // Cells inside the window show their figures now, while the rest loads.
    if (onChange_) onChange_();
}

bool EngineHost::stopping() const { return stopping_.load(std::memory_order_relaxed); }

bool EngineHost::check() {
    const auto identity = identityOf(store_);
    if (!engine_) return load(identity);
    // A connection keeps reading the file it opened: a store that was removed
    // or replaced (a restore, a copy from a server) must be noticed here.
    if (!identity) return fail(State::Stale, "store not found: " + store_.string());
    if (*identity != loadedIdentity_) return load(identity);
    return fetch();
}

bool EngineHost::load(const std::optional<FileIdentity>& identity) {
    std::unique_ptr<kpi::Engine> engine;
    // A load in progress when the office shuts down stops early (stop() joins).
    const auto cancelled = [this] { return stopping(); };
    const auto everything = [] { return std::optional<kpi::Period>(); };
    try {
        if (!engine_ && !quick_) {
            // The first load: only the short span cells asked for, if any, then
            // the whole store.
            engine = std::make_unique<kpi::Engine>(store_, [this] { return quickWindow(); }, cancelled);
            if (engine->window()) {
                showQuick(std::move(engine));
                if (stopping()) return false;
                engine = std::make_unique<kpi::Engine>(store_, everything, cancelled);
            }
        } else {
            engine = std::make_unique<kpi::Engine>(store_, everything, cancelled);
        }
    } catch (const std::exception& error) {
        if (stopping()) return false;
        return fail(engine_ ? State::Stale : State::Unavailable, describeStoreProblem(error));
    } catch (...) {
        if (stopping()) return false;
        return fail(engine_ ? State::Stale : State::Unavailable, "cannot read the store");
    }
    const kpi::DataState data = engine->state();
    std::unique_ptr<kpi::Engine> quick;
    {
        std::lock_guard lock(engineMutex_);
        engine_.swap(engine);
        quick.swap(quick_);
        if (identity) loadedIdentity_ = *identity;
    }
    // The engine of a replaced store and the quick load are freed here, after the lock.
    const bool freedQuick = quick != nullptr;
    engine.reset();
    quick.reset();
#ifdef __GLIBC__
    // The quick load's ~100 MB (L) would otherwise stay in the process's heap.
    if (freedQuick) malloc_trim(0);
#endif
    {
        std::lock_guard lock(stateMutex_);
        status_.partial.reset();
    }
    return succeed(data);
}

bool EngineHost::fetch() {
    kpi::PendingChangesPtr changes;
    try {
        // I/O, without the lock: the engine answers queries meanwhile.
        changes = engine_->fetchChanges();
    } catch (const std::exception& error) {
        return fail(State::Stale, describeStoreProblem(error));
    } catch (...) {
        return fail(State::Stale, "cannot read the store");
    }
    kpi::DataState data;
    try {
        std::lock_guard lock(engineMutex_);
        if (changes) engine_->apply(std::move(changes));  // CPU only
        data = engine_->state();
    } catch (const std::exception& error) {
        return fail(State::Stale, describeStoreProblem(error));
    }
    return succeed(data);
}

bool EngineHost::succeed(const kpi::DataState& data) {
    std::lock_guard lock(stateMutex_);
    status_.state = State::Ready;
    status_.problem.clear();
    status_.checkedAt = localTimeNow();
    status_.data = data;
    return true;  // at least the time of the last refresh moved
}

bool EngineHost::fail(State state, std::string problem) {
    std::lock_guard lock(stateMutex_);
    const bool changed = status_.state != state || status_.problem != problem;
    status_.state = state;
    status_.problem = std::move(problem);
    return changed;
}

}  // namespace saleskpi::addin
