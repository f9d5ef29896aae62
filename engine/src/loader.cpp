#include "loader.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <filesystem>
#include <thread>
#include <unordered_map>

#include "exact.hpp"
#include "kpi/error.hpp"
#include "rewards/model.hpp"
#include "store/database.hpp"

namespace kpi::loader {
namespace {

using namespace model;

Day dayOr(std::string_view text, Day fallback) {
    auto d = parseDay(text.substr(0, std::min<size_t>(10, text.size())));
    return d ? *d : fallback;
}

// Subtree order: each employee's subtree is a contiguous run of dfsOrder,
// which lists every id (also codes seen only in facts), roots by code, so that
// it is the same however the ids were given out (fresh load or refreshes).
void buildTree(Dims& dims) {
    const int n = dims.employeeIds.size();
    std::vector<std::vector<int>> children(static_cast<size_t>(n));
    std::vector<int> roots;
    for (int e = 0; e < n; ++e) {
        const auto& emp = dims.employees[static_cast<size_t>(e)];
        int parent = emp.managerCode.empty() ? -1 : dims.employeeIds.find(emp.managerCode);
        // A manager code that names no employee row makes a root, as in a fresh load.
        if (parent < 0 || parent == e || !dims.employees[static_cast<size_t>(parent)].known) roots.push_back(e);
        else children[static_cast<size_t>(parent)].push_back(e);
    }
    auto byCode = [&](int a, int b) { return dims.employeeIds.code(a) < dims.employeeIds.code(b); };
    for (auto& c : children) std::sort(c.begin(), c.end(), byCode);
    std::sort(roots.begin(), roots.end(), byCode);
    dims.dfsOrder.clear();
    dims.dfsIn.assign(static_cast<size_t>(n), -1);
    dims.dfsOut.assign(static_cast<size_t>(n), -1);
    // Iterative DFS; employees on a manager loop (possible only through direct
    // writes that bypass import validation) are treated as roots of their own.
    std::vector<std::pair<int, size_t>> stack;
    auto run = [&](int root) {
        stack.push_back({root, 0});
        dims.dfsIn[static_cast<size_t>(root)] = static_cast<int>(dims.dfsOrder.size());
        dims.dfsOrder.push_back(root);
        while (!stack.empty()) {
            auto& [node, next] = stack.back();
            auto& kids = children[static_cast<size_t>(node)];
            if (next < kids.size()) {
                int child = kids[next++];
                if (dims.dfsIn[static_cast<size_t>(child)] >= 0) continue;
                dims.dfsIn[static_cast<size_t>(child)] = static_cast<int>(dims.dfsOrder.size());
                dims.dfsOrder.push_back(child);
                stack.push_back({child, 0});
            } else {
                dims.dfsOut[static_cast<size_t>(node)] = static_cast<int>(dims.dfsOrder.size());
                stack.pop_back();
            }
        }
    };
    for (int r : roots) run(r);
    // Employees on a loop: each loop is entered at its smallest code.
    std::vector<int> rest;
    for (int e = 0; e < n; ++e)
        if (dims.dfsIn[static_cast<size_t>(e)] < 0) rest.push_back(e);
    std::sort(rest.begin(), rest.end(), byCode);
    for (int e : rest)
        if (dims.dfsIn[static_cast<size_t>(e)] < 0) run(e);
}

void growPerEmployee(Dims& dims) {
    size_t n = static_cast<size_t>(dims.employeeIds.size());
    dims.employees.resize(n);
    dims.targets.resize(n);
    dims.routes.resize(n);
    dims.created.resize(n);
}

// After codes were interned: every per-id table covers every id, and the tree
// every employee id.
void settle(Dims& dims) {
    growPerEmployee(dims);
    if (dims.outlets.size() < static_cast<size_t>(dims.outletIds.size()))
        dims.outlets.resize(static_cast<size_t>(dims.outletIds.size()));
    if (dims.dfsOrder.size() != static_cast<size_t>(dims.employeeIds.size())) buildTree(dims);
}

// Builds one bucket from its approved order lines and visit count.
class BucketBuilder {
public:
    BucketBuilder(const Dims& dims, int employee, Day day)
        : dims_(dims), bucket_{employee, day, std::vector<std::int64_t>(static_cast<size_t>(dims.measures()), 0), {}} {}

    void addVisits(std::int64_t count, std::int64_t latestVisit) {
        bucket_.values[kVisits] += count;
        bucket_.distinct.latestVisit = std::max(bucket_.distinct.latestVisit, latestVisit);
    }
    void seenOrder(std::string_view time) {
        bucket_.distinct.latestOrder = std::max(bucket_.distinct.latestOrder, timeKey(time));
    }

    // One approved order line, quantity and amount in units of 1/10,000;
    // skuId < 0 for an order without lines.
    void addLine(bool isSale, int outlet, int skuId, std::int64_t quantity, std::int64_t amount) {
        if (isSale) callSkus_.push_back({static_cast<std::uint32_t>(outlet), skuId});
        if (skuId < 0) return;
        std::uint64_t mask = dims_.maskOfSku(skuId);
        if (!isSale) {
            quantity = -quantity;
            amount = -amount;
        }
        // Lines of one outlet come together (an order's, and a day's orders
        // by outlet): a filter already noted for the outlet is not noted again.
        if (isSale && outlet != focusOutlet_) {
            focusOutlet_ = outlet;
            focusNoted_ = 0;
        }
        for (size_t f = 0; f < dims_.filters.size(); ++f) {
            if (!(mask >> f & 1u)) continue;
            exact::add(bucket_.values[static_cast<size_t>(amountOf(static_cast<int>(f)))], amount);
            exact::add(bucket_.values[static_cast<size_t>(quantityOf(static_cast<int>(f)))], quantity);
            if (isSale && !(focusNoted_ >> f & 1u)) {
                focusNoted_ |= std::uint64_t{1} << f;
                bucket_.distinct.focus.push_back({static_cast<std::uint32_t>(f), static_cast<std::uint32_t>(outlet)});
            }
        }
    }

