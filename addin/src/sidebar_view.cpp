#include "sidebar_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "kpi/error.hpp"


namespace saleskpi::addin {
namespace {

constexpr int kBarCells = 10;

bool isPercentType(std::string_view type) { return type == "COVERAGE" || type == "STRIKE_RATE"; }

const kpi::EmployeeInfo* findEmployee(const std::vector<kpi::EmployeeInfo>& employees, const std::string& code) {
    for (const auto& employee : employees)
        if (employee.code == code) return &employee;
    return nullptr;
}

bool hasKpi(const std::vector<kpi::KpiInfo>& kpis, const std::string& code) {
    return std::any_of(kpis.begin(), kpis.end(), [&](const kpi::KpiInfo& info) { return info.code == code; });
}

}  // namespace

std::optional<kpi::Period> periodOf(PeriodChoice choice, std::string_view customText, kpi::Day today) {
    switch (choice) {
        case PeriodChoice::Today: return kpi::periodContaining(kpi::PeriodType::Day, today);
        case PeriodChoice::ThisWeek: return kpi::periodContaining(kpi::PeriodType::Week, today);
        case PeriodChoice::ThisMonth: return kpi::periodContaining(kpi::PeriodType::Month, today);
        case PeriodChoice::LastMonth: {
            const kpi::Period thisMonth = kpi::periodContaining(kpi::PeriodType::Month, today);
            return kpi::periodContaining(kpi::PeriodType::Month, thisMonth.first - 1);
        }
        case PeriodChoice::Custom: {
            // Pasted text often carries spaces around it.
            const auto first = customText.find_first_not_of(" \t");
            if (first == std::string_view::npos) return std::nullopt;
            const auto last = customText.find_last_not_of(" \t");
            return kpi::parsePeriod(customText.substr(first, last - first + 1));
        }
    }
    return std::nullopt;
}

SidebarView computeSidebarView(kpi::Engine& engine, const SidebarRequest& request,
                               const std::function<bool()>& cancelled) {
    SidebarView view;
    const auto employees = engine.employees();
    view.kpis = engine.kpis();

    std::set<std::string> withReports;
    for (const auto& employee : employees)
        if (!employee.managerCode.empty()) withReports.insert(employee.managerCode);
    for (const auto& employee : employees)
        if (withReports.count(employee.code)) view.managers.push_back(employee);
    std::sort(view.managers.begin(), view.managers.end(),
              [](const kpi::EmployeeInfo& a, const kpi::EmployeeInfo& b) { return a.code < b.code; });

    // The team: the manager's subtree (the manager first: their figures are
    // the team's), or everyone.
    std::vector<const kpi::EmployeeInfo*> members;
    if (!request.manager.empty() && engine.hasEmployee(request.manager)) {
        std::map<std::string, const kpi::EmployeeInfo*> byCode;
        for (const auto& employee : employees) byCode.emplace(employee.code, &employee);
        for (const auto& code : engine.subtree(request.manager))
            if (auto found = byCode.find(code); found != byCode.end()) members.push_back(found->second);
    } else {
        for (const auto& employee : employees) members.push_back(&employee);
    }

    // Every score at once: Engine::score() builds the whole company's report
    // for each call, scores() once for all.
    std::map<std::string, std::optional<double>> scores;
    for (auto& row : engine.scores(request.period, request.today)) scores[row.employeeCode] = row.score;
    const auto scoreOf = [&](const std::string& code) -> std::optional<double> {
        const auto found = scores.find(code);
        return found == scores.end() ? std::nullopt : found->second;
    };

    const bool byKpi = !request.sortKpi.empty() && hasKpi(view.kpis, request.sortKpi);
    view.team.reserve(members.size());
    for (const auto* employee : members) {
        if (cancelled && cancelled()) {
            view.cancelled = true;
            return view;
        }
        TeamMember member{*employee, std::nullopt};
        member.value = byKpi ? engine.figures(employee->code, request.sortKpi, request.period, request.today).attainment
                             : scoreOf(employee->code);
        view.team.push_back(std::move(member));
    }
    std::stable_sort(view.team.begin(), view.team.end(), [](const TeamMember& a, const TeamMember& b) {
        if (a.value.has_value() != b.value.has_value()) return a.value.has_value();
        if (a.value && *a.value != *b.value) return *a.value > *b.value;
        return a.employee.code < b.employee.code;
    });

    // The person opened.
    if (request.person.empty() || !engine.hasEmployee(request.person)) return view;
    if (const auto* person = findEmployee(employees, request.person)) view.person = *person;
    if (!view.person) return view;
    view.personScore = scoreOf(request.person);
    for (const auto& info : view.kpis)
        view.personFigures.push_back({info, engine.figures(request.person, info.code, request.period, request.today)});
    try {
        view.personPayout = engine.statement(request.person, payPeriodOf(request.period));
    } catch (const kpi::Error&) {
        // A period the engine cannot pay on (outside a partial load): no payout lines.
    }
    if (view.kpis.empty()) return view;
    view.detailKpi = hasKpi(view.kpis, request.personKpi) ? request.personKpi : view.kpis.front().code;
    view.detailQuery = engine.detailQuery(request.person, view.detailKpi, request.period);
    return view;
}

// --- Texts -------------------------------------------------------------------

const SidebarTexts& sidebarTexts() {
    static const SidebarTexts texts{
        {"Period", "Kỳ"},
        {"Today", "Hôm nay"},
        {"This week", "Tuần này"},
        {"This month", "Tháng này"},
        {"Last month", "Tháng trước"},
        {"Custom", "Tùy chọn"},
        {"Custom period (2026-11, 2026-W48, 2026-11-01..2026-11-20)",
         "Kỳ tùy chọn (2026-11, 2026-W48, 2026-11-01..2026-11-20)"},
        {"Not a period: write 2026-11, 2026-W48, 2026-Q4 or 2026-11-01..2026-11-20",
         "Không phải một kỳ: hãy viết 2026-11, 2026-W48, 2026-Q4 hoặc 2026-11-01..2026-11-20"},
        {"Team of", "Đội của"},
        {"Everyone", "Tất cả nhân viên"},
        {"Sort by", "Sắp xếp theo"},
        {"Score", "Điểm"},
        {"Team", "Đội"},
        {"No one in this team", "Không có ai trong đội này"},
        {"Person", "Nhân viên"},
        {"Choose a person in the team list", "Chọn một người trong danh sách đội"},
        {"actual / target → projected", "thực hiện / chỉ tiêu → dự báo"},
        {"Records behind", "Chứng từ của"},
        {"No records behind this figure", "Không có chứng từ nào"},
        {"more not listed", "dòng nữa không liệt kê"},
        {"Refresh now", "Làm mới ngay"},
        {"Insert scorecard sheet for this person", "Chèn trang phiếu đánh giá cho người này"},
        {"Open dashboard template", "Mở mẫu bảng điều khiển"},
        {"Loading", "Đang tải"},
        {"Ready", "Sẵn sàng"},
        {"Stale", "Dữ liệu cũ"},
        {"Unavailable", "Không đọc được"},
        {"Stopped", "Đã dừng"},
        {"No store", "Chưa có kho dữ liệu"},
        {"data to", "dữ liệu đến"},
        {"refreshed", "làm mới lúc"},
        {"Scorecard", "Phiếu"},
        {"Scorecard", "Phiếu đánh giá"},
        {"KPI", "KPI"},
        {"Name", "Tên"},
        {"Actual", "Thực hiện"},
        {"Target", "Chỉ tiêu"},
        {"Attainment", "Tỷ lệ đạt"},
        {"Projected", "Dự báo"},
        {"Employee", "Nhân viên"},
        {"Period", "Kỳ"},
        {"The dashboard template is not installed", "Chưa cài mẫu bảng điều khiển"},
        {"Choose a person first", "Hãy chọn một người trước"},
        {"No order or visit in this period yet: its figures are 0 for now",
         "Kỳ này chưa có đơn hàng hay lượt viếng thăm nào: các số liệu tạm thời bằng 0"},
        {"Payout", "Thưởng"},
        {"no reward plan", "không có kế hoạch thưởng"},
        {"Gate", "Điều kiện"},
        {"passed", "đạt"},
        {"failed: 0 VND", "không đạt: 0 VND"},
        {"Adjustment for", "Điều chỉnh cho kỳ"},
    };
    return texts;
}

std::string_view periodChoiceLabel(PeriodChoice choice, Language language) {
    const auto& texts = sidebarTexts();
    switch (choice) {
        case PeriodChoice::Today: return texts.today.in(language);
        case PeriodChoice::ThisWeek: return texts.thisWeek.in(language);
        case PeriodChoice::ThisMonth: return texts.thisMonth.in(language);
        case PeriodChoice::LastMonth: return texts.lastMonth.in(language);
        case PeriodChoice::Custom: return texts.custom.in(language);
    }
    return texts.thisMonth.in(language);
}

// --- Lines -------------------------------------------------------------------

std::string attainmentBar(std::optional<double> ratio) {
    std::string bar;
    int filled = 0;
    if (ratio && std::isfinite(*ratio))
        filled = std::clamp(static_cast<int>(std::lround(*ratio * kBarCells)), 0, kBarCells);
    for (int cell = 0; cell < kBarCells; ++cell) bar += cell < filled ? "█" : "░";
    if (!ratio || !std::isfinite(*ratio)) return bar + "    –";
    char percent[32];
    std::snprintf(percent, sizeof percent, " %3.0f%%", *ratio * 100);
    return bar + percent;
}

std::string formatNumber(double value, int decimals, Language language) {
    if (!std::isfinite(value)) return "–";
    const char thousands = language == Language::Vietnamese ? '.' : ',';
    const char point = language == Language::Vietnamese ? ',' : '.';
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", std::clamp(decimals, 0, 6), std::fabs(value));
    std::string digits(buffer);
    std::string fraction;
    if (const auto dot = digits.find('.'); dot != std::string::npos) {
        fraction = digits.substr(dot + 1);
        digits.resize(dot);
        while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    }
    std::string grouped;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) grouped += thousands;
        grouped += digits[i];
    }
    const bool negative = value < 0 && (grouped.find_first_not_of("0,.") != std::string::npos || !fraction.empty());
    return (negative ? "-" : "") + grouped + (fraction.empty() ? "" : std::string(1, point) + fraction);
}

