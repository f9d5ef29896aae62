#include "kpi/engine.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <sqlite3.h>

#include "kpi/error.hpp"
#include "loader.hpp"
#include "model.hpp"
#include "schema.hpp"
#include "sqlite.hpp"

namespace kpi {

using namespace model;

// What fetchChanges() read: either a whole new model or buckets to replace.
class PendingChanges {
public:
    long long seq = 0;
    std::shared_ptr<Dims> dims;
    bool full = false;
    std::optional<Period> window;  // when full: the dates of the orders and visits read
    Facts facts;                  // when full
    std::vector<Bucket> buckets;  // when not: buckets rebuilt from the store
    std::vector<Bucket> additions;  // orders newly approved, added to their bucket
    struct Visits {
        int employee;
        Day day;
        double count;
        std::string latest;
    };
    std::vector<Visits> visits;
};

namespace {

// Above this many change rows a rebuild is cheaper than folding them in.
constexpr size_t kMaxIncrementalChanges = 100'000;

long long maxSeq(sql::Database& db) {
    auto st = db.prepare("SELECT coalesce(max(seq), 0) FROM changes");
    st.step();
    return st.int64(0);
}

bool isStarCode(const std::string& code) { return code == "*"; }

}  // namespace

struct Engine::Impl {
    std::filesystem::path path;
    std::optional<Period> window;
    std::unique_ptr<sql::Database> db;
    std::shared_ptr<Dims> dims;
    Facts facts;
    long long seq = 0;
    // Scratch for distinct counts: stamp[outlet] == generation marks "seen".
    mutable std::vector<std::uint32_t> stamp;
    mutable std::uint32_t generation = 0;

    // Scores of every employee by (period, as-of date), for score(); dropped
    // whenever the data change (install()).
    using ScoreKey = std::tuple<int, Day, Day, Day>;
    std::map<ScoreKey, std::map<std::string, std::optional<double>, std::less<>>> scoreCache;
    static constexpr size_t kMaxCachedScorePeriods = 64;

    int readers = 1;  // connections reading a window's facts in parallel

    Impl(const std::filesystem::path& p, std::optional<Period> w, int r = 1) : path(p), window(w), readers(r) {
        db = std::make_unique<sql::Database>(path, sql::Database::Open::ReadOnly);
        schema::checkReadable(*db);
        auto pending = loadAll();
        install(std::move(*pending));
    }

    Impl(const std::filesystem::path& p, const std::function<std::optional<Period>()>& chooseWindow,
         const std::function<bool()>& cancelled)
        : path(p) {
        db = std::make_unique<sql::Database>(path, sql::Database::Open::ReadOnly);
        // SQLite asks the progress handler every 100 virtual-machine steps of a statement;
        // a non-zero answer interrupts the statement (SQLITE_INTERRUPT).
        struct ProgressHandler {
            sqlite3* handle;
            ProgressHandler(sqlite3* h, const std::function<bool()>* cancelled) : handle(h) {
                if (cancelled && *cancelled)
                    sqlite3_progress_handler(handle, 100, &ProgressHandler::ask, const_cast<std::function<bool()>*>(cancelled));
            }
            ~ProgressHandler() { sqlite3_progress_handler(handle, 0, nullptr, nullptr); }
            static int ask(void* cancelled) {
                try {
                    return (*static_cast<std::function<bool()>*>(cancelled))() ? 1 : 0;
                } catch (...) {
                    return 0;
                }
            }
        } progress(db->handle(), &cancelled);
        try {
            schema::checkReadable(*db);
            auto pending = loadAll(chooseWindow);
            install(std::move(*pending));
        } catch (const Error&) {
            if (cancelled && cancelled()) throw Error(Error::Kind::Io, "loading the store was cancelled: " + path.string());
            throw;
        }
    }

    // chooseWindow (when given) sets the window once the dimensions are read.
    std::unique_ptr<PendingChanges> loadAll(const std::function<std::optional<Period>()>& chooseWindow = {}) const {
        sql::Transaction snapshot(*db, false);
        auto p = std::make_unique<PendingChanges>();
        p->full = true;
        p->seq = maxSeq(*db);
        p->dims = loader::loadDims(*db, dims.get());
        p->window = chooseWindow ? chooseWindow() : window;
        p->facts = p->window && readers > 1 ? loader::loadFactsInParallel(*db, *p->dims, *p->window, readers, p->seq)
                                            : loader::loadFacts(*db, *p->dims, p->window);
        snapshot.commit();
        return p;
    }

