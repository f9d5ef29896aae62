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
    // for every order line's codes).
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view code) const noexcept { return std::hash<std::string_view>{}(code); }
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
    double target = 0, weight = 1;
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
    int measures() const { return 3 + 2 * static_cast<int>(filters.size()); }
};

// Measures kept per employee and day; amounts and quantities per filter follow.
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
};

// One (employee, day) bucket, as built from the store.
struct Bucket {
    int employee = 0;
    Day day = 0;
    std::vector<double> values;  // measures()
    DayDistinct distinct;
    std::string latest;  // newest order or visit time in the bucket (any status)
};

// Prefix sums per employee over a dense day range, so that a sum over any
// period is two look-ups per subtree member.
struct EmployeeFacts {
    Day first = 0;
    int span = 0;                 // days covered
    std::vector<double> cum;      // (span + 1) × measures; row i = Σ over days before first + i
    std::vector<DayDistinct> days;
};

struct Facts {
    int measures = 0;
    std::string latest;  // newest order or visit time folded in
    std::vector<EmployeeFacts> byEmployee;

    // Replaces a bucket with one rebuilt from the store.
    void setBucket(Bucket&& bucket);
    // Adds orders to a bucket: values are added, focus outlets merged, and each
    // call inserted, or for an outlet that already has one, given its new SKU count.
    void addToBucket(Bucket&& delta);
    // Sets the visit count of a bucket.
    void setVisits(int employee, Day day, double visits, const std::string& latestVisit);
    double sum(int employee, int measure, Day first, Day last) const;
    // The bucket's day data, or nullptr when it has none.
    const DayDistinct* day(int employee, Day day) const;

private:
    // The index of day in the employee's range, widening the range as needed.
    size_t slot(int employee, Day day);
    void addToSuffix(EmployeeFacts& f, size_t index, const std::vector<double>& delta);
};

}  // namespace kpi::model
