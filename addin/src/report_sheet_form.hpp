// What the dialog SalesKPI ▸ Add report sheet… / Edit report sheet… offers and
// how it reads the user's entries back into a report definition
// (report_sheets.hpp). The dialog itself (report_sheet_dialog.*) only moves
// these texts and indexes in and out of its controls.
//
// Choices come from the store's figures already in memory (employees and KPIs
// of a loaded engine), so opening the dialog reads no file.
//
// Thread-safety: pure functions over values.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "function_catalog.hpp"
#include "kpi/date.hpp"
#include "kpi/engine.hpp"
#include "report_sheets.hpp"

namespace saleskpi::addin {

// One entry of a list in the dialog: what the definition stores, what the user sees.
struct FormOption {
    std::string value;
    std::string label;

    bool operator==(const FormOption&) const = default;
};

struct ReportSheetChoices {
    std::vector<FormOption> kinds;    // the four kinds, by their titles
    std::vector<FormOption> periods;  // today, this week, this month, last month (a fixed period is typed)
    std::vector<FormOption> scopes;   // "*" (everyone), then every employee: a manager as their team
    std::vector<FormOption> kpis;     // every KPI of the store
};

// `employees` in the engine's order (a manager before their team).
ReportSheetChoices reportSheetChoices(const std::vector<kpi::EmployeeInfo>& employees,
                                      const std::vector<kpi::KpiInfo>& kpis, Language language);

// What the user entered: the sheet name and period as typed, the rest as
// positions in the lists of ReportSheetChoices (-1: nothing chosen).
struct ReportSheetEntry {
    std::string sheet;
    int kind = -1;
    std::string period;  // a label of `periods`, one of their keywords, or a fixed period
    int scope = -1;
    std::vector<int> kpis;

    bool operator==(const ReportSheetEntry&) const = default;
};

// The choices with, for a definition whose SCOPE names a cell
// (=$Overview.$B$4), that cell as one more scope ("From cell $Overview.$B$4"),
// so that editing the definition shows it and keeps it. A PERIOD naming a
// cell needs nothing: it is shown as typed, and checkReportSheetEntry accepts
// a cell reference as a period.
ReportSheetChoices withCellsOf(ReportSheetChoices choices, const ReportDefinition& report, Language language);

// The entry that shows an existing definition (Edit report sheet…). A scope or
// KPI the store does not know is left unchosen.
ReportSheetEntry entryOf(const ReportDefinition& report, const ReportSheetChoices& choices);

// Where the sheet goes: the document's sheets and report sheets, and, when
// editing, the report sheet edited (its name cannot change).
struct ReportSheetPlace {
    std::set<std::string> documentSheets;
    std::set<std::string> reportSheets;
    std::optional<std::string> editing;
};

// The definition the entry makes, or why it makes none — a message for the
// user in `language`, e.g. that '2026-13' is not a period.
struct ReportSheetCheck {
    std::optional<ReportDefinition> definition;
    std::string problem;
};
ReportSheetCheck checkReportSheetEntry(const ReportSheetEntry& entry, const ReportSheetChoices& choices,
                                       const ReportSheetPlace& place, kpi::Day today, Language language);

// Whether a kind lists KPIs (daily_sales, attainment); the dialog greys the
// KPI list out for the others.
bool reportKindUsesKpis(ReportKind kind);

}  // namespace saleskpi::addin
