#include "rewards_commands.hpp"

#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "command_line.hpp"
#include "kpi/engine.hpp"
#include "kpi/store.hpp"

namespace kpi::cli {
namespace {

std::string closedJson(const std::optional<ClosedPeriod>& closed) {
    if (!closed) return "null";
    return "{\"closed_at\": " + jsonString(closed->closedAt) + ", \"closed_by\": " + jsonString(closed->closedBy) + "}";
}

std::string range(const Period& p) { return formatDay(p.first) + ".." + formatDay(p.last); }

// "2026-11 (2026-11-01..2026-11-30)"
std::string describe(const Period& p) { return formatPeriod(p) + " (" + range(p) + ")"; }

Cell amount(const std::optional<long long>& value) {
    return value ? Cell{std::to_string(*value), true, false} : Cell{"", true, true};
}

std::string amountText(long long value) { return std::to_string(value); }

// Who ran the command: --user, else the login name.
std::string userOf(const po::variables_map& vm) {
    return vm.count("user") ? vm["user"].as<std::string>() : currentUser();
}

Period payPeriodArg(const po::variables_map& vm, const char* option, const char* command) {
    if (!vm.count(option)) throw UsageError(std::string(command) + " needs " + option);
    return parsePeriodArg(vm[option].as<std::string>(), option);
}

std::map<std::string, EmployeeInfo> employeesByCode(const Engine& engine) {
    std::map<std::string, EmployeeInfo> out;
    for (auto& e : engine.employees()) out.emplace(e.code, e);
    return out;
}

// --by role|department: totals per group of the employees' current role or department.
Table summaryBy(const std::string& by, const std::vector<PayoutRow>& rows,
                const std::map<std::string, EmployeeInfo>& employees) {
    struct Sums {
        std::set<std::string> employees;
        long long components = 0, adjustments = 0, total = 0;
    };
    std::map<std::string, Sums> groups;
    for (const PayoutRow& r : rows) {
        auto it = employees.find(r.employeeCode);
        std::string group = it == employees.end() ? "" : by == "role" ? it->second.role : it->second.department;
        Sums& s = groups[group];
        long long value = r.amount.value_or(0);
        if (r.kind == PayoutKind::Component) s.components += value;
        if (r.kind == PayoutKind::Adjustment) s.adjustments += value;
        if (r.kind == PayoutKind::Total) {
            s.total += value;
            s.employees.insert(r.employeeCode);
        }
    }
    Table table({by, "employees", "components", "adjustments", "total"});
    for (const auto& [group, s] : groups)
        table.add({text(group), amount(static_cast<long long>(s.employees.size())), amount(s.components),
                   amount(s.adjustments), amount(s.total)});
    return table;
}

// The JSON fields that say which period rows are about, and whether it is closed.
std::vector<std::pair<std::string, std::string>> periodFields(const Period& period,
                                                              const std::optional<ClosedPeriod>& closed, bool live) {
    return {{"period", jsonString(formatPeriod(period))},
            {"period_type", jsonString(std::string(periodTypeName(period.type)))},
            {"period_start", jsonString(formatDay(period.first))},
            {"period_end", jsonString(formatDay(period.last))},
            {"closed", closedJson(closed)},
            {"live", live ? "true" : "false"}};
}

}  // namespace

void printPeriodRows(std::ostream& out, const Table& rows, Format format, const Period& period,
                     const std::optional<ClosedPeriod>& closed, bool live) {
    switch (format) {
    case Format::Csv:
        rows.print(out, format);
        break;
    case Format::Json:
        rows.printJsonObject(out, periodFields(period, closed, live));
        break;
    case Format::Table:
        if (closed)
            out << formatPeriod(period) << ": đã chốt / closed " << closed->closedAt << ", " << closed->closedBy
                << (live ? " — số liệu hôm nay / today's figures (--live)\n"
                         : " — số liệu đã chốt / frozen figures (--live: today's)\n");
        rows.print(out, format);
        break;
    }
}

Period windowFor(const std::filesystem::path& store, const Period& period) {
    auto s = Store::open(store, Store::Mode::ReadOnly);
    return payoutWindow(s->closedPeriods(), period);
}

int runPayout(const std::filesystem::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] payout --period P [--employee E] [--live] [--by role|department] [--format F]\n\n"
                "The reward lines of SPEC §9 for the plans whose pay period equals P (a MONTH, QUARTER or\n"
                "YEAR): per employee and plan, one component row per KPI (attainment, factor, incentive,\n"
                "amount in whole VND), a gate row, adjustment rows for earlier closed periods, a total row.\n"
                "A closed P shows its frozen rows (--live: recomputed from today's data); an open P shows\n"
                "the adjustments closing it now would settle. --by adds totals per role or department.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("period", po::value<std::string>(), "pay period (required)")(
        "employee", po::value<std::string>(), "only this employee's subtree")(
        "live", "a closed period: recompute from today's data")(
        "by", po::value<std::string>(), "add totals per role or department")(
        "format", po::value<std::string>()->default_value("csv"), "csv, table or json");
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    PayoutQuery q;
    q.period = payPeriodArg(vm, "period", "payout");
    if (vm.count("employee")) q.employeeCode = vm["employee"].as<std::string>();
    q.live = vm.count("live") > 0;
    std::string by = vm.count("by") ? vm["by"].as<std::string>() : "";
    if (!by.empty() && by != "role" && by != "department") throw UsageError("--by must be role or department, not '" + by + "'");
    auto format = parseFormat(vm["format"].as<std::string>());
    Engine engine(store, windowFor(store, q.period));
    auto rows = engine.payout(q);
    auto employees = employeesByCode(engine);
    bool withName = format != Format::Csv;
    std::vector<std::string> columns = {"employee_code", "plan_code", "period_start", "period_end", "kind",
                                        "kpi_code", "attainment", "factor", "incentive", "amount"};
    if (withName) columns.insert(columns.begin() + 1, "name");
    Table table(columns);
    for (const PayoutRow& r : rows) {
        std::vector<Cell> cells = {text(r.employeeCode), text(r.planCode), text(formatDay(r.period.first)),
                                   text(formatDay(r.period.last)), text(std::string(payoutKindName(r.kind))),
                                   text(r.kpiCode), number(r.attainment), number(r.factor), number(r.incentive),
                                   amount(r.amount)};
        if (withName) cells.insert(cells.begin() + 1, text(employees[r.employeeCode].name));
        table.add(std::move(cells));
    }
    auto closed = engine.closedPeriod(q.period);
    if (by.empty()) {
        printPeriodRows(std::cout, table, format, q.period, closed, q.live);
        return 0;
    }
    Table summary = summaryBy(by, rows, employees);
    switch (format) {
    case Format::Csv:
        table.print(std::cout, format);
        std::cout << '\n';
        summary.print(std::cout, format);
        break;
    case Format::Table:
        printPeriodRows(std::cout, table, format, q.period, closed, q.live);
        std::cout << '\n' << (by == "role" ? "Theo chức danh / By role" : "Theo phòng ban / By department") << '\n';
        summary.print(std::cout, format);
        break;
    case Format::Json: {
        std::ostringstream groups;
        summary.printJsonRows(groups);
        auto fields = periodFields(q.period, closed, q.live);
        fields.emplace_back("by_" + by, groups.str());
        table.printJsonObject(std::cout, fields);
        break;
    }
    }
    return 0;
}

