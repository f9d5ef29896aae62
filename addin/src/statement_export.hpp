// SalesKPI ▸ Export statements… (org.saleskpi.commands:ExportStatements):
// one PDF per person of a team for a pay period, each from the statement
// template the extension ships (statements/statement-<language>.fods in the
// package, templates/generate_statement_templates.py), filled with the
// engine's statement (kpi::Engine::statement — the same figures as `kpi
// statement`) and written by LibreOffice's own PDF export (calc_pdf_Export),
// in the office's UI language.
//
// The dialog (dialogs/ExportStatements.xdl) asks for the team (a manager;
// default: the team chosen in the window's sidebar (team_choice.hpp), else the
// document's named cell Manager when it names one, else everyone), the pay period (default: last month) and the folder (default:
// "Statements <period>" / "Phiếu thưởng <period>" next to the document, or in
// the user's documents folder for a document never saved). From a macro, any
// of the arguments Team, Period (last_month, this_month, last_quarter,
// this_quarter, last_year or a MONTH/QUARTER/YEAR) and Folder (a path or a
// file URL) skips the dialog; DialogDriver stands in for the user.
//
// Who gets a statement: the manager and everyone below them (everyone for
// "*") with a reward plan in the period or an adjustment due; the others are
// counted in the outcome. File names: statementFileName() (statement_layout.hpp).
//
// Threads and I/O. The statements are computed on a worker thread from the
// store session's engine (queryInBackground: the figures in memory, no
// database connection of its own); the worker also creates the folder and
// proves it writable. The documents are filled and exported on the main
// thread (they are office models), one per turn of the event loop with the
// status bar's progress indicator moving, into a private folder under the
// system's temporary directory; a second worker moves the PDFs into the
// chosen folder, so a folder on a network share that stops answering never
// holds the main thread. Errors — no store, figures not loaded, not a pay
// period, no plan for anyone of the team, a folder that cannot be written —
// end the export with a message naming what is wrong, in the UI language.
#pragma once

#include <functional>
#include <string>

#include <com/sun/star/beans/PropertyValue.hpp>
#include <com/sun/star/frame/XFrame.hpp>
#include <com/sun/star/frame/XModel.hpp>
#include <com/sun/star/uno/Sequence.hxx>
#include <com/sun/star/uno/XComponentContext.hpp>

#include "background_job.hpp"

namespace saleskpi::addin {

struct StatementExportOutcome {
    bool success = false;
    bool cancelled = false;  // the user cancelled the dialog
    std::string message;
};

class StatementExporter {
public:
    using Done = std::function<void(const StatementExportOutcome&)>;
    static StatementExporter& instance();

    // Main thread. `done` runs on the main thread with the outcome: before
    // this returns false when nothing was started (cancelled, no store,
    // figures not loaded, a bad argument, an export still running); once the
    // PDFs are in the folder (or the export failed) when it returns true.
    bool exportStatements(const css::uno::Reference<css::uno::XComponentContext>& context,
                          const css::uno::Reference<css::frame::XFrame>& frame,
                          const css::uno::Reference<css::frame::XModel>& document,
                          const css::uno::Sequence<css::beans::PropertyValue>& arguments, Done done);

private:
    StatementExporter() = default;
    struct Run;
    void renderNext(const std::shared_ptr<Run>& run);
    void finish(const std::shared_ptr<Run>& run, std::string problem);

    BackgroundJob job_;
    bool busy_ = false;  // main thread only: an export between its start and its outcome
};

}  // namespace saleskpi::addin
