// `kpi`: the administrators' command line over the SalesKPI engine (SPEC §7).
// A thin layer: parse arguments, call the engine, print; engine errors are
// translated to messages and exit codes in one place (main).
#include <unistd.h>

#include <atomic>
#include <csignal>

#include <boost/program_options.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kpi/demo.hpp"
#include "kpi/engine.hpp"
#include "kpi/error.hpp"
#include "kpi/period.hpp"
#include "kpi/recommend.hpp"
#include "kpi/simulate.hpp"
#include "kpi/target_health.hpp"
#include "kpi/store.hpp"
#include "output.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace kpi;

namespace {

// A usage mistake: printed with a hint, exit status 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

constexpr const char* kMainHelp = R"(Usage: kpi [--store PATH] COMMAND [ARGS]

SalesKPI: sales KPI figures of a distributor's field team, from a shared store.

Commands:
  init                        create the store, or upgrade an older one in place
  import FILE...              import interchange CSV files (all or nothing)
  actual EMPLOYEE KPI PERIOD  print one actual
  report --period P           KPI rows per employee: actual, target, attainment
  score --period P            weighted score per employee
  history                     the audit history of target edits
  recommend --period P        recommended targets (or --team M --total K=N: a team target split)
  target-health --period P    how fair P's targets were, and signs of gaming with the orders behind them
  demo-data                   write a realistic demo distributor into the store
  simulate                    feed orders into the store as a DMS would (demos)

Options:
  --store PATH   the store (default: $KPI_STORE, else ./kpi.sqlite)
  -h, --help     help; `kpi COMMAND --help` for a command's own

Environment: KPI_STORE (the store), KPI_TODAY=YYYY-MM-DD (fixes "today": the
default as-of date, demo-data's last day, the current month).

Periods: 2026-11-27 (day), 2026-W48 (ISO week), 2026-11 (month), 2026-Q4,
2026 (year), 2026-11-01..2026-11-20 (cycle). EMPLOYEE is a code, or * for all.
)";

struct Command {
    const char* usage;
    po::options_description options;
    po::positional_options_description positional;
};

Period parsePeriodArg(const std::string& text, const char* what) {
    auto p = parsePeriod(text);
    if (!p)
        throw UsageError(std::string(what) + " '" + text +
                         "' is not a period (use 2026-11-27, 2026-W48, 2026-11, 2026-Q4, 2026 or A..B)");
    return *p;
}

Day parseDayArg(const std::string& text, const char* what) {
    auto d = parseDay(text);
    if (!d) throw UsageError(std::string(what) + " '" + text + "' is not a date YYYY-MM-DD");
    return *d;
}

cli::Format parseFormat(const std::string& text) {
    if (text == "csv") return cli::Format::Csv;
    if (text == "table") return cli::Format::Table;
    if (text == "json") return cli::Format::Json;
    throw UsageError("--format must be csv, table or json, not '" + text + "'");
}

fs::path defaultStore() {
    if (const char* env = std::getenv("KPI_STORE"); env && *env) return env;
    return "kpi.sqlite";
}

std::string currentUser() {
    if (const char* u = std::getenv("SUDO_USER"); u && *u) return u;
    if (const char* u = std::getenv("USER"); u && *u) return u;
    if (const char* u = getlogin(); u) return u;
    return "kpi";
}

void progressLine(const std::string& line) { std::cerr << "  " << line << '\n'; }

po::variables_map parseCommand(const std::vector<std::string>& args, Command& cmd, bool& help) {
    cmd.options.add_options()("help,h", "show this help");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(cmd.options).positional(cmd.positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    help = vm.count("help") > 0;
    if (help) std::cout << "Usage: " << cmd.usage << "\n\n" << cmd.options;
    return vm;
}

int runInit(const fs::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] init\n\nCreates the store, or upgrades an older schema in place. Safe to repeat.",
                po::options_description("Options"), {}};
    bool help = false;
    parseCommand(args, cmd, help);
    if (help) return 0;
    Store::init(store);
    std::cerr << "store ready: " << store.string() << " (schema version " << kSchemaVersion << ")\n";
    return 0;
}