    // What the change log says since `seq`: per order, its state before the
    // first change (or that only its lines changed); buckets whose visits changed.
    struct OrderEvent {
        bool orderRow = false;  // false: only lines of the order changed
        bool wasCounted = false;
        std::string employee;
        Day day = 0;
    };

    std::unique_ptr<PendingChanges> fetch() const {
        sql::Transaction snapshot(*db, false);
        long long now = maxSeq(*db);
        if (now == seq) {
            snapshot.commit();
            return nullptr;
        }
        auto floor = db->prepare("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'changes_floor'");
        bool rebuild = (floor.step() && floor.int64(0) > seq) || now < seq;
        bool dimsChanged = false;
        std::map<std::string, OrderEvent> orders;
        std::set<std::pair<std::string, Day>> requery, visitBuckets;
        if (!rebuild) {
            auto st = db->prepare(
                "SELECT source, employee_code, day, ref, old_status FROM changes WHERE seq > ?1 AND seq <= ?2 ORDER BY seq");
            st.bind(1, static_cast<std::int64_t>(seq)).bind(2, static_cast<std::int64_t>(now));
            size_t rows = 0;
            while (st.step()) {
                std::string_view source = st.text(0);
                if (++rows > kMaxIncrementalChanges || source == "products" || source == "kpis") {
                    rebuild = true;  // too much to fold in, or the KPIs' line filters change
                    break;
                }
                if (st.isNull(1)) {
                    dimsChanged = true;
                    continue;
                }
                auto day = parseDay(st.text(2));
                if (!day) continue;
                std::string employee(st.text(1));
                if (source == "orders") {
                    OrderEvent& e = orders[std::string(st.text(3))];
                    if (!e.orderRow) e = {true, st.text(4) == "approved", employee, *day};
                } else if (source == "order_lines") {
                    orders.try_emplace(std::string(st.text(3)), OrderEvent{false, false, employee, *day});
                } else if (source == "visits") {
                    visitBuckets.emplace(employee, *day);
                } else {
                    requery.emplace(employee, *day);
                }
            }
        }
        if (rebuild) {
            snapshot.commit();
            return loadAll();
        }
        auto p = std::make_unique<PendingChanges>();
        p->seq = now;
        if (dimsChanged) p->dims = loader::loadDims(*db, dims.get());
        const Dims& d = p->dims ? *p->dims : *dims;
        auto inWindow = [&](Day day) { return !window || window->contains(day); };

        // Newly counted orders are added; any other change to a counted order
        // rebuilds its bucket from the store.
        std::map<std::pair<int, Day>, std::vector<std::string>> additions;
        auto current = db->prepare(
            "SELECT employee_code, order_date, outlet_code, type = 'sale', status = 'approved' FROM orders WHERE "
            "order_code = ?1");
        for (const auto& [code, event] : orders) {
            current.reset();
            current.bind(1, code);
            bool exists = current.step();
            bool counted = exists && current.int64(4) != 0;
            std::string employee = exists ? std::string(current.text(0)) : std::string();
            auto day = exists ? parseDay(current.text(1)) : std::nullopt;
            if (counted && !day) counted = false;
            bool wasCounted = event.orderRow ? event.wasCounted : counted;
            if (wasCounted && inWindow(event.day)) requery.emplace(event.employee, event.day);
            if (!counted || !inWindow(*day)) continue;
            if (wasCounted || !event.orderRow) {
                requery.emplace(employee, *day);
                continue;
            }
            int e = d.employeeIds.find(employee);
            if (e < 0) {
                snapshot.commit();
                return loadAll();  // a code never seen: rebuild with fresh dimensions
            }
            additions[{e, *day}].push_back(code);
        }
        loader::OrderReader reader(*db);
        auto requeried = [&](int e, Day day) { return requery.count({d.employeeIds.code(e), day}) > 0; };
        for (const auto& [bucket, codes] : additions) {
            const auto& [e, day] = bucket;
            if (requeried(e, day)) continue;
            auto delta = reader.contribution(d, e, day, codes);
            if (!delta) {
                snapshot.commit();
                return loadAll();
            }
            // A second order in an existing call: the call's distinct SKUs come
            // from all its orders, so ask the store for that one call.
            if (const DayDistinct* existing = facts.day(e, day)) {
                for (Call& c : delta->distinct.calls) {
                    auto it = std::lower_bound(existing->calls.begin(), existing->calls.end(), c,
                                               [](const Call& a, const Call& b) { return a.outlet < b.outlet; });
                    if (it == existing->calls.end() || it->outlet != c.outlet) continue;
                    std::uint32_t all = reader.callSkus(d.employeeIds.code(e), d.outletIds.code(static_cast<int>(c.outlet)), day);
                    delta->values[kCalls] -= 1;
                    delta->values[kSkuSum] += static_cast<double>(all) - it->skus - c.skus;
                    c.skus = all;
                }
            }
            p->additions.push_back(std::move(*delta));
        }
        std::vector<std::pair<std::string, Day>> wanted;
        for (const auto& b : requery)
            if (inWindow(b.second)) wanted.push_back(b);
        if (p->dims) {
            p->buckets = loader::loadBuckets(*db, *p->dims, wanted);
        } else {
            auto known = loader::loadBucketsKnown(*db, d, wanted);
            if (!known) {
                snapshot.commit();
                return loadAll();
            }
            p->buckets = std::move(*known);
        }
        for (const auto& [employee, day] : visitBuckets) {
            if (requery.count({employee, day}) || !inWindow(day)) continue;
            int e = d.employeeIds.find(employee);
            if (e < 0) {
                snapshot.commit();
                return loadAll();
            }
            auto [count, latestVisit] = reader.visitCount(employee, day);
            p->visits.push_back({e, day, count, latestVisit});
        }
        snapshot.commit();
        return p;
    }

