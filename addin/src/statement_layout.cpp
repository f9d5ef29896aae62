#include "statement_layout.hpp"

#include <algorithm>
#include <set>

#include "kpi/error.hpp"
#include "sidebar_view.hpp"

namespace saleskpi::addin {
namespace {

std::string in(const LocalizedText& text, Language language) { return std::string(text.in(language)); }

std::string trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

struct RelativePeriod {
    std::string_view keyword;
    LocalizedText StatementExportTexts::*label;
};
constexpr RelativePeriod kRelativePeriods[] = {
    {"last_month", &StatementExportTexts::lastMonth},     {"this_month", &StatementExportTexts::thisMonth},
    {"last_quarter", &StatementExportTexts::lastQuarter}, {"this_quarter", &StatementExportTexts::thisQuarter},
    {"last_year", &StatementExportTexts::lastYear},
};

std::string range(const kpi::Period& p) { return kpi::formatDay(p.first) + ".." + kpi::formatDay(p.last); }

// Numbers as `kpi statement` prints them (at most 6 decimals), in the
// language's separators; an absent figure is a dash.
std::string figure(const std::optional<double>& value, Language language) {
    return value ? formatNumber(*value, 6, language) : std::string("–");
}
std::string money(long long amount, Language language) {
    return formatNumber(static_cast<double>(amount), 0, language);
}

const std::string& either(const std::string& preferred, const std::string& other) {
    return preferred.empty() ? other : preferred;
}

}  // namespace

const StatementExportTexts& statementExportTexts() {
    static const StatementExportTexts t{
        .cannot = {"Cannot export statements: ", "Không thể xuất phiếu thưởng: "},
        .notLoaded = {"the store's figures are not loaded yet (try again in a moment)",
                      "số liệu của kho dữ liệu chưa được nạp xong (hãy thử lại sau giây lát)"},
        .running = {"another export is still running; try again when it has finished",
                    "một lần xuất khác vẫn đang chạy; hãy thử lại khi xong"},
        .shuttingDown = {"the office is shutting down", "ứng dụng đang đóng"},
        .cancelled = {"No statements were exported.", "Không có phiếu thưởng nào được xuất."},
        .noTeam = {"Choose a team.", "Hãy chọn một nhóm."},
        .unknownTeam = {"unknown manager", "không có quản lý"},
        .noPeriod = {"Type a pay period.", "Hãy nhập kỳ lương."},
        .notAPayPeriod = {"is not a pay period: type a month (2026-10), a quarter (2026-Q3) or a year (2026)",
                          "không phải là kỳ lương: hãy nhập một tháng (2026-10), một quý (2026-Q3) hoặc một năm (2026)"},
        .noFolder = {"Type the folder the PDF files go to.", "Hãy nhập thư mục lưu các tệp PDF."},
        .folderUnwritable = {"cannot write into the folder %s: %s", "không ghi được vào thư mục %s: %s"},
        .noPlans = {"no reward plan applies to anyone of %s in %s (plan_assignments.csv)",
                    "không có kế hoạch thưởng nào áp dụng cho ai trong %s kỳ %s (plan_assignments.csv)"},
        .exported = {"Exported %d statements of %s for %s to %s.", "Đã xuất %d phiếu thưởng của %s kỳ %s vào %s."},
        .leftOut = {"%d people of the team have no reward plan in this period: no statement for them.",
                    "%d người trong nhóm không có kế hoạch thưởng trong kỳ này: không có phiếu thưởng."},
        .progress = {"Exporting reward statements", "Đang xuất phiếu thưởng"},
        .noTemplate = {"the statement template is missing from the extension (%s)",
                       "thiếu mẫu phiếu thưởng trong tiện ích mở rộng (%s)"},
        .everyone = {"everyone", "toàn công ty"},
        .teamOf = {"team of", "nhóm của"},
        .lastMonth = {"Last month", "Tháng trước"},
        .thisMonth = {"This month", "Tháng này"},
        .lastQuarter = {"Last quarter", "Quý trước"},
        .thisQuarter = {"This quarter", "Quý này"},
        .lastYear = {"Last year", "Năm trước"},
        .folderName = {"Statements", "Phiếu thưởng"},
    };
    return t;
}

std::optional<kpi::Period> statementPeriod(std::string_view text, kpi::Day today) {
    const std::string keyword = trimmed(text);
    const auto containing = [](kpi::PeriodType type, kpi::Day day) { return kpi::periodContaining(type, day); };
    if (keyword == "this_month") return containing(kpi::PeriodType::Month, today);
    if (keyword == "last_month")
        return containing(kpi::PeriodType::Month, containing(kpi::PeriodType::Month, today).first - 1);
    if (keyword == "this_quarter") return containing(kpi::PeriodType::Quarter, today);
    if (keyword == "last_quarter")
        return containing(kpi::PeriodType::Quarter, containing(kpi::PeriodType::Quarter, today).first - 1);
    if (keyword == "last_year")
        return containing(kpi::PeriodType::Year, containing(kpi::PeriodType::Year, today).first - 1);
    const auto period = kpi::parsePeriod(keyword);
    if (!period) return std::nullopt;
    if (period->type != kpi::PeriodType::Month && period->type != kpi::PeriodType::Quarter &&
        period->type != kpi::PeriodType::Year)
        return std::nullopt;
    return period;
}

StatementExportChoices statementExportChoices(const std::vector<kpi::EmployeeInfo>& employees, kpi::Day today,
                                              Language language) {
    const StatementExportTexts& t = statementExportTexts();
    StatementExportChoices choices;
    choices.teams.push_back({"*", in(t.everyone, language)});
    std::set<std::string> managers;
    for (const auto& e : employees)
        if (!e.managerCode.empty()) managers.insert(e.managerCode);
    for (const auto& e : employees)
        if (managers.count(e.code)) choices.teams.push_back({e.code, in(t.teamOf, language) + " " + e.code + " " + e.name});
    for (const auto& relative : kRelativePeriods)
        choices.periods.push_back({std::string(relative.keyword),
                                   in(t.*relative.label, language) + " (" +
                                       kpi::formatPeriod(*statementPeriod(relative.keyword, today)) + ")"});
    return choices;
}

StatementExportCheck checkStatementExportEntry(const StatementExportEntry& entry,
                                               const StatementExportChoices& choices, kpi::Day today,
                                               Language language) {
    const StatementExportTexts& t = statementExportTexts();
    if (entry.team < 0 || entry.team >= static_cast<int>(choices.teams.size()))
        return {std::nullopt, in(t.noTeam, language)};
    std::string period = trimmed(entry.period);
    if (period.empty()) return {std::nullopt, in(t.noPeriod, language)};
    for (const auto& option : choices.periods)
        if (period == option.label) period = option.value;
    const auto resolved = statementPeriod(period, today);
    if (!resolved) return {std::nullopt, "'" + trimmed(entry.period) + "' " + in(t.notAPayPeriod, language)};
    const std::string folder = trimmed(entry.folder);
    if (folder.empty()) return {std::nullopt, in(t.noFolder, language)};
    return {StatementExportRequest{choices.teams[static_cast<std::size_t>(entry.team)].value, *resolved, folder}, {}};
}

std::vector<std::string> statementTeam(const kpi::Engine& engine, const std::string& team) {
    if (team == "*" || team.empty()) {
        std::vector<std::string> everyone;
        for (const auto& e : engine.employees()) everyone.push_back(e.code);
        std::sort(everyone.begin(), everyone.end());
        return everyone;
    }
    if (!engine.hasEmployee(team))
        throw kpi::Error(kpi::Error::Kind::InvalidArgument, "unknown manager '" + team + "'");
    std::vector<std::string> members = engine.subtree(team);
    if (members.size() > 1) std::sort(members.begin() + 1, members.end());
    return members;
}

bool hasRewardLines(const kpi::Statement& statement) {
    for (const auto& plan : statement.plans)
        if (!plan.lines.empty()) return true;
    return false;
}

std::string statementFileName(const kpi::Statement& statement) {
    std::string name = statement.employeeCode;
    if (!statement.employeeName.empty()) name += " " + statement.employeeName;
    name += " " + kpi::formatPeriod(statement.period);
    std::string safe;
    for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        const bool refused = byte < 0x20 || byte == 0x7f || std::string_view("<>:\"/\\|?*").find(c) != std::string_view::npos;
        safe += refused ? '_' : c;
    }
    while (!safe.empty() && (safe.front() == '.' || safe.front() == ' ')) safe.erase(safe.begin());
    if (safe.empty()) safe = "statement";
    return safe + ".pdf";
}

