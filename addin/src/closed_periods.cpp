#include "closed_periods.hpp"

namespace saleskpi::addin {
namespace {

// "2026-11-02 17:00:00 by lan" / "lúc 2026-11-02 17:00:00 bởi lan".
std::string closedWhenAndBy(const kpi::ClosedPeriod& closed, Language language) {
    const bool vi = language == Language::Vietnamese;
    std::string text = (vi ? "lúc " : "") + closed.closedAt;
    if (!closed.closedBy.empty()) text += (vi ? " bởi " : " by ") + closed.closedBy;
    return text;
}

}  // namespace

bool isPayPeriodType(kpi::PeriodType type) {
    return type == kpi::PeriodType::Month || type == kpi::PeriodType::Quarter || type == kpi::PeriodType::Year;
}

std::string closedPeriodText(const kpi::ClosedPeriod& closed, Language language) {
    const bool vi = language == Language::Vietnamese;
    return kpi::formatPeriod(closed.period) + (vi ? " đã chốt " : " closed ") + closedWhenAndBy(closed, language) +
           (vi ? ": số liệu đã chốt" : ": frozen figures");
}

std::string closedPeriodsNote(const std::vector<kpi::ClosedPeriod>& closed, const std::optional<kpi::Period>& period,
                              Language language) {
    const bool vi = language == Language::Vietnamese;
    if (period) {
        if (!isPayPeriodType(period->type)) return {};
        for (const auto& c : closed)
            if (c.period == *period) return "; " + closedPeriodText(c, language);
        return "; " + kpi::formatPeriod(*period) + (vi ? " chưa chốt: số liệu hiện tại" : " open: live figures");
    }
    // The last closed period of each type, months first.
    std::string note;
    for (const kpi::PeriodType type : {kpi::PeriodType::Month, kpi::PeriodType::Quarter, kpi::PeriodType::Year}) {
        const kpi::ClosedPeriod* latest = nullptr;
        for (const auto& c : closed)
            if (c.period.type == type && (!latest || c.period.first > latest->period.first)) latest = &c;
        if (!latest) continue;
        note += note.empty() ? (vi ? "; chốt gần nhất: " : "; last closed: ") : ", ";
        note += kpi::formatPeriod(latest->period) + " (" + closedWhenAndBy(*latest, language) + ")";
    }
    return note;
}

}  // namespace saleskpi::addin
