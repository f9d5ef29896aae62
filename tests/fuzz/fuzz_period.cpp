// The period grammar of SPEC §5 (2026-11-27, 2026-W48, 2026-11, 2026-Q4,
// 2026, A..B) and the date formats of SPEC §3 on any text: a period that
// parses is non-empty and reads back from its canonical text; so does a date.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "kpi/date.hpp"
#include "kpi/period.hpp"

using kpifuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (const auto period = kpi::parsePeriod(text)) {
        require(period->first <= period->last, "a period is not empty");
        const std::string canonical = kpi::formatPeriod(*period);
        const auto again = kpi::parsePeriod(canonical);
        require(again && *again == *period, "a period reads back from its canonical text");
    }
    if (const auto day = kpi::parseDay(text)) {
        const auto again = kpi::parseDay(kpi::formatDay(*day));
        require(again && *again == *day, "a date reads back from its text");
        require(kpi::formatDay(*day) == text, "a date has one spelling");
    }
    if (const auto day = kpi::parseDayOfTimestamp(text))
        require(kpi::parseDay(text.substr(0, 10)) == day, "a time's day is its first ten characters");
    if (const auto type = kpi::parsePeriodType(text)) require(kpi::periodTypeName(*type) == text, "type names read back");
    return 0;
}
