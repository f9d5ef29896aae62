// targetHealth of kpi/target_health.hpp.
#include "kpi/target_health.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "kpi/error.hpp"
#include "recommender.hpp"
#include "store/database.hpp"

namespace kpi {

using namespace targets;

namespace {

// The rules of the header, as numbers.
constexpr double kLastDaysShare = 0.12;       // of P's working days: the last days
constexpr double kAfterDaysShare = 0.2;       // of P's working days: the days after
constexpr double kBunchingPoints = 0.10;      // share above the usual, at least
constexpr double kBunchingFactor = 1.5;       // and this many times the usual
constexpr double kBigOrder = 2;               // × the 90th percentile of the other orders: an outsized one
constexpr double kReturnsShare = 0.05;        // of the salesperson's sales of P
constexpr int kNeverAgainDays = 14;           // data after the one order
constexpr int kOneOrderOutlets = 2;           // at least, and a third of the new outlets
constexpr int kVisitsAboveUsual = 10;         // visits without an order, above the usual 90th percentile
constexpr double kUnlikely = 0.1, kCertain = 0.9;
constexpr int kHistoryPeriods = 6;            // periods before P for the usual share
constexpr int kVisitHistoryPeriods = 3;

struct OrderFact {
    std::string code, employee, outlet;
    Day day = 0;
    bool sale = true;
    bool approved = false;
    bool cancelledAfterApproval = false;
    double amount = 0;
};

struct VisitFact {
    std::string code, employee, outlet;
    Day day = 0;
};

struct NewOutlet {
    std::string code, createdBy;
    Day created = 0;
};

// Order-level facts, read once for the whole scope over a range of days.
class StoreFacts {
public:
    explicit StoreFacts(const std::filesystem::path& store)
        : connection_(sql::open(store.string(), sql::Open::ReadOnly)), db_(*connection_) {}

    // `people`: the employees whose orders and visits are read; empty = everyone.
    void read(Day ordersFrom, Day ordersTo, Period visitDays, Period outletDays, const std::vector<std::string>& people) {
        sql::Transaction snapshot(db_, false);
        // A team's rows only (the index on the date leads, the employee follows).
        std::string only;
        for (size_t i = 0; i < people.size(); ++i) only += (i ? ",?" : " AND employee_code IN (?") + std::to_string(i + 3);
        if (!only.empty()) only += ")";
        auto bindPeople = [&](sql::Statement& st) {
            for (size_t i = 0; i < people.size(); ++i) st.bind(static_cast<int>(i) + 3, people[i]);
        };
        auto orders = db_.prepare(
            "SELECT o.order_code, o.employee_code, o.outlet_code, o.order_date, o.type = 'sale', o.status, "
            "o.approved_time IS NOT NULL AND o.approved_time <> '', coalesce(sum(l.amount), 0) FROM orders o "
            "LEFT JOIN order_lines l ON l.order_code = o.order_code WHERE o.order_date BETWEEN ?1 AND ?2" +
            (only.empty() ? std::string() : " AND o." + only.substr(5)) + " GROUP BY o.order_code");
        orders.bind(1, formatDay(ordersFrom)).bind(2, formatDay(ordersTo));
        bindPeople(orders);
        while (orders.step()) {
            auto day = parseDay(orders.text(3));
            if (!day) continue;
            std::string_view status = orders.text(5);
            OrderFact o{std::string(orders.text(0)), std::string(orders.text(1)), std::string(orders.text(2)), *day,
                        orders.int64(4) != 0, status == "approved", status == "cancelled" && orders.int64(6) != 0,
                        orders.real(7)};
            byEmployee_[o.employee].push_back(orderFacts_.size());
            byOutlet_[o.outlet].push_back(orderFacts_.size());
            orderFacts_.push_back(std::move(o));
        }
        auto visits = db_.prepare(
            "SELECT visit_code, employee_code, outlet_code, visit_date FROM visits WHERE visit_date BETWEEN ?1 AND ?2" +
            only + " ORDER BY visit_time, visit_code");
        visits.bind(1, formatDay(visitDays.first)).bind(2, formatDay(visitDays.last));
        bindPeople(visits);
        while (visits.step())
            if (auto day = parseDay(visits.text(3)))
                visits_[std::string(visits.text(1))].push_back(
                    {std::string(visits.text(0)), std::string(visits.text(1)), std::string(visits.text(2)), *day});
        auto outlets = db_.prepare(
            "SELECT code, created_by, created_date FROM outlets WHERE created_date BETWEEN ?1 AND ?2 AND "
            "created_by IS NOT NULL ORDER BY code");
        outlets.bind(1, formatDay(outletDays.first)).bind(2, formatDay(outletDays.last));
        while (outlets.step())
            if (auto day = parseDay(outlets.text(2)))
                newOutlets_[std::string(outlets.text(1))].push_back(
                    {std::string(outlets.text(0)), std::string(outlets.text(1)), *day});
        snapshot.commit();
    }

