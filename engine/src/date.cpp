#include "kpi/date.hpp"

#include <chrono>
#include <cstdlib>
#include <ctime>

namespace kpi {
namespace {

namespace chr = std::chrono;

bool readDigits(std::string_view text, size_t pos, size_t count, int& out) {
    if (pos + count > text.size()) return false;
    int value = 0;
    for (size_t i = pos; i < pos + count; ++i) {
        char c = text[i];
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    out = value;
    return true;
}

}  // namespace

Day makeDay(int year, unsigned month, unsigned dayOfMonth) {
    chr::year_month_day ymd{chr::year{year}, chr::month{month}, chr::day{dayOfMonth}};
    return static_cast<Day>(chr::sys_days{ymd}.time_since_epoch().count());
}

std::optional<Day> parseDay(std::string_view text) {
    int y = 0, m = 0, d = 0;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    if (!readDigits(text, 0, 4, y) || !readDigits(text, 5, 2, m) || !readDigits(text, 8, 2, d)) return std::nullopt;
    chr::year_month_day ymd{chr::year{y}, chr::month{static_cast<unsigned>(m)}, chr::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return static_cast<Day>(chr::sys_days{ymd}.time_since_epoch().count());
}

std::optional<Day> parseDayOfTimestamp(std::string_view text) {
    int h = 0, mi = 0, s = 0;
    if (text.size() != 19 || text[10] != ' ' || text[13] != ':' || text[16] != ':') return std::nullopt;
    if (!readDigits(text, 11, 2, h) || !readDigits(text, 14, 2, mi) || !readDigits(text, 17, 2, s)) return std::nullopt;
    if (h > 23 || mi > 59 || s > 59) return std::nullopt;
    return parseDay(text.substr(0, 10));
}

std::string formatDay(Day day) {
    chr::year_month_day ymd{chr::sys_days{chr::days{day}}};
    char buf[16];
    int y = static_cast<int>(ymd.year());
    unsigned m = static_cast<unsigned>(ymd.month()), d = static_cast<unsigned>(ymd.day());
    buf[0] = static_cast<char>('0' + (y / 1000) % 10);
    buf[1] = static_cast<char>('0' + (y / 100) % 10);
    buf[2] = static_cast<char>('0' + (y / 10) % 10);
    buf[3] = static_cast<char>('0' + y % 10);
    buf[4] = '-';
    buf[5] = static_cast<char>('0' + m / 10);
    buf[6] = static_cast<char>('0' + m % 10);
    buf[7] = '-';
    buf[8] = static_cast<char>('0' + d / 10);
    buf[9] = static_cast<char>('0' + d % 10);
    return std::string(buf, 10);
}

int weekdayIndex(Day day) {
    // 1970-01-01 was a Thursday (index 3).
    int r = (day + 3) % 7;
    return r < 0 ? r + 7 : r;
}

int yearOf(Day day) {
    return static_cast<int>(chr::year_month_day{chr::sys_days{chr::days{day}}}.year());
}

unsigned monthOf(Day day) {
    return static_cast<unsigned>(chr::year_month_day{chr::sys_days{chr::days{day}}}.month());
}

namespace {

std::optional<Day> pinnedToday() {
    const char* text = std::getenv(kTodayVariable);
    if (!text || !*text) return std::nullopt;
    return parseDay(text);
}

}  // namespace

int secondsIntoToday() {
    if (pinnedToday()) return 86400;
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    return local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec;
}

std::string todayProblem() {
    const char* text = std::getenv(kTodayVariable);
    if (!text || !*text || parseDay(text)) return {};
    return std::string(kTodayVariable) + " is '" + text + "', not a date YYYY-MM-DD";
}

Day today() {
    if (auto pinned = pinnedToday()) return *pinned;
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    return makeDay(local.tm_year + 1900, static_cast<unsigned>(local.tm_mon + 1), static_cast<unsigned>(local.tm_mday));
}

}  // namespace kpi
