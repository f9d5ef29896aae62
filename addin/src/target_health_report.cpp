#include "target_health_report.hpp"

#include <cmath>
#include <map>

namespace saleskpi::addin {
namespace {

struct HealthTexts {
    LocalizedText kpi, targets, under80, from80To120, over120, outOfReach, givenAway;
    LocalizedText code, name, flag, days, attainment, without, records, seen, noFlag;
};

const HealthTexts& texts() {
    static const HealthTexts t{
        .kpi = {"KPI", "KPI"},
        .targets = {"Targets", "Số chỉ tiêu"},
        .under80 = {"Under 80 %", "Dưới 80 %"},
        .from80To120 = {"80–120 %", "80–120 %"},
        .over120 = {"Over 120 %", "Trên 120 %"},
        .outOfReach = {"Out of reach", "Ngoài tầm với"},
        .givenAway = {"Given away", "Cho không"},
        .code = {"Code", "Mã"},
        .name = {"Name", "Họ tên"},
        .flag = {"Flag", "Dấu hiệu"},
        .days = {"Days", "Ngày"},
        .attainment = {"Attainment", "Tỷ lệ hoàn thành"},
        .without = {"Without them", "Nếu bỏ chúng"},
        .records = {"Orders, visits, outlets", "Đơn hàng, lượt viếng thăm, điểm bán"},
        .seen = {"What was seen", "Điều ghi nhận"},
        .noFlag = {"No flag: no target out of reach or given away, no sign of gaming.",
                   "Không có dấu hiệu nào: không chỉ tiêu nào ngoài tầm với hay cho không, không có dấu hiệu gian lận."},
    };
    return t;
}

std::string text(const LocalizedText& t, Language language) { return std::string(t.in(language)); }

// "3 (12 %)": a count with its share of the targets.
std::string countAndShare(int count, int of) {
    if (of <= 0) return std::to_string(count);
    return std::to_string(count) + " (" + std::to_string(static_cast<int>(std::lround(100.0 * count / of))) + " %)";
}

std::string joined(const std::vector<std::string>& codes) {
    std::string out;
    for (const auto& code : codes) out += (out.empty() ? "" : ", ") + code;
    return out;
}

std::string daysText(const kpi::Period& p) {
    return p.first == p.last ? kpi::formatDay(p.first) : kpi::formatDay(p.first) + ".." + kpi::formatDay(p.last);
}

ReportCell optional(const std::optional<double>& value) {
    if (value) return *value;
    return std::monostate{};
}

}  // namespace

std::string healthFlagTitle(kpi::HealthFlagKind kind, Language language) {
    using K = kpi::HealthFlagKind;
    static const std::map<K, LocalizedText> titles{
        {K::OutOfReach, {"Target out of reach", "Chỉ tiêu ngoài tầm với"}},
        {K::GivenAway, {"Target given away", "Chỉ tiêu cho không"}},
        {K::LastDaysBunching, {"Sales bunched in the last days", "Doanh số dồn vào những ngày cuối"}},
        {K::ReturnsAfterPeriod, {"Returns right after the period", "Trả hàng ngay sau kỳ"}},
        {K::CancelledAfterApproval, {"Approved, then cancelled", "Đã duyệt rồi hủy"}},
        {K::OneOrderOutlets, {"New outlets that ordered once", "Điểm bán mới chỉ đặt một lần"}},
        {K::VisitsBunched, {"Visits without orders on one day", "Viếng thăm không có đơn dồn vào một ngày"}},
    };
    return text(titles.at(kind), language);
}

void targetHealthTable(const kpi::TargetHealth& health, const std::vector<kpi::EmployeeInfo>& employees,
                       Language language, ReportTable& table) {
    const HealthTexts& t = texts();
    table.rows.push_back({text(t.kpi, language), text(t.targets, language), text(t.under80, language),
                          text(t.from80To120, language), text(t.over120, language), text(t.outOfReach, language),
                          text(t.givenAway, language)});
    for (const auto& s : health.spread)
        table.rows.push_back({s.kpiCode, static_cast<double>(s.targets), countAndShare(s.under80, s.targets),
                              countAndShare(s.from80To120, s.targets), countAndShare(s.over120, s.targets),
                              countAndShare(s.outOfReach, s.targets), countAndShare(s.givenAway, s.targets)});
    table.rows.push_back({});
    table.rows.push_back({text(t.code, language), text(t.name, language), text(t.kpi, language),
                          text(t.flag, language), text(t.days, language), text(t.attainment, language),
                          text(t.without, language), text(t.records, language), text(t.seen, language)});
    std::map<std::string, std::string> names;
    for (const auto& e : employees) names[e.code] = e.name;
    const std::string lang = language == Language::Vietnamese ? "vi" : "en";
    for (const auto& f : health.flags) {
        std::vector<std::string> records = f.orders;
        records.insert(records.end(), f.visits.begin(), f.visits.end());
        records.insert(records.end(), f.outlets.begin(), f.outlets.end());
        table.rows.push_back({f.employeeCode, names[f.employeeCode], f.kpiCode, healthFlagTitle(f.kind, language),
                              daysText(f.days), optional(f.attainment), optional(f.attainmentWithout), joined(records),
                              kpi::explainHealthFlag(f, lang)});
    }
    if (health.flags.empty()) table.rows.push_back({text(t.noFlag, language)});
    table.formats = {ColumnFormat::General, ColumnFormat::Integer, ColumnFormat::General, ColumnFormat::General,
                     ColumnFormat::General, ColumnFormat::Percent, ColumnFormat::Percent, ColumnFormat::General,
                     ColumnFormat::General};
    table.attainmentColumn = 5;
}

void buildTargetHealth(kpi::Engine& engine, const kpi::Period& period, const std::string& scope, kpi::Day today,
                       Language language, ReportTable& table) {
    kpi::TargetHealthQuery query{period, scope == "*" ? std::string() : scope, today};
    targetHealthTable(kpi::targetHealth(engine, query), engine.employees(), language, table);
}

}  // namespace saleskpi::addin