    template <typename Fn>
    void forEachOrderOf(const std::string& employee, Fn&& fn) const {
        if (auto it = byEmployee_.find(employee); it != byEmployee_.end())
            for (size_t i : it->second) fn(orderFacts_[i]);
    }
    template <typename Fn>
    void forEachOrderAt(const std::string& outlet, Fn&& fn) const {
        if (auto it = byOutlet_.find(outlet); it != byOutlet_.end())
            for (size_t i : it->second) fn(orderFacts_[i]);
    }
    const std::vector<VisitFact>& visitsOf(const std::string& employee) const {
        static const std::vector<VisitFact> none;
        auto it = visits_.find(employee);
        return it == visits_.end() ? none : it->second;
    }
    const std::vector<NewOutlet>& newOutletsOf(const std::string& employee) const {
        static const std::vector<NewOutlet> none;
        auto it = newOutlets_.find(employee);
        return it == newOutlets_.end() ? none : it->second;
    }

private:
    std::unique_ptr<sql::Database> connection_;
    sql::Database& db_;
    std::vector<OrderFact> orderFacts_;
    std::unordered_map<std::string, std::vector<size_t>> byEmployee_, byOutlet_;
    std::unordered_map<std::string, std::vector<VisitFact>> visits_;
    std::unordered_map<std::string, std::vector<NewOutlet>> newOutlets_;
};

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// The q-quantile of values (interpolated); 0 when there are none.
double quantileOf(std::vector<double> values, double q) {
    if (values.empty()) return 0;
    return Spread(std::move(values)).quantile(q);
}

// The period `back` periods before p: the same type's, or for a cycle the
// same number of days before.
Period previousPeriod(const Period& p, int back) {
    if (isRecommendable(p.type)) return shifted(p, back);
    const Day length = p.last - p.first + 1;
    return Period{p.type, p.first - length * back, p.last - length * back};
}

int lastDaysCount(int workingDays) { return std::max(1, static_cast<int>(std::lround(workingDays * kLastDaysShare))); }

// The last `count` working days of p, as the days from the first of them to p's end.
Period lastWorkingDays(const Engine& engine, const Period& p, int count) {
    Day first = p.last;
    for (int seen = 0; first >= p.first; --first)
        if (engine.workingDays(first, first) == 1 && ++seen == count) break;
    return Period{PeriodType::Cycle, std::max(first, p.first), p.last};
}

// From the day after `after` to its `count`-th working day.
Period workingDaysAfter(const Engine& engine, Day after, int count) {
    Day last = after;
    for (int seen = 0; seen < count;) {
        ++last;
        seen += engine.workingDays(last, last);
    }
    return Period{PeriodType::Cycle, after + 1, last};
}

struct KpiTypes {
    std::map<std::string, KpiType, std::less<>> byCode;
    std::optional<KpiType> of(const std::string& code) const {
        if (auto it = byCode.find(code); it != byCode.end()) return it->second;
        return parseKpiType(code);
    }
};

class HealthCheck {
public:
    HealthCheck(Engine& engine, const TargetHealthQuery& query)
        : engine_(engine), period_(query.period), asOf_(query.asOf ? query.asOf : today()) {
        for (const KpiInfo& k : engine.kpis())
            if (auto type = parseKpiType(k.type)) types_.byCode.emplace(k.code, *type);
        dataBegin_ = engine.firstActivity();
    }

