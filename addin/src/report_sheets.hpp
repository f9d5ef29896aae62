// Report sheets (SPEC §8): sheets whose content the extension owns and
// rewrites on each refresh. Their definitions live in the document as the
// user-defined property SalesKPI.Reports, one line per sheet:
//
//   SHEET NAME|KIND|PERIOD|SCOPE|KPIS
//
// KIND daily_sales, attainment, ranking, employees or target_health (its
// content reads the store: target_health_report.hpp); PERIOD this_month,
// last_month, this_week, today or a period of the SPEC grammar; SCOPE an
// employee code (their subtree) or *; KPIS comma-separated KPI codes (empty
// for ranking and employees). PERIOD and SCOPE may instead name a cell of the
// document, "=" then the cell as Calc writes it (=$Overview.$B$4): the report
// then shows what that cell holds (report_documents reads it).
//
// This part knows nothing of UNO: it parses definitions and computes what a
// sheet shows from a loaded engine, as a table whose row 1 is a title, row 2
// the headers and rows 3… the data (report_documents writes it into Calc).
//
// Thread-safety: pure functions, except buildReport(), which uses the engine
// (call it inside EngineHost::tryQuery()) and, for target_health, reads the
// store (call that one off the main thread: target_health_sheets.hpp does).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "function_catalog.hpp"
#include "kpi/date.hpp"
#include "kpi/engine.hpp"
#include "kpi/period.hpp"

namespace saleskpi::addin {

inline constexpr std::string_view kReportsProperty = "SalesKPI.Reports";

enum class ReportKind { DailySales, Attainment, Ranking, Employees, TargetHealth };

std::string_view reportKindName(ReportKind kind);  // "daily_sales", …
std::optional<ReportKind> parseReportKind(std::string_view name);
// What a report of the kind is called in its title ("KPI attainment"): also
// the name of a sheet the command Add report sheet adds.
std::string_view reportKindTitle(ReportKind kind, Language language);

struct ReportDefinition {
    std::string sheet;
    ReportKind kind = ReportKind::Attainment;
    std::string period;  // as written: this_month, 2026-11, … or a cell reference
    std::string scope;   // an employee code, "*" or a cell reference
    std::vector<std::string> kpis;

    bool operator==(const ReportDefinition&) const = default;
};

// One line of SalesKPI.Reports that could not be read: the sheet it names (if
// any) shows `problem` in its title row.
struct ReportDefinitionProblem {
    std::string sheet;  // empty when the line names no sheet
    std::string problem;
};

struct ReportDefinitions {
    std::vector<ReportDefinition> reports;
    std::vector<ReportDefinitionProblem> problems;
};

// Lines are separated by "\n" ("\r\n" is tolerated); blank lines are skipped;
// spaces around fields are trimmed. A second line for a sheet already defined
// is a problem. Never throws.
ReportDefinitions parseReportDefinitions(std::string_view property);
std::string formatReportDefinition(const ReportDefinition& report);
// The codes of a KPIS field: split at commas, trimmed, empty ones dropped.
std::vector<std::string> parseKpiCodes(std::string_view field);
// The property with the report's line in place of the line that defines the
// same sheet, or appended; other lines are kept as they are, blank ones dropped.
std::string withReportDefinition(std::string_view property, const ReportDefinition& report);

// A cell of the document a PERIOD or SCOPE field takes its value from. The
// field starts with "=" (no period does, nor do codes in practice; a code
// that did could not be a fixed SCOPE), then
// the cell as Calc writes it: =$Overview.$B$4, =Overview.B4, ='Tổng quan'.$B$4
// (a sheet name with spaces or dots in single quotes, '' for a quote in it).
struct CellReference {
    std::string sheet;
    int column = 0;  // 0-based: A is 0
    int row = 0;     // 0-based: row 1 is 0

    bool operator==(const CellReference&) const = default;
};

// Whether a field is meant as a cell reference (it starts with "=").
bool isCellReference(std::string_view field);
// The cell a field names; nullopt when it is not a cell reference or a
// malformed one (no sheet, no cell, a column beyond XFD…).
std::optional<CellReference> parseCellReference(std::string_view field);
// The cell as Calc shows it: $Overview.$B$4, $'Tổng quan'.$B$4.
std::string formatCellReference(const CellReference& cell);

// The definition a report is built from once its cell fields are read: the
// text of the cell (trimmed) in place of the reference, and for an empty cell
// the default — "*" for SCOPE, this_month for PERIOD. `periodCell` and
// `scopeCell` are the cells' texts (ignored for fields that name no cell).
ReportDefinition withCellValues(ReportDefinition report, std::string_view periodCell, std::string_view scopeCell);

// True when no order or visit of the data lies in or after the period's first
// day (latestActivity is DataState::latestActivity; empty = no data at all):
// "this month" on its first morning. Reports and the sidebar say so plainly
// instead of leaving a reader to wonder why every figure is 0.
bool nothingYetIn(const kpi::Period& period, std::string_view latestActivity);

// The period a report shows on `today`: this_month, last_month, this_week and
// today follow the calendar; anything else must be a period of the SPEC
// grammar. nullopt when it is neither.
std::optional<kpi::Period> resolveReportPeriod(std::string_view text, kpi::Day today);

// A cell of a report: empty, a number or a text.
using ReportCell = std::variant<std::monostate, double, std::string>;

// How a column's data cells are formatted when the sheet has no format of its
// own there (a template's formats are kept).
enum class ColumnFormat {
    General,
    Integer,  // #,##0: whole numbers (amounts in VND, counts)
    Percent,  // 0.0%: attainment, score
};

struct ReportTable {
    std::vector<std::vector<ReportCell>> rows;    // rows[0]: {title}; rows[1]: headers; data from rows[2]
    std::vector<ColumnFormat> formats;            // per column of the data rows
    std::optional<std::size_t> attainmentColumn;  // gets conditional colours

    std::size_t columnCount() const;
    bool operator==(const ReportTable&) const = default;
};

// The table for one definition at `today`, in the document's language. An
// unknown scope or KPI, a malformed period or a missing KPI list gives a
// table of just the title, which says what is wrong. Throws only what the
// engine throws for other reasons.
ReportTable buildReport(kpi::Engine& engine, const ReportDefinition& report, kpi::Day today, Language language);

// The table of a line that could not be read: its title says why.
ReportTable problemReport(const std::string& sheet, const std::string& problem, Language language);

}  // namespace saleskpi::addin
