// `kpi`: the administrators' command line over the SalesKPI engine (SPEC §7).
// A thin layer: parse arguments, call the engine, print; engine errors are
// translated to messages and exit codes in one place (main).
#include <unistd.h>

#include <atomic>
#include <csignal>

#include <boost/program_options.hpp>
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
#include "kpi/simulate.hpp"
#include "kpi/store.hpp"
#include "kpi/store_location.hpp"
#include "command_line.hpp"
#include "output.hpp"
#include "pg_commands.hpp"
#include "rewards_commands.hpp"
#include "targets_commands.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace kpi;
using cli::Command, cli::UsageError, cli::parseCommand, cli::parsePeriodArg, cli::parseDayArg, cli::parseFormat,
    cli::currentUser, cli::progressLine;

namespace {

constexpr const char* kMainHelp = R"(Usage: kpi [--store STORE] COMMAND [ARGS]

SalesKPI: sales KPI figures of a distributor's field team, from a shared store.

Commands:
  init                        create the store, or upgrade an older one in place
  import FILE...              import interchange CSV files (all or nothing)
  actual EMPLOYEE KPI PERIOD  print one actual
  report --period P           KPI rows per employee: actual, target, attainment
  score --period P            weighted score per employee
  history                     the audit history of targets (--of plans, closes)
  payout --period P           reward lines per employee and plan (SPEC §9)
  statement --employee E --period P   one person's reward statement
  close P                     close a pay period: freeze its figures and payouts
  reopen P --reason TEXT      reopen the pay period closed last
  recommend --period P        recommended targets (or --team M --total K=N: a team target split)
  target-health --period P    how fair P's targets were, and signs of gaming with the orders behind them
  demo-data                   write a realistic demo distributor into the store
  simulate                    feed orders into the store as a DMS would (demos)
  grant --login L --employee E   PostgreSQL: login L sees only E's team (* = all)
  grant --login L --writer    PostgreSQL: login L writes orders, lines, visits, outlets
  revoke --login L            PostgreSQL: take back what login L was granted
  migrate --from PATH --to LOCATION   copy an SQLite store into an empty PostgreSQL one

Options:
  --store STORE  the store (default: $KPI_STORE, else ./kpi.sqlite): the path of
                 an SQLite file, or a PostgreSQL database as a URI
                 (postgresql://user@host/db) or a conninfo (service=kpi,
                 "host=/run/postgresql dbname=kpi"); never with a password in
                 it: ~/.pgpass or pg_service.conf hold that (docs/postgresql.md)
  -h, --help     help; `kpi COMMAND --help` for a command's own

Environment: KPI_STORE (the store), KPI_TODAY=YYYY-MM-DD (fixes "today": the
default as-of date, demo-data's last day, the current month).

Periods: 2026-11-27 (day), 2026-W48 (ISO week), 2026-11 (month), 2026-Q4,
2026 (year), 2026-11-01..2026-11-20 (cycle). EMPLOYEE is a code, or * for all.
)";

int runInit(const fs::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] init [--journal auto|wal|rollback]\n\n"
                "Creates the store, or upgrades an older schema in place. Safe to repeat.\n"
                "On PostgreSQL it creates the tables in the database (the connection's schema);\n"
                "the server keeps its own log, so --journal does not apply.\n"
                "The journal: a new store gets WAL on a local disk and a rollback journal on a\n"
                "network file system (auto); an existing one keeps its own, except WAL on a network\n"
                "file system. Choose rollback for a folder Calc users may only read (docs/store.md).",
                po::options_description("Options"), {}};
    std::string journal = "auto";
    cmd.options.add_options()("journal", po::value(&journal), "auto, wal or rollback");
    bool help = false;
    parseCommand(args, cmd, help);
    if (help) return 0;
    JournalMode mode = JournalMode::Automatic;
    if (journal == "wal") mode = JournalMode::Wal;
    else if (journal == "rollback") mode = JournalMode::Rollback;
    else if (journal != "auto") throw UsageError("--journal must be auto, wal or rollback, got '" + journal + "'");
    const StoreInfo info = Store::init(store, mode);
    std::cerr << "store ready: " << store.string() << " (schema version " << info.schemaVersion << ", "
              << (info.journal == "postgresql" ? std::string("PostgreSQL") : info.journal + " journal") << ", store id "
              << info.storeId << ")\n";
    return 0;
}

int runImport(const fs::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] import FILE... [--user NAME]\n\n"
                "Imports interchange CSV files (employees.csv, outlets.csv, products.csv, routes.csv,\n"
                "visits.csv, orders.csv, order_lines.csv, kpis.csv, targets.csv, holidays.csv, plans.csv,\n"
                "plan_components.csv, plan_assignments.csv) as one\n"
                "transaction: any invalid row rejects the whole import and every error is listed as\n"
                "FILE:LINE. Rows are upserted by their key; importing the same files twice changes nothing.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("file", po::value<std::vector<std::string>>(), "CSV files")(
        "user", po::value<std::string>(), "who to record in the target and plan audit histories (default: $USER)");
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
              << ", " << summary.rowsChanged << " new or changed"
              << (summary.linesRemoved > 0
                      ? ", " + std::to_string(summary.linesRemoved) + " dropped lines of amended orders removed"
                      : std::string())
              << ", in " << cli::formatNumber(std::round(seconds * 100) / 100) << " s\n";
    return 0;
}

