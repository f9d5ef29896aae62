#include "kpi/period.hpp"

#include <array>
#include <cstdio>

namespace kpi {
namespace {

constexpr std::array<std::string_view, 6> kTypeNames = {"DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "CYCLE"};

std::optional<int> parseNumber(std::string_view text, size_t digits) {
    if (text.size() != digits) return std::nullopt;
    int value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

// Monday of ISO week 1: the week containing January 4th.
Day isoWeekOneMonday(int year) {
    Day jan4 = makeDay(year, 1, 4);
    return jan4 - weekdayIndex(jan4);
}

Day lastOfMonth(int year, unsigned month) {
    return month == 12 ? makeDay(year + 1, 1, 1) - 1 : makeDay(year, month + 1, 1) - 1;
}

}  // namespace

std::string_view periodTypeName(PeriodType type) { return kTypeNames[static_cast<size_t>(type)]; }

std::optional<PeriodType> parsePeriodType(std::string_view name) {
    for (size_t i = 0; i < kTypeNames.size(); ++i)
        if (kTypeNames[i] == name) return static_cast<PeriodType>(i);
    return std::nullopt;
}

std::optional<Period> parsePeriod(std::string_view text) {
    if (auto dots = text.find(".."); dots != std::string_view::npos) {
        auto first = parseDay(text.substr(0, dots));
        auto last = parseDay(text.substr(dots + 2));
        if (!first || !last || *last < *first) return std::nullopt;
        return Period{PeriodType::Cycle, *first, *last};
    }
    if (auto day = parseDay(text)) return Period{PeriodType::Day, *day, *day};
    if (text.size() < 4) return std::nullopt;
    auto year = parseNumber(text.substr(0, 4), 4);
    if (!year || *year < 1) return std::nullopt;
    if (text.size() == 4) return Period{PeriodType::Year, makeDay(*year, 1, 1), makeDay(*year, 12, 31)};
    if (text[4] != '-') return std::nullopt;
    std::string_view rest = text.substr(5);
    if (rest.size() == 3 && rest[0] == 'W') {
        auto week = parseNumber(rest.substr(1), 2);
        if (!week || *week < 1) return std::nullopt;
        Day monday = isoWeekOneMonday(*year) + (*week - 1) * 7;
        if (monday >= isoWeekOneMonday(*year + 1)) return std::nullopt;
        return Period{PeriodType::Week, monday, monday + 6};
    }
    if (rest.size() == 2 && rest[0] == 'Q') {
        auto q = parseNumber(rest.substr(1), 1);
        if (!q || *q < 1 || *q > 4) return std::nullopt;
        unsigned firstMonth = static_cast<unsigned>(*q - 1) * 3 + 1;
        return Period{PeriodType::Quarter, makeDay(*year, firstMonth, 1), lastOfMonth(*year, firstMonth + 2)};
    }
    if (rest.size() == 2) {
        auto month = parseNumber(rest, 2);
        if (!month || *month < 1 || *month > 12) return std::nullopt;
        return Period{PeriodType::Month, makeDay(*year, static_cast<unsigned>(*month), 1),
                      lastOfMonth(*year, static_cast<unsigned>(*month))};
    }
    return std::nullopt;
}

Period periodContaining(PeriodType type, Day day) {
    int year = yearOf(day);
    unsigned month = monthOf(day);
    switch (type) {
    case PeriodType::Day:
    case PeriodType::Cycle:
        return Period{type, day, day};
    case PeriodType::Week: {
        Day monday = day - weekdayIndex(day);
        return Period{type, monday, monday + 6};
    }
    case PeriodType::Month:
        return Period{type, makeDay(year, month, 1), lastOfMonth(year, month)};
    case PeriodType::Quarter: {
        unsigned firstMonth = (month - 1) / 3 * 3 + 1;
        return Period{type, makeDay(year, firstMonth, 1), lastOfMonth(year, firstMonth + 2)};
    }
    case PeriodType::Year:
        return Period{type, makeDay(year, 1, 1), makeDay(year, 12, 31)};
    }
    return Period{type, day, day};
}

std::string formatPeriod(const Period& p) {
    char buf[32];
    switch (p.type) {
    case PeriodType::Day:
        return formatDay(p.first);
    case PeriodType::Week: {
        Day thursday = p.first + 3;  // the ISO year is the year of the week's Thursday
        int year = yearOf(thursday);
        int week = (p.first - isoWeekOneMonday(year)) / 7 + 1;
        auto n = std::snprintf(buf, sizeof buf, "%04d-W%02d", year, week);
        return std::string(buf, static_cast<size_t>(n));
    }
    case PeriodType::Month:
        return formatDay(p.first).substr(0, 7);
    case PeriodType::Quarter: {
        auto n = std::snprintf(buf, sizeof buf, "%04d-Q%u", yearOf(p.first), (monthOf(p.first) - 1) / 3 + 1);
        return std::string(buf, static_cast<size_t>(n));
    }
    case PeriodType::Year:
        return formatDay(p.first).substr(0, 4);
    case PeriodType::Cycle:
        return formatDay(p.first) + ".." + formatDay(p.last);
    }
    return {};
}

}  // namespace kpi