int runClose(const std::filesystem::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] close P [--user NAME]\n\n"
                "Closes the pay period P (a MONTH, QUARTER or YEAR that has ended): freezes every row\n"
                "`kpi report --period P` and `kpi payout --period P` give now, and the adjustments of\n"
                "earlier closed periods that P settles. From then on P's figures never move; later\n"
                "changes to it are paid as adjustments with the next period closed.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("period", po::value<std::string>(), "the pay period")(
        "user", po::value<std::string>(), "who closes it (default: the login name)");
    cmd.positional.add("period", 1);
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    Period p = payPeriodArg(vm, "period", "close");
    auto s = Store::open(store, Store::Mode::ReadWrite);
    CloseSummary summary = s->closePeriod(p, userOf(vm));
    std::cout << "closed " << describe(p) << " by " << summary.closed.closedBy << " at " << summary.closed.closedAt
              << ": " << summary.reportRows << " report rows and " << summary.payoutRows << " payout rows frozen, "
              << summary.adjustments << (summary.adjustments == 1 ? " adjustment" : " adjustments") << " settled ("
              << amountText(summary.adjustmentAmount) << "), total " << amountText(summary.total) << '\n';
    return 0;
}

int runReopen(const std::filesystem::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] reopen P --reason TEXT [--user NAME]\n\n"
                "Reopens the pay period closed last: discards its frozen rows and the adjustments\n"
                "settled in it (closes unwind like a stack). The reason is kept in the history.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("period", po::value<std::string>(), "the pay period")(
        "reason", po::value<std::string>(), "why (required)")(
        "user", po::value<std::string>(), "who reopens it (default: the login name)");
    cmd.positional.add("period", 1);
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    Period p = payPeriodArg(vm, "period", "reopen");
    if (!vm.count("reason")) throw UsageError("reopen needs --reason TEXT");
    auto s = Store::open(store, Store::Mode::ReadWrite);
    ClosedPeriod was = s->reopenPeriod(p, vm["reason"].as<std::string>(), userOf(vm));
    std::cout << "reopened " << describe(p) << " (closed by " << was.closedBy << " at " << was.closedAt
              << "): its frozen rows and the adjustments settled in it are discarded\n";
    return 0;
}

