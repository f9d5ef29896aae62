#include "statement_export.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include <unistd.h>

#include <com/sun/star/awt/XControlContainer.hpp>
#include <com/sun/star/awt/XDialog.hpp>
#include <com/sun/star/awt/XDialog2.hpp>
#include <com/sun/star/awt/XDialogEventHandler.hpp>
#include <com/sun/star/awt/XComboBox.hpp>
#include <com/sun/star/awt/XFixedText.hpp>
#include <com/sun/star/awt/XListBox.hpp>
#include <com/sun/star/awt/XTextComponent.hpp>
#include <com/sun/star/beans/XPropertySet.hpp>
#include <com/sun/star/container/XIndexAccess.hpp>
#include <com/sun/star/deployment/PackageInformationProvider.hpp>
#include <com/sun/star/frame/Desktop.hpp>
#include <com/sun/star/frame/XComponentLoader.hpp>
#include <com/sun/star/frame/XController.hpp>
#include <com/sun/star/frame/XStorable.hpp>
#include <com/sun/star/sheet/XCellRangeAddressable.hpp>
#include <com/sun/star/sheet/XCellRangeData.hpp>
#include <com/sun/star/sheet/XCellRangeReferrer.hpp>
#include <com/sun/star/sheet/XNamedRanges.hpp>
#include <com/sun/star/sheet/XSheetCellCursor.hpp>
#include <com/sun/star/sheet/XSpreadsheet.hpp>
#include <com/sun/star/sheet/XSpreadsheetDocument.hpp>
#include <com/sun/star/sheet/XUsedAreaCursor.hpp>
#include <com/sun/star/table/XCell.hpp>
#include <com/sun/star/table/XColumnRowRange.hpp>
#include <com/sun/star/table/XTableRows.hpp>
#include <com/sun/star/task/XStatusIndicator.hpp>
#include <com/sun/star/task/XStatusIndicatorFactory.hpp>
#include <com/sun/star/text/XText.hpp>
#include <com/sun/star/util/thePathSettings.hpp>
#include <com/sun/star/util/XCloseable.hpp>
#include <cppuhelper/implbase1.hxx>
#include <osl/file.hxx>
#include <rtl/ref.hxx>

#include "extension_dialog.hpp"
#include "kpi/date.hpp"
#include "kpi/error.hpp"
#include "main_thread.hpp"
#include "office_language.hpp"
#include "statement_layout.hpp"
#include "store_session.hpp"
#include "store_sessions.hpp"
#include "team_choice.hpp"
#include "uno_text.hpp"

using namespace css;
namespace fs = std::filesystem;

