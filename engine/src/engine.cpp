#include "kpi/engine.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "exact.hpp"
#include "kpi/error.hpp"
#include "loader.hpp"
#include "model.hpp"
#include "rewards/exact.hpp"
#include "rewards/model.hpp"
#include "rewards/payout.hpp"
#include "rewards/statement.hpp"
#include "schema.hpp"
#include "store/database.hpp"

namespace kpi {

using namespace model;

// What fetchChanges() read: either a whole new model or buckets to replace.
class PendingChanges {
public:
    long long seq = 0;
    std::string storeId;  // when full: the identity of the store read
    sql::ReadScope scope;  // when full: what the store showed the reader
    std::shared_ptr<Dims> dims;
    bool full = false;
    std::optional<Period> window;  // when full: the dates of the orders and visits read
    Facts facts;                  // when full
    std::vector<Bucket> buckets;  // when not: buckets rebuilt from the store
    std::vector<Bucket> additions;  // orders newly approved, added to their bucket
    struct Visits {
        int employee;
        Day day;
        std::int64_t count;
        std::int64_t latest;  // model::timeKey
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

// Asks `cancelled` now and then while it lives (every hundred virtual-machine
// steps in SQLite, every thousand rows in PostgreSQL); a true answer
// interrupts the statement. Also a heartbeat: a caller that watches it sees
// the reading go on.
class ProgressHandler {
public:
    ProgressHandler(sql::Database& db, const std::function<bool()>& cancelled) : db_(db) {
        if (cancelled) db_.watchCancel(&cancelled);
    }
    ~ProgressHandler() { db_.watchCancel(nullptr); }
    ProgressHandler(const ProgressHandler&) = delete;
    ProgressHandler& operator=(const ProgressHandler&) = delete;

private:
    sql::Database& db_;
};

}  // namespace

struct Engine::Impl {
    std::filesystem::path path;
    std::optional<Period> window;
    std::unique_ptr<sql::Database> db;
    std::shared_ptr<Dims> dims;
    Facts facts;
    long long seq = 0;
    std::string storeId;              // the identity of the store the facts come from
    sql::ReadScope scope;             // the rows the store showed when the facts were read
    std::function<bool()> cancelled;  // asked while loading and fetching; may be empty
    // Scratch for distinct counts: stamp[outlet] == generation marks "seen".
    mutable std::vector<std::uint32_t> stamp;
    mutable std::uint32_t generation = 0;
    // The same for the outlets on route (routeOutlets()), apart: COVERAGE
    // marks ordered outlets while it goes through those on route.
    mutable std::vector<std::uint32_t> routeStamp;
    mutable std::uint32_t routeGeneration = 0;
    mutable std::vector<int> routeScratch;

    // Scores of every employee by (period, as-of date), for score(); dropped
    // whenever the data change (install()).
    using ScoreKey = std::tuple<int, Day, Day, Day>;
    std::map<ScoreKey, std::map<std::string, std::optional<double>, std::less<>>> scoreCache;
    static constexpr size_t kMaxCachedScorePeriods = 64;

    int readers = 1;  // connections reading a window's facts in parallel

    Impl(const std::filesystem::path& p, std::optional<Period> w, int r = 1) : path(p), window(w), readers(r) {
        db = sql::open(path.string(), sql::Open::ReadOnly);
        schema::checkReadable(*db);
        auto pending = loadAll();
        install(std::move(*pending));
    }

    Impl(const std::filesystem::path& p, const std::function<std::optional<Period>()>& chooseWindow,
         const std::function<bool()>& cancelledBy)
        : path(p), cancelled(cancelledBy) {
        db = sql::open(path.string(), sql::Open::ReadOnly);
        ProgressHandler progress(*db, cancelled);
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
    // With `fromScratch`, nothing of the current state is reused (ids are
    // given anew): for a store that was replaced by another.
    std::unique_ptr<PendingChanges> loadAll(const std::function<std::optional<Period>()>& chooseWindow = {},
                                            bool fromScratch = false) const {
        sql::Transaction snapshot(*db, false);
        auto p = std::make_unique<PendingChanges>();
        p->full = true;
        p->seq = maxSeq(*db);
        p->storeId = schema::storeId(*db);
        p->scope = db->readScope();
        p->dims = loader::loadDims(*db, fromScratch ? nullptr : dims.get());
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
        ProgressHandler progress(*db, cancelled);
        sql::Transaction snapshot(*db, false);
        // Another store at the same path (restored in place, or removed and
        // made again by kpi init): its change log says nothing about the
        // figures in memory. Read it from scratch.
        if (schema::storeId(*db) != storeId) {
            snapshot.commit();
            return loadAll({}, true);
        }
        // A login granted another team (or '*') since: the change log does
        // not say which rows it now sees. Read them from scratch.
        if (db->readScope() != scope) {
            snapshot.commit();
            return loadAll({}, true);
        }
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
                    delta->values[kSkuSum] += static_cast<std::int64_t>(all) - it->skus - c.skus;
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
            storeId = std::move(p.storeId);
            scope = std::move(p.scope);
            window = p.window;
            facts = std::move(p.facts);
        } else {
            facts.measures = dims->measures();
            for (auto& b : p.buckets) facts.setBucket(std::move(b));
            for (auto& b : p.additions) facts.addToBucket(std::move(b));
            for (const auto& v : p.visits) facts.setVisits(v.employee, v.day, v.count, v.latest);
            facts.settleLatest();
        }
        if (facts.byEmployee.size() < static_cast<size_t>(dims->employeeIds.size()))
            facts.byEmployee.resize(static_cast<size_t>(dims->employeeIds.size()));
        seq = p.seq;
        scoreCache.clear();
        payoutCache.clear();
        personalPayoutCache.clear();
        stamp.assign(static_cast<size_t>(dims->outletIds.size()), 0);
        generation = 0;
        routeStamp.assign(static_cast<size_t>(dims->outletIds.size()), 0);
        routeGeneration = 0;
    }

