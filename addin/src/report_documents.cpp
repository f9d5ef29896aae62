#include "report_documents.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <optional>
#include <sstream>
#include <utility>

#include <com/sun/star/beans/NamedValue.hpp>
#include <com/sun/star/beans/PropertyAttribute.hpp>
#include <com/sun/star/beans/PropertyValue.hpp>
#include <com/sun/star/beans/XPropertyContainer.hpp>
#include <com/sun/star/beans/XPropertySet.hpp>
#include <com/sun/star/beans/XPropertySetInfo.hpp>
#include <com/sun/star/container/XIndexAccess.hpp>
#include <com/sun/star/document/XDocumentProperties.hpp>
#include <com/sun/star/document/XDocumentPropertiesSupplier.hpp>
#include <com/sun/star/document/XUndoManager.hpp>
#include <com/sun/star/document/XUndoManagerSupplier.hpp>
#include <com/sun/star/i18n/NumberFormatIndex.hpp>
#include <com/sun/star/lang/DisposedException.hpp>
#include <com/sun/star/lang/Locale.hpp>
#include <com/sun/star/sheet/CellFlags.hpp>
#include <com/sun/star/sheet/ConditionOperator.hpp>
#include <com/sun/star/sheet/FormulaResult.hpp>
#include <com/sun/star/sheet/XCellRangeAddressable.hpp>
#include <com/sun/star/sheet/XCellRangeData.hpp>
#include <com/sun/star/sheet/XSheetCellCursor.hpp>
#include <com/sun/star/sheet/XSheetConditionalEntries.hpp>
#include <com/sun/star/sheet/XSheetOperation.hpp>
#include <com/sun/star/sheet/XSpreadsheet.hpp>
#include <com/sun/star/sheet/XSpreadsheetDocument.hpp>
#include <com/sun/star/sheet/XSpreadsheets.hpp>
#include <com/sun/star/sheet/XUsedAreaCursor.hpp>
#include <com/sun/star/table/CellContentType.hpp>
#include <com/sun/star/table/XCell.hpp>
#include <com/sun/star/table/XCellRange.hpp>
#include <com/sun/star/table/XColumnRowRange.hpp>
#include <com/sun/star/text/XTextRange.hpp>
#include <com/sun/star/uno/Sequence.hxx>
#include <com/sun/star/util/XModifiable.hpp>
#include <com/sun/star/util/XNumberFormatTypes.hpp>
#include <com/sun/star/util/XNumberFormats.hpp>
#include <com/sun/star/util/XNumberFormatsSupplier.hpp>
#include <cppuhelper/implbase1.hxx>
#include <rtl/ref.hxx>

#include "cell_query.hpp"
#include "component_entry.hpp"
#include "kpi/date.hpp"
#include "main_thread.hpp"
#include "report_charts.hpp"
#include "store_session.hpp"
#include "store_sessions.hpp"
#include "target_health_sheets.hpp"

using namespace css;