    // Takes in what another builder of the same bucket collected (another
    // part of a parallel read); the result is the same as one builder fed
    // both parts' rows.
    void absorb(BucketBuilder&& other) {
        for (size_t v = 0; v < bucket_.values.size(); ++v) exact::add(bucket_.values[v], other.bucket_.values[v]);
        bucket_.distinct.latestOrder = std::max(bucket_.distinct.latestOrder, other.bucket_.distinct.latestOrder);
        bucket_.distinct.latestVisit = std::max(bucket_.distinct.latestVisit, other.bucket_.distinct.latestVisit);
        callSkus_.insert(callSkus_.end(), other.callSkus_.begin(), other.callSkus_.end());
        auto& focus = bucket_.distinct.focus;
        focus.insert(focus.end(), other.bucket_.distinct.focus.begin(), other.bucket_.distinct.focus.end());
    }

    Bucket finish() {
        std::sort(callSkus_.begin(), callSkus_.end());
        callSkus_.erase(std::unique(callSkus_.begin(), callSkus_.end()), callSkus_.end());
        auto& calls = bucket_.distinct.calls;
        for (const auto& [outlet, sku] : callSkus_) {
            if (calls.empty() || calls.back().outlet != outlet) calls.push_back({outlet, 0});
            if (sku >= 0) ++calls.back().skus;
        }
        std::int64_t skuSum = 0;
        for (const auto& c : calls) skuSum += c.skus;
        bucket_.values[kCalls] = static_cast<std::int64_t>(calls.size());
        bucket_.values[kSkuSum] = skuSum;
        auto& focus = bucket_.distinct.focus;
        std::sort(focus.begin(), focus.end());
        focus.erase(std::unique(focus.begin(), focus.end()), focus.end());
        return std::move(bucket_);
    }

private:
    const Dims& dims_;
    Bucket bucket_;
    std::vector<std::pair<std::uint32_t, int>> callSkus_;
    int focusOutlet_ = -1;         // the outlet of the last sale line
    std::uint64_t focusNoted_ = 0;  // the filters noted in focus for it since
};

constexpr const char* kLinesSelect =
    "SELECT o.employee_code, o.order_date, o.outlet_code, o.type = 'sale', l.sku, l.quantity, l.amount, "
    "o.order_time FROM orders o LEFT JOIN order_lines l ON l.order_code = o.order_code WHERE o.status = 'approved' ";

// Codes to ids: interning into dims, or only looking up (then `missing` tells
// that a code was unknown).
struct Ids {
    Dims* growable;
    const Dims& dims;
    bool missing = false;
    // The lines of one order come one after the other, and the orders of a
    // day by employee and outlet: the last outlet's id is asked again and again.
    std::string lastOutlet;
    int lastOutletId = -1;

