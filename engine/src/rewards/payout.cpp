#include "rewards/payout.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "kpi/error.hpp"

namespace kpi::rewards {
namespace {

using Key = std::pair<std::string, std::string>;  // (employee code, plan code)

// One assignment of an employee to a plan over the pay period, with working days.
struct Block {
    Period clipped{};
    std::vector<PayoutRow> rows;  // components (by KPI code), then the gate
    PayoutRow total;
};

class Calculator {
public:
    Calculator(const Model& model, FigureSource& figures, const InScope& inScope)
        : model_(model), figures_(figures), inScope_(inScope) {}

    // The component, gate and total rows of P from today's data, per employee and plan.
    std::map<Key, std::vector<Block>> liveBlocks(const Period& p) {
        if (!figures_.covers(p))
            throw Error(Error::Kind::InvalidArgument,
                        "the payout needs the orders and visits of " + formatPeriod(p) +
                            ", which this engine did not load (load payoutWindow() of the period)");
        std::map<Key, std::vector<Block>> blocks;
        std::vector<const std::string*> employees;
        for (const auto& [employee, assignments] : model_.plans.byEmployee)
            if (inScope_(employee)) employees.push_back(&employee);
        std::sort(employees.begin(), employees.end(), [](auto* a, auto* b) { return *a < *b; });
        const int fullDays = figures_.workingDays(p.first, p.last);
        for (const std::string* employee : employees) {
            auto employment = figures_.employment(*employee);
            if (!employment) continue;
            std::map<std::string, FigureSource::Figures> cache;  // by KPI: the same figures for every plan
            auto figuresOf = [&](const std::string& kpi) -> const FigureSource::Figures& {
                auto it = cache.find(kpi);
                if (it == cache.end()) it = cache.emplace(kpi, figures_.live(*employee, kpi, p)).first;
                return it->second;
            };
            for (const Assignment& a : model_.plans.byEmployee.at(*employee)) {
                const Plan* plan = model_.plans.find(a.planCode);
                if (!plan || plan->periodType != p.type || a.to < p.first || a.from > p.last) continue;
                Period clipped{p.type, std::max({p.first, employment->first, a.from}),
                               std::min({p.last, employment->second, a.to})};
                if (clipped.last < clipped.first) continue;
                const int days = figures_.workingDays(clipped.first, clipped.last);
                // SPEC §9: no incentive, so no rows, when W(clipped P) = 0.
                if (days == 0 || fullDays == 0) continue;
                blocks[{*employee, plan->code}].push_back(block(*employee, *plan, a, clipped, days, fullDays, figuresOf));
            }
        }
        for (auto& [key, list] : blocks)
            std::stable_sort(list.begin(), list.end(),
                             [](const Block& x, const Block& y) { return x.clipped.first < y.clipped.first; });
        return blocks;
    }

    // SPEC §10: for every closed Q of P's type before P, Q's component amounts
    // from today's data − those frozen in Q − the adjustments for Q settled in
    // closes between Q and P; the non-zero ones, per employee and plan.
    std::map<Key, std::vector<PayoutRow>> adjustments(const Period& p) {
        std::map<Key, std::vector<PayoutRow>> out;
        const auto closed = model_.closedOfType(p.type);
        for (const ClosedState* q : closed) {
            const Period& qp = q->info.period;
            if (qp.last >= p.first) continue;
            std::map<Key, long long> due;
            for (const auto& [key, blocks] : liveBlocks(qp))
                for (const Block& b : blocks)
                    for (const PayoutRow& r : b.rows)
                        if (r.kind == PayoutKind::Component) due[key] += *r.amount;
            for (const PayoutRow& r : q->payout)
                if (r.kind == PayoutKind::Component && inScope_(r.employeeCode))
                    due[{r.employeeCode, r.planCode}] -= r.amount.value_or(0);
            for (const ClosedState* settledIn : closed) {
                const Period& rp = settledIn->info.period;
                if (rp.first <= qp.last || rp.last >= p.first) continue;
                for (const PayoutRow& r : settledIn->payout)
                    if (r.kind == PayoutKind::Adjustment && r.period == qp && inScope_(r.employeeCode))
                        due[{r.employeeCode, r.planCode}] -= r.amount.value_or(0);
            }
            for (const auto& [key, amount] : due) {
                if (amount == 0) continue;
                PayoutRow row;
                row.employeeCode = key.first;
                row.planCode = key.second;
                row.period = qp;
                row.kind = PayoutKind::Adjustment;
                row.amount = amount;
                out[key].push_back(std::move(row));
            }
        }
        return out;
    }

private:
    const Model& model_;
    FigureSource& figures_;
    const InScope& inScope_;