namespace saleskpi::addin {
namespace {

constexpr char kExtensionId[] = "org.saleskpi.extension";
constexpr char kRowsSheet[] = "Rows";
constexpr sal_Int32 kColumns = 9;  // A–I of the statement

std::string in(const LocalizedText& text, Language language) { return std::string(text.in(language)); }

std::string format(const LocalizedText& pattern, Language language, const std::string& a, const std::string& b = {},
                   const std::string& c = {}, const std::string& d = {}) {
    // The patterns hold %s and %d placeholders in order; numbers arrive as text.
    std::string out;
    const std::string text(pattern.in(language));
    const std::string* values[] = {&a, &b, &c, &d};
    std::size_t next = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 1 < text.size() && (text[i + 1] == 's' || text[i + 1] == 'd') && next < 4) {
            out += *values[next++];
            ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string argument(const uno::Sequence<beans::PropertyValue>& arguments, const char* name, bool& given) {
    for (const auto& value : arguments) {
        OUString text;
        if (value.Name.equalsAscii(name) && (value.Value >>= text)) {
            given = true;
            return toUtf8(text.trim());
        }
    }
    return {};
}

// A path from what the user typed: a file URL or a path; a relative path is
// taken relative to `base` (the document's folder).
std::string pathOf(const std::string& typed, const std::string& base) {
    if (typed.rfind("file:", 0) == 0) {
        OUString path;
        if (osl::FileBase::getSystemPathFromFileURL(toOUString(typed), path) == osl::FileBase::E_None)
            return toUtf8(path);
        return typed;
    }
    if (!typed.empty() && typed.front() != '/' && !base.empty()) return (fs::path(base) / typed).string();
    return typed;
}

std::string systemPath(const OUString& url) {
    OUString path;
    if (url.isEmpty() || osl::FileBase::getSystemPathFromFileURL(url, path) != osl::FileBase::E_None) return {};
    return toUtf8(path);
}

OUString fileUrl(const std::string& path) {
    OUString url;
    osl::FileBase::getFileURLFromSystemPath(toOUString(path), url);
    return url;
}

// The folder of the document, or the user's documents folder for a new one.
std::string besideFolder(const uno::Reference<uno::XComponentContext>& context,
                         const uno::Reference<frame::XModel>& document) {
    const std::string own = systemPath(document.is() ? document->getURL() : OUString());
    if (!own.empty()) return fs::path(own).parent_path().string();
    try {
        OUString work;
        uno::Reference<beans::XPropertySet>(util::thePathSettings::get(context), uno::UNO_QUERY_THROW)
            ->getPropertyValue("Work") >>= work;
        const std::string path = systemPath(work);
        if (!path.empty()) return path;
    } catch (...) {
    }
    const char* home = std::getenv("HOME");
    return home ? home : "";
}

// The team the window's sidebar shows, else the document's named cell
// Manager (the dashboard's), when either names a manager; else everyone.
std::string documentManager(const uno::Reference<frame::XModel>& document, const StatementExportChoices& choices) {
    const auto offered = [&](const std::string& code) {
        for (const auto& team : choices.teams)
            if (team.value == code) return true;
        return false;
    };
    try {
        const uno::Reference<frame::XController> controller = document->getCurrentController();
        if (const auto chosen = sidebarTeam(controller.is() ? controller->getFrame() : nullptr);
            chosen && offered(*chosen))
            return *chosen;
    } catch (...) {
    }
    try {
        const uno::Reference<beans::XPropertySet> properties(document, uno::UNO_QUERY_THROW);
        const uno::Reference<sheet::XNamedRanges> names(properties->getPropertyValue("NamedRanges"),
                                                        uno::UNO_QUERY_THROW);
        if (!names->hasByName("Manager")) return "*";
        const uno::Reference<sheet::XCellRangeReferrer> referrer(names->getByName("Manager"), uno::UNO_QUERY_THROW);
        const uno::Reference<table::XCell> cell = referrer->getReferredCells()->getCellByPosition(0, 0);
        const std::string code = toUtf8(uno::Reference<text::XText>(cell, uno::UNO_QUERY_THROW)->getString().trim());
        if (offered(code)) return code;
    } catch (...) {
    }
    return "*";
}


struct DialogDefaults {
    int team = 0;
    std::string period, folder;
};

class ExportDialogHandler : public cppu::WeakImplHelper1<awt::XDialogEventHandler> {
public:
    ExportDialogHandler(StatementExportChoices choices, DialogDefaults defaults, kpi::Day today, Language language)
        : choices_(std::move(choices)), defaults_(std::move(defaults)), today_(today), language_(language) {}

    sal_Bool SAL_CALL callHandlerMethod(const uno::Reference<awt::XDialog>& dialog, const uno::Any&,
                                        const OUString& method) override {
        try {
            if (method != "ok") return false;
            const uno::Reference<awt::XControlContainer> controls(dialog, uno::UNO_QUERY_THROW);
            StatementExportEntry entry;
            entry.team = control<awt::XListBox>(controls, "Team")->getSelectedItemPos();
            entry.period = toUtf8(control<awt::XTextComponent>(controls, "Period")->getText());
            entry.folder = toUtf8(control<awt::XTextComponent>(controls, "Folder")->getText());
            const StatementExportCheck check = checkStatementExportEntry(entry, choices_, today_, language_);
            control<awt::XFixedText>(controls, "Problem")->setText(toOUString(check.problem));
            if (check.request) {
                accepted_ = check.request;
                uno::Reference<awt::XDialog2>(dialog, uno::UNO_QUERY_THROW)->endDialog(1);
            }
            return true;
        } catch (...) {
            return false;  // nothing may escape into the dialog's event loop
        }
    }

    uno::Sequence<OUString> SAL_CALL getSupportedMethodNames() override {
        try {
            uno::Sequence<OUString> names(1);
            names.getArray()[0] = "ok";
            return names;
        } catch (...) {
            return {};
        }
    }

    void fill(const uno::Reference<awt::XDialog>& dialog) {
        const uno::Reference<awt::XControlContainer> controls(dialog, uno::UNO_QUERY_THROW);
        const auto team = control<awt::XListBox>(controls, "Team");
        team->addItems(labelsOf(choices_.teams), 0);
        team->selectItemPos(static_cast<sal_Int16>(defaults_.team), true);
        control<awt::XComboBox>(controls, "Period")->addItems(labelsOf(choices_.periods), 0);
        control<awt::XTextComponent>(controls, "Period")->setText(toOUString(defaults_.period));
        control<awt::XTextComponent>(controls, "Folder")->setText(toOUString(defaults_.folder));
    }

    const std::optional<StatementExportRequest>& accepted() const { return accepted_; }

private:
    const StatementExportChoices choices_;
    const DialogDefaults defaults_;
    const kpi::Day today_;
    const Language language_;
    std::optional<StatementExportRequest> accepted_;
};

std::string localNow() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &local);
    return text;
}

// Creates the folder and proves it writable (worker thread). "" when it is.
std::string checkFolder(const std::string& folder) {
    std::error_code error;
    fs::create_directories(folder, error);
    if (error) return error.message();
    if (!fs::is_directory(folder, error)) return error ? error.message() : "not a folder";
    const fs::path probe = fs::path(folder) / (".saleskpi-write-test-" + std::to_string(::getpid()));
    {
        std::ofstream out(probe, std::ios::binary | std::ios::trunc);
        if (!out) return std::error_code(errno, std::generic_category()).message();
        out << "SalesKPI";
        out.close();
        if (!out) return std::error_code(errno, std::generic_category()).message();
    }
    fs::remove(probe, error);
    return {};
}

// Moves a file, across file systems too. "" when it moved.
std::string moveFile(const fs::path& from, const fs::path& to) {
    std::error_code error;
    fs::rename(from, to, error);
    if (!error) return {};
    error.clear();
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, error);
    if (error) return error.message();
    fs::remove(from, error);
    return {};
}

