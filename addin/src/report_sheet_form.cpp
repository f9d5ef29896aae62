#include "report_sheet_form.hpp"

#include <array>

namespace saleskpi::addin {
namespace {

// A daily_sales sheet has one column per day (as report_sheets.cpp allows).
constexpr kpi::Day kMaxDailyDays = 366;

constexpr std::array<ReportKind, 5> kKinds{ReportKind::DailySales, ReportKind::Attainment, ReportKind::Ranking,
                                           ReportKind::Employees, ReportKind::TargetHealth};

struct PeriodText {
    const char* keyword;
    LocalizedText label;
};
const std::array<PeriodText, 4>& relativePeriods() {
    static const std::array<PeriodText, 4> periods{{
        {"today", {"Today", "Hôm nay"}},
        {"this_week", {"This week", "Tuần này"}},
        {"this_month", {"This month", "Tháng này"}},
        {"last_month", {"Last month", "Tháng trước"}},
    }};
    return periods;
}

struct FormTexts {
    LocalizedText everyone, teamOf, fromCell, noName, notAPeriod, noPeriod, tooLong, noKpi, noKind, noScope,
        badSheetName, isReportSheet, sheetTaken;
};
const FormTexts& texts() {
    static const FormTexts t{
        .everyone = {"Everyone", "Toàn công ty"},
        .teamOf = {"Team of", "Nhóm của"},
        .fromCell = {"From cell", "Theo ô"},
        .noName = {"Give the sheet a name.", "Hãy đặt tên cho trang."},
        .notAPeriod = {"is not a period. Choose one from the list, or write a period such as 2026-11, 2026-W48, "
                       "2026-Q4, 2026, 2026-11-27 or 2026-11-01..2026-11-20.",
                       "không phải là một kỳ. Hãy chọn trong danh sách, hoặc nhập một kỳ như 2026-11, 2026-W48, "
                       "2026-Q4, 2026, 2026-11-27 hoặc 2026-11-01..2026-11-20."},
        .noPeriod = {"Choose a period.", "Hãy chọn một kỳ."},
        .tooLong = {"A daily sales sheet shows at most 366 days: choose a shorter period.",
                    "Trang doanh số theo ngày hiển thị tối đa 366 ngày: hãy chọn kỳ ngắn hơn."},
        .noKpi = {"Choose at least one KPI.", "Hãy chọn ít nhất một KPI."},
        .noKind = {"Choose what the sheet shows.", "Hãy chọn loại báo cáo."},
        .noScope = {"Choose whose figures the sheet shows.", "Hãy chọn phạm vi nhân viên."},
        .badSheetName = {"A sheet name cannot hold any of [ ] * ? : / \\ | or a line break.",
                         "Tên trang không được chứa [ ] * ? : / \\ | hay dấu xuống dòng."},
        .isReportSheet = {"is a report sheet already: open it and choose SalesKPI ▸ Edit report sheet… to change it.",
                          "đã là một trang báo cáo: hãy mở trang đó và chọn SalesKPI ▸ Sửa trang báo cáo… để "
                          "thay đổi."},
        .sheetTaken = {"is a sheet of the document already: choose another name (the extension writes the whole "
                       "sheet).",
                       "đã là một trang của tài liệu: hãy chọn tên khác (tiện ích ghi đè toàn bộ trang)."},
    };
    return t;
}

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string inQuotes(const std::string& text) { return "'" + text + "'"; }

ReportSheetCheck refused(std::string problem) { return {std::nullopt, std::move(problem)}; }

}  // namespace

bool reportKindUsesKpis(ReportKind kind) { return kind == ReportKind::DailySales || kind == ReportKind::Attainment; }

ReportSheetChoices reportSheetChoices(const std::vector<kpi::EmployeeInfo>& employees,
                                      const std::vector<kpi::KpiInfo>& kpis, Language language) {
    ReportSheetChoices choices;
    for (const ReportKind kind : kKinds)
        choices.kinds.push_back({std::string(reportKindName(kind)), std::string(reportKindTitle(kind, language))});
    for (const auto& period : relativePeriods())
        choices.periods.push_back({period.keyword, std::string(period.label.in(language))});

    std::set<std::string> managers;
    for (const auto& employee : employees)
        if (!employee.managerCode.empty()) managers.insert(employee.managerCode);
    choices.scopes.push_back({"*", std::string(texts().everyone.in(language))});
    for (const auto& employee : employees) {
        std::string label = employee.code + " " + employee.name;
        if (managers.count(employee.code)) label = std::string(texts().teamOf.in(language)) + " " + label;
        choices.scopes.push_back({employee.code, label});
    }
    for (const auto& info : kpis) {
        const std::string& name = language == Language::Vietnamese && !info.nameVi.empty() ? info.nameVi : info.nameEn;
        choices.kpis.push_back({info.code, name.empty() || name == info.code ? info.code : info.code + " — " + name});
    }
    return choices;
}

ReportSheetChoices withCellsOf(ReportSheetChoices choices, const ReportDefinition& report, Language language) {
    if (const auto cell = parseCellReference(report.scope))
        choices.scopes.push_back({report.scope, std::string(texts().fromCell.in(language)) + " " +
                                                    formatCellReference(*cell)});
    return choices;
}

ReportSheetEntry entryOf(const ReportDefinition& report, const ReportSheetChoices& choices) {
    const auto position = [](const std::vector<FormOption>& options, const std::string& value) {
        for (std::size_t i = 0; i < options.size(); ++i)
            if (options[i].value == value) return static_cast<int>(i);
        return -1;
    };
    ReportSheetEntry entry;
    entry.sheet = report.sheet;
    entry.kind = position(choices.kinds, std::string(reportKindName(report.kind)));
    const int relative = position(choices.periods, report.period);
    entry.period = relative >= 0 ? choices.periods[static_cast<std::size_t>(relative)].label : report.period;
    entry.scope = position(choices.scopes, report.scope);
    for (const auto& code : report.kpis)
        if (const int kpi = position(choices.kpis, code); kpi >= 0) entry.kpis.push_back(kpi);
    return entry;
}

ReportSheetCheck checkReportSheetEntry(const ReportSheetEntry& entry, const ReportSheetChoices& choices,
                                       const ReportSheetPlace& place, kpi::Day today, Language language) {
    const FormTexts& t = texts();
    const auto in = [language](const LocalizedText& text) { return std::string(text.in(language)); };
    ReportDefinition report;

    report.sheet = place.editing ? *place.editing : trimmed(entry.sheet);
    if (report.sheet.empty()) return refused(in(t.noName));
    if (report.sheet.find_first_of("[]*?:/\\|\n\r") != std::string::npos) return refused(in(t.badSheetName));
    if (!place.editing) {
        if (place.reportSheets.count(report.sheet))
            return refused(inQuotes(report.sheet) + " " + in(t.isReportSheet));
        if (place.documentSheets.count(report.sheet))
            return refused(inQuotes(report.sheet) + " " + in(t.sheetTaken));
    }

    if (entry.kind < 0 || entry.kind >= static_cast<int>(choices.kinds.size())) return refused(in(t.noKind));
    report.kind = *parseReportKind(choices.kinds[static_cast<std::size_t>(entry.kind)].value);

    const std::string period = trimmed(entry.period);
    if (period.empty()) return refused(in(t.noPeriod));
    report.period = period;
    for (const auto& option : choices.periods)
        if (period == option.label || period == option.value) report.period = option.value;
    if (isCellReference(report.period)) {
        // The period a cell of the document holds (a definition edited, or
        // typed so): read when the sheet is written, problems said there.
        if (!parseCellReference(report.period)) return refused(inQuotes(period) + " " + in(t.notAPeriod));
    } else {
        const auto resolved = resolveReportPeriod(report.period, today);
        if (!resolved) return refused(inQuotes(period) + " " + in(t.notAPeriod));
        if (report.kind == ReportKind::DailySales && resolved->last - resolved->first + 1 > kMaxDailyDays)
            return refused(in(t.tooLong));
    }

    if (entry.scope < 0 || entry.scope >= static_cast<int>(choices.scopes.size())) return refused(in(t.noScope));
    report.scope = choices.scopes[static_cast<std::size_t>(entry.scope)].value;

    if (reportKindUsesKpis(report.kind)) {
        for (const int kpi : entry.kpis)
            if (kpi >= 0 && kpi < static_cast<int>(choices.kpis.size()))
                report.kpis.push_back(choices.kpis[static_cast<std::size_t>(kpi)].value);
        if (report.kpis.empty()) return refused(in(t.noKpi));
    }
    return {report, {}};
}

}  // namespace saleskpi::addin