    TargetHealth run(const TargetHealthQuery& query) {
        TargetHealth health;
        health.period = period_;
        rows_ = engine_.report(ReportQuery{period_, std::nullopt, query.employeeCode, asOf_});
        spread(health);
        reachability(health);
        gaming(query, health);
        std::stable_sort(health.flags.begin(), health.flags.end(), [](const HealthFlag& a, const HealthFlag& b) {
            if (a.employeeCode != b.employeeCode) return a.employeeCode < b.employeeCode;
            if (a.kind != b.kind) return a.kind < b.kind;
            if (a.kpiCode != b.kpiCode) return a.kpiCode < b.kpiCode;
            return a.days.first < b.days.first;
        });
        for (const HealthFlag& f : health.flags) {
            if (f.kind != HealthFlagKind::OutOfReach && f.kind != HealthFlagKind::GivenAway) continue;
            for (AttainmentSpread& s : health.spread)
                if (s.kpiCode == f.kpiCode) ++(f.kind == HealthFlagKind::OutOfReach ? s.outOfReach : s.givenAway);
        }
        return health;
    }

private:
    void spread(TargetHealth& health) const {
        std::map<std::string, AttainmentSpread> byKpi;
        for (const ReportRow& r : rows_) {
            AttainmentSpread& s = byKpi[r.kpiCode];
            s.kpiCode = r.kpiCode;
            if (!r.attainment) continue;
            ++s.targets;
            if (*r.attainment < 0.8) ++s.under80;
            else if (*r.attainment > 1.2) ++s.over120;
            else ++s.from80To120;
        }
        for (auto& [code, s] : byKpi) health.spread.push_back(s);
    }

    // Out of reach and given away: the chance of each target by the data before P.
    void reachability(TargetHealth& health) {
        if (!isRecommendable(period_.type)) return;
        Recommender recommender(engine_, period_, period_.first, 0.65);
        for (const ReportRow& r : rows_) {
            if (!r.target || *r.target <= 0) continue;
            const EmployeeInfo* e = recommender.employee(r.employeeCode);
            if (!e) continue;
            auto a = recommender.assess(*e, recommender.kpi(r.kpiCode));
            if (!a) continue;
            auto chance = a->chanceOf(*r.target);
            if (!chance || (*chance >= kUnlikely && *chance <= kCertain)) continue;
            HealthFlag f;
            f.kind = *chance < kUnlikely ? HealthFlagKind::OutOfReach : HealthFlagKind::GivenAway;
            f.employeeCode = r.employeeCode;
            f.kpiCode = r.kpiCode;
            f.days = r.period;
            f.value = *chance;
            f.usual = a->recommendation.p50;
            f.target = r.target;
            f.attainment = r.attainment;
            health.flags.push_back(std::move(f));
        }
    }

    // The person's report row of P for a KPI of one of the types; the one with
    // the largest target when there are several (an unfiltered SALES over a
    // filtered one).
    const ReportRow* rowOfType(const std::string& employee, std::initializer_list<KpiType> wanted) const {
        const ReportRow* best = nullptr;
        for (const ReportRow& r : rows_) {
            if (r.employeeCode != employee || !r.target) continue;
            auto type = types_.of(r.kpiCode);
            if (!type || std::find(wanted.begin(), wanted.end(), *type) == wanted.end()) continue;
            if (!best || *r.target > *best->target) best = &r;
        }
        return best;
    }

    HealthFlag flagFor(HealthFlagKind kind, const std::string& employee, std::initializer_list<KpiType> types,
                       std::string_view typeName, double removed) const {
        HealthFlag f;
        f.kind = kind;
        f.employeeCode = employee;
        f.kpiCode = std::string(typeName);
        if (const ReportRow* r = rowOfType(employee, types)) {
            f.kpiCode = r->kpiCode;
            f.target = r->target;
            f.attainment = r->attainment;
            if (removed != 0 && r->attainment) f.attainmentWithout = (r->actual - removed) / *r->target;
        }
        return f;
    }

    // Whether the engine's figures of p are complete data.
    bool known(const Period& p) const {
        return dataBegin_ && p.first >= *dataBegin_ && engine_.covers(p) && p.last < asOf_;
    }

