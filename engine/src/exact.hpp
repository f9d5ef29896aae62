// Exact arithmetic of SPEC §4: amounts, quantities and targets are decimals
// with at most 4 decimals, kept as whole numbers of 1/10,000 ("units") and
// summed as integers; figures are fractions of integers until the public edge
// (Figures, ReportRow, DetailRow) turns them into doubles, once.
//
// Why it is exact: the store holds such a decimal d as the double x nearest to
// it (SQLite REAL). x splits exactly into its whole part and its fraction
// (both doubles), and the fraction × 10,000 lies within 10,000 × ulp(x) of a
// whole number; rounding it gives d × 10,000 exactly while that error stays
// below ½, i.e. for |x| below 2^36 ≈ 6.9 × 10^10 even when the writer's own
// arithmetic left a few ulps of noise (0.1 + 0.2 reads as 0.3). Whole numbers
// are exact up to kMaxValue (10^14). Sums stay exact while they fit in 64 bits
// (±922,337,203,685,477 in units of 1); beyond, the engine stops with an Error
// rather than wrap. docs/design.md ("Exact arithmetic") says the same for users.
#pragma once

#include <cmath>
#include <cstdint>

namespace kpi::exact {

// Units per 1: four decimals.
inline constexpr std::int64_t kScale = 10'000;
// The largest amount, quantity, target or weight the store accepts (SPEC §4
// leaves it open; docs/store.md): 10^14, whose units still fit in 64 bits
// with room for sums.
inline constexpr double kMaxValue = 1e14;

// Throws Error Corruption: a sum left the exact range.
[[noreturn]] void overflow();
// Throws Error Corruption: the store holds a number beyond the exact range.
[[noreturn]] void beyondRange(double value);

// total += delta; throws Error Corruption instead of overflowing.
inline void add(std::int64_t& total, std::int64_t delta) {
    if (__builtin_add_overflow(total, delta, &total)) overflow();
}

// A value read from the store in units of 1/10,000, rounded to the nearest
// unit (half away from zero). Throws Error Corruption for a value beyond
// ±(2^63 − 1) units, which no store that follows its rules holds. Inline: the
// loader asks twice for every order line.
inline std::int64_t units(double value) {
    // 2^63 / 10^4, as a double just below the limit.
    constexpr double kLimit = 922'337'203'685'477.0;
    if (!(std::fabs(value) <= kLimit)) beyondRange(value);  // also NaN
    const double whole = std::trunc(value);
    const double fraction = value - whole;  // exact: both have value's exponent or less
    const double scaled = fraction * static_cast<double>(kScale);
    std::int64_t result = static_cast<std::int64_t>(whole) * kScale;
    add(result, static_cast<std::int64_t>(scaled + (scaled < 0 ? -0.5 : 0.5)));
    return result;
}

// a − b; throws Error Corruption instead of overflowing.
inline std::int64_t minus(std::int64_t a, std::int64_t b) {
    std::int64_t d = 0;
    if (__builtin_sub_overflow(a, b, &d)) overflow();
    return d;
}

// An exact figure num / den, den > 0: an amount in units (den = kScale), a
// count (den = 1), a ratio of counts, or any of them scaled by working days.
struct Fraction {
    __int128 num = 0;
    __int128 den = 1;

    // A ratio whose denominator is 0 is 0 (SPEC §6).
    static Fraction ratio(__int128 num, __int128 den) { return den == 0 ? Fraction{0, 1} : Fraction{num, den}; }
    static Fraction ofUnits(__int128 units) { return {units, kScale}; }
    static Fraction ofCount(__int128 count) { return {count, 1}; }

    Fraction times(__int128 n, __int128 d) const { return {num * n, den * d}; }
    bool isZero() const { return num == 0; }
    // The nearest double when num and den fit in 53 bits (both convert exactly,
    // then one division rounds); equal fractions give equal doubles either way,
    // and a fraction equal to 1 gives exactly 1.0.
    double toDouble() const;
    // this ÷ other (other not zero).
    Fraction over(const Fraction& other) const {
        Fraction q{num * other.den, den * other.num};
        if (q.den < 0) q = {-q.num, -q.den};
        return q;
    }
};

}  // namespace kpi::exact