// A filled statement document, closed however the filling ends.
struct OpenDocument {
    uno::Reference<lang::XComponent> component;
    ~OpenDocument() {
        try {
            const uno::Reference<util::XCloseable> closeable(component, uno::UNO_QUERY);
            if (closeable.is()) closeable->close(true);
            else if (component.is()) component->dispose();
        } catch (...) {
        }
    }
};

uno::Reference<sheet::XSpreadsheet> sheetAt(const uno::Reference<sheet::XSpreadsheetDocument>& document, sal_Int32 i) {
    const uno::Reference<container::XIndexAccess> sheets(document->getSheets(), uno::UNO_QUERY_THROW);
    return uno::Reference<sheet::XSpreadsheet>(sheets->getByIndex(i), uno::UNO_QUERY_THROW);
}

// The used area of a sheet as (rows × columns) texts.
uno::Sequence<uno::Sequence<uno::Any>> usedArea(const uno::Reference<sheet::XSpreadsheet>& sheet) {
    const uno::Reference<sheet::XSheetCellCursor> cursor = sheet->createCursor();
    uno::Reference<sheet::XUsedAreaCursor>(cursor, uno::UNO_QUERY_THROW)->gotoEndOfUsedArea(false);
    const table::CellRangeAddress end =
        uno::Reference<sheet::XCellRangeAddressable>(cursor, uno::UNO_QUERY_THROW)->getRangeAddress();
    return uno::Reference<sheet::XCellRangeData>(sheet->getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow),
                                                 uno::UNO_QUERY_THROW)
        ->getDataArray();
}

