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
// and apply() then takes only CPU time.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kpi/date.hpp"
#include "kpi/period.hpp"

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

struct EmployeeInfo {
    std::string code, name, role, managerCode, department, region;
    Day start = 0;           // start_date
    std::optional<Day> end{};  // end_date; none while employed
};

struct KpiInfo {
    std::string code, type, nameVi, nameEn, unit;
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
    // true the load stops and the constructor throws Error Io. Throws like the
    // first constructor.
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
    Figures figures(const std::string& employeeCode, const std::string& kpiCode, const Period& period, Day asOf);
    // The weighted score of SPEC §6 over the employee's own report rows. The
    // scores of every employee for (period, asOf) are computed on the first
    // call and kept until the data change (the next apply() or refresh()).
    std::optional<double> score(const std::string& employeeCode, const Period& period, Day asOf);
    std::vector<ReportRow> report(const ReportQuery& query);
    std::vector<ScoreRow> scores(const Period& period, Day asOf);
    std::vector<DetailRow> detail(const std::string& employeeCode, const std::string& kpiCode, const Period& period);

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

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kpi