    int outlet(std::string_view code) {
        if (lastOutletId >= 0 && code == lastOutlet) return lastOutletId;
        int id = growable ? growable->outletIds.intern(code) : dims.outletIds.find(code);
        missing = missing || id < 0;
        lastOutlet.assign(code);
        lastOutletId = id;
        return id;
    }
    int sku(std::string_view code) {
        if (growable) return growable->internSku(code);
        int id = dims.skuIds.find(code);
        missing = missing || id < 0;
        return id;
    }
    int employee(std::string_view code) {
        if (growable) {
            int id = growable->employeeIds.intern(code);
            growPerEmployee(*growable);
            return id;
        }
        int id = dims.employeeIds.find(code);
        missing = missing || id < 0;
        return id;
    }
};

void addLineRow(BucketBuilder& b, Ids& ids, const sql::Statement& st) {
    int outlet = ids.outlet(st.text(2));
    int sku = st.isNull(4) ? -1 : ids.sku(st.text(4));
    b.addLine(st.int64(3) != 0, outlet, sku, exact::units(st.real(5)), exact::units(st.real(6)));
    b.seenOrder(st.text(7));
}

std::vector<Bucket> buildBuckets(sql::Database& db, Ids& ids, const std::vector<std::pair<std::string, Day>>& wanted) {
    std::vector<Bucket> out;
    auto lines = db.prepare(std::string(kLinesSelect) + " AND o.order_date = ?2 AND o.employee_code = ?1");
    auto visits = db.prepare(
        "SELECT count(*), coalesce(max(visit_time), '') FROM visits WHERE visit_date = ?2 AND employee_code = ?1");
    for (const auto& [code, day] : wanted) {
        int e = ids.employee(code);
        if (ids.missing) return out;
        BucketBuilder b(ids.growable ? *ids.growable : ids.dims, e, day);
        std::string dayText = formatDay(day);
        lines.reset();
        lines.bind(1, code).bind(2, dayText);
        while (lines.step()) addLineRow(b, ids, lines);
        if (ids.missing) return out;
        visits.reset();
        visits.bind(1, code).bind(2, dayText);
        if (visits.step()) b.addVisits(visits.int64(0), timeKey(visits.text(1)));
        out.push_back(b.finish());
    }
    return out;
}

}  // namespace

std::shared_ptr<Dims> loadDims(sql::Database& db, const Dims* previous) {
    auto dims = std::make_shared<Dims>();
    if (previous) {
        dims->employeeIds = previous->employeeIds;
        dims->outletIds = previous->outletIds;
        dims->skuIds = previous->skuIds;
    }
    {
        auto st = db.prepare(
            "SELECT code, name, role, coalesce(manager_code, ''), coalesce(department, ''), coalesce(region, ''), "
            "start_date, coalesce(end_date, '') FROM employees");
        while (st.step()) {
            int id = dims->employeeIds.intern(st.text(0));
            growPerEmployee(*dims);
            Employee& e = dims->employees[static_cast<size_t>(id)];
            e.known = true;
            e.name = st.text(1);
            e.role = st.text(2);
            e.managerCode = st.text(3);
            e.department = st.text(4);
            e.region = st.text(5);
            e.start = dayOr(st.text(6), -kOpenEnd);
            e.end = st.text(7).empty() ? kOpenEnd : dayOr(st.text(7), kOpenEnd);
        }
    }
    {
        auto st = db.prepare("SELECT code, name, created_date, coalesce(created_by, '') FROM outlets");
        while (st.step()) {
            int id = dims->outletIds.intern(st.text(0));
            if (static_cast<size_t>(id) >= dims->outlets.size()) dims->outlets.resize(static_cast<size_t>(id) + 1);
            Outlet& o = dims->outlets[static_cast<size_t>(id)];
            o.name = st.text(1);
            o.created = dayOr(st.text(2), 0);
            o.createdBy = st.text(3).empty() ? -1 : dims->employeeIds.intern(st.text(3));
        }
    }
    growPerEmployee(*dims);
    // KPI definitions and the distinct line filters they use.
    dims->filters.assign(1, KpiParams{});
    std::map<std::string, int> filterIndex;
    {
        auto st = db.prepare(
            "SELECT code, type, name_vi, name_en, coalesce(unit, ''), coalesce(params, ''), cap, "
            "coalesce(applies_to, '') FROM kpis");
        while (st.step()) {
            KpiDef def;
            def.code = st.text(0);
            auto type = parseKpiType(st.text(1));
            if (!type) continue;  // the schema's CHECK prevents this
            def.type = *type;
            def.nameVi = st.text(2);
            def.nameEn = st.text(3);
            def.unit = st.text(4);
            std::string why;
            auto params = parseKpiParams(st.text(5), why);
            if (params) def.params = *params;
            if (!st.isNull(6)) def.cap = st.real(6);
            // Roles separated by '|', spaces ignored: the import's reading of applies_to.
            std::string roles;
            for (char c : st.text(7))
                if (c != ' ') roles += c;
            for (size_t from = 0; from <= roles.size();) {
                size_t bar = roles.find('|', from);
                if (bar == std::string::npos) bar = roles.size();
                if (bar > from) def.appliesTo.push_back(roles.substr(from, bar - from));
                from = bar + 1;
            }
            bool filtered = def.type == KpiType::Sales || def.type == KpiType::Volume ||
                            def.type == KpiType::FocusSales || def.type == KpiType::FocusOutlets;
            if (filtered && def.params.hasLineFilter()) {
                auto [it, inserted] = filterIndex.emplace(def.params.filterKey(), static_cast<int>(dims->filters.size()));
                if (inserted) dims->filters.push_back(def.params);
                def.filter = it->second;
            }
            dims->kpis.emplace(def.code, std::move(def));
        }
        if (dims->filters.size() > 64)
            throw Error(Error::Kind::Corruption, "the store's KPIs use more than 63 distinct line filters");
    }
    {
        // Every SKU id gets its mask: products with their category and brand,
        // SKUs known only from order lines (of an earlier load) with neither,
        // as Dims::internSku gives those met later.
        dims->skuFilterMask.clear();
        for (int id = 0; id < dims->skuIds.size(); ++id) dims->internSku(dims->skuIds.code(id));
        auto st = db.prepare("SELECT sku, coalesce(category, ''), coalesce(brand, '') FROM products");
        while (st.step()) {
            int id = dims->internSku(st.text(0));
            std::uint64_t mask = 1u;
            for (size_t f = 1; f < dims->filters.size(); ++f)
                if (passes(dims->filters[f], st.text(0), st.text(1), st.text(2))) mask |= std::uint64_t{1} << f;
            dims->skuFilterMask[static_cast<size_t>(id)] = mask;
        }
    }
    {
        auto st = db.prepare(
            "SELECT employee_code, kpi_code, period_type, valid_from, valid_to, target, weight FROM targets "
            "ORDER BY employee_code, kpi_code, period_type, valid_from");
        while (st.step()) {
            int e = dims->employeeIds.intern(st.text(0));
            growPerEmployee(*dims);
            auto type = parsePeriodType(st.text(2));
            if (!type) continue;
            dims->targets[static_cast<size_t>(e)][std::string(st.text(1))][static_cast<size_t>(*type)].push_back(
                {dayOr(st.text(3), 0), dayOr(st.text(4), 0), exact::units(st.real(5)), st.real(6)});
        }
    }
    {
        auto st = db.prepare("SELECT employee_code, outlet_code, valid_from, coalesce(valid_to, '') FROM routes");
        while (st.step()) {
            int e = dims->employeeIds.intern(st.text(0));
            growPerEmployee(*dims);
            Route r;
            r.outlet = dims->outletIds.intern(st.text(1));
            r.from = dayOr(st.text(2), 0);
            r.to = st.text(3).empty() ? kOpenEnd : dayOr(st.text(3), kOpenEnd);
            dims->routes[static_cast<size_t>(e)].push_back(r);
        }
    }
    if (dims->outlets.size() < static_cast<size_t>(dims->outletIds.size()))
        dims->outlets.resize(static_cast<size_t>(dims->outletIds.size()));
    for (int o = 0; o < static_cast<int>(dims->outlets.size()); ++o) {
        int by = dims->outlets[static_cast<size_t>(o)].createdBy;
        if (by >= 0) dims->created[static_cast<size_t>(by)].push_back({dims->outlets[static_cast<size_t>(o)].created, o});
    }
    for (auto& c : dims->created) std::sort(c.begin(), c.end());
    {
        std::vector<Day> holidays;
        auto st = db.prepare("SELECT date FROM holidays");
        while (st.step())
            if (auto d = parseDay(st.text(0))) holidays.push_back(*d);
        dims->calendar = WorkCalendar(std::move(holidays));
    }
    buildTree(*dims);
    dims->rewards = rewards::loadModel(db);
    return dims;
}

namespace {

// The window's orders joined with their lines, on PostgreSQL. Its planner
// reads every line of the store for a month's (a hash join over a sequential
// scan: 4.3 s on L for the 1.0 M lines of 5.9 M a month keeps). Order codes
// grow with time in the DMS exports we know, so the window's lines lie in the
// code range of its approved orders: that range, read first, bounds the lines
// in the join's ON clause (the figures do not depend on it: a line of the
// window's order is in the range whatever the codes look like; only the speed
// does), and for that one statement the plan walks order_lines' primary key
// over the range, merged with the window's orders sorted by code (0.6 s on
// the same month; docs/performance.md). SQLite already looks each order's
// lines up by key and reads the statement as before.
std::optional<std::pair<std::string, std::string>> windowOrderCodes(sql::Database& db, const Period& window) {
    if (db.backend() != sql::Backend::Postgres) return std::nullopt;
    // count(*) keeps the planner from finding min and max by walking the
    // primary key from either end (through every order before the window).
    auto st = db.prepare(
        "SELECT min(order_code), max(order_code), count(*) FROM orders WHERE status = 'approved' AND order_date "
        "BETWEEN ?1 AND ?2");
    st.bind(1, formatDay(window.first)).bind(2, formatDay(window.last));
    if (!st.step() || st.isNull(0) || st.isNull(1)) return std::nullopt;  // no order: the plain join is quick
    return std::make_pair(std::string(st.text(0)), std::string(st.text(1)));
}

// The planner settings of that statement, for the transaction only (SET
// LOCAL), and back to the session's own once it is read.
class PlanOfWindowLines {
public:
    PlanOfWindowLines(sql::Database& db, bool on) : db_(on ? &db : nullptr) {
        if (db_) db_->exec(kOn);
    }
    ~PlanOfWindowLines() {
        if (!db_) return;
        try {
            db_->exec(kOff);
        } catch (...) {  // a failed transaction is rolled back, settings and all
        }
    }
    PlanOfWindowLines(const PlanOfWindowLines&) = delete;
    PlanOfWindowLines& operator=(const PlanOfWindowLines&) = delete;

private:
    static constexpr const char* kOn =
        "SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; SET LOCAL work_mem = '64MB'; "
        "SET LOCAL jit = off";
    static constexpr const char* kOff =
        "SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL enable_hashjoin TO DEFAULT; SET LOCAL work_mem TO DEFAULT; "
        "SET LOCAL jit TO DEFAULT";
    sql::Database* db_;
};

// The buckets of the orders and visits dated in window (all of them without
// one). With growable dims, unknown codes are interned into them; without,
// `ids.missing` says that one was met and the buckets are incomplete.
std::vector<Bucket> readBuckets(sql::Database& db, Ids& ids, const std::optional<Period>& window) {
    const Dims& dims = ids.growable ? *ids.growable : ids.dims;
    std::unordered_map<std::uint64_t, BucketBuilder> builders;
    // Rows come grouped by day and employee: the last bucket is asked again and again.
    std::string lastEmployee, lastDay;
    BucketBuilder* last = nullptr;
    auto builderFor = [&](std::string_view employee, std::string_view dayText) -> BucketBuilder* {
        if (last && employee == lastEmployee && dayText == lastDay) return last;
        int e = ids.employee(employee);
        if (e < 0) return nullptr;
        Day d = dayOr(dayText, 0);
        std::uint64_t key = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(e)) << 32) |
                            static_cast<std::uint32_t>(d);
        auto it = builders.find(key);
        if (it == builders.end()) it = builders.emplace(key, BucketBuilder(dims, e, d)).first;
        lastEmployee.assign(employee);
        lastDay.assign(dayText);
        last = &it->second;
        return last;
    };
    std::string range = window ? " AND o.order_date BETWEEN ?1 AND ?2" : "";
    const auto codes = window ? windowOrderCodes(db, *window) : std::nullopt;
    {
        std::string sql = kLinesSelect;
        if (codes) sql.insert(sql.find(" WHERE "), " AND l.order_code BETWEEN ?3 AND ?4");
        PlanOfWindowLines plan(db, codes.has_value());
        auto st = db.prepare(sql + range);
        if (window) st.bind(1, formatDay(window->first)).bind(2, formatDay(window->last));
        if (codes) st.bind(3, codes->first).bind(4, codes->second);
        while (st.step()) {
            BucketBuilder* b = builderFor(st.text(0), st.text(1));
            if (!b) return {};
            addLineRow(*b, ids, st);
            if (ids.missing) return {};
        }
    }
    {
        auto st = db.prepare(std::string("SELECT employee_code, visit_date, count(*), max(visit_time) FROM visits") +
                             (window ? " WHERE visit_date BETWEEN ?1 AND ?2" : "") + " GROUP BY 1, 2");
        if (window) st.bind(1, formatDay(window->first)).bind(2, formatDay(window->last));
        while (st.step()) {
            BucketBuilder* b = builderFor(st.text(0), st.text(1));
            if (!b) return {};
            b->addVisits(st.int64(2), timeKey(st.text(3)));
        }
    }
    std::vector<Bucket> buckets;
    buckets.reserve(builders.size());
    for (auto& [key, b] : builders) buckets.push_back(b.finish());
    return buckets;
}

