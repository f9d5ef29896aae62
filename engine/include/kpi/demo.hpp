// A realistic demo distributor (Vietnamese FMCG field sales), written as the
// thirteen interchange CSV files of SPEC §3 (reward plans included), so that it
// enters the store through the same import as real data. Also the data
// generator of the benchmarks.
//
// Deterministic: the same options give byte-identical files.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "kpi/date.hpp"

namespace kpi {

struct DemoOptions {
    int salespeople = 40;      // 20–200 for demos; the benchmarks go up to 1,000
    unsigned seed = 1;
    Day until = 0;             // last day with orders (0 = today)
    int months = 3;            // months of history ending at `until`
    double linesScale = 1.0;   // multiplies order lines per call (benchmarks)
    // Seasons worth forecasting: sales swing with the calendar (stocking up
    // before Tết, the lull after it, the hot months, year end), each
    // salesperson's business drifts by their own monthly trend, and the
    // joiner ramps up over their first three months. Off by default, so the
    // same seed gives the same files as without it.
    bool seasonal = false;
    std::function<void(const std::string&)> progress;  // optional progress lines
};

// Writes employees.csv … holidays.csv, plans.csv, plan_components.csv and
// plan_assignments.csv into dir (created if missing). Throws Error Io.
void writeDemoData(const std::filesystem::path& dir, const DemoOptions& options);

}  // namespace kpi
