#include "rewards/exact.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include "kpi/error.hpp"

namespace kpi::rewards {
namespace {

Integer powerOfTen(int exponent) {
    Integer result = 1;
    for (int i = 0; i < exponent; ++i) result *= 10;
    return result;
}

}  // namespace

std::optional<Rational> parseDecimal(std::string_view text) {
    bool negative = false;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    Integer digits = 0;
    int decimals = 0;
    bool seenDot = false, seenDigit = false;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            digits = digits * 10 + (c - '0');
            seenDigit = true;
            if (seenDot) ++decimals;
        } else if (c == '.' && !seenDot) {
            seenDot = true;
        } else {
            return std::nullopt;
        }
    }
    if (!seenDigit) return std::nullopt;
    Rational value(digits, powerOfTen(decimals));
    return negative ? Rational(-value) : value;
}

Rational storedDecimal(double value) {
    if (!std::isfinite(value)) return 0;
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    if (ec != std::errc()) return 0;
    return parseDecimal(std::string_view(buffer, static_cast<size_t>(end - buffer))).value_or(0);
}

Rational exactSum(double value) {
    if (!std::isfinite(value)) return 0;
    return Rational(Integer(std::llround(value * 10000.0)), 10000);
}

Integer roundHalfAwayFromZero(const Rational& value) {
    const Integer& num = boost::multiprecision::numerator(value);
    const Integer& den = boost::multiprecision::denominator(value);  // > 0
    Integer magnitude = num < 0 ? Integer(-num) : num;
    Integer whole = (2 * magnitude + den) / (2 * den);  // floor(|x| + 1/2)
    return num < 0 ? Integer(-whole) : whole;
}

long long toWholeVnd(const Rational& value) {
    Integer whole = roundHalfAwayFromZero(value);
    if (whole > std::numeric_limits<long long>::max() || whole < std::numeric_limits<long long>::min())
        throw Error(Error::Kind::InvalidData, "an amount does not fit in 64 bits: " + whole.str());
    return whole.convert_to<long long>();
}

double toDouble(const Rational& value) { return value.convert_to<double>(); }

std::string formatDecimal(const Rational& value, int decimals) {
    Integer scale = powerOfTen(decimals);
    Integer scaled = roundHalfAwayFromZero(value * scale);
    bool negative = scaled < 0;
    if (negative) scaled = -scaled;
    if (scaled == 0) return "0";
    Integer whole = scaled / scale, fraction = scaled % scale;
    std::string text = whole.str();
    if (fraction != 0) {
        std::string digits = fraction.str();
        digits.insert(0, static_cast<size_t>(decimals) - digits.size(), '0');
        while (!digits.empty() && digits.back() == '0') digits.pop_back();
        text += "." + digits;
    }
    return negative ? "-" + text : text;
}

}  // namespace kpi::rewards