int runImport(const fs::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] import FILE... [--user NAME]\n\n"
                "Imports interchange CSV files (employees.csv, outlets.csv, products.csv, routes.csv,\n"
                "visits.csv, orders.csv, order_lines.csv, kpis.csv, targets.csv, holidays.csv) as one\n"
                "transaction: any invalid row rejects the whole import and every error is listed as\n"
                "FILE:LINE. Rows are upserted by their key; importing the same files twice changes nothing.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("file", po::value<std::vector<std::string>>(), "CSV files")(
        "user", po::value<std::string>(), "who to record in the target audit history (default: $USER)");
    cmd.positional.add("file", -1);
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    if (!vm.count("file")) throw UsageError("import needs at least one CSV file");
    std::vector<fs::path> files;
    for (const auto& f : vm["file"].as<std::vector<std::string>>()) files.emplace_back(f);
    auto started = std::chrono::steady_clock::now();
    auto s = Store::open(store, Store::Mode::ReadWrite);
    ImportOptions options;
    options.user = vm.count("user") ? vm["user"].as<std::string>() : currentUser();
    options.progress = progressLine;
    ImportSummary summary = s->import(files, options);
    for (const auto& w : summary.warnings) std::cerr << "warning: " << w << '\n';
    long long rows = 0;
    for (const auto& [kind, n] : summary.rowsRead) rows += n;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cerr << "imported " << rows << " rows from " << files.size() << (files.size() == 1 ? " file" : " files")
              << ", " << summary.rowsChanged << " new or changed, in " << cli::formatNumber(std::round(seconds * 100) / 100)
              << " s\n";
    return 0;
}

int runActual(const fs::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] actual EMPLOYEE KPI PERIOD [--as-of DATE]\n\nPrints the actual as one number.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("employee", po::value<std::string>(), "employee code, or * for the company")(
        "kpi", po::value<std::string>(), "KPI code or type")("period", po::value<std::string>(), "period")(
        "as-of", po::value<std::string>(), "as-of date (default today)");
    cmd.positional.add("employee", 1).add("kpi", 1).add("period", 1);
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    if (!vm.count("employee") || !vm.count("kpi") || !vm.count("period"))
        throw UsageError("actual needs EMPLOYEE KPI PERIOD");
    Period p = parsePeriodArg(vm["period"].as<std::string>(), "PERIOD");
    Day asOf = vm.count("as-of") ? parseDayArg(vm["as-of"].as<std::string>(), "--as-of") : today();
    Engine engine(store, p);
    auto f = engine.figures(vm["employee"].as<std::string>(), vm["kpi"].as<std::string>(), p, asOf);
    std::cout << cli::formatNumber(f.actual) << '\n';
    return 0;
}

int runReport(const fs::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] report --period P [--type T] [--employee E] [--as-of DATE] [--format F]\n\n"
                "One row per (employee, KPI, target period): the target periods of P's type equal to P\n"
                "(for a cycle P: the cycle targets inside it), or with --type every target period of\n"
                "type T inside P. --employee keeps E and everyone below E.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("period", po::value<std::string>(), "period (required)")(
        "type", po::value<std::string>(), "DAY, WEEK, MONTH, QUARTER, YEAR or CYCLE")(
        "employee", po::value<std::string>(), "only this employee's subtree")(
        "as-of", po::value<std::string>(), "as-of date for projections (default today)")(
        "format", po::value<std::string>()->default_value("csv"), "csv, table or json");
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    if (!vm.count("period")) throw UsageError("report needs --period");
    ReportQuery q;
    q.period = parsePeriodArg(vm["period"].as<std::string>(), "--period");
    if (vm.count("type")) {
        auto t = parsePeriodType(vm["type"].as<std::string>());
        if (!t) throw UsageError("--type must be DAY, WEEK, MONTH, QUARTER, YEAR or CYCLE");
        q.type = *t;
    }
    if (vm.count("employee")) q.employeeCode = vm["employee"].as<std::string>();
    q.asOf = vm.count("as-of") ? parseDayArg(vm["as-of"].as<std::string>(), "--as-of") : today();
    auto format = parseFormat(vm["format"].as<std::string>());
    Engine engine(store, q.period);
    auto rows = engine.report(q);
    std::map<std::string, std::string> names;
    for (const auto& e : engine.employees()) names[e.code] = e.name;
    bool withName = format != cli::Format::Csv;
    std::vector<std::string> columns = {"employee_code", "kpi_code", "period_type", "period_start", "period_end",
                                        "actual", "target", "attainment", "projected", "weight"};
    if (withName) columns.insert(columns.begin() + 1, "name");
    cli::Table table(columns);
    for (const auto& r : rows) {
        std::vector<cli::Cell> cells = {cli::text(r.employeeCode), cli::text(r.kpiCode),
                                        cli::text(std::string(periodTypeName(r.period.type))),
                                        cli::text(formatDay(r.period.first)), cli::text(formatDay(r.period.last)),
                                        cli::number(r.actual), cli::number(r.target), cli::number(r.attainment),
                                        cli::number(r.projected), cli::number(r.weight)};
        if (withName) cells.insert(cells.begin() + 1, cli::text(names[r.employeeCode]));
        table.add(std::move(cells));
    }
    table.print(std::cout, format);
    return 0;
}