std::string formatFigure(const kpi::KpiInfo& kpi, double value, Language language) {
    if (isPercentType(kpi.type)) return formatNumber(value * 100, 1, language) + "%";
    if (kpi.type == "LPPC") return formatNumber(value, 2, language);
    return formatNumber(value, std::fabs(value) >= 100 ? 0 : 2, language);
}

std::string kpiName(const kpi::KpiInfo& kpi, Language language) {
    const std::string& preferred = language == Language::Vietnamese ? kpi.nameVi : kpi.nameEn;
    const std::string& other = language == Language::Vietnamese ? kpi.nameEn : kpi.nameVi;
    if (!preferred.empty()) return preferred;
    if (!other.empty()) return other;
    return kpi.code;
}

std::string teamLine(const TeamMember& member) {
    return attainmentBar(member.value) + "  " + member.employee.code + " " + member.employee.name;
}

std::vector<std::string> personFigureLines(const PersonFigure& figure, Language language) {
    const auto& f = figure.figures;
    std::string numbers = "      " + formatFigure(figure.kpi, f.actual, language) + " / " +
                          (f.target ? formatFigure(figure.kpi, *f.target, language) : std::string("–")) + " → " +
                          formatFigure(figure.kpi, f.projected, language);
    return {attainmentBar(f.attainment) + "  " + kpiName(figure.kpi, language) + " (" + figure.kpi.code + ")",
            std::move(numbers)};
}

