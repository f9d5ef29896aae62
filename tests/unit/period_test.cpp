// The period grammar of SPEC §5, its canonical text, and the working-day
// calendar of SPEC §4 (Monday to Saturday, except holidays).

#include "kpi/period.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <string>
#include <vector>

#include "calendar.hpp"
#include "kpi/date.hpp"
#include "today_variable.hpp"

namespace {

using kpi::Day;
using kpi::Period;
using kpi::PeriodType;

Day day(int y, unsigned m, unsigned d) { return kpi::makeDay(y, m, d); }

Period period(PeriodType type, Day first, Day last) { return Period{type, first, last}; }

// ---- parsePeriod: every form -------------------------------------------------

TEST(ParsePeriod, ReadsADateAsThatDay) {
    EXPECT_EQ(kpi::parsePeriod("2026-11-27"), period(PeriodType::Day, day(2026, 11, 27), day(2026, 11, 27)));
}

TEST(ParsePeriod, ReadsAnIsoWeekAsMondayToSunday) {
    // 2026-W48: ISO week 1 of 2026 starts Monday 2025-12-29 (the week of Sunday 2026-01-04);
    // + 47 weeks = Monday 2026-11-23 .. Sunday 2026-11-29.
    EXPECT_EQ(kpi::parsePeriod("2026-W48"), period(PeriodType::Week, day(2026, 11, 23), day(2026, 11, 29)));
    EXPECT_EQ(kpi::weekdayIndex(day(2026, 11, 23)), 0);
    EXPECT_EQ(kpi::weekdayIndex(day(2026, 11, 29)), 6);
}

TEST(ParsePeriod, StartsWeekOneInThePreviousYearWhenJanuaryFourthIsLateInTheWeek) {
    // 2026-01-04 is a Sunday, so week 1 runs 2025-12-29 .. 2026-01-04.
    EXPECT_EQ(kpi::parsePeriod("2026-W01"), period(PeriodType::Week, day(2025, 12, 29), day(2026, 1, 4)));
}

TEST(ParsePeriod, StartsWeekOneOf2027OnMondayJanuaryFourth) {
    // 2027-01-04 is a Monday; 2027-01-01..03 still belong to 2026-W53.
    EXPECT_EQ(kpi::parsePeriod("2027-W01"), period(PeriodType::Week, day(2027, 1, 4), day(2027, 1, 10)));
}

TEST(ParsePeriod, AcceptsWeek53In2026AcrossTheYearBoundary) {
    // 2026 starts on a Thursday, so it has 53 ISO weeks; W53 = 2026-12-28 .. 2027-01-03.
    EXPECT_EQ(kpi::parsePeriod("2026-W53"), period(PeriodType::Week, day(2026, 12, 28), day(2027, 1, 3)));
    // 2020 (a leap year starting on Wednesday) has one too.
    EXPECT_EQ(kpi::parsePeriod("2020-W53"), period(PeriodType::Week, day(2020, 12, 28), day(2021, 1, 3)));
}

TEST(ParsePeriod, RejectsWeek53InAYearWithOnly52Weeks) {
    // 2025-12-29 already starts 2026-W01.
    EXPECT_EQ(kpi::parsePeriod("2025-W53"), std::nullopt);
    EXPECT_EQ(kpi::parsePeriod("2027-W53"), std::nullopt);
    EXPECT_EQ(kpi::parsePeriod("2026-W54"), std::nullopt);
    EXPECT_EQ(kpi::parsePeriod("2026-W00"), std::nullopt);
}

TEST(ParsePeriod, ReadsAMonthAsTheCalendarMonth) {
    EXPECT_EQ(kpi::parsePeriod("2026-11"), period(PeriodType::Month, day(2026, 11, 1), day(2026, 11, 30)));
    EXPECT_EQ(kpi::parsePeriod("2026-12"), period(PeriodType::Month, day(2026, 12, 1), day(2026, 12, 31)));
    EXPECT_EQ(kpi::parsePeriod("2026-01"), period(PeriodType::Month, day(2026, 1, 1), day(2026, 1, 31)));
}

TEST(ParsePeriod, GivesFebruary29DaysInLeapYearsOnly) {
    EXPECT_EQ(kpi::parsePeriod("2028-02"), period(PeriodType::Month, day(2028, 2, 1), day(2028, 2, 29)));
    EXPECT_EQ(kpi::parsePeriod("2026-02"), period(PeriodType::Month, day(2026, 2, 1), day(2026, 2, 28)));
    EXPECT_EQ(kpi::parsePeriod("2000-02"), period(PeriodType::Month, day(2000, 2, 1), day(2000, 2, 29)));
    EXPECT_EQ(kpi::parsePeriod("2100-02"), period(PeriodType::Month, day(2100, 2, 1), day(2100, 2, 28)));
    EXPECT_EQ(kpi::parsePeriod("2028-02-29"), period(PeriodType::Day, day(2028, 2, 29), day(2028, 2, 29)));
    EXPECT_EQ(kpi::parsePeriod("2026-02-29"), std::nullopt);
}

TEST(ParsePeriod, ReadsAQuarterAsThreeCalendarMonths) {
    EXPECT_EQ(kpi::parsePeriod("2026-Q1"), period(PeriodType::Quarter, day(2026, 1, 1), day(2026, 3, 31)));
    EXPECT_EQ(kpi::parsePeriod("2026-Q2"), period(PeriodType::Quarter, day(2026, 4, 1), day(2026, 6, 30)));
    EXPECT_EQ(kpi::parsePeriod("2026-Q3"), period(PeriodType::Quarter, day(2026, 7, 1), day(2026, 9, 30)));
    EXPECT_EQ(kpi::parsePeriod("2026-Q4"), period(PeriodType::Quarter, day(2026, 10, 1), day(2026, 12, 31)));
}

TEST(ParsePeriod, ReadsAYearAsTheCalendarYear) {
    EXPECT_EQ(kpi::parsePeriod("2026"), period(PeriodType::Year, day(2026, 1, 1), day(2026, 12, 31)));
}

TEST(ParsePeriod, ReadsACycleAsItsDatesInclusive) {
    EXPECT_EQ(kpi::parsePeriod("2026-11-01..2026-11-20"),
              period(PeriodType::Cycle, day(2026, 11, 1), day(2026, 11, 20)));
    // A cycle may cross months and years, or be a single day.
    EXPECT_EQ(kpi::parsePeriod("2026-12-21..2027-01-20"),
              period(PeriodType::Cycle, day(2026, 12, 21), day(2027, 1, 20)));
    EXPECT_EQ(kpi::parsePeriod("2026-11-05..2026-11-05"),
              period(PeriodType::Cycle, day(2026, 11, 5), day(2026, 11, 5)));
}

TEST(ParsePeriod, RejectsMalformedText) {
    for (const char* text : {"2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-11-31", "2026-02-30",
                             "2026-11-20..2026-11-01", "", "abc", "2026-1", "26-11", "2026-11-", "2026-W5",
                             "2026-W100", "2026-w48", "2026-q4", "2026-11-01..", "..2026-11-01",
                             "2026-11-01...2026-11-02", "2026-11-01..2026-11-31", "2026/11", " 2026-11", "2026-11 ",
                             "0000", "20261", "2026-11-1", "2026-11-01 10:00:00"}) {
        EXPECT_EQ(kpi::parsePeriod(text), std::nullopt) << "'" << text << "' should be rejected";
    }
}

// ---- formatPeriod ------------------------------------------------------------

TEST(FormatPeriod, RoundTripsEveryForm) {
    for (const char* text : {"2026-11-27", "2026-W48", "2026-W01", "2026-W53", "2027-W01", "2020-W53", "2026-11",
                             "2028-02", "2026-Q1", "2026-Q4", "2026", "2026-11-01..2026-11-20",
                             "2026-12-21..2027-01-20"}) {
        auto parsed = kpi::parsePeriod(text);
        ASSERT_TRUE(parsed) << text;
        EXPECT_EQ(kpi::formatPeriod(*parsed), text);
        EXPECT_EQ(kpi::parsePeriod(kpi::formatPeriod(*parsed)), parsed) << text;
    }
}

TEST(FormatPeriod, NamesAWeekByTheIsoYearOfItsThursday) {
    // The week of 2027-01-01 starts in 2026 and its Thursday is 2026-12-31.
    EXPECT_EQ(kpi::formatPeriod(kpi::periodContaining(PeriodType::Week, day(2027, 1, 1))), "2026-W53");
    // The week of 2025-12-31 has its Thursday on 2026-01-01.
    EXPECT_EQ(kpi::formatPeriod(kpi::periodContaining(PeriodType::Week, day(2025, 12, 31))), "2026-W01");
}

TEST(FormatPeriod, RoundTripsEveryWeekOfSeveralYears) {
    for (int year = 2024; year <= 2029; ++year) {
        for (Day monday = kpi::periodContaining(PeriodType::Week, day(year, 1, 4)).first;
             monday < day(year + 1, 1, 4) - 7; monday += 7) {
            Period week{PeriodType::Week, monday, monday + 6};
            std::string text = kpi::formatPeriod(week);
            EXPECT_EQ(kpi::parsePeriod(text), week) << text;
        }
    }
}

// ---- periodContaining --------------------------------------------------------

TEST(PeriodContaining, FindsThePeriodOfEachTypeAroundADay) {
    Day sunday = day(2026, 11, 29);
    EXPECT_EQ(kpi::periodContaining(PeriodType::Day, sunday), period(PeriodType::Day, sunday, sunday));
    EXPECT_EQ(kpi::periodContaining(PeriodType::Week, sunday),
              period(PeriodType::Week, day(2026, 11, 23), day(2026, 11, 29)));
    EXPECT_EQ(kpi::periodContaining(PeriodType::Month, sunday),
              period(PeriodType::Month, day(2026, 11, 1), day(2026, 11, 30)));
    EXPECT_EQ(kpi::periodContaining(PeriodType::Quarter, sunday),
              period(PeriodType::Quarter, day(2026, 10, 1), day(2026, 12, 31)));
    EXPECT_EQ(kpi::periodContaining(PeriodType::Year, sunday),
              period(PeriodType::Year, day(2026, 1, 1), day(2026, 12, 31)));
    EXPECT_EQ(kpi::periodContaining(PeriodType::Week, day(2027, 1, 3)), *kpi::parsePeriod("2026-W53"));
}

TEST(PeriodType, NamesRoundTrip) {
    for (PeriodType type : {PeriodType::Day, PeriodType::Week, PeriodType::Month, PeriodType::Quarter,
                            PeriodType::Year, PeriodType::Cycle})
        EXPECT_EQ(kpi::parsePeriodType(kpi::periodTypeName(type)), type);
    EXPECT_EQ(kpi::periodTypeName(PeriodType::Quarter), "QUARTER");
    EXPECT_EQ(kpi::parsePeriodType("FORTNIGHT"), std::nullopt);
    EXPECT_EQ(kpi::parsePeriodType(""), std::nullopt);
}

// ---- dates -------------------------------------------------------------------

TEST(ParseDay, AcceptsOnlyRealDatesInIsoForm) {
    EXPECT_EQ(kpi::parseDay("1970-01-01"), 0);
    EXPECT_EQ(kpi::parseDay("2026-11-02"), day(2026, 11, 2));
    for (const char* text : {"2026-11-31", "2026-13-01", "2026-00-10", "2026-1-02", "2026/11/02", "02-11-2026",
                             "2026-11-02 ", "", "2026-11-0a"})
        EXPECT_EQ(kpi::parseDay(text), std::nullopt) << text;
}

TEST(ParseDayOfTimestamp, TakesTheDatePartOfAValidTime) {
    EXPECT_EQ(kpi::parseDayOfTimestamp("2026-11-02 23:59:59"), day(2026, 11, 2));
    EXPECT_EQ(kpi::parseDayOfTimestamp("2026-11-02 00:00:00"), day(2026, 11, 2));
    for (const char* text : {"2026-11-02 24:00:00", "2026-11-02 10:60:00", "2026-11-02 10:00:60", "2026-11-02 10:00",
                             "2026-11-02T10:00:00", "2026-11-02", "2026-11-31 10:00:00"})
        EXPECT_EQ(kpi::parseDayOfTimestamp(text), std::nullopt) << text;
}

TEST(Dates, FormatAndWeekdayAgreeWithTheCalendar) {
    EXPECT_EQ(kpi::formatDay(day(2026, 11, 2)), "2026-11-02");
    EXPECT_EQ(kpi::weekdayIndex(day(2026, 11, 2)), 0);   // Monday
    EXPECT_EQ(kpi::weekdayIndex(day(2026, 11, 8)), 6);   // Sunday
    EXPECT_EQ(kpi::weekdayIndex(day(1969, 12, 31)), 2);  // Wednesday, before the epoch
    EXPECT_EQ(kpi::yearOf(day(2027, 1, 3)), 2027);
    EXPECT_EQ(kpi::monthOf(day(2028, 2, 29)), 2u);
}

// ---- WorkCalendar ------------------------------------------------------------

// ---- today: the clock's date, or the one KPI_TODAY fixes ---------------------

TEST(Today, IsTheDateThatKpiTodayFixes) {
    kpitest::TodayVariable pinned("2028-02-29");
    EXPECT_EQ(kpi::today(), day(2028, 2, 29));
    EXPECT_EQ(kpi::todayProblem(), "");
}

TEST(Today, CountsAFixedDayAsWhollyPast) {
    kpitest::TodayVariable pinned("2027-01-01");
    EXPECT_EQ(kpi::secondsIntoToday(), 86400);
}

TEST(Today, FollowsTheClockWhenKpiTodayIsUnsetOrEmpty) {
    for (const char* value : {static_cast<const char*>(nullptr), ""}) {
        kpitest::TodayVariable clock(value);
        const Day before = kpi::today();
        const std::time_t now = std::time(nullptr);
        std::tm local{};
        localtime_r(&now, &local);
        const Day fromClock = day(local.tm_year + 1900, static_cast<unsigned>(local.tm_mon + 1),
                                  static_cast<unsigned>(local.tm_mday));
        // Read around the clock: equal to it unless midnight passed in between.
        EXPECT_TRUE(fromClock == before || fromClock == before + 1);
        EXPECT_GE(kpi::secondsIntoToday(), 0);
        EXPECT_LT(kpi::secondsIntoToday(), 86400);
        EXPECT_EQ(kpi::todayProblem(), "");
    }
}

TEST(Today, NamesAMalformedKpiTodayAndFallsBackToTheClock) {
    for (const char* value : {"2026-02-30", "next monday", "2026-11-20 08:00:00"}) {
        kpitest::TodayVariable bad(value);
        EXPECT_EQ(kpi::todayProblem(), std::string("KPI_TODAY is '") + value + "', not a date YYYY-MM-DD");
        EXPECT_GT(kpi::today(), day(2020, 1, 1));
        EXPECT_LT(kpi::secondsIntoToday(), 86400);
    }
}

TEST(WorkCalendar, CountsMondayToSaturday) {
    kpi::WorkCalendar calendar;
    // November 2026: 30 days, Sundays 1, 8, 15, 22, 29 → 25 working days.
    EXPECT_EQ(calendar.workingDays(day(2026, 11, 1), day(2026, 11, 30)), 25);
    // One ISO week always has 6.
    EXPECT_EQ(calendar.workingDays(day(2026, 11, 23), day(2026, 11, 29)), 6);
    // February 2028 (leap): 29 days, Sundays 6, 13, 20, 27 → 25.
    EXPECT_EQ(calendar.workingDays(day(2028, 2, 1), day(2028, 2, 29)), 25);
    // 2026: 52 weeks + Thursday 2026-12-31 → 52 × 6 + 1 = 313.
    EXPECT_EQ(calendar.workingDays(day(2026, 1, 1), day(2026, 12, 31)), 313);
}

TEST(WorkCalendar, NeverCountsSundays) {
    kpi::WorkCalendar calendar;
    EXPECT_FALSE(calendar.isWorkingDay(day(2026, 11, 8)));
    EXPECT_TRUE(calendar.isWorkingDay(day(2026, 11, 7)));  // Saturday
    EXPECT_EQ(calendar.workingDays(day(2026, 11, 8), day(2026, 11, 8)), 0);
}

TEST(WorkCalendar, SubtractsHolidays) {
    kpi::WorkCalendar calendar({day(2026, 11, 20), day(2026, 9, 2)});
    EXPECT_FALSE(calendar.isWorkingDay(day(2026, 11, 20)));
    // 25 − 1 (Friday 2026-11-20).
    EXPECT_EQ(calendar.workingDays(day(2026, 11, 1), day(2026, 11, 30)), 24);
    // A holiday outside the range does not count.
    EXPECT_EQ(calendar.workingDays(day(2026, 11, 21), day(2026, 11, 30)), 8);
    EXPECT_EQ(calendar.workingDays(day(2026, 11, 20), day(2026, 11, 20)), 0);
}

TEST(WorkCalendar, DoesNotSubtractAHolidayOnASundayTwice) {
    // Sunday 2026-11-22 is no working day anyway; listed twice, it still counts once.
    kpi::WorkCalendar calendar({day(2026, 11, 22), day(2026, 11, 20), day(2026, 11, 20)});
    EXPECT_EQ(calendar.workingDays(day(2026, 11, 1), day(2026, 11, 30)), 24);
    EXPECT_EQ(calendar.workingDays(day(2026, 11, 16), day(2026, 11, 22)), 5);
}

TEST(WorkCalendar, CountsNothingInAnEmptyRange) {
    kpi::WorkCalendar calendar;
    EXPECT_EQ(calendar.workingDays(day(2026, 11, 30), day(2026, 11, 1)), 0);
}

TEST(WorkCalendar, AgreesWithADayByDayCountOverManyRanges) {
    std::vector<Day> holidays = {day(2026, 1, 1),  day(2026, 2, 16), day(2026, 2, 17), day(2026, 2, 18),
                                 day(2026, 4, 30), day(2026, 5, 1),  day(2026, 9, 2),  day(2026, 11, 22)};
    kpi::WorkCalendar calendar(holidays);
    auto isHoliday = [&](Day d) { return std::find(holidays.begin(), holidays.end(), d) != holidays.end(); };
    Day start = day(2025, 12, 20);
    for (Day first = start; first < start + 60; first += 3) {
        for (Day last = first - 1; last < first + 400; last += 7) {
            int expected = 0;
            for (Day d = first; d <= last; ++d)
                if (kpi::weekdayIndex(d) != 6 && !isHoliday(d)) ++expected;
            ASSERT_EQ(calendar.workingDays(first, last), expected)
                << kpi::formatDay(first) << ".." << kpi::formatDay(last);
        }
    }
}

}  // namespace
