// SalesKPI ▸ Export statements… without UNO: what its dialog offers, how its
// entry is read, who of a team gets a statement, what each statement's PDF is
// called, and how one person's statement (kpi::Statement, the engine's: the
// figures are never computed here) is laid out as rows of the statement
// template (templates/statement-<language>.fods).
//
// The template is a sheet with placeholders `{name}` and, on its sheet
// `Rows`, one prototype row per kind of line (column A names the kind). The
// exporter copies a kind's prototype row for each StatementRow and replaces
// the placeholders with the row's fields; `{name}`s of the first sheet take
// the header's fields. Every value is text already formatted for the language
// (numbers with its thousands separator and decimal mark: "4,125,000",
// "1.05" in English, "4.125.000", "1,05" in Vietnamese; at most 6 decimals
// as `kpi statement` prints them; amounts in whole VND).
//
// Thread-safety: pure functions over values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "function_catalog.hpp"
#include "kpi/engine.hpp"
#include "kpi/period.hpp"
#include "kpi/rewards.hpp"
#include "report_sheet_form.hpp"

namespace saleskpi::addin {

// --- The dialog -------------------------------------------------------------

struct StatementExportChoices {
    std::vector<FormOption> teams;    // everyone ("*"), then each manager's team, by code
    std::vector<FormOption> periods;  // last month (the default), this month, last quarter, this quarter, last year
};
StatementExportChoices statementExportChoices(const std::vector<kpi::EmployeeInfo>& employees, kpi::Day today,
                                              Language language);

// last_month, this_month, last_quarter, this_quarter, last_year on `today`, or
// a MONTH, QUARTER or YEAR of the period grammar (a pay period, SPEC §9).
std::optional<kpi::Period> statementPeriod(std::string_view text, kpi::Day today);

struct StatementExportEntry {
    int team = -1;       // a position in `teams`
    std::string period;  // a label or keyword of `periods`, or a period typed
    std::string folder;  // a path, or a file:// URL
};
struct StatementExportRequest {
    std::string team;     // a manager's code; "*" for everyone
    kpi::Period period{};
    std::string folder;   // a path (a URL as the user typed it stays a URL: the exporter converts)
};
struct StatementExportCheck {
    std::optional<StatementExportRequest> request;
    std::string problem;  // for the user, in the dialog's language
};
StatementExportCheck checkStatementExportEntry(const StatementExportEntry& entry,
                                               const StatementExportChoices& choices, kpi::Day today,
                                               Language language);

// The team a request names, as employee codes: the manager and everyone below
// (the manager first, then by code), or every employee for "*". Throws
// kpi::Error InvalidArgument for an unknown manager.
std::vector<std::string> statementTeam(const kpi::Engine& engine, const std::string& team);

// Whether the statement has anything to pay or explain: a plan applied in the
// period, or an adjustment is due. People without are left out of an export.
bool hasRewardLines(const kpi::Statement& statement);

// "<employee code> <name> <period>.pdf", e.g. "NV02 Lê Hoàng Phúc 2026-11.pdf":
// diacritics kept; path separators, characters Windows shares refuse
// (<>:"/\|?*) and control characters replaced by '_'; a leading dot dropped.
std::string statementFileName(const kpi::Statement& statement);

// The folder offered by default: "<document folder>/<Statements|Phiếu thưởng> <period>"
// (the document's folder may be empty: then the user's documents folder is
// passed in its place).
std::string defaultStatementFolder(const std::string& besideFolder, const kpi::Period& period, Language language);

// --- The template's content -------------------------------------------------

// The kinds of line, as the template's Rows sheet names its prototypes.
inline constexpr std::string_view kStatementRowKinds[] = {
    "plan", "incentive", "components", "component", "gate", "adjustment", "total", "noplan", "sources", "source",
};

struct StatementRow {
    std::string kind;                           // one of kStatementRowKinds
    std::map<std::string, std::string> fields;  // placeholder name → text
};

struct StatementLayout {
    // employee, employee_code, employee_name, role, department, period,
    // period_range, status, total, generated
    std::map<std::string, std::string> header;
    std::vector<StatementRow> rows;
};

// The statement as the template's rows, in the language. `generated` is the
// local date-time shown as when the statement was made.
StatementLayout layoutStatement(const kpi::Statement& statement, Language language, const std::string& generated);

// Replaces each {name} of `text` with fields[name]; unknown names stay.
std::string fillPlaceholders(std::string_view text, const std::map<std::string, std::string>& fields);

// The export's messages, in the UI language.
struct StatementExportTexts {
    LocalizedText cannot, notLoaded, running, shuttingDown, cancelled, noTeam, unknownTeam, noPeriod, notAPayPeriod,
        noFolder, folderUnwritable, noPlans, exported, leftOut, progress, noTemplate, everyone, teamOf, lastMonth,
        thisMonth, lastQuarter, thisQuarter, lastYear, folderName;
};
const StatementExportTexts& statementExportTexts();

}  // namespace saleskpi::addin
