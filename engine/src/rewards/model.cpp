#include "rewards/model.hpp"

#include <algorithm>

#include "rewards/schema.hpp"
#include "store/database.hpp"

namespace kpi::rewards {
namespace {

Day dayOr(std::string_view text, Day fallback) {
    auto d = parseDay(text);
    return d ? *d : fallback;
}

std::optional<double> optionalReal(const sql::Statement& st, int column) {
    if (st.isNull(column)) return std::nullopt;
    return st.real(column);
}

void loadPlans(sql::Database& db, Plans& plans) {
    {
        auto st = db.prepare(
            "SELECT code, name_vi, name_en, period_type, coalesce(gate_kpi, ''), gate_min, curve_mode FROM plans");
        while (st.step()) {
            Plan plan;
            plan.code = st.text(0);
            plan.nameVi = st.text(1);
            plan.nameEn = st.text(2);
            plan.periodType = parsePeriodType(st.text(3)).value_or(PeriodType::Month);
            plan.gateKpi = st.text(4);
            if (!st.isNull(5)) plan.gateMin = storedDecimal(st.real(5));
            plan.curveMode = parseCurveMode(st.text(6)).value_or(CurveMode::Linear);
            plans.byCode.emplace(plan.code, std::move(plan));
        }
    }
    {
        auto st = db.prepare("SELECT plan_code, kpi_code, weight, curve FROM plan_components ORDER BY plan_code, kpi_code");
        while (st.step()) {
            auto it = plans.byCode.find(st.text(0));
            if (it == plans.byCode.end()) continue;  // only a direct write without foreign keys can do this
            std::string why;
            auto curve = Curve::parse(st.text(3), why);
            PlanComponent component{std::string(st.text(1)), storedDecimal(st.real(2)), curve.value_or(Curve()),
                                    std::string(st.text(3))};
            it->second.weightSum += component.weight;
            it->second.components.push_back(std::move(component));
        }
    }
    {
        auto st = db.prepare(
            "SELECT employee_code, plan_code, valid_from, valid_to, incentive FROM plan_assignments ORDER BY "
            "employee_code, plan_code, valid_from");
        while (st.step()) {
            Assignment a{std::string(st.text(0)), std::string(st.text(1)), dayOr(st.text(2), 0), dayOr(st.text(3), 0),
                         storedDecimal(st.real(4))};
            plans.byEmployee[a.employeeCode].push_back(std::move(a));
        }
    }
}

std::optional<PayoutKind> parseKind(std::string_view text) {
    for (PayoutKind kind : {PayoutKind::Component, PayoutKind::Gate, PayoutKind::Adjustment, PayoutKind::Total})
        if (payoutKindName(kind) == text) return kind;
    return std::nullopt;
}

void loadClosed(sql::Database& db, std::vector<ClosedState>& closed) {
    std::map<long long, size_t> bySeq;
    {
        auto st = db.prepare(
            "SELECT seq, period_type, period_start, period_end, closed_at, closed_by FROM closes ORDER BY period_type, "
            "period_start");
        while (st.step()) {
            ClosedState state;
            state.seq = st.int64(0);
            auto type = parsePeriodType(st.text(1));
            if (!type) continue;
            state.info.period = Period{*type, dayOr(st.text(2), 0), dayOr(st.text(3), 0)};
            state.info.closedAt = st.text(4);
            state.info.closedBy = st.text(5);
            bySeq[state.seq] = closed.size();
            closed.push_back(std::move(state));
        }
    }
    {
        auto st = db.prepare(
            "SELECT close_seq, employee_code, kpi_code, period_start, period_end, actual, target, attainment, projected, "
            "weight, cap FROM frozen_report_rows ORDER BY close_seq, employee_code, kpi_code, period_start");
        while (st.step()) {
            auto it = bySeq.find(st.int64(0));
            if (it == bySeq.end()) continue;
            ClosedState& state = closed[it->second];
            FrozenReportRow frozen;
            ReportRow& r = frozen.row;
            r.employeeCode = st.text(1);
            r.kpiCode = st.text(2);
            r.period = Period{state.info.period.type, dayOr(st.text(3), 0), dayOr(st.text(4), 0)};
            r.actual = st.real(5);
            r.target = optionalReal(st, 6);
            r.attainment = optionalReal(st, 7);
            r.projected = st.real(8);
            r.weight = st.real(9);
            frozen.cap = st.real(10);
            state.reportIndex.emplace(std::make_pair(r.employeeCode, r.kpiCode), state.report.size());
            state.report.push_back(std::move(frozen));
        }
    }
    {
        auto st = db.prepare(
            "SELECT close_seq, employee_code, plan_code, period_start, period_end, kind, coalesce(kpi_code, ''), "
            "attainment, factor, incentive, amount, actual, target, weight, gate_min, block_incentive, full_incentive, "
            "coalesce(working_days, 0), coalesce(full_working_days, 0) FROM frozen_payout_rows ORDER BY close_seq, "
            "row_no");
        while (st.step()) {
            auto it = bySeq.find(st.int64(0));
            auto kind = parseKind(st.text(5));
            if (it == bySeq.end() || !kind) continue;
            ClosedState& state = closed[it->second];
            PayoutRow r;
            r.employeeCode = st.text(1);
            r.planCode = st.text(2);
            // An adjustment's period is the earlier one it corrects, of the same type.
            r.period = Period{state.info.period.type, dayOr(st.text(3), 0), dayOr(st.text(4), 0)};
            r.kind = *kind;
            r.kpiCode = st.text(6);
            r.attainment = optionalReal(st, 7);
            r.factor = optionalReal(st, 8);
            r.incentive = optionalReal(st, 9);
            if (!st.isNull(10)) r.amount = st.int64(10);
            r.actual = optionalReal(st, 11);
            r.target = optionalReal(st, 12);
            r.weight = optionalReal(st, 13);
            r.gateMinimum = optionalReal(st, 14);
            r.blockIncentive = optionalReal(st, 15);
            r.fullIncentive = optionalReal(st, 16);
            r.workingDays = static_cast<int>(st.int64(17));
            r.fullWorkingDays = static_cast<int>(st.int64(18));
            state.payout.push_back(std::move(r));
        }
    }
}

}  // namespace

const FrozenReportRow* ClosedState::reportRow(const std::string& employee, const std::string& kpi) const {
    auto it = reportIndex.find(std::make_pair(employee, kpi));
    return it == reportIndex.end() ? nullptr : &report[it->second];
}

const ClosedState* Model::closedPeriod(const Period& period) const {
    for (const auto& c : closed)
        if (c.info.period == period) return &c;
    return nullptr;
}

std::vector<const ClosedState*> Model::closedOfType(PeriodType type) const {
    std::vector<const ClosedState*> out;
    for (const auto& c : closed)
        if (c.info.period.type == type) out.push_back(&c);
    return out;
}

const ClosedState* Model::lastClosed() const {
    const ClosedState* last = nullptr;
    for (const auto& c : closed)
        if (!last || c.seq > last->seq) last = &c;
    return last;
}

std::shared_ptr<const Model> loadModel(sql::Database& db) {
    auto model = std::make_shared<Model>();
    if (!schema::hasTables(db)) return model;
    loadPlans(db, model->plans);
    loadClosed(db, model->closed);
    return model;
}

}  // namespace kpi::rewards