// ---- Sequential reading of a long window ---------------------------------
//
// readBuckets walks the window's orders through the date index: for each
// order a look-up of its row and one of its lines, B-tree descents that cost
// more than reading the rows themselves. A window holding most of the store's
// days (the months of history `kpi recommend` reads) is read instead as the
// tables lie: the orders and their lines, both in order_code order, merged
// here, and the visits in visit_code order. Each part of a parallel read
// takes a range of codes. The buckets are the same as readBuckets' (the tests
// compare them); anything the merge cannot vouch for (codes out of order, a
// time that is not YYYY-MM-DD HH:MM:SS, a code the dimensions do not know)
// gives up, and the caller reads the window the usual way.

// Whether two short texts (codes, dates) are equal, inline and eight bytes at
// a time: the read asks it of every line, order and visit, where a call to
// memcmp costs more than the comparison.
inline bool sameText(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    size_t i = 0;
    for (; i + 8 <= a.size(); i += 8) {
        std::uint64_t x, y;
        std::memcpy(&x, a.data() + i, 8);
        std::memcpy(&y, b.data() + i, 8);
        if (x != y) return false;
    }
    for (; i < a.size(); ++i)
        if (a[i] != b[i]) return false;
    return true;
}

// Codes as SQLite's BINARY collation orders them (memcmp, then the shorter
// first), inline: the merge compares every line's order code.
inline int compareCodes(std::string_view a, std::string_view b) {
    if (sameText(a, b)) return 0;
    const size_t n = std::min(a.size(), b.size());
    const int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
    if (c != 0) return c;
    return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

// A range of order codes and of visit codes, [from, to); empty = unbounded.
struct CodeRange {
    std::string ordersFrom, ordersTo, visitsFrom, visitsTo;
};

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
    return h;
}