kpi::Period payPeriodOf(const kpi::Period& period) {
    if (period.type == kpi::PeriodType::Month || period.type == kpi::PeriodType::Quarter ||
        period.type == kpi::PeriodType::Year)
        return period;
    return kpi::periodContaining(kpi::PeriodType::Month, period.first);
}

std::vector<std::string> payoutLines(const kpi::Statement& statement, Language language) {
    const auto& texts = sidebarTexts();
    const bool vi = language == Language::Vietnamese;
    const auto pick = [vi](const std::string& inVietnamese, const std::string& inEnglish) {
        return vi ? (inVietnamese.empty() ? inEnglish : inVietnamese) : (inEnglish.empty() ? inVietnamese : inEnglish);
    };
    const auto figure = [&](const std::optional<double>& value) {
        return value ? formatNumber(*value, 6, language) : std::string("–");
    };
    const auto money = [&](long long amount) { return formatNumber(static_cast<double>(amount), 0, language); };
    bool any = false;
    for (const auto& plan : statement.plans) any = any || !plan.lines.empty();
    std::vector<std::string> lines;
    lines.push_back(std::string(texts.payout.in(language)) + " " + kpi::formatPeriod(statement.period) + ": " +
                    (any ? money(statement.total) + " VND" : std::string(texts.noPlan.in(language))));
    for (const auto& plan : statement.plans) {
        lines.push_back("  " + plan.code + " " + pick(plan.nameVi, plan.nameEn));
        for (const auto& line : plan.lines) {
            const kpi::PayoutRow& r = line.row;
            switch (r.kind) {
            case kpi::PayoutKind::Component:
                lines.push_back("    " + r.kpiCode + " " + pick(line.kpiNameVi, line.kpiNameEn) + ": " +
                                figure(r.attainment) + " × " + figure(r.factor) + " → " + money(r.amount.value_or(0)));
                break;
            case kpi::PayoutKind::Gate:
                lines.push_back("    " + std::string(texts.gate.in(language)) + " " + r.kpiCode + " " +
                                figure(r.attainment) + " ≥ " + figure(r.gateMinimum) + ": " +
                                std::string((r.factor.value_or(0) == 1 ? texts.passed : texts.failed).in(language)));
                break;
            case kpi::PayoutKind::Adjustment:
                lines.push_back("    " + std::string(texts.adjustment.in(language)) + " " +
                                kpi::formatPeriod(r.period) + ": " + money(r.amount.value_or(0)));
                break;
            case kpi::PayoutKind::Total: break;
            }
        }
    }
    return lines;
}