    void install(PendingChanges&& p) {
        if (p.dims) dims = std::move(p.dims);
        if (p.full) {
            window = p.window;
            facts = std::move(p.facts);
        } else {
            facts.measures = dims->measures();
            for (auto& b : p.buckets) facts.setBucket(std::move(b));
            for (auto& b : p.additions) facts.addToBucket(std::move(b));
            for (const auto& v : p.visits) facts.setVisits(v.employee, v.day, v.count, v.latest);
        }
        if (facts.byEmployee.size() < static_cast<size_t>(dims->employeeIds.size()))
            facts.byEmployee.resize(static_cast<size_t>(dims->employeeIds.size()));
        seq = p.seq;
        scoreCache.clear();
        stamp.assign(static_cast<size_t>(dims->outletIds.size()), 0);
        generation = 0;
    }

    // ---- queries ---------------------------------------------------------

    struct Scope {
        int employee = -1;  // -1 = the company
        std::vector<int> members;
    };

    Scope scopeOf(const std::string& code) const {
        Scope s;
        if (isStarCode(code)) {
            for (int e = 0; e < dims->employeeIds.size(); ++e) s.members.push_back(e);
            return s;
        }
        int e = dims->employeeIds.find(code);
        if (e < 0 || !dims->employees[static_cast<size_t>(e)].known)
            throw Error(Error::Kind::InvalidArgument, "unknown employee '" + code + "'");
        s.employee = e;
        s.members.assign(dims->dfsOrder.begin() + dims->dfsIn[static_cast<size_t>(e)],
                         dims->dfsOrder.begin() + dims->dfsOut[static_cast<size_t>(e)]);
        return s;
    }

    KpiDef kpiOf(const std::string& code) const {
        auto it = dims->kpis.find(code);
        if (it != dims->kpis.end()) return it->second;
        auto type = parseKpiType(code);
        if (!type) throw Error(Error::Kind::InvalidArgument, "unknown KPI '" + code + "'");
        KpiDef def;
        def.code = code;
        def.type = *type;
        def.nameEn = def.nameVi = code;
        return def;
    }

    // The period clipped to the employment window; nullopt when empty.
    std::optional<Period> clip(const Scope& scope, const Period& p) const {
        if (scope.employee < 0) return p;
        const Employee& e = dims->employees[static_cast<size_t>(scope.employee)];
        Period c = p;
        c.first = std::max(c.first, e.start);
        c.last = std::min(c.last, e.end);
        if (c.last < c.first) return std::nullopt;
        return c;
    }

    double sum(const Scope& s, int measure, Day a, Day b) const {
        double total = 0;
        for (int e : s.members) total += facts.sum(e, measure, a, b);
        return total;
    }

    void nextGeneration() const {
        if (++generation == 0) {
            std::fill(stamp.begin(), stamp.end(), 0);
            generation = 1;
        }
    }
    bool mark(std::uint32_t outlet) const {
        if (outlet >= stamp.size()) stamp.resize(outlet + 1, 0);
        if (stamp[outlet] == generation) return false;
        stamp[outlet] = generation;
        return true;
    }