    void gaming(const TargetHealthQuery& query, TargetHealth& health) {
        std::vector<std::string> scope =
            query.employeeCode.empty() ? [&] {
                std::vector<std::string> all;
                for (const EmployeeInfo& e : engine_.employees()) all.push_back(e.code);
                return all;
            }()
                                       : engine_.subtree(query.employeeCode);
        std::vector<std::pair<std::string, Period>> people;  // salespeople employed in P, with their clipped P
        for (const std::string& code : scope) {
            if (engine_.subtree(code).size() != 1) continue;
            Figures f = engine_.figures(code, "SALES", period_, asOf_);
            if (f.exists) people.emplace_back(code, f.clipped);
        }
        if (people.empty()) return;
        const int wPeriod = engine_.workingDays(period_.first, period_.last);
        const Period after = workingDaysAfter(engine_, period_.last, std::max(1, static_cast<int>(std::lround(wPeriod * kAfterDaysShare))));
        // What came after P is looked at up to the as-of date, and at most
        // twice P's length after it.
        const Day length = period_.last - period_.first + 1;
        const Day lookedUpTo = std::min(asOf_, period_.last + 2 * length);
        StoreFacts facts(engine_.storePath());
        // Everyone's orders for the whole company; a team's own otherwise (a
        // new outlet's orders by someone outside the team are then not seen).
        std::vector<std::string> team;
        if (!query.employeeCode.empty())
            for (const auto& [code, clipped] : people) team.push_back(code);
        facts.read(period_.first, std::max(period_.last, lookedUpTo), period_, period_, team);
        for (const auto& [code, clipped] : people) {
            bunching(code, clipped, facts, health);
            returnsAndCancellations(code, clipped, after, lookedUpTo, facts, health);
            oneOrderOutlets(code, clipped, lookedUpTo, facts, health);
            visitsBunched(code, clipped, facts, health);
        }
    }

    double sales(const std::string& code, const Period& p) const {
        return engine_.figures(code, "SALES", p, asOf_).actual;
    }

    void bunching(const std::string& code, const Period& clipped, const StoreFacts& facts, TargetHealth& health) {
        const int w = engine_.workingDays(clipped.first, clipped.last);
        if (w < 4) return;
        const Period last = lastWorkingDays(engine_, clipped, lastDaysCount(w));
        const double total = sales(code, clipped);
        if (total <= 0) return;
        const double lastSales = sales(code, last);
        const double share = lastSales / total;
        // The usual share of the last days, in the periods before.
        std::vector<double> shares;
        for (int h = 1; h <= kHistoryPeriods; ++h) {
            Figures f = engine_.figures(code, "SALES", previousPeriod(period_, h), asOf_);
            if (!f.exists || !known(f.clipped)) continue;
            const int wh = engine_.workingDays(f.clipped.first, f.clipped.last);
            if (wh < 4 || f.actual <= 0) continue;
            shares.push_back(sales(code, lastWorkingDays(engine_, f.clipped, lastDaysCount(wh))) / f.actual);
        }
        const double usual = shares.size() >= 2 ? median(shares)
                                                : static_cast<double>(engine_.workingDays(last.first, last.last)) / w;
        if (usual >= 1 || share < usual + kBunchingPoints || share < kBunchingFactor * usual) return;
        const double excess = lastSales - (total - lastSales) * usual / (1 - usual);
        if (excess <= 0) return;
        // The orders behind it: those of the last days more than twice the
        // usual big order, else all of them.
        std::vector<double> before;
        std::vector<const OrderFact*> inLastDays;
        facts.forEachOrderOf(code, [&](const OrderFact& o) {
            if (!o.approved || !o.sale || !clipped.contains(o.day)) return;
            if (last.contains(o.day)) inLastDays.push_back(&o);
            else before.push_back(o.amount);
        });
        const double big = kBigOrder * quantileOf(before, 0.9);
        std::vector<const OrderFact*> named;
        for (const OrderFact* o : inLastDays)
            if (o->amount > big) named.push_back(o);
        if (named.empty()) named = inLastDays;
        std::sort(named.begin(), named.end(), [](const OrderFact* a, const OrderFact* b) {
            return a->amount != b->amount ? a->amount > b->amount : a->code < b->code;
        });
        HealthFlag f = flagFor(HealthFlagKind::LastDaysBunching, code, {KpiType::Sales}, "SALES", excess);
        f.days = last;
        f.value = share;
        f.usual = usual;
        for (const OrderFact* o : named) f.orders.push_back(o->code);
        health.flags.push_back(std::move(f));
    }