// SKU codes to ids over many lines: few codes, each met again and again.
class SkuIds {
public:
    explicit SkuIds(Ids& ids) : ids_(ids), slots_(kSlots) {}
    int operator()(std::string_view code) {
        const size_t h = fnv1a(code);
        for (size_t probe = 0; probe < kSlots; ++probe) {
            Slot& slot = slots_[(h + probe) & (kSlots - 1)];
            if (!slot.used) {
                int id = ids_.sku(code);
                if (used_ * 2 < kSlots) {  // keep probes short; beyond, ask the interner
                    slot = Slot{true, std::string(code), id};
                    ++used_;
                }
                return id;
            }
            if (sameText(slot.code, code)) return slot.id;
        }
        return ids_.sku(code);
    }

private:
    static constexpr size_t kSlots = 1024;
    struct Slot {
        bool used = false;
        std::string code;
        int id = -1;
    };
    Ids& ids_;
    std::vector<Slot> slots_;
    size_t used_ = 0;
};

// Outlet codes to ids for a sequential read: a million orders ask among tens
// of thousands of outlets, in no order that a cache of the last one helps.
// Open addressing with the codes inline: one cache miss a question, where the
// interner's nodes take two or three (a sixth of the read's time before).
// Built once from the dimensions; read by every part at once.
class OutletIds {
public:
    explicit OutletIds(const Interner& outlets) : outlets_(outlets) {
        size_t size = 16;
        while (size < 2 * static_cast<size_t>(outlets.size())) size *= 2;
        slots_.resize(size);
        mask_ = size - 1;
        for (int id = 0; id < outlets.size(); ++id) {
            const std::string& code = outlets.code(id);
            if (code.size() > kInline) continue;  // asked of the interner
            size_t i = fnv1a(code) & mask_;
            while (slots_[i].id >= 0) i = (i + 1) & mask_;
            slots_[i].id = id;
            slots_[i].size = static_cast<std::uint8_t>(code.size());
            std::copy(code.begin(), code.end(), slots_[i].code);
        }
    }
    // The outlet's id; -1 when the dimensions do not know it.
    int operator()(std::string_view code) const {
        if (code.size() > kInline) return outlets_.find(code);
        for (size_t i = fnv1a(code) & mask_;; i = (i + 1) & mask_) {
            const Slot& slot = slots_[i];
            if (slot.id < 0) return -1;
            if (sameText(std::string_view(slot.code, slot.size), code)) return slot.id;
        }
    }

private:
    static constexpr size_t kInline = 19;
    struct Slot {
        std::int32_t id = -1;
        std::uint8_t size = 0;
        char code[kInline];
    };
    const Interner& outlets_;
    std::vector<Slot> slots_;
    size_t mask_ = 0;
};

// What one part of a sequential read collected, buckets not yet finished (a
// bucket may have rows in several parts).
struct ScanPart {
    std::unordered_map<std::uint64_t, BucketBuilder> builders;
    std::unordered_map<std::uint64_t, std::pair<std::int64_t, std::int64_t>> visits;  // count, newest time
    bool complete = false;  // false: give up, read the window the usual way
};

std::uint64_t bucketKey(int employee, Day day) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(employee)) << 32) | static_cast<std::uint32_t>(day);
}

