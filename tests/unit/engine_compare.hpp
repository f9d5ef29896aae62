// Test support: two engines over the same store compared figure for figure,
// bit for bit — a refreshed engine must equal one built from scratch (issue 11).
#pragma once

#include <string>
#include <vector>

#include "kpi/date.hpp"
#include "kpi/engine.hpp"

namespace kpitest {

struct Comparison {
    // Periods (kpi period grammar) every figure, report and detail is asked for.
    std::vector<std::string> periods;
    // The as-of date of figures, reports and scores.
    kpi::Day asOf = 0;
    // KPI.DETAIL rows are compared for these periods, employees ("*" included)
    // and KPI codes; empty employees or KPIs mean all of them, no periods none.
    // (Each detail opens a connection of its own and queries the store.)
    std::vector<std::string> detailPeriods;
    std::vector<std::string> detailEmployees;
    std::vector<std::string> detailKpis;
    // Whether the data state's change seq is compared: not between stores
    // whose change logs differ by design (an SQLite file and a PostgreSQL
    // server loaded from the same files).
    bool changeSeq = true;
};

// Every difference between `refreshed` and `fresh`, as readable lines (at most
// `limit`, then "… and N more"): the employees (list and subtrees), KPI
// definitions, data state, and for every employee of `fresh` and "*", every
// KPI code and bare KPI type and every period: figures (actual, target,
// attainment, projected, clipped period, existence) compared bit for bit;
// report rows of every period with and without --type of every period type;
// scores; and the detail rows asked for. Empty when the engines agree.
std::vector<std::string> differences(kpi::Engine& refreshed, kpi::Engine& fresh, const Comparison& what,
                                     size_t limit = 20);

}  // namespace kpitest
