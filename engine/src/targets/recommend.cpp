// recommendTargets and allocateTeamTarget of kpi/recommend.hpp.
#include "kpi/recommend.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

#include "kpi/error.hpp"
#include "recommender.hpp"

namespace kpi {

using namespace targets;

Period historyWindow(const Period& period, Day asOf) {
    if (asOf == 0) asOf = today();
    if (!isRecommendable(period.type)) return period;
    const int oldest = settingsFor(period.type).oldestOffset(horizonOf(period, asOf));
    Day last = std::min(period.first, asOf) - 1;
    Day first = shifted(period, oldest).first;
    return Period{PeriodType::Cycle, first, std::max(first, last)};
}

std::vector<Recommendation> recommendTargets(Engine& engine, const RecommendQuery& query) {
    Recommender recommender(engine, query.period, query.asOf ? query.asOf : today(), query.reach);
    std::vector<const KpiEntry*> chosen;
    for (const std::string& code : query.kpiCodes) chosen.push_back(&recommender.kpi(code));
    std::vector<std::string> scope;
    if (query.employeeCode.empty()) {
        for (const EmployeeInfo& e : recommender.employees()) scope.push_back(e.code);
    } else {
        if (query.employeeCode == "*") throw Error(Error::Kind::InvalidArgument, "targets are per employee, not for '*'");
        scope = engine.subtree(query.employeeCode);  // throws for an unknown employee
    }
    std::vector<Recommendation> rows;
    for (const std::string& code : scope) {
        const EmployeeInfo& e = *recommender.employee(code);
        std::vector<const KpiEntry*> kpis;
        if (chosen.empty()) {
            for (const std::string& k : recommender.kpisWithTargets(e)) kpis.push_back(&recommender.kpi(k));
        } else {
            for (const KpiEntry* k : chosen)
                if (k->appliesToRole(e.role)) kpis.push_back(k);
        }
        for (const KpiEntry* k : kpis)
            if (auto a = recommender.assess(e, *k)) rows.push_back(std::move(a->recommendation));
    }
    std::sort(rows.begin(), rows.end(), [](const Recommendation& a, const Recommendation& b) {
        return a.employeeCode != b.employeeCode ? a.employeeCode < b.employeeCode : a.kpiCode < b.kpiCode;
    });
    return rows;
}

namespace {

// A decimal of targets.csv as a whole number of ten-thousandths (SPEC §4: up
// to 4 decimals), so that parts add up exactly.
std::optional<std::int64_t> parseTenThousandths(const std::string& text) {
    std::int64_t whole = 0, fraction = 0;
    int fractionDigits = 0;
    bool dot = false, digits = false;
    for (char c : text) {
        if (c == '.' && !dot) {
            dot = true;
        } else if (c >= '0' && c <= '9') {
            digits = true;
            if (dot) {
                if (++fractionDigits > 4) return std::nullopt;
                fraction = fraction * 10 + (c - '0');
            } else {
                if (whole > 100'000'000'000'000LL) return std::nullopt;
                whole = whole * 10 + (c - '0');
            }
        } else {
            return std::nullopt;
        }
    }
    if (!digits) return std::nullopt;
    while (fractionDigits++ < 4) fraction *= 10;
    return whole * 10'000 + fraction;
}

std::string formatTenThousandths(std::int64_t value) {
    std::string text = std::to_string(value / 10'000);
    std::int64_t fraction = value % 10'000;
    if (fraction == 0) return text;
    std::string digits = std::to_string(fraction);
    digits.insert(digits.begin(), 4 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    return text + "." + digits;
}

bool splittable(KpiType type) {
    return isAdditive(type) || type == KpiType::Aso || type == KpiType::FocusOutlets;
}

}  // namespace

std::vector<Recommendation> allocateTeamTarget(Engine& engine, const AllocationQuery& query) {
    const Day asOf = query.asOf ? query.asOf : today();
    Recommender recommender(engine, query.period, asOf, query.reach);
    const EmployeeInfo* manager = recommender.employee(query.managerCode);
    if (!manager) throw Error(Error::Kind::InvalidArgument, "unknown employee '" + query.managerCode + "' as --team");
    const KpiEntry& kpi = recommender.kpi(query.kpiCode);
    if (!splittable(kpi.type))
        throw Error(Error::Kind::InvalidArgument,
                    "a team target of " + kpi.code + " (" + std::string(kpiTypeName(kpi.type)) +
                        ") cannot be split into parts that add up: only SALES, VOLUME, PC, VISITS, FOCUS_SALES, "
                        "NEW_OUTLETS, ASO and FOCUS_OUTLETS can");
    auto total = parseTenThousandths(query.total);
    if (!total || *total <= 0)
        throw Error(Error::Kind::InvalidArgument,
                    "the team total '" + query.total + "' must be a positive number with at most 4 decimals");

    std::vector<Assessment> team;
    for (const EmployeeInfo& e : recommender.employees()) {
        if (e.managerCode != manager->code) continue;
        auto a = recommender.assess(e, kpi);
        if (!a) continue;  // not employed in the period
        if (!a->recommendation.effectiveTarget)
            throw Error(Error::Kind::InvalidArgument, "no basis to split " + kpi.code + " for " + e.code + ": " +
                                                          a->recommendation.basis.problem);
        team.push_back(std::move(*a));
    }
    if (team.empty())
        throw Error(Error::Kind::InvalidArgument,
                    "no one under " + manager->code + " is employed in " + formatPeriod(query.period));

    // The unit: the largest power of ten that divides the total, at most a
    // thousandth of it (at least 1 for a whole total).
    std::int64_t unit = 1;
    const std::int64_t cap = std::max<std::int64_t>(*total / 1000, *total % 10'000 == 0 ? 10'000 : 1);
    while (unit * 10 <= cap && *total % (unit * 10) == 0) unit *= 10;
    const std::int64_t units = *total / unit;
    const double unitValue = static_cast<double>(unit) / 10'000;

    const size_t n = team.size();
    std::vector<std::int64_t> floorUnits(n);
    std::int64_t floorSum = 0;
    double p10Sum = 0;
    for (size_t i = 0; i < n; ++i) {
        floorUnits[i] = static_cast<std::int64_t>(std::ceil(team[i].recommendation.p10 / unitValue - 1e-9));
        floorSum += floorUnits[i];
        p10Sum += team[i].recommendation.p10;
    }
    if (floorSum > units)
        throw Error(Error::Kind::InvalidArgument,
                    "the team total " + formatTenThousandths(*total) + " is below what the " + std::to_string(n) +
                        " people under " + manager->code + " reach 9 times in 10 (the sum of their P10: " +
                        formatTenThousandths(static_cast<std::int64_t>(std::ceil(p10Sum * 10'000))) +
                        "); no split keeps every part at or above its P10");

    // Shares of the expected actuals; a part below its floor is raised to it
    // and the rest shared again among the others, until none is below.
    std::vector<double> weight(n);
    double weightSum = 0;
    for (size_t i = 0; i < n; ++i) weightSum += weight[i] = std::max(0.0, team[i].recommendation.p50);
    if (weightSum <= 0) std::fill(weight.begin(), weight.end(), 1.0);
    std::vector<bool> fixed(n, false);
    std::vector<double> exact(n, 0);
    while (true) {
        double freeWeight = 0;
        std::int64_t left = units;
        for (size_t i = 0; i < n; ++i) {
            if (fixed[i]) left -= floorUnits[i];
            else freeWeight += weight[i];
        }
        bool raised = false;
        for (size_t i = 0; i < n; ++i) {
            if (fixed[i]) continue;
            exact[i] = freeWeight > 0 ? static_cast<double>(left) * weight[i] / freeWeight : 0;
            if (exact[i] < static_cast<double>(floorUnits[i])) {
                fixed[i] = true;
                raised = true;
            }
        }
        if (!raised) break;
    }
    // Largest remainder: whole units first, the units left to the largest fractions.
    std::vector<std::int64_t> parts(n);
    std::int64_t assigned = 0;
    for (size_t i = 0; i < n; ++i) {
        parts[i] = fixed[i] ? floorUnits[i] : std::max(floorUnits[i], static_cast<std::int64_t>(std::floor(exact[i])));
        assigned += parts[i];
    }
    std::vector<size_t> order;
    for (size_t i = 0; i < n; ++i)
        if (!fixed[i]) order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        double fa = exact[a] - std::floor(exact[a]), fb = exact[b] - std::floor(exact[b]);
        if (fa != fb) return fa > fb;
        return team[a].recommendation.employeeCode < team[b].recommendation.employeeCode;
    });
    for (size_t k = 0; assigned < units && !order.empty(); k = (k + 1) % order.size()) {
        ++parts[order[k]];
        ++assigned;
    }

    std::vector<Recommendation> rows;
    for (size_t i = 0; i < n; ++i) {
        Recommendation r = team[i].recommendation;
        const double part = static_cast<double>(parts[i]) * unitValue;
        const int wClipped = engine.workingDays(r.clipped.first, r.clipped.last);
        const int wFull = engine.workingDays(r.period.first, r.period.last);
        r.effectiveTarget = part;
        r.target = part * wFull / wClipped;
        r.probability = team[i].chanceOf(part);
        r.share = static_cast<double>(parts[i]) / static_cast<double>(units);
        rows.push_back(std::move(r));
    }
    std::sort(rows.begin(), rows.end(),
              [](const Recommendation& a, const Recommendation& b) { return a.employeeCode < b.employeeCode; });
    return rows;
}

}  // namespace kpi
