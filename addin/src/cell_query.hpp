// What one KPI.* cell asks for and what it shows, without UNO types: argument
// conversion (periods as text, date serials or omitted), the identity of a
// query, and its evaluation against a loaded engine.
//
// Thread-safety: pure functions, except validateQuery() and evaluateFigure(),
// which use the engine (call them inside EngineHost::tryQuery()).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine_host.hpp"
#include "function_catalog.hpp"
#include "kpi/date.hpp"
#include "kpi/engine.hpp"
#include "kpi/period.hpp"

namespace saleskpi::addin {

// Calc's default null date 1899-12-30 as a kpi::Day: serial 0 of a document.
inline constexpr kpi::Day kDefaultNullDate = -25569;

// A period argument as the office passes it: omitted, a number (a date serial)
// or a text.
using PeriodArgument = std::variant<std::monostate, double, std::string>;

// The period asked for; nullopt means "the current month", resolved at every
// evaluation so that the cell follows the calendar. Omitted, an empty text and
// 0 (what an empty cell passes) mean the current month; a positive number is a
// date (its time of day is ignored) counted from nullDate. Throws kpi::Error
// InvalidArgument for malformed text and for negative or non-finite numbers.
std::optional<kpi::Period> periodFromArgument(const PeriodArgument& argument, kpi::Day nullDate);

kpi::Day dayFromSerial(double serial, kpi::Day nullDate);
// "YYYY-MM-DD HH:MM:SS" as a date-time serial; nullopt when malformed.
std::optional<double> serialFromTimestamp(std::string_view timestamp, kpi::Day nullDate);

// KPI.PERIOD: the period a calendar word (today, this_week, this_month,
// last_month — or a period of the grammar) means on `today`, as its canonical
// text ("2026-10"). Omitted, an empty text and 0 (an empty cell) mean
// this_month. Throws kpi::Error InvalidArgument for anything else.
std::string calendarPeriodText(const PeriodArgument& which, kpi::Day today);

// One figure cell: KPI.ACTUAL, TARGET, ATTAINMENT, PROJECTED, SCORE, DETAIL,
// PAYOUT or FACTOR.
struct CellQuery {
    FunctionId function = FunctionId::Actual;
    std::string employee;               // empty for KPI.FACTOR
    std::string kpi;                    // empty for KPI.SCORE, and for KPI.PAYOUT's total
    std::optional<kpi::Period> period;  // nullopt: the current month
    std::string plan;                   // KPI.FACTOR only
    double attainment = 0;              // KPI.FACTOR only

    // Equal keys ask for the same thing: they share one volatile result.
    std::string key() const;
};

// KPI.PAYOUT's optional kpi argument: omitted, an empty text or 0 (an empty
// cell) ask for the total (""); a text names a component's KPI. Throws
// kpi::Error InvalidArgument, naming the argument, for anything else.
std::string componentFromArgument(const PeriodArgument& argument);

// Throws kpi::Error InvalidArgument, naming the argument, when KPI.PAYOUT is
// asked for a period that cannot be a pay period (a day, week or cycle), or
// KPI.FACTOR for a non-finite attainment. Needs no engine: a cell shows the
// error even before the store is read.
void checkArguments(const CellQuery& query);

// The period a figure cell covers on `today`: its own, or the current month.
kpi::Period periodOf(const CellQuery& query, kpi::Day today);

// A table cell value; rows of KPI.DETAIL.
using TableCell = std::variant<double, std::string>;
using Table = std::vector<std::vector<TableCell>>;

// What a cell shows. std::monostate shows as #N/A (no value: no target, not
// loaded yet).
using CellValue = std::variant<std::monostate, double, std::string, Table>;

// The column titles of KPI.DETAIL's header row.
const std::vector<std::string>& detailHeader();

// Throws kpi::Error InvalidArgument when the engine does not know the
// employee ("*" is the company) or the KPI.
void validateQuery(const kpi::Engine& engine, const CellQuery& query);

// Whether the engine holds every fact the query reads. A partial first load
// covers a period's own days; a payout also reads the earlier closed periods
// whose adjustments it recomputes (kpi::payoutWindow). KPI.FACTOR reads only
// the plans, which every load holds.
bool answerable(const kpi::Engine& engine, const CellQuery& query, kpi::Day today);

// Evaluates a figure cell with `today` as the as-of date, from the figures in
// memory. Throws kpi::Error InvalidArgument for an unknown employee or KPI,
// and for KPI.DETAIL, which reads the store (detailQueryOf).
CellValue evaluateFigure(kpi::Engine& engine, const CellQuery& query, kpi::Day today);

// KPI.DETAIL shows at most this many records; a last row says how many more
// there are (docs/calc-functions.md).
inline constexpr std::size_t kDetailRowLimit = 10'000;

// KPI.DETAIL's query, to run on the store thread (CPU only here). Throws like
// evaluateFigure().
kpi::DetailQuery detailQueryOf(const kpi::Engine& engine, const CellQuery& query, kpi::Day today);

// KPI.DETAIL's array: the header row, one row per record, and when records
// were left out, a last row "… and 123,456 more rows" (the other cells empty).
CellValue detailTable(const kpi::Detail& detail);

// "… and 123,456 more rows".
std::string moreRowsText(std::size_t more);

// KPI.ASOF: the newest activity in the loaded data as a date-time serial;
// #N/A before the first load or when the store holds no activity.
CellValue asOfValue(const EngineHost::Status& status, kpi::Day nullDate);

// KPI.STATUS: "<state>: <store> (<where the path came from>); …". The first
// word is one of loading, ready, stale, unavailable, stopped.
std::string statusText(const EngineHost::Status& status, const std::string& source);

// What KPI.STATUS adds when the store shows this reader only a team (a
// PostgreSQL manager's login, kpi::DataState::restricted): "; the store shows
// login lan only the team of SS01 …" (in the office's language); "" otherwise.
std::string readScopeNote(const kpi::DataState& data, Language language);


}  // namespace saleskpi::addin