// Fills the placeholders of the cells of rows [firstRow, lastRow] (every row when lastRow < 0).
void fillCells(const uno::Reference<sheet::XSpreadsheet>& sheet, const std::map<std::string, std::string>& fields,
               sal_Int32 firstRow, sal_Int32 lastRow) {
    const auto area = usedArea(sheet);
    for (sal_Int32 r = firstRow; r < area.getLength() && (lastRow < 0 || r <= lastRow); ++r)
        for (sal_Int32 c = 0; c < area[r].getLength(); ++c) {
            OUString text;
            if (!(area[r][c] >>= text) || text.indexOf('{') < 0) continue;
            const std::string filled = fillPlaceholders(toUtf8(text), fields);
            uno::Reference<text::XText>(sheet->getCellByPosition(c, r), uno::UNO_QUERY_THROW)
                ->setString(toOUString(filled));
        }
}

// Fills the template with one statement and writes it as a PDF (main thread).
void renderStatement(const uno::Reference<uno::XComponentContext>& context, const OUString& templateUrl,
                     const StatementLayout& layout, const std::string& pdfPath) {
    uno::Sequence<beans::PropertyValue> load(3);
    load.getArray()[0].Name = "Hidden";
    load.getArray()[0].Value <<= true;
    load.getArray()[1].Name = "AsTemplate";
    load.getArray()[1].Value <<= true;
    load.getArray()[2].Name = "ReadOnly";
    load.getArray()[2].Value <<= false;
    const uno::Reference<frame::XComponentLoader> loader(frame::Desktop::create(context), uno::UNO_QUERY_THROW);
    OpenDocument open{loader->loadComponentFromURL(templateUrl, "_blank", 0, load)};
    const uno::Reference<sheet::XSpreadsheetDocument> document(open.component, uno::UNO_QUERY);
    if (!document.is()) throw uno::RuntimeException("cannot open the statement template " + templateUrl);

    const uno::Reference<sheet::XSpreadsheet> statement = sheetAt(document, 0);
    const auto sheets = document->getSheets();
    if (!sheets->hasByName(kRowsSheet)) throw uno::RuntimeException("the statement template has no sheet Rows");
    const uno::Reference<sheet::XSpreadsheet> rowsSheet(sheets->getByName(kRowsSheet), uno::UNO_QUERY_THROW);

    // The prototypes: kind → the cell style and text of columns B–J of its row
    // of the Rows sheet (the template's cells use named cell styles only).
    struct PrototypeCell {
        OUString style, text;
    };
    std::map<std::string, std::vector<PrototypeCell>> prototypes;
    const auto protoArea = usedArea(rowsSheet);
    for (sal_Int32 r = 0; r < protoArea.getLength(); ++r) {
        OUString kind;
        if (protoArea[r].getLength() == 0 || !(protoArea[r][0] >>= kind) || kind.isEmpty()) continue;
        std::vector<PrototypeCell> cells;
        for (sal_Int32 c = 1; c <= kColumns; ++c) {
            PrototypeCell cell;
            uno::Reference<beans::XPropertySet>(rowsSheet->getCellByPosition(c, r), uno::UNO_QUERY_THROW)
                ->getPropertyValue("CellStyle") >>= cell.style;
            if (c < protoArea[r].getLength()) protoArea[r][c] >>= cell.text;
            cells.push_back(cell);
        }
        prototypes.emplace(toUtf8(kind), std::move(cells));
    }

    // The header first: the lines' own texts are not read for placeholders again.
    fillCells(statement, layout.header, 0, -1);

    // Where the lines go: the row whose column A says {lines}.
    sal_Int32 marker = -1;
    const auto area = usedArea(statement);
    for (sal_Int32 r = 0; r < area.getLength() && marker < 0; ++r) {
        OUString text;
        if (area[r].getLength() > 0 && (area[r][0] >>= text) && text == "{lines}") marker = r;
    }
    if (marker < 0) throw uno::RuntimeException("the statement template has no {lines} row");
    const uno::Reference<table::XTableRows> tableRows =
        uno::Reference<table::XColumnRowRange>(statement, uno::UNO_QUERY_THROW)->getRows();
    const auto count = static_cast<sal_Int32>(layout.rows.size());
    if (count == 0) tableRows->removeByIndex(marker, 1);
    else if (count > 1) tableRows->insertByIndex(marker + 1, count - 1);
    for (sal_Int32 i = 0; i < count; ++i) {
        const StatementRow& line = layout.rows[static_cast<std::size_t>(i)];
        const auto prototype = prototypes.find(line.kind);
        if (prototype == prototypes.end())
            throw uno::RuntimeException(toOUString("the statement template has no row " + line.kind));
        for (sal_Int32 c = 0; c < kColumns; ++c) {
            const PrototypeCell& from = prototype->second[static_cast<std::size_t>(c)];
            const uno::Reference<table::XCell> to = statement->getCellByPosition(c, marker + i);
            if (!from.style.isEmpty())
                uno::Reference<beans::XPropertySet>(to, uno::UNO_QUERY_THROW)->setPropertyValue("CellStyle",
                                                                                               uno::Any(from.style));
            const std::string text = fillPlaceholders(toUtf8(from.text), line.fields);
            uno::Reference<text::XText>(to, uno::UNO_QUERY_THROW)->setString(toOUString(text));
        }
    }
    sheets->removeByName(kRowsSheet);

    uno::Sequence<beans::PropertyValue> store(1);
    store.getArray()[0].Name = "FilterName";
    store.getArray()[0].Value <<= OUString("calc_pdf_Export");
    uno::Reference<frame::XStorable>(document, uno::UNO_QUERY_THROW)->storeToURL(fileUrl(pdfPath), store);
}

}  // namespace