namespace saleskpi::addin {
namespace {

// While the worker or a sidebar query holds the engine, a write is tried again
// on the main thread's next turn; after this many turns, at the next refresh.
constexpr int kBusyRetries = 2000;

lang::Locale documentLocale(const uno::Reference<frame::XModel>& document) {
    lang::Locale locale;
    try {
        const uno::Reference<beans::XPropertySet> properties(document, uno::UNO_QUERY);
        if (properties.is()) properties->getPropertyValue("CharLocale") >>= locale;
    } catch (const uno::Exception&) {
        // English.
    }
    return locale;
}

uno::Reference<beans::XPropertySet> userDefinedProperties(const uno::Reference<frame::XModel>& document) {
    const uno::Reference<document::XDocumentPropertiesSupplier> supplier(document, uno::UNO_QUERY);
    if (!supplier.is()) return nullptr;
    return uno::Reference<beans::XPropertySet>(supplier->getDocumentProperties()->getUserDefinedProperties(),
                                               uno::UNO_QUERY);
}

// One edit of a document by the extension, as if it had not happened for the
// user: undo manager locked (nothing we do can be undone or clears the redo
// stack), modified flags restored (the document's and its charts'). Not
// lockControllers(): with the views locked, Calc 7.4 recorded attribute
// changes even with the undo manager locked.
class InvisibleEdit {
public:
    explicit InvisibleEdit(const uno::Reference<frame::XModel>& document)
        : undo_(uno::Reference<document::XUndoManagerSupplier>(document, uno::UNO_QUERY_THROW)->getUndoManager()),
          modifiable_(document, uno::UNO_QUERY) {
        wasModified_ = !modifiable_.is() || modifiable_->isModified();
        if (!wasModified_) {
            try {
                cleanCharts_ = unmodifiedCharts(document);
            } catch (...) {
                // The charts' flags are left to Calc.
            }
        }
        undo_->lock();
    }
    ~InvisibleEdit() {
        try {
            undo_->unlock();
        } catch (...) {
        }
        // A chart reading the written cells is modified by their new values.
        // (Not covered: right after loading, Calc's own chart listener, set up
        // from the file, updates such a chart once more on a later idle turn and
        // marks it modified — as it did before charts were fitted.)
        for (const auto& chart : cleanCharts_) {
            try {
                chart->setModified(false);
            } catch (...) {
            }
        }
        try {
            if (!wasModified_) modifiable_->setModified(false);
        } catch (...) {
        }
    }
    InvisibleEdit(const InvisibleEdit&) = delete;
    InvisibleEdit& operator=(const InvisibleEdit&) = delete;

    // Calc turns undo back on when it inserts a sheet, even with the undo
    // manager locked (seen in 7.4): lock it afresh.
    void sheetInserted() {
        undo_->unlock();
        undo_->lock();
    }

private:
    uno::Reference<document::XUndoManager> undo_;
    uno::Reference<util::XModifiable> modifiable_;
    bool wasModified_ = true;
    std::vector<uno::Reference<util::XModifiable>> cleanCharts_;  // charts to leave unmodified
};

bool hasSheet(const uno::Reference<frame::XModel>& document, const std::string& name) {
    return uno::Reference<sheet::XSpreadsheetDocument>(document, uno::UNO_QUERY_THROW)
        ->getSheets()
        ->hasByName(toOUString(name));
}

uno::Any anyOf(const ReportCell& cell) {
    if (const auto* number = std::get_if<double>(&cell)) return uno::Any(*number);
    if (const auto* text = std::get_if<std::string>(&cell)) return uno::Any(toOUString(*text));
    return uno::Any(OUString());  // an empty cell (a VOID here took the office down)
}

beans::PropertyValue property(const char* name, const uno::Any& value) {
    return beans::PropertyValue(OUString::createFromAscii(name), 0, value, beans::PropertyState_DIRECT_VALUE);
}

// Writes report tables into one document.
class ReportWriter {
public:
    ReportWriter(const uno::Reference<frame::XModel>& document, InvisibleEdit& edit)
        : edit_(edit),
          sheets_(uno::Reference<sheet::XSpreadsheetDocument>(document, uno::UNO_QUERY_THROW)->getSheets()),
          formats_(uno::Reference<util::XNumberFormatsSupplier>(document, uno::UNO_QUERY_THROW)->getNumberFormats()),
          formatTypes_(formats_, uno::UNO_QUERY_THROW),
          locale_(documentLocale(document)) {}

