// What the SalesKPI sidebar deck shows (SPEC §8), computed from a loaded
// engine and turned into lines of text, without UNO: the team under a manager
// with attainment bars, one person's KPIs (actual, target, attainment,
// projected), the records behind one figure, and the deck's English and
// Vietnamese labels.
//
// The panel (sidebar_panel.*) computes a SidebarView on its worker thread and
// only copies the finished lines into its controls on the main thread.
//
// Thread-safety: pure functions, except computeSidebarView(), which uses the
// engine (call it while holding the engine, e.g. inside
// StoreSession::queryInBackground()).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine_host.hpp"
#include "function_catalog.hpp"
#include "kpi/date.hpp"
#include "kpi/engine.hpp"
#include "kpi/period.hpp"

namespace saleskpi::addin {

// The period chooser, in the order the deck lists it.
enum class PeriodChoice { Today, ThisWeek, ThisMonth, LastMonth, Custom };
inline constexpr PeriodChoice kPeriodChoices[] = {PeriodChoice::Today, PeriodChoice::ThisWeek,
                                                   PeriodChoice::ThisMonth, PeriodChoice::LastMonth,
                                                   PeriodChoice::Custom};

// The period a choice means on `today`; a custom choice reads `customText` in
// the period grammar (2026-11, 2026-W48, 2026-11-01..2026-11-20, …).
// nullopt when the custom text is not a period.
std::optional<kpi::Period> periodOf(PeriodChoice choice, std::string_view customText, kpi::Day today);

// What the user chose in the deck.
struct SidebarRequest {
    kpi::Period period{};
    std::string manager;    // employee code; empty: everyone
    std::string sortKpi;    // KPI code; empty: sort by score
    std::string person;     // the person opened; empty: none
    std::string personKpi;  // the KPI whose records are listed; empty: the person's first KPI
    kpi::Day today = 0;     // the as-of date of projections and scores
    // Records behind a figure listed at most (the rest are counted).
    std::size_t detailLimit = 200;
};

struct TeamMember {
    kpi::EmployeeInfo employee;
    std::optional<double> value;  // the score, or the sort KPI's attainment; none when there is none
};

struct PersonFigure {
    kpi::KpiInfo kpi;
    kpi::Figures figures;
};

struct SidebarView {
    std::vector<kpi::EmployeeInfo> managers;  // everyone with someone below them, by code
    std::vector<kpi::KpiInfo> kpis;           // the store's KPI list
    std::vector<TeamMember> team;             // highest value first; none last; then by code
    std::optional<kpi::EmployeeInfo> person;  // the person opened, when the store knows them
    std::optional<double> personScore;
    std::vector<PersonFigure> personFigures;  // one per KPI of the store
    // The person's reward statement for payPeriodOf(request.period) (the
    // engine's, as `kpi statement` gives it); none when it could not be made.
    std::optional<kpi::Statement> personPayout;
    std::string detailKpi;                    // the KPI whose records are listed
    // The records behind it, to read from the store (StoreSession::readDetail,
    // on the store thread) into detail and detailTotal.
    std::optional<kpi::DetailQuery> detailQuery;
    std::vector<kpi::DetailRow> detail;       // at most request.detailLimit
    std::size_t detailTotal = 0;              // all records behind the figure
    bool cancelled = false;                   // computing stopped early: show nothing of it
};

// The pay period (SPEC §9) the deck's payout line is about: the period itself
// when it is a MONTH, QUARTER or YEAR, else the month its first day lies in
// (today, this week and custom ranges show that month's payout).
kpi::Period payPeriodOf(const kpi::Period& period);

// Computes everything the deck shows for a request from the figures in memory
// (the records behind a figure only as a query: detailQuery). An unknown
// manager means everyone; an unknown person, none; an unknown sort KPI, the score.
// `cancelled` is asked between employees: when it says true the result is
// marked cancelled and incomplete.
SidebarView computeSidebarView(kpi::Engine& engine, const SidebarRequest& request,
                               const std::function<bool()>& cancelled);

// --- Texts -------------------------------------------------------------------

// Every label of the deck, in English and Vietnamese (UTF-8).
struct SidebarTexts {
    LocalizedText period, today, thisWeek, thisMonth, lastMonth, custom, customHint, customInvalid;
    LocalizedText teamOf, everyone, sortBy, score, team, teamEmpty, person, personHint, figuresLegend;
    LocalizedText recordsBehind, noRecords, moreRecords, refreshNow, insertScorecard, openDashboard;
    LocalizedText loading, ready, stale, unavailable, stopped, noStore, dataTo, refreshedAt;
    LocalizedText scorecardSheet, scorecardTitle, kpiColumn, nameColumn, actualColumn, targetColumn;
    LocalizedText attainmentColumn, projectedColumn, employeeLabel, periodLabel, noDashboard, noPerson;
    LocalizedText nothingYet;
    LocalizedText payout, noPlan, gate, passed, failed, adjustment;
};
const SidebarTexts& sidebarTexts();

std::string_view periodChoiceLabel(PeriodChoice choice, Language language);

// --- Lines -------------------------------------------------------------------

// A text bar of ten cells and the percentage, e.g. "████████░░  82%"; a
// ratio above 1 fills the bar and shows its percentage ("██████████ 127%");
// none is an empty bar and "–".
std::string attainmentBar(std::optional<double> ratio);

// A number with thousands separators and at most `decimals` decimals
// (trailing zeros dropped): "1,234,567.5" in English, "1.234.567,5" in
// Vietnamese.
std::string formatNumber(double value, int decimals, Language language);

// A figure of a KPI in its unit: ratios (COVERAGE, STRIKE_RATE) as a
// percentage with one decimal, LPPC with two decimals, everything else
// rounded to a whole number when ≥ 100 and to two decimals below that.
std::string formatFigure(const kpi::KpiInfo& kpi, double value, Language language);

// The KPI's name in the language, falling back to the other one and the code.
std::string kpiName(const kpi::KpiInfo& kpi, Language language);

// One line of the team list: bar, code and name.
std::string teamLine(const TeamMember& member);
// The two lines of one KPI in the person view: "Name (CODE)  bar" and
// "   actual / target → projected".
std::vector<std::string> personFigureLines(const PersonFigure& figure, Language language);
// The person's payout in the person view: "Payout 2026-11: 4,125,000 VND",
// then per plan its code and name and one line per component ("DS Sales:
// 1.05 × 1.125 → 3,375,000", attainment, factor, amount), the gate and each
// adjustment with the period it corrects.
std::vector<std::string> payoutLines(const kpi::Statement& statement, Language language);
// One record behind a figure: "2026-11-02  SO1 · Tạp hóa Cô Ba · 250,000".
std::string detailLine(const kpi::DetailRow& row, Language language);
// The deck's status line: state, data time, last refresh; or why there is no
// store.
std::string statusLine(const EngineHost::Status& status, Language language);

}  // namespace saleskpi::addin