    void returnsAndCancellations(const std::string& code, const Period& clipped, const Period& after, Day lookedUpTo,
                                 const StoreFacts& facts, TargetHealth& health) {
        std::set<std::string> soldTo;
        double sold = 0;
        std::vector<const OrderFact*> cancelled;
        double cancelledAmount = 0;
        facts.forEachOrderOf(code, [&](const OrderFact& o) {
            if (!clipped.contains(o.day)) return;
            if (o.approved && o.sale) {
                soldTo.insert(o.outlet);
                sold += o.amount;
            }
            if (o.cancelledAfterApproval) {
                cancelled.push_back(&o);
                cancelledAmount += o.amount;
            }
        });
        if (!cancelled.empty()) {
            HealthFlag f = flagFor(HealthFlagKind::CancelledAfterApproval, code, {KpiType::Sales}, "SALES", 0);
            f.days = clipped;
            f.value = cancelledAmount;
            for (const OrderFact* o : cancelled) f.orders.push_back(o->code);
            health.flags.push_back(std::move(f));
        }
        if (clipped.last != period_.last || after.first > lookedUpTo || sold <= 0) return;
        const Period seen{PeriodType::Cycle, after.first, std::min(after.last, lookedUpTo)};
        std::vector<const OrderFact*> returns;
        double returned = 0;
        facts.forEachOrderOf(code, [&](const OrderFact& o) {
            if (o.approved && !o.sale && seen.contains(o.day) && soldTo.count(o.outlet)) {
                returns.push_back(&o);
                returned += o.amount;
            }
        });
        if (returned <= 0 || returned < kReturnsShare * sold) return;
        HealthFlag f = flagFor(HealthFlagKind::ReturnsAfterPeriod, code, {KpiType::Sales}, "SALES", returned);
        f.days = seen;
        f.value = returned;
        for (const OrderFact* o : returns) f.orders.push_back(o->code);
        health.flags.push_back(std::move(f));
    }

    void oneOrderOutlets(const std::string& code, const Period& clipped, Day lookedUpTo, const StoreFacts& facts,
                         TargetHealth& health) {
        int ordered = 0;
        std::vector<std::pair<std::string, std::string>> once;  // outlet, its one order
        for (const NewOutlet& outlet : facts.newOutletsOf(code)) {
            if (!clipped.contains(outlet.created)) continue;
            std::vector<const OrderFact*> orders;
            facts.forEachOrderAt(outlet.code, [&](const OrderFact& o) {
                if (o.approved && o.sale && o.day >= outlet.created && o.day <= lookedUpTo) orders.push_back(&o);
            });
            bool orderedInPeriod = std::any_of(orders.begin(), orders.end(), [&](const OrderFact* o) {
                return o->employee == code && clipped.contains(o->day);
            });
            if (!orderedInPeriod) continue;
            ++ordered;
            if (orders.size() == 1 && orders.front()->day + kNeverAgainDays <= lookedUpTo)
                once.emplace_back(outlet.code, orders.front()->code);
        }
        if (static_cast<int>(once.size()) < kOneOrderOutlets || 3 * static_cast<int>(once.size()) < ordered) return;
        HealthFlag f = flagFor(HealthFlagKind::OneOrderOutlets, code, {KpiType::NewOutlets}, "NEW_OUTLETS",
                               static_cast<double>(once.size()));
        f.days = clipped;
        f.value = static_cast<double>(once.size());
        f.usual = ordered;
        for (const auto& [outlet, order] : once) {
            f.outlets.push_back(outlet);
            f.orders.push_back(order);
        }
        health.flags.push_back(std::move(f));
    }

