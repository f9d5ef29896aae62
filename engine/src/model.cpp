#include "model.hpp"

#include <algorithm>

#include "exact.hpp"

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

bool passes(const KpiParams& f, std::string_view sku, std::string_view category, std::string_view brand) {
    if (!f.skus.empty() && !std::binary_search(f.skus.begin(), f.skus.end(), sku)) return false;
    if (!f.category.empty() && f.category != category) return false;
    if (!f.brand.empty() && f.brand != brand) return false;
    return true;
}

std::uint64_t Dims::maskOfSku(int skuId) const {
    return skuId >= 0 && static_cast<size_t>(skuId) < skuFilterMask.size() ? skuFilterMask[static_cast<size_t>(skuId)]
                                                                          : 1u;
}

int Dims::internSku(std::string_view sku) {
    int id = skuIds.intern(sku);
    while (skuFilterMask.size() < static_cast<size_t>(skuIds.size())) {
        const std::string& code = skuIds.code(static_cast<int>(skuFilterMask.size()));
        std::uint64_t mask = 1u;
        for (size_t f = 1; f < filters.size(); ++f)
            if (passes(filters[f], code, "", "")) mask |= std::uint64_t{1} << f;
        skuFilterMask.push_back(mask);
    }
    return id;
}

std::int64_t timeKey(std::string_view t) {
    if (t.size() != 19 || t[4] != '-' || t[7] != '-' || t[10] != ' ' || t[13] != ':' || t[16] != ':') return 0;
    // The fourteen digits, without a branch per position (the loader asks for
    // every order and visit).
    static constexpr std::array<unsigned char, 14> kDigits = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
    std::int64_t key = 0;
    unsigned bad = 0;
    for (unsigned char i : kDigits) {
        const unsigned digit = static_cast<unsigned char>(t[i]) - static_cast<unsigned>('0');
        bad |= static_cast<unsigned>(digit > 9);
        key = key * 10 + static_cast<std::int64_t>(digit);
    }
    return bad ? 0 : key;
}

std::string timeText(std::int64_t key) {
    if (key <= 0) return std::string();
    char digits[15];
    for (int i = 13; i >= 0; --i) {
        digits[i] = static_cast<char>('0' + key % 10);
        key /= 10;
    }
    std::string t(digits, 4);
    t += '-';
    t.append(digits + 4, 2);
    t += '-';
    t.append(digits + 6, 2);
    t += ' ';
    t.append(digits + 8, 2);
    t += ':';
    t.append(digits + 10, 2);
    t += ':';
    t.append(digits + 12, 2);
    return t;
}

Facts Facts::build(int measureCount, int employees, std::vector<Bucket>&& buckets) {
    Facts facts;
    facts.measures = measureCount;
    facts.byEmployee.resize(static_cast<size_t>(employees));
    const size_t m = static_cast<size_t>(measureCount);
    for (size_t i = 0; i < buckets.size();) {
        size_t j = i;
        while (j < buckets.size() && buckets[j].employee == buckets[i].employee) ++j;
        EmployeeFacts& f = facts.byEmployee[static_cast<size_t>(buckets[i].employee)];
        f.first = buckets[i].day;
        f.span = buckets[j - 1].day - f.first + 1;
        f.cum.assign(static_cast<size_t>(f.span + 1) * m, 0);
        f.days.assign(static_cast<size_t>(f.span), {});
        for (size_t k = i; k < j; ++k) {
            size_t idx = static_cast<size_t>(buckets[k].day - f.first);
            for (size_t v = 0; v < m; ++v) f.cum[(idx + 1) * m + v] = buckets[k].values[v];
            DayDistinct& d = f.days[idx];
            d = std::move(buckets[k].distinct);
            facts.latest = std::max({facts.latest, d.latestOrder, d.latestVisit});
        }
        for (size_t row = 1; row <= static_cast<size_t>(f.span); ++row)
            for (size_t v = 0; v < m; ++v) exact::add(f.cum[row * m + v], f.cum[(row - 1) * m + v]);
        i = j;
    }
    return facts;
}