std::string detailLine(const kpi::DetailRow& row, Language language) {
    std::string line = row.date + "  " + row.reference;
    if (!row.outletName.empty() && row.outletCode != row.reference)
        line += " · " + row.outletName;
    else if (!row.outletName.empty())
        line += " " + row.outletName;
    if (!row.employeeCode.empty()) line += " · " + row.employeeCode;
    return line + " · " + formatNumber(row.value, 2, language);
}

std::string statusLine(const EngineHost::Status& status, Language language) {
    const auto& texts = sidebarTexts();
    std::string state;
    switch (status.state) {
        case EngineHost::State::Loading: state = texts.loading.in(language); break;
        case EngineHost::State::Ready: state = texts.ready.in(language); break;
        case EngineHost::State::Stale: state = texts.stale.in(language); break;
        case EngineHost::State::Unavailable: state = texts.unavailable.in(language); break;
        case EngineHost::State::Stopped: state = texts.stopped.in(language); break;
    }
    std::string line = state;
    if (status.data && !status.data->latestActivity.empty())
        line += " · " + std::string(texts.dataTo.in(language)) + " " + status.data->latestActivity.substr(0, 16);
    if (!status.checkedAt.empty())
        line += " · " + std::string(texts.refreshedAt.in(language)) + " " + status.checkedAt.substr(11, 5);
    if (!status.problem.empty()) line += " · " + status.problem;
    return line;
}

}  // namespace saleskpi::addin
