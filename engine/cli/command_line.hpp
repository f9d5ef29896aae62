// What every `kpi` command shares: its options, argument parsing and the
// usage mistakes it reports (exit status 2). Used by main.cpp and by the
// commands of their own files (rewards_commands.cpp).
#pragma once

#include <boost/program_options.hpp>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "kpi/date.hpp"
#include "kpi/period.hpp"
#include "output.hpp"

namespace kpi::cli {

namespace po = boost::program_options;

// A usage mistake: printed with a hint, exit status 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Command {
    const char* usage;
    po::options_description options;
    po::positional_options_description positional;
};

// Parses a command's arguments (adding --help); `help` tells that the usage
// was printed and the command should stop. Throws UsageError.
po::variables_map parseCommand(const std::vector<std::string>& args, Command& cmd, bool& help);

Period parsePeriodArg(const std::string& text, const char* what);
Day parseDayArg(const std::string& text, const char* what);
Format parseFormat(const std::string& text);

std::filesystem::path defaultStore();
// Who runs the command, for audit histories: $SUDO_USER, $USER, the login name.
std::string currentUser();
void progressLine(const std::string& line);

// A command: the store and the arguments after its name; returns the exit status.
using Runner = int (*)(const std::filesystem::path& store, const std::vector<std::string>& args);

}  // namespace kpi::cli