int runScore(const fs::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] score --period P [--as-of DATE] [--format F]\n\n"
                "One row per employee with targets: Σ weight × min(attainment, cap) ÷ Σ weight.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("period", po::value<std::string>(), "period (required)")(
        "as-of", po::value<std::string>(), "as-of date (default today)")(
        "format", po::value<std::string>()->default_value("csv"), "csv, table or json");
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    if (!vm.count("period")) throw UsageError("score needs --period");
    Period p = parsePeriodArg(vm["period"].as<std::string>(), "--period");
    Day asOf = vm.count("as-of") ? parseDayArg(vm["as-of"].as<std::string>(), "--as-of") : today();
    auto format = parseFormat(vm["format"].as<std::string>());
    Engine engine(store, p);
    std::map<std::string, std::string> names;
    for (const auto& e : engine.employees()) names[e.code] = e.name;
    bool withName = format != cli::Format::Csv;
    std::vector<std::string> columns = {"employee_code", "period_type", "period_start", "period_end", "score"};
    if (withName) columns.insert(columns.begin() + 1, "name");
    cli::Table table(columns);
    for (const auto& r : engine.scores(p, asOf)) {
        std::vector<cli::Cell> cells = {cli::text(r.employeeCode), cli::text(std::string(periodTypeName(r.period.type))),
                                        cli::text(formatDay(r.period.first)), cli::text(formatDay(r.period.last)),
                                        cli::number(r.score)};
        if (withName) cells.insert(cells.begin() + 1, cli::text(names[r.employeeCode]));
        table.add(std::move(cells));
    }
    table.print(std::cout, format);
    return 0;
}

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

int runRecommend(const fs::path& store, const std::vector<std::string>& args) {
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

std::string joined(const std::vector<std::string>& codes) {
    std::string text;
    for (const auto& c : codes) text += (text.empty() ? "" : "|") + c;
    return text;
}

int runTargetHealth(const fs::path& store, const std::vector<std::string>& args) {
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

int runHistory(const fs::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] history [--employee E] [--kpi K] [--format F]\n\n"
                "Every change to a target (new, edit, remove): when, who, before and after.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("employee", po::value<std::string>()->default_value(""), "only this employee")(
        "kpi", po::value<std::string>()->default_value(""), "only this KPI")(
        "format", po::value<std::string>()->default_value("table"), "csv, table or json");
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    auto format = parseFormat(vm["format"].as<std::string>());
    auto s = Store::open(store, Store::Mode::ReadOnly);
    cli::Table table({"changed_at", "changed_by", "action", "employee_code", "kpi_code", "period_type", "valid_from",
                      "before", "after"});
    for (const auto& e : s->targetHistory(vm["employee"].as<std::string>(), vm["kpi"].as<std::string>()))
        table.add({cli::text(e.when), cli::text(e.who), cli::text(e.action), cli::text(e.employeeCode),
                   cli::text(e.kpiCode), cli::text(e.periodType), cli::text(e.validFrom), cli::text(e.before),
                   cli::text(e.after)});
    table.print(std::cout, format);
    return 0;
}