struct StatementExporter::Run {
    uno::Reference<uno::XComponentContext> context;
    uno::WeakReference<frame::XFrame> frame;
    Language language = Language::English;
    StatementExportRequest request;
    std::string teamText;
    OUString templateUrl;
    std::string folder;     // where the PDFs go
    std::string scratch;    // the private folder they are written to first
    std::vector<kpi::Statement> statements;
    std::vector<std::string> files;  // written into scratch, by statement
    int leftOut = 0;
    std::size_t next = 0;
    uno::Reference<task::XStatusIndicator> indicator;
    Done done;
};

StatementExporter& StatementExporter::instance() {
    // Never destroyed: static destructors run after UNO is gone.
    static StatementExporter* const exporter = new StatementExporter;
    return *exporter;
}

bool StatementExporter::exportStatements(const uno::Reference<uno::XComponentContext>& context,
                                         const uno::Reference<frame::XFrame>& frame,
                                         const uno::Reference<frame::XModel>& document,
                                         const uno::Sequence<beans::PropertyValue>& arguments, Done done) {
    const StatementExportTexts& t = statementExportTexts();
    const Language language = officeLanguage(context);
    const auto refuse = [&](const std::string& why) {
        done({false, false, in(t.cannot, language) + why});
        return false;
    };
    if (busy_) return refuse(in(t.running, language));
    auto& sessions = StoreSessions::instance();
    const StoreLocation location =
        sessions.locate(context, uno::Reference<beans::XPropertySet>(document, uno::UNO_QUERY));
    if (!location.problem.empty()) return refuse(location.problem);
    const auto session = sessions.sessionFor(context, location);
    if (!session) return refuse(in(t.shuttingDown, language));
    std::vector<kpi::EmployeeInfo> employees;
    if (!session->tryQuery([&](kpi::Engine& engine) { employees = engine.employees(); })) {
        // A store that cannot be read says why (missing, locked, not a store).
        const EngineHost::Status status = session->hostStatus();
        if (status.state == EngineHost::State::Unavailable && !status.problem.empty())
            return refuse(location.path.string() + ": " + status.problem);
        return refuse(in(t.notLoaded, language));
    }

    const kpi::Day today = kpi::today();
    const StatementExportChoices choices = statementExportChoices(employees, today, language);
    const std::string beside = besideFolder(context, document);
    bool teamGiven = false, periodGiven = false, folderGiven = false;
    const std::string teamArgument = argument(arguments, "Team", teamGiven);
    const std::string periodArgument = argument(arguments, "Period", periodGiven);
    const std::string folderArgument = argument(arguments, "Folder", folderGiven);

    std::optional<StatementExportRequest> request;
    if (teamGiven || periodGiven || folderGiven) {
        // From a macro: no dialog; what is not given takes the dialog's default.
        const std::string periodText = periodArgument.empty() ? "last_month" : periodArgument;
        const auto period = statementPeriod(periodText, today);
        if (!period) return refuse("'" + periodText + "' " + in(t.notAPayPeriod, language));
        const std::string team = teamArgument.empty() ? documentManager(document, choices) : teamArgument;
        bool known = team == "*";
        for (const auto& e : employees) known = known || e.code == team;
        if (!known) return refuse(in(t.unknownTeam, language) + " '" + team + "'");
        const std::string folder =
            folderArgument.empty() ? defaultStatementFolder(beside, *period, language) : folderArgument;
        request = StatementExportRequest{team, *period, folder};
    } else {
        DialogDefaults defaults;
        const std::string manager = documentManager(document, choices);
        for (std::size_t i = 0; i < choices.teams.size(); ++i)
            if (choices.teams[i].value == manager) defaults.team = static_cast<int>(i);
        defaults.period = choices.periods.front().label;  // last month
        defaults.folder = defaultStatementFolder(beside, *statementPeriod("last_month", today), language);
        uno::Reference<awt::XDialogEventHandler> driver;
        for (const auto& value : arguments)
            if (value.Name == "DialogDriver") value.Value >>= driver;
        const rtl::Reference<ExportDialogHandler> handler(
            new ExportDialogHandler(choices, std::move(defaults), today, language));
        runExtensionDialog(
            context, frame.is() ? frame->getContainerWindow() : nullptr, "ExportStatements", handler.get(),
            [&](const uno::Reference<awt::XDialog>& d) { handler->fill(d); },
            [&] { return handler->accepted().has_value(); }, driver);
        request = handler->accepted();
        if (!request) {
            done({true, true, in(t.cancelled, language)});
            return false;
        }
    }

    auto run = std::make_shared<Run>();
    run->context = context;
    run->frame = frame;
    run->language = language;
    run->request = *request;
    run->request.folder = pathOf(request->folder, beside);
    run->folder = run->request.folder;
    run->teamText = in(t.everyone, language);
    if (run->request.team != "*")
        for (const auto& e : employees)
            if (e.code == run->request.team) run->teamText = in(t.teamOf, language) + " " + e.code + " " + e.name;
    const OUString packageUrl =
        deployment::PackageInformationProvider::get(context)->getPackageLocation(kExtensionId);
    run->templateUrl = packageUrl + "/statements/statement-" +
                       (language == Language::Vietnamese ? OUString("vi") : OUString("en")) + ".fods";
    const std::string templatePath = systemPath(run->templateUrl);
    run->done = std::move(done);

    busy_ = true;
    const auto started = job_.start(context, [this, run, session, templatePath] {
        const StatementExportTexts& t = statementExportTexts();
        const Language language = run->language;
        std::string problem;
        try {
            if (templatePath.empty() || !fs::exists(templatePath))
                problem = format(t.noTemplate, language, templatePath.empty() ? toUtf8(run->templateUrl) : templatePath);
            if (problem.empty() &&
                !session->queryInBackground(
                    [&](kpi::Engine& engine) {
                        for (const std::string& code : statementTeam(engine, run->request.team)) {
                            kpi::Statement statement = engine.statement(code, run->request.period);
                            if (hasRewardLines(statement)) run->statements.push_back(std::move(statement));
                            else ++run->leftOut;
                        }
                    },
                    [this] { return job_.shuttingDown(); }))
                problem = in(t.notLoaded, language);
            const std::string period = kpi::formatPeriod(run->request.period);
            if (problem.empty() && run->statements.empty())
                problem = format(t.noPlans, language, run->teamText, period);
            if (problem.empty())
                if (const std::string why = checkFolder(run->folder); !why.empty())
                    problem = format(t.folderUnwritable, language, run->folder, why);
            if (problem.empty()) {
                std::string pattern = (fs::temp_directory_path() / "saleskpi-statements-XXXXXX").string();
                if (!::mkdtemp(pattern.data()))
                    problem = format(t.folderUnwritable, language, fs::temp_directory_path().string(),
                                     std::error_code(errno, std::generic_category()).message());
                else run->scratch = pattern;
            }
        } catch (const std::exception& error) {
            problem = error.what();
        }
        const bool posted = postToMainThread(run->context, [this, run, problem] {
            job_.done();
            if (!problem.empty()) return finish(run, problem);
            renderNext(run);
        });
        if (!posted) job_.done();
    });
    if (started != BackgroundJob::Start::Started) {
        busy_ = false;
        const Done failed = std::move(run->done);
        failed({false, false,
                in(t.cannot, language) +
                    in(started == BackgroundJob::Start::ShuttingDown ? t.shuttingDown : t.running, language)});
        return false;
    }
    return true;
}