    // ---- queries ---------------------------------------------------------

    struct Scope {
        int employee = -1;  // -1 = the company
        std::vector<int> members;
    };

    Scope scopeOf(const std::string& code) const {
        Scope s;
        if (isStarCode(code)) {
            // Every id, also codes seen only in facts, in the tree's order (by
            // code), which does not depend on the order ids were given out in.
            s.members = dims->dfsOrder;
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

    // Valid until the dimensions are replaced (the next install()); a bare
    // type's definition is made once and kept (figures() asks for one per
    // call, recommend hundreds of thousands of times).
    const KpiDef& kpiOf(const std::string& code) const {
        auto it = dims->kpis.find(code);
        if (it != dims->kpis.end()) return it->second;
        auto bare = bareKpis.find(code);
        if (bare != bareKpis.end()) return bare->second;
        auto type = parseKpiType(code);
        if (!type) throw Error(Error::Kind::InvalidArgument, "unknown KPI '" + code + "'");
        KpiDef def;
        def.code = code;
        def.type = *type;
        def.nameEn = def.nameVi = code;
        return bareKpis.emplace(code, std::move(def)).first->second;
    }
    mutable std::map<std::string, KpiDef> bareKpis;  // KPI codes that are bare type names (SPEC §6)

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

    __int128 sum(const Scope& s, int measure, Day a, Day b) const {
        __int128 total = 0;
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

    // The outlets of universe() in no particular order, for a count or a
    // membership test: marked in a scratch of their own instead of sorted (a
    // region's routes hold tens of thousands). Valid until the next call.
    const std::vector<int>& routeOutlets(const Scope& s, Day day) const {
        if (++routeGeneration == 0) {
            std::fill(routeStamp.begin(), routeStamp.end(), 0);
            routeGeneration = 1;
        }
        routeScratch.clear();
        for (int e : s.members)
            for (const Route& r : dims->routes[static_cast<size_t>(e)]) {
                if (r.from > day || day > r.to) continue;
                const auto o = static_cast<size_t>(r.outlet);
                if (o >= routeStamp.size()) routeStamp.resize(o + 1, 0);
                if (routeStamp[o] == routeGeneration) continue;
                routeStamp[o] = routeGeneration;
                routeScratch.push_back(r.outlet);
            }
        return routeScratch;
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

    // The actual as an exact fraction (exact.hpp): sums of whole units, and
    // ratios kept as numerator and denominator.
    exact::Fraction actual(const KpiDef& k, const Scope& s, Day a, Day b) const {
        using exact::Fraction;
        switch (k.type) {
        case KpiType::Sales:
        case KpiType::FocusSales:
            return Fraction::ofUnits(sum(s, amountOf(k.filter), a, b));
        case KpiType::Volume:
            return Fraction::ofUnits(sum(s, quantityOf(k.filter), a, b));
        case KpiType::Pc:
            return Fraction::ofCount(sum(s, kCalls, a, b));
        case KpiType::Lppc:
            return Fraction::ratio(sum(s, kSkuSum, a, b), sum(s, kCalls, a, b));
        case KpiType::Visits:
            return Fraction::ofCount(sum(s, kVisits, a, b));
        case KpiType::StrikeRate:
            return Fraction::ratio(sum(s, kCalls, a, b), sum(s, kVisits, a, b));
        case KpiType::DropSize:
            return Fraction::ratio(sum(s, amountOf(0), a, b), sum(s, kCalls, a, b) * exact::kScale);
        case KpiType::Aso:
            return Fraction::ofCount(markOrderedOutlets(s, a, b));
        case KpiType::Ub:
            return Fraction::ofCount(static_cast<long long>(routeOutlets(s, b).size()));
        case KpiType::Coverage: {
            const std::vector<int>& ub = routeOutlets(s, b);
            if (ub.empty()) return {};
            markOrderedOutlets(s, a, b);
            long long covered = 0;
            for (int o : ub) covered += static_cast<size_t>(o) < stamp.size() && stamp[static_cast<size_t>(o)] == generation;
            return Fraction::ratio(covered, static_cast<long long>(ub.size()));
        }
        case KpiType::NewOutlets: {
            if (k.params.requireOrder) markOrderedOutlets(s, a, b);
            long long n = 0;
            for (int e : s.members) {
                const auto& created = dims->created[static_cast<size_t>(e)];
                auto it = std::lower_bound(created.begin(), created.end(), std::make_pair(a, -1));
                for (; it != created.end() && it->first <= b; ++it) {
                    bool ordered = static_cast<size_t>(it->second) < stamp.size() &&
                                   stamp[static_cast<size_t>(it->second)] == generation;
                    if (!k.params.requireOrder || ordered) ++n;
                }
            }
            return Fraction::ofCount(n);
        }
        case KpiType::FocusOutlets: {
            nextGeneration();
            long long n = 0;
            auto f = static_cast<std::uint32_t>(k.filter);
            forEachDay(s, a, b, [&](const DayDistinct& d, int, Day) {
                auto it = std::lower_bound(d.focus.begin(), d.focus.end(), std::make_pair(f, std::uint32_t{0}));
                for (; it != d.focus.end() && it->first == f; ++it) n += mark(it->second);
            });
            return Fraction::ofCount(n);
        }
        }
        return {};
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

    // target × W(clipped) ÷ W(full), exactly.
    std::optional<exact::Fraction> prorated(const TargetRow& row, const Period& full, const Period& clipped) const {
        int wClipped = dims->calendar.workingDays(clipped.first, clipped.last);
        int wFull = dims->calendar.workingDays(full.first, full.last);
        if (wClipped == 0 || wFull == 0) return std::nullopt;
        return exact::Fraction::ofUnits(row.target).times(wClipped, wFull);
    }

    // The effective target of SPEC §5–§6, exactly: fixedRow's (a report row's),
    // else the row that applies to p, else for the additive types the sum of the
    // DAY targets of p's working days.
    std::optional<exact::Fraction> effectiveTarget(const KpiDef& k, const Scope& s, const Period& p,
                                                   const Period& clipped, const TargetRow* fixedRow = nullptr) const {
        if (s.employee < 0) return std::nullopt;
        if (!fixedRow) fixedRow = applicableRow(targetRows(s.employee, k.code, p.type), p);
        if (fixedRow) return prorated(*fixedRow, p, clipped);
        if (p.type == PeriodType::Day || !isAdditive(k.type)) return std::nullopt;
        // No target of its own: the DAY targets of its working days add up.
        const auto* dayRows = targetRows(s.employee, k.code, PeriodType::Day);
        if (!dayRows) return std::nullopt;
        std::optional<std::int64_t> total;
        for (Day d = clipped.first; d <= clipped.last; ++d) {
            if (!dims->calendar.isWorkingDay(d)) continue;
            if (const TargetRow* row = applicableRow(dayRows, Period{PeriodType::Day, d, d})) {
                if (!total) total = 0;
                exact::add(*total, row->target);
            }
        }
        if (!total) return std::nullopt;
        return exact::Fraction::ofUnits(*total);
    }

    exact::Fraction projected(const KpiDef& k, const Period& clipped, const exact::Fraction& actualValue,
                              Day asOf) const {
        if (!isAdditive(k.type) || !clipped.contains(asOf)) return actualValue;
        int elapsed = dims->calendar.workingDays(clipped.first, asOf);
        if (elapsed == 0) return actualValue;
        return actualValue.times(dims->calendar.workingDays(clipped.first, clipped.last), elapsed);
    }

    // Exact until here: each figure becomes a double once, and an actual equal
    // to its target gives an attainment of exactly 1.
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
        exact::Fraction value = actual(k, s, clipped->first, clipped->last);
        auto target = effectiveTarget(k, s, p, *clipped, fixedRow);
        f.actual = value.toDouble();
        if (target) {
            f.target = target->toDouble();
            if (!target->isZero()) f.attainment = value.over(*target).toDouble();
        }
        f.projected = projected(k, *clipped, value, asOf).toDouble();
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
                const KpiDef& k = kpiOf(kpiCode);
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
        if (!q.live) useFrozenRows(q, type, scope, rows);
        std::sort(rows.begin(), rows.end(), [](const ReportRow& a, const ReportRow& b) {
            if (a.employeeCode != b.employeeCode) return a.employeeCode < b.employeeCode;
            if (a.kpiCode != b.kpiCode) return a.kpiCode < b.kpiCode;
            return a.period.first < b.period.first;
        });
        return rows;
    }

    // ---- closed pay periods (SPEC §10) -------------------------------------

    const rewards::Model& rewardsModel() const { return *dims->rewards; }

    // The closed period a report row of `type` belongs to, if any.
    const rewards::ClosedState* closedStateOf(PeriodType type, const Period& rowPeriod) const {
        if (!rewards::isPayPeriodType(type)) return nullptr;
        return rewardsModel().closedPeriod(periodContaining(type, rowPeriod.first));
    }

    // The target periods the query asks for that are closed answer with the
    // rows their close froze, in place of today's.
    void useFrozenRows(const ReportQuery& q, PeriodType type, const std::vector<int>& scope,
                       std::vector<ReportRow>& rows) const {
        if (!rewards::isPayPeriodType(type)) return;
        std::vector<const rewards::ClosedState*> asked;
        for (const rewards::ClosedState* c : rewardsModel().closedOfType(type)) {
            const Period& cp = c->info.period;
            if (q.type ? (q.period.first <= cp.first && cp.last <= q.period.last) : cp == q.period) asked.push_back(c);
        }
        if (asked.empty()) return;
        rows.erase(std::remove_if(rows.begin(), rows.end(),
                                  [&](const ReportRow& r) {
                                      return std::find(asked.begin(), asked.end(), closedStateOf(type, r.period)) !=
                                             asked.end();
                                  }),
                   rows.end());
        std::set<std::string, std::less<>> inScope;
        for (int e : scope) inScope.insert(dims->employeeIds.code(e));
        for (const rewards::ClosedState* c : asked)
            for (const rewards::FrozenReportRow& frozen : c->report)
                if (inScope.count(frozen.row.employeeCode)) rows.push_back(frozen.row);
    }

    // The figures a close froze for the employee, KPI and period, if any.
    std::optional<Figures> frozenFigures(const std::string& employee, const std::string& kpi, const Period& p) const {
        if (!rewards::isPayPeriodType(p.type)) return std::nullopt;
        const rewards::ClosedState* closed = rewardsModel().closedPeriod(p);
        const rewards::FrozenReportRow* frozen = closed ? closed->reportRow(employee, kpi) : nullptr;
        if (!frozen) return std::nullopt;
        Figures f;
        f.clipped = frozen->row.period;
        f.actual = frozen->row.actual;
        f.target = frozen->row.target;
        f.attainment = frozen->row.attainment;
        f.projected = frozen->row.projected;
        return f;
    }

    // A report row's cap in the score: the one frozen with it, or its KPI's.
    double capOf(const ReportRow& r, bool live) const {
        if (!live)
            if (const rewards::ClosedState* closed = closedStateOf(r.period.type, r.period))
                if (const rewards::FrozenReportRow* frozen = closed->reportRow(r.employeeCode, r.kpiCode))
                    return frozen->cap;
        return kpiOf(r.kpiCode).cap;
    }

    std::optional<double> scoreOf(const std::vector<ReportRow>& rows, size_t from, size_t to, bool live) const {
        double weighted = 0, weights = 0;
        for (size_t i = from; i < to; ++i) {
            const ReportRow& r = rows[i];
            if (r.weight <= 0 || !r.attainment) continue;
            double cap = capOf(r, live);
            weighted += r.weight * std::min(*r.attainment, cap);
            weights += r.weight;
        }
        if (weights == 0) return std::nullopt;
        return weighted / weights;
    }

    // ---- rewards ------------------------------------------------------------

    // Today's exact figures for payouts (never the frozen ones).
    rewards::FigureSource::Figures exactFigures(const std::string& employee, const std::string& kpiCode,
                                                const Period& p) const {
        rewards::FigureSource::Figures f;
        Scope s = scopeOf(employee);
        const KpiDef& k = kpiOf(kpiCode);
        auto clipped = clip(s, p);
        if (!clipped) return f;
        exact::Fraction value = actual(k, s, clipped->first, clipped->last);
        auto target = effectiveTarget(k, s, p, *clipped);
        f.actual = value.toDouble();
        if (target) {
            f.target = target->toDouble();
            if (!target->isZero())
                f.attainment = rewards::fraction(value.num, value.den) / rewards::fraction(target->num, target->den);
        }
        return f;
    }

    struct LiveFigures final : rewards::FigureSource {
        const Impl& impl;
        explicit LiveFigures(const Impl& i) : impl(i) {}
        Figures live(const std::string& employee, const std::string& kpi, const Period& p) override {
            return impl.exactFigures(employee, kpi, p);
        }
        std::optional<std::pair<Day, Day>> employment(const std::string& employee) const override {
            int e = impl.dims->employeeIds.find(employee);
            if (e < 0 || !impl.dims->employees[static_cast<size_t>(e)].known) return std::nullopt;
            const Employee& emp = impl.dims->employees[static_cast<size_t>(e)];
            return std::make_pair(emp.start, emp.end);
        }
        int workingDays(Day first, Day last) const override { return impl.dims->calendar.workingDays(first, last); }
        bool covers(const Period& p) const override {
            return !impl.window || (impl.window->first <= p.first && p.last <= impl.window->last);
        }
    };

    // Payout rows of every employee by (period, live), for payoutAmount() and
    // statements; dropped whenever the data change (install()).
    struct CompanyPayout {
        std::vector<PayoutRow> rows;
        std::map<std::string, std::pair<size_t, size_t>, std::less<>> byEmployee;  // [first, last) rows
    };
    using PayoutKey = std::tuple<int, Day, Day, bool>;
    std::map<PayoutKey, CompanyPayout> payoutCache;
    static constexpr size_t kMaxCachedPayoutPeriods = 16;

    std::vector<PayoutRow> payoutRows(const Period& p, const rewards::InScope& inScope, bool live) const {
        LiveFigures figures(*this);
        return rewards::payoutRows(rewardsModel(), figures, p, inScope, live);
    }

    const CompanyPayout& companyPayout(const Period& p, bool live) {
        const PayoutKey key{static_cast<int>(p.type), p.first, p.last, live};
        auto cached = payoutCache.find(key);
        if (cached != payoutCache.end()) return cached->second;
        if (payoutCache.size() >= kMaxCachedPayoutPeriods) payoutCache.clear();
        CompanyPayout company;
        company.rows = payoutRows(p, [](const std::string&) { return true; }, live);
        for (size_t i = 0; i < company.rows.size(); ++i) {
            auto [it, inserted] = company.byEmployee.try_emplace(company.rows[i].employeeCode, i, i + 1);
            if (!inserted) it->second.second = i + 1;
        }
        return payoutCache.emplace(key, std::move(company)).first->second;
    }

    // One employee's rows by (period, live), for KPI.PAYOUT cells of a few
    // people: computing only their own rows costs a fraction of the
    // company's (a sheet of 125 salespeople of 1,000 pays for 125). Taken from
    // the company's rows when those are cached already.
    std::map<PayoutKey, std::map<std::string, std::vector<PayoutRow>, std::less<>>> personalPayoutCache;
    static constexpr size_t kMaxCachedPersonalPayouts = 100000;
    size_t personalPayoutsCached = 0;

    // [first, last) of rows kept in one of the caches; valid until the next
    // call that may compute rows.
    struct RowSpan {
        const PayoutRow* first = nullptr;
        const PayoutRow* last = nullptr;
        const PayoutRow* begin() const { return first; }
        const PayoutRow* end() const { return last; }
    };

    RowSpan personalPayout(const std::string& employee, const Period& p, bool live) {
        const PayoutKey key{static_cast<int>(p.type), p.first, p.last, live};
        if (auto company = payoutCache.find(key); company != payoutCache.end()) {
            auto found = company->second.byEmployee.find(employee);
            if (found == company->second.byEmployee.end()) return {};
            const PayoutRow* rows = company->second.rows.data();
            return {rows + found->second.first, rows + found->second.second};
        }
        if (personalPayoutsCached >= kMaxCachedPersonalPayouts) {
            personalPayoutCache.clear();
            personalPayoutsCached = 0;
        }
        auto& people = personalPayoutCache[key];
        auto cached = people.find(employee);
        if (cached == people.end()) {
            cached = people.emplace(employee, payoutRows(p, [&](const std::string& code) { return code == employee; },
                                                         live))
                         .first;
            ++personalPayoutsCached;
        }
        return {cached->second.data(), cached->second.data() + cached->second.size()};
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

bool Engine::covers(const Period& period) const { return Impl::LiveFigures(*impl_).covers(period); }

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

Figures Engine::figures(const std::string& employeeCode, const std::string& kpiCode, const Period& period, Day asOf,
                        bool live) {
    auto scope = impl_->scopeOf(employeeCode);
    const KpiDef& k = impl_->kpiOf(kpiCode);
    if (!live && scope.employee >= 0)
        if (auto frozen = impl_->frozenFigures(employeeCode, kpiCode, period)) return *frozen;
    return impl_->figuresFor(k, scope, period, asOf);
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

std::vector<ScoreRow> Engine::scores(const Period& period, Day asOf, bool live) {
    auto rows = impl_->report(ReportQuery{period, std::nullopt, std::string(), asOf, live});
    std::vector<ScoreRow> out;
    for (size_t i = 0; i < rows.size();) {
        size_t j = i;
        while (j < rows.size() && rows[j].employeeCode == rows[i].employeeCode) ++j;
        out.push_back({rows[i].employeeCode, period, impl_->scoreOf(rows, i, j, live)});
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
        out.push_back({code, std::string(kpiTypeName(def.type)), def.nameVi, def.nameEn, def.unit, def.cap, def.appliesTo});
    return out;
}

std::vector<TargetInfo> Engine::targetRows(const std::string& employeeCode) const {
    auto scope = impl_->scopeOf(employeeCode);
    std::vector<TargetInfo> out;
    if (scope.employee < 0) return out;
    for (const auto& [kpiCode, byType] : impl_->dims->targets[static_cast<size_t>(scope.employee)])
        for (size_t type = 0; type < byType.size(); ++type)
            for (const TargetRow& r : byType[type])
                out.push_back({kpiCode, static_cast<PeriodType>(type), r.from, r.to,
                               exact::Fraction::ofUnits(r.target).toDouble(), r.weight});
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

// What a detail query reads, taken from an engine's state. Immutable: shared
// by copies of the query, read by their runs on any thread.
struct DetailQuery::Plan {
    enum class Kind { Visits, Orders, Outlets };
    std::filesystem::path path;
    Kind kind = Kind::Orders;
    std::shared_ptr<const Dims> dims;        // outlet names, SKU filters
    std::vector<std::string> members;        // employee codes, in the engine's order
    std::string first, last;                 // the clipped period
    int filter = 0;
    bool byQuantity = false, salesOnly = false, dropZero = false;
    std::vector<DetailRow> outlets;          // Kind::Outlets: every row, known without the store

    std::string outletName(std::string_view code) const {
        int o = dims->outletIds.find(std::string(code));
        return o >= 0 && static_cast<size_t>(o) < dims->outlets.size() ? dims->outlets[static_cast<size_t>(o)].name
                                                                      : std::string();
    }
};

DetailQuery Engine::detailQuery(const std::string& employeeCode, const std::string& kpiCode,
                                const Period& period) const {
    auto scope = impl_->scopeOf(employeeCode);
    KpiDef k = impl_->kpiOf(kpiCode);
    auto clipped = impl_->clip(scope, period);
    auto plan = std::make_shared<DetailQuery::Plan>();
    plan->path = impl_->path;
    plan->dims = impl_->dims;
    DetailQuery query;
    if (!clipped) {
        plan->kind = DetailQuery::Plan::Kind::Outlets;  // nothing
        query.plan_ = std::move(plan);
        return query;
    }
    const auto& d = *impl_->dims;
    plan->first = formatDay(clipped->first);
    plan->last = formatDay(clipped->last);
    for (int e : scope.members) plan->members.push_back(d.employeeIds.code(e));
    switch (k.type) {
    case KpiType::Visits:
    case KpiType::StrikeRate: plan->kind = DetailQuery::Plan::Kind::Visits; break;
    case KpiType::Ub:
    case KpiType::Coverage:
    case KpiType::NewOutlets: {
        // Outlets come from the figures in memory: no store to read.
        plan->kind = DetailQuery::Plan::Kind::Outlets;
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
            plan->outlets.push_back(
                {k.type == KpiType::NewOutlets ? formatDay(d.outlets[static_cast<size_t>(o)].created) : plan->last, code,
                 code, plan->outletName(code),
                 d.outlets[static_cast<size_t>(o)].createdBy >= 0
                     ? d.employeeIds.code(d.outlets[static_cast<size_t>(o)].createdBy)
                     : std::string(),
                 1});
        }
        // By date and code, not by the ids outlets happened to get.
        std::sort(plan->outlets.begin(), plan->outlets.end(), [](const DetailRow& a, const DetailRow& b) {
            return a.date != b.date ? a.date < b.date : a.reference < b.reference;
        });
        break;
    }
    default:
        // Orders behind the figure, with the KPI's filtered amount (or quantity).
        plan->kind = DetailQuery::Plan::Kind::Orders;
        plan->byQuantity = k.type == KpiType::Volume;
        plan->salesOnly = k.type != KpiType::Sales && k.type != KpiType::Volume && k.type != KpiType::FocusSales &&
                          k.type != KpiType::DropSize;
        plan->filter = k.type == KpiType::DropSize ? 0 : k.filter;
        plan->dropZero = k.type == KpiType::FocusSales || k.type == KpiType::FocusOutlets || k.filter > 0;
        break;
    }
    query.plan_ = std::move(plan);
    return query;
}

Detail DetailQuery::run(std::size_t limit, const std::function<bool()>& cancelled) const {
    Detail out;
    if (!plan_) return out;
    const Plan& plan = *plan_;
    const auto keep = [&](DetailRow&& row) {
        if (out.rows.size() < limit) out.rows.push_back(std::move(row));
        ++out.total;
    };
    if (plan.kind == Plan::Kind::Outlets) {
        for (DetailRow row : plan.outlets) keep(std::move(row));
        return out;
    }
    // A connection of this run's own, closed before it returns: a query never
    // shares one with the engine that made it, or with another thread.
    auto connection = sql::open(plan.path.string(), sql::Open::ReadOnly);
    sql::Database& db = *connection;
    ProgressHandler progress(db, cancelled);
    sql::Transaction snapshot(db, false);
    try {
        if (plan.kind == Plan::Kind::Visits) {
            auto st = db.prepare(
                "SELECT visit_date, visit_code, outlet_code FROM visits WHERE employee_code = ?1 AND visit_date BETWEEN "
                "?2 AND ?3 ORDER BY visit_time, visit_code");
            for (const auto& member : plan.members) {
                st.reset();
                st.bind(1, member).bind(2, plan.first).bind(3, plan.last);
                while (st.step()) {
                    if (out.rows.size() >= limit) {  // counted, not built
                        ++out.total;
                        continue;
                    }
                    keep({std::string(st.text(0)), std::string(st.text(1)), std::string(st.text(2)),
                          plan.outletName(st.text(2)), member, 1});
                }
            }
        } else {
            auto st = db.prepare(
                "SELECT o.order_date, o.order_code, o.outlet_code, o.type = 'sale', l.sku, l.quantity, l.amount FROM "
                "orders o LEFT JOIN order_lines l ON l.order_code = o.order_code WHERE o.status = 'approved' AND "
                "o.employee_code = ?1 AND o.order_date BETWEEN ?2 AND ?3 ORDER BY o.order_time, o.order_code, "
                "l.line_no");
            const Dims& d = *plan.dims;
            // One order at a time: its lines add up to its value, then it is kept
            // (or dropped when a filtered KPI finds nothing in it).
            DetailRow order;
            std::int64_t units = 0;  // the order's value, exactly (exact.hpp)
            bool open = false;
            const auto close = [&] {
                order.value = exact::Fraction::ofUnits(units).toDouble();
                if (open && !(plan.dropZero && units == 0)) {
                    if (out.rows.size() < limit) out.rows.push_back(order);
                    ++out.total;
                }
                open = false;
            };
            for (const auto& member : plan.members) {
                st.reset();
                st.bind(1, member).bind(2, plan.first).bind(3, plan.last);
                while (st.step()) {
                    bool sale = st.int64(3) != 0;
                    if (plan.salesOnly && !sale) continue;
                    if (!open || order.reference != st.text(1)) {
                        close();
                        open = true;
                        order.reference.assign(st.text(1));
                        units = 0;
                        if (out.rows.size() < limit) {  // the rest are only counted
                            order.date.assign(st.text(0));
                            order.outletCode.assign(st.text(2));
                            order.outletName = plan.outletName(st.text(2));
                            order.employeeCode = member;
                        }
                    }
                    if (st.isNull(4)) continue;
                    int sku = d.skuIds.find(st.text(4));
                    if (!(d.maskOfSku(sku) >> plan.filter & 1u)) continue;
                    std::int64_t value = exact::units(plan.byQuantity ? st.real(5) : st.real(6));
                    exact::add(units, sale ? value : -value);
                }
            }
            close();
        }
    } catch (const Error&) {
        if (cancelled && cancelled()) throw Error(Error::Kind::Io, "reading the records was cancelled: " + plan.path.string());
        throw;
    }
    snapshot.commit();
    return out;
}

std::vector<DetailRow> Engine::detail(const std::string& employeeCode, const std::string& kpiCode,
                                      const Period& period) {
    return detailQuery(employeeCode, kpiCode, period).run(std::numeric_limits<std::size_t>::max()).rows;
}

DataState Engine::state() const {
    const sql::ReadScope& scope = impl_->scope;
    return {impl_->seq, model::timeText(impl_->facts.latest), impl_->storeId, !scope.everything, scope.login,
            scope.everything ? std::vector<std::string>() : scope.teams};
}

std::vector<PayoutRow> Engine::payout(const PayoutQuery& query) {
    if (query.employeeCode.empty()) return impl_->companyPayout(query.period, query.live).rows;
    std::set<std::string, std::less<>> members;
    for (int e : impl_->scopeOf(query.employeeCode).members) members.insert(impl_->dims->employeeIds.code(e));
    return impl_->payoutRows(query.period, [&](const std::string& code) { return members.count(code) > 0; },
                             query.live);
}

std::optional<long long> Engine::payoutAmount(const std::string& employeeCode, const Period& period,
                                              const std::string& kpiCode, bool live) {
    if (!hasEmployee(employeeCode))
        throw Error(Error::Kind::InvalidArgument, "unknown employee '" + employeeCode + "'");
    if (!kpiCode.empty()) impl_->kpiOf(kpiCode);  // validates
    // "*": everyone's rows; an employee: their own, computed for them alone.
    Impl::RowSpan rows;
    if (employeeCode == "*") {
        const auto& company = impl_->companyPayout(period, live).rows;
        rows = {company.data(), company.data() + company.size()};
    } else {
        rows = impl_->personalPayout(employeeCode, period, live);
    }
    std::optional<long long> sum;
    for (const PayoutRow& r : rows) {
        bool counted = kpiCode.empty() ? r.kind == PayoutKind::Total
                                       : (r.kind == PayoutKind::Component && r.kpiCode == kpiCode);
        if (counted) sum = sum.value_or(0) + r.amount.value_or(0);
    }
    return sum;
}

double Engine::factor(const std::string& planCode, const std::string& kpiCode, double attainment) const {
    const rewards::Plan* plan = impl_->rewardsModel().plans.find(planCode);
    if (!plan) throw Error(Error::Kind::InvalidArgument, "unknown plan '" + planCode + "'");
    const rewards::PlanComponent* component = plan->component(kpiCode);
    if (!component)
        throw Error(Error::Kind::InvalidArgument, "plan '" + planCode + "' has no component on KPI '" + kpiCode + "'");
    if (!std::isfinite(attainment)) throw Error(Error::Kind::InvalidArgument, "the attainment is not a number");
    return rewards::toDouble(component->curve.factor(rewards::storedDecimal(attainment), plan->curveMode));
}

Statement Engine::statement(const std::string& employeeCode, const Period& period, bool live) {
    if (!hasEmployee(employeeCode) || employeeCode == "*")
        throw Error(Error::Kind::InvalidArgument, "unknown employee '" + employeeCode + "'");
    rewards::StatementInputs in;
    for (const auto& e : employees())
        if (e.code == employeeCode) in.employee = e;
    in.period = period;
    in.closed = closedPeriod(period);
    in.live = live;
    in.rows = impl_->payoutRows(period, [&](const std::string& code) { return code == employeeCode; }, live);
    in.kpiNames = [this](const std::string& code) {
        KpiDef k = impl_->kpiOf(code);
        if (!impl_->dims->kpis.count(code)) {  // a bare type: the type's names
            auto [vi, en] = kpiTypeTitles(k.type);
            return std::make_pair(std::string(vi), std::string(en));
        }
        return std::make_pair(k.nameVi, k.nameEn);
    };
    std::set<std::string, std::less<>> reported;
    for (const auto& r : impl_->report(ReportQuery{period, std::nullopt, employeeCode, period.last, live}))
        if (r.employeeCode == employeeCode) reported.insert(r.kpiCode);
    in.hasReportRow = [&](const std::string& kpi) { return reported.count(kpi) > 0; };
    return rewards::buildStatement(impl_->rewardsModel(), std::move(in));
}

std::optional<ClosedPeriod> Engine::closedPeriod(const Period& period) const {
    if (const rewards::ClosedState* closed = impl_->rewardsModel().closedPeriod(period)) return closed->info;
    return std::nullopt;
}

std::vector<ClosedPeriod> Engine::closedPeriods() const {
    std::vector<ClosedPeriod> out;
    for (const auto& c : impl_->rewardsModel().closed) out.push_back(c.info);
    return out;
}

std::vector<PlanInfo> Engine::plans() const {
    std::vector<PlanInfo> out;
    for (const auto& [code, plan] : impl_->rewardsModel().plans.byCode) {
        PlanInfo info;
        info.code = code;
        info.nameVi = plan.nameVi;
        info.nameEn = plan.nameEn;
        info.periodType = plan.periodType;
        info.gateKpi = plan.gateKpi;
        if (plan.hasGate()) info.gateMinimum = rewards::toDouble(plan.gateMin);
        info.curveMode = std::string(rewards::curveModeName(plan.curveMode));
        for (const auto& c : plan.components)
            info.components.push_back({c.kpiCode, rewards::toDouble(c.weight), c.curveText});
        out.push_back(std::move(info));
    }
    return out;
}

}  // namespace kpi
