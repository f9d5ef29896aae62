#include "rewards/statement.hpp"

namespace kpi::rewards {

std::string detailFormula(const std::string& employeeCode, const std::string& kpiCode, const Period& period) {
    return "KPI.DETAIL(\"" + employeeCode + "\"; \"" + kpiCode + "\"; \"" + formatPeriod(period) + "\")";
}

Statement buildStatement(const Model& model, StatementInputs in) {
    Statement s;
    s.employeeCode = in.employee.code;
    s.employeeName = in.employee.name;
    s.role = in.employee.role;
    s.department = in.employee.department;
    s.period = in.period;
    s.closed = in.closed;
    s.live = in.live;
    const std::string report =
        "kpi report --period " + formatPeriod(in.period) + " --employee " + in.employee.code;
    for (PayoutRow& row : in.rows) {
        if (s.plans.empty() || s.plans.back().code != row.planCode) {
            StatementPlan plan;
            plan.code = row.planCode;
            plan.nameVi = plan.nameEn = row.planCode;
            if (const Plan* p = model.plans.find(row.planCode)) {
                plan.nameVi = p->nameVi;
                plan.nameEn = p->nameEn;
                plan.curveMode = std::string(curveModeName(p->curveMode));
            }
            s.plans.push_back(std::move(plan));
        }
        StatementPlan& plan = s.plans.back();
        StatementLine line;
        if (row.kind == PayoutKind::Component || row.kind == PayoutKind::Gate) {
            std::tie(line.kpiNameVi, line.kpiNameEn) = in.kpiNames(row.kpiCode);
            line.detailFormula = detailFormula(in.employee.code, row.kpiCode, in.period);
            if (in.hasReportRow(row.kpiCode)) line.reportCommand = report;
        }
        if (row.kind == PayoutKind::Total) {
            plan.total += row.amount.value_or(0);
            s.total += row.amount.value_or(0);
        }
        line.row = std::move(row);
        plan.lines.push_back(std::move(line));
    }
    return s;
}

}  // namespace kpi::rewards
