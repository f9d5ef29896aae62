// `kpi grant`, `kpi revoke`, `kpi migrate` (pg_commands.hpp).
#include "pg_commands.hpp"

#include <chrono>
#include <cmath>
#include <iostream>

#include "command_line.hpp"
#include "kpi/store_admin.hpp"
#include "output.hpp"

namespace kpi::cli {

int runGrant(const std::filesystem::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi --store LOCATION grant --login LOGIN (--employee CODE | --writer)\n\n"
                "On a PostgreSQL store, as the schema's owner: lets the existing PostgreSQL login LOGIN\n"
                "see only employee CODE's team - CODE and everyone below them, their orders, lines,\n"
                "visits, routes, targets, the outlets they serve - read only (--employee '*': every\n"
                "row); or, with --writer, read and write orders, order_lines, visits and outlets and\n"
                "nothing else (a DMS). The server enforces it for kpi, Calc and psql alike. Granting\n"
                "a manager again replaces the employee. Make the login first (CREATE ROLE name LOGIN).",
                po::options_description("Options"), {}};
    cmd.options.add_options()("login", po::value<std::string>(), "the PostgreSQL login")(
        "employee", po::value<std::string>(), "employee code whose team the login sees, or * for everything")(
        "writer", "the login writes orders, lines, visits and outlets (a DMS)");
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    if (!vm.count("login") || vm["login"].as<std::string>().empty()) throw UsageError("grant needs --login LOGIN");
    const bool writer = vm.count("writer") > 0;
    if (writer == (vm.count("employee") > 0))
        throw UsageError("grant needs either --employee CODE or --writer (one of them)");
    const std::string login = vm["login"].as<std::string>();
    if (writer) {
        grantWriter(store.string(), login);
        std::cerr << "login " << login << " may now write orders, order lines, visits and outlets\n";
    } else {
        const std::string employee = vm["employee"].as<std::string>();
        grantManager(store.string(), login, employee);
        std::cerr << "login " << login << " now sees "
                  << (employee == "*" ? std::string("every row") : employee + "'s team") << '\n';
    }
    return 0;
}

int runRevoke(const std::filesystem::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi --store LOCATION revoke --login LOGIN\n\n"
                "On a PostgreSQL store, as the schema's owner: takes back what LOGIN was granted (a\n"
                "manager's team or the writer's rights); the login then sees none of the store.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("login", po::value<std::string>(), "the PostgreSQL login");
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    if (!vm.count("login") || vm["login"].as<std::string>().empty()) throw UsageError("revoke needs --login LOGIN");
    const std::string login = vm["login"].as<std::string>();
    revokeLogin(store.string(), login);
    std::cerr << "login " << login << " no longer sees the store\n";
    return 0;
}

int runMigrate(const std::filesystem::path& store, const std::vector<std::string>& args) {
    Command cmd{"kpi migrate --from PATH --to LOCATION\n\n"
                "Copies the SQLite store PATH into the PostgreSQL store LOCATION (a URI or a conninfo;\n"
                "default: --store), as its schema's owner: creates the schema there if needed (as kpi\n"
                "init), refuses a store that already holds rows, then copies every table - people,\n"
                "outlets, orders, targets, plans, closes, the change log and the audit histories - in\n"
                "one transaction (on any error the target is left as it was). The SQLite file is only\n"
                "read. Upgrade an older file with `kpi --store PATH init` first.",
                po::options_description("Options"), {}};
    cmd.options.add_options()("from", po::value<std::string>(), "the SQLite store file")(
        "to", po::value<std::string>(), "the PostgreSQL store (default: --store)");
    bool help = false;
    auto vm = parseCommand(args, cmd, help);
    if (help) return 0;
    if (!vm.count("from")) throw UsageError("migrate needs --from PATH (the SQLite store)");
    const std::string to = vm.count("to") ? vm["to"].as<std::string>() : store.string();
    const std::string from = vm["from"].as<std::string>();
    const auto started = std::chrono::steady_clock::now();
    MigrateOptions options;
    options.progress = progressLine;
    const MigrateSummary summary = migrate(from, to, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cerr << "copied " << summary.total() << " rows of " << summary.rows.size() << " tables from " << from
              << " into " << to << " in " << formatNumber(std::round(seconds * 100) / 100) << " s\n";
    return 0;
}

}  // namespace kpi::cli
