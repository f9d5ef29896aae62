#include "store_session.hpp"

#include <algorithm>
#include <condition_variable>
#include <thread>
#include <utility>
#include <vector>

#include <com/sun/star/sheet/XCalculatable.hpp>
#include <com/sun/star/uno/Sequence.hxx>

#include "closed_periods.hpp"
#include "main_thread.hpp"
#include "uno_text.hpp"

using namespace css;

namespace saleskpi::addin {
namespace {

uno::Any anyOf(const TableCell& cell) {
    if (const auto* number = std::get_if<double>(&cell)) return uno::Any(*number);
    return uno::Any(toOUString(std::get<std::string>(cell)));
}

// The office's types for a cell value: VOID (#N/A), double, string, or rows
// of an array.
uno::Any anyOf(const CellValue& value) {
    if (const auto* number = std::get_if<double>(&value)) return uno::Any(*number);
    if (const auto* text = std::get_if<std::string>(&value)) return uno::Any(toOUString(*text));
    if (const auto* table = std::get_if<Table>(&value)) {
        uno::Sequence<uno::Sequence<uno::Any>> rows(static_cast<sal_Int32>(table->size()));
        auto* row = rows.getArray();
        for (const auto& cells : *table) {
            uno::Sequence<uno::Any> columns(static_cast<sal_Int32>(cells.size()));
            auto* column = columns.getArray();
            for (const auto& cell : cells) *column++ = anyOf(cell);
            *row++ = columns;
        }
        return uno::Any(rows);
    }
    return uno::Any();
}

}  // namespace

// --- LiveValues ------------------------------------------------------------

uno::Any LiveValues::get(const std::string& key, const std::function<Evaluation()>& evaluate,
                         const uno::Any& initial) {
    std::lock_guard lock(mutex_);
    auto& live = live_[key];
    if (!live.value.is()) live = Live{new VolatileValue(initial), evaluate, false};
    return uno::Any(uno::Reference<sheet::XVolatileResult>(live.value.get()));
}

bool LiveValues::contains(const std::string& key) {
    std::lock_guard lock(mutex_);
    return live_.count(key) != 0;
}

bool LiveValues::anyListened() {
    std::lock_guard lock(mutex_);
    std::erase_if(live_, [](const auto& entry) { return !entry.second.value->hasListeners(); });
    return !live_.empty();
}

void LiveValues::deliver(bool force) {
    std::vector<std::pair<std::string, Live>> values;
    {
        std::lock_guard lock(mutex_);
        for (auto it = live_.begin(); it != live_.end();) {
            // Calc stops listening when the last document using a value closes.
            if (!it->second.value->hasListeners()) {
                it = live_.erase(it);
            } else {
                values.emplace_back(it->first, it->second);
                ++it;
            }
        }
    }
    // No lock is held while Calc's listeners run: Calc recalculates right away
    // and calls the functions again.
    for (auto& [key, live] : values) {
        const Evaluation now = live.evaluate();
        if (now.unknown) {
            if (force) live.value->update(now.value, true);
            continue;
        }
        live.value->update(now.value, force || (now.failed && !live.failed));
        std::lock_guard lock(mutex_);
        if (auto found = live_.find(key); found != live_.end()) found->second.failed = now.failed;
    }
}

void LiveValues::dispose() {
    std::map<std::string, Live> values;
    {
        std::lock_guard lock(mutex_);
        values.swap(live_);
    }
    for (auto& [key, live] : values) live.value->dispose();
}

// --- StoreSession ----------------------------------------------------------

StoreSession::StoreSession(StoreLocation location, std::chrono::seconds interval,
                           uno::Reference<awt::XRequestCallback> mainThread, std::function<void()> unused)
    : location_(std::move(location)),
      mainThread_(std::move(mainThread)),
      unused_(std::move(unused)),
      host_(location_.path, interval, [this] { postUpdate(); }) {}

StoreSession::~StoreSession() { close(); }

void StoreSession::start() { host_.start(); }

uno::Any StoreSession::figure(const CellQuery& query, const uno::Reference<uno::XInterface>& document) {
    // The loaded engine rejects an unknown employee or KPI here, also when Calc
    // asks again for a value made before the engine was loaded.
    const std::string key = query.key();
    const kpi::Day today = kpi::today();
    const kpi::Period period = periodOf(query, today);
    host_.noteWanted(period);
    bool rejected = false;
    const auto validate = [&](kpi::Engine& engine) {
        try {
            validateQuery(engine, query);
        } catch (...) {
            rejected = true;
            throw;
        }
    };
    try {
        if (query.function == FunctionId::Detail) {
            // Read on the store thread: the cell shows it once it is read.
            const bool answered = host_.tryQueryCovering(period, validate);
            if (!answered) ++cellQueriesRefused_;
            const Evaluation now = evaluateDetail(query);
            return live_.get(key, [this, query] { return evaluate(query); }, now.unknown ? uno::Any() : now.value);
        }
        CellValue initial;
        bool known = true;
        const bool answered = host_.tryQueryCovering(period, [&](kpi::Engine& engine) {
            validate(engine);
            if (live_.contains(key)) return;  // asked again: its value is kept current elsewhere
            if (answerable(engine, query, today))
                initial = evaluateFigure(engine, query, today);
            else
                known = false;  // a partial first load misses facts it reads: the whole store's answers
        });
        if (!answered || !known) ++cellQueriesRefused_;
        return live_.get(key, [this, query] { return evaluate(query); }, anyOf(initial));
    } catch (...) {
        if (rejected) askAgainWhenKnown(query, document);
        throw;
    }
}

void StoreSession::askAgainWhenKnown(const CellQuery& query, const uno::Reference<uno::XInterface>& document) {
    if (closed_ || !document.is()) return;
    std::lock_guard lock(rejectedMutex_);
    auto found = rejected_.find(query.key());
    if (found == rejected_.end()) {
        if (rejected_.size() >= kRejectedLimit) return;
        found = rejected_.emplace(query.key(), Rejected{query, {}}).first;
    }
    auto& documents = found->second.documents;
    std::erase_if(documents, [](const auto& weak) { return !uno::Reference<uno::XInterface>(weak).is(); });
    for (const auto& weak : documents)
        if (uno::Reference<uno::XInterface>(weak) == document) return;
    documents.emplace_back(document);
}

// After a refresh: the documents whose rejected queries the engine now answers
// are recalculated (once each, whatever the number of such cells); the cells
// still rejected are kept by the calls the recalculation makes.
void StoreSession::recalculateWhereNowKnown() {
    {
        std::lock_guard lock(rejectedMutex_);
        if (rejected_.empty()) return;
    }
    std::vector<uno::WeakReference<uno::XInterface>> askers;
    const bool answered = host_.tryQuery([&](kpi::Engine& engine) {
        std::lock_guard lock(rejectedMutex_);
        for (auto it = rejected_.begin(); it != rejected_.end();) {
            try {
                validateQuery(engine, it->second.query);
            } catch (...) {
                ++it;
                continue;
            }
            askers.insert(askers.end(), it->second.documents.begin(), it->second.documents.end());
            it = rejected_.erase(it);
        }
    });
    if (!answered) {
        ++cellQueriesRefused_;  // the worker using the engine asks the cells again when it is done
        return;
    }
    std::vector<uno::Reference<sheet::XCalculatable>> documents;
    for (const auto& weak : askers) {
        const uno::Reference<sheet::XCalculatable> document(uno::Reference<uno::XInterface>(weak), uno::UNO_QUERY);
        if (document.is() && std::find(documents.begin(), documents.end(), document) == documents.end())
            documents.push_back(document);
    }
    for (const auto& document : documents) {
        try {
            // A user who turned AutoCalculate off recalculates when they choose.
            if (document->isAutomaticCalculationEnabled()) document->calculateAll();
        } catch (...) {
            // A document closing meanwhile: nothing to show the figure in.
        }
    }
}

uno::Any StoreSession::asOf(kpi::Day nullDate) {
    const auto evaluate = [this, nullDate] { return Evaluation{anyOf(asOfValue(host_.status(), nullDate))}; };
    return live_.get("ASOF@" + std::to_string(nullDate), evaluate, evaluate().value);
}

uno::Any StoreSession::status(const std::string& source, const std::optional<kpi::Period>& period,
                              Language language) {
    // The closed periods come from the whole store's engine; before it is
    // loaded the status says so, and while it is busy the shown text stays.
    const auto evaluate = [this, source, period, language] {
        const EngineHost::Status now = host_.status();
        std::string text = statusText(now, source);
        if (now.data) {
            text += readScopeNote(*now.data, language);
            std::string note;
            if (!host_.tryQuery([&](kpi::Engine& engine) {
                    note = closedPeriodsNote(engine.closedPeriods(), period, language);
                }))
                return Evaluation{uno::Any(toOUString(text)), false, true};
            text += note;
        }
        return Evaluation{uno::Any(toOUString(text))};
    };
    std::string key = "STATUS@" + source;
    if (period) key += "@" + kpi::formatPeriod(*period);
    key += language == Language::Vietnamese ? "@vi" : "@en";
    return live_.get(key, evaluate, evaluate().value);
}

uno::Any StoreSession::calendarPeriod(const std::string& key, const PeriodArgument& which) {
    const auto evaluate = [which] {
        try {
            return Evaluation{uno::Any(toOUString(calendarPeriodText(which, kpi::today())))};
        } catch (...) {
            return Evaluation{uno::Any(), true};
        }
    };
    return live_.get(key, evaluate, uno::Any(toOUString(calendarPeriodText(which, kpi::today()))));
}

Evaluation StoreSession::evaluate(const CellQuery& query) {
    if (query.function == FunctionId::Detail) {
        try {
            return evaluateDetail(query);
        } catch (...) {
            return Evaluation{uno::Any(), true};  // the function call that follows says what is wrong
        }
    }
    CellValue value;
    try {
        const kpi::Day today = kpi::today();
        bool known = true;
        if (!host_.tryQueryCovering(periodOf(query, today),
                                    [&](kpi::Engine& engine) {
                                        if (answerable(engine, query, today))
                                            value = evaluateFigure(engine, query, today);
                                        else
                                            known = false;
                                    }) ||
            !known) {
            ++cellQueriesRefused_;
            return Evaluation{uno::Any(), false, true};
        }
    } catch (...) {
        // #N/A for now; the function call that follows says what is wrong.
        return Evaluation{uno::Any(), true};
    }
    return Evaluation{anyOf(value)};
}

Evaluation StoreSession::evaluateDetail(const CellQuery& query) {
    const std::string key = query.key();
    std::optional<kpi::DetailQuery> prepared;
    std::uint64_t version = 0;
    const kpi::Day today = kpi::today();
    // Made from the figures in memory (who, which days), CPU only; throws for
    // an unknown employee or KPI.
    if (!host_.tryQueryCovering(periodOf(query, today), [&](kpi::Engine& engine) {
            version = host_.version();
            {
                std::lock_guard lock(detailsMutex_);
                const auto found = details_.find(key);
                if (found != details_.end() && (found->second.pending || found->second.version == version)) return;
            }
            prepared = detailQueryOf(engine, query, today);
        })) {
        ++cellQueriesRefused_;
        return Evaluation{uno::Any(), false, true};
    }
    {
        std::lock_guard lock(detailsMutex_);
        auto& entry = details_[key];
        if (!prepared) {
            // Read already for these figures, or being read.
            if (entry.ready && !entry.pending && entry.version == version) return Evaluation{entry.value};
            return Evaluation{uno::Any(), false, true};
        }
        entry.pending = true;
        entry.version = version;
    }
    const bool posted = host_.post([session = weak_from_this(), key, query = std::move(*prepared)](
                                       const std::function<bool()>& cancelled) {
        std::optional<uno::Any> value;
        try {
            value = anyOf(detailTable(query.run(kDetailRowLimit, cancelled)));
        } catch (...) {
            // The store could not be read: the cell keeps what it shows, and
            // KPI.STATUS says why at the next check.
        }
        const auto alive = session.lock();
        if (!alive) return;
        {
            std::lock_guard lock(alive->detailsMutex_);
            auto& entry = alive->details_[key];
            entry.pending = false;
            entry.failed = !value;  // read again after the next check, not in a loop now
            if (!value) return;
            entry.ready = true;
            entry.value = std::move(*value);
        }
        alive->postCellRedelivery();
    });
    if (!posted) {
        std::lock_guard lock(detailsMutex_);
        details_[key].pending = false;
    }
    return Evaluation{uno::Any(), false, true};
}

void StoreSession::forgetUnusedDetails() {
    std::lock_guard lock(detailsMutex_);
    std::erase_if(details_, [this](const auto& entry) { return !entry.second.pending && !live_.contains(entry.first); });
}

std::optional<kpi::Detail> StoreSession::readDetail(const kpi::DetailQuery& query, std::size_t limit,
                                                    const std::function<bool()>& cancelled, std::string& problem) {
    struct Reading {
        std::mutex mutex;
        std::condition_variable done;
        bool finished = false;
        std::optional<kpi::Detail> detail;
        std::string problem;
    };
    auto reading = std::make_shared<Reading>();
    const bool posted = host_.post([reading, query, limit, cancelled](const std::function<bool()>& stopping) {
        std::optional<kpi::Detail> detail;
        std::string failure;
        try {
            detail = query.run(limit, [&] { return stopping() || (cancelled && cancelled()); });
        } catch (const std::exception& error) {
            failure = describeStoreProblem(error);
        }
        std::lock_guard lock(reading->mutex);
        reading->detail = std::move(detail);
        reading->problem = std::move(failure);
        reading->finished = true;
        reading->done.notify_all();
    });
    if (!posted) {
        problem = "the office is shutting down";
        return std::nullopt;
    }
    std::unique_lock lock(reading->mutex);
    while (!reading->done.wait_for(lock, std::chrono::milliseconds(50), [&] { return reading->finished; })) {
        if (closed_ || (cancelled && cancelled())) {
            problem = closed_ ? "the store is closed" : "cancelled";
            return std::nullopt;
        }
    }
    problem = reading->problem;
    return std::move(reading->detail);
}

void StoreSession::deliverUpdates() {
    updatePosted_ = false;
    if (closed_) return;
    {
        // After a check: records that could not be read are read again.
        std::lock_guard lock(detailsMutex_);
        for (auto& [key, entry] : details_)
            if (entry.failed) entry.version = 0, entry.failed = false;
    }
    live_.deliver();
    forgetUnusedDetails();
    recalculateWhereNowKnown();
    if (unused_ && !live_.anyListened()) unused_();
    std::vector<std::function<void()>> listeners;
    {
        std::lock_guard lock(refreshListenersMutex_);
        for (const auto& [id, listener] : refreshListeners_) listeners.push_back(listener);
    }
    for (const auto& listener : listeners) {
        try {
            listener();
        } catch (...) {
            // One panel's failure must not keep the others from updating.
        }
    }
}

void StoreSession::redeliverCells() {
    redeliveryPosted_ = false;
    if (closed_) return;
    live_.deliver();
    forgetUnusedDetails();
    recalculateWhereNowKnown();
}

std::size_t StoreSession::addRefreshListener(std::function<void()> listener) {
    std::lock_guard lock(refreshListenersMutex_);
    const std::size_t id = nextRefreshListener_++;
    refreshListeners_.emplace(id, std::move(listener));
    return id;
}

void StoreSession::removeRefreshListener(std::size_t id) {
    std::lock_guard lock(refreshListenersMutex_);
    refreshListeners_.erase(id);
}

bool StoreSession::queryInBackground(const std::function<void(kpi::Engine&)>& query,
                                     const std::function<bool()>& cancelled) {
    const unsigned long refusedBefore = cellQueriesRefused_;
    const auto askCellsAgainIfRefused = [&] {
        if (cellQueriesRefused_ != refusedBefore) postCellRedelivery();
    };
    bool answered = false;
    try {
        // The engine lock is only ever tried (cells must never wait for it):
        // poll. The worker holds it for an apply or a swap, milliseconds.
        while (!closed_ && host_.status().data && !(cancelled && cancelled())) {
            if (host_.tryQuery(query)) {
                answered = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    } catch (...) {
        askCellsAgainIfRefused();
        throw;
    }
    askCellsAgainIfRefused();
    return answered;
}

void StoreSession::refreshNow() { host_.refreshNow(); }

void StoreSession::beginClose() { host_.requestStop(); }

void StoreSession::close(std::chrono::steady_clock::time_point deadline) {
    if (closed_.exchange(true)) return;
    host_.finishStop(deadline);
    live_.dispose();
    {
        std::lock_guard lock(rejectedMutex_);
        rejected_.clear();
    }
    std::lock_guard lock(detailsMutex_);
    details_.clear();
}

void StoreSession::postCellRedelivery() {
    if (closed_ || redeliveryPosted_.exchange(true)) return;
    try {
        // Asks every live cell value again (no refresh listeners): cells that
        // found the engine busy while a panel's worker held it.
        mainThread_->addCallback(mainThreadTask([session = weak_from_this()] {
                                     if (auto alive = session.lock()) alive->redeliverCells();
                                 }),
                                 uno::Any());
    } catch (...) {
        redeliveryPosted_ = false;
    }
}

void StoreSession::postUpdate() {
    if (closed_ || updatePosted_.exchange(true)) return;
    try {
        // Held weakly: a callback that arrives after shutdown does nothing.
        mainThread_->addCallback(mainThreadTask([session = weak_from_this()] {
                                     if (auto alive = session.lock()) alive->deliverUpdates();
                                 }),
                                 uno::Any());
    } catch (...) {
        updatePosted_ = false;
    }
}

}  // namespace saleskpi::addin
