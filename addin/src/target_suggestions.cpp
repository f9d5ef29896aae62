#include "target_suggestions.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>

namespace saleskpi::addin {
namespace {

constexpr std::array<std::string_view, 7> kTargetColumns{"employee_code", "kpi_code", "period_type", "valid_from",
                                                         "valid_to",      "target",   "weight"};

struct RelativePeriod {
    const char* keyword;
    LocalizedText label;
};
const std::array<RelativePeriod, 4>& relativePeriods() {
    static const std::array<RelativePeriod, 4> periods{{
        {"next_month", {"Next month", "Tháng sau"}},
        {"this_month", {"This month", "Tháng này"}},
        {"next_quarter", {"Next quarter", "Quý sau"}},
        {"next_week", {"Next week", "Tuần sau"}},
    }};
    return periods;
}

struct SuggestTexts {
    LocalizedText notAPeriod, noPeriod, noScope;
};
const SuggestTexts& texts() {
    static const SuggestTexts t{
        .notAPeriod = {"is not a period targets are suggested for. Choose one from the list, or write a month "
                       "(2026-12), a week (2026-W49), a quarter (2027-Q1) or a year (2027).",
                       "không phải là kỳ có thể gợi ý chỉ tiêu. Hãy chọn trong danh sách, hoặc nhập một tháng "
                       "(2026-12), một tuần (2026-W49), một quý (2027-Q1) hoặc một năm (2027)."},
        .noPeriod = {"Choose a period.", "Hãy chọn một kỳ."},
        .noScope = {"Choose whose targets to suggest.", "Hãy chọn nhân viên cần gợi ý chỉ tiêu."},
    };
    return t;
}

std::string trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return std::string(text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1));
}

std::string textOf(const SheetCell& cell) {
    if (const auto* s = std::get_if<std::string>(&cell.value)) return trimmed(*s);
    if (const auto* n = std::get_if<double>(&cell.value)) return plainDecimal(*n);
    return {};
}

// A valid_from cell as a day: a date cell, or a text YYYY-MM-DD.
std::optional<kpi::Day> dayOf(const SheetCell& cell, kpi::Day nullDate) {
    if (const auto* n = std::get_if<double>(&cell.value)) return nullDate + static_cast<kpi::Day>(std::floor(*n));
    if (const auto* s = std::get_if<std::string>(&cell.value)) return kpi::parseDay(trimmed(*s));
    return std::nullopt;
}

std::string columnLetters(int column) {
    std::string letters;
    for (int number = column + 1; number > 0; number = (number - 1) / 26)
        letters.insert(letters.begin(), static_cast<char>('A' + (number - 1) % 26));
    return letters;
}

std::string number(double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", value);
    return buf;
}

}  // namespace

std::optional<kpi::Period> suggestPeriod(std::string_view text, kpi::Day today) {
    using kpi::PeriodType;
    const std::string t = trimmed(text);
    if (t == "next_month") return kpi::periodContaining(PeriodType::Month, kpi::periodContaining(PeriodType::Month, today).last + 1);
    if (t == "this_month") return kpi::periodContaining(PeriodType::Month, today);
    if (t == "next_quarter")
        return kpi::periodContaining(PeriodType::Quarter, kpi::periodContaining(PeriodType::Quarter, today).last + 1);
    if (t == "next_week") return kpi::periodContaining(PeriodType::Week, kpi::periodContaining(PeriodType::Week, today).last + 1);
    const auto period = kpi::parsePeriod(t);
    if (!period || !(period->type == PeriodType::Week || period->type == PeriodType::Month ||
                     period->type == PeriodType::Quarter || period->type == PeriodType::Year))
        return std::nullopt;
    return period;
}

SuggestChoices suggestChoices(const std::vector<kpi::EmployeeInfo>& employees, kpi::Day today, Language language) {
    SuggestChoices choices;
    for (const auto& p : relativePeriods())
        choices.periods.push_back(
            {p.keyword, std::string(p.label.in(language)) + " (" + kpi::formatPeriod(*suggestPeriod(p.keyword, today)) + ")"});
    choices.scopes = reportSheetChoices(employees, {}, language).scopes;
    return choices;
}

SuggestCheck checkSuggestEntry(const SuggestEntry& entry, const SuggestChoices& choices, kpi::Day today,
                               Language language) {
    const SuggestTexts& t = texts();
    std::string period = trimmed(entry.period);
    if (period.empty()) return {std::nullopt, std::string(t.noPeriod.in(language))};
    for (const auto& option : choices.periods)
        if (period == option.label) period = option.value;
    const auto resolved = suggestPeriod(period, today);
    if (!resolved) {
        std::string problem(1, '\'');
        problem += trimmed(entry.period);
        problem += "' ";
        problem += t.notAPeriod.in(language);
        return {std::nullopt, problem};
    }
    if (entry.scope < 0 || entry.scope >= static_cast<int>(choices.scopes.size()))
        return {std::nullopt, std::string(t.noScope.in(language))};
    return {SuggestRequest{*resolved, choices.scopes[static_cast<size_t>(entry.scope)].value}, {}};
}

