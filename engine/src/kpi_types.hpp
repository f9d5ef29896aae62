// KPI types of SPEC §6 and the parameters a KPI definition may carry.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kpi {

enum class KpiType {
    Sales, Volume, Pc, Lppc, Aso, Ub, Coverage, NewOutlets, FocusSales, FocusOutlets, Visits, StrikeRate, DropSize
};

std::optional<KpiType> parseKpiType(std::string_view name);
std::string_view kpiTypeName(KpiType type);
// The type's (Vietnamese, English) name, for a bare type used as a KPI code.
std::pair<std::string_view, std::string_view> kpiTypeTitles(KpiType type);

// Whether a DAY-target sum stands in for a missing target, and whether a
// run-rate projection applies (SPEC §6: the same six types).
bool isAdditive(KpiType type);

// Line filters and options of a KPI definition's `params`.
struct KpiParams {
    std::vector<std::string> skus;  // sorted; empty = any
    std::string category;           // empty = any
    std::string brand;              // empty = any
    bool requireOrder = true;

    bool hasLineFilter() const { return !skus.empty() || !category.empty() || !brand.empty(); }
    // A canonical text of the line filter, equal for equal filters.
    std::string filterKey() const;
};

// Parses `key=value;key=value`. Returns the error message in `error` when invalid.
std::optional<KpiParams> parseKpiParams(std::string_view text, std::string& error);

inline constexpr double kDefaultCap = 1.5;

}  // namespace kpi