    template <typename Fn>
    void forEachDay(const Scope& s, Day a, Day b, Fn&& fn) const {
        for (int e : s.members) {
            if (e >= static_cast<int>(facts.byEmployee.size())) continue;
            const EmployeeFacts& f = facts.byEmployee[static_cast<size_t>(e)];
            if (f.span == 0) continue;
            Day lo = std::max(a, f.first), hi = std::min(b, f.first + f.span - 1);
            for (Day d = lo; d <= hi; ++d) fn(f.days[static_cast<size_t>(d - f.first)], e, d);
        }
    }

    // Marks the outlets with ≥ 1 approved sale order in [a, b]; returns how many.
    long long markOrderedOutlets(const Scope& s, Day a, Day b) const {
        nextGeneration();
        long long n = 0;
        forEachDay(s, a, b, [&](const DayDistinct& d, int, Day) {
            for (const Call& c : d.calls) n += mark(c.outlet);
        });
        return n;
    }

    // Outlets on the scope's routes valid on `day`, distinct.
    std::vector<int> universe(const Scope& s, Day day) const {
        std::vector<int> outlets;
        for (int e : s.members)
            for (const Route& r : dims->routes[static_cast<size_t>(e)])
                if (r.from <= day && day <= r.to) outlets.push_back(r.outlet);
        std::sort(outlets.begin(), outlets.end());
        outlets.erase(std::unique(outlets.begin(), outlets.end()), outlets.end());
        return outlets;
    }

    double actual(const KpiDef& k, const Scope& s, Day a, Day b) const {
        auto ratio = [](double n, double d) { return d == 0 ? 0.0 : n / d; };
        switch (k.type) {
        case KpiType::Sales:
        case KpiType::FocusSales:
            return sum(s, amountOf(k.filter), a, b);
        case KpiType::Volume:
            return sum(s, quantityOf(k.filter), a, b);
        case KpiType::Pc:
            return sum(s, kCalls, a, b);
        case KpiType::Lppc:
            return ratio(sum(s, kSkuSum, a, b), sum(s, kCalls, a, b));
        case KpiType::Visits:
            return sum(s, kVisits, a, b);
        case KpiType::StrikeRate:
            return ratio(sum(s, kCalls, a, b), sum(s, kVisits, a, b));
        case KpiType::DropSize:
            return ratio(sum(s, amountOf(0), a, b), sum(s, kCalls, a, b));
        case KpiType::Aso:
            return static_cast<double>(markOrderedOutlets(s, a, b));
        case KpiType::Ub:
            return static_cast<double>(universe(s, b).size());
        case KpiType::Coverage: {
            auto ub = universe(s, b);
            if (ub.empty()) return 0;
            markOrderedOutlets(s, a, b);
            long long covered = 0;
            for (int o : ub) covered += static_cast<size_t>(o) < stamp.size() && stamp[static_cast<size_t>(o)] == generation;
            return static_cast<double>(covered) / static_cast<double>(ub.size());
        }
        case KpiType::NewOutlets: {
            if (k.params.requireOrder) markOrderedOutlets(s, a, b);
            long long count = 0;
            for (int e : s.members) {
                const auto& created = dims->created[static_cast<size_t>(e)];
                auto it = std::lower_bound(created.begin(), created.end(), std::make_pair(a, -1));
                for (; it != created.end() && it->first <= b; ++it) {
                    bool ordered = static_cast<size_t>(it->second) < stamp.size() &&
                                   stamp[static_cast<size_t>(it->second)] == generation;
                    if (!k.params.requireOrder || ordered) ++count;
                }
            }
            return static_cast<double>(count);
        }
        case KpiType::FocusOutlets: {
            nextGeneration();
            long long n = 0;
            auto f = static_cast<std::uint32_t>(k.filter);
            forEachDay(s, a, b, [&](const DayDistinct& d, int, Day) {
                auto it = std::lower_bound(d.focus.begin(), d.focus.end(), std::make_pair(f, std::uint32_t{0}));
                for (; it != d.focus.end() && it->first == f; ++it) n += mark(it->second);
            });
            return static_cast<double>(n);
        }
        }
        return 0;
    }

