#include "exact.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "kpi/error.hpp"

namespace kpi::exact {

void beyondRange(double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.17g", value);
    throw Error(Error::Kind::Corruption, std::string("the store holds the number ") + text +
                                             ", beyond the exact range of ±922337203685477 (run `kpi init` to "
                                             "list the rows that break the store's rules)");
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
