#include "targets_publisher.hpp"

#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include <com/sun/star/beans/NamedValue.hpp>
#include <com/sun/star/beans/XPropertySet.hpp>
#include <com/sun/star/configuration/theDefaultProvider.hpp>
#include <com/sun/star/container/XNameAccess.hpp>
#include <com/sun/star/lang/XMultiServiceFactory.hpp>
#include <com/sun/star/sheet/CellFlags.hpp>
#include <com/sun/star/sheet/XCellRangeAddressable.hpp>
#include <com/sun/star/sheet/XCellRangeData.hpp>
#include <com/sun/star/sheet/XCellRangesQuery.hpp>
#include <com/sun/star/sheet/XSheetCellCursor.hpp>
#include <com/sun/star/sheet/XSheetCellRanges.hpp>
#include <com/sun/star/sheet/XSpreadsheet.hpp>
#include <com/sun/star/sheet/XSpreadsheetDocument.hpp>
#include <com/sun/star/sheet/XUsedAreaCursor.hpp>
#include <com/sun/star/uno/Sequence.hxx>

#include "kpi_functions.hpp"
#include "main_thread.hpp"
#include "store_session.hpp"
#include "store_sessions.hpp"
#include "uno_text.hpp"

using namespace css;

namespace saleskpi::addin {

std::vector<std::vector<SheetCell>> readTargetsCells(const uno::Reference<frame::XModel>& document) {
    const auto sheets = uno::Reference<sheet::XSpreadsheetDocument>(document, uno::UNO_QUERY_THROW)->getSheets();
    const OUString name = toOUString(kTargetsSheetName);
    if (!sheets->hasByName(name))
        throw std::runtime_error("the document has no sheet named " + std::string(kTargetsSheetName) +
                                 " (columns employee_code, kpi_code, period_type, valid_from, valid_to, target, "
                                 "weight, with their names in row 1)");
    const uno::Reference<sheet::XSpreadsheet> sheet(sheets->getByName(name), uno::UNO_QUERY_THROW);
    const uno::Reference<sheet::XSheetCellCursor> cursor = sheet->createCursor();
    uno::Reference<sheet::XUsedAreaCursor>(cursor, uno::UNO_QUERY_THROW)->gotoEndOfUsedArea(false);
    const table::CellRangeAddress end =
        uno::Reference<sheet::XCellRangeAddressable>(cursor, uno::UNO_QUERY_THROW)->getRangeAddress();
    const auto range = sheet->getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow);

    std::set<std::pair<sal_Int32, sal_Int32>> dateCells;  // (column, row)
    const auto dates = uno::Reference<sheet::XCellRangesQuery>(range, uno::UNO_QUERY_THROW)
                           ->queryContentCells(sheet::CellFlags::DATETIME);
    for (const auto& block : dates->getRangeAddresses())
        for (sal_Int32 row = block.StartRow; row <= block.EndRow; ++row)
            for (sal_Int32 column = block.StartColumn; column <= block.EndColumn; ++column)
                dateCells.emplace(column, row);

    const auto data = uno::Reference<sheet::XCellRangeData>(range, uno::UNO_QUERY_THROW)->getDataArray();
    std::vector<std::vector<SheetCell>> rows;
    for (sal_Int32 row = 0; row < data.getLength(); ++row) {
        std::vector<SheetCell>& cells = rows.emplace_back();
        for (sal_Int32 column = 0; column < data[row].getLength(); ++column) {
            const uno::Any& value = data[row][column];
            SheetCell& cell = cells.emplace_back();
            double number = 0;
            OUString text;
            if (value.getValueTypeClass() == uno::TypeClass_STRING && (value >>= text)) {
                if (!text.isEmpty()) cell.value = toUtf8(text);
            } else if (value >>= number) {
                cell.value = number;
                cell.isDate = dateCells.count({column, row}) != 0;
            }
        }
    }
    return rows;
}

namespace {

TargetsCsv readTargetsSheet(const uno::Reference<frame::XModel>& document) {
    return targetsCsvFromSheet(readTargetsCells(document),
                               nullDateOf(uno::Reference<beans::XPropertySet>(document, uno::UNO_QUERY)));
}

}  // namespace

std::string officeUserName(const uno::Reference<uno::XComponentContext>& context) {
    OUString given;
    OUString surname;
    try {
        uno::Sequence<uno::Any> arguments(1);
        arguments.getArray()[0] <<=
            beans::NamedValue("nodepath", uno::Any(OUString("/org.openoffice.UserProfile/Data")));
        const uno::Reference<container::XNameAccess> data(
            configuration::theDefaultProvider::get(context)->createInstanceWithArguments(
                "com.sun.star.configuration.ConfigurationAccess", arguments),
            uno::UNO_QUERY_THROW);
        data->getByName("givenname") >>= given;
        data->getByName("sn") >>= surname;
    } catch (const uno::Exception&) {
        // No user data: the login name.
    }
    return auditUserName(toUtf8(given), toUtf8(surname), loginName());
}

TargetsPublisher& TargetsPublisher::instance() {
    // Never destroyed: static destructors run after UNO is gone.
    static TargetsPublisher* const publisher = new TargetsPublisher;
    return *publisher;
}

bool TargetsPublisher::publish(const uno::Reference<uno::XComponentContext>& context,
                               const uno::Reference<frame::XModel>& document, Done done) {
    const auto refuse = [&](const std::string& why) {
        done(TargetsPublication{false, "Nothing was published: " + why});
        return false;
    };
    TargetsCsv csv;
    try {
        csv = readTargetsSheet(document);
    } catch (const uno::Exception& error) {
        return refuse("cannot read the " + std::string(kTargetsSheetName) + " sheet: " + toUtf8(error.Message));
    } catch (const std::exception& error) {
        return refuse(error.what());
    }
    auto& sessions = StoreSessions::instance();
    const StoreLocation location =
        sessions.locate(context, uno::Reference<beans::XPropertySet>(document, uno::UNO_QUERY));
    if (!location.problem.empty()) return refuse(location.problem);
    const std::string user = officeUserName(context);

    const auto started = job_.start(context, [this, context, location, csv = std::move(csv), user, done] {
        // publishTargets() never throws.
        const TargetsPublication outcome = publishTargets(location.path, csv, user, kTargetsSheetName);
        if (!postToMainThread(context, [this, context, location, outcome, done] {
                job_.done();
                // The figures follow the new targets at this check.
                if (outcome.published)
                    if (const auto session = StoreSessions::instance().sessionFor(context, location))
                        session->refreshNow();
                done(outcome);
            }))
            job_.done();
    });
    if (started == BackgroundJob::Start::ShuttingDown) return refuse("the office is shutting down");
    if (started == BackgroundJob::Start::StillRunning)
        return refuse("another publication is still running; try again when it has finished");
    return true;
}

}  // namespace saleskpi::addin