// Reads the part `range` of the window's orders, lines and visits on db
// (inside a read transaction), against dimensions that must not change.
ScanPart scanPart(sql::Database& db, const Dims& dims, const OutletIds& outletIds, const Period& window,
                  const CodeRange& range) {
    ScanPart part;
    Ids ids{nullptr, dims};
    SkuIds skuIds(ids);
    const std::string first = formatDay(window.first), afterLast = formatDay(window.last + 1);
    // The last date text and its day: rows come in runs of the same date.
    std::string lastDate;
    Day lastDay = 0;
    auto dayOf = [&](std::string_view time) -> std::optional<Day> {
        std::string_view date = time.substr(0, std::min<size_t>(10, time.size()));
        if (!sameText(date, lastDate)) {
            auto d = parseDay(date);
            if (!d) return std::nullopt;
            lastDate.assign(date);
            lastDay = *d;
        }
        if (lastDay < window.first || lastDay > window.last) return std::nullopt;
        return lastDay;
    };
    std::string lastEmployee;
    int lastEmployeeId = -1;
    auto employeeId = [&](std::string_view code) {
        if (lastEmployeeId < 0 || !sameText(code, lastEmployee)) {
            lastEmployeeId = ids.employee(code);
            lastEmployee.assign(code);
        }
        return lastEmployeeId;
    };
    std::uint64_t lastKey = ~std::uint64_t{0};
    BucketBuilder* last = nullptr;
    auto builderFor = [&](int e, Day d) -> BucketBuilder& {
        const std::uint64_t key = bucketKey(e, d);
        if (last && key == lastKey) return *last;
        auto it = part.builders.find(key);
        if (it == part.builders.end()) it = part.builders.emplace(key, BucketBuilder(dims, e, d)).first;
        lastKey = key;
        last = &it->second;
        return *last;
    };
    auto bound = [](const std::string& from, const std::string& to, const char* column, int index) {
        std::string where;
        if (!from.empty()) where += std::string(" AND ") + column + " >= ?" + std::to_string(index);
        if (!to.empty()) where += std::string(" AND ") + column + " < ?" + std::to_string(index + 1);
        return where;
    };
    auto bindBounds = [](sql::Statement& st, const std::string& from, const std::string& to, int index) {
        if (!from.empty()) st.bind(index, from);
        if (!to.empty()) st.bind(index + 1, to);
    };

    // Orders in code order, each with its lines: two cursors side by side.
    // A time inside [first, afterLast) has its date in the window exactly
    // when the date is a day: others give up.
    auto orders = db.prepare(
        "SELECT order_code, employee_code, outlet_code, type = 'sale', order_time FROM orders WHERE status = "
        "'approved' AND order_time >= ?1 AND order_time < ?2" +
        bound(range.ordersFrom, range.ordersTo, "order_code", 3) + " ORDER BY order_code");
    orders.bind(1, first).bind(2, afterLast);
    bindBounds(orders, range.ordersFrom, range.ordersTo, 3);
    bool haveOrder = orders.step();
    if (haveOrder) {
        // The lines from the first order on; the merge stops after the last
        // order, so the range's end needs no test in SQL.
        auto lines = db.prepare("SELECT order_code, sku, quantity, amount FROM order_lines WHERE order_code >= ?1 "
                                "ORDER BY order_code");
        lines.bind(1, orders.text(0));
        bool haveLine = lines.step();
        std::string previousOrder, previousLine;
        bool firstOrder = true;
        while (haveOrder) {
            const std::string_view code = orders.text(0);
            if (!firstOrder && compareCodes(code, previousOrder) <= 0) return part;  // not in the order compared here
            firstOrder = false;
            previousOrder.assign(code);
            auto day = dayOf(orders.text(4));
            if (!day) return part;
            const int e = employeeId(orders.text(1));
            const int outlet = outletIds(orders.text(2));
            if (outlet < 0 || ids.missing) return part;
            const bool isSale = orders.int64(3) != 0;
            BucketBuilder& b = builderFor(e, *day);
            bool anyLine = false;
            while (haveLine) {
                const std::string_view lineOrder = lines.text(0);
                const int c = compareCodes(lineOrder, code);
                if (c == 0) {
                    const int sku = skuIds(lines.text(1));
                    if (ids.missing) return part;
                    b.addLine(isSale, outlet, sku, exact::units(lines.real(2)), exact::units(lines.real(3)));
                    anyLine = true;
                    haveLine = lines.step();
                    continue;
                }
                // A line of another order: the lines must not go back. (A line
                // of this order needs no check: every line passed so far was at
                // most an order code before this one, and the orders were
                // passed only for a line beyond them, kept in previousLine.)
                const int back = compareCodes(lineOrder, previousLine);
                if (back < 0) return part;
                if (back > 0) previousLine.assign(lineOrder);
                if (c > 0) break;
                haveLine = lines.step();
            }
            // An order without lines still makes a call (LEFT JOIN in readBuckets).
            if (!anyLine) b.addLine(isSale, outlet, -1, 0, 0);
            b.seenOrder(orders.text(4));
            haveOrder = orders.step();
        }
    }

    // Visits: counted per bucket, with the newest time.
    auto visits = db.prepare("SELECT employee_code, visit_time FROM visits WHERE visit_time >= ?1 AND visit_time < ?2" +
                             bound(range.visitsFrom, range.visitsTo, "visit_code", 3));
    visits.bind(1, first).bind(2, afterLast);
    bindBounds(visits, range.visitsFrom, range.visitsTo, 3);
    std::pair<std::int64_t, std::int64_t>* lastVisits = nullptr;
    std::uint64_t lastVisitKey = ~std::uint64_t{0};
    while (visits.step()) {
        const std::string_view time = visits.text(1);
        auto day = dayOf(time);
        const std::int64_t key = timeKey(time);
        // max(visit_time) as text is the newest time as a number only when
        // every time has the one form.
        if (!day || key == 0) return part;
        const int e = employeeId(visits.text(0));
        if (ids.missing) return part;
        const std::uint64_t bucket = bucketKey(e, *day);
        if (!lastVisits || bucket != lastVisitKey) {
            lastVisits = &part.visits[bucket];
            lastVisitKey = bucket;
        }
        ++lastVisits->first;
        lastVisits->second = std::max(lastVisits->second, key);
    }
    part.complete = true;
    return part;
}

// The finished buckets of the parts, merged.
std::vector<Bucket> bucketsOfParts(const Dims& dims, std::vector<ScanPart>& parts) {
    ScanPart& all = parts.front();
    for (size_t k = 1; k < parts.size(); ++k) {
        for (auto& [key, b] : parts[k].builders) {
            auto it = all.builders.find(key);
            if (it == all.builders.end()) all.builders.emplace(key, std::move(b));
            else it->second.absorb(std::move(b));
        }
        for (const auto& [key, v] : parts[k].visits) {
            auto& to = all.visits[key];
            to.first += v.first;
            to.second = std::max(to.second, v.second);
        }
        parts[k] = ScanPart{};
    }
    for (const auto& [key, v] : all.visits) {
        const int e = static_cast<int>(static_cast<std::uint32_t>(key >> 32));
        const Day d = static_cast<Day>(static_cast<std::uint32_t>(key));
        auto it = all.builders.find(key);
        if (it == all.builders.end()) it = all.builders.emplace(key, BucketBuilder(dims, e, d)).first;
        it->second.addVisits(v.first, v.second);
    }
    std::vector<Bucket> buckets;
    buckets.reserve(all.builders.size());
    for (auto& [key, b] : all.builders) buckets.push_back(b.finish());
    return buckets;
}

