// Working days (SPEC §4): Monday to Saturday, except holidays.
#pragma once

#include <vector>

#include "kpi/date.hpp"

namespace kpi {

class WorkCalendar {
public:
    WorkCalendar() = default;
    explicit WorkCalendar(std::vector<Day> holidays);

    bool isWorkingDay(Day day) const;
    // Working days in [first, last]; 0 when last < first.
    int workingDays(Day first, Day last) const;

private:
    std::vector<Day> holidays_;  // sorted, Monday–Saturday ones only
};

}  // namespace kpi
