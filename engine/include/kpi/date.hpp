// Calendar days as plain integers: the engine's unit of time.
//
// A Day counts days since 1970-01-01 (a std::chrono::sys_days count), so ranges
// are simple integer intervals. Thread-safe: only pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kpi {

using Day = std::int32_t;

// Parses exactly "YYYY-MM-DD" (a real calendar date); nullopt otherwise.
std::optional<Day> parseDay(std::string_view text);

// Parses exactly "YYYY-MM-DD HH:MM:SS"; returns the day part, nullopt otherwise.
std::optional<Day> parseDayOfTimestamp(std::string_view text);

// "YYYY-MM-DD".
std::string formatDay(Day day);

// 0 = Monday … 6 = Sunday.
int weekdayIndex(Day day);

Day makeDay(int year, unsigned month, unsigned dayOfMonth);
int yearOf(Day day);
unsigned monthOf(Day day);

// The local date of the machine's clock.
Day today();

}  // namespace kpi
