#include "model.hpp"

#include <algorithm>

namespace kpi::model {

int Interner::intern(std::string_view code) {
    auto it = ids_.find(std::string(code));
    if (it != ids_.end()) return it->second;
    int id = static_cast<int>(codes_.size());
    codes_.emplace_back(code);
    ids_.emplace(codes_.back(), id);
    return id;
}

int Interner::find(std::string_view code) const {
    auto it = ids_.find(std::string(code));
    return it == ids_.end() ? -1 : it->second;
}

std::uint64_t Dims::maskOfSku(int skuId) const {
    return skuId >= 0 && static_cast<size_t>(skuId) < skuFilterMask.size() ? skuFilterMask[static_cast<size_t>(skuId)]
                                                                          : 1u;
}

void Facts::setBucket(Bucket&& bucket) {
    if (bucket.employee >= static_cast<int>(byEmployee.size())) byEmployee.resize(static_cast<size_t>(bucket.employee) + 1);
    EmployeeFacts& f = byEmployee[static_cast<size_t>(bucket.employee)];
    const size_t m = static_cast<size_t>(measures);
    if (f.span == 0) {
        f.first = bucket.day;
        f.span = 1;
        f.cum.assign(2 * m, 0.0);
        f.days.assign(1, {});
    } else if (bucket.day < f.first) {
        // Prepended days are empty, so the old prefix rows stay valid shifted down.
        size_t extra = static_cast<size_t>(f.first - bucket.day);
        f.cum.insert(f.cum.begin(), extra * m, 0.0);
        f.days.insert(f.days.begin(), extra, DayDistinct{});
        f.first = bucket.day;
        f.span += static_cast<int>(extra);
    } else if (bucket.day >= f.first + f.span) {
        size_t extra = static_cast<size_t>(bucket.day - (f.first + f.span) + 1);
        std::vector<double> last(f.cum.end() - static_cast<long>(m), f.cum.end());
        for (size_t k = 0; k < extra; ++k) f.cum.insert(f.cum.end(), last.begin(), last.end());
        f.days.resize(f.days.size() + extra);
        f.span += static_cast<int>(extra);
    }
    size_t i = static_cast<size_t>(bucket.day - f.first);
    std::vector<double> delta(m);
    bool any = false;
    for (size_t k = 0; k < m; ++k) {
        double old = f.cum[(i + 1) * m + k] - f.cum[i * m + k];
        delta[k] = bucket.values[k] - old;
        any = any || delta[k] != 0;
    }
    if (any)
        for (size_t row = i + 1; row <= static_cast<size_t>(f.span); ++row)
            for (size_t k = 0; k < m; ++k) f.cum[row * m + k] += delta[k];
    f.days[i] = std::move(bucket.distinct);
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
