#include "commands.hpp"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <com/sun/star/awt/MessageBoxButtons.hpp>
#include <com/sun/star/awt/MessageBoxType.hpp>
#include <com/sun/star/awt/XDialogEventHandler.hpp>
#include <com/sun/star/awt/Toolkit.hpp>
#include <com/sun/star/awt/XMessageBox.hpp>
#include <com/sun/star/awt/XToolkit2.hpp>
#include <com/sun/star/awt/XWindow2.hpp>
#include <com/sun/star/awt/XWindowPeer.hpp>
#include <com/sun/star/beans/PropertyValue.hpp>
#include <com/sun/star/beans/XPropertySet.hpp>
#include <com/sun/star/container/XNamed.hpp>
#include <com/sun/star/frame/DispatchResultEvent.hpp>
#include <com/sun/star/frame/DispatchResultState.hpp>
#include <com/sun/star/frame/FeatureStateEvent.hpp>
#include <com/sun/star/frame/XController.hpp>
#include <com/sun/star/frame/XDispatchResultListener.hpp>
#include <com/sun/star/frame/XModel.hpp>
#include <com/sun/star/frame/XStatusListener.hpp>
#include <com/sun/star/sheet/XSpreadsheetDocument.hpp>
#include <com/sun/star/sheet/XSpreadsheetView.hpp>
#include <com/sun/star/uno/Sequence.hxx>

#include "component_entry.hpp"
#include "main_thread.hpp"
#include "office_language.hpp"
#include "report_documents.hpp"
#include "report_sheet_dialog.hpp"
#include "report_sheets.hpp"
#include "statement_export.hpp"
#include "store_session.hpp"
#include "store_sessions.hpp"
#include "suggest_targets.hpp"
#include "targets_publisher.hpp"

using namespace css;

