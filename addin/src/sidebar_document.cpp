#include "sidebar_document.hpp"

#include <com/sun/star/beans/PropertyValue.hpp>
#include <com/sun/star/beans/XPropertySet.hpp>
#include <com/sun/star/beans/XPropertySetInfo.hpp>
#include <com/sun/star/container/XIndexAccess.hpp>
#include <com/sun/star/deployment/PackageInformationProvider.hpp>
#include <com/sun/star/document/XDocumentProperties.hpp>
#include <com/sun/star/document/XDocumentPropertiesSupplier.hpp>
#include <com/sun/star/frame/Desktop.hpp>
#include <com/sun/star/frame/XController.hpp>
#include <com/sun/star/lang/Locale.hpp>
#include <com/sun/star/sheet/XCalculatable.hpp>
#include <com/sun/star/sheet/XSpreadsheet.hpp>
#include <com/sun/star/sheet/XSpreadsheetDocument.hpp>
#include <com/sun/star/sheet/XSpreadsheetView.hpp>
#include <com/sun/star/sheet/XSpreadsheets.hpp>
#include <com/sun/star/table/XCell.hpp>
#include <com/sun/star/table/XCellRange.hpp>
#include <com/sun/star/table/XColumnRowRange.hpp>
#include <com/sun/star/table/XTableColumns.hpp>
#include <com/sun/star/text/XText.hpp>
#include <com/sun/star/ucb/SimpleFileAccess.hpp>
#include <com/sun/star/util/XNumberFormats.hpp>
#include <com/sun/star/util/XNumberFormatsSupplier.hpp>
#include <com/sun/star/uno/Sequence.hxx>

#include "sidebar_view.hpp"
#include "store_sessions.hpp"

using namespace css;

