#include "cell_query.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "closed_periods.hpp"
#include "kpi/error.hpp"
#include "report_sheets.hpp"

namespace saleskpi::addin {
namespace {

// Serials above this are past the year 9999: not a date anyone means.
constexpr double kLargestSerial = 2958465;

kpi::Error invalidArgument(const std::string& message) {
    return kpi::Error(kpi::Error::Kind::InvalidArgument, message);
}

std::optional<double> numberOfDigits(std::string_view text) {
    double value = 0;
    if (text.empty()) return std::nullopt;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

TableCell detailCell(std::string text) { return TableCell(std::move(text)); }

}  // namespace

kpi::Day dayFromSerial(double serial, kpi::Day nullDate) {
    return nullDate + static_cast<kpi::Day>(std::floor(serial));
}

std::optional<kpi::Period> periodFromArgument(const PeriodArgument& argument, kpi::Day nullDate) {
    if (std::holds_alternative<std::monostate>(argument)) return std::nullopt;
    if (const auto* serial = std::get_if<double>(&argument)) {
        if (!std::isfinite(*serial) || *serial < 0 || *serial > kLargestSerial)
            throw invalidArgument("the period is not a date: " + std::to_string(*serial));
        if (*serial < 1) return std::nullopt;  // an empty cell
        const kpi::Day day = dayFromSerial(*serial, nullDate);
        return kpi::Period{kpi::PeriodType::Day, day, day};
    }
    const auto& text = std::get<std::string>(argument);
    if (text.empty()) return std::nullopt;
    auto period = kpi::parsePeriod(text);
    if (!period)
        throw invalidArgument("malformed period '" + text +
                              "' (expected 2026-11-27, 2026-W48, 2026-11, 2026-Q4, 2026 or 2026-11-01..2026-11-20)");
    return period;
}

std::optional<double> serialFromTimestamp(std::string_view timestamp, kpi::Day nullDate) {
    const auto day = kpi::parseDayOfTimestamp(timestamp);
    if (!day) return std::nullopt;
    const auto hours = numberOfDigits(timestamp.substr(11, 2));
    const auto minutes = numberOfDigits(timestamp.substr(14, 2));
    const auto seconds = numberOfDigits(timestamp.substr(17, 2));
    if (!hours || !minutes || !seconds) return std::nullopt;
    return static_cast<double>(*day - nullDate) + (*hours * 3600 + *minutes * 60 + *seconds) / 86400.0;
}

std::string CellQuery::key() const {
    // The unit separator cannot occur in a cell's text argument in practice, and
    // an occurrence would only make two queries share less, never more.
    constexpr char sep = '\x1f';
    std::string key = std::string(specOf(function).programmaticName);
    key += sep;
    key += employee;
    key += sep;
    key += kpi;
    key += sep;
    key += period ? kpi::formatPeriod(*period) : std::string("(current month)");
    if (function == FunctionId::Factor) {
        char number[32];
        std::snprintf(number, sizeof number, "%.17g", attainment);
        key += sep;
        key += plan;
        key += sep;
        key += number;
    }
    return key;
}

std::string componentFromArgument(const PeriodArgument& argument) {
    if (const auto* text = std::get_if<std::string>(&argument)) return *text;
    if (const auto* number = std::get_if<double>(&argument); number && *number != 0)
        throw invalidArgument("kpi: a KPI code as text, or nothing for the total");
    return {};
}

void checkArguments(const CellQuery& query) {
    if (query.function == FunctionId::Payout && query.period && !isPayPeriodType(query.period->type))
        throw invalidArgument("period: KPI.PAYOUT takes a pay period, a month (2026-11), a quarter (2026-Q4) or a "
                              "year (2026), not " + kpi::formatPeriod(*query.period));
    if (query.function == FunctionId::Factor && !std::isfinite(query.attainment))
        throw invalidArgument("attainment: not a number");
}

const std::vector<std::string>& detailHeader() {
    static const std::vector<std::string> header{"date", "reference", "outlet", "outlet name", "employee", "value"};
    return header;
}

void validateQuery(const kpi::Engine& engine, const CellQuery& query) {
    checkArguments(query);
    if (query.function == FunctionId::Factor) {
        engine.factor(query.plan, query.kpi, query.attainment);  // throws for an unknown plan or component
        return;
    }
    if (query.employee != "*" && !engine.hasEmployee(query.employee))
        throw invalidArgument("employee: unknown employee '" + query.employee + "'");
    const bool kpiOptional = query.function == FunctionId::Score || query.function == FunctionId::Payout;
    if (!(kpiOptional && query.kpi.empty()) && !engine.hasKpi(query.kpi))
        throw invalidArgument("kpi: unknown KPI '" + query.kpi + "'");
}

bool answerable(const kpi::Engine& engine, const CellQuery& query, kpi::Day today) {
    if (query.function != FunctionId::Payout || !engine.window()) return true;
    return engine.covers(kpi::payoutWindow(engine.closedPeriods(), periodOf(query, today)));
}

kpi::Period periodOf(const CellQuery& query, kpi::Day today) {
    return query.period ? *query.period : kpi::periodContaining(kpi::PeriodType::Month, today);
}

CellValue evaluateFigure(kpi::Engine& engine, const CellQuery& query, kpi::Day today) {
    validateQuery(engine, query);
    const kpi::Period period = periodOf(query, today);

    const auto valueOrNone = [](const std::optional<double>& value) -> CellValue {
        if (value) return *value;
        return std::monostate{};
    };
    switch (query.function) {
        case FunctionId::Actual: return engine.figures(query.employee, query.kpi, period, today).actual;
        case FunctionId::Target: return valueOrNone(engine.figures(query.employee, query.kpi, period, today).target);
        case FunctionId::Attainment:
            return valueOrNone(engine.figures(query.employee, query.kpi, period, today).attainment);
        case FunctionId::Projected: return engine.figures(query.employee, query.kpi, period, today).projected;
        case FunctionId::Score: return valueOrNone(engine.score(query.employee, period, today));
        case FunctionId::Payout: {
            const auto amount = engine.payoutAmount(query.employee, period, query.kpi);
            if (amount) return static_cast<double>(*amount);  // whole VND: exact in a double up to 2^53
            return std::monostate{};
        }
        case FunctionId::Factor: return engine.factor(query.plan, query.kpi, query.attainment);
        case FunctionId::Detail: throw invalidArgument("KPI.DETAIL reads the store: use detailQueryOf()");
        case FunctionId::AsOf:
        case FunctionId::Status:
        case FunctionId::Period: break;
    }
    throw invalidArgument("not a figure function: " + std::string(specOf(query.function).displayName));
}

kpi::DetailQuery detailQueryOf(const kpi::Engine& engine, const CellQuery& query, kpi::Day today) {
    validateQuery(engine, query);
    return engine.detailQuery(query.employee, query.kpi, periodOf(query, today));
}

std::string moreRowsText(std::size_t more) {
    std::string digits = std::to_string(more);
    for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<std::size_t>(at), ",");
    return "\u2026 and " + digits + (more == 1 ? " more row" : " more rows");
}

CellValue detailTable(const kpi::Detail& detail) {
    Table table;
    table.reserve(detail.rows.size() + 2);
    std::vector<TableCell> header;
    for (const auto& title : detailHeader()) header.push_back(detailCell(title));
    table.push_back(std::move(header));
    for (const auto& row : detail.rows)
        table.push_back({detailCell(row.date), detailCell(row.reference), detailCell(row.outletCode),
                         detailCell(row.outletName), detailCell(row.employeeCode), TableCell(row.value)});
    if (detail.total > detail.rows.size()) {
        std::vector<TableCell> more(detailHeader().size(), detailCell(""));
        more[0] = detailCell(moreRowsText(detail.total - detail.rows.size()));
        table.push_back(std::move(more));
    }
    return table;
}

std::string calendarPeriodText(const PeriodArgument& which, kpi::Day today) {
    std::string word = "this_month";
    if (const auto* text = std::get_if<std::string>(&which)) {
        const auto first = text->find_first_not_of(" \t");
        if (first != std::string::npos) word = text->substr(first, text->find_last_not_of(" \t") - first + 1);
    } else if (const auto* number = std::get_if<double>(&which); number && *number != 0) {
        throw invalidArgument("KPI.PERIOD takes today, this_week, this_month, last_month or a period as text");
    }
    const auto period = resolveReportPeriod(word, today);
    if (!period)
        throw invalidArgument("'" + word + "' is not today, this_week, this_month, last_month or a period such as "
                              "2026-11");
    return kpi::formatPeriod(*period);
}

CellValue asOfValue(const EngineHost::Status& status, kpi::Day nullDate) {
    if (!status.data) return std::monostate{};
    if (auto serial = serialFromTimestamp(status.data->latestActivity, nullDate)) return *serial;
    return std::monostate{};
}

namespace {

// A today fixed by KPI_TODAY (tests, demos, training) is said in the status, so
// that nobody takes pinned figures for live ones.
std::string pinnedTodayNote() {
    if (auto problem = kpi::todayProblem(); !problem.empty()) return "; " + problem + " (the clock's date is used)";
    const char* pinned = std::getenv(kpi::kTodayVariable);
    if (!pinned || !*pinned) return {};
    return std::string("; today is ") + pinned + " (" + kpi::kTodayVariable + ")";
}

}  // namespace

std::string statusText(const EngineHost::Status& status, const std::string& source) {
    const std::string store =
        status.store.string() + (source.empty() ? "" : " (" + source + ")") + pinnedTodayNote();
    const std::string every = std::to_string(status.interval.count()) + " s";
    // A PostgreSQL store is tried again as soon as its server answers (the
    // listener reconnects), at the latest at the next check.
    const std::string retrying = status.postgres ? "retrying as soon as the server answers, at the latest every " + every
                                                 : "retrying every " + every;
    const std::string dataTo =
        status.data && !status.data->latestActivity.empty() ? "; data to " + status.data->latestActivity : "";
    // A PostgreSQL store: whether commits reach the cells at once.
    std::string pushed;
    if (status.push == EngineHost::Status::Push::Listening)
        pushed = "; changes pushed by the server";
    else if (status.push == EngineHost::Status::Push::Reconnecting)
        pushed = "; reconnecting to the server for pushed changes (" + status.pushProblem + ")";
    switch (status.state) {
        case EngineHost::State::Loading:
            if (status.partial) return "loading: " + store + "; figures of " + kpi::formatPeriod(*status.partial) +
                                       " shown meanwhile";
            return "loading: " + store;
        case EngineHost::State::Ready:
            return "ready: " + store + "; refreshed " + status.checkedAt + dataTo + "; checked every " + every + pushed;
        case EngineHost::State::Stale:
            return "stale: " + store + "; " + status.problem + "; showing the data read " + status.checkedAt +
                   dataTo + "; " + retrying + pushed;
        case EngineHost::State::Unavailable:
            return "unavailable: " + store + "; " + status.problem + "; " + retrying + pushed;
        case EngineHost::State::Stopped: return "stopped: " + store + "; the office is shutting down";
    }
    return "unavailable: " + store;
}

std::string readScopeNote(const kpi::DataState& data, Language language) {
    if (!data.restricted) return {};
    const bool vi = language == Language::Vietnamese;
    const std::string login = data.login;
    if (data.teams.empty())
        return vi ? "; kho không cho tài khoản " + login + " xem nhân viên nào"
                  : "; the store shows login " + login + " no employee";
    std::string codes;
    for (const auto& code : data.teams) codes += (codes.empty() ? "" : ", ") + code;
    if (data.teams.size() == 1)
        return vi ? "; kho chỉ cho tài khoản " + login + " xem nhóm của " + codes + " (" + codes +
                        " và mọi người dưới quyền): \"*\" là cả nhóm đó, mã nhân viên ngoài nhóm coi như không có"
                  : "; the store shows login " + login + " only the team of " + codes + " (" + codes +
                        " and everyone below): \"*\" is that team, and other employees' codes are unknown";
    return vi ? "; kho chỉ cho tài khoản " + login + " xem các nhóm của " + codes +
                    " (mỗi người và mọi người dưới quyền): \"*\" là các nhóm đó, mã nhân viên ngoài các nhóm coi như không có"
              : "; the store shows login " + login + " only the teams of " + codes +
                    " (each and everyone below): \"*\" is those teams, and other employees' codes are unknown";
}

}  // namespace saleskpi::addin
