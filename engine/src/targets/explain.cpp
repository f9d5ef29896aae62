// explainRecommendation of kpi/recommend.hpp: the one line, in English or Vietnamese.
#include <cmath>
#include <cstdio>
#include <string>

#include "kpi/recommend.hpp"
#include "kpi/target_health.hpp"

namespace kpi {
namespace {

struct Words {
    const char* level;  // "%d-%s level": periods, period word
    const char *month, *week, *quarter, *year;
    const char *perWorkingDay, *perOutlet;
    const char *workingDays, *history, *outletsNow, *season, *against, *company;
    const char *ramp, *tenure, *peers, *noSpread;
    char thousands, decimal;
};

const Words kEnglish{"%d-%s level",
                     "month", "week", "quarter", "year",
                     " per working day", " per outlet on route",
                     "working days", "history", "outlets on route now", "season", "against",
                     "company",
                     "ramp", "%s %d of the employment", "median of peers", "no spread: too few past forecasts",
                     ',', '.'};
const Words kVietnamese{"mức %d %s gần nhất",
                        "tháng", "tuần", "quý", "năm",
                        " mỗi ngày làm việc", " mỗi điểm bán trên tuyến",
                        "ngày làm việc", "trước đây", "điểm bán trên tuyến hiện nay", "mùa vụ",
                        "so với", "toàn công ty",
                        "hệ số làm quen", "%s thứ %d làm việc", "trung vị của đồng nghiệp",
                        "chưa có độ phân tán: quá ít dự báo trước đây",
                        '.', ','};

// A number for reading: thousands grouped, at most `decimals` decimals (no
// trailing zeros).
std::string readable(double value, int decimals, const Words& w) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, std::fabs(value));
    std::string text(buf);
    const size_t dot = text.find('.');
    std::string whole = text.substr(0, dot);
    std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    std::string grouped;
    for (size_t i = 0; i < whole.size(); ++i) {
        if (i > 0 && (whole.size() - i) % 3 == 0) grouped += w.thousands;
        grouped += whole[i];
    }
    if (!fraction.empty()) grouped += std::string(1, w.decimal) + fraction;
    return (value < 0 && grouped != "0" ? "-" : "") + grouped;
}

// Three significant digits.
std::string figure(double value, const Words& w) {
    const double magnitude = std::fabs(value);
    if (magnitude >= 1000) {
        const double step = std::pow(10.0, std::floor(std::log10(magnitude)) - 2);
        return readable(std::round(value / step) * step, 0, w);
    }
    return readable(value, magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3, w);
}

std::string percentChange(double factor, const Words& w) {
    const double change = std::round((factor - 1) * 100);
    return std::string(change < 0 ? "-" : "+") + readable(std::fabs(change), 0, w) + "%";
}

std::string printf2(const char* pattern, int number, const char* word) {
    char buf[200];
    std::snprintf(buf, sizeof buf, pattern, number, word);
    return buf;
}

std::string periodRange(const Period& first, const Period& last) {
    return first == last ? formatPeriod(first) : formatPeriod(first) + ".." + formatPeriod(last);
}

}  // namespace

std::string explainRecommendation(const Recommendation& r, std::string_view language) {
    const Words& w = language == "vi" ? kVietnamese : kEnglish;
    const RecommendationBasis& b = r.basis;
    if (b.source == LevelSource::None) return b.problem;
    const char* unit = r.period.type == PeriodType::Week      ? w.week
                       : r.period.type == PeriodType::Quarter ? w.quarter
                       : r.period.type == PeriodType::Year    ? w.year
                                                              : w.month;
    std::string line;
    if (b.unit == LevelUnit::Universe) {
        line = readable(b.universeNow.value_or(0), 0, w) + " " + w.outletsNow;
        if (b.universeThen)
            line += " (" + std::string(w.history) + " " + readable(*b.universeThen, 1, w) + ", " +
                    periodRange(b.levelFirst, b.levelLast) + ")";
    } else {
        if (b.source == LevelSource::Peers) line += std::string(w.peers) + ": ";
        line += printf2(w.level, b.periodsUsed, unit) + " " + figure(b.levelRate, w);
        if (b.unit == LevelUnit::PerWorkingDay) line += w.perWorkingDay;
        if (b.unit == LevelUnit::PerOutlet) line += w.perOutlet;
        line += " (" + periodRange(b.levelFirst, b.levelLast) + ")";
        if (b.unit == LevelUnit::PerWorkingDay && b.workingDays) {
            line += " × " + readable(*b.workingDays, 0, w) + " " + w.workingDays;
            if (b.historyWorkingDays)
                line += " (" + std::string(w.history) + " " + readable(*b.historyWorkingDays, 1, w) + ")";
        }
        if (b.unit == LevelUnit::PerOutlet && b.universeNow) {
            line += " × " + readable(*b.universeNow, 0, w) + " " + w.outletsNow;
            if (b.universeThen) line += " (" + std::string(w.history) + " " + readable(*b.universeThen, 1, w) + ")";
        }
    }
    if (b.season)
        line += "; " + std::string(w.season) + " " + percentChange(*b.season, w) + " (" +
                formatPeriod(b.seasonPeriod) + " " + w.against + " " + periodRange(b.seasonBaseFirst, b.seasonBaseLast) +
                ", " + w.company + ")";
    if (b.ramp) {
        char buf[200];
        std::snprintf(buf, sizeof buf, w.tenure, unit, b.tenure);
        line += "; " + std::string(w.ramp) + " " + readable(std::round(*b.ramp * 100), 0, w) + "% (" + buf + ")";
    }
    if (b.errorSamples == 0) line += "; " + std::string(w.noSpread);
    return line;
}

