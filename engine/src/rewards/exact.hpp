// Exact arithmetic for money (SPEC §9): payouts are computed with rationals
// from exact inputs and rounded once, to whole VND, half away from zero.
//
// Rationals come from Boost.Multiprecision (header-only, Debian's
// libboost-dev). Thread-safe: values and pure functions only.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace kpi::rewards {

using Integer = boost::multiprecision::cpp_int;
using Rational = boost::multiprecision::cpp_rational;

// A plain decimal as the interchange files write numbers: an optional sign,
// digits with at most one '.', no exponent, no thousands separator. Exact;
// nullopt when the text is not such a number.
std::optional<Rational> parseDecimal(std::string_view text);

// The decimal a REAL column holds: the shortest decimal text that reads back as
// `value`, taken exactly. A number imported from a decimal of at most 15
// significant digits comes back as exactly that decimal (5000000, 0.85, 1.2).
Rational storedDecimal(double value);

// A sum the KPI engine accumulated in doubles from decimals of at most 4
// decimals (SPEC §4), as the exact decimal it stands for: rounded to 4
// decimals. The one place to switch once the engine keeps exact integer sums.
Rational exactSum(double value);

// Rounds to a whole number, halves away from zero (SPEC §9).
Integer roundHalfAwayFromZero(const Rational& value);

// A whole amount of VND as a long long. Throws Error InvalidData when it does
// not fit (never for real payouts: |amount| < 9.2e18 VND).
long long toWholeVnd(const Rational& value);

// The nearest double (for Calc and for display).
double toDouble(const Rational& value);

// At most `decimals` decimals, rounded half away from zero, trailing zeros
// removed, '.' as decimal mark, never "-0" (SPEC §7's number format).
std::string formatDecimal(const Rational& value, int decimals = 6);

}  // namespace kpi::rewards
