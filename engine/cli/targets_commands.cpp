// `kpi recommend` and `kpi target-health` (issue 14, docs/targets.md).
#include "targets_commands.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>

#include "command_line.hpp"
#include "kpi/engine.hpp"
#include "kpi/recommend.hpp"
#include "kpi/target_health.hpp"

namespace kpi::cli {
namespace {

// The KPI codes of repeated and comma-separated --kpi options.
std::vector<std::string> kpiCodesOf(const po::variables_map& vm) {
    std::vector<std::string> codes;
    if (!vm.count("kpi")) return codes;
    for (const auto& value : vm["kpi"].as<std::vector<std::string>>()) {
        size_t from = 0;
        while (from <= value.size()) {
            size_t comma = value.find(',', from);
            if (comma == std::string::npos) comma = value.size();
            if (comma > from) codes.push_back(value.substr(from, comma - from));
            from = comma + 1;
        }
    }
    return codes;
}

double parseReach(const po::variables_map& vm) {
    const std::string text = vm["reach"].as<std::string>();
    char* end = nullptr;
    double reach = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(reach >= 0.05 && reach <= 0.95))
        throw UsageError("--reach must be a probability between 0.05 and 0.95, not '" + text + "'");
    return reach;
}

std::string joined(const std::vector<std::string>& codes) {
    std::string text;
    for (const auto& c : codes) text += (text.empty() ? "" : "|") + c;
    return text;
}

}  // namespace

int runRecommend(const std::filesystem::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] recommend --period P [--employee E] [--kpi K ...] [--format F]\n"
                "kpi [--store PATH] recommend --period P --team MANAGER --total KPI=AMOUNT [--format F]\n\n"
                "Recommends a target for P (a week, month, quarter or year) for each employee of E's\n"
                "subtree and each KPI they have or had a target of P's type for (or the KPIs given),\n"
                "from their own history: P10, P50 and P90 of the expected actual, the chance of\n"
                "reaching the target, and what drove the number (docs/targets.md).\n"
                "--format csv is a valid targets.csv: its extra columns (effective_target, p10, p50,\n"
                "p90, probability, current_target, last_actual, driver) are reported and ignored by\n"
                "the import. With --team, splits the team total among the people directly under\n"
                "MANAGER in proportion to their P50, never below their P10; the parts add up exactly.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("period", po::value<std::string>(), "the period to recommend for (required)")(
        "employee", po::value<std::string>(), "only this employee and everyone below")(
        "kpi", po::value<std::vector<std::string>>()->composing(), "only these KPIs (repeat, or separate by commas)")(
        "team", po::value<std::string>(), "split a team target among the people under this manager")(
        "total", po::value<std::string>(), "with --team: KPI=AMOUNT, the team's target")(
        "as-of", po::value<std::string>(), "what counts as now (default today): history is the periods ended before")(
        "reach", po::value<std::string>()->default_value("0.65"), "the chance of reaching a recommended target")(
        "format", po::value<std::string>()->default_value("csv"), "csv, table or json");
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    if (!vm.count("period")) throw UsageError("recommend needs --period");
    const Period period = parsePeriodArg(vm["period"].as<std::string>(), "--period");
    const Day asOf = vm.count("as-of") ? parseDayArg(vm["as-of"].as<std::string>(), "--as-of") : today();
    const double reach = parseReach(vm);
    const auto format = parseFormat(vm["format"].as<std::string>());
    const bool team = vm.count("team") > 0;
    if (team != (vm.count("total") > 0)) throw UsageError("--team and --total go together");
    if (team && (vm.count("employee") || vm.count("kpi")))
        throw UsageError("--team takes its KPI from --total; it cannot be combined with --employee or --kpi");

    // Months of history where a report reads one: both cores read them.
    Engine engine(store, historyWindow(period, asOf), 2);
    std::vector<Recommendation> rows;
    if (team) {
        const std::string total = vm["total"].as<std::string>();
        const size_t eq = total.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == total.size())
            throw UsageError("--total must read KPI=AMOUNT (e.g. DS=2000000000), not '" + total + "'");
        AllocationQuery q;
        q.period = period;
        q.managerCode = vm["team"].as<std::string>();
        q.kpiCode = total.substr(0, eq);
        q.total = total.substr(eq + 1);
        q.asOf = asOf;
        q.reach = reach;
        rows = allocateTeamTarget(engine, q);
    } else {
        RecommendQuery q;
        q.period = period;
        if (vm.count("employee")) q.employeeCode = vm["employee"].as<std::string>();
        q.kpiCodes = kpiCodesOf(vm);
        q.asOf = asOf;
        q.reach = reach;
        rows = recommendTargets(engine, q);
    }

    // A store row that spans more than P would make the import of P's row overlap it.
    for (const auto& code : [&] {
             std::vector<std::string> codes;
             for (const auto& r : rows)
                 if (codes.empty() || codes.back() != r.employeeCode) codes.push_back(r.employeeCode);
             return codes;
         }()) {
        for (const auto& t : engine.targetRows(code)) {
            if (t.periodType != period.type || t.validTo < period.first || t.validFrom > period.last) continue;
            if (t.validFrom == period.first && t.validTo == period.last) continue;
            bool recommended = std::any_of(rows.begin(), rows.end(), [&](const Recommendation& r) {
                return r.employeeCode == code && r.kpiCode == t.kpiCode && r.target;
            });
            if (recommended)
                std::cerr << "warning: " << code << " " << t.kpiCode << ": the store's " << periodTypeName(t.periodType)
                          << " target row valid " << formatDay(t.validFrom) << ".." << formatDay(t.validTo)
                          << " covers " << formatPeriod(period)
                          << " too; importing this recommendation would overlap it (end that row first)\n";
        }
    }

    std::map<std::string, std::string> names;
    for (const auto& e : engine.employees()) names[e.code] = e.name;
    const bool withName = format != cli::Format::Csv;
    std::vector<std::string> columns = {"employee_code", "kpi_code", "period_type", "valid_from", "valid_to",
                                        "target", "weight", "effective_target", "p10", "p50", "p90", "probability",
                                        "current_target", "last_actual", "driver"};
    if (team) columns.insert(columns.end() - 1, "share");
    if (withName) columns.insert(columns.begin() + 1, "name");
    cli::Table table(columns);
    for (const auto& r : rows) {
        if (!r.target && format == cli::Format::Csv) {
            std::cerr << "no recommendation for " << r.employeeCode << " " << r.kpiCode << ": " << r.basis.problem
                      << '\n';
            continue;
        }
        std::vector<cli::Cell> cells = {cli::text(r.employeeCode), cli::text(r.kpiCode),
                                        cli::text(std::string(periodTypeName(r.period.type))),
                                        cli::text(formatDay(r.period.first)), cli::text(formatDay(r.period.last)),
                                        cli::number(r.target), cli::number(r.weight), cli::number(r.effectiveTarget),
                                        cli::number(r.p10), cli::number(r.p50), cli::number(r.p90),
                                        cli::number(r.probability), cli::number(r.currentTarget),
                                        cli::number(r.lastActual)};
        if (team) cells.push_back(cli::number(r.share));
        cells.push_back(cli::text(explainRecommendation(r, "en")));
        if (withName) cells.insert(cells.begin() + 1, cli::text(names[r.employeeCode]));
        table.add(std::move(cells));
    }
    table.print(std::cout, format);
    return 0;
}