int runDemoData(const fs::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] demo-data [--size N] [--seed S] [--until DATE] [--months M] [--seasonal] [--csv-dir DIR]\n\n"
                "Writes a realistic demo distributor (Vietnamese FMCG field sales team) into the store,\n"
                "creating the store if needed. The data goes through the same CSV import as real data.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("size", po::value<int>()->default_value(40), "salespeople (20–1000)")(
        "seed", po::value<unsigned>()->default_value(1), "random seed; the same seed gives the same data")(
        "until", po::value<std::string>(), "last day with orders (default today; today's activity stops at the present time)")(
        "months", po::value<int>()->default_value(3), "months of history")(
        "lines-scale", po::value<double>()->default_value(1.0), "multiply order lines per order (benchmarks)")(
        "seasonal", "seasons worth forecasting: Tết, hot months, each salesperson's trend, the joiner's ramp")(
        "csv-dir", po::value<std::string>(), "keep the generated CSV files in DIR")(
        "csv-only", "only write the CSV files into --csv-dir; leave the store alone");
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    DemoOptions o;
    o.salespeople = vm["size"].as<int>();
    if (o.salespeople < 1 || o.salespeople > 5000) throw UsageError("--size must be between 1 and 5000");
    o.seed = vm["seed"].as<unsigned>();
    o.until = vm.count("until") ? parseDayArg(vm["until"].as<std::string>(), "--until") : today();
    o.months = vm["months"].as<int>();
    if (o.months < 1 || o.months > 36) throw UsageError("--months must be between 1 and 36");
    o.linesScale = vm["lines-scale"].as<double>();
    o.seasonal = vm.count("seasonal") > 0;
    o.progress = progressLine;
    bool keep = vm.count("csv-dir") > 0;
    bool csvOnly = vm.count("csv-only") > 0;
    if (csvOnly && !keep) throw UsageError("--csv-only needs --csv-dir");
    fs::path dir = keep ? fs::path(vm["csv-dir"].as<std::string>())
                        : fs::temp_directory_path() / ("kpi-demo-" + std::to_string(getpid()));
    struct Cleanup {
        fs::path dir;
        bool keep;
        ~Cleanup() {
            std::error_code ec;
            if (!keep) fs::remove_all(dir, ec);
        }
    } cleanup{dir, keep};
    std::cerr << "generating a demo distributor with " << o.salespeople << " salespeople, " << o.months
              << " months up to " << formatDay(o.until) << "…\n";
    writeDemoData(dir, o);
    if (csvOnly) {
        std::cerr << "CSV files written to " << dir.string() << '\n';
        return 0;
    }
    Store::init(store);
    auto s = Store::open(store, Store::Mode::ReadWrite);
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == ".csv") files.push_back(entry.path());
    ImportOptions options;
    options.user = "kpi demo-data";
    options.progress = progressLine;
    auto summary = s->import(files, options);
    long long rows = 0;
    for (const auto& [kind, n] : summary.rowsRead) rows += n;
    std::cerr << "demo data in " << store.string() << ": " << rows << " rows"
              << (keep ? ", CSV files kept in " + dir.string() : std::string()) << '\n';
    return 0;
}

std::atomic<bool> stopRequested{false};

