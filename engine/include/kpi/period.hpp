// Periods of SPEC §5: DAY, WEEK (ISO), MONTH, QUARTER, YEAR and CYCLE.
//
// Thread-safe: values and pure functions only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kpi/date.hpp"

namespace kpi {

enum class PeriodType { Day, Week, Month, Quarter, Year, Cycle };

// "DAY", "WEEK", … as used in CSV files and reports.
std::string_view periodTypeName(PeriodType type);
std::optional<PeriodType> parsePeriodType(std::string_view name);

// An inclusive range of days [first, last] of one type.
struct Period {
    PeriodType type = PeriodType::Day;
    Day first = 0;
    Day last = 0;

    bool contains(Day day) const { return first <= day && day <= last; }
    bool operator==(const Period&) const = default;
};

// Parses the period grammar: 2026-11-27, 2026-W48, 2026-11, 2026-Q4, 2026,
// 2026-11-01..2026-11-20. nullopt when the text is not one of them (including a
// week 53 in a year that has none, or a cycle that ends before it starts).
std::optional<Period> parsePeriod(std::string_view text);

// The period of the given type that contains day (not for Cycle).
Period periodContaining(PeriodType type, Day day);

// The canonical text of a period, as parsePeriod reads it.
std::string formatPeriod(const Period& period);

}  // namespace kpi