int runTargetHealth(const std::filesystem::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] target-health --period P [--employee E] [--as-of DATE] [--summary] [--format F]\n\n"
                "How fair the targets of P were and where they may have been gamed (docs/targets.md).\n"
                "Flags, one row each, naming the orders (outlets, visits) behind them: out_of_reach,\n"
                "given_away, last_days_bunching, returns_after_period, cancelled_after_approval,\n"
                "one_order_outlets, visits_bunched. --summary gives instead, per KPI, the share of\n"
                "targets under 80 %, 80-120 % and over 120 % attained. The table format shows both;\n"
                "json gives {\"spread\": [...], \"flags\": [...]}.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("period", po::value<std::string>(), "the period whose targets to judge (required)")(
        "employee", po::value<std::string>(), "only this employee and everyone below")(
        "as-of", po::value<std::string>(), "the last day of data to look at after P (default today)")(
        "summary", "the attainment spread per KPI instead of the flags (csv)")(
        "format", po::value<std::string>()->default_value("csv"), "csv, table or json");
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    if (!vm.count("period")) throw UsageError("target-health needs --period");
    TargetHealthQuery q;
    q.period = parsePeriodArg(vm["period"].as<std::string>(), "--period");
    if (vm.count("employee")) q.employeeCode = vm["employee"].as<std::string>();
    q.asOf = vm.count("as-of") ? parseDayArg(vm["as-of"].as<std::string>(), "--as-of") : today();
    const auto format = parseFormat(vm["format"].as<std::string>());
    Engine engine(store, healthWindow(q.period, q.asOf), 2);
    const TargetHealth health = targetHealth(engine, q);

    cli::Table spread({"kpi_code", "targets", "under_80", "from_80_to_120", "over_120", "share_under_80",
                       "share_80_120", "share_over_120", "out_of_reach", "given_away"});
    for (const auto& s : health.spread) {
        auto share = [&](int n) { return s.targets ? std::optional<double>(static_cast<double>(n) / s.targets) : std::nullopt; };
        spread.add({cli::text(s.kpiCode), cli::number(s.targets), cli::number(s.under80), cli::number(s.from80To120),
                    cli::number(s.over120), cli::number(share(s.under80)), cli::number(share(s.from80To120)),
                    cli::number(share(s.over120)), cli::number(s.outOfReach), cli::number(s.givenAway)});
    }
    cli::Table flags({"employee_code", "kpi_code", "flag", "days_start", "days_end", "value", "usual", "target",
                      "attainment", "attainment_without", "orders", "outlets", "visits", "note"});
    for (const auto& f : health.flags)
        flags.add({cli::text(f.employeeCode), cli::text(f.kpiCode), cli::text(std::string(healthFlagName(f.kind))),
                   cli::text(formatDay(f.days.first)), cli::text(formatDay(f.days.last)), cli::number(f.value),
                   cli::number(f.usual), cli::number(f.target), cli::number(f.attainment),
                   cli::number(f.attainmentWithout), cli::text(joined(f.orders)), cli::text(joined(f.outlets)),
                   cli::text(joined(f.visits)), cli::text(explainHealthFlag(f, "en"))});
    switch (format) {
    case cli::Format::Csv:
        (vm.count("summary") ? spread : flags).print(std::cout, format);
        break;
    case cli::Format::Table:
        spread.print(std::cout, format);
        std::cout << '\n';
        flags.print(std::cout, format);
        break;
    case cli::Format::Json:
        std::cout << "{\"period\": \"" << formatPeriod(health.period) << "\",\n\"spread\": ";
        spread.print(std::cout, format);
        std::cout << ",\n\"flags\": ";
        flags.print(std::cout, format);
        std::cout << "}\n";
        break;
    }
    return 0;
}

}  // namespace kpi::cli