namespace {

std::string numberText(const std::optional<double>& value) { return formatNumber(value); }

void printStatementTable(std::ostream& out, const Statement& s) {
    out << "Phiếu thưởng / Reward statement\n";
    out << "Nhân viên / Employee:  " << s.employeeCode << " " << s.employeeName;
    if (!s.role.empty() || !s.department.empty())
        out << " (" << s.role << (s.department.empty() ? "" : ", " + s.department) << ")";
    out << "\nKỳ lương / Pay period: " << describe(s.period) << "\n";
    out << "Trạng thái / Status:   ";
    if (s.closed)
        out << "đã chốt / closed " << s.closed->closedAt << ", " << s.closed->closedBy
            << (s.live ? " — số liệu hôm nay / today's figures (--live)" : "");
    else
        out << "chưa chốt / open — số liệu hôm nay / today's figures";
    out << "\n";
    if (s.plans.empty()) out << "\nKhông có kế hoạch thưởng / No reward plan in this period\n";
    for (const StatementPlan& plan : s.plans) {
        out << "\nKế hoạch / Plan " << plan.code << ": " << plan.nameVi << " / " << plan.nameEn;
        if (!plan.curveMode.empty()) out << " (" << plan.curveMode << ")";
        out << "\n";
        Table components({"KPI", "Tên / Name", "Thực hiện / Actual", "Chỉ tiêu / Target", "Tỷ lệ đạt / Attainment",
                          "Hệ số / Factor", "Tỷ trọng / Weight", "Thưởng / Incentive", "Số tiền / Amount"});
        auto flush = [&] {
            if (components.size() == 0) return;
            std::ostringstream grid;
            components.print(grid, Format::Table);
            std::istringstream lines(grid.str());
            for (std::string line; std::getline(lines, line);) out << "    " << line << "\n";
            components = Table({"KPI", "Tên / Name", "Thực hiện / Actual", "Chỉ tiêu / Target",
                                "Tỷ lệ đạt / Attainment", "Hệ số / Factor", "Tỷ trọng / Weight", "Thưởng / Incentive",
                                "Số tiền / Amount"});
        };
        bool blockOpen = false;
        for (size_t i = 0; i < plan.lines.size(); ++i) {
            const PayoutRow& r = plan.lines[i].row;
            const StatementLine& line = plan.lines[i];
            if (!blockOpen) {
                // A block: an assignment over the period, its incentive first (from its total row).
                blockOpen = true;
                size_t t = i;
                while (t < plan.lines.size() && plan.lines[t].row.kind != PayoutKind::Total) ++t;
                const PayoutRow* total = t < plan.lines.size() ? &plan.lines[t].row : nullptr;
                out << "  Kỳ / Period " << range(total ? total->period : r.period) << "\n";
                if (total && total->blockIncentive)
                    out << "    Thưởng định mức / Incentive: " << numberText(total->fullIncentive) << " × "
                        << total->workingDays << "/" << total->fullWorkingDays
                        << " ngày làm việc / working days = " << numberText(total->blockIncentive) << "\n";
            }
            switch (r.kind) {
            case PayoutKind::Component:
                components.add({text(r.kpiCode), text(line.kpiNameVi + " / " + line.kpiNameEn), cli::number(r.actual),
                                cli::number(r.target), cli::number(r.attainment), cli::number(r.factor),
                                cli::number(r.weight), cli::number(r.incentive), amount(r.amount)});
                break;
            case PayoutKind::Gate:
                flush();
                out << "    Điều kiện / Gate: " << r.kpiCode << " (" << line.kpiNameVi << " / " << line.kpiNameEn
                    << ") tỷ lệ đạt / attainment " << (r.attainment ? numberText(r.attainment) : "—") << " ≥ "
                    << numberText(r.gateMinimum) << ": "
                    << (r.factor.value_or(0) == 1 ? "đạt / passed" : "không đạt / failed — 0 VND") << "\n";
                break;
            case PayoutKind::Adjustment:
                flush();
                out << "    Điều chỉnh / Adjustment for " << formatPeriod(r.period) << " (" << range(r.period)
                    << "): " << amountText(r.amount.value_or(0)) << "\n";
                break;
            case PayoutKind::Total:
                flush();
                out << "    Tổng / Total " << range(r.period) << ": " << amountText(r.amount.value_or(0)) << "\n";
                blockOpen = false;
                break;
            }
        }
        flush();
    }
    out << "\nTổng cộng / Total payable: " << amountText(s.total) << " VND\n";
    bool any = false;
    std::set<std::pair<std::string, std::string>> listed;
    for (const StatementPlan& plan : s.plans)
        for (const StatementLine& line : plan.lines) {
            if (line.detailFormula.empty() || !listed.emplace(plan.code, line.row.kpiCode).second) continue;
            if (!any) out << "\nNguồn số liệu / Where each figure comes from:\n";
            any = true;
            out << "  " << plan.code << " " << line.row.kpiCode << ": =" << line.detailFormula;
            if (!line.reportCommand.empty()) out << "; " << line.reportCommand;
            out << "\n";
        }
}

Table statementRows(const Statement& s) {
    Table table({"plan_code", "plan_name_vi", "plan_name_en", "period_start", "period_end", "kind", "kpi_code",
                 "kpi_name_vi", "kpi_name_en", "actual", "target", "attainment", "factor", "weight", "gate_min",
                 "incentive", "amount", "working_days", "full_working_days", "full_incentive", "detail", "report"});
    for (const StatementPlan& plan : s.plans)
        for (const StatementLine& line : plan.lines) {
            const PayoutRow& r = line.row;
            bool total = r.kind == PayoutKind::Total;
            // Working days belong to a total over an assignment, not to one that only carries adjustments.
            auto days = [&](int n) {
                return total && r.blockIncentive ? amount(static_cast<long long>(n)) : amount(std::nullopt);
            };
            table.add({text(plan.code), text(plan.nameVi), text(plan.nameEn), text(formatDay(r.period.first)),
                       text(formatDay(r.period.last)), text(std::string(payoutKindName(r.kind))), text(r.kpiCode),
                       text(line.kpiNameVi), text(line.kpiNameEn), cli::number(r.actual), cli::number(r.target),
                       cli::number(r.attainment), cli::number(r.factor), cli::number(r.weight),
                       cli::number(r.gateMinimum), cli::number(total ? r.blockIncentive : r.incentive),
                       amount(r.amount), days(r.workingDays), days(r.fullWorkingDays), cli::number(r.fullIncentive),
                       text(line.detailFormula.empty() ? "" : "=" + line.detailFormula), text(line.reportCommand)});
        }
    return table;
}

}  // namespace