    void write(const std::string& name, const ReportTable& table) {
        const OUString sheetName = toOUString(name);
        const bool created = !sheets_->hasByName(sheetName);
        if (created) {
            const uno::Reference<container::XIndexAccess> sheets(sheets_, uno::UNO_QUERY_THROW);
            sheets_->insertNewByName(sheetName, static_cast<sal_Int16>(sheets->getCount()));
            edit_.sheetInserted();
        }
        const uno::Reference<sheet::XSpreadsheet> sheet(sheets_->getByName(sheetName), uno::UNO_QUERY_THROW);
        const auto rows = static_cast<sal_Int32>(table.rows.size());
        const auto columns = static_cast<sal_Int32>(table.columnCount());
        clearBeyond(sheet, rows, columns);

        uno::Sequence<uno::Sequence<uno::Any>> data(rows);
        for (sal_Int32 row = 0; row < rows; ++row) {
            uno::Sequence<uno::Any> cells(columns);
            const auto& source = table.rows[static_cast<std::size_t>(row)];
            for (sal_Int32 column = 0; column < columns; ++column)
                cells.getArray()[column] = static_cast<std::size_t>(column) < source.size()
                                               ? anyOf(source[static_cast<std::size_t>(column)])
                                               : uno::Any(OUString());
            data.getArray()[row] = cells;
        }
        const uno::Reference<sheet::XCellRangeData> range(sheet->getCellRangeByPosition(0, 0, columns - 1, rows - 1),
                                                          uno::UNO_QUERY_THROW);
        range->setDataArray(data);

        if (rows > 2) {
            for (sal_Int32 column = 0; column < columns && static_cast<std::size_t>(column) < table.formats.size();
                 ++column)
                formatColumn(sheet->getCellRangeByPosition(column, 2, column, rows - 1),
                             table.formats[static_cast<std::size_t>(column)]);
            if (table.attainmentColumn) {
                const auto column = static_cast<sal_Int32>(*table.attainmentColumn);
                colourAttainment(sheet->getCellRangeByPosition(column, 2, column, rows - 1));
            }
        }
        if (created) lookOfANewSheet(sheet, rows, columns);
    }

private:
    // Empties the cells of earlier, larger tables; their formats stay.
    static void clearBeyond(const uno::Reference<sheet::XSpreadsheet>& sheet, sal_Int32 rows, sal_Int32 columns) {
        const uno::Reference<sheet::XSheetCellCursor> cursor = sheet->createCursor();
        uno::Reference<sheet::XUsedAreaCursor>(cursor, uno::UNO_QUERY_THROW)->gotoEndOfUsedArea(false);
        const table::CellRangeAddress end =
            uno::Reference<sheet::XCellRangeAddressable>(cursor, uno::UNO_QUERY_THROW)->getRangeAddress();
        constexpr sal_Int32 kContents =
            sheet::CellFlags::VALUE | sheet::CellFlags::DATETIME | sheet::CellFlags::STRING | sheet::CellFlags::FORMULA;
        const auto clear = [&](sal_Int32 left, sal_Int32 top, sal_Int32 right, sal_Int32 bottom) {
            uno::Reference<sheet::XSheetOperation>(sheet->getCellRangeByPosition(left, top, right, bottom),
                                                   uno::UNO_QUERY_THROW)
                ->clearContents(kContents);
        };
        if (end.EndRow >= rows) clear(0, rows, std::max(end.EndColumn, columns - 1), end.EndRow);
        if (end.EndColumn >= columns) clear(columns, 0, end.EndColumn, rows - 1);
    }

    sal_Int32 formatKey(ColumnFormat format) {
        switch (format) {
            case ColumnFormat::Integer:
                return formatTypes_->getFormatIndex(i18n::NumberFormatIndex::NUMBER_1000INT, locale_);
            case ColumnFormat::Percent:
                return formatTypes_->getFormatIndex(i18n::NumberFormatIndex::PERCENT_DEC2, locale_);
            case ColumnFormat::General: break;
        }
        return formatTypes_->getStandardIndex(locale_);
    }

    // A column keeps a format of its own (a template's VND format, say); the
    // standard format and the ones this writer sets are replaced.
    void formatColumn(const uno::Reference<table::XCellRange>& range, ColumnFormat format) {
        const uno::Reference<beans::XPropertySet> first(range->getCellByPosition(0, 0), uno::UNO_QUERY_THROW);
        sal_Int32 current = 0;
        first->getPropertyValue("NumberFormat") >>= current;
        lang::Locale currentLocale;
        try {
            formats_->getByKey(current)->getPropertyValue("Locale") >>= currentLocale;
        } catch (const uno::Exception&) {
            return;
        }
        const bool ours = current == formatTypes_->getStandardIndex(currentLocale) ||
                          current == formatKey(ColumnFormat::Integer) || current == formatKey(ColumnFormat::Percent);
        const sal_Int32 wanted = formatKey(format);
        if (ours && current != wanted)
            uno::Reference<beans::XPropertySet>(range, uno::UNO_QUERY_THROW)
                ->setPropertyValue("NumberFormat", uno::Any(wanted));
    }