int runSimulate(const fs::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] simulate [--rate N] [--seconds S] [--approve-after S] [--cancel-share F]\n\n"
                "Feeds orders into the store as a DMS would, writing rows directly: new orders arrive\n"
                "pending, most are approved a little later, some cancelled. Stops after --seconds, or\n"
                "on Ctrl-C.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("rate", po::value<double>()->default_value(60), "orders per minute")(
        "seconds", po::value<double>()->default_value(0), "how long to run (0 = until Ctrl-C)")(
        "approve-after", po::value<double>()->default_value(20), "seconds from order to approval")(
        "cancel-share", po::value<double>()->default_value(0.1), "share of orders cancelled instead")(
        "day", po::value<std::string>(), "order date (default today)")(
        "seed", po::value<unsigned>()->default_value(1), "random seed");
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    FeedOptions o;
    o.ordersPerMinute = vm["rate"].as<double>();
    o.seconds = vm["seconds"].as<double>();
    o.approveAfterSeconds = vm["approve-after"].as<double>();
    o.cancelShare = vm["cancel-share"].as<double>();
    o.seed = vm["seed"].as<unsigned>();
    if (vm.count("day")) o.day = formatDay(parseDayArg(vm["day"].as<std::string>(), "--day"));
    if (o.ordersPerMinute <= 0) throw UsageError("--rate must be positive");
    if (o.cancelShare < 0 || o.cancelShare > 1) throw UsageError("--cancel-share must be between 0 and 1");
    o.progress = progressLine;
    std::signal(SIGINT, [](int) { stopRequested = true; });
    std::signal(SIGTERM, [](int) { stopRequested = true; });
    auto summary = runFeed(store, o, stopRequested);
    std::cerr << "simulated " << summary.created << " orders: " << summary.approved << " approved, "
              << summary.cancelled << " cancelled, " << (summary.created - summary.approved - summary.cancelled)
              << " still pending\n";
    return 0;
}

int dispatch(int argc, char** argv) {
    std::vector<std::string> all(argv + 1, argv + argc);
    fs::path store = defaultStore();
    size_t i = 0;
    for (; i < all.size(); ++i) {
        if (all[i] == "--store") {
            if (i + 1 >= all.size()) throw UsageError("--store needs a path");
            store = all[++i];
        } else if (all[i].rfind("--store=", 0) == 0) {
            store = all[i].substr(8);
        } else if (all[i] == "-h" || all[i] == "--help") {
            std::cout << kMainHelp;
            return 0;
        } else if (!all[i].empty() && all[i][0] == '-') {
            throw UsageError("unknown option '" + all[i] + "' before the command");
        } else {
            break;
        }
    }
    if (i >= all.size()) {
        std::cerr << kMainHelp;
        return 2;
    }
    std::string command = all[i];
    std::vector<std::string> rest(all.begin() + static_cast<long>(i) + 1, all.end());
    // `--store` is also accepted after the command.
    for (size_t k = 0; k < rest.size(); ++k) {
        if (rest[k] == "--store" && k + 1 < rest.size()) {
            store = rest[k + 1];
            rest.erase(rest.begin() + static_cast<long>(k), rest.begin() + static_cast<long>(k) + 2);
            --k;
        } else if (rest[k].rfind("--store=", 0) == 0) {
            store = rest[k].substr(8);
            rest.erase(rest.begin() + static_cast<long>(k));
            --k;
        }
    }
    using Runner = int (*)(const fs::path&, const std::vector<std::string>&);
    static const std::map<std::string, Runner> commands = {
        {"init", runInit},       {"import", runImport},   {"actual", runActual},       {"report", runReport},
        {"score", runScore},     {"history", runHistory}, {"demo-data", runDemoData},
        {"recommend", runRecommend},     {"target-health", runTargetHealth},
        {"simulate", runSimulate},
    };
    auto it = commands.find(command);
    if (it == commands.end()) throw UsageError("unknown command '" + command + "' (see kpi --help)");
    if (auto problem = todayProblem(); !problem.empty()) throw UsageError(problem);
    return it->second(store, rest);
}

}  // namespace

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    try {
        return dispatch(argc, argv);
    } catch (const UsageError& e) {
        std::cerr << "kpi: " << e.what() << "\n(see kpi --help)\n";
        return 2;
    } catch (const Error& e) {
        std::string what = e.what();
        if (e.kind() == Error::Kind::NotFound) what += " (create it with `kpi init`, or pass --store PATH)";
        std::cerr << "kpi: " << (e.kind() == Error::Kind::InvalidData ? "" : "error: ") << what << '\n';
        return e.kind() == Error::Kind::InvalidArgument ? 2 : 1;
    } catch (const std::exception& e) {
        std::cerr << "kpi: error: " << e.what() << '\n';
        return 1;
    }
}