int runStatement(const std::filesystem::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] statement --employee E --period P [--live] [--format table|csv|json]\n\n"
                "One person's reward statement for the pay period P: each plan, its prorated incentive,\n"
                "each component's KPI with its actual, target, attainment, factor and amount, the gate,\n"
                "the adjustments with the period each corrects, the total, and the calls behind every\n"
                "figure (KPI.DETAIL, kpi report). Table output in Vietnamese and English.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("employee", po::value<std::string>(), "employee code (required)")(
        "period", po::value<std::string>(), "pay period (required)")(
        "live", "a closed period: recompute from today's data")(
        "format", po::value<std::string>()->default_value("table"), "table, csv or json");
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    if (!vm.count("employee")) throw UsageError("statement needs --employee");
    Period p = payPeriodArg(vm, "period", "statement");
    auto format = parseFormat(vm["format"].as<std::string>());
    Engine engine(store, windowFor(store, p));
    Statement s = engine.statement(vm["employee"].as<std::string>(), p, vm.count("live") > 0);
    switch (format) {
    case Format::Table:
        printStatementTable(std::cout, s);
        break;
    case Format::Csv:
        statementRows(s).print(std::cout, format);
        break;
    case Format::Json:
        statementRows(s).printJsonObject(
            std::cout, {{"employee_code", jsonString(s.employeeCode)},
                        {"name", jsonString(s.employeeName)},
                        {"role", jsonString(s.role)},
                        {"department", jsonString(s.department)},
                        {"period", jsonString(formatPeriod(s.period))},
                        {"period_start", jsonString(formatDay(s.period.first))},
                        {"period_end", jsonString(formatDay(s.period.last))},
                        {"closed", closedJson(s.closed)},
                        {"live", s.live ? "true" : "false"},
                        {"total", amountText(s.total)}},
            "lines");
        break;
    }
    return 0;
}