std::string defaultStatementFolder(const std::string& besideFolder, const kpi::Period& period, Language language) {
    std::string folder = besideFolder;
    if (!folder.empty() && folder.back() != '/') folder += '/';
    return folder + in(statementExportTexts().folderName, language) + " " + kpi::formatPeriod(period);
}

std::string fillPlaceholders(std::string_view text, const std::map<std::string, std::string>& fields) {
    std::string out;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto open = text.find('{', at);
        if (open == std::string_view::npos) break;
        const auto close = text.find('}', open + 1);
        if (close == std::string_view::npos) break;
        out.append(text.substr(at, open - at));
        const auto found = fields.find(std::string(text.substr(open + 1, close - open - 1)));
        if (found != fields.end()) out += found->second;
        else out.append(text.substr(open, close - open + 1));
        at = close + 1;
    }
    out.append(text.substr(at));
    return out;
}

StatementLayout layoutStatement(const kpi::Statement& s, Language language, const std::string& generated) {
    const bool vi = language == Language::Vietnamese;
    StatementLayout layout;
    auto& header = layout.header;
    header["employee_code"] = s.employeeCode;
    header["employee_name"] = s.employeeName;
    header["employee"] = s.employeeCode + " " + s.employeeName;
    header["role"] = s.role;
    header["department"] = s.department;
    header["period"] = kpi::formatPeriod(s.period);
    header["period_range"] = range(s.period);
    if (s.closed)
        header["status"] = std::string(vi ? "đã chốt " : "closed ") + s.closed->closedAt + ", " + s.closed->closedBy +
                           (s.live ? (vi ? " — số liệu hôm nay" : " — today's figures") : "");
    else
        header["status"] = vi ? "chưa chốt — số liệu hôm nay" : "open — today's figures";
    header["total"] = money(s.total, language);
    header["generated"] = generated;

    for (const kpi::StatementPlan& plan : s.plans) {
        const std::string curve = plan.curveMode == "step" ? (vi ? "bậc thang" : "step")
                                  : plan.curveMode.empty() ? std::string()
                                                           : (vi ? "tuyến tính" : "linear");
        layout.rows.push_back({"plan",
                               {{"plan_code", plan.code},
                                {"plan_name", vi ? either(plan.nameVi, plan.nameEn) : either(plan.nameEn, plan.nameVi)},
                                {"curve_mode", curve}}});
        bool blockOpen = false, componentsShown = false;
        for (std::size_t i = 0; i < plan.lines.size(); ++i) {
            const kpi::StatementLine& line = plan.lines[i];
            const kpi::PayoutRow& r = line.row;
            const std::string kpiName = vi ? either(line.kpiNameVi, line.kpiNameEn) : either(line.kpiNameEn, line.kpiNameVi);
            if (!blockOpen) {
                // A block: one assignment over the period, its prorated incentive first.
                blockOpen = true;
                componentsShown = false;
                std::size_t t = i;
                while (t < plan.lines.size() && plan.lines[t].row.kind != kpi::PayoutKind::Total) ++t;
                const kpi::PayoutRow* total = t < plan.lines.size() ? &plan.lines[t].row : nullptr;
                if (total && total->blockIncentive)
                    layout.rows.push_back({"incentive",
                                           {{"period_range", range(total->period)},
                                            {"full_incentive", figure(total->fullIncentive, language)},
                                            {"working_days", std::to_string(total->workingDays)},
                                            {"full_working_days", std::to_string(total->fullWorkingDays)},
                                            {"incentive", figure(total->blockIncentive, language)}}});
            }
            switch (r.kind) {
            case kpi::PayoutKind::Component:
                if (!componentsShown) layout.rows.push_back({"components", {}});
                componentsShown = true;
                layout.rows.push_back({"component",
                                       {{"kpi_code", r.kpiCode},
                                        {"kpi_name", kpiName},
                                        {"actual", figure(r.actual, language)},
                                        {"target", figure(r.target, language)},
                                        {"attainment", figure(r.attainment, language)},
                                        {"factor", figure(r.factor, language)},
                                        {"weight", figure(r.weight, language)},
                                        {"incentive", figure(r.incentive, language)},
                                        {"amount", money(r.amount.value_or(0), language)}}});
                break;
            case kpi::PayoutKind::Gate:
                layout.rows.push_back(
                    {"gate",
                     {{"kpi_code", r.kpiCode},
                      {"kpi_name", kpiName},
                      {"attainment", figure(r.attainment, language)},
                      {"gate_min", figure(r.gateMinimum, language)},
                      {"outcome", r.factor.value_or(0) == 1 ? (vi ? "đạt" : "passed")
                                                            : (vi ? "không đạt — 0 VND" : "failed — 0 VND")}}});
                break;
            case kpi::PayoutKind::Adjustment:
                layout.rows.push_back({"adjustment",
                                       {{"period", kpi::formatPeriod(r.period)},
                                        {"period_range", range(r.period)},
                                        {"amount", money(r.amount.value_or(0), language)}}});
                break;
            case kpi::PayoutKind::Total:
                layout.rows.push_back(
                    {"total", {{"period_range", range(r.period)}, {"amount", money(r.amount.value_or(0), language)}}});
                blockOpen = false;
                break;
            }
        }
    }
    if (s.plans.empty()) layout.rows.push_back({"noplan", {}});

    std::set<std::pair<std::string, std::string>> listed;
    for (const kpi::StatementPlan& plan : s.plans)
        for (const kpi::StatementLine& line : plan.lines) {
            if (line.detailFormula.empty() || !listed.emplace(plan.code, line.row.kpiCode).second) continue;
            if (listed.size() == 1) layout.rows.push_back({"sources", {}});
            layout.rows.push_back({"source",
                                   {{"plan_code", plan.code},
                                    {"kpi_code", line.row.kpiCode},
                                    {"detail", "=" + line.detailFormula},
                                    {"report", line.reportCommand}}});
        }
    return layout;
}

}  // namespace saleskpi::addin