// The days from the store's first to its last order, and how many of them
// the window holds.
struct Coverage {
    std::optional<Period> busy;  // the days from the first to the last order inside the window
    double share = 0;            // the window's days ÷ the days with orders in the whole store
};

Coverage coverageOf(sql::Database& db, const Period& window) {
    // One aggregate per statement: min() and max() each take one index probe.
    auto ask = [&](const char* sql, bool inWindow) -> std::optional<Day> {
        auto st = db.prepare(std::string(sql) + (inWindow ? " WHERE order_date BETWEEN ?1 AND ?2" : ""));
        if (inWindow) st.bind(1, formatDay(window.first)).bind(2, formatDay(window.last));
        if (!st.step() || st.isNull(0)) return std::nullopt;
        return parseDay(st.text(0));
    };
    Coverage c;
    auto first = ask("SELECT min(order_date) FROM orders", true);
    auto last = ask("SELECT max(order_date) FROM orders", true);
    if (first && last && *first <= *last) c.busy = Period{PeriodType::Cycle, *first, *last};
    auto storeFirst = ask("SELECT min(order_date) FROM orders", false);
    auto storeLast = ask("SELECT max(order_date) FROM orders", false);
    if (c.busy && storeFirst && storeLast && *storeFirst <= *storeLast)
        c.share = static_cast<double>(c.busy->last - c.busy->first + 1) / (*storeLast - *storeFirst + 1);
    return c;
}

// A window with at least this share of the store's order days is read sequentially.
constexpr double kSequentialShare = 0.5;

// The median code among a day's orders (or visits): a split of the codes
// into parts of about equal size whether codes follow time or not.
std::string medianCode(sql::Database& db, const char* table, const char* codeColumn, const char* dateColumn, Day day) {
    const std::string t(table), code(codeColumn), date(dateColumn);
    auto st = db.prepare("SELECT " + code + " FROM " + t + " WHERE " + date + " = ?1 ORDER BY " + code +
                         " LIMIT 1 OFFSET (SELECT count(*) / 2 FROM " + t + " WHERE " + date + " = ?1)");
    st.bind(1, formatDay(day));
    return st.step() ? std::string(st.text(0)) : std::string();
}

// Lays buckets out per employee as prefix sums.
Facts factsOf(Dims& dims, std::vector<Bucket> buckets) {
    settle(dims);
    std::sort(buckets.begin(), buckets.end(),
              [](const Bucket& a, const Bucket& b) { return a.employee != b.employee ? a.employee < b.employee : a.day < b.day; });

    return Facts::build(dims.measures(), dims.employeeIds.size(), std::move(buckets));
}

long long changeSeq(sql::Database& db) {
    auto st = db.prepare("SELECT coalesce(max(seq), 0) FROM changes");
    st.step();
    return st.int64(0);
}

}  // namespace

namespace {

// The window read sequentially (see scanPart) in up to `readers` parts, the
// first on db, each other on a connection and thread of its own that must see
// the store at the change counter `seq`; nullopt when the window is better
// read through the date index, or the scan gave up.
std::optional<std::vector<Bucket>> scanWindow(sql::Database& db, const Dims& dims, const Period& window,
                                              const Coverage& coverage, int readers, long long seq) {
    // Split codes: the median order and visit codes of days spread over the busy days.
    std::vector<CodeRange> ranges(1);
    if (readers > 1 && coverage.busy) {
        const Period& busy = *coverage.busy;
        const long days = busy.last - busy.first + 1;
        std::vector<std::string> orderSplits, visitSplits;
        for (int k = 1; k < readers; ++k) {
            const Day day = busy.first + static_cast<Day>(days * k / readers);
            orderSplits.push_back(medianCode(db, "orders", "order_code", "order_date", day));
            visitSplits.push_back(medianCode(db, "visits", "visit_code", "visit_date", day));
        }
        bool usable = true;
        for (size_t k = 0; k < orderSplits.size(); ++k)
            usable = usable && !orderSplits[k].empty() && !visitSplits[k].empty() &&
                     (k == 0 || (orderSplits[k - 1] < orderSplits[k] && visitSplits[k - 1] < visitSplits[k]));
        if (usable) {
            ranges.assign(orderSplits.size() + 1, CodeRange{});
            for (size_t k = 0; k < orderSplits.size(); ++k) {
                ranges[k].ordersTo = ranges[k + 1].ordersFrom = orderSplits[k];
                ranges[k].visitsTo = ranges[k + 1].visitsFrom = visitSplits[k];
            }
        }
    }
    const OutletIds outletIds(dims.outletIds);
    std::vector<ScanPart> parts(ranges.size());
    std::vector<std::exception_ptr> failures(ranges.size());
    auto readPart = [&](size_t k) {
        try {
            auto connection = db.reopen(sql::Open::ReadOnly);
            sql::Database& own = *connection;
            sql::Transaction snapshot(own, false);
            if (changeSeq(own) != seq) return;  // a writer committed since db's snapshot
            parts[k] = scanPart(own, dims, outletIds, window, ranges[k]);
            snapshot.commit();
        } catch (...) {
            failures[k] = std::current_exception();
        }
    };
    {
        std::vector<std::jthread> threads;
        for (size_t k = 1; k < ranges.size(); ++k) threads.emplace_back(readPart, k);
        parts.front() = scanPart(db, dims, outletIds, window, ranges.front());
    }  // joins
    for (size_t k = 0; k < parts.size(); ++k) {
        if (failures[k]) std::rethrow_exception(failures[k]);
        if (!parts[k].complete) return std::nullopt;
    }
    return bucketsOfParts(dims, parts);
}

}  // namespace

model::Facts loadFactsIndexed(sql::Database& db, Dims& dims, const std::optional<Period>& window) {
    Ids ids{&dims, dims};
    return factsOf(dims, readBuckets(db, ids, window));
}