void printPlanHistory(const std::filesystem::path& store, const std::string& planCode, const std::string& employeeCode,
                      Format format) {
    auto s = Store::open(store, Store::Mode::ReadOnly);
    Table table({"changed_at", "changed_by", "action", "subject", "plan_code", "kpi_code", "employee_code",
                 "valid_from", "before", "after"});
    for (const PlanEdit& e : s->planHistory(planCode, employeeCode))
        table.add({text(e.when), text(e.who), text(e.action), text(e.subject), text(e.planCode), text(e.kpiCode),
                   text(e.employeeCode), text(e.validFrom), text(e.before), text(e.after)});
    table.print(std::cout, format);
}

void printCloseHistory(const std::filesystem::path& store, Format format) {
    auto s = Store::open(store, Store::Mode::ReadOnly);
    Table table({"changed_at", "changed_by", "action", "period", "period_type", "period_start", "period_end",
                 "reason"});
    for (const CloseEvent& e : s->closeHistory())
        table.add({text(e.when), text(e.who), text(e.action), text(formatPeriod(e.period)),
                   text(std::string(periodTypeName(e.period.type))), text(formatDay(e.period.first)),
                   text(formatDay(e.period.last)), text(e.reason)});
    table.print(std::cout, format);
}

}  // namespace kpi::cli