namespace saleskpi::addin {
namespace {

// Must match SALESKPI_EXTENSION_ID in packaging/oxt.cmake.
constexpr char kExtensionId[] = "org.saleskpi.extension";

// A sheet name may not hold []*?:/\ .
OUString sheetNameOf(const std::string& text) {
    std::string name;
    for (char c : text) name += std::string_view("[]*?:/\\").find(c) == std::string_view::npos ? c : '_';
    return toOUString(name);
}

sal_Int32 numberFormat(const uno::Reference<frame::XModel>& document, const OUString& code) {
    const uno::Reference<util::XNumberFormatsSupplier> supplier(document, uno::UNO_QUERY);
    if (!supplier.is()) return 0;
    const uno::Reference<util::XNumberFormats> formats = supplier->getNumberFormats();
    const lang::Locale locale("en", "US", OUString());
    const sal_Int32 key = formats->queryKey(code, locale, false);
    return key >= 0 ? key : formats->addNew(code, locale);
}

}  // namespace

OUString insertScorecardSheet(const uno::Reference<frame::XModel>& document, const ScorecardSpec& spec,
                              Language language) {
    const auto& texts = sidebarTexts();
    const uno::Reference<sheet::XSpreadsheetDocument> spreadsheet(document, uno::UNO_QUERY_THROW);
    const uno::Reference<sheet::XSpreadsheets> sheets = spreadsheet->getSheets();
    const OUString base = sheetNameOf(std::string(texts.scorecardSheet.in(language)) + " " + spec.employeeCode);
    OUString name = base;
    for (int copy = 2; sheets->hasByName(name); ++copy) name = base + " (" + OUString::number(copy) + ")";
    const uno::Reference<container::XIndexAccess> indexed(sheets, uno::UNO_QUERY_THROW);
    sheets->insertNewByName(name, static_cast<sal_Int16>(indexed->getCount()));
    const uno::Reference<sheet::XSpreadsheet> sheet(sheets->getByName(name), uno::UNO_QUERY_THROW);

    const auto cell = [&](sal_Int32 column, sal_Int32 row) { return sheet->getCellByPosition(column, row); };
    const auto text = [&](sal_Int32 column, sal_Int32 row, std::string_view value) {
        // As text: a code such as 1001 must stay the code "1001".
        uno::Reference<text::XText>(cell(column, row), uno::UNO_QUERY_THROW)->setString(toOUString(value));
    };
    const auto formula = [&](sal_Int32 column, sal_Int32 row, const OUString& value, sal_Int32 format) {
        const uno::Reference<table::XCell> target = cell(column, row);
        target->setFormula(value);
        if (format) uno::Reference<beans::XPropertySet>(target, uno::UNO_QUERY_THROW)->setPropertyValue("NumberFormat", uno::Any(format));
    };
    text(0, 0, std::string(texts.scorecardTitle.in(language)) + " — " + spec.employeeCode + " " + spec.employeeName);
    text(0, 1, texts.employeeLabel.in(language));
    text(1, 1, spec.employeeCode);
    text(0, 2, texts.periodLabel.in(language));
    text(1, 2, spec.period);
    const std::string_view headers[] = {texts.kpiColumn.in(language),        texts.nameColumn.in(language),
                                        texts.actualColumn.in(language),     texts.targetColumn.in(language),
                                        texts.attainmentColumn.in(language), texts.projectedColumn.in(language)};
    for (sal_Int32 column = 0; column < 6; ++column) text(column, 4, headers[column]);

    const sal_Int32 amount = numberFormat(document, "#,##0.##");
    const sal_Int32 percent = numberFormat(document, "0.0%");
    sal_Int32 row = 5;
    for (const auto& [code, kpiName] : spec.kpis) {
        text(0, row, code);
        text(1, row, kpiName);
        const OUString arguments = "($B$2;$A" + OUString::number(row + 1) + ";$B$3)";
        formula(2, row, "=KPI.ACTUAL" + arguments, amount);
        formula(3, row, "=IFNA(KPI.TARGET" + arguments + ";\"–\")", amount);
        formula(4, row, "=IFNA(KPI.ATTAINMENT" + arguments + ";\"–\")", percent);
        formula(5, row, "=KPI.PROJECTED" + arguments, amount);
        ++row;
    }
    text(0, row + 1, texts.score.in(language));
    formula(4, row + 1, "=IFNA(KPI.SCORE($B$2;$B$3);\"–\")", percent);

    const uno::Reference<table::XColumnRowRange> columns(sheet, uno::UNO_QUERY);
    if (columns.is()) {
        const uno::Reference<container::XIndexAccess> all(columns->getColumns(), uno::UNO_QUERY);
        const sal_Int32 widths[] = {2400, 5200, 3600, 3600, 3000, 3600};  // 1/100 mm
        for (sal_Int32 column = 0; all.is() && column < 6; ++column)
            uno::Reference<beans::XPropertySet>(all->getByIndex(column), uno::UNO_QUERY_THROW)
                ->setPropertyValue("Width", uno::Any(widths[column]));
    }
    const uno::Reference<sheet::XSpreadsheetView> view(document->getCurrentController(), uno::UNO_QUERY);
    if (view.is()) view->setActiveSheet(sheet);
    return name;
}

bool openDashboardTemplate(const uno::Reference<uno::XComponentContext>& context,
                           const uno::Reference<frame::XModel>& document, Language language) {
    const OUString location =
        deployment::PackageInformationProvider::get(context)->getPackageLocation(kExtensionId);
    if (location.isEmpty()) return false;
    const OUString first = language == Language::Vietnamese ? OUString("vi") : OUString("en");
    const OUString second = language == Language::Vietnamese ? OUString("en") : OUString("vi");
    const uno::Reference<ucb::XSimpleFileAccess3> files = ucb::SimpleFileAccess::create(context);
    OUString url;
    for (const OUString& suffix : {first, second}) {
        const OUString candidate = location + "/templates/SalesKPI/manager_dashboard-" + suffix + ".ots";
        if (files->exists(candidate)) {
            url = candidate;
            break;
        }
    }
    if (url.isEmpty()) return false;

    uno::Sequence<beans::PropertyValue> arguments(1);
    arguments.getArray()[0].Name = "AsTemplate";
    arguments.getArray()[0].Value <<= true;
    const uno::Reference<lang::XComponent> opened =
        frame::Desktop::create(context)->loadComponentFromURL(url, "_blank", 0, arguments);

    // The new document reads the same store as this one.
    const StoreLocation store =
        StoreSessions::instance().locate(context, uno::Reference<beans::XPropertySet>(document, uno::UNO_QUERY));
    const uno::Reference<document::XDocumentPropertiesSupplier> supplier(opened, uno::UNO_QUERY);
    if (store.problem.empty() && store.source == "document property KPIStore" && supplier.is()) {
        const uno::Reference<beans::XPropertyContainer> container =
            supplier->getDocumentProperties()->getUserDefinedProperties();
        const uno::Reference<beans::XPropertySet> properties(container, uno::UNO_QUERY_THROW);
        const uno::Any path(toOUString(store.path.string()));
        if (properties->getPropertySetInfo()->hasPropertyByName("KPIStore"))
            properties->setPropertyValue("KPIStore", path);
        else
            container->addProperty("KPIStore", 0, path);
        const uno::Reference<sheet::XCalculatable> calculatable(opened, uno::UNO_QUERY);
        if (calculatable.is()) calculatable->calculateAll();
    }
    return true;
}

}  // namespace saleskpi::addin
