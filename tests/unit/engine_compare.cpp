#include "engine_compare.hpp"

#include <bit>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <sstream>

#include "kpi/error.hpp"
#include "kpi/period.hpp"

namespace kpitest {
namespace {

const std::vector<std::string> kBareTypes = {"SALES", "VOLUME",        "PC",         "LPPC",       "ASO",
                                             "UB",    "COVERAGE",      "NEW_OUTLETS", "FOCUS_SALES", "FOCUS_OUTLETS",
                                             "VISITS", "STRIKE_RATE", "DROP_SIZE"};

// A double as its bits, so that equal means bit-identical (and -0 ≠ 0).
std::string bits(double x) {
    char text[64];
    std::snprintf(text, sizeof text, "%.17g[%016llx]", x, static_cast<unsigned long long>(std::bit_cast<std::uint64_t>(x)));
    return text;
}

std::string bits(const std::optional<double>& x) { return x ? bits(*x) : std::string("none"); }

std::string periodText(const kpi::Period& p) { return kpi::formatDay(p.first) + ".." + kpi::formatDay(p.last); }

std::string describe(const kpi::Figures& f) {
    return std::string(f.exists ? "exists" : "absent") + " " + periodText(f.clipped) + " actual " + bits(f.actual) +
           " target " + bits(f.target) + " attainment " + bits(f.attainment) + " projected " + bits(f.projected);
}

std::string describe(const kpi::ReportRow& r) {
    return r.employeeCode + " " + r.kpiCode + " " + periodText(r.period) + " actual " + bits(r.actual) + " target " +
           bits(r.target) + " attainment " + bits(r.attainment) + " projected " + bits(r.projected) + " weight " +
           bits(r.weight);
}

std::string describe(const kpi::DetailRow& r) {
    return r.date + " " + r.reference + " " + r.outletCode + " " + r.outletName + " " + r.employeeCode + " " +
           bits(r.value);
}

// Runs fn on an engine, turning an Error into text so that both engines may be
// compared on failures too.
template <typename Fn>
std::string answer(Fn&& fn) {
    try {
        return fn();
    } catch (const kpi::Error& e) {
        return std::string("error: ") + e.what();
    }
}

class Differences {
public:
    Differences(size_t limit) : limit_(limit) {}
    void check(const std::string& what, const std::string& refreshed, const std::string& fresh) {
        if (refreshed == fresh) return;
        if (lines_.size() < limit_)
            lines_.push_back(what + ":\n      refreshed " + refreshed + "\n      fresh     " + fresh);
        ++count_;
    }
    std::vector<std::string> take() {
        if (count_ > lines_.size()) lines_.push_back("… and " + std::to_string(count_ - lines_.size()) + " more");
        return std::move(lines_);
    }

private:
    size_t limit_;
    size_t count_ = 0;
    std::vector<std::string> lines_;
};

template <typename Rows>
std::string joined(const Rows& rows) {
    std::string out;
    for (const auto& r : rows) out += "\n        " + describe(r);
    return out;
}

}  // namespace

std::vector<std::string> differences(kpi::Engine& refreshed, kpi::Engine& fresh, const Comparison& what,
                                     size_t limit) {
    Differences diff(limit);
    auto both = [&](const std::string& label, auto&& fn) {
        diff.check(label, answer([&] { return fn(refreshed); }), answer([&] { return fn(fresh); }));
    };
    both("employees", [](kpi::Engine& e) {
        std::string out;
        for (const auto& x : e.employees())
            out += x.code + "/" + x.name + "/" + x.role + "/" + x.managerCode + "/" + x.department + "/" + x.region + " ";
        return out;
    });
    both("kpis", [](kpi::Engine& e) {
        std::string out;
        for (const auto& k : e.kpis()) out += k.code + "/" + k.type + "/" + k.nameVi + "/" + k.nameEn + "/" + k.unit + " ";
        return out;
    });
    both("state", [&](kpi::Engine& e) {
        auto s = e.state();
        return (what.changeSeq ? std::to_string(s.changeSeq) + " " : std::string()) + s.latestActivity;
    });

    std::vector<std::string> employees = {"*"};
    for (const auto& x : fresh.employees()) employees.push_back(x.code);
    std::vector<std::string> kpiCodes = kBareTypes;
    for (const auto& k : fresh.kpis()) kpiCodes.push_back(k.code);
    std::vector<kpi::Period> periods;
    for (const auto& text : what.periods) periods.push_back(kpi::parsePeriod(text).value());

    for (const auto& e : employees) {
        both("subtree " + e, [&](kpi::Engine& x) {
            std::string out;
            for (const auto& c : x.subtree(e)) out += c + " ";
            return out;
        });
        for (const auto& k : kpiCodes)
            for (size_t p = 0; p < periods.size(); ++p) {
                both("figures " + e + " " + k + " " + what.periods[p],
                     [&](kpi::Engine& x) { return describe(x.figures(e, k, periods[p], what.asOf)); });
            }
    }
    auto all = [](const std::vector<std::string>& chosen, const std::vector<std::string>& every) {
        return chosen.empty() ? every : chosen;
    };
    for (const auto& e : all(what.detailEmployees, employees))
        for (const auto& k : all(what.detailKpis, kpiCodes))
            for (const auto& text : what.detailPeriods) {
                kpi::Period period = kpi::parsePeriod(text).value();
                both("detail " + e + " " + k + " " + text, [&](kpi::Engine& x) { return joined(x.detail(e, k, period)); });
            }
    for (size_t p = 0; p < periods.size(); ++p) {
        const std::string& label = what.periods[p];
        both("report " + label, [&](kpi::Engine& x) {
            return joined(x.report({periods[p], std::nullopt, std::string(), what.asOf}));
        });
        for (auto type : {kpi::PeriodType::Day, kpi::PeriodType::Week, kpi::PeriodType::Month, kpi::PeriodType::Quarter,
                          kpi::PeriodType::Year, kpi::PeriodType::Cycle})
            if (static_cast<int>(type) <= static_cast<int>(periods[p].type) || periods[p].type == kpi::PeriodType::Cycle)
                both("report " + label + " --type " + std::to_string(static_cast<int>(type)), [&](kpi::Engine& x) {
                    return joined(x.report({periods[p], type, std::string(), what.asOf}));
                });
        both("scores " + label, [&](kpi::Engine& x) {
            std::string out;
            for (const auto& s : x.scores(periods[p], what.asOf)) out += s.employeeCode + " " + bits(s.score) + "; ";
            return out;
        });
        for (const auto& e : employees)
            both("score " + e + " " + label,
                 [&](kpi::Engine& x) { return bits(x.score(e, periods[p], what.asOf)); });
    }
    return diff.take();
}

}  // namespace kpitest
