// SalesKPI ▸ Suggest targets… (kpi/recommend.hpp in Calc): what its dialog
// offers, how the entry is read, and what it writes into the Targets sheet.
//
// The Targets sheet keeps the columns of targets.csv (targets_sheet.hpp) and
// gains, to their right, columns the extension fills for review and the import
// leaves out: suggested (the recommended target, as a targets.csv value),
// p10, p50, p90 (the expected actual, on the same full-period footing as
// `target`), probability (a formula: the chance of reaching the row's target
// as it stands — exact for the suggested value, read off P10/P50/P90 for an
// edited one) and why (the one line that explains the number).
//
// Suggesting never changes a target the sheet already has: a row with the
// same employee, KPI, period type and valid_from gets the review columns only;
// a target not in the sheet gets a new row whose target is the suggestion.
//
// Thread-safety: pure functions over values.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "function_catalog.hpp"
#include "kpi/engine.hpp"
#include "kpi/period.hpp"
#include "kpi/recommend.hpp"
#include "report_sheet_form.hpp"
#include "targets_sheet.hpp"

namespace saleskpi::addin {

struct SuggestChoices {
    std::vector<FormOption> periods;  // next month, this month, next quarter, next week (labels show the period)
    std::vector<FormOption> scopes;   // everyone, then every employee (a manager as their team)
};
SuggestChoices suggestChoices(const std::vector<kpi::EmployeeInfo>& employees, kpi::Day today, Language language);

// next_month, this_month, next_quarter, next_week on `today`, or a week,
// month, quarter or year of the period grammar.
std::optional<kpi::Period> suggestPeriod(std::string_view text, kpi::Day today);

struct SuggestEntry {
    std::string period;  // a label or keyword of `periods`, or a period typed
    int scope = -1;      // a position in `scopes`
};
struct SuggestRequest {
    kpi::Period period{};
    std::string scope;  // an employee code, "*" for everyone
};
struct SuggestCheck {
    std::optional<SuggestRequest> request;
    std::string problem;  // for the user, in the dialog's language
};
SuggestCheck checkSuggestEntry(const SuggestEntry& entry, const SuggestChoices& choices, kpi::Day today,
                               Language language);

// One cell to write. Rows and columns are 0-based (row 0 is the header).
struct SheetWrite {
    enum class Kind { Text, Number, Date, Formula };
    int row = 0, column = 0;
    Kind kind = Kind::Text;
    std::string text;   // Text, Formula (Calc's API grammar: English names, ';')
    double number = 0;  // Number; Date: the serial day from the document's null date

    bool operator==(const SheetWrite&) const = default;
};

struct SuggestionPlan {
    std::vector<SheetWrite> writes;
    int added = 0;    // new rows
    int reviewed = 0; // rows the sheet had, their target kept
    int withoutBasis = 0;  // suggestions with no target (no history): left out
};

// What to write into the sheet (`rows`: its used area, row 1 first) for the
// suggestions. Missing column names are added to row 1 after the last named
// column; new rows go below the last used row.
SuggestionPlan planSuggestions(const std::vector<std::vector<SheetCell>>& rows,
                               const std::vector<kpi::Recommendation>& suggestions, kpi::Day nullDate,
                               Language language);

}  // namespace saleskpi::addin