size_t Facts::slot(int employee, Day day) {
    if (employee >= static_cast<int>(byEmployee.size())) byEmployee.resize(static_cast<size_t>(employee) + 1);
    EmployeeFacts& f = byEmployee[static_cast<size_t>(employee)];
    const size_t m = static_cast<size_t>(measures);
    if (f.span == 0) {
        f.first = day;
        f.span = 1;
        f.cum.assign(2 * m, 0);
        f.days.assign(1, {});
    } else if (day < f.first) {
        // Prepended days are empty, so the old prefix rows stay valid shifted down.
        size_t extra = static_cast<size_t>(f.first - day);
        f.cum.insert(f.cum.begin(), extra * m, 0);
        f.days.insert(f.days.begin(), extra, DayDistinct{});
        f.first = day;
        f.span += static_cast<int>(extra);
    } else if (day >= f.first + f.span) {
        size_t extra = static_cast<size_t>(day - (f.first + f.span) + 1);
        std::vector<std::int64_t> last(f.cum.end() - static_cast<long>(m), f.cum.end());
        for (size_t k = 0; k < extra; ++k) f.cum.insert(f.cum.end(), last.begin(), last.end());
        f.days.resize(f.days.size() + extra);
        f.span += static_cast<int>(extra);
    }
    return static_cast<size_t>(day - f.first);
}

void Facts::addToSuffix(EmployeeFacts& f, size_t i, const std::vector<std::int64_t>& delta) {
    const size_t m = static_cast<size_t>(measures);
    bool any = false;
    for (std::int64_t d : delta) any = any || d != 0;
    if (!any) return;
    for (size_t row = i + 1; row <= static_cast<size_t>(f.span); ++row)
        for (size_t k = 0; k < m; ++k) exact::add(f.cum[row * m + k], delta[k]);
}

void Facts::replacedLatest(std::int64_t before, std::int64_t after) {
    if (after > latest) latest = after;
    else if (before == latest && after < before) latestMayHaveShrunk_ = true;
}

void Facts::setBucket(Bucket&& bucket) {
    size_t i = slot(bucket.employee, bucket.day);
    EmployeeFacts& f = byEmployee[static_cast<size_t>(bucket.employee)];
    const size_t m = static_cast<size_t>(measures);
    std::vector<std::int64_t> delta(m);
    for (size_t k = 0; k < m; ++k)
        delta[k] = exact::minus(bucket.values[k], exact::minus(f.cum[(i + 1) * m + k], f.cum[i * m + k]));
    addToSuffix(f, i, delta);
    DayDistinct& d = f.days[i];
    replacedLatest(std::max(d.latestOrder, d.latestVisit),
                   std::max(bucket.distinct.latestOrder, bucket.distinct.latestVisit));
    d = std::move(bucket.distinct);
}

void Facts::addToBucket(Bucket&& delta) {
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
    d.latestOrder = std::max(d.latestOrder, delta.distinct.latestOrder);
    latest = std::max(latest, d.latestOrder);
}

void Facts::setVisits(int employee, Day day, std::int64_t visits, std::int64_t latestVisit) {
    size_t i = slot(employee, day);
    EmployeeFacts& f = byEmployee[static_cast<size_t>(employee)];
    const size_t m = static_cast<size_t>(measures);
    std::vector<std::int64_t> delta(m, 0);
    delta[kVisits] = exact::minus(visits, exact::minus(f.cum[(i + 1) * m + kVisits], f.cum[i * m + kVisits]));
    addToSuffix(f, i, delta);
    DayDistinct& d = f.days[i];
    replacedLatest(std::max(d.latestOrder, d.latestVisit), std::max(d.latestOrder, latestVisit));
    d.latestVisit = latestVisit;
}

void Facts::settleLatest() {
    if (!latestMayHaveShrunk_) return;
    latestMayHaveShrunk_ = false;
    latest = 0;
    for (const EmployeeFacts& f : byEmployee)
        for (const DayDistinct& d : f.days) latest = std::max({latest, d.latestOrder, d.latestVisit});
}

const DayDistinct* Facts::day(int employee, Day d) const {
    if (employee < 0 || employee >= static_cast<int>(byEmployee.size())) return nullptr;
    const EmployeeFacts& f = byEmployee[static_cast<size_t>(employee)];
    if (f.span == 0 || d < f.first || d >= f.first + f.span) return nullptr;
    return &f.days[static_cast<size_t>(d - f.first)];
}

std::int64_t Facts::sum(int employee, int measure, Day first, Day last) const {
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
