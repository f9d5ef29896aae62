#include "model.hpp"

#include <algorithm>

namespace kpi::model {

int Interner::intern(std::string_view code) {
    auto it = ids_.find(code);
    if (it != ids_.end()) return it->second;
    int id = static_cast<int>(codes_.size());
    codes_.emplace_back(code);
    ids_.emplace(codes_.back(), id);
    return id;
}

int Interner::find(std::string_view code) const {
    auto it = ids_.find(code);
    return it == ids_.end() ? -1 : it->second;
}

std::uint64_t Dims::maskOfSku(int skuId) const {
    return skuId >= 0 && static_cast<size_t>(skuId) < skuFilterMask.size() ? skuFilterMask[static_cast<size_t>(skuId)]
                                                                          : 1u;
}

size_t Facts::slot(int employee, Day day) {
    if (employee >= static_cast<int>(byEmployee.size())) byEmployee.resize(static_cast<size_t>(employee) + 1);
    EmployeeFacts& f = byEmployee[static_cast<size_t>(employee)];
    const size_t m = static_cast<size_t>(measures);
    if (f.span == 0) {
        f.first = day;
        f.span = 1;
        f.cum.assign(2 * m, 0.0);
        f.days.assign(1, {});
    } else if (day < f.first) {
        // Prepended days are empty, so the old prefix rows stay valid shifted down.
        size_t extra = static_cast<size_t>(f.first - day);
        f.cum.insert(f.cum.begin(), extra * m, 0.0);
        f.days.insert(f.days.begin(), extra, DayDistinct{});
        f.first = day;
        f.span += static_cast<int>(extra);
    } else if (day >= f.first + f.span) {
        size_t extra = static_cast<size_t>(day - (f.first + f.span) + 1);
        std::vector<double> last(f.cum.end() - static_cast<long>(m), f.cum.end());
        for (size_t k = 0; k < extra; ++k) f.cum.insert(f.cum.end(), last.begin(), last.end());
        f.days.resize(f.days.size() + extra);
        f.span += static_cast<int>(extra);
    }
    return static_cast<size_t>(day - f.first);
}

void Facts::addToSuffix(EmployeeFacts& f, size_t i, const std::vector<double>& delta) {
    const size_t m = static_cast<size_t>(measures);
    bool any = false;
    for (double d : delta) any = any || d != 0;
    if (!any) return;
    for (size_t row = i + 1; row <= static_cast<size_t>(f.span); ++row)
        for (size_t k = 0; k < m; ++k) f.cum[row * m + k] += delta[k];
}

void Facts::setBucket(Bucket&& bucket) {
    if (bucket.latest > latest) latest = bucket.latest;
    size_t i = slot(bucket.employee, bucket.day);
    EmployeeFacts& f = byEmployee[static_cast<size_t>(bucket.employee)];
    const size_t m = static_cast<size_t>(measures);
    std::vector<double> delta(m);
    for (size_t k = 0; k < m; ++k) delta[k] = bucket.values[k] - (f.cum[(i + 1) * m + k] - f.cum[i * m + k]);
    addToSuffix(f, i, delta);
    f.days[i] = std::move(bucket.distinct);
}

void Facts::addToBucket(Bucket&& delta) {
    if (delta.latest > latest) latest = delta.latest;
    size_t i = slot(delta.employee, delta.day);
    EmployeeFacts& f = byEmployee[static_cast<size_t>(delta.employee)];
    addToSuffix(f, i, delta.values);
    DayDistinct& d = f.days[i];
    for (const Call& c : delta.distinct.calls) {
        auto it = std::lower_bound(d.calls.begin(), d.calls.end(), c,
                                   [](const Call& a, const Call& b) { return a.outlet < b.outlet; });
        if (it != d.calls.end() && it->outlet == c.outlet) it->skus = c.skus;  // a second order in the call
        else d.calls.insert(it, c);
    }
    for (const auto& entry : delta.distinct.focus) {
        auto it = std::lower_bound(d.focus.begin(), d.focus.end(), entry);
        if (it == d.focus.end() || *it != entry) d.focus.insert(it, entry);
    }
}

void Facts::setVisits(int employee, Day day, double visits, const std::string& latestVisit) {
    if (latestVisit > latest) latest = latestVisit;
    size_t i = slot(employee, day);
    EmployeeFacts& f = byEmployee[static_cast<size_t>(employee)];
    const size_t m = static_cast<size_t>(measures);
    std::vector<double> delta(m, 0.0);
    delta[kVisits] = visits - (f.cum[(i + 1) * m + kVisits] - f.cum[i * m + kVisits]);
    addToSuffix(f, i, delta);
}

const DayDistinct* Facts::day(int employee, Day d) const {
    if (employee < 0 || employee >= static_cast<int>(byEmployee.size())) return nullptr;
    const EmployeeFacts& f = byEmployee[static_cast<size_t>(employee)];
    if (f.span == 0 || d < f.first || d >= f.first + f.span) return nullptr;
    return &f.days[static_cast<size_t>(d - f.first)];
}

double Facts::sum(int employee, int measure, Day first, Day last) const {
    if (employee < 0 || employee >= static_cast<int>(byEmployee.size())) return 0;
    const EmployeeFacts& f = byEmployee[static_cast<size_t>(employee)];
    if (f.span == 0) return 0;
    Day lo = std::max(first, f.first), hi = std::min(last, f.first + f.span - 1);
    if (hi < lo) return 0;
    const size_t m = static_cast<size_t>(measures);
    return f.cum[static_cast<size_t>(hi - f.first + 1) * m + static_cast<size_t>(measure)] -
           f.cum[static_cast<size_t>(lo - f.first) * m + static_cast<size_t>(measure)];
}

}  // namespace kpi::model
