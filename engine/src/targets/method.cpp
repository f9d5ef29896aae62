#include "method.hpp"

#include <algorithm>
#include <cmath>

namespace kpi::targets {

Scale scaleOf(KpiType type) {
    // The additive types (SPEC §6: summed over days) scale with the working days.
    if (isAdditive(type)) return Scale::PerWorkingDay;
    switch (type) {
    case KpiType::Aso:
    case KpiType::FocusOutlets:
        return Scale::PerOutlet;
    case KpiType::Ub:
        return Scale::Universe;
    default:
        return Scale::Level;
    }
}

bool isRecommendable(PeriodType type) {
    return type == PeriodType::Week || type == PeriodType::Month || type == PeriodType::Quarter ||
           type == PeriodType::Year;
}

MethodSettings settingsFor(PeriodType type) {
    switch (type) {
    case PeriodType::Week: return {4, 52, 13, 8};
    case PeriodType::Quarter: return {2, 4, 1, 4};
    case PeriodType::Year: return {1, 0, 0, 2};
    default: return {3, 12, 3, 6};
    }
}

long periodNumber(PeriodType type, Day day) {
    switch (type) {
    case PeriodType::Week: return static_cast<long>(std::floor((day - weekdayIndex(day)) / 7.0));
    case PeriodType::Month: return yearOf(day) * 12L + static_cast<long>(monthOf(day)) - 1;
    case PeriodType::Quarter: return yearOf(day) * 4L + static_cast<long>(monthOf(day) - 1) / 3;
    case PeriodType::Year: return yearOf(day);
    default: return day;
    }
}

Period shifted(const Period& p, int back) {
    switch (p.type) {
    case PeriodType::Week: return periodContaining(p.type, p.first - 7 * back);
    case PeriodType::Month:
    case PeriodType::Quarter: {
        long months = yearOf(p.first) * 12L + static_cast<long>(monthOf(p.first)) - 1 -
                      static_cast<long>(back) * (p.type == PeriodType::Month ? 1 : 3);
        long year = months >= 0 ? months / 12 : -((-months + 11) / 12);
        auto month = static_cast<unsigned>(months - year * 12 + 1);
        return periodContaining(p.type, makeDay(static_cast<int>(year), month, 1));
    }
    case PeriodType::Year: return periodContaining(p.type, makeDay(yearOf(p.first) - back, 1, 1));
    default: return p;
    }
}

Level levelAt(const Series& own, int target, int horizon, const MethodSettings& settings, const RampCurve& ramp) {
    Level level;
    double sum = 0;
    for (int o = target + horizon; o < target + horizon + settings.levelSearch(); ++o) {
        if (static_cast<int>(level.offsets.size()) == settings.levelPeriods) break;
        const Observation* obs = own.find(o);
        if (!obs || !obs->usable) continue;
        sum += obs->rate() / ramp.at(obs->tenure);
        level.offsets.push_back(o);
    }
    if (level.offsets.empty()) return level;
    level.found = true;
    level.rate = sum / static_cast<double>(level.offsets.size());
    return level;
}

std::optional<double> seasonAt(const Series& company, int target, const std::vector<int>& levelOffsets,
                               const MethodSettings& settings) {
    if (settings.seasonalLag == 0 || levelOffsets.empty()) return std::nullopt;
    const Observation* same = company.find(target + settings.seasonalLag);
    if (!same || !same->usable) return std::nullopt;
    double sum = 0;
    for (int o : levelOffsets) {
        const Observation* before = company.find(o + settings.seasonalLag);
        if (!before || !before->usable) return std::nullopt;
        sum += before->rate();
    }
    double base = sum / static_cast<double>(levelOffsets.size());
    if (base <= 0 || same->rate() <= 0) return std::nullopt;
    return same->rate() / base;
}

namespace {

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

RampCurve rampFrom(const std::vector<const Series*>& joiners, int horizon, const MethodSettings& settings) {
    RampCurve curve;
    const int r = settings.rampPeriods;
    if (r == 0) return curve;
    std::vector<std::vector<double>> ratios(static_cast<size_t>(r));
    for (const Series* s : joiners) {
        double settled = 0;
        int settledCount = 0;
        std::vector<std::optional<double>> early(static_cast<size_t>(r));
        for (int o = horizon; o <= s->oldestOffset(); ++o) {
            const Observation* obs = s->find(o);
            if (!obs || !obs->usable || obs->tenure < 1) continue;
            if (obs->tenure <= r) early[static_cast<size_t>(obs->tenure) - 1] = obs->rate();
            else if (obs->tenure <= r + 3) {
                settled += obs->rate();
                ++settledCount;
            }
        }
        if (settledCount == 0 || settled <= 0) continue;
        settled /= settledCount;
        for (int t = 0; t < r; ++t)
            if (early[static_cast<size_t>(t)]) ratios[static_cast<size_t>(t)].push_back(*early[static_cast<size_t>(t)] / settled);
    }
    curve.factors.resize(static_cast<size_t>(r));
    for (int t = 0; t < r; ++t) {
        const auto& values = ratios[static_cast<size_t>(t)];
        if (values.size() >= 2) curve.factors[static_cast<size_t>(t)] = std::clamp(median(values), 0.2, 1.5);
    }
    return curve;
}

Spread::Spread(std::vector<double> ratios) : sorted_(std::move(ratios)) { std::sort(sorted_.begin(), sorted_.end()); }

double Spread::quantile(double q) const {
    if (sorted_.empty()) return 1;
    if (sorted_.size() == 1) return sorted_.front();
    double position = std::clamp(q, 0.0, 1.0) * static_cast<double>(sorted_.size() - 1);
    auto below = static_cast<size_t>(std::floor(position));
    if (below + 1 >= sorted_.size()) return sorted_.back();
    double fraction = position - static_cast<double>(below);
    return sorted_[below] + fraction * (sorted_[below + 1] - sorted_[below]);
}

double Spread::exceedance(double x) const {
    if (sorted_.empty()) return 0.5;
    if (x <= sorted_.front()) return 1;
    if (x > sorted_.back()) return 0;
    if (sorted_.size() == 1) return 1;
    // The position of x among the samples, interpolated: the inverse of quantile().
    auto above = static_cast<size_t>(std::lower_bound(sorted_.begin(), sorted_.end(), x) - sorted_.begin());
    size_t below = above - 1;
    double gap = sorted_[above] - sorted_[below];
    double position = static_cast<double>(below) + (gap > 0 ? (x - sorted_[below]) / gap : 1.0);
    return 1 - position / static_cast<double>(sorted_.size() - 1);
}

double roundTarget(double value, KpiType type) {
    if (!(value > 0)) return 0;
    if (type == KpiType::Coverage || type == KpiType::StrikeRate) return std::round(value * 100) / 100;
    double step = std::pow(10.0, std::floor(std::log10(value)) - 2);
    bool whole = type != KpiType::Lppc;
    if (whole) step = std::max(step, 1.0);
    double rounded = std::round(value / step) * step;
    bool count = type == KpiType::Pc || type == KpiType::Aso || type == KpiType::Ub || type == KpiType::NewOutlets ||
                 type == KpiType::FocusOutlets || type == KpiType::Visits;
    if (count && rounded < 1) rounded = 1;
    // Decimal steps: undo the binary noise of the division (0.1 × 35 = 3.5000000000000004).
    if (step < 1) rounded = std::round(rounded * 1e6) / 1e6;
    return rounded;
}

}  // namespace kpi::targets
