// Target-health report sheets (kind target_health, target_health_report.hpp)
// in Calc. Their content reads the store's orders and visits, which must never
// happen on the office's main thread: it is computed on a thread of its own,
// with the engine of the document's store session (queryInBackground), and
// kept until that engine's data change (its change counter) or the day does.
//
// The report writer (report_documents) asks for the table on the main thread
// and gets the last one computed — or, the first time, a title saying the
// sheet is being computed. When a newer table is ready, the document's report
// sheets are written again (on the main thread).
//
// Threads: table() on the main thread; the worker is joined when the office
// terminates.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <com/sun/star/frame/XModel.hpp>
#include <com/sun/star/uno/XComponentContext.hpp>
#include <cppuhelper/weakref.hxx>

#include "report_sheets.hpp"
#include "sidebar_worker.hpp"

namespace saleskpi::addin {

class StoreSession;

class TargetHealthSheets {
public:
    static TargetHealthSheets& instance();

    // Main thread. The table to show for `report` (its cells already read)
    // of `document`, whose store session is `session` and whose engine's change
    // counter is now `dataVersion`.
    ReportTable table(const css::uno::Reference<css::uno::XComponentContext>& context,
                      const std::shared_ptr<StoreSession>& session,
                      const css::uno::Reference<css::frame::XModel>& document, const ReportDefinition& report,
                      kpi::Day today, Language language, long long dataVersion);

private:
    TargetHealthSheets() = default;
    struct Entry {
        std::weak_ptr<StoreSession> session;
        ReportDefinition report;
        kpi::Day today = 0;
        Language language = Language::English;
        std::optional<ReportTable> table;
        long long version = -1;
        bool queued = false;
        // The documents to write again when the table is ready.
        std::vector<css::uno::WeakReference<css::frame::XModel>> waiting;
    };
    void compute(const SidebarWorker::Cancelled& cancelled);
    void shutdown();

    std::mutex mutex_;  // entries_
    std::map<std::string, Entry> entries_;
    css::uno::Reference<css::uno::XComponentContext> context_;
    std::unique_ptr<SidebarWorker> worker_;
    bool shutDown_ = false;
};

}  // namespace saleskpi::addin