    const std::vector<TargetRow>* targetRows(int employee, const std::string& kpiCode, PeriodType type) const {
        if (employee < 0) return nullptr;
        const auto& byKpi = dims->targets[static_cast<size_t>(employee)];
        auto it = byKpi.find(kpiCode);
        if (it == byKpi.end()) return nullptr;
        const auto& rows = it->second[static_cast<size_t>(type)];
        return rows.empty() ? nullptr : &rows;
    }

    // The row that sets the target of period p: among rows that apply to it,
    // the one with the latest valid_from.
    const TargetRow* applicableRow(const std::vector<TargetRow>* rows, const Period& p) const {
        if (!rows) return nullptr;
        if (p.type == PeriodType::Day && !dims->calendar.isWorkingDay(p.first)) return nullptr;
        const TargetRow* best = nullptr;
        for (const TargetRow& r : *rows) {
            bool applies = p.type == PeriodType::Cycle ? (r.from == p.first && r.to == p.last)
                                                       : (r.from <= p.last && p.first <= r.to);
            if (applies && (!best || r.from >= best->from)) best = &r;
        }
        return best;
    }

    std::optional<double> prorated(const TargetRow& row, const Period& full, const Period& clipped) const {
        int wClipped = dims->calendar.workingDays(clipped.first, clipped.last);
        int wFull = dims->calendar.workingDays(full.first, full.last);
        if (wClipped == 0 || wFull == 0) return std::nullopt;
        return row.target * wClipped / wFull;
    }

    std::optional<double> effectiveTarget(const KpiDef& k, const Scope& s, const Period& p, const Period& clipped) const {
        if (s.employee < 0) return std::nullopt;
        if (const TargetRow* row = applicableRow(targetRows(s.employee, k.code, p.type), p))
            return prorated(*row, p, clipped);
        if (p.type == PeriodType::Day || !isAdditive(k.type)) return std::nullopt;
        // No target of its own: the DAY targets of its working days add up.
        const auto* dayRows = targetRows(s.employee, k.code, PeriodType::Day);
        if (!dayRows) return std::nullopt;
        std::optional<double> total;
        for (Day d = clipped.first; d <= clipped.last; ++d) {
            if (!dims->calendar.isWorkingDay(d)) continue;
            if (const TargetRow* row = applicableRow(dayRows, Period{PeriodType::Day, d, d}))
                total = total.value_or(0) + row->target;
        }
        return total;
    }

    double projected(const KpiDef& k, const Period& clipped, double actualValue, Day asOf) const {
        if (!isAdditive(k.type) || !clipped.contains(asOf)) return actualValue;
        int elapsed = dims->calendar.workingDays(clipped.first, asOf);
        if (elapsed == 0) return actualValue;
        return actualValue * dims->calendar.workingDays(clipped.first, clipped.last) / elapsed;
    }

    Figures figuresFor(const KpiDef& k, const Scope& s, const Period& p, Day asOf,
                       const TargetRow* fixedRow = nullptr) const {
        Figures f;
        auto clipped = clip(s, p);
        if (!clipped) {
            f.exists = false;
            f.clipped = p;
            return f;
        }
        f.clipped = *clipped;
        f.actual = actual(k, s, clipped->first, clipped->last);
        f.target = fixedRow ? prorated(*fixedRow, p, *clipped) : effectiveTarget(k, s, p, *clipped);
        if (f.target && *f.target != 0) f.attainment = f.actual / *f.target;
        f.projected = projected(k, *clipped, f.actual, asOf);
        return f;
    }

    // ---- report ----------------------------------------------------------

    Period next(const Period& p) const { return periodContaining(p.type, p.last + 1); }

