// Keeps the report sheets of open documents current (SPEC §8).
//
// A document with the user-defined property SalesKPI.Reports is watched from
// the moment it is loaded (ReportSheetsJob, bound in Jobs.xcu to every
// spreadsheet loaded, created or saved under a new name) or a report is added
// to it. Its sheets are written as soon as its store's figures are in memory,
// and again after every refresh of that store whose figures change what a
// sheet shows: row 1 a title (kind, scope, period, data time), row 2 the
// headers, data from row 3.
//
// Writing happens on the main thread, from the engine in memory (no I/O; a
// target_health sheet's table, which reads the store, comes ready-made from
// target_health_sheets.hpp),
// with the document's undo manager locked: the user's undo and redo stacks,
// active sheet, selection, other sheets and the document's modified flag stay
// as they were. A missing sheet is appended; cells beyond the table are
// emptied (their formats stay, so a template's styles keep applying). Charts
// reading a written sheet's data rows are fitted to them (report_charts.hpp).
//
// A definition whose PERIOD or SCOPE names a cell (=$Overview.$B$4) reads that
// cell on the main thread each time its sheet is built, and the extension
// listens to the cell (util::XModifyListener): when its value changes, the
// report sheets that read it — and only those — are written again at once,
// not at the next refresh. An empty cell means the default (this month,
// everyone); a missing sheet or a cell showing an error is said in the report's
// title.
//
// Threads: everything runs on the main thread; ReportSheetsJob and the cell
// listener (called on whichever thread changed the cell) only post there.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <com/sun/star/frame/XModel.hpp>
#include <com/sun/star/lang/XServiceInfo.hpp>
#include <com/sun/star/task/XJob.hpp>
#include <com/sun/star/uno/XComponentContext.hpp>
#include <com/sun/star/util/XModifyBroadcaster.hpp>
#include <com/sun/star/util/XModifyListener.hpp>
#include <cppuhelper/implbase2.hxx>
#include <cppuhelper/weakref.hxx>

#include "report_sheets.hpp"
#include "uno_text.hpp"

namespace saleskpi::addin {

class StoreSession;

// The document's SalesKPI.Reports; nullopt when it has none.
std::optional<std::string> reportDefinitionsOf(const css::uno::Reference<css::frame::XModel>& document);
// Sets (or adds) the document's SalesKPI.Reports.
void setReportDefinitions(const css::uno::Reference<css::frame::XModel>& document, const std::string& definitions);
// The language of a document's report titles and headers: its default
// language (Tools ▸ Options ▸ Language Settings ▸ Languages ▸ Default
// languages for documents); the Vietnamese templates are in Vietnamese.
Language documentLanguage(const css::uno::Reference<css::frame::XModel>& document);

class ReportDocuments {
public:
    static ReportDocuments& instance();

    // Main thread. Keeps the document's report sheets current from now on;
    // writes them at once when its store's figures are in memory. A document
    // without SalesKPI.Reports is forgotten again.
    void watch(const css::uno::Reference<css::uno::XComponentContext>& context,
               const css::uno::Reference<css::frame::XModel>& document);
    // Main thread. Writes every report sheet of the document now, changed or
    // not. Returns "" on success, else why nothing was written (no store, the
    // figures are not loaded yet).
    std::string writeNow(const css::uno::Reference<css::uno::XComponentContext>& context,
                         const css::uno::Reference<css::frame::XModel>& document);
    // Releases every document (office termination).
    void shutdown();
    // Main thread. Whether an open document with report sheets uses the store
    // (its session must stay, to refresh them).
    bool usesStore(const std::string& storeKey);
    // Main thread. A cell some definition of the document reads has changed:
    // writes again the sheets whose cells now hold something else.
    void sourceCellsChanged(const css::uno::Reference<css::frame::XModel>& document);
    // Whether the main thread is writing report sheets now (the cell listener
    // ignores what that changes).
    bool writing() const { return writing_; }

private:
    // A definition with its cells read: what its sheet is built from, or why
    // a cell could not be read.
    struct ReadDefinition {
        ReportDefinition definition;
        std::string problem;

        bool operator==(const ReadDefinition&) const = default;
    };

    struct Book {
        Book() = default;
        Book(const Book&) = delete;
        Book& operator=(const Book&) = delete;
        ~Book();  // stops listening to the source cells

        css::uno::WeakReference<css::frame::XModel> document;
        std::map<std::string, ReportTable> written;  // by sheet: what was last written there
        std::map<std::string, ReadDefinition> read;  // by sheet: the definition its last table was built from
        // The cells definitions read, by formatCellReference(), and the one
        // listener added to each.
        std::map<std::string, css::uno::Reference<css::util::XModifyBroadcaster>> sourceCells;
        css::uno::Reference<css::util::XModifyListener> sourceListener;
        bool retryPosted = false;
        int busyRetries = 0;        // turns in a row the engine was busy
        bool forcePending = false;  // a forced write found the engine busy
        std::string storeKey;       // the store the document used at its last update
    };

    ReportDocuments() = default;
    // Locates the document's store, listens to its refreshes and writes what
    // changed (everything with `force`). Does nothing when `onlyStore` is given
    // and the document uses another store. "" or why nothing was written.
    // With `onlySheets`, only those sheets are built and written.
    std::string update(Book& book, bool force, const std::string* onlyStore,
                       const std::set<std::string>* onlySheets = nullptr);
    // The definition with the cells it names read (and listened to from now on).
    ReadDefinition readCells(Book& book, const css::uno::Reference<css::frame::XModel>& document,
                             const ReportDefinition& report);
    void refreshed(const std::string& storeKey);
    void listenTo(const std::shared_ptr<StoreSession>& session);
    Book* find(const css::uno::Reference<css::frame::XModel>& document);
    void retryLater(const css::uno::Reference<css::frame::XModel>& document);

    // Main thread only: no lock (a lock held while Calc recalculates could be
    // taken again by a nested call).
    css::uno::Reference<css::uno::XComponentContext> context_;
    std::vector<std::unique_ptr<Book>> books_;
    std::map<std::string, std::weak_ptr<StoreSession>> listening_;  // by store key
    bool shutDown_ = false;
    std::atomic<bool> writing_{false};  // read by the cell listener on any thread
};

// The job Jobs.xcu runs for every spreadsheet that is loaded, created or saved
// under a new name: it posts ReportDocuments::watch() to the main thread.
class ReportSheetsJob : public cppu::WeakImplHelper2<css::task::XJob, css::lang::XServiceInfo> {
public:
    explicit ReportSheetsJob(css::uno::Reference<css::uno::XComponentContext> context);

    css::uno::Any SAL_CALL execute(const css::uno::Sequence<css::beans::NamedValue>& arguments) override;

    OUString SAL_CALL getImplementationName() override;
    sal_Bool SAL_CALL supportsService(const OUString& serviceName) override;
    css::uno::Sequence<OUString> SAL_CALL getSupportedServiceNames() override;

    static constexpr const char* kImplementationName = "org.saleskpi.ReportSheetsJob";
    static css::uno::Sequence<OUString> serviceNames();

private:
    const css::uno::Reference<css::uno::XComponentContext> context_;
};

}  // namespace saleskpi::addin
