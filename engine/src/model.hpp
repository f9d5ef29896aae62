// The engine's in-memory model: dimensions (people, outlets, products, KPIs,
// targets, routes, holidays) and per-employee, per-day fact aggregates.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "calendar.hpp"
#include "kpi/date.hpp"
#include "kpi/period.hpp"
#include "kpi_types.hpp"

namespace kpi::rewards {
struct Model;
}

namespace kpi::model {

inline constexpr Day kOpenEnd = 10'000'000;  // "no end date"

// Codes ↔ dense ids; ids never change once given, so aggregates keyed by id
// survive reloads of the dimensions.
class Interner {
public:
    int intern(std::string_view code);
    int find(std::string_view code) const;  // -1 when unknown
    const std::string& code(int id) const { return codes_[static_cast<size_t>(id)]; }
    int size() const { return static_cast<int>(codes_.size()); }

private:
    // Looked up by string_view without making a std::string (the loader asks
    // for every order line's codes). Not noexcept on purpose: libstdc++ then
    // keeps each key's hash in its node, so that a look-up among tens of
    // thousands of outlets compares stored hashes instead of hashing every
    // key it passes in a bucket (a third of the loader's time before).
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view code) const { return std::hash<std::string_view>{}(code); }
    };
    std::unordered_map<std::string, int, Hash, std::equal_to<>> ids_;
    std::vector<std::string> codes_;
};

struct Employee {
    bool known = false;  // false: a code seen only in facts
    std::string name, role, managerCode, department, region;
    Day start = -kOpenEnd, end = kOpenEnd;
};

struct Outlet {
    std::string name;
    Day created = 0;
    int createdBy = -1;
};

struct KpiDef {
    std::string code;
    KpiType type = KpiType::Sales;
    KpiParams params;
    double cap = kDefaultCap;
    int filter = 0;  // index into Dims::filters; 0 = no line filter
    std::string nameVi, nameEn, unit;
    std::vector<std::string> appliesTo;  // roles; empty = every role
};

struct TargetRow {
    Day from = 0, to = 0;
    std::int64_t target = 0;  // in units of 1/10,000 (exact.hpp)
    double weight = 1;
};

struct Route {
    int outlet = 0;
    Day from = 0, to = kOpenEnd;
};

// Target rows of one employee: KPI code → period type → rows sorted by `from`.
using TargetsByKpi = std::map<std::string, std::array<std::vector<TargetRow>, 6>>;

struct Dims {
    Interner employeeIds, outletIds, skuIds;
    std::vector<Employee> employees;  // by employee id
    std::vector<Outlet> outlets;      // by outlet id
    std::vector<std::uint64_t> skuFilterMask;  // by sku id: bit f = passes filter f
    std::map<std::string, KpiDef> kpis;
    std::vector<KpiParams> filters;   // [0] = no filter
    std::vector<TargetsByKpi> targets;                     // by employee id
    std::vector<std::vector<Route>> routes;                // by employee id
    std::vector<std::vector<std::pair<Day, int>>> created;  // by employee id: (created_date, outlet)
    std::vector<int> dfsOrder, dfsIn, dfsOut;              // subtree of e = dfsOrder[dfsIn[e], dfsOut[e])
    WorkCalendar calendar;
    // Plans, assignments and closed pay periods (rewards/model.hpp); never null.
    std::shared_ptr<const rewards::Model> rewards;

    std::uint64_t maskOfSku(int skuId) const;
    // The id of a SKU, interning it (with the filters it passes as a SKU of no
    // category or brand) when it is known only from order lines.
    int internSku(std::string_view sku);
    int measures() const { return 3 + 2 * static_cast<int>(filters.size()); }
};

// Whether a SKU of this code, category and brand passes a line filter.
bool passes(const KpiParams& filter, std::string_view sku, std::string_view category, std::string_view brand);

// "YYYY-MM-DD HH:MM:SS" as the number YYYYMMDDHHMMSS, which orders like the
// text; 0 for anything else. timeText turns it back ("" for 0).
std::int64_t timeKey(std::string_view time);
std::string timeText(std::int64_t key);

// Measures kept per employee and day, all whole numbers: counts, then per
// filter the amount and quantity in units of 1/10,000 (exact.hpp).
inline constexpr int kVisits = 0, kCalls = 1, kSkuSum = 2;
inline int amountOf(int filter) { return 3 + 2 * filter; }
inline int quantityOf(int filter) { return 4 + 2 * filter; }

// A productive call: an outlet with ≥ 1 approved sale order that day.
struct Call {
    std::uint32_t outlet;
    std::uint32_t skus;  // distinct SKUs ordered in the call
};

struct DayDistinct {
    std::vector<Call> calls;  // sorted by outlet
    std::vector<std::pair<std::uint32_t, std::uint32_t>> focus;  // (filter, outlet) with a passing sale line
    // Newest approved order time and newest visit time of the bucket (timeKey; 0: none).
    std::int64_t latestOrder = 0, latestVisit = 0;
};

// One (employee, day) bucket, as built from the store.
struct Bucket {
    int employee = 0;
    Day day = 0;
    std::vector<std::int64_t> values;  // measures()
    DayDistinct distinct;
};

// Prefix sums per employee over a dense day range, so that a sum over any
// period is two look-ups per subtree member.
struct EmployeeFacts {
    Day first = 0;
    int span = 0;                       // days covered
    std::vector<std::int64_t> cum;      // (span + 1) × measures; row i = Σ over days before first + i
    std::vector<DayDistinct> days;
};

struct Facts {
    int measures = 0;
    std::int64_t latest = 0;  // newest approved order or visit time of any bucket (timeKey)
    std::vector<EmployeeFacts> byEmployee;

    // Lays out buckets (sorted by employee, then day; at most one per pair) as
    // the facts of a fresh load.
    static Facts build(int measures, int employees, std::vector<Bucket>&& buckets);
    // Replaces a bucket with one rebuilt from the store.
    void setBucket(Bucket&& bucket);
    // Adds orders to a bucket: values are added, focus outlets merged, and each
    // call inserted, or for an outlet that already has one, given its new SKU count.
    void addToBucket(Bucket&& delta);
    // Sets the visit count and newest visit time of a bucket.
    void setVisits(int employee, Day day, std::int64_t visits, std::int64_t latestVisit);
    // After setBucket/setVisits: the newest time again, when the bucket that
    // held it may have lost it. A fresh load computes the same.
    void settleLatest();
    std::int64_t sum(int employee, int measure, Day first, Day last) const;
    // The bucket's day data, or nullptr when it has none.
    const DayDistinct* day(int employee, Day day) const;

private:
    bool latestMayHaveShrunk_ = false;
    // The index of day in the employee's range, widening the range as needed.
    size_t slot(int employee, Day day);
    void addToSuffix(EmployeeFacts& f, size_t index, const std::vector<std::int64_t>& delta);
    void replacedLatest(std::int64_t before, std::int64_t after);
};

}  // namespace kpi::model