namespace {

struct FlagWords {
    const char *chance, *expected, *against;
    const char *lastDays, *usually, *bigOrder, *bigOrders;
    const char *returns, *returnOrder, *returnOrders;
    const char *cancelled;
    const char *once;
    const char *visits, *atMost;
    const char *attainment, *without;
};

const FlagWords kFlagEnglish{"a %s chance by the history before %s", "expected", "against the target",
                             "%s of the sales in the last days %s", "usually", "order over twice the usual big order",
                             "orders over twice the usual big order",
                             "returns of %s in %s at outlets sold to in the period", "return", "returns",
                             "%d orders of the period approved, then cancelled: %s",
                             "%d of %d new outlets with an order ordered once and never again",
                             "%d visits without an order on %s", "usually at most %s a day",
                             "attainment", "without them"};
const FlagWords kFlagVietnamese{"khả năng đạt %s theo dữ liệu trước %s", "dự kiến", "so với chỉ tiêu",
                                "%s doanh số dồn vào những ngày cuối %s", "thường", "đơn lớn hơn gấp đôi đơn lớn thường lệ",
                                "đơn lớn hơn gấp đôi đơn lớn thường lệ",
                                "hàng trả %s trong %s tại các điểm bán đã bán trong kỳ", "đơn trả", "đơn trả",
                                "%d đơn trong kỳ đã duyệt rồi bị hủy: %s",
                                "%d trong %d điểm bán mới có đơn chỉ đặt một lần rồi không đặt lại",
                                "%d lượt viếng thăm không có đơn ngày %s", "thường nhiều nhất %s lượt một ngày",
                                "tỷ lệ hoàn thành", "nếu bỏ chúng"};

std::string percent(double share, const Words& w) { return readable(std::round(share * 100), 0, w) + "%"; }

std::string printfText(const char* pattern, const std::string& a, const std::string& b = {}) {
    char buf[400];
    std::snprintf(buf, sizeof buf, pattern, a.c_str(), b.c_str());
    return buf;
}

std::string printfNumbers(const char* pattern, int a, int b) {
    char buf[400];
    std::snprintf(buf, sizeof buf, pattern, a, b);
    return buf;
}

std::string printfNumberText(const char* pattern, int a, const std::string& b) {
    char buf[400];
    std::snprintf(buf, sizeof buf, pattern, a, b.c_str());
    return buf;
}

std::string daysText(const Period& p) { return p.first == p.last ? formatDay(p.first) : formatDay(p.first) + ".." + formatDay(p.last); }

}  // namespace

std::string explainHealthFlag(const HealthFlag& f, std::string_view language) {
    const bool vi = language == "vi";
    const Words& w = vi ? kVietnamese : kEnglish;
    const FlagWords& t = vi ? kFlagVietnamese : kFlagEnglish;
    std::string line;
    switch (f.kind) {
    case HealthFlagKind::OutOfReach:
    case HealthFlagKind::GivenAway:
        line = printfText(t.chance, percent(f.value, w), formatDay(f.days.first));
        if (f.usual && f.target)
            line += " (" + std::string(t.expected) + " " + figure(*f.usual, w) + " " + t.against + " " +
                    figure(*f.target, w) + ")";
        return line;
    case HealthFlagKind::LastDaysBunching:
        line = printfText(t.lastDays, percent(f.value, w), daysText(f.days));
        if (f.usual) line += " (" + std::string(t.usually) + " " + percent(*f.usual, w) + ")";
        line += "; " + std::to_string(f.orders.size()) + " " + (f.orders.size() == 1 ? t.bigOrder : t.bigOrders);
        break;
    case HealthFlagKind::ReturnsAfterPeriod:
        line = printfText(t.returns, readable(f.value, 0, w), daysText(f.days)) + " (" +
               std::to_string(f.orders.size()) + " " + (f.orders.size() == 1 ? t.returnOrder : t.returnOrders) + ")";
        break;
    case HealthFlagKind::CancelledAfterApproval:
        return printfNumberText(t.cancelled, static_cast<int>(f.orders.size()), readable(f.value, 0, w));
    case HealthFlagKind::OneOrderOutlets:
        line = printfNumbers(t.once, static_cast<int>(f.value), static_cast<int>(f.usual.value_or(f.value)));
        break;
    case HealthFlagKind::VisitsBunched:
        line = printfNumberText(t.visits, static_cast<int>(f.value), formatDay(f.days.first));
        if (f.usual) line += " (" + printfText(t.atMost, readable(*f.usual, 1, w)) + ")";
        break;
    }
    if (f.attainment) {
        line += "; " + std::string(t.attainment) + " " + percent(*f.attainment, w);
        if (f.attainmentWithout) line += ", " + percent(*f.attainmentWithout, w) + " " + t.without;
    }
    return line;
}

}  // namespace kpi