    // Attainment below 80 % in the style Bad, up to 100 % Neutral, from 100 % Good
    // (Calc's own cell styles; the first condition that holds wins).
    static void colourAttainment(const uno::Reference<table::XCellRange>& range) {
        const uno::Reference<beans::XPropertySet> properties(range, uno::UNO_QUERY_THROW);
        const uno::Reference<sheet::XSheetConditionalEntries> entries(properties->getPropertyValue("ConditionalFormat"),
                                                                      uno::UNO_QUERY_THROW);
        entries->clear();
        const auto add = [&](sheet::ConditionOperator op, const char* formula, const char* style) {
            uno::Sequence<beans::PropertyValue> condition(3);
            condition.getArray()[0] = property("Operator", uno::Any(op));
            condition.getArray()[1] = property("Formula1", uno::Any(OUString::createFromAscii(formula)));
            condition.getArray()[2] = property("StyleName", uno::Any(OUString::createFromAscii(style)));
            entries->addNew(condition);
        };
        add(sheet::ConditionOperator_GREATER_EQUAL, "1", "Good");
        add(sheet::ConditionOperator_GREATER_EQUAL, "0.8", "Neutral");
        add(sheet::ConditionOperator_LESS, "0.8", "Bad");
        properties->setPropertyValue("ConditionalFormat", uno::Any(entries));
    }

    // A sheet the writer created has no template's look: a bold title and
    // headers, columns as wide as their contents.
    static void lookOfANewSheet(const uno::Reference<sheet::XSpreadsheet>& sheet, sal_Int32 rows, sal_Int32 columns) {
        constexpr float kBold = 150.0f;  // awt::FontWeight::BOLD
        uno::Reference<beans::XPropertySet>(sheet->getCellRangeByPosition(0, 0, 0, 0), uno::UNO_QUERY_THROW)
            ->setPropertyValue("CharWeight", uno::Any(kBold));
        if (rows > 1)
            uno::Reference<beans::XPropertySet>(sheet->getCellRangeByPosition(0, 1, columns - 1, 1),
                                                uno::UNO_QUERY_THROW)
                ->setPropertyValue("CharWeight", uno::Any(kBold));
        // The title is one long text in A1: the widths follow the rows below it.
        if (rows > 1) {
            const uno::Reference<table::XColumnRowRange> body(
                sheet->getCellRangeByPosition(0, 1, columns - 1, rows - 1), uno::UNO_QUERY_THROW);
            uno::Reference<beans::XPropertySet>(body->getColumns(), uno::UNO_QUERY_THROW)
                ->setPropertyValue("OptimalWidth", uno::Any(true));
        }
    }

    InvisibleEdit& edit_;
    uno::Reference<sheet::XSpreadsheets> sheets_;
    uno::Reference<util::XNumberFormats> formats_;
    uno::Reference<util::XNumberFormatTypes> formatTypes_;
    lang::Locale locale_;
};

// Listens to the cells a document's definitions read. Calc calls it on the
// thread that changed the cell (a bridge thread for a remote client): it only
// posts the check to the main thread, once until that check has run.
class SourceCellListener : public cppu::WeakImplHelper1<util::XModifyListener> {
public:
    SourceCellListener(uno::Reference<uno::XComponentContext> context, const uno::Reference<frame::XModel>& document)
        : context_(std::move(context)), document_(document) {}

