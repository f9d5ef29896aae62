#include "exact.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "kpi/error.hpp"

namespace kpi::exact {

std::int64_t units(double value) {
    // 2^63 / 10^4, as a double just below the limit.
    constexpr double kLimit = 922'337'203'685'477.0;
    if (!(std::fabs(value) <= kLimit)) {  // also NaN
        char text[64];
        std::snprintf(text, sizeof text, "%.17g", value);
        throw Error(Error::Kind::Corruption, std::string("the store holds the number ") + text +
                                                 ", beyond the exact range of ±922337203685477 (run `kpi init` to "
                                                 "list the rows that break the store's rules)");
    }
    const double whole = std::trunc(value);
    const double fraction = value - whole;  // exact: both have value's exponent or less
    const double scaled = fraction * static_cast<double>(kScale);
    std::int64_t result = static_cast<std::int64_t>(whole) * kScale;
    add(result, static_cast<std::int64_t>(scaled + (scaled < 0 ? -0.5 : 0.5)));
    return result;
}

void overflow() {
    throw Error(Error::Kind::Corruption,
                "a sum of amounts or quantities exceeds ±922337203685477, the range the engine adds exactly");
}

double Fraction::toDouble() const {
    if (den == 0) return 0;
    return static_cast<double>(num) / static_cast<double>(den);
}

}  // namespace kpi::exact