    void visitsBunched(const std::string& code, const Period& clipped, const StoreFacts& facts, TargetHealth& health) {
        // Outlets with an approved sale order by the salesperson, per day of P.
        std::set<std::pair<Day, std::string>> productive;
        facts.forEachOrderOf(code, [&](const OrderFact& o) {
            if (o.approved && o.sale && clipped.contains(o.day)) productive.insert({o.day, o.outlet});
        });
        std::map<Day, std::vector<const VisitFact*>> withoutOrder;
        for (const VisitFact& v : facts.visitsOf(code))
            if (clipped.contains(v.day) && !productive.count({v.day, v.outlet})) withoutOrder[v.day].push_back(&v);
        if (withoutOrder.empty()) return;
        // The usual: visits without an order a working day in the periods
        // before (visits less productive calls), else in P's other days.
        std::vector<double> usualDays;
        for (int h = 1; h <= kVisitHistoryPeriods; ++h) {
            Figures f = engine_.figures(code, "VISITS", previousPeriod(period_, h), asOf_);
            if (!f.exists || !known(f.clipped)) continue;
            for (Day d = f.clipped.first; d <= f.clipped.last; ++d) {
                if (engine_.workingDays(d, d) == 0) continue;
                const Period day{PeriodType::Day, d, d};
                double visits = engine_.figures(code, "VISITS", day, asOf_).actual;
                if (visits > 0) usualDays.push_back(std::max(0.0, visits - engine_.figures(code, "PC", day, asOf_).actual));
            }
        }
        if (usualDays.size() < 10) {
            usualDays.clear();
            for (Day d = clipped.first; d <= clipped.last; ++d)
                if (engine_.workingDays(d, d) == 1) {
                    auto it = withoutOrder.find(d);
                    usualDays.push_back(it == withoutOrder.end() ? 0.0 : static_cast<double>(it->second.size()));
                }
        }
        const double usual = quantileOf(usualDays, 0.9);
        const double threshold = std::max(2 * usual, usual + kVisitsAboveUsual);
        for (const auto& [day, visits] : withoutOrder) {
            if (static_cast<double>(visits.size()) < threshold) continue;
            HealthFlag f = flagFor(HealthFlagKind::VisitsBunched, code, {KpiType::Visits}, "VISITS",
                                   static_cast<double>(visits.size()));
            f.days = Period{PeriodType::Day, day, day};
            f.value = static_cast<double>(visits.size());
            f.usual = usual;
            for (const VisitFact* v : visits) f.visits.push_back(v->code);
            health.flags.push_back(std::move(f));
        }
    }

    Engine& engine_;
    Period period_;
    Day asOf_;
    KpiTypes types_;
    std::optional<Day> dataBegin_;
    std::vector<ReportRow> rows_;
};

}  // namespace

Period healthWindow(const Period& period, Day asOf) {
    if (asOf == 0) asOf = today();
    Day first = period.first;
    if (isRecommendable(period.type)) first = std::min(first, historyWindow(period, period.first).first);
    first = std::min(first, previousPeriod(period, kHistoryPeriods).first);
    const Day length = period.last - period.first + 1;
    Day last = std::max(period.last, std::min(asOf, period.last + 2 * length));
    return Period{PeriodType::Cycle, first, last};
}

TargetHealth targetHealth(Engine& engine, const TargetHealthQuery& query) {
    if (!query.employeeCode.empty() && !engine.hasEmployee(query.employeeCode))
        throw Error(Error::Kind::InvalidArgument, "unknown employee '" + query.employeeCode + "'");
    HealthCheck check(engine, query);
    return check.run(query);
}

std::string_view healthFlagName(HealthFlagKind kind) {
    switch (kind) {
    case HealthFlagKind::OutOfReach: return "out_of_reach";
    case HealthFlagKind::GivenAway: return "given_away";
    case HealthFlagKind::LastDaysBunching: return "last_days_bunching";
    case HealthFlagKind::ReturnsAfterPeriod: return "returns_after_period";
    case HealthFlagKind::CancelledAfterApproval: return "cancelled_after_approval";
    case HealthFlagKind::OneOrderOutlets: return "one_order_outlets";
    case HealthFlagKind::VisitsBunched: return "visits_bunched";
    }
    return {};
}

}  // namespace kpi