    template <typename FiguresOf>
    Block block(const std::string& employee, const Plan& plan, const Assignment& a, const Period& clipped, int days,
                int fullDays, FiguresOf& figuresOf) {
        Block b;
        b.clipped = clipped;
        const Rational incentive = a.incentive * days / fullDays;
        bool passed = true;
        PayoutRow gate;
        if (plan.hasGate()) {
            const auto& f = figuresOf(plan.gateKpi);
            passed = f.attainment && *f.attainment >= plan.gateMin;
            gate = row(employee, plan, clipped, PayoutKind::Gate, plan.gateKpi, f);
            gate.factor = passed ? 1.0 : 0.0;
            gate.gateMinimum = toDouble(plan.gateMin);
        }
        long long sum = 0;
        for (const PlanComponent& c : plan.components) {
            const auto& f = figuresOf(c.kpiCode);
            const Rational factor = f.attainment ? c.curve.factor(*f.attainment, plan.curveMode) : Rational(0);
            const Rational componentIncentive = incentive * c.weight / plan.weightSum;
            PayoutRow r = row(employee, plan, clipped, PayoutKind::Component, c.kpiCode, f);
            r.factor = toDouble(factor);
            r.incentive = toDouble(componentIncentive);
            r.amount = passed ? toWholeVnd(componentIncentive * factor) : 0;
            r.weight = toDouble(c.weight);
            sum += *r.amount;
            b.rows.push_back(std::move(r));
        }
        if (plan.hasGate()) b.rows.push_back(std::move(gate));
        b.total = row(employee, plan, clipped, PayoutKind::Total, "", {});
        b.total.actual.reset();
        b.total.amount = sum;
        b.total.blockIncentive = toDouble(incentive);
        b.total.fullIncentive = toDouble(a.incentive);
        b.total.workingDays = days;
        b.total.fullWorkingDays = fullDays;
        return b;
    }

    static PayoutRow row(const std::string& employee, const Plan& plan, const Period& period, PayoutKind kind,
                         const std::string& kpi, const FigureSource::Figures& f) {
        PayoutRow r;
        r.employeeCode = employee;
        r.planCode = plan.code;
        r.period = period;
        r.kind = kind;
        r.kpiCode = kpi;
        if (f.attainment) r.attainment = toDouble(*f.attainment);
        r.actual = f.actual;
        r.target = f.target;
        return r;
    }
};

// The rows in order: per employee and plan, each block's components and gate,
// the adjustments (with the last block, which pays them), and its total; an
// employee and plan with adjustments but no block get the adjustments and a
// total over the pay period.
std::vector<PayoutRow> assemble(const Period& p, std::map<Key, std::vector<Block>> blocks,
                                std::map<Key, std::vector<PayoutRow>> adjustments) {
    std::set<Key> keys;
    for (const auto& [key, list] : blocks) keys.insert(key);
    for (const auto& [key, list] : adjustments) keys.insert(key);
    std::vector<PayoutRow> out;
    for (const Key& key : keys) {
        auto& list = blocks[key];
        auto& adjust = adjustments[key];
        std::stable_sort(adjust.begin(), adjust.end(),
                         [](const PayoutRow& x, const PayoutRow& y) { return x.period.first < y.period.first; });
        long long adjusted = 0;
        for (const PayoutRow& r : adjust) adjusted += *r.amount;
        if (list.empty()) {
            Block alone;
            alone.total.employeeCode = key.first;
            alone.total.planCode = key.second;
            alone.total.period = p;
            alone.total.kind = PayoutKind::Total;
            alone.total.amount = 0;
            list.push_back(std::move(alone));
        }
        for (size_t i = 0; i < list.size(); ++i) {
            Block& b = list[i];
            for (auto& r : b.rows) out.push_back(std::move(r));
            if (i + 1 == list.size()) {
                for (auto& r : adjust) out.push_back(std::move(r));
                *b.total.amount += adjusted;
            }
            out.push_back(std::move(b.total));
        }
    }
    return out;
}

}  // namespace

std::vector<PayoutRow> payoutRows(const Model& model, FigureSource& figures, const Period& period, const InScope& inScope,
                                  bool live) {
    if (!isPayPeriodType(period.type))
        throw Error(Error::Kind::InvalidArgument,
                    "a pay period is a MONTH, QUARTER or YEAR (e.g. 2026-11, 2026-Q4, 2026), not " +
                        std::string(periodTypeName(period.type)));
    Calculator calculator(model, figures, inScope);
    const ClosedState* closed = model.closedPeriod(period);
    if (closed && !live) {
        std::vector<PayoutRow> out;
        for (const PayoutRow& r : closed->payout)
            if (inScope(r.employeeCode)) out.push_back(r);
        return out;
    }
    std::map<Key, std::vector<PayoutRow>> adjustments;
    if (closed) {
        for (const PayoutRow& r : closed->payout)
            if (r.kind == PayoutKind::Adjustment && inScope(r.employeeCode))
                adjustments[{r.employeeCode, r.planCode}].push_back(r);
    } else {
        adjustments = calculator.adjustments(period);
    }
    return assemble(period, calculator.liveBlocks(period), std::move(adjustments));
}

}  // namespace kpi::rewards

namespace kpi {

std::string_view payoutKindName(PayoutKind kind) {
    switch (kind) {
    case PayoutKind::Component: return "component";
    case PayoutKind::Gate: return "gate";
    case PayoutKind::Adjustment: return "adjustment";
    case PayoutKind::Total: return "total";
    }
    return "";
}

Period payoutWindow(const std::vector<ClosedPeriod>& closed, const Period& period) {
    Period window{PeriodType::Cycle, period.first, period.last};
    for (const ClosedPeriod& c : closed)
        if (c.period == period) return window;  // its adjustments are frozen in it
    for (const ClosedPeriod& c : closed)
        if (c.period.type == period.type && c.period.last < period.first)
            window.first = std::min(window.first, c.period.first);
    return window;
}

}  // namespace kpi
