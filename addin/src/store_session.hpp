// Everything the add-in keeps for one store: the EngineHost and the live cell
// values (one VolatileValue per distinct query), shared by every document that
// uses the store.
//
// Threads: figure(), asOf(), status(), deliverUpdates() and close() run on the
// office's thread that holds the SolarMutex (Calc's). The engine host's
// threads call postUpdate(), which only posts deliverUpdates() to the main
// thread through com.sun.star.awt.AsyncCallback.
//
// The main thread never reads the store: figures come from the engine in
// memory, and KPI.DETAIL, which reads the store, is run on the host's store
// thread (at most kDetailRowLimit records) and delivered when it is read; the
// cell keeps what it showed (#N/A at first) meanwhile.
//
// Panels that show figures outside cells (the sidebar) query the engine from
// their own worker thread through queryInBackground(), read records through
// readDetail(), and hear about every refresh through a refresh listener,
// called on the main thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <com/sun/star/awt/XRequestCallback.hpp>
#include <com/sun/star/uno/Any.hxx>
#include <cppuhelper/weakref.hxx>
#include <rtl/ref.hxx>

#include "cell_query.hpp"
#include "engine_host.hpp"
#include "store_location.hpp"
#include "volatile_value.hpp"

namespace saleskpi::addin {

// What a live value shows now. `failed`: computing it threw (a cell asked
// about an employee the store does not know, say). `unknown`: it could not be
// computed now (no engine yet, or the worker is using it); keep what is shown.
struct Evaluation {
    css::uno::Any value;
    bool failed = false;
    bool unknown = false;
};

// Live values by query key. A value whose evaluation starts to fail is handed
// to Calc once more even though it did not change (#N/A stays #N/A): Calc then
// calls the function again, and the call reports the failure (Err:502).
class LiveValues {
public:
    // The value for key, made with `initial` and kept current by `evaluate`.
    css::uno::Any get(const std::string& key, const std::function<Evaluation()>& evaluate,
                      const css::uno::Any& initial);
    bool contains(const std::string& key);
    // Forgets values Calc no longer listens to; true when some remain.
    bool anyListened();
    // Re-evaluates every value and tells Calc about changes; forgets values
    // Calc no longer listens to. With `force`, tells Calc about every value.
    void deliver(bool force = false);
    void dispose();

private:
    struct Live {
        rtl::Reference<VolatileValue> value;
        std::function<Evaluation()> evaluate;
        bool failed = false;
    };
    std::mutex mutex_;  // the map only; values are evaluated outside it
    std::map<std::string, Live> live_;
};

class StoreSession : public std::enable_shared_from_this<StoreSession> {
public:
    // `unused` is called (on the main thread) when a delivery finds no cell
    // showing this session's values any more.
    StoreSession(StoreLocation location, std::chrono::seconds interval,
                 css::uno::Reference<css::awt::XRequestCallback> mainThread, std::function<void()> unused = {});
    ~StoreSession();
    StoreSession(const StoreSession&) = delete;
    StoreSession& operator=(const StoreSession&) = delete;

    // Starts loading the store in the background.
    void start();

    // The live value of a figure cell: the same object for the same query.
    // Throws kpi::Error InvalidArgument when the loaded engine rejects the
    // employee or KPI. Never waits: before the engine is loaded, or while the
    // worker uses it, a new value is #N/A until the next delivery, and Calc
    // asks again then.
    //
    // A cell whose query the loaded engine rejects (an employee, KPI or plan
    // the store does not know, or does not show this login) shows Err:502 and
    // holds no live value Calc would listen to: the session keeps the query
    // with the asking `document`, and once a refresh makes the query
    // answerable (the employee was imported, a grant widened) recalculates that
    // document, so the cell shows its figure without Ctrl+Shift+F9.
    css::uno::Any figure(const CellQuery& query, const css::uno::Reference<css::uno::XInterface>& document);
    // Live KPI.ASOF and KPI.STATUS. `source` says how the asking document
    // found the store (documents sharing a store may have found it differently).
    css::uno::Any asOf(kpi::Day nullDate);
    // KPI.STATUS also tells about closed pay periods (closedPeriodsNote()):
    // `period`'s state, or the last closed ones, in `language`.
    css::uno::Any status(const std::string& source, const std::optional<kpi::Period>& period, Language language);
    // Live KPI.PERIOD: moves when the date SalesKPI takes for today does.
    // Throws kpi::Error InvalidArgument like calendarPeriodText().
    css::uno::Any calendarPeriod(const std::string& key, const PeriodArgument& which);

