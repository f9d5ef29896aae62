#include "rewards/plan.hpp"

#include <algorithm>

namespace kpi::rewards {

std::optional<CurveMode> parseCurveMode(std::string_view text) {
    if (text == "linear") return CurveMode::Linear;
    if (text == "step") return CurveMode::Step;
    return std::nullopt;
}

std::string_view curveModeName(CurveMode mode) { return mode == CurveMode::Step ? "step" : "linear"; }

bool isPayPeriodType(PeriodType type) {
    return type == PeriodType::Month || type == PeriodType::Quarter || type == PeriodType::Year;
}

std::optional<Curve> Curve::parse(std::string_view text, std::string& error) {
    Curve curve;
    if (text.empty()) {
        error = "the curve is empty (expected points x:y|x:y|…)";
        return std::nullopt;
    }
    size_t index = 0;
    while (true) {
        size_t bar = text.find('|');
        std::string_view point = text.substr(0, bar);
        ++index;
        size_t colon = point.find(':');
        std::optional<Rational> x, y;
        if (colon != std::string_view::npos) {
            x = parseDecimal(point.substr(0, colon));
            y = parseDecimal(point.substr(colon + 1));
        }
        if (!x || !y) {
            error = "point " + std::to_string(index) + " '" + std::string(point) +
                    "' is not x:y with two decimal numbers (curve x:y|x:y|…)";
            return std::nullopt;
        }
        if (*y < 0) {
            error = "point " + std::to_string(index) + " '" + std::string(point) + "' has a negative factor";
            return std::nullopt;
        }
        if (!curve.points_.empty() && *x <= curve.points_.back().x) {
            error = "point " + std::to_string(index) + " '" + std::string(point) +
                    "' does not come after the point before it (attainments must strictly increase)";
            return std::nullopt;
        }
        curve.points_.push_back({std::move(*x), std::move(*y)});
        if (bar == std::string_view::npos) break;
        text.remove_prefix(bar + 1);
    }
    return curve;
}

Rational Curve::factor(const Rational& a, CurveMode mode) const {
    if (points_.empty() || a < points_.front().x) return 0;
    if (a >= points_.back().x) return points_.back().y;
    // The last point at or below a; a lies before the next one.
    auto next = std::upper_bound(points_.begin(), points_.end(), a,
                                 [](const Rational& value, const CurvePoint& p) { return value < p.x; });
    const CurvePoint& lo = *std::prev(next);
    if (mode == CurveMode::Step || a == lo.x) return lo.y;
    const CurvePoint& hi = *next;
    return lo.y + (a - lo.x) * (hi.y - lo.y) / (hi.x - lo.x);
}

const PlanComponent* Plan::component(std::string_view kpiCode) const {
    for (const auto& c : components)
        if (c.kpiCode == kpiCode) return &c;
    return nullptr;
}

const Plan* Plans::find(std::string_view code) const {
    auto it = byCode.find(code);
    return it == byCode.end() ? nullptr : &it->second;
}

}  // namespace kpi::rewards
