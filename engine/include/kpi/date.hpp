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

// The environment variable that fixes "today" for the whole product (the
// engine, the `kpi` command and the Calc add-in): "YYYY-MM-DD".
inline constexpr const char* kTodayVariable = "KPI_TODAY";

// The product's today: the date in $KPI_TODAY when it holds one, else the local
// date of the machine's clock. Default periods ("this month"), run-rate as-of
// dates, `demo-data`'s and `simulate`'s default day and the refresh worker's
// day change all read it; recorded timestamps (audit history, order times of
// `simulate`) keep the real clock. A malformed $KPI_TODAY is ignored here (the
// clock's date is used); todayProblem() says why, for callers that report it.
Day today();

// Seconds of today already past: the clock's time of day, or 86,400 (the
// whole day) when $KPI_TODAY fixes the date, so that what a fixed today
// produces never depends on the hour it runs at.
int secondsIntoToday();

// A message naming $KPI_TODAY when it is set but not a valid "YYYY-MM-DD"
// date; empty when it is unset, empty, or valid.
std::string todayProblem();

}  // namespace kpi