namespace saleskpi::addin {
namespace {

constexpr std::string_view kProtocol = "org.saleskpi.commands:";

enum class Command { RefreshNow, AddReportSheet, EditReportSheet, SuggestTargets, PublishTargets, ExportStatements };

std::optional<Command> commandOf(const util::URL& url) {
    std::string path;
    if (!url.Protocol.isEmpty()) {
        if (toUtf8(url.Protocol) != kProtocol) return std::nullopt;
        path = toUtf8(url.Path);
    } else {
        // An unparsed URL (a client that filled in Complete only).
        const std::string complete = toUtf8(url.Complete);
        if (complete.rfind(kProtocol, 0) != 0) return std::nullopt;
        path = complete.substr(kProtocol.size(), complete.find('?') - kProtocol.size());
    }
    if (path == "RefreshNow") return Command::RefreshNow;
    if (path == "AddReportSheet") return Command::AddReportSheet;
    if (path == "EditReportSheet") return Command::EditReportSheet;
    if (path == "PublishTargets") return Command::PublishTargets;
    if (path == "SuggestTargets") return Command::SuggestTargets;
    if (path == "ExportStatements") return Command::ExportStatements;
    return std::nullopt;
}

struct Outcome {
    bool success = false;
    std::string message;
    bool cancelled = false;  // the user cancelled a dialog: no message box, State DONTKNOW
};

std::string argument(const uno::Sequence<beans::PropertyValue>& arguments, const char* name) {
    for (const auto& value : arguments) {
        OUString text;
        if (value.Name.equalsAscii(name) && (value.Value >>= text)) return toUtf8(text.trim());
    }
    return {};
}

Outcome refreshNow(const uno::Reference<uno::XComponentContext>& context,
                   const uno::Reference<frame::XModel>& document) {
    auto& sessions = StoreSessions::instance();
    const StoreLocation location =
        sessions.locate(context, uno::Reference<beans::XPropertySet>(document, uno::UNO_QUERY));
    if (!location.problem.empty()) return {false, "Cannot refresh: " + location.problem};
    const auto session = sessions.sessionFor(context, location);
    if (!session) return {false, "Cannot refresh: the office is shutting down"};
    session->refreshNow();
    // Report sheets the user changed by hand are written again too.
    ReportDocuments::instance().writeNow(context, document);
    return {true, "Checking " + location.path.string() + " for changes now."};
}

// What the report sheet dialog offers, from the figures in memory (never the
// store's file: the dialog opens on the main thread). nullopt and `problem`
// when they are not loaded.
std::optional<ReportSheetChoices> dialogChoices(const uno::Reference<uno::XComponentContext>& context,
                                                const uno::Reference<frame::XModel>& document, Language language,
                                                std::string& problem) {
    const StoreLocation location =
        StoreSessions::instance().locate(context, uno::Reference<beans::XPropertySet>(document, uno::UNO_QUERY));
    if (!location.problem.empty()) {
        problem = location.problem;
        return std::nullopt;
    }
    const auto session = StoreSessions::instance().sessionFor(context, location);
    std::optional<ReportSheetChoices> choices;
    const bool answered = session && session->tryQuery([&](kpi::Engine& engine) {
        choices = reportSheetChoices(engine.employees(), engine.kpis(), language);
    });
    if (!answered) problem = "the store's figures are not loaded yet (try again in a moment)";
    return choices;
}

// Add report sheet… (no arguments) and Edit report sheet…: the dialog, then
// the definition written into the document and the sheet written.
Outcome reportSheetDialog(const uno::Reference<uno::XComponentContext>& context,
                          const uno::Reference<frame::XFrame>& frame, const uno::Reference<frame::XModel>& document,
                          const uno::Sequence<beans::PropertyValue>& arguments, bool editing) {
    const std::string what = editing ? "Cannot edit the report sheet: " : "Cannot add a report sheet: ";
    const std::string current = reportDefinitionsOf(document).value_or("");
    const ReportDefinitions existing = parseReportDefinitions(current);
    const auto sheets = uno::Reference<sheet::XSpreadsheetDocument>(document, uno::UNO_QUERY_THROW)->getSheets();

    ReportSheetDialogRequest request;
    request.language = officeLanguage(context);
    request.today = kpi::today();
    for (const auto& name : sheets->getElementNames()) request.place.documentSheets.insert(toUtf8(name));
    for (const auto& report : existing.reports) request.place.reportSheets.insert(report.sheet);

    std::optional<ReportDefinition> edited;
    if (editing) {
        const uno::Reference<sheet::XSpreadsheetView> view(document->getCurrentController(), uno::UNO_QUERY);
        const uno::Reference<container::XNamed> active(view.is() ? view->getActiveSheet() : nullptr, uno::UNO_QUERY);
        const std::string name = active.is() ? toUtf8(active->getName()) : std::string();
        for (const auto& report : existing.reports)
            if (report.sheet == name) edited = report;
        if (!edited)
            return {false, what + "the active sheet '" + name +
                               "' is not a report sheet (its name is not in the document's SalesKPI.Reports)"};
        request.place.editing = edited->sheet;
    }

    std::string problem;
    auto choices = dialogChoices(context, document, request.language, problem);
    if (!choices) return {false, what + problem};
    request.choices = edited ? withCellsOf(std::move(*choices), *edited, request.language) : std::move(*choices);
    if (edited) {
        request.shown = entryOf(*edited, request.choices);
    } else {
        // A new sheet: KPI attainment this month for everyone and every KPI,
        // named after the kind (with a number when taken).
        ReportSheetEntry shown;
        const std::string base(reportKindTitle(ReportKind::Attainment, documentLanguage(document)));
        shown.sheet = base;
        for (int number = 2; request.place.documentSheets.count(shown.sheet) ||
                             request.place.reportSheets.count(shown.sheet);
             ++number)
            shown.sheet = base + " " + std::to_string(number);
        shown.kind = 1;
        shown.period = request.choices.periods.at(2).label;  // this month
        shown.scope = 0;                                    // everyone
        for (std::size_t i = 0; i < request.choices.kpis.size(); ++i) shown.kpis.push_back(static_cast<int>(i));
        request.shown = shown;
    }

    uno::Reference<awt::XDialogEventHandler> driver;
    for (const auto& value : arguments)
        if (value.Name == "DialogDriver") value.Value >>= driver;
    const auto accepted = runReportSheetDialog(context, frame->getContainerWindow(), request, driver);
    if (!accepted) return {true, editing ? "The report sheet was not changed." : "No report sheet was added.", true};

    setReportDefinitions(document, withReportDefinition(current, *accepted));
    const std::string written = ReportDocuments::instance().writeNow(context, document);
    std::string message = (editing ? "Changed the report sheet " : "Added the report sheet ") +
                          formatReportDefinition(*accepted) + ".";
    if (!written.empty()) message += " Not written yet: " + written + ".";
    return {true, message};
}

bool hasDefinitionArguments(const uno::Sequence<beans::PropertyValue>& arguments) {
    for (const char* name : {"Sheet", "Kind", "Period", "Scope", "Kpis"})
        for (const auto& value : arguments)
            if (value.Name.equalsAscii(name)) return true;
    return false;
}

Outcome addReportSheet(const uno::Reference<uno::XComponentContext>& context,
                       const uno::Reference<frame::XModel>& document,
                       const uno::Sequence<beans::PropertyValue>& arguments) {
    const std::string current = reportDefinitionsOf(document).value_or("");
    const ReportDefinitions existing = parseReportDefinitions(current);

    ReportDefinition report;
    const std::string kind = argument(arguments, "Kind");
    const auto parsedKind = parseReportKind(kind.empty() ? "attainment" : kind);
    if (!parsedKind) return {false, "Unknown report kind '" + kind + "' (daily_sales, attainment, ranking, employees, target_health)"};
    report.kind = *parsedKind;
    report.period = argument(arguments, "Period");
    if (report.period.empty()) report.period = "this_month";
    report.scope = argument(arguments, "Scope");
    if (report.scope.empty()) report.scope = "*";
    report.kpis = parseKpiCodes(argument(arguments, "Kpis"));
    const bool needsKpis = report.kind == ReportKind::DailySales || report.kind == ReportKind::Attainment;
    if (needsKpis && report.kpis.empty()) {
        // Every KPI of the store, from the figures in memory.
        const StoreLocation location =
            StoreSessions::instance().locate(context, uno::Reference<beans::XPropertySet>(document, uno::UNO_QUERY));
        if (!location.problem.empty()) return {false, "Cannot add a report sheet: " + location.problem};
        const auto session = StoreSessions::instance().sessionFor(context, location);
        const bool answered = session && session->tryQuery([&](kpi::Engine& engine) {
            for (const auto& info : engine.kpis()) report.kpis.push_back(info.code);
        });
        if (!answered)
            return {false, "Cannot add a report sheet yet: the store's figures are not loaded (try again in a moment)"};
        if (report.kpis.empty()) return {false, "Cannot add a report sheet: the store defines no KPI"};
    }

    report.sheet = argument(arguments, "Sheet");
    if (report.sheet.empty()) {
        // A new name: neither a report's nor one of the user's sheets.
        const std::string base(reportKindTitle(report.kind, documentLanguage(document)));
        const auto sheets = uno::Reference<sheet::XSpreadsheetDocument>(document, uno::UNO_QUERY_THROW)->getSheets();
        const auto taken = [&](const std::string& candidate) {
            if (sheets->hasByName(toOUString(candidate))) return true;
            for (const auto& defined : existing.reports)
                if (defined.sheet == candidate) return true;
            return false;
        };
        report.sheet = base;
        for (int number = 2; taken(report.sheet); ++number) report.sheet = base + " " + std::to_string(number);
    }
    for (const std::string* field : {&report.sheet, &report.period, &report.scope})
        if (field->find_first_of("|\n\r") != std::string::npos)
            return {false, "A report field cannot hold '|' or a line break: '" + *field + "'"};

    setReportDefinitions(document, withReportDefinition(current, report));

    const std::string problem = ReportDocuments::instance().writeNow(context, document);
    std::string message = "Added the report sheet " + formatReportDefinition(report) + ".";
    if (!problem.empty()) message += " Not written yet: " + problem + ".";
    return {true, message};
}

// Tells the caller how a command went: the listener of dispatchWithNotification
// first, then, when the document's window is visible, a message box (modal:
// it must not hold the listener up).
void reply(const uno::Reference<uno::XComponentContext>& context, const uno::Reference<frame::XFrame>& frame,
           const uno::Reference<frame::XDispatchResultListener>& listener,
           const uno::Reference<uno::XInterface>& source, const Outcome& outcome, bool showSuccess) {
    if (listener.is()) {
        try {
            const sal_Int16 state = outcome.cancelled  ? frame::DispatchResultState::DONTKNOW
                                    : outcome.success ? frame::DispatchResultState::SUCCESS
                                                      : frame::DispatchResultState::FAILURE;
            listener->dispatchFinished(
                frame::DispatchResultEvent(source, state, uno::Any(toOUString(outcome.message))));
        } catch (...) {
            // A listener gone away (a client disconnected) changes nothing.
        }
    }
    if (outcome.cancelled || (outcome.success && !showSuccess)) return;
    try {
        const uno::Reference<awt::XWindow> window = frame.is() ? frame->getContainerWindow() : nullptr;
        const uno::Reference<awt::XWindow2> shown(window, uno::UNO_QUERY);
        if (!shown.is() || !shown->isVisible()) return;  // hidden or headless: no one to see a box
        const uno::Reference<awt::XMessageBox> box = awt::Toolkit::create(context)->createMessageBox(
            uno::Reference<awt::XWindowPeer>(window, uno::UNO_QUERY),
            outcome.success ? awt::MessageBoxType_INFOBOX : awt::MessageBoxType_ERRORBOX,
            awt::MessageBoxButtons::BUTTONS_OK, "SalesKPI", toOUString(outcome.message));
        box->execute();
    } catch (...) {
        // The listener has the outcome already.
    }
}

}  // namespace

Commands::Commands(uno::Reference<uno::XComponentContext> context) : context_(std::move(context)) {}

void SAL_CALL Commands::initialize(const uno::Sequence<uno::Any>& arguments) {
    try {
        for (const auto& argument : arguments) {
            uno::Reference<frame::XFrame> frame;
            if (argument >>= frame) frame_ = frame;
        }
    } catch (...) {
        // Without a frame every command says so.
    }
}

uno::Reference<frame::XDispatch> SAL_CALL Commands::queryDispatch(const util::URL& url, const OUString&, sal_Int32) {
    try {
        if (commandOf(url)) return this;
    } catch (...) {
    }
    return nullptr;
}

uno::Sequence<uno::Reference<frame::XDispatch>> SAL_CALL
Commands::queryDispatches(const uno::Sequence<frame::DispatchDescriptor>& requests) {
    try {
        uno::Sequence<uno::Reference<frame::XDispatch>> dispatches(requests.getLength());
        for (sal_Int32 i = 0; i < requests.getLength(); ++i)
            dispatches.getArray()[i] =
                queryDispatch(requests[i].FeatureURL, requests[i].FrameName, requests[i].SearchFlags);
        return dispatches;
    } catch (...) {
        return {};
    }
}

void SAL_CALL Commands::dispatch(const util::URL& url, const uno::Sequence<beans::PropertyValue>& arguments) {
    dispatchWithNotification(url, arguments, nullptr);
}

void SAL_CALL Commands::dispatchWithNotification(const util::URL& url,
                                                 const uno::Sequence<beans::PropertyValue>& arguments,
                                                 const uno::Reference<frame::XDispatchResultListener>& listener) {
    try {
        const auto command = commandOf(url);
        const uno::Reference<uno::XInterface> source(static_cast<cppu::OWeakObject*>(this));
        const auto context = context_;
        const uno::WeakReference<frame::XFrame> weakFrame = frame_;
        // A caller on the main thread (a menu, a Basic macro through
        // DispatchHelper, which then waits for the outcome) is served at once;
        // any other thread (a remote client) through the main thread's queue.
        const bool callerOnMainThread = onMainThread();
        const auto task = [context, weakFrame, listener, source, command, arguments, callerOnMainThread] {
            const uno::Reference<frame::XFrame> frame(weakFrame);
            const auto answer = [&](const Outcome& outcome, bool showSuccess) {
                reply(context, frame, listener, source, outcome, showSuccess);
            };
            // A command computed in the background (suggest_targets.hpp,
            // statement_export.hpp): start(done) starts it and calls done with
            // its outcome, which comes in a message box; like Publish targets,
            // a caller waiting on the main thread hears at once that it started.
            const auto inBackground = [&](const auto& start, const char* startedMessage) {
                auto waiting = std::make_shared<uno::Reference<frame::XDispatchResultListener>>(listener);
                const bool started = start([context, weakFrame, waiting, source](const auto& done) {
                    reply(context, uno::Reference<frame::XFrame>(weakFrame), *waiting, source,
                          {done.success, done.message, done.cancelled}, true);
                });
                if (started && callerOnMainThread) {
                    const auto caller = *waiting;
                    waiting->clear();
                    reply(context, frame, caller, source, {true, startedMessage}, false);
                }
            };
            try {
                const uno::Reference<frame::XController> controller = frame.is() ? frame->getController() : nullptr;
                const uno::Reference<frame::XModel> document = controller.is() ? controller->getModel() : nullptr;
                if (!command) return answer({false, "Unknown SalesKPI command"}, false);
                if (!uno::Reference<sheet::XSpreadsheetDocument>(document, uno::UNO_QUERY).is())
                    return answer({false, "SalesKPI commands work on a spreadsheet"}, false);
                switch (*command) {
                    case Command::RefreshNow: return answer(refreshNow(context, document), false);
                    case Command::AddReportSheet:
                        // From a macro with a definition's fields: no dialog.
                        if (hasDefinitionArguments(arguments))
                            return answer(addReportSheet(context, document, arguments), false);
                        return answer(reportSheetDialog(context, frame, document, arguments, false), false);
                    case Command::EditReportSheet:
                        return answer(reportSheetDialog(context, frame, document, arguments, true), false);
                    case Command::SuggestTargets:
                        return inBackground(
                            [&](auto done) {
                                return TargetSuggester::instance().suggest(context, frame, document, arguments, done);
                            },
                            "Suggesting targets in the background; the outcome follows in a message box.");
                    case Command::ExportStatements:
                        return inBackground(
                            [&](auto done) {
                                return StatementExporter::instance().exportStatements(context, frame, document,
                                                                                      arguments, done);
                            },
                            "Exporting statements in the background; the outcome follows in a message box.");
                    case Command::PublishTargets: {
                        // The outcome comes from the worker, later. A caller
                        // waiting on the main thread cannot have it: it hears
                        // that the publication started, the user sees the box.
                        auto waiting = std::make_shared<uno::Reference<frame::XDispatchResultListener>>(listener);
                        const bool started = TargetsPublisher::instance().publish(
                            context, document, [context, weakFrame, waiting, source](const TargetsPublication& done) {
                                reply(context, uno::Reference<frame::XFrame>(weakFrame), *waiting, source,
                                      {done.published, done.message}, true);
                            });
                        if (started && callerOnMainThread) {
                            const auto caller = *waiting;
                            waiting->clear();
                            reply(context, frame, caller, source,
                                  {true,
                                   "Publishing the Targets sheet in the background; the outcome follows in a "
                                   "message box."},
                                  false);
                        }
                        return;
                    }
                }
            } catch (const uno::Exception& error) {
                answer({false, "SalesKPI: " + toUtf8(error.Message)}, false);
            } catch (const std::exception& error) {
                answer({false, std::string("SalesKPI: ") + error.what()}, false);
            } catch (...) {
                answer({false, "SalesKPI: unexpected error"}, false);
            }
        };
        if (callerOnMainThread) {
            task();
        } else if (!postToMainThread(context, task) && listener.is()) {
            listener->dispatchFinished(frame::DispatchResultEvent(source, frame::DispatchResultState::FAILURE,
                                                                  uno::Any(OUString("the office is terminating"))));
        }
    } catch (...) {
        // Nothing may escape into the office.
    }
}

void SAL_CALL Commands::addStatusListener(const uno::Reference<frame::XStatusListener>& listener,
                                          const util::URL& url) {
    try {
        // Every command is always available: menus show it enabled.
        if (listener.is())
            listener->statusChanged(frame::FeatureStateEvent(static_cast<cppu::OWeakObject*>(this), url, OUString(),
                                                             commandOf(url).has_value(), false, uno::Any()));
    } catch (...) {
    }
}

void SAL_CALL Commands::removeStatusListener(const uno::Reference<frame::XStatusListener>&, const util::URL&) {}

OUString SAL_CALL Commands::getImplementationName() { return implementationNameOf<Commands>(); }

sal_Bool SAL_CALL Commands::supportsService(const OUString& serviceName) {
    return supportsServiceOf(this, serviceName);
}

uno::Sequence<OUString> SAL_CALL Commands::getSupportedServiceNames() { return serviceNamesOf<Commands>(); }

uno::Sequence<OUString> Commands::serviceNames() {
    uno::Sequence<OUString> names(2);
    names.getArray()[0] = OUString::createFromAscii(kImplementationName);  // the name ProtocolHandler.xcu uses
    names.getArray()[1] = "com.sun.star.frame.ProtocolHandler";
    return names;
}

}  // namespace saleskpi::addin
