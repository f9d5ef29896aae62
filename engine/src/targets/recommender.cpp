#include "recommender.hpp"

#include <algorithm>
#include <cmath>

#include "kpi/error.hpp"

namespace kpi::targets {
namespace {

constexpr int kMaxHorizon = 60;
// Below these many past forecasts of the same kind, the spread widens its pool.
constexpr size_t kEnoughSamples = 20;
constexpr size_t kFewestSamples = 10;

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

bool KpiEntry::appliesToRole(const std::string& role) const {
    return appliesTo.empty() || std::find(appliesTo.begin(), appliesTo.end(), role) != appliesTo.end();
}

std::optional<double> Assessment::chanceOf(double effectiveTarget) const {
    if (spread.empty() || forecast <= 0) return std::nullopt;
    return spread.exceedance(effectiveTarget / forecast);
}

int horizonOf(const Period& period, Day asOf) {
    for (int h = 1; h <= kMaxHorizon; ++h)
        if (shifted(period, h).last < asOf) return h;
    throw Error(Error::Kind::InvalidArgument,
                "the period " + formatPeriod(period) + " is too far ahead of " + formatDay(asOf) + " to recommend for");
}

Recommender::Recommender(Engine& engine, const Period& period, Day asOf, double reach)
    : engine_(engine), period_(period), asOf_(asOf), reach_(reach), settings_(settingsFor(period.type)) {
    if (!isRecommendable(period.type))
        throw Error(Error::Kind::InvalidArgument, "targets are recommended for a WEEK, MONTH, QUARTER or YEAR, not " +
                                                      std::string(periodTypeName(period.type)) + " (" +
                                                      formatPeriod(period) + ")");
    if (!(reach >= 0.05 && reach <= 0.95))
        throw Error(Error::Kind::InvalidArgument, "the chance of reaching a target must be between 0.05 and 0.95");
    horizon_ = horizonOf(period, asOf);
    oldest_ = settings_.oldestOffset(horizon_);
    dataBegin_ = engine.firstActivity();
    employees_ = engine.employees();
    for (size_t i = 0; i < employees_.size(); ++i) byCode_.emplace(employees_[i].code, i);
    targetRows_.resize(employees_.size());
    for (const KpiInfo& info : engine.kpis())
        if (auto type = parseKpiType(info.type)) {
            kpis_.emplace(info.code, KpiEntry{static_cast<int>(series_.size()), info.code, *type, info.appliesTo});
            series_.emplace_back(employees_.size() + 1);
        }
}

const EmployeeInfo* Recommender::employee(const std::string& code) const {
    auto it = byCode_.find(code);
    return it == byCode_.end() ? nullptr : &employees_[it->second];
}

const KpiEntry& Recommender::kpi(const std::string& code) {
    auto it = kpis_.find(code);
    if (it != kpis_.end()) return it->second;
    auto type = parseKpiType(code);  // a bare type name is a KPI code (SPEC §6)
    if (!type) throw Error(Error::Kind::InvalidArgument, "unknown KPI '" + code + "'");
    series_.emplace_back(employees_.size() + 1);
    return kpis_.emplace(code, KpiEntry{static_cast<int>(series_.size()) - 1, code, *type, {}}).first->second;
}

const std::vector<TargetInfo>& Recommender::targetRowsOf(const EmployeeInfo& employee) const {
    auto& rows = targetRows_[static_cast<size_t>(&employee - employees_.data())];
    if (!rows) rows = engine_.targetRows(employee.code);
    return *rows;
}

std::vector<std::string> Recommender::kpisWithTargets(const EmployeeInfo& employee) const {
    std::vector<std::string> codes;
    for (const TargetInfo& row : targetRowsOf(employee))
        if (row.periodType == period_.type) codes.push_back(row.kpiCode);
    std::sort(codes.begin(), codes.end());
    codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
    return codes;
}

int Recommender::tenureOf(const EmployeeInfo& employee, const Period& p) const {
    long tenure = periodNumber(period_.type, p.first) - periodNumber(period_.type, employee.start) + 1;
    return static_cast<int>(std::clamp(tenure, 0L, 100000L));
}

double Recommender::universeOn(const std::string& code, Day day) {
    return engine_.figures(code, "UB", Period{PeriodType::Day, day, day}, asOf_).actual;
}

const Series& Recommender::seriesOf(const EmployeeInfo* employee, const KpiEntry& kpi) {
    auto& slot = series_[static_cast<size_t>(kpi.id)][employee ? static_cast<size_t>(employee - employees_.data()) + 1 : 0];
    if (slot) return *slot;
    const std::string code = employee ? employee->code : std::string("*");
    Series series(oldest_);
    const Scale scale = scaleOf(kpi.type);
    // The company's series serves the season only (seasonAt), which reads
    // offsets from the seasonal lag on: the periods before are not asked.
    const int newest = employee ? 1 : settings_.seasonalLag > 0 ? settings_.seasonalLag : oldest_ + 1;
    for (int o = newest; o <= oldest_; ++o) {
        const Period h = shifted(period_, o);
        Observation& obs = series.at(o);
        if (employee) obs.tenure = tenureOf(*employee, h);
        // Only what was known and complete at the as-of date, inside the data
        // (a period ended before the data began is skipped below anyway: its
        // clipped days start before them; not asking saves most of the
        // questions when the store holds less than the method looks back).
        if (h.last >= asOf_ || !dataBegin_ || h.last < *dataBegin_ || !engine_.covers(h)) continue;
        const Figures f = engine_.figures(code, kpi.code, h, asOf_);
        if (!f.exists || f.clipped.first < *dataBegin_) continue;
        obs.actual = f.actual;
        switch (scale) {
        case Scale::PerWorkingDay:
            obs.size = obs.sizeAtStart = engine_.workingDays(f.clipped.first, f.clipped.last);
            break;
        case Scale::PerOutlet:
            obs.size = engine_.figures(code, "UB", h, asOf_).actual;
            obs.sizeAtStart = universeOn(code, f.clipped.first);
            break;
        case Scale::Universe:
            obs.size = 1;
            obs.sizeAtStart = universeOn(code, f.clipped.first);
            break;
        case Scale::Level:
            obs.size = obs.sizeAtStart = 1;
            break;
        }
        obs.usable = obs.size > 0;
    }
    slot = std::make_unique<Series>(std::move(series));
    return *slot;
}

Recommender::Group& Recommender::group(const KpiEntry& kpi, const std::string& role) {
    Group& g = groups_[{kpi.id, role}];
    if (g.rampReady) return g;
    g.rampReady = true;
    // Peers whose first period is inside the data show how people ramp up.
    std::vector<const Series*> joiners;
    if (dataBegin_ && settings_.rampPeriods > 0)
        for (const EmployeeInfo& e : employees_)
            if (e.role == role && e.start >= *dataBegin_) joiners.push_back(&seriesOf(&e, kpi));
    g.ramp = rampFrom(joiners, horizon_, settings_);
    return g;
}

Recommender::Forecast Recommender::forecastAt(const EmployeeInfo& employee, const KpiEntry& kpi, int target,
                                              double size) {
    Forecast f;
    const Group& g = group(kpi, employee.role);
    f.level = levelAt(seriesOf(&employee, kpi), target, horizon_, settings_, g.ramp);
    f.source = LevelSource::Own;
    if (!f.level.found) {
        // No history of their own: the median level of peers, those of the
        // same manager and role when there are two, else the role's.
        std::optional<double> peers = peerLevel(employee, kpi, target, true);
        if (!peers) peers = peerLevel(employee, kpi, target, false);
        if (!peers) return f;
        f.source = LevelSource::Peers;
        f.level.found = true;
        f.level.rate = *peers;
        f.level.offsets.clear();
        for (int o = 0; o < settings_.levelPeriods; ++o) f.level.offsets.push_back(target + horizon_ + o);
    }
    f.season = seasonAt(seriesOf(nullptr, kpi), target, f.level.offsets, settings_);
    f.tenure = tenureOf(employee, shifted(period_, target));
    f.ramp = g.ramp.at(f.tenure);
    f.rampKnown = g.ramp.known(f.tenure);
    f.possible = true;
    f.value = scaleOf(kpi.type) == Scale::Universe ? size : f.level.rate * f.season.value_or(1) * f.ramp * size;
    return f;
}

std::optional<double> Recommender::peerLevel(const EmployeeInfo& employee, const KpiEntry& kpi, int target,
                                             bool sameManager) {
    // One median for the group: a peer's own level does not depend on who asks,
    // and with at least two others the asker's absence changes little.
    auto key = std::make_tuple(kpi.id, employee.role, sameManager ? employee.managerCode : std::string(), target);
    if (auto it = peerLevels_.find(key); it != peerLevels_.end()) return it->second;
    const RampCurve& ramp = group(kpi, employee.role).ramp;
    std::vector<double> levels;
    for (const EmployeeInfo& p : employees_) {
        if (p.role != employee.role || (sameManager && p.managerCode != employee.managerCode)) continue;
        Level l = levelAt(seriesOf(&p, kpi), target, horizon_, settings_, ramp);
        if (l.found) levels.push_back(l.rate);
    }
    std::optional<double> level;
    if (levels.size() >= 2) level = median(std::move(levels));
    peerLevels_.emplace(key, level);
    return level;
}

const std::vector<std::pair<double, bool>>& Recommender::samplesOf(const KpiEntry& kpi, const std::string& role) {
    Group& g = group(kpi, role);
    if (g.samplesReady) return g.samples;
    g.samplesReady = true;
    const Scale scale = scaleOf(kpi.type);
    std::vector<std::pair<double, bool>> samples;
    for (const EmployeeInfo& m : employees_) {
        if (m.role != role || !kpi.appliesToRole(role)) continue;
        const Series& s = seriesOf(&m, kpi);
        for (int j = 1; j <= settings_.backtestPeriods; ++j) {
            const Observation* t = s.find(j);
            if (!t || !t->usable) continue;
            double size = scale == Scale::PerWorkingDay ? t->size : scale == Scale::Level ? 1 : t->sizeAtStart;
            if (size <= 0) continue;
            Forecast f = forecastAt(m, kpi, j, size);
            if (!f.possible || f.value <= 0) continue;
            samples.push_back({t->actual / f.value, f.season.has_value()});
        }
    }
    Group& after = group(kpi, role);  // forecastAt may have added groups
    after.samples = std::move(samples);
    return after.samples;
}

Spread Recommender::spreadFor(const KpiEntry& kpi, const std::string& role, bool seasonal) {
    std::optional<Spread>& cached = group(kpi, role).spread[seasonal ? 1 : 0];
    if (cached) return *cached;
    auto pick = [&](const std::vector<std::pair<double, bool>>& samples) -> std::optional<std::vector<double>> {
        std::vector<double> same, all;
        for (const auto& [ratio, withSeason] : samples) {
            all.push_back(ratio);
            if (withSeason == seasonal) same.push_back(ratio);
        }
        std::vector<double>& chosen = same.size() >= kEnoughSamples ? same : all;
        if (chosen.size() < kFewestSamples) return std::nullopt;
        // The size of past misses, not their direction: each past month was
        // off in the direction of its own season, which says nothing of P's.
        const double middle = median(chosen);
        if (middle <= 0) return std::nullopt;
        for (double& ratio : chosen) ratio /= middle;
        return std::move(chosen);
    };
    Spread spread;
    if (auto own = pick(samplesOf(kpi, role))) {
        spread = Spread(std::move(*own));
    } else {
        // Too few people of this role: every role with the KPI.
        std::vector<std::pair<double, bool>> pooled;
        std::vector<std::string> roles;
        for (const EmployeeInfo& e : employees_)
            if (std::find(roles.begin(), roles.end(), e.role) == roles.end()) roles.push_back(e.role);
        for (const std::string& r : roles) {
            const auto& samples = samplesOf(kpi, r);
            pooled.insert(pooled.end(), samples.begin(), samples.end());
        }
        if (auto all = pick(pooled)) spread = Spread(std::move(*all));
    }
    group(kpi, role).spread[seasonal ? 1 : 0] = spread;
    return spread;
}

double Recommender::weightOf(const EmployeeInfo& employee, const std::string& kpiCode) const {
    const TargetInfo* applicable = nullptr;
    const TargetInfo* latest = nullptr;
    for (const TargetInfo& row : targetRowsOf(employee)) {
        if (row.kpiCode != kpiCode || row.periodType != period_.type) continue;
        if (row.validFrom <= period_.last && period_.first <= row.validTo &&
            (!applicable || row.validFrom >= applicable->validFrom))
            applicable = &row;
        if (!latest || row.validFrom >= latest->validFrom) latest = &row;
    }
    if (applicable) return applicable->weight;
    return latest ? latest->weight : 1.0;
}

std::optional<Assessment> Recommender::assess(const EmployeeInfo& employee, const KpiEntry& kpi) {
    const Figures now = engine_.figures(employee.code, kpi.code, period_, asOf_);
    if (!now.exists) return std::nullopt;
    Assessment a;
    Recommendation& r = a.recommendation;
    r.employeeCode = employee.code;
    r.kpiCode = kpi.code;
    r.period = period_;
    r.clipped = now.clipped;
    r.currentTarget = now.target;
    r.weight = weightOf(employee, kpi.code);
    const Series& own = seriesOf(&employee, kpi);
    for (int o = horizon_; o <= own.oldestOffset(); ++o)
        if (own.usable(o)) {
            r.lastActual = own.find(o)->actual;
            r.lastPeriod = shifted(period_, o);
            break;
        }

    const Scale scale = scaleOf(kpi.type);
    const int wClipped = engine_.workingDays(now.clipped.first, now.clipped.last);
    const int wFull = engine_.workingDays(period_.first, period_.last);
    double size = 1;
    RecommendationBasis& b = r.basis;
    b.unit = scale == Scale::PerWorkingDay ? LevelUnit::PerWorkingDay
             : scale == Scale::PerOutlet   ? LevelUnit::PerOutlet
             : scale == Scale::Universe    ? LevelUnit::Universe
                                           : LevelUnit::AsIs;
    if (scale == Scale::PerWorkingDay) {
        size = wClipped;
        b.workingDays = wClipped;
    } else if (scale == Scale::PerOutlet || scale == Scale::Universe) {
        // The routes as they stand now: on the as-of day, within the clipped period.
        size = universeOn(employee.code, std::clamp(asOf_, now.clipped.first, now.clipped.last));
        b.universeNow = size;
    }
    if (wClipped == 0) {
        b.problem = "no working day of " + formatPeriod(period_) + " falls in the employment";
        return a;
    }
    if (!dataBegin_) {
        b.problem = "the store has no orders or visits yet";
        return a;
    }
    Forecast f = forecastAt(employee, kpi, 0, size);
    b.tenure = f.tenure;
    if (!f.possible) {
        b.problem = "no complete " + std::string(periodTypeName(period_.type)) +
                    " of history before " + formatPeriod(period_) + ", and fewer than two peers with one";
        return a;
    }
    b.source = f.source;
    b.periodsUsed = static_cast<int>(f.level.offsets.size());
    b.levelFirst = shifted(period_, f.level.offsets.back());
    b.levelLast = shifted(period_, f.level.offsets.front());
    b.levelRate = f.level.rate;
    b.season = f.season;
    b.seasonPeriod = shifted(period_, settings_.seasonalLag);
    b.seasonBaseFirst = shifted(period_, f.level.offsets.back() + settings_.seasonalLag);
    b.seasonBaseLast = shifted(period_, f.level.offsets.front() + settings_.seasonalLag);
    if (f.rampKnown) b.ramp = f.ramp;
    if (f.source == LevelSource::Own) {
        double sizes = 0;
        for (int o : f.level.offsets) sizes += own.find(o)->size;
        double mean = sizes / static_cast<double>(f.level.offsets.size());
        if (scale == Scale::PerWorkingDay) b.historyWorkingDays = mean;
        if (scale == Scale::PerOutlet) b.universeThen = mean;
        if (scale == Scale::Universe) {
            double then = 0;
            for (int o : f.level.offsets) then += own.find(o)->actual;
            b.universeThen = then / static_cast<double>(f.level.offsets.size());
        }
    }
    a.forecast = f.value;
    a.spread = spreadFor(kpi, employee.role, f.season.has_value());
    b.errorSamples = static_cast<int>(a.spread.size());

    double effective = f.value;
    if (a.spread.empty()) {
        r.p10 = r.p50 = r.p90 = f.value;
    } else {
        r.p10 = f.value * a.spread.quantile(0.1);
        r.p50 = f.value * a.spread.quantile(0.5);
        r.p90 = f.value * a.spread.quantile(0.9);
        effective = f.value * a.spread.quantile(1 - reach_);
    }
    // For reading: whole VND, units and counts; ratios to four decimals.
    const double unit =
        kpi.type == KpiType::Lppc || kpi.type == KpiType::StrikeRate || kpi.type == KpiType::Coverage ? 1e-4 : 1;
    for (double* v : {&r.p10, &r.p50, &r.p90}) *v = std::round(*v / unit) * unit;
    // The row's value is the full-period figure whose proration over the
    // clipped period (SPEC §5) is the effective target.
    const double row = roundTarget(effective * wFull / wClipped, kpi.type);
    r.target = row;
    r.effectiveTarget = row * wClipped / wFull;
    r.probability = a.chanceOf(*r.effectiveTarget);
    return a;
}

}  // namespace kpi::targets
