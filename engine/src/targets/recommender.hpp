// The recommendation method of kpi/recommend.hpp applied to an Engine: builds
// each (employee, KPI) series from the engine's figures, keeps them, and
// answers forecasts, spreads and recommendations. Shared by recommendTargets,
// allocateTeamTarget and targetHealth (whose out-of-reach and given-away flags
// are the recommendation for P made from the data before P).
//
// Not thread-safe (it uses the engine).
#pragma once

#include <map>
#include <memory>
#include <tuple>
#include <unordered_map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kpi/engine.hpp"
#include "kpi/recommend.hpp"
#include "kpi_types.hpp"
#include "method.hpp"

namespace kpi::targets {

struct KpiEntry {
    int id = 0;  // dense, for the recommender's caches
    std::string code;
    KpiType type = KpiType::Sales;
    std::vector<std::string> appliesTo;
    bool appliesToRole(const std::string& role) const;
};

// A recommendation with what it was computed from: the forecast (before the
// spread's correction) and the spread, so that a chosen target's chance can be
// computed again.
struct Assessment {
    Recommendation recommendation;
    double forecast = 0;  // 0 when there is no basis
    Spread spread;
    // The chance of reaching an effective target (none without a spread).
    std::optional<double> chanceOf(double effectiveTarget) const;
};

class Recommender {
public:
    // Throws Error InvalidArgument for a period type recommend does not
    // support, a reach outside [0.05, 0.95] or a period too far ahead of asOf.
    Recommender(Engine& engine, const Period& period, Day asOf, double reach);

    const EmployeeInfo* employee(const std::string& code) const;
    // Throws Error InvalidArgument for an unknown KPI.
    const KpiEntry& kpi(const std::string& code);
    // The KPIs of `employee` with a target row of P's type, any time.
    std::vector<std::string> kpisWithTargets(const EmployeeInfo& employee) const;
    // nullopt when the employee is not employed in P.
    std::optional<Assessment> assess(const EmployeeInfo& employee, const KpiEntry& kpi);

    const Period& period() const { return period_; }
    Day asOf() const { return asOf_; }
    const std::vector<EmployeeInfo>& employees() const { return employees_; }

private:
    struct Forecast {
        bool possible = false;
        double value = 0;
        LevelSource source = LevelSource::None;
        Level level;
        std::optional<double> season;
        double ramp = 1;
        bool rampKnown = false;
        int tenure = 0;
    };
    struct Group {
        bool rampReady = false, samplesReady = false;
        RampCurve ramp;
        std::vector<std::pair<double, bool>> samples;  // actual ÷ forecast, with a season?
        std::optional<Spread> spread[2];                // for forecasts without, with a season
    };

    const Series& seriesOf(const EmployeeInfo* employee, const KpiEntry& kpi);
    const std::vector<std::pair<double, bool>>& samplesOf(const KpiEntry& kpi, const std::string& role);
    std::optional<double> peerLevel(const EmployeeInfo& employee, const KpiEntry& kpi, int target, bool sameManager);
    const std::vector<TargetInfo>& targetRowsOf(const EmployeeInfo& employee) const;
    Group& group(const KpiEntry& kpi, const std::string& role);
    Forecast forecastAt(const EmployeeInfo& employee, const KpiEntry& kpi, int target, double size);
    Spread spreadFor(const KpiEntry& kpi, const std::string& role, bool seasonal);
    double universeOn(const std::string& code, Day day);
    int tenureOf(const EmployeeInfo& employee, const Period& p) const;
    double weightOf(const EmployeeInfo& employee, const std::string& kpiCode) const;

    Engine& engine_;
    Period period_;
    Day asOf_;
    double reach_;
    MethodSettings settings_;
    int horizon_ = 1;
    int oldest_ = 1;
    std::optional<Day> dataBegin_;
    std::vector<EmployeeInfo> employees_;
    std::unordered_map<std::string, size_t> byCode_;
    std::map<std::string, KpiEntry, std::less<>> kpis_;
    // Series by KPI id, then employee index + 1 (0: the company).
    std::vector<std::vector<std::unique_ptr<Series>>> series_;
    std::map<std::pair<int, std::string>, Group> groups_;  // (KPI id, role)
    // Peers' median level by (KPI id, role, manager or "" for the role's, target offset).
    std::map<std::tuple<int, std::string, std::string, int>, std::optional<double>> peerLevels_;
    mutable std::vector<std::optional<std::vector<TargetInfo>>> targetRows_;  // by employee index
};

// The first offset whose period ended before asOf (1 when P−1 has): how far
// ahead of the history P lies. Throws Error InvalidArgument beyond 60 periods.
int horizonOf(const Period& period, Day asOf);

}  // namespace kpi::targets
