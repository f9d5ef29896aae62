// Reward plans of SPEC §9 as the engine holds them: plans with their gate and
// components, payout curves, and who is on which plan when.
//
// Thread-safe: values and pure functions only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kpi/date.hpp"
#include "kpi/period.hpp"
#include "rewards/exact.hpp"

namespace kpi::rewards {

enum class CurveMode { Linear, Step };

std::optional<CurveMode> parseCurveMode(std::string_view text);  // "linear", "step"
std::string_view curveModeName(CurveMode mode);

// The pay period types a plan may have: MONTH, QUARTER, YEAR.
bool isPayPeriodType(PeriodType type);

struct CurvePoint {
    Rational x, y;
};

// A payout curve `x:y|x:y|…`: attainment x strictly increasing, factor y ≥ 0.
class Curve {
public:
    // nullopt, with the reason in `error`, when the text is not such a curve.
    static std::optional<Curve> parse(std::string_view text, std::string& error);

    // f(a): 0 below the first x; the last y from the last x on; in between the
    // straight line through the two points around a (Linear) or the y of the
    // greatest x ≤ a (Step).
    Rational factor(const Rational& attainment, CurveMode mode) const;

    const std::vector<CurvePoint>& points() const { return points_; }

private:
    std::vector<CurvePoint> points_;
};

struct PlanComponent {
    std::string kpiCode;
    Rational weight;  // > 0
    Curve curve;
    std::string curveText;  // as imported
};

struct Plan {
    std::string code, nameVi, nameEn;
    PeriodType periodType = PeriodType::Month;
    std::string gateKpi;           // empty: no gate
    Rational gateMin;              // meaningful only with a gate
    CurveMode curveMode = CurveMode::Linear;
    std::vector<PlanComponent> components;  // sorted by kpiCode
    Rational weightSum;            // Σ weight of the components

    bool hasGate() const { return !gateKpi.empty(); }
    const PlanComponent* component(std::string_view kpiCode) const;
};

// One row of plan_assignments.
struct Assignment {
    std::string employeeCode, planCode;
    Day from = 0, to = 0;
    Rational incentive;  // VND for one full pay period at factor 1
};

struct Plans {
    std::map<std::string, Plan, std::less<>> byCode;
    // Per employee code, their assignments sorted by (plan, from).
    std::unordered_map<std::string, std::vector<Assignment>> byEmployee;

    const Plan* find(std::string_view code) const;
};

}  // namespace kpi::rewards
