// Test support for recommendations and target health: a small distributor
// whose every order is planned by the test, written as interchange CSV.
//
// Each salesperson has ten outlets on route (CODE-O0 … CODE-O9, from their
// start) and, on every working day of their employment inside the data, one
// approved sale order at the outlet of the day (the day's number modulo ten)
// for the amount their `amount` function gives that day, after a visit there.
// KPIs: DS (SALES), ASO, COV (COVERAGE), PC, NEW (NEW_OUTLETS), VIS (VISITS),
// each with a MONTH target of 1 for every month of the data, so that every
// salesperson has had targets of them. Extra rows (planted orders, returns,
// visits, outlets, holidays) are appended by the test.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kpi/date.hpp"
#include "test_store.hpp"

namespace kpitest {

struct PlannedPerson {
    std::string code, role = "SR", manager;
    kpi::Day start = 0;                       // 0 = before the data
    std::function<double(kpi::Day)> amount;   // the day's order; <= 0 = no order that day
};

struct PlannedCompany {
    kpi::Day first = 0, last = 0;  // the days with orders
    std::vector<PlannedPerson> people;
    std::vector<std::string> holidays;  // YYYY-MM-DD
    // Each MONTH target row's value (every month of the data); 1 when not given.
    std::function<double(const std::string& person, const std::string& kpi)> target;
    // Appended to the generated files (rows without a header).
    std::string extraOrders, extraLines, extraVisits, extraOutlets, extraRoutes;

    CsvFiles files() const;
};

// "O000123": the generated orders' codes; visits are "V" + the same number.
std::string plannedOrderCode(long number);

}  // namespace kpitest