    // Main thread: re-evaluates every live value and tells Calc about those
    // that changed.
    void deliverUpdates();
    void refreshNow();

    // Main thread: `listener` runs on the main thread after every refresh's
    // cell delivery, until removed. Returns the id to remove it with.
    std::size_t addRefreshListener(std::function<void()> listener);
    void removeRefreshListener(std::size_t id);
    // Any thread but the main one: runs the query on the store thread and
    // waits for it. nullopt when `cancelled` says true first, or the session
    // closes; `problem` then or on failure says why.
    std::optional<kpi::Detail> readDetail(const kpi::DetailQuery& query, std::size_t limit,
                                          const std::function<bool()>& cancelled, std::string& problem);
    // Any thread but the main one: waits until the engine is free and runs
    // query(engine) on it. Returns false at once when no engine is loaded yet
    // or the session is closed, and as soon as `cancelled` says true. Cells
    // that found the engine busy meanwhile are asked again on the main thread.
    // Exceptions from query propagate.
    bool queryInBackground(const std::function<void(kpi::Engine&)>& query, const std::function<bool()>& cancelled);
    // Main thread (report sheets): runs query(engine) when an engine is loaded
    // and free, and returns false at once otherwise, as cells do. Exceptions
    // from query propagate.
    bool tryQuery(const std::function<void(kpi::Engine&)>& query) { return host_.tryQuery(query); }
    EngineHost::Status hostStatus() const { return host_.status(); }
    // Main thread: asks every live cell value again (no refresh listeners).
    void redeliverCells();
    const StoreLocation& location() const { return location_; }
    // Stops the store's threads (waiting for them at most until the
    // deadline: see EngineHost::finishStop) and disposes every live value.
    void close(std::chrono::steady_clock::time_point deadline);
    void close() { close(std::chrono::steady_clock::now() + EngineHost::kStopGrace); }
    // Asks the store's threads to stop without waiting (close() follows).
    void beginClose();
    // Whether any cell still shows one of this session's values (values no
    // cell listens to any more are forgotten here).
    bool showsInCells() { return live_.anyListened(); }

private:
    Evaluation evaluate(const CellQuery& query);
    Evaluation evaluateDetail(const CellQuery& query);
    void forgetUnusedDetails();
    void postUpdate();
    void postCellRedelivery();
    void askAgainWhenKnown(const CellQuery& query, const css::uno::Reference<css::uno::XInterface>& document);
    void recalculateWhereNowKnown();

    const StoreLocation location_;
    const css::uno::Reference<css::awt::XRequestCallback> mainThread_;
    const std::function<void()> unused_;
    EngineHost host_;
    LiveValues live_;
    std::atomic<bool> updatePosted_{false};
    std::atomic<bool> closed_{false};
    std::atomic<unsigned long> cellQueriesRefused_{0};  // cells that found the engine busy
    std::atomic<bool> redeliveryPosted_{false};
    // KPI.DETAIL values read on the store thread, by query key.
    struct DetailEntry {
        std::uint64_t version = 0;  // of the figures the query was made from
        bool pending = false;       // being read
        bool ready = false;
        bool failed = false;        // the last read failed
        css::uno::Any value;
    };
    std::mutex detailsMutex_;
    std::map<std::string, DetailEntry> details_;
    // Queries the engine rejected, by key, with the documents that asked them
    // (held weakly: a closed document is not kept alive for this). At most
    // kRejectedLimit keys are followed.
    struct Rejected {
        CellQuery query;
        std::vector<css::uno::WeakReference<css::uno::XInterface>> documents;
    };
    static constexpr std::size_t kRejectedLimit = 10000;
    std::mutex rejectedMutex_;
    std::map<std::string, Rejected> rejected_;
    std::mutex refreshListenersMutex_;
    std::map<std::size_t, std::function<void()>> refreshListeners_;
    std::size_t nextRefreshListener_ = 1;
};

}  // namespace saleskpi::addin
