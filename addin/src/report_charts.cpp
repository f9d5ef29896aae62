#include "report_charts.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <com/sun/star/beans/XPropertySet.hpp>
#include <com/sun/star/chart2/ScaleData.hpp>
#include <com/sun/star/chart2/XAxis.hpp>
#include <com/sun/star/chart2/XChartDocument.hpp>
#include <com/sun/star/chart2/XChartTypeContainer.hpp>
#include <com/sun/star/chart2/XCoordinateSystem.hpp>
#include <com/sun/star/chart2/XCoordinateSystemContainer.hpp>
#include <com/sun/star/chart2/XDataSeriesContainer.hpp>
#include <com/sun/star/chart2/data/XDataProvider.hpp>
#include <com/sun/star/chart2/data/XDataSequence.hpp>
#include <com/sun/star/chart2/data/XDataSource.hpp>
#include <com/sun/star/chart2/data/XLabeledDataSequence.hpp>
#include <com/sun/star/container/XIndexAccess.hpp>
#include <com/sun/star/document/XEmbeddedObjectSupplier.hpp>
#include <com/sun/star/sheet/XCellRangeAddressable.hpp>
#include <com/sun/star/sheet/XSpreadsheetDocument.hpp>
#include <com/sun/star/table/CellRangeAddress.hpp>
#include <com/sun/star/table/XTableChart.hpp>
#include <com/sun/star/table/XTableChartsSupplier.hpp>
#include <com/sun/star/uno/Sequence.hxx>
#include <com/sun/star/util/XModifiable.hpp>

using namespace css;
using rtl::OUString;