    std::vector<ReportRow> report(const ReportQuery& q) const {
        std::vector<int> scope;
        if (q.employeeCode.empty()) {
            for (int e = 0; e < dims->employeeIds.size(); ++e) scope.push_back(e);
        } else {
            scope = scopeOf(q.employeeCode).members;
        }
        PeriodType type = q.type ? *q.type : q.period.type;
        std::vector<ReportRow> rows;
        for (int e : scope) {
            if (!dims->employees[static_cast<size_t>(e)].known) continue;
            Scope s = scopeOf(dims->employeeIds.code(e));
            for (const auto& [kpiCode, byType] : dims->targets[static_cast<size_t>(e)]) {
                const auto& targetRowsOfType = byType[static_cast<size_t>(type)];
                if (targetRowsOfType.empty()) continue;
                KpiDef k = kpiOf(kpiCode);
                std::set<std::pair<Day, Day>> seen;
                for (const TargetRow& r : targetRowsOfType) {
                    std::vector<Period> periods;
                    if (type == PeriodType::Cycle) {
                        if (q.period.first <= r.from && r.to <= q.period.last)
                            periods.push_back(Period{PeriodType::Cycle, r.from, r.to});
                    } else if (!q.type) {
                        periods.push_back(q.period);
                    } else {
                        Day lo = std::max(q.period.first, r.from), hi = std::min(q.period.last, r.to);
                        if (lo <= hi)
                            for (Period p = periodContaining(type, lo); p.first <= hi; p = next(p))
                                if (p.first >= q.period.first && p.last <= q.period.last) periods.push_back(p);
                    }
                    for (const Period& p : periods) {
                        if (applicableRow(&targetRowsOfType, p) != &r) continue;
                        if (!seen.insert({p.first, p.last}).second) continue;
                        Figures f = figuresFor(k, s, p, q.asOf, &r);
                        if (!f.exists) continue;
                        rows.push_back({dims->employeeIds.code(e), kpiCode, f.clipped, f.actual, f.target, f.attainment,
                                        f.projected, r.weight});
                    }
                }
            }
        }
        std::sort(rows.begin(), rows.end(), [](const ReportRow& a, const ReportRow& b) {
            if (a.employeeCode != b.employeeCode) return a.employeeCode < b.employeeCode;
            if (a.kpiCode != b.kpiCode) return a.kpiCode < b.kpiCode;
            return a.period.first < b.period.first;
        });
        return rows;
    }

