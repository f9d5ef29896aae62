// The KPI engine: actuals, effective targets, attainment, projections and scores
// of SPEC §4–§6, answered from aggregates kept in memory.
//
// An Engine reads one store (read-only). Loading builds per-employee, per-day
// aggregates; afterwards a query is a lookup over the employee's subtree and the
// period's days, never a scan of orders. refresh() folds in what changed in the
// store since the last load, at a cost proportional to the change.
//
// Thread-safety: an Engine is not thread-safe; guard it with a mutex. For callers
// that must not block (the Calc add-in), the I/O half of a refresh is separate:
// Engine::fetchChanges() may run on a worker thread while the engine is in use,
// and apply() then takes only CPU time. The engine's SQLite connection is used
// by its constructor, fetchChanges() and its destructor only — one thread at a
// time, the caller's duty; detail queries read through connections of their own
// (DetailQuery), so no connection is ever shared between threads.
//
// Identity: a store replaced underneath (another store_id in its meta table)
// is read from scratch by the next fetchChanges(), never folded in.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kpi/date.hpp"
#include "kpi/period.hpp"
#include "kpi/rewards.hpp"

namespace kpi {

// What one (employee, KPI, period) query answers.
struct Figures {
    Period clipped{};                   // the period clipped to the employment window
    bool exists = true;                 // false: the clipped period is empty
    double actual = 0;
    std::optional<double> target;       // effective target
    std::optional<double> attainment;   // actual ÷ target; none when target is missing or 0
    double projected = 0;
};

// One row of `kpi report` (SPEC §7).
struct ReportRow {
    std::string employeeCode;
    std::string kpiCode;
    Period period{};  // clipped
    double actual = 0;
    std::optional<double> target;
    std::optional<double> attainment;
    double projected = 0;
    double weight = 1;
};

struct ScoreRow {
    std::string employeeCode;
    Period period{};
    std::optional<double> score;
};

struct ReportQuery {
    Period period{};
    std::optional<PeriodType> type;   // --type
    std::string employeeCode;         // --employee (subtree); empty = everyone
    Day asOf = 0;
    // Rows of a closed pay period come from what its close froze (SPEC §10)
    // unless live: then from today's data, like any other period's.
    bool live = false;
};

// One record behind a figure, for KPI.DETAIL and the sidebar.
struct DetailRow {
    std::string date;         // YYYY-MM-DD
    std::string reference;    // order code, visit code or outlet code
    std::string outletCode;
    std::string outletName;
    std::string employeeCode;
    double value = 0;         // amount, quantity or 1
};

// The records behind a figure, perhaps cut at a limit.
struct Detail {
    std::vector<DetailRow> rows;  // the first records, at most the limit asked for
    std::size_t total = 0;        // every record behind the figure: more than rows.size() when cut
};

// A KPI.DETAIL query taken from an engine (who, which KPI, which days; the
// outlets of UB, COVERAGE and NEW_OUTLETS), read from the store later without
// the engine.
//
// Thread-safety: run() opens a connection of its own, uses it and closes it
// before it returns, on the calling thread. Copies share an immutable plan:
// any number of runs may go on at once, on any threads, while the engine that
// made the query answers queries, fetches changes or is destroyed.
class DetailQuery {
public:
    // Reads at most `limit` records and counts the rest. `cancelled`, when
    // given, is asked every hundred SQLite steps; once it says true the run
    // stops and throws Error Io. Throws like Engine's constructor.
    Detail run(std::size_t limit, const std::function<bool()>& cancelled = {}) const;

