// The report-sheet definitions a document carries (SalesKPI.Reports, SPEC §8;
// addin/src/report_sheets.cpp, which knows nothing of UNO) on any text: every
// line is a report or a problem, a report reads back from the line written for
// it, writing a report into the property keeps it, and a cell reference reads
// back from the way Calc shows it.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "kpi/date.hpp"
#include "report_sheets.hpp"

using kpifuzz::require;
using namespace saleskpi::addin;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const ReportDefinitions definitions = parseReportDefinitions(text);
    for (const ReportDefinition& report : definitions.reports) {
        require(!report.sheet.empty(), "a report names its sheet");
        const ReportDefinitions again = parseReportDefinitions(formatReportDefinition(report));
        require(again.reports.size() == 1 && again.reports[0] == report && again.problems.empty(),
                "a report reads back from its line");
        const ReportDefinitions merged = parseReportDefinitions(withReportDefinition(text, report));
        require(std::find(merged.reports.begin(), merged.reports.end(), report) != merged.reports.end(),
                "a report written into the property is in it");
        (void)resolveReportPeriod(report.period, kpi::makeDay(2026, 11, 20));
    }
    for (const auto& problem : definitions.problems) require(!problem.problem.empty(), "a problem says what it is");
    if (const auto cell = parseCellReference(text)) {
        const auto again = parseCellReference("=" + formatCellReference(*cell));
        require(again && *again == *cell, "a cell reference reads back from the way Calc shows it");
    }
    return 0;
}
