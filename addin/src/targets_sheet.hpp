// Targets from Calc (SPEC §8): a sheet laid out like targets.csv published to
// the store through the very import a targets.csv file goes through — the same
// validation, all-or-nothing, and the same audit history. Nothing here checks a
// target itself: the import does.
//
// This part knows nothing of UNO: the add-in reads the sheet's cells on the
// main thread (targets_publisher), turns them into CSV text here, and runs
// publishTargets() on a worker thread.
//
// Thread-safety: pure functions, except publishTargets(), which does file and
// store I/O (never call it on the office's main thread).
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "kpi/date.hpp"

namespace saleskpi::addin {

inline constexpr std::string_view kTargetsSheetName = "Targets";

// Columns SalesKPI ▸ Suggest targets… fills for review (target_suggestions.hpp),
// by their names in row 1: they are not sent to the import.
inline constexpr std::array<std::string_view, 6> kSuggestionColumns{"suggested", "p10",         "p50",
                                                                    "p90",       "probability", "why"};
bool isSuggestionColumn(std::string_view name);

// One cell as Calc holds it. A number shown as a date (a date cell) is a
// serial day count from the document's null date.
struct SheetCell {
    std::variant<std::monostate, double, std::string> value;
    bool isDate = false;
};

// The sheet as the text of a targets.csv file. Row 1 of the sheet is the
// header: the columns with a name in it (but the review columns above) are
// written, in the sheet's order
// (the import matches them by name and reports unknown or missing ones).
// Rows empty in those columns are left out. Date cells become YYYY-MM-DD,
// other numbers plain decimals (1000000, 0.5), texts stay as they are (quoted
// when needed).
struct TargetsCsv {
    std::string text;
    // The sheet row (1-based) of the record starting on each physical CSV line.
    std::map<long long, long long> sheetRowOfLine;
    std::size_t targetRows = 0;  // records below the header
};

// rows[0] is the sheet's row 1; each row holds the cells from column A.
TargetsCsv targetsCsvFromSheet(const std::vector<std::vector<SheetCell>>& rows, kpi::Day nullDate);

// A number as an interchange CSV field: no exponent, no thousands separator,
// no trailing zeros; whole numbers without a decimal point.
std::string plainDecimal(double value);

// Rewrites every "CSVPATH:LINE" in an import message as "SHEET row R".
std::string inSheetTerms(std::string_view message, const std::string& csvPath, const TargetsCsv& csv,
                         std::string_view sheet);

struct TargetsPublication {
    bool published = false;
    // For the user: what happened, then one line per problem or warning,
    // naming sheet rows ("Targets row 4: unknown employee 'SR99'").
    std::string message;
};

// Imports the CSV into the store as targets.csv (written to a private
// temporary folder, removed afterwards) with `user` in the audit history.
// Every failure is described in the result; never throws.
TargetsPublication publishTargets(const std::filesystem::path& store, const TargetsCsv& csv, const std::string& user,
                                  std::string_view sheet);

// Who is recorded in the audit history: "given surname" from the office's
// user profile, or, when both are empty, the login name.
std::string auditUserName(std::string_view givenName, std::string_view surname, const std::string& login);
// The login name of the process's user; "unknown" when there is none.
std::string loginName();

}  // namespace saleskpi::addin
