#include "calendar.hpp"

#include <algorithm>

namespace kpi {

WorkCalendar::WorkCalendar(std::vector<Day> holidays) {
    for (Day d : holidays)
        if (weekdayIndex(d) != 6) holidays_.push_back(d);
    std::sort(holidays_.begin(), holidays_.end());
    holidays_.erase(std::unique(holidays_.begin(), holidays_.end()), holidays_.end());
}

bool WorkCalendar::isWorkingDay(Day day) const {
    return weekdayIndex(day) != 6 && !std::binary_search(holidays_.begin(), holidays_.end(), day);
}

int WorkCalendar::workingDays(Day first, Day last) const {
    if (last < first) return 0;
    int span = last - first + 1;
    int count = span / 7 * 6;
    for (Day d = first + span / 7 * 7; d <= last; ++d)
        if (weekdayIndex(d) != 6) ++count;
    auto lo = std::lower_bound(holidays_.begin(), holidays_.end(), first);
    auto hi = std::upper_bound(holidays_.begin(), holidays_.end(), last);
    return count - static_cast<int>(hi - lo);
}

}  // namespace kpi