// Main thread: one statement per turn of the event loop.
void StatementExporter::renderNext(const std::shared_ptr<Run>& run) {
    const StatementExportTexts& t = statementExportTexts();
    try {
        if (run->next == 0) {
            const uno::Reference<task::XStatusIndicatorFactory> factory(uno::Reference<frame::XFrame>(run->frame),
                                                                        uno::UNO_QUERY);
            if (factory.is()) run->indicator = factory->createStatusIndicator();
            if (run->indicator.is())
                run->indicator->start(toOUString(in(t.progress, run->language)),
                                      static_cast<sal_Int32>(run->statements.size()));
        }
        if (run->next < run->statements.size()) {
            const kpi::Statement& statement = run->statements[run->next];
            const std::string file = statementFileName(statement);
            renderStatement(run->context, run->templateUrl, layoutStatement(statement, run->language, localNow()),
                            (fs::path(run->scratch) / file).string());
            run->files.push_back(file);
            ++run->next;
            if (run->indicator.is()) run->indicator->setValue(static_cast<sal_Int32>(run->next));
        }
        if (run->next < run->statements.size()) {
            if (!postToMainThread(run->context, [this, run] { renderNext(run); }))
                finish(run, in(t.shuttingDown, run->language));
            return;
        }
    } catch (const uno::Exception& error) {
        return finish(run, toUtf8(error.Message));
    } catch (const std::exception& error) {
        return finish(run, error.what());
    }
    // Every PDF written: a worker moves them into the folder.
    const auto started = job_.start(run->context, [this, run] {
        std::string problem;
        for (const std::string& file : run->files) {
            const std::string why = moveFile(fs::path(run->scratch) / file, fs::path(run->folder) / file);
            if (!why.empty() && problem.empty())
                problem = format(statementExportTexts().folderUnwritable, run->language, run->folder, why);
        }
        std::error_code ignored;
        fs::remove_all(run->scratch, ignored);
        run->scratch.clear();
        const bool posted = postToMainThread(run->context, [this, run, problem] {
            job_.done();
            finish(run, problem);
        });
        if (!posted) job_.done();
    });
    if (started != BackgroundJob::Start::Started) finish(run, in(t.shuttingDown, run->language));
}

// Main thread: the outcome told, the progress indicator ended.
void StatementExporter::finish(const std::shared_ptr<Run>& run, std::string problem) {
    const StatementExportTexts& t = statementExportTexts();
    try {
        if (run->indicator.is()) run->indicator->end();
    } catch (...) {
    }
    run->indicator.clear();
    if (!run->scratch.empty()) {
        std::error_code ignored;
        fs::remove_all(run->scratch, ignored);  // a private folder on the local temporary file system
    }
    busy_ = false;
    StatementExportOutcome outcome;
    if (!problem.empty()) {
        outcome = {false, false, in(t.cannot, run->language) + problem};
    } else {
        outcome.success = true;
        outcome.message = format(t.exported, run->language, std::to_string(run->files.size()), run->teamText,
                                 kpi::formatPeriod(run->request.period), run->folder);
        if (run->leftOut > 0) outcome.message += " " + format(t.leftOut, run->language, std::to_string(run->leftOut));
    }
    const Done done = std::move(run->done);
    if (done) done(outcome);
}

}  // namespace saleskpi::addin