    void SAL_CALL modified(const lang::EventObject&) override {
        try {
            // The report writer's own writes (a source cell inside a report
            // sheet, say) never start another write.
            if (ReportDocuments::instance().writing() || posted_.exchange(true)) return;
            const rtl::Reference<SourceCellListener> self(this);
            const bool queued = postToMainThread(context_, [self] {
                self->posted_ = false;
                const uno::Reference<frame::XModel> document(self->document_);
                if (document.is()) ReportDocuments::instance().sourceCellsChanged(document);
            });
            if (!queued) posted_ = false;
        } catch (...) {
            // The next change tries again.
        }
    }
    void SAL_CALL disposing(const lang::EventObject&) override {}

private:
    const uno::Reference<uno::XComponentContext> context_;
    const uno::WeakReference<frame::XModel> document_;
    std::atomic<bool> posted_{false};
};

// What a source cell holds, as the text of the field it stands for: a text
// as it is; a number, for a PERIOD, as the day it is (a date typed in the
// cell; 0 is an empty cell, as for KPI.* functions), for a SCOPE as the code
// it is (1001); empty for an empty cell. nullopt for a cell showing an error.
std::optional<std::string> fieldTextOf(const uno::Reference<table::XCell>& cell, bool period) {
    bool text = false;
    switch (cell->getType()) {
        case table::CellContentType_EMPTY: return std::string();
        case table::CellContentType_TEXT: text = true; break;
        case table::CellContentType_VALUE: break;
        default: {  // a formula: what it shows
            if (cell->getError() != 0) return std::nullopt;
            sal_Int32 result = sheet::FormulaResult::VALUE;
            uno::Reference<beans::XPropertySet>(cell, uno::UNO_QUERY_THROW)->getPropertyValue("FormulaResultType2") >>=
                result;
            text = result == sheet::FormulaResult::STRING;
            break;
        }
    }
    if (text) return toUtf8(uno::Reference<text::XTextRange>(cell, uno::UNO_QUERY_THROW)->getString());
    const double value = cell->getValue();
    if (period) {
        if (!std::isfinite(value) || value < 0) return std::to_string(value);  // not a period: said in the title
        if (value < 1) return std::string();
        return kpi::formatDay(dayFromSerial(value, kDefaultNullDate));
    }
    std::ostringstream number;
    if (value == std::floor(value) && std::fabs(value) < 1e15)
        number << static_cast<long long>(value);
    else
        number << value;
    return number.str();
}

}  // namespace

ReportDocuments::Book::~Book() {
    for (const auto& [name, cell] : sourceCells) {
        try {
            cell->removeModifyListener(sourceListener);
        } catch (...) {
            // The document is gone, and the cell with it.
        }
    }
}

std::optional<std::string> reportDefinitionsOf(const uno::Reference<frame::XModel>& document) {
    const uno::Reference<beans::XPropertySet> userDefined = userDefinedProperties(document);
    const OUString name = toOUString(kReportsProperty);
    if (!userDefined.is() || !userDefined->getPropertySetInfo()->hasPropertyByName(name)) return std::nullopt;
    OUString value;
    if (!(userDefined->getPropertyValue(name) >>= value)) return std::nullopt;
    return toUtf8(value);
}

void setReportDefinitions(const uno::Reference<frame::XModel>& document, const std::string& definitions) {
    const uno::Reference<beans::XPropertySet> userDefined = userDefinedProperties(document);
    if (!userDefined.is()) throw uno::RuntimeException("the document has no custom properties");
    const OUString name = toOUString(kReportsProperty);
    const uno::Any value(toOUString(definitions));
    if (userDefined->getPropertySetInfo()->hasPropertyByName(name))
        userDefined->setPropertyValue(name, value);
    else
        uno::Reference<beans::XPropertyContainer>(userDefined, uno::UNO_QUERY_THROW)
            ->addProperty(name, beans::PropertyAttribute::REMOVABLE, value);
}

Language documentLanguage(const uno::Reference<frame::XModel>& document) {
    return languageOf(toUtf8(documentLocale(document).Language));
}

ReportDocuments& ReportDocuments::instance() {
    // Never destroyed: static destructors run after UNO is gone.
    static ReportDocuments* const documents = new ReportDocuments;
    return *documents;
}

ReportDocuments::Book* ReportDocuments::find(const uno::Reference<frame::XModel>& document) {
    for (auto& book : books_)
        if (uno::Reference<frame::XModel>(book->document) == document) return book.get();
    return nullptr;
}

void ReportDocuments::watch(const uno::Reference<uno::XComponentContext>& context,
                            const uno::Reference<frame::XModel>& document) {
    if (shutDown_ || !document.is()) return;
    if (!context_.is()) {
        context_ = context;
        whenOfficeTerminates(context, [] { ReportDocuments::instance().shutdown(); });
        // A document with report sheets keeps its store's session, cells or not.
        StoreSessions::instance().addUser([](const std::string& storeKey) {
            return ReportDocuments::instance().usesStore(storeKey);
        });
    }
    std::erase_if(books_, [](const auto& book) { return !uno::Reference<frame::XModel>(book->document).is(); });
    Book* book = find(document);
    if (!reportDefinitionsOf(document)) {
        if (book) std::erase_if(books_, [book](const auto& kept) { return kept.get() == book; });
        return;
    }
    if (!book) {
        books_.push_back(std::make_unique<Book>());
        book = books_.back().get();
        book->document = document;
    }
    update(*book, false, nullptr);
}

std::string ReportDocuments::writeNow(const uno::Reference<uno::XComponentContext>& context,
                                      const uno::Reference<frame::XModel>& document) {
    watch(context, document);
    Book* book = find(document);
    if (!book) return "the document has no report sheets (no " + std::string(kReportsProperty) + " property)";
    return update(*book, true, nullptr);
}

void ReportDocuments::shutdown() {
    shutDown_ = true;
    books_.clear();
    listening_.clear();
    context_.clear();
}

bool ReportDocuments::usesStore(const std::string& storeKey) {
    if (shutDown_) return false;
    // A closed document is disposed: its model answers no more.
    std::erase_if(books_, [](const auto& book) {
        const uno::Reference<frame::XModel> document(book->document);
        if (!document.is()) return true;
        try {
            document->getURL();
            return false;
        } catch (const lang::DisposedException&) {
            return true;
        }
    });
    return std::any_of(books_.begin(), books_.end(), [&](const auto& book) { return book->storeKey == storeKey; });
}

void ReportDocuments::listenTo(const std::shared_ptr<StoreSession>& session) {
    const std::string key = session->location().key();
    if (listening_[key].lock() == session) return;
    listening_[key] = session;
    // Sessions live until the office terminates, and so does this object.
    session->addRefreshListener([key] { ReportDocuments::instance().refreshed(key); });
}

void ReportDocuments::refreshed(const std::string& storeKey) {
    if (shutDown_) return;
    std::erase_if(books_, [](const auto& book) { return !uno::Reference<frame::XModel>(book->document).is(); });
    std::vector<Book*> books;
    for (auto& book : books_) books.push_back(book.get());
    for (Book* book : books) {
        try {
            update(*book, false, &storeKey);
        } catch (...) {
            // One document's failure must not keep the others from their reports.
        }
    }
}

void ReportDocuments::retryLater(const uno::Reference<frame::XModel>& document) {
    Book* book = find(document);
    if (!book || book->retryPosted || book->busyRetries >= kBusyRetries) return;
    book->retryPosted = true;
    ++book->busyRetries;
    const uno::WeakReference<frame::XModel> weak(document);
    postToMainThread(context_, [weak] {
        auto& documents = ReportDocuments::instance();
        const uno::Reference<frame::XModel> document(weak);
        if (Book* book = documents.shutDown_ || !document.is() ? nullptr : documents.find(document)) {
            book->retryPosted = false;
            documents.update(*book, false, nullptr);
        }
    });
}

ReportDocuments::ReadDefinition ReportDocuments::readCells(Book& book, const uno::Reference<frame::XModel>& document,
                                                           const ReportDefinition& report) {
    std::string texts[2];  // PERIOD's cell, SCOPE's cell
    const std::string* fields[2] = {&report.period, &report.scope};
    for (int i = 0; i < 2; ++i) {
        if (!isCellReference(*fields[i])) continue;
        const char* what = i == 0 ? "the period" : "the scope";
        const auto reference = parseCellReference(*fields[i]);
        if (!reference) return {report, std::string(what) + " '" + *fields[i] + "' is not a cell reference"};
        const std::string name = formatCellReference(*reference);
        try {
            const auto sheets =
                uno::Reference<sheet::XSpreadsheetDocument>(document, uno::UNO_QUERY_THROW)->getSheets();
            if (!sheets->hasByName(toOUString(reference->sheet))) {
                // A sheet of that name made later is listened to afresh.
                book.sourceCells.erase(name);
                return {report, "the cell " + name + " of " + what + " is on a sheet the document does not have"};
            }
            const uno::Reference<sheet::XSpreadsheet> sheet(sheets->getByName(toOUString(reference->sheet)),
                                                            uno::UNO_QUERY_THROW);
            const uno::Reference<table::XCell> cell = sheet->getCellByPosition(reference->column, reference->row);
            if (!book.sourceCells.count(name)) {
                if (!book.sourceListener.is()) book.sourceListener = new SourceCellListener(context_, document);
                const uno::Reference<util::XModifyBroadcaster> broadcaster(cell, uno::UNO_QUERY_THROW);
                broadcaster->addModifyListener(book.sourceListener);
                book.sourceCells.emplace(name, broadcaster);
            }
            const auto text = fieldTextOf(cell, i == 0);
            if (!text) return {report, "the cell " + name + " of " + what + " shows an error"};
            texts[i] = *text;
        } catch (const uno::Exception&) {
            return {report, "the cell " + name + " of " + what + " cannot be read"};
        }
    }
    return {withCellValues(report, texts[0], texts[1]), {}};
}

void ReportDocuments::sourceCellsChanged(const uno::Reference<frame::XModel>& document) {
    if (shutDown_ || writing_) return;
    Book* book = find(document);
    if (!book) return;
    const auto property = reportDefinitionsOf(document);
    if (!property) return;
    std::set<std::string> changed;
    for (const auto& report : parseReportDefinitions(*property).reports) {
        if (!isCellReference(report.period) && !isCellReference(report.scope)) continue;
        const auto last = book->read.find(report.sheet);
        if (last == book->read.end() || !(last->second == readCells(*book, document, report)))
            changed.insert(report.sheet);
    }
    if (!changed.empty()) update(*book, false, nullptr, &changed);
}

std::string ReportDocuments::update(Book& book, bool force, const std::string* onlyStore,
                                    const std::set<std::string>* onlySheets) {
    const uno::Reference<frame::XModel> document(book.document);
    if (!document.is()) return "the document is closed";
    const auto property = reportDefinitionsOf(document);
    if (!property) return "the document has no report sheets";
    auto& sessions = StoreSessions::instance();
    const StoreLocation location =
        sessions.locate(context_, uno::Reference<beans::XPropertySet>(document, uno::UNO_QUERY));
    if (onlyStore && location.key() != *onlyStore) return {};
    book.storeKey = location.key();
    if (!location.problem.empty()) return location.problem;
    force = force || book.forcePending;
    const auto session = sessions.sessionFor(context_, location);
    if (!session) return "the office is shutting down";
    listenTo(session);

    const ReportDefinitions definitions = parseReportDefinitions(*property);
    const auto wanted = [onlySheets](const std::string& sheet) { return !onlySheets || onlySheets->count(sheet); };
    // Cells are read here, on the main thread, not inside the query.
    std::vector<ReadDefinition> reports;
    for (const auto& report : definitions.reports)
        if (wanted(report.sheet)) reports.push_back(readCells(book, document, report));
    const Language language = documentLanguage(document);
    const kpi::Day today = kpi::today();
    std::vector<std::pair<std::string, ReportTable>> tables;
    const bool answered = session->tryQuery([&](kpi::Engine& engine) {
        for (const auto& report : reports) {
            const std::string& sheet = report.definition.sheet;
            if (!report.problem.empty()) {
                tables.emplace_back(sheet, problemReport(sheet, report.problem, language));
                continue;
            }
            try {
                if (report.definition.kind == ReportKind::TargetHealth) {
                    // It reads the store: computed off this thread, written when ready.
                    tables.emplace_back(sheet, TargetHealthSheets::instance().table(context_, session, document,
                                                                                    report.definition, today, language,
                                                                                    engine.state().changeSeq));
                    continue;
                }
                tables.emplace_back(sheet, buildReport(engine, report.definition, today, language));
            } catch (const std::exception& error) {
                tables.emplace_back(sheet, problemReport(sheet, error.what(), language));
            }
        }
    });
    if (!answered) {
        book.forcePending = force;
        if (session->hostStatus().data) {
            retryLater(document);
            return "the store's figures are being updated; the report sheets follow in a moment";
        }
        return "the store's figures are not loaded yet (" + statusText(session->hostStatus(), location.source) +
               "); the report sheets follow once they are";
    }
    book.busyRetries = 0;
    book.forcePending = false;
    for (const auto& report : reports) book.read[report.definition.sheet] = report;
    for (const auto& problem : definitions.problems)
        if (!problem.sheet.empty() && wanted(problem.sheet))
            tables.emplace_back(problem.sheet, problemReport(problem.sheet, problem.problem, language));

    writing_ = true;
    struct WritingEnds {
        std::atomic<bool>& writing;
        ~WritingEnds() { writing = false; }
    } writingEnds{writing_};

    // Only what changed is written; a sheet the user deleted comes back.
    std::optional<InvisibleEdit> edit;
    std::optional<ReportWriter> writer;
    for (const auto& [sheet, table] : tables) {
        const auto written = book.written.find(sheet);
        if (!force && written != book.written.end() && written->second == table && hasSheet(document, sheet)) continue;
        if (!writer) {
            edit.emplace(document);
            writer.emplace(document, *edit);
        }
        if (hasSheet(document, sheet)) {
            // Charts reading the sheet's rows follow them (a sheet the writer
            // is about to create has none).
            try {
                fitChartsToReport(document, toOUString(sheet), static_cast<sal_Int32>(table.rows.size()),
                                  static_cast<sal_Int32>(table.columnCount()));
            } catch (...) {
                // Its charts keep the rows they had.
            }
        }
        try {
            writer->write(sheet, table);
            book.written[sheet] = table;
        } catch (const uno::Exception&) {
            // A protected sheet, say: the others are written all the same,
            // and this one is tried again at the next refresh.
            book.written.erase(sheet);
        }
    }
    return {};
}

// --- ReportSheetsJob -------------------------------------------------------

ReportSheetsJob::ReportSheetsJob(uno::Reference<uno::XComponentContext> context) : context_(std::move(context)) {}

uno::Any SAL_CALL ReportSheetsJob::execute(const uno::Sequence<beans::NamedValue>& arguments) {
    try {
        uno::Reference<frame::XModel> document;
        for (const auto& argument : arguments) {
            if (argument.Name != "Environment") continue;
            uno::Sequence<beans::NamedValue> environment;
            argument.Value >>= environment;
            for (const auto& value : environment)
                if (value.Name == "Model") value.Value >>= document;
        }
        // Loading may still be under way (and this may be a bridge thread):
        // the document is looked at on the main thread's next turn.
        if (document.is()) {
            const auto context = context_;
            postToMainThread(context, [context, document] { ReportDocuments::instance().watch(context, document); });
        }
    } catch (...) {
        // A job must never fail a document's loading.
    }
    return uno::Any();
}

OUString SAL_CALL ReportSheetsJob::getImplementationName() { return implementationNameOf<ReportSheetsJob>(); }

sal_Bool SAL_CALL ReportSheetsJob::supportsService(const OUString& serviceName) {
    return supportsServiceOf(this, serviceName);
}

uno::Sequence<OUString> SAL_CALL ReportSheetsJob::getSupportedServiceNames() { return serviceNamesOf<ReportSheetsJob>(); }

uno::Sequence<OUString> ReportSheetsJob::serviceNames() {
    uno::Sequence<OUString> names(2);
    names.getArray()[0] = OUString::createFromAscii(kImplementationName);  // the name Jobs.xcu uses
    names.getArray()[1] = "com.sun.star.task.Job";
    return names;
}

}  // namespace saleskpi::addin