namespace saleskpi::addin {
namespace {

// True when every range is on the report sheet, within its data columns and
// starts at its first data row: the chart shows the report's rows.
bool readsReportData(const uno::Sequence<table::CellRangeAddress>& ranges, sal_Int16 sheet, sal_Int32 columns) {
    if (!ranges.hasElements()) return false;
    return std::all_of(ranges.begin(), ranges.end(), [&](const table::CellRangeAddress& range) {
        return range.Sheet == sheet && range.StartRow == kReportFirstDataRow && range.EndRow >= range.StartRow &&
               range.StartColumn >= 0 && range.StartColumn <= range.EndColumn && range.EndColumn < columns;
    });
}

// Every labeled data sequence the chart reads: its axes' categories and its
// series' data, each once.
std::vector<uno::Reference<chart2::data::XLabeledDataSequence>> sequencesOf(
    const uno::Reference<chart2::XChartDocument>& chart) {
    std::vector<uno::Reference<chart2::data::XLabeledDataSequence>> found;
    const auto add = [&](const uno::Reference<chart2::data::XLabeledDataSequence>& sequence) {
        if (sequence.is() && std::find(found.begin(), found.end(), sequence) == found.end()) found.push_back(sequence);
    };
    const uno::Reference<chart2::XCoordinateSystemContainer> diagram(chart->getFirstDiagram(), uno::UNO_QUERY);
    if (!diagram.is()) return found;
    for (const auto& coordinates : diagram->getCoordinateSystems()) {
        for (sal_Int32 dimension = 0; dimension < coordinates->getDimension(); ++dimension)
            for (sal_Int32 index = 0; index <= coordinates->getMaximumAxisIndexByDimension(dimension); ++index)
                if (const auto axis = coordinates->getAxisByDimension(dimension, index); axis.is())
                    add(axis->getScaleData().Categories);
        const uno::Reference<chart2::XChartTypeContainer> types(coordinates, uno::UNO_QUERY_THROW);
        for (const auto& type : types->getChartTypes())
            for (const auto& series : uno::Reference<chart2::XDataSeriesContainer>(type, uno::UNO_QUERY_THROW)
                                          ->getDataSeries())
                for (const auto& sequence :
                     uno::Reference<chart2::data::XDataSource>(series, uno::UNO_QUERY_THROW)->getDataSequences())
                    add(sequence);
    }
    return found;
}

// A range representation ("$'Sales attainment'.$A$3:$A$302") that ends at
// row `from` (0-based) made to end at row `to`; empty when it ends elsewhere.
OUString withEndRow(const OUString& range, sal_Int32 from, sal_Int32 to) {
    const OUString end = "$" + OUString::number(from + 1);
    if (range.indexOf(':') < 0 || !range.endsWith(end)) return {};
    return range.copy(0, range.getLength() - end.getLength()) + "$" + OUString::number(to + 1);
}

// The chart's data ending at `lastRow`; false when it already does or the
// chart reads anything else (report_charts.hpp: why not setRanges).
bool fitChart(const uno::Reference<table::XTableChart>& tableChart, sal_Int16 sheet, sal_Int32 columns,
              sal_Int32 lastRow) {
    const uno::Sequence<table::CellRangeAddress> ranges = tableChart->getRanges();
    if (!readsReportData(ranges, sheet, columns)) return false;
    const sal_Int32 endRow = ranges[0].EndRow;
    if (std::any_of(ranges.begin(), ranges.end(), [&](const auto& range) { return range.EndRow != endRow; }) ||
        endRow == lastRow)
        return false;
    const uno::Reference<chart2::XChartDocument> chart(
        uno::Reference<document::XEmbeddedObjectSupplier>(tableChart, uno::UNO_QUERY_THROW)->getEmbeddedObject(),
        uno::UNO_QUERY_THROW);
    if (chart->hasInternalDataProvider()) return false;
    const uno::Reference<chart2::data::XDataProvider> provider = chart->getDataProvider();
    if (!provider.is()) return false;

    // Every sequence's new values first: a chart with one that does not end
    // where its ranges do is left as it is.
    std::vector<std::pair<uno::Reference<chart2::data::XLabeledDataSequence>, uno::Reference<chart2::data::XDataSequence>>>
        fitted;
    for (const auto& labeled : sequencesOf(chart)) {
        const uno::Reference<chart2::data::XDataSequence> values = labeled->getValues();
        if (!values.is()) continue;
        const OUString range = withEndRow(values->getSourceRangeRepresentation(), endRow, lastRow);
        if (range.isEmpty()) return false;
        const uno::Reference<chart2::data::XDataSequence> sequence =
            provider->createDataSequenceByRangeRepresentation(range);
        const uno::Reference<beans::XPropertySet> from(values, uno::UNO_QUERY);
        const uno::Reference<beans::XPropertySet> to(sequence, uno::UNO_QUERY);
        if (from.is() && to.is()) to->setPropertyValue("Role", from->getPropertyValue("Role"));  // categories, values-y
        fitted.emplace_back(labeled, sequence);
    }
    if (fitted.empty()) return false;
    for (const auto& [labeled, sequence] : fitted) labeled->setValues(sequence);
    return true;
}

// Calls `visit` with every chart of the document (on any sheet); a sheet or
// chart that cannot be read is skipped.
template <typename Visit>
void forEachChart(const uno::Reference<frame::XModel>& document, Visit visit) {
    const uno::Reference<container::XIndexAccess> sheets(
        uno::Reference<sheet::XSpreadsheetDocument>(document, uno::UNO_QUERY_THROW)->getSheets(), uno::UNO_QUERY_THROW);
    for (sal_Int32 index = 0; index < sheets->getCount(); ++index) {
        try {
            const uno::Reference<table::XTableChartsSupplier> supplier(sheets->getByIndex(index), uno::UNO_QUERY);
            if (!supplier.is()) continue;
            const uno::Reference<container::XIndexAccess> charts(supplier->getCharts(), uno::UNO_QUERY_THROW);
            for (sal_Int32 chart = 0; chart < charts->getCount(); ++chart) {
                try {
                    const uno::Reference<table::XTableChart> tableChart(charts->getByIndex(chart), uno::UNO_QUERY);
                    if (tableChart.is()) visit(tableChart);
                } catch (const uno::Exception&) {
                    // A chart of its own data, or one Calc cannot change: left as it is.
                }
            }
        } catch (const uno::Exception&) {
            // A sheet whose charts cannot be listed: the other sheets' still count.
        }
    }
}

}  // namespace

int fitChartsToReport(const uno::Reference<frame::XModel>& document, const rtl::OUString& sheetName, sal_Int32 rows,
                      sal_Int32 columns) {
    const uno::Reference<container::XNameAccess> byName(
        uno::Reference<sheet::XSpreadsheetDocument>(document, uno::UNO_QUERY_THROW)->getSheets(), uno::UNO_QUERY_THROW);
    const sal_Int16 report =
        uno::Reference<sheet::XCellRangeAddressable>(byName->getByName(sheetName), uno::UNO_QUERY_THROW)
            ->getRangeAddress()
            .Sheet;
    // At least one row, so that a chart never reads an empty range.
    const sal_Int32 lastRow = std::max(kReportFirstDataRow, rows - 1);

    int fitted = 0;
    forEachChart(document, [&](const uno::Reference<table::XTableChart>& chart) {
        if (fitChart(chart, report, columns, lastRow)) ++fitted;
    });
    return fitted;
}

std::vector<uno::Reference<util::XModifiable>> unmodifiedCharts(const uno::Reference<frame::XModel>& document) {
    std::vector<uno::Reference<util::XModifiable>> unmodified;
    forEachChart(document, [&](const uno::Reference<table::XTableChart>& chart) {
        const uno::Reference<util::XModifiable> model(
            uno::Reference<document::XEmbeddedObjectSupplier>(chart, uno::UNO_QUERY_THROW)->getEmbeddedObject(),
            uno::UNO_QUERY);
        if (model.is() && !model->isModified()) unmodified.push_back(model);
    });
    return unmodified;
}

}  // namespace saleskpi::addin