SuggestionPlan planSuggestions(const std::vector<std::vector<SheetCell>>& rows,
                               const std::vector<kpi::Recommendation>& suggestions, kpi::Day nullDate,
                               Language language) {
    SuggestionPlan plan;
    // Row 1: where each column is; missing names go after the last named one.
    std::map<std::string, int, std::less<>> columnOf;
    int nextColumn = 0;
    if (!rows.empty())
        for (size_t c = 0; c < rows[0].size(); ++c) {
            const std::string name = textOf(rows[0][c]);
            if (name.empty()) continue;
            columnOf.emplace(name, static_cast<int>(c));
            nextColumn = static_cast<int>(c) + 1;
        }
    auto column = [&](std::string_view name) {
        auto it = columnOf.find(name);
        if (it != columnOf.end()) return it->second;
        const int c = nextColumn++;
        columnOf.emplace(std::string(name), c);
        plan.writes.push_back({0, c, SheetWrite::Kind::Text, std::string(name), 0});
        return c;
    };
    for (auto name : kTargetColumns) column(name);
    for (auto name : kSuggestionColumns) column(name);

    // The rows the sheet has, by their key.
    using Key = std::tuple<std::string, std::string, std::string, kpi::Day>;
    std::map<Key, int> rowOf;
    int nextRow = std::max<int>(1, static_cast<int>(rows.size()));
    auto cellAt = [&](size_t r, std::string_view name) -> const SheetCell* {
        const size_t c = static_cast<size_t>(columnOf.at(std::string(name)));
        return c < rows[r].size() ? &rows[r][c] : nullptr;
    };
    for (size_t r = 1; r < rows.size(); ++r) {
        const SheetCell* employee = cellAt(r, "employee_code");
        const SheetCell* kpiCode = cellAt(r, "kpi_code");
        const SheetCell* type = cellAt(r, "period_type");
        const SheetCell* from = cellAt(r, "valid_from");
        if (!employee || !kpiCode || !type || !from) continue;
        if (auto day = dayOf(*from, nullDate))
            rowOf.emplace(Key{textOf(*employee), textOf(*kpiCode), textOf(*type), *day}, static_cast<int>(r));
    }

    const std::string lang = language == Language::Vietnamese ? "vi" : "en";
    const std::string targetCell = columnLetters(columnOf.at("target"));
    const std::string suggestedCell = columnLetters(columnOf.at("suggested"));
    const std::string p10Cell = columnLetters(columnOf.at("p10"));
    const std::string p50Cell = columnLetters(columnOf.at("p50"));
    const std::string p90Cell = columnLetters(columnOf.at("p90"));
    for (const kpi::Recommendation& r : suggestions) {
        const std::string type(kpi::periodTypeName(r.period.type));
        if (!r.target) {
            ++plan.withoutBasis;
            continue;
        }
        auto found = rowOf.find(Key{r.employeeCode, r.kpiCode, type, r.period.first});
        int row = 0;
        if (found != rowOf.end()) {
            row = found->second;
            ++plan.reviewed;
        } else {
            row = nextRow++;
            ++plan.added;
            plan.writes.push_back({row, column("employee_code"), SheetWrite::Kind::Text, r.employeeCode, 0});
            plan.writes.push_back({row, column("kpi_code"), SheetWrite::Kind::Text, r.kpiCode, 0});
            plan.writes.push_back({row, column("period_type"), SheetWrite::Kind::Text, type, 0});
            plan.writes.push_back({row, column("valid_from"), SheetWrite::Kind::Date, {}, double(r.period.first - nullDate)});
            plan.writes.push_back({row, column("valid_to"), SheetWrite::Kind::Date, {}, double(r.period.last - nullDate)});
            plan.writes.push_back({row, column("target"), SheetWrite::Kind::Number, {}, *r.target});
            plan.writes.push_back({row, column("weight"), SheetWrite::Kind::Number, {}, r.weight});
        }
        // P10–P90 on the footing of `target`: a joiner's are scaled to the full period.
        const double scale = r.effectiveTarget && *r.effectiveTarget > 0 ? *r.target / *r.effectiveTarget : 1.0;
        plan.writes.push_back({row, column("suggested"), SheetWrite::Kind::Number, {}, *r.target});
        plan.writes.push_back({row, column("p10"), SheetWrite::Kind::Number, {}, r.p10 * scale});
        plan.writes.push_back({row, column("p50"), SheetWrite::Kind::Number, {}, r.p50 * scale});
        plan.writes.push_back({row, column("p90"), SheetWrite::Kind::Number, {}, r.p90 * scale});
        // The chance of the row's target: the engine's for the suggestion, else
        // read off P10 (90 %), P50 (50 %) and P90 (10 %), straight between them;
        // none without a spread (too few past forecasts: `why` says so).
        if (!r.probability) {
            plan.writes.push_back({row, column("probability"), SheetWrite::Kind::Text, {}, 0});
            plan.writes.push_back({row, column("why"), SheetWrite::Kind::Text, kpi::explainRecommendation(r, lang), 0});
            continue;
        }
        const std::string n = std::to_string(row + 1);
        const std::string f = targetCell + n, h = suggestedCell + n, i = p10Cell + n, j = p50Cell + n, k = p90Cell + n;
        const std::string formula = "=IF(" + f + "=\"\";\"\";IF(" + f + "=" + h + ";" + number(*r.probability) +
                                    ";IF(" + f + "<=" + i + ";0.9;IF(" + f + "<=" + j + ";0.9-0.4*(" + f + "-" + i +
                                    ")/MAX(" + j + "-" + i + ";1E-9);IF(" + f + "<" + k + ";0.5-0.4*(" + f + "-" + j +
                                    ")/MAX(" + k + "-" + j + ";1E-9);0.1)))))";
        plan.writes.push_back({row, column("probability"), SheetWrite::Kind::Formula, formula, 0});
        plan.writes.push_back({row, column("why"), SheetWrite::Kind::Text, kpi::explainRecommendation(r, lang), 0});
    }
    return plan;
}

}  // namespace saleskpi::addin
