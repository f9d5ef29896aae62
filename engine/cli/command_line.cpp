#include "command_line.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace kpi::cli {

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

Format parseFormat(const std::string& text) {
    if (text == "csv") return Format::Csv;
    if (text == "table") return Format::Table;
    if (text == "json") return Format::Json;
    throw UsageError("--format must be csv, table or json, not '" + text + "'");
}

std::filesystem::path defaultStore() {
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

}  // namespace kpi::cli