    std::optional<double> scoreOf(const std::vector<ReportRow>& rows, size_t from, size_t to) const {
        double weighted = 0, weights = 0;
        for (size_t i = from; i < to; ++i) {
            const ReportRow& r = rows[i];
            if (r.weight <= 0 || !r.attainment) continue;
            double cap = kpiOf(r.kpiCode).cap;
            weighted += r.weight * std::min(*r.attainment, cap);
            weights += r.weight;
        }
        if (weights == 0) return std::nullopt;
        return weighted / weights;
    }
};

Engine::Engine(const std::filesystem::path& storePath) : impl_(std::make_unique<Impl>(storePath, std::nullopt)) {}
Engine::Engine(const std::filesystem::path& storePath, Period window)
    : impl_(std::make_unique<Impl>(storePath, window)) {}
Engine::Engine(const std::filesystem::path& storePath, Period window, int readers)
    : impl_(std::make_unique<Impl>(storePath, window, readers)) {}
Engine::Engine(const std::filesystem::path& storePath, const std::function<std::optional<Period>()>& chooseWindow,
               const std::function<bool()>& cancelled)
    : impl_(std::make_unique<Impl>(storePath, chooseWindow, cancelled)) {}
Engine::~Engine() = default;

std::optional<Period> Engine::window() const { return impl_->window; }

bool Engine::covers(const Period& period) const {
    return !impl_->window || (impl_->window->first <= period.first && period.last <= impl_->window->last);
}

PendingChangesPtr Engine::fetchChanges() const { return PendingChangesPtr(impl_->fetch().release()); }

void PendingChangesDeleter::operator()(PendingChanges* changes) const noexcept { delete changes; }

void Engine::apply(PendingChangesPtr changes) {
    if (changes) impl_->install(std::move(*changes));
}

bool Engine::refresh() {
    auto changes = fetchChanges();
    if (!changes) return false;
    apply(std::move(changes));
    return true;
}

Figures Engine::figures(const std::string& employeeCode, const std::string& kpiCode, const Period& period, Day asOf) {
    auto scope = impl_->scopeOf(employeeCode);
    return impl_->figuresFor(impl_->kpiOf(kpiCode), scope, period, asOf);
}

std::optional<double> Engine::score(const std::string& employeeCode, const Period& period, Day asOf) {
    if (isStarCode(employeeCode)) return std::nullopt;
    impl_->scopeOf(employeeCode);  // validates
    // One company report answers every employee's score: a sheet of KPI.SCORE
    // cells builds it once per (period, as-of date) and data version, not per cell.
    const Impl::ScoreKey key{static_cast<int>(period.type), period.first, period.last, asOf};
    auto cached = impl_->scoreCache.find(key);
    if (cached == impl_->scoreCache.end()) {
        if (impl_->scoreCache.size() >= Impl::kMaxCachedScorePeriods) impl_->scoreCache.clear();
        std::map<std::string, std::optional<double>, std::less<>> byEmployee;
        for (auto& row : scores(period, asOf)) byEmployee.emplace(std::move(row.employeeCode), row.score);
        cached = impl_->scoreCache.emplace(key, std::move(byEmployee)).first;
    }
    auto found = cached->second.find(employeeCode);
    return found == cached->second.end() ? std::nullopt : found->second;
}

std::vector<ReportRow> Engine::report(const ReportQuery& query) { return impl_->report(query); }

std::vector<ScoreRow> Engine::scores(const Period& period, Day asOf) {
    auto rows = impl_->report(ReportQuery{period, std::nullopt, std::string(), asOf});
    std::vector<ScoreRow> out;
    for (size_t i = 0; i < rows.size();) {
        size_t j = i;
        while (j < rows.size() && rows[j].employeeCode == rows[i].employeeCode) ++j;
        out.push_back({rows[i].employeeCode, period, impl_->scoreOf(rows, i, j)});
        i = j;
    }
    return out;
}

bool Engine::hasEmployee(const std::string& code) const {
    if (isStarCode(code)) return true;
    int e = impl_->dims->employeeIds.find(code);
    return e >= 0 && impl_->dims->employees[static_cast<size_t>(e)].known;
}

bool Engine::hasKpi(const std::string& code) const {
    return impl_->dims->kpis.count(code) > 0 || parseKpiType(code).has_value();
}

std::vector<EmployeeInfo> Engine::employees() const {
    std::vector<EmployeeInfo> out;
    const auto& d = *impl_->dims;
    for (int e : d.dfsOrder) {
        const auto& emp = d.employees[static_cast<size_t>(e)];
        if (emp.known)
            out.push_back({d.employeeIds.code(e), emp.name, emp.role, emp.managerCode, emp.department, emp.region,
                           emp.start, emp.end == kOpenEnd ? std::nullopt : std::optional<Day>(emp.end)});
    }
    return out;
}

std::vector<std::string> Engine::subtree(const std::string& employeeCode) const {
    std::vector<std::string> out;
    for (int e : impl_->scopeOf(employeeCode).members)
        if (impl_->dims->employees[static_cast<size_t>(e)].known) out.push_back(impl_->dims->employeeIds.code(e));
    return out;
}

std::vector<KpiInfo> Engine::kpis() const {
    std::vector<KpiInfo> out;
    for (const auto& [code, def] : impl_->dims->kpis)
        out.push_back({code, std::string(kpiTypeName(def.type)), def.nameVi, def.nameEn, def.unit, def.appliesTo});
    return out;
}

std::vector<TargetInfo> Engine::targetRows(const std::string& employeeCode) const {
    auto scope = impl_->scopeOf(employeeCode);
    std::vector<TargetInfo> out;
    if (scope.employee < 0) return out;
    for (const auto& [kpiCode, byType] : impl_->dims->targets[static_cast<size_t>(scope.employee)])
        for (size_t type = 0; type < byType.size(); ++type)
            for (const TargetRow& r : byType[type])
                out.push_back({kpiCode, static_cast<PeriodType>(type), r.from, r.to, r.target, r.weight});
    return out;
}

int Engine::workingDays(Day first, Day last) const { return impl_->dims->calendar.workingDays(first, last); }

std::optional<Day> Engine::firstActivity() const {
    std::optional<Day> first;
    for (const EmployeeFacts& f : impl_->facts.byEmployee)
        if (f.span > 0 && (!first || f.first < *first)) first = f.first;
    return first;
}

const std::filesystem::path& Engine::storePath() const { return impl_->path; }

std::vector<DetailRow> Engine::detail(const std::string& employeeCode, const std::string& kpiCode,
                                      const Period& period) {
    auto scope = impl_->scopeOf(employeeCode);
    KpiDef k = impl_->kpiOf(kpiCode);
    auto clipped = impl_->clip(scope, period);
    std::vector<DetailRow> out;
    if (!clipped) return out;
    const auto& d = *impl_->dims;
    auto outletName = [&](const std::string& code) {
        int o = d.outletIds.find(code);
        return o >= 0 && static_cast<size_t>(o) < d.outlets.size() ? d.outlets[static_cast<size_t>(o)].name
                                                                  : std::string();
    };
    std::string first = formatDay(clipped->first), last = formatDay(clipped->last);
    auto& db = *impl_->db;
    sql::Transaction snapshot(db, false);
    switch (k.type) {
    case KpiType::Visits:
    case KpiType::StrikeRate: {
        auto st = db.prepare(
            "SELECT visit_date, visit_code, outlet_code FROM visits WHERE employee_code = ?1 AND visit_date BETWEEN "
            "?2 AND ?3 ORDER BY visit_time, visit_code");
        for (int e : scope.members) {
            st.reset();
            st.bind(1, d.employeeIds.code(e)).bind(2, first).bind(3, last);
            while (st.step())
                out.push_back({std::string(st.text(0)), std::string(st.text(1)), std::string(st.text(2)),
                               outletName(std::string(st.text(2))), d.employeeIds.code(e), 1});
        }
        break;
    }
    case KpiType::Ub:
    case KpiType::Coverage:
    case KpiType::NewOutlets: {
        std::vector<int> outlets;
        if (k.type == KpiType::NewOutlets) {
            if (k.params.requireOrder) impl_->markOrderedOutlets(scope, clipped->first, clipped->last);
            for (int e : scope.members)
                for (const auto& [day, o] : d.created[static_cast<size_t>(e)])
                    if (clipped->contains(day) &&
                        (!k.params.requireOrder ||
                         (static_cast<size_t>(o) < impl_->stamp.size() && impl_->stamp[static_cast<size_t>(o)] == impl_->generation)))
                        outlets.push_back(o);
        } else {
            auto ub = impl_->universe(scope, clipped->last);
            impl_->markOrderedOutlets(scope, clipped->first, clipped->last);
            for (int o : ub)
                if (k.type == KpiType::Ub || (static_cast<size_t>(o) < impl_->stamp.size() &&
                                              impl_->stamp[static_cast<size_t>(o)] == impl_->generation))
                    outlets.push_back(o);
        }
        for (int o : outlets) {
            const auto& code = d.outletIds.code(o);
            out.push_back({k.type == KpiType::NewOutlets ? formatDay(d.outlets[static_cast<size_t>(o)].created) : last,
                           code, code, outletName(code),
                           d.outlets[static_cast<size_t>(o)].createdBy >= 0
                               ? d.employeeIds.code(d.outlets[static_cast<size_t>(o)].createdBy)
                               : std::string(),
                           1});
        }
        break;
    }
    default: {
        // Orders behind the figure, with the KPI's filtered amount (or quantity).
        bool byQuantity = k.type == KpiType::Volume;
        bool salesOnly = k.type != KpiType::Sales && k.type != KpiType::Volume && k.type != KpiType::FocusSales &&
                         k.type != KpiType::DropSize;
        auto st = db.prepare(
            "SELECT o.order_date, o.order_code, o.outlet_code, o.type = 'sale', l.sku, l.quantity, l.amount FROM "
            "orders o LEFT JOIN order_lines l ON l.order_code = o.order_code WHERE o.status = 'approved' AND "
            "o.employee_code = ?1 AND o.order_date BETWEEN ?2 AND ?3 ORDER BY o.order_time, o.order_code, l.line_no");
        int filter = k.type == KpiType::DropSize ? 0 : k.filter;
        for (int e : scope.members) {
            st.reset();
            st.bind(1, d.employeeIds.code(e)).bind(2, first).bind(3, last);
            while (st.step()) {
                bool sale = st.int64(3) != 0;
                if (salesOnly && !sale) continue;
                std::string code(st.text(1));
                bool newRow = out.empty() || out.back().reference != code;
                if (newRow)
                    out.push_back({std::string(st.text(0)), code, std::string(st.text(2)),
                                   outletName(std::string(st.text(2))), d.employeeIds.code(e), 0});
                if (st.isNull(4)) continue;
                int sku = d.skuIds.find(st.text(4));
                if (!(d.maskOfSku(sku) >> filter & 1u)) continue;
                out.back().value += (sale ? 1 : -1) * (byQuantity ? st.real(5) : st.real(6));
            }
        }
        if (k.type == KpiType::FocusSales || k.type == KpiType::FocusOutlets || k.filter > 0)
            out.erase(std::remove_if(out.begin(), out.end(), [](const DetailRow& r) { return r.value == 0; }),
                      out.end());
        break;
    }
    }
    snapshot.commit();
    return out;
}

DataState Engine::state() const { return {impl_->seq, impl_->facts.latest}; }

}  // namespace kpi
