// Charts that follow a report sheet: a chart whose every data range
// (categories and series) is a column of a report sheet's data, from its first
// data row (row 3), is narrowed or widened to the rows just written there.
//
// Templates cannot know how many rows a report will have (a team of 40 or
// 230), so their charts read a generous 300 rows; left as they are, a small
// team's bars fill a seventh of the chart and empty categories the rest.
//
// Charts that read anything else (another sheet, cells outside the report's
// columns, a range starting elsewhere, their own data) are left alone.
//
// The chart's own data sequences get the new ranges (chart2 API), not
// XTableChart::setRanges: through that one Calc updates the chart once more on
// a later idle turn and marks it, and so the document, modified.
//
// Threads: main thread only, inside the report writer's invisible edit (undo
// manager locked, modified flags restored).
#pragma once

#include <vector>

#include <com/sun/star/frame/XModel.hpp>
#include <com/sun/star/util/XModifiable.hpp>
#include <rtl/ustring.hxx>
#include <sal/types.h>

namespace saleskpi::addin {

// The row index (0-based) where a report sheet's data begins.
inline constexpr sal_Int32 kReportFirstDataRow = 2;

// Fits the charts of every sheet of `document` that read the data of the
// report sheet `sheetName` to its `rows` rows (title and headers included, as
// ReportTable::rows) and `columns` columns: their ranges then end at the last
// data row, or at the first data row when there is no data. Returns how many
// charts changed. Throws UNO exceptions only for the document as a whole (no
// such sheet); a chart that cannot be read or changed is skipped.
int fitChartsToReport(const css::uno::Reference<css::frame::XModel>& document, const rtl::OUString& sheetName,
                      sal_Int32 rows, sal_Int32 columns);

// The models of the document's charts that are not modified now. Calc counts
// a document with a modified chart as modified, and a chart becomes modified
// when the cells it reads change: the report writer puts these back as they
// were, as it does the document's own flag. (The charts' ranges are fitted
// again whenever their sheet is written, on load too, so a save that does not
// store such a chart again loses nothing.) Never throws for a single chart.
std::vector<css::uno::Reference<css::util::XModifiable>> unmodifiedCharts(
    const css::uno::Reference<css::frame::XModel>& document);

}  // namespace saleskpi::addin