int runActual(const fs::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] actual EMPLOYEE KPI PERIOD [--as-of DATE] [--live]\n\nPrints the actual as one number "
                "(of a closed pay period: the frozen one, unless --live).",
                po::options_description("Options"), {}};
    cmd.options.add_options()("employee", po::value<std::string>(), "employee code, or * for the company")(
        "kpi", po::value<std::string>(), "KPI code or type")("period", po::value<std::string>(), "period")(
        "as-of", po::value<std::string>(), "as-of date (default today)")(
        "live", "a closed pay period: today's figure, not the frozen one");
    cmd.positional.add("employee", 1).add("kpi", 1).add("period", 1);
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    if (!vm.count("employee") || !vm.count("kpi") || !vm.count("period"))
        throw UsageError("actual needs EMPLOYEE KPI PERIOD");
    Period p = parsePeriodArg(vm["period"].as<std::string>(), "PERIOD");
    Day asOf = vm.count("as-of") ? parseDayArg(vm["as-of"].as<std::string>(), "--as-of") : today();
    Engine engine(store, p);
    auto f = engine.figures(vm["employee"].as<std::string>(), vm["kpi"].as<std::string>(), p, asOf,
                            vm.count("live") > 0);
    std::cout << cli::formatNumber(f.actual) << '\n';
    return 0;
}

int runReport(const fs::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] report --period P [--type T] [--employee E] [--as-of DATE] [--format F]\n\n"
                "One row per (employee, KPI, target period): the target periods of P's type equal to P\n"
                "(for a cycle P: the cycle targets inside it), or with --type every target period of\n"
                "type T inside P. --employee keeps E and everyone below E. A closed pay period shows\n"
                "the rows frozen when it was closed (--live: recomputed from today's data).",
                po::options_description("Options"), {}};
    cmd.options.add_options()("period", po::value<std::string>(), "period (required)")(
        "type", po::value<std::string>(), "DAY, WEEK, MONTH, QUARTER, YEAR or CYCLE")(
        "employee", po::value<std::string>(), "only this employee's subtree")(
        "as-of", po::value<std::string>(), "as-of date for projections (default today)")(
        "live", "a closed pay period: recompute from today's data")(
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
    q.live = vm.count("live") > 0;
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
    cli::printPeriodRows(std::cout, table, format, q.period, engine.closedPeriod(q.period), q.live);
    return 0;
}

int runScore(const fs::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] score --period P [--as-of DATE] [--format F]\n\n"
                "One row per employee with targets: Σ weight × min(attainment, cap) ÷ Σ weight.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("period", po::value<std::string>(), "period (required)")(
        "as-of", po::value<std::string>(), "as-of date (default today)")(
        "live", "a closed pay period: recompute from today's data")(
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
    const bool live = vm.count("live") > 0;
    for (const auto& r : engine.scores(p, asOf, live)) {
        std::vector<cli::Cell> cells = {cli::text(r.employeeCode), cli::text(std::string(periodTypeName(r.period.type))),
                                        cli::text(formatDay(r.period.first)), cli::text(formatDay(r.period.last)),
                                        cli::number(r.score)};
        if (withName) cells.insert(cells.begin() + 1, cli::text(names[r.employeeCode]));
        table.add(std::move(cells));
    }
    cli::printPeriodRows(std::cout, table, format, p, engine.closedPeriod(p), live);
    return 0;
}

int runHistory(const fs::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi [--store PATH] history [--of targets|plans|closes] [--employee E] [--kpi K] [--plan P] [--format F]\n\n"
                "The audit history, oldest first: every change to a target (default), to a plan, a plan\n"
                "component or an assignment (--of plans), or every close and reopen of a pay period\n"
                "(--of closes): when, who, and before and after (or why).",
                po::options_description("Options"), {}};
    cmd.options.add_options()("of", po::value<std::string>()->default_value("targets"), "targets, plans or closes")(
        "employee", po::value<std::string>()->default_value(""), "only this employee")(
        "kpi", po::value<std::string>()->default_value(""), "only this KPI (targets)")(
        "plan", po::value<std::string>()->default_value(""), "only this plan (plans)")(
        "format", po::value<std::string>()->default_value("table"), "csv, table or json");
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    auto format = parseFormat(vm["format"].as<std::string>());
    const std::string of = vm["of"].as<std::string>();
    if (of == "plans") {
        cli::printPlanHistory(store, vm["plan"].as<std::string>(), vm["employee"].as<std::string>(), format);
        return 0;
    }
    if (of == "closes") {
        cli::printCloseHistory(store, format);
        return 0;
    }
    if (of != "targets") throw UsageError("--of must be targets, plans or closes, not '" + of + "'");
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
    fs::path store = cli::defaultStore();
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
    static const std::map<std::string, cli::Runner> commands = {
        {"init", runInit},         {"import", runImport},       {"actual", runActual},
        {"report", runReport},     {"score", runScore},         {"history", runHistory},
        {"demo-data", runDemoData}, {"simulate", runSimulate},  {"payout", cli::runPayout},
        {"close", cli::runClose},  {"reopen", cli::runReopen},  {"statement", cli::runStatement},
        {"recommend", cli::runRecommend}, {"target-health", cli::runTargetHealth},
        {"grant", cli::runGrant},  {"revoke", cli::runRevoke},  {"migrate", cli::runMigrate},
    };
    auto it = commands.find(command);
    if (it == commands.end()) throw UsageError("unknown command '" + command + "' (see kpi --help)");
    if (auto problem = todayProblem(); !problem.empty()) throw UsageError(problem);
    parseStoreLocation(store.string());  // a password in it: refused before anything runs
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