std::optional<model::Facts> loadFactsSequential(sql::Database& db, Dims& dims, const Period& window, int readers,
                                                long long seq) {
    auto buckets = scanWindow(db, dims, window, coverageOf(db, window), readers, seq);
    if (!buckets) return std::nullopt;
    return factsOf(dims, std::move(*buckets));
}

model::Facts loadFacts(sql::Database& db, Dims& dims, const std::optional<Period>& window) {
    if (window) {
        const Coverage coverage = coverageOf(db, *window);
        if (coverage.share >= kSequentialShare)
            if (auto buckets = scanWindow(db, dims, *window, coverage, 1, 0)) return factsOf(dims, std::move(*buckets));
    }
    return loadFactsIndexed(db, dims, window);
}

model::Facts loadFactsInParallel(sql::Database& db, Dims& dims, const Period& window, int readers, long long seq) {
    const Coverage coverage = coverageOf(db, window);
    if (coverage.share >= kSequentialShare)
        if (auto buckets = scanWindow(db, dims, window, coverage, readers, seq))
            return factsOf(dims, std::move(*buckets));
    // The parts share the days that have orders (a long window often starts
    // long before the data do), so that each reads about as many.
    const Period busy = coverage.busy.value_or(window);
    const int days = busy.last - busy.first + 1;
    readers = std::clamp(readers, 1, std::max(1, days));
    if (readers == 1) return loadFactsIndexed(db, dims, window);
    // Part k reads its own days; the first and last parts also the window's
    // days before and after the orders (visits may lie there).
    std::vector<Period> parts;
    for (int k = 0; k < readers; ++k)
        parts.push_back(Period{PeriodType::Cycle, busy.first + static_cast<Day>(static_cast<long>(days) * k / readers),
                               busy.first + static_cast<Day>(static_cast<long>(days) * (k + 1) / readers) - 1});
    parts.front().first = window.first;
    parts.back().last = window.last;
    struct Part {
        std::vector<Bucket> buckets;
        bool complete = false;
        std::exception_ptr failure;
    };
    std::vector<Part> results(static_cast<size_t>(readers));
    auto readPart = [&](size_t k) {
        try {
            auto connection = db.reopen(sql::Open::ReadOnly);
            sql::Database& own = *connection;
            sql::Transaction snapshot(own, false);
            if (changeSeq(own) != seq) return;  // a writer committed since db's snapshot
            Ids ids{nullptr, dims};
            results[k].buckets = readBuckets(own, ids, parts[k]);
            results[k].complete = !ids.missing;
            snapshot.commit();
        } catch (...) {
            results[k].failure = std::current_exception();
        }
    };
    {
        std::vector<std::jthread> threads;
        for (size_t k = 0; k + 1 < parts.size(); ++k) threads.emplace_back(readPart, k);
        Ids ids{nullptr, dims};
        results.back().buckets = readBuckets(db, ids, parts.back());
        results.back().complete = !ids.missing;
    }  // joins
    bool complete = true;
    for (const Part& part : results) {
        if (part.failure) std::rethrow_exception(part.failure);
        complete = complete && part.complete;
    }
    if (!complete) return loadFactsIndexed(db, dims, window);
    std::vector<Bucket> buckets;
    for (Part& part : results)
        for (Bucket& b : part.buckets) buckets.push_back(std::move(b));
    return factsOf(dims, std::move(buckets));
}

std::vector<Bucket> loadBuckets(sql::Database& db, Dims& dims, const std::vector<std::pair<std::string, Day>>& wanted) {
    Ids ids{&dims, dims};
    auto out = buildBuckets(db, ids, wanted);
    settle(dims);
    return out;
}

std::optional<std::vector<Bucket>> loadBucketsKnown(sql::Database& db, const Dims& dims,
                                                    const std::vector<std::pair<std::string, Day>>& wanted) {
    Ids ids{nullptr, dims};
    auto out = buildBuckets(db, ids, wanted);
    if (ids.missing) return std::nullopt;
    return out;
}

struct OrderReader::Statements {
    sql::Statement lines, call, visits;
    explicit Statements(sql::Database& db)
        : lines(db.prepare(std::string(kLinesSelect) + " AND o.order_code = ?1")),
          call(db.prepare("SELECT count(DISTINCT l.sku) FROM orders o JOIN order_lines l ON l.order_code = "
                          "o.order_code WHERE o.order_date = ?3 AND o.employee_code = ?1 AND o.outlet_code = ?2 AND "
                          "o.status = 'approved' AND o.type = 'sale'")),
          visits(db.prepare("SELECT count(*), coalesce(max(visit_time), '') FROM visits WHERE visit_date = ?2 AND "
                            "employee_code = ?1")) {}
};

OrderReader::OrderReader(sql::Database& db) : st_(std::make_unique<Statements>(db)) {}
OrderReader::~OrderReader() = default;

std::optional<Bucket> OrderReader::contribution(const Dims& dims, int employee, Day day,
                                                const std::vector<std::string>& orderCodes) {
    Ids ids{nullptr, dims};
    BucketBuilder b(dims, employee, day);
    for (const auto& code : orderCodes) {
        st_->lines.reset();
        st_->lines.bind(1, code);
        while (st_->lines.step()) addLineRow(b, ids, st_->lines);
        if (ids.missing) return std::nullopt;
    }
    return b.finish();
}

std::uint32_t OrderReader::callSkus(const std::string& employeeCode, const std::string& outletCode, Day day) {
    st_->call.reset();
    st_->call.bind(1, employeeCode).bind(2, outletCode).bind(3, formatDay(day));
    st_->call.step();
    return static_cast<std::uint32_t>(st_->call.int64(0));
}

std::pair<std::int64_t, std::int64_t> OrderReader::visitCount(const std::string& employeeCode, Day day) {
    st_->visits.reset();
    st_->visits.bind(1, employeeCode).bind(2, formatDay(day));
    st_->visits.step();
    return {st_->visits.int64(0), timeKey(st_->visits.text(1))};
}

}  // namespace kpi::loader
