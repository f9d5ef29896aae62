// Rewards (SPEC §9–§10): what finance pays on the KPI figures — the payout rows
// of each employee, plan and pay period, one person's statement, the factor of
// a plan's curve — and closed pay periods, whose figures never move again.
//
// The computations are members of kpi::Engine (kpi/engine.hpp: payout(),
// payoutAmount(), factor(), statement(), closedPeriod(), plans()); closing and
// reopening are members of kpi::Store (kpi/store.hpp: closePeriod(),
// reopenPeriod(), closeHistory(), planHistory()). This header holds their
// types: plain values, safe to copy between threads.
//
// Money: amounts are whole VND (long long), computed exactly from exact inputs
// and rounded once, half away from zero. The other numbers are for display and
// for Calc: the nearest double of an exact value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kpi/period.hpp"

namespace kpi {

enum class PayoutKind { Component, Gate, Adjustment, Total };

// "component", "gate", "adjustment", "total" (the `kind` column of SPEC §7).
std::string_view payoutKindName(PayoutKind kind);

// One row of `kpi payout` (SPEC §9).
struct PayoutRow {
    std::string employeeCode;
    std::string planCode;
    // Component, gate and total rows: the pay period clipped to the employee's
    // employment and the assignment's window (a total row that carries only
    // adjustments, for an employee not on the plan in the period: the pay
    // period). Adjustment rows: the earlier closed period they correct.
    Period period{};
    PayoutKind kind = PayoutKind::Total;
    std::string kpiCode;                // component: its KPI; gate: the gate KPI; else empty
    std::optional<double> attainment;   // component, gate: KPI.ATTAINMENT(employee; kpi; pay period)
    std::optional<double> factor;       // component: f(attainment), even when the gate fails; gate: 1 passed, 0 failed
    std::optional<double> incentive;    // component: prorated incentive × weight ÷ Σ weights, unrounded
    std::optional<long long> amount;    // component, adjustment, total: whole VND

    // What a statement shows beside the row (not in the CSV of SPEC §7).
    std::optional<double> actual, target;  // component, gate: KPI.ACTUAL and KPI.TARGET over the pay period
    std::optional<double> weight;          // component
    std::optional<double> gateMinimum;     // gate: gate_min
    std::optional<double> blockIncentive;  // total: the assignment's incentive prorated to the row's period
    std::optional<double> fullIncentive;   // total: the assignment's incentive for a full pay period
    int workingDays = 0;                   // total: W(row's period)
    int fullWorkingDays = 0;               // total: W(pay period)
};

struct PayoutQuery {
    Period period{};           // a MONTH, QUARTER or YEAR: the pay period
    std::string employeeCode;  // only this employee's subtree; empty = everyone
    // For a closed period: recompute the component, gate and total rows from
    // today's data (the adjustment rows stay those frozen in the period).
    bool live = false;
};

// A closed pay period (SPEC §10).
struct ClosedPeriod {
    Period period{};
    std::string closedAt;  // "YYYY-MM-DD HH:MM:SS", local time
    std::string closedBy;
};

// What closing a period froze.
struct CloseSummary {
    ClosedPeriod closed;
    long long reportRows = 0;       // rows of `kpi report --period P`
    long long payoutRows = 0;       // rows of `kpi payout --period P`
    long long adjustments = 0;      // adjustment rows settled in P
    long long adjustmentAmount = 0; // their sum, VND
    long long total = 0;            // the sum of the total rows, VND
};

// A close or reopen in the audit history.
struct CloseEvent {
    std::string when;    // "YYYY-MM-DD HH:MM:SS", local time
    std::string who;
    std::string action;  // "close" or "reopen"
    Period period{};
    std::string reason;  // reopen: why; close: empty
};

// A change to a plan, a component or an assignment in the audit history.
struct PlanEdit {
    std::string when;     // "YYYY-MM-DD HH:MM:SS", local time
    std::string who;
    std::string action;   // "new", "edit" or "remove"
    std::string subject;  // "plan", "component" or "assignment"
    std::string planCode;
    std::string kpiCode;       // component
    std::string employeeCode;  // assignment
    std::string validFrom;     // assignment
    // "name_vi=…;name_en=…;period_type=…;gate_kpi=…;gate_min=…;curve_mode=…",
    // "weight=…;curve=…" or "valid_to=…;incentive=…"; empty when absent.
    std::string before, after;
};

// A plan as Calc shows it (function wizard, templates).
struct PlanInfo {
    std::string code, nameVi, nameEn;
    PeriodType periodType = PeriodType::Month;
    std::string gateKpi;          // empty: no gate
    std::optional<double> gateMinimum;
    std::string curveMode;        // "linear" or "step"
    struct Component {
        std::string kpiCode;
        double weight = 0;
        std::string curve;        // "x:y|x:y|…" as imported
    };
    std::vector<Component> components;  // sorted by KPI code
};

// One line of a statement: a payout row with what makes it traceable.
struct StatementLine {
    PayoutRow row;
    std::string kpiNameVi, kpiNameEn;  // component, gate
    // Component, gate: the calls behind the figures, e.g.
    // KPI.DETAIL("NV01"; "DS"; "2026-11") (the orders behind the actual) and
    // "kpi report --period 2026-11 --employee NV01" (the row with the actual,
    // target and attainment; empty when the KPI has no target row of the pay
    // period's type, e.g. a target summed from DAY targets).
    std::string detailFormula;
    std::string reportCommand;
};

struct StatementPlan {
    std::string code, nameVi, nameEn;
    std::string curveMode;             // "linear" or "step"
    std::vector<StatementLine> lines;  // the plan's payout rows, in `kpi payout` order
    long long total = 0;               // Σ of its total rows, VND
};

// One person's reward statement for a pay period (`kpi statement`).
struct Statement {
    std::string employeeCode, employeeName, role, department;
    Period period{};
    std::optional<ClosedPeriod> closed;  // the figures are those frozen then (unless live)
    bool live = false;
    std::vector<StatementPlan> plans;    // sorted by plan code
    long long total = 0;                 // Σ of every total row: KPI.PAYOUT(employee; period)
};

// The days whose orders and visits a payout, a statement or a close of
// `period` reads (for Engine(path, window)): a closed period's own days (its
// adjustments are frozen in it); for an open one, from the first closed
// period of its type before it, whose adjustments it recomputes. A CYCLE.
Period payoutWindow(const std::vector<ClosedPeriod>& closed, const Period& period);

}  // namespace kpi