    struct Plan;  // engine-private

private:
    friend class Engine;
    std::shared_ptr<const Plan> plan_;
};

struct EmployeeInfo {
    std::string code, name, role, managerCode, department, region;
    Day start = 0;           // start_date
    std::optional<Day> end{};  // end_date; none while employed
};

struct KpiInfo {
    std::string code, type, nameVi, nameEn, unit;
    double cap = 1.5;  // the attainment cap of scores
    std::vector<std::string> appliesTo{};  // the roles of applies_to; empty = every role
};

// One row of targets.csv as the store holds it.
struct TargetInfo {
    std::string kpiCode;
    PeriodType periodType = PeriodType::Month;
    Day validFrom = 0, validTo = 0;
    double target = 0, weight = 1;
};

// Where the figures come from: for KPI.ASOF and KPI.STATUS.
struct DataState {
    long long changeSeq = 0;     // the store's change counter folded in so far
    std::string latestActivity;  // newest order or visit time seen, "YYYY-MM-DD HH:MM:SS"
    std::string storeId;         // the store's identity (meta store_id); "" for a store without one
    // What the store lets this reader see (a PostgreSQL manager's login,
    // docs/postgresql.md): when restricted, only the teams (subtrees) of
    // `teams` — "*" is then their sum, and any other employee is unknown.
    // Not restricted: an SQLite file, the schema's owner, a login granted '*'.
    bool restricted = false;
    std::string login;               // the PostgreSQL login reading; "" for an SQLite file
    std::vector<std::string> teams;  // when restricted: the employees at the top of what it sees
};

class PendingChanges;  // what fetchChanges() read; opaque
struct PendingChangesDeleter {
    void operator()(PendingChanges* changes) const noexcept;
};
// Owns what fetchChanges() read until apply() takes it; destroyable anywhere.
using PendingChangesPtr = std::unique_ptr<PendingChanges, PendingChangesDeleter>;

class Engine {
public:
    // Opens the store read-only and loads everything. Throws Error NotFound,
    // Corruption, Busy or Io.
    explicit Engine(const std::filesystem::path& storePath);
    // Loads only the orders and visits dated inside [window.first, window.last]
    // (for one-shot commands); queries outside the window see no activity.
    Engine(const std::filesystem::path& storePath, Period window);
    // The same, with `readers` connections reading parts of the window's days
    // in parallel (a thread each beyond the first), for commands that read long
    // histories. The parts see the same state of the store: when a writer
    // commits while they start, the window is read again on one connection.
    Engine(const std::filesystem::path& storePath, Period window, int readers);
    // Loads every dimension table, then asks chooseWindow() which orders and
    // visits to load: those dated inside the period it returns, or all of them
    // for nullopt. chooseWindow runs on the constructing thread, inside the
    // load (e.g. to look at what callers asked for while the dimensions were
    // read). `cancelled`, when given, is asked every hundred SQLite steps
    // of the load (on the constructing thread; it must not throw): once it says
    // true the load stops and the constructor throws Error Io. Later
    // fetchChanges() calls ask it too (from their thread). Throws like the
    // first constructor.
    // A load or a check waiting for a PostgreSQL server's answer (a lock, a
    // network that is down) asks `cancelled` every 100 ms too, and gives the
    // statement up a second after it says true (docs/postgresql.md).
    Engine(const std::filesystem::path& storePath, const std::function<std::optional<Period>()>& chooseWindow,
           const std::function<bool()>& cancelled = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Reads what changed in the store since this engine's state (I/O only; safe to
    // call from another thread while the engine answers queries, but not
    // concurrently with apply() or another fetchChanges()). Returns nullptr when
    // nothing changed. Throws like the constructor.
    PendingChangesPtr fetchChanges() const;
    // Folds fetched changes in (CPU only).
    void apply(PendingChangesPtr changes);
    // fetchChanges() + apply(); true when anything changed.
    bool refresh();

    // Throws Error InvalidArgument for an unknown employee ("*" = the company) or KPI.
    // For a closed pay period (SPEC §10) and an employee and KPI its close froze,
    // the frozen figures, unless live.
    Figures figures(const std::string& employeeCode, const std::string& kpiCode, const Period& period, Day asOf,
                    bool live = false);
    // The weighted score of SPEC §6 over the employee's own report rows. The
    // scores of every employee for (period, asOf) are computed on the first
    // call and kept until the data change (the next apply() or refresh()).
    std::optional<double> score(const std::string& employeeCode, const Period& period, Day asOf);
    // Closed pay periods answer from their frozen rows (see ReportQuery::live).
    std::vector<ReportRow> report(const ReportQuery& query);
    // Over report(): a closed period's scores come from its frozen rows (and
    // the caps frozen with them) unless live.
    std::vector<ScoreRow> scores(const Period& period, Day asOf, bool live = false);
    // The records behind a figure, all of them (for one-shot callers).
    std::vector<DetailRow> detail(const std::string& employeeCode, const std::string& kpiCode, const Period& period);
    // The same as a query to run later, elsewhere (CPU only: no store access).
    // Throws Error InvalidArgument for an unknown employee or KPI.
    DetailQuery detailQuery(const std::string& employeeCode, const std::string& kpiCode, const Period& period) const;

    // The window of a partial load; nullopt when everything was loaded.
    std::optional<Period> window() const;
    // True when figures over `period` (and its clipped parts) see all of their
    // data: everything was loaded, or the window contains the whole period.
    // Dimensions (people, targets, routes, outlets, KPIs, calendar) are always
    // complete; only orders and visits are windowed.
    bool covers(const Period& period) const;

    bool hasEmployee(const std::string& code) const;
    bool hasKpi(const std::string& code) const;
    std::vector<EmployeeInfo> employees() const;
    // Codes of the employee and everyone below, the employee first.
    std::vector<std::string> subtree(const std::string& employeeCode) const;
    std::vector<KpiInfo> kpis() const;
    // The employee's own target rows (not their team's), by KPI code, period
    // type and valid_from. Throws Error InvalidArgument for an unknown employee.
    std::vector<TargetInfo> targetRows(const std::string& employeeCode) const;
    // Working days (SPEC §4) in [first, last]; 0 when last < first.
    int workingDays(Day first, Day last) const;
    // The first day with an approved order or a visit among the loaded facts
    // (inside the window of a partial load); none when there is no activity.
    std::optional<Day> firstActivity() const;
    // The store this engine reads.
    const std::filesystem::path& storePath() const;
    DataState state() const;

    // ---- Rewards (SPEC §9–§10; the types are in kpi/rewards.hpp) -----------
    //
    // Payouts read the orders and visits of the pay period and, for an open
    // one's adjustments, of every closed period of its type before it: an
    // engine loaded with a window (Engine(path, window)) must cover
    // payoutWindow(closedPeriods(), period); payout(), payoutAmount() and
    // statement() throw Error InvalidArgument rather than compute from less.

    // The rows of `kpi payout` (SPEC §9), in their order: a closed period's
    // frozen rows (live: components, gates and totals recomputed from today's
    // data, the frozen adjustments kept); an open period's from today's data,
    // with the adjustments closing it now would settle. Throws Error
    // InvalidArgument for a period that is not a MONTH, QUARTER or YEAR or an
    // unknown employee. The rows of every employee for (period, live) are
    // computed on the first call and kept until the data change.
    std::vector<PayoutRow> payout(const PayoutQuery& query);
    // KPI.PAYOUT: the sum of the employee's own total rows for the period (with
    // kpiCode: of their component rows of that KPI); nullopt when there is none
    // (no plan applies). "*" sums every employee's rows (not a subtree: a
    // manager's payout is their own). Throws like payout().
    std::optional<long long> payoutAmount(const std::string& employeeCode, const Period& period,
                                          const std::string& kpiCode = {}, bool live = false);
    // KPI.FACTOR: the factor the plan's curve for the KPI gives the attainment
    // (what-if; the attainment is taken as the shortest decimal that is this
    // double, e.g. 1.1). Throws Error InvalidArgument for an unknown plan or a
    // KPI that is not one of its components.
    double factor(const std::string& planCode, const std::string& kpiCode, double attainment) const;
    // One person's statement for a pay period: their plans' rows with the KPI
    // names and the calls behind each figure. Throws like payout().
    Statement statement(const std::string& employeeCode, const Period& period, bool live = false);
    // Whether the period (type and days) is closed, by whom and when.
    std::optional<ClosedPeriod> closedPeriod(const Period& period) const;
    // Every closed period, by type then first day.
    std::vector<ClosedPeriod> closedPeriods() const;
    // The plans, by code.
    std::vector<PlanInfo> plans() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// True while `cancelled` is being asked by a statement that is still waiting
// for the server's answer (on the asking thread): the question is then no
// sign of progress, as the ones asked between rows and SQLite steps are.
bool askedWhileWaiting();

}  // namespace kpi
