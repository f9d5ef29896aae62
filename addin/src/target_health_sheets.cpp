#include "target_health_sheets.hpp"

#include <utility>

#include "main_thread.hpp"
#include "report_documents.hpp"
#include "store_session.hpp"

using namespace css;

namespace saleskpi::addin {
namespace {

ReportTable computing(const ReportDefinition& report, Language language) {
    const LocalizedText text{"is being computed from the store's orders and visits; the sheet follows in a moment",
                             "đang được tính từ đơn hàng và lượt viếng thăm trong kho dữ liệu; trang sẽ hiện ra ngay"};
    ReportTable table;
    table.rows.push_back({std::string(reportKindTitle(report.kind, language)) + " (" + report.sheet + ") " +
                          std::string(text.in(language))});
    table.formats.push_back(ColumnFormat::General);
    return table;
}

}  // namespace

TargetHealthSheets& TargetHealthSheets::instance() {
    // Never destroyed: static destructors run after UNO is gone.
    static TargetHealthSheets* const sheets = new TargetHealthSheets;
    return *sheets;
}

ReportTable TargetHealthSheets::table(const uno::Reference<uno::XComponentContext>& context,
                                      const std::shared_ptr<StoreSession>& session,
                                      const uno::Reference<frame::XModel>& document, const ReportDefinition& report,
                                      kpi::Day today, Language language, long long dataVersion) {
    const std::string key = session->location().key() + "\n" + formatReportDefinition(report) + "\n" +
                            kpi::formatDay(today) + "\n" + (language == Language::Vietnamese ? "vi" : "en");
    bool start = false;
    std::optional<ReportTable> shown;
    {
        std::lock_guard lock(mutex_);
        if (shutDown_) return computing(report, language);
        Entry& entry = entries_[key];
        entry.session = session;
        entry.report = report;
        entry.today = today;
        entry.language = language;
        if (entry.table && entry.version == dataVersion) return *entry.table;
        bool known = false;
        for (const auto& weak : entry.waiting) known = known || uno::Reference<frame::XModel>(weak) == document;
        if (!known) entry.waiting.emplace_back(document);
        if (!entry.queued) {
            entry.queued = true;
            start = true;
        }
        shown = entry.table;  // the last one meanwhile, if any
        if (!worker_) {
            context_ = context;
            worker_ = std::make_unique<SidebarWorker>();
            whenOfficeTerminates(context, [] { TargetHealthSheets::instance().shutdown(); });
        }
    }
    // One job computes every sheet asked for; a newer job replaces it and
    // picks up what it left.
    if (start) worker_->submit([this](const SidebarWorker::Cancelled& cancelled) { compute(cancelled); });
    return shown ? *shown : computing(report, language);
}

void TargetHealthSheets::compute(const SidebarWorker::Cancelled& cancelled) {
    while (!cancelled()) {
        std::string key;
        Entry job;
        {
            std::lock_guard lock(mutex_);
            for (const auto& [k, entry] : entries_)
                if (entry.queued) {
                    key = k;
                    job = entry;
                    break;
                }
        }
        if (key.empty()) return;
        const auto session = job.session.lock();
        std::optional<ReportTable> table;
        long long version = -1;
        bool answered = false;
        if (session) {
            try {
                answered = session->queryInBackground(
                    [&](kpi::Engine& engine) {
                        version = engine.state().changeSeq;
                        table = buildReport(engine, job.report, job.today, job.language);
                    },
                    cancelled);
            } catch (const std::exception& error) {
                table = problemReport(job.report.sheet, error.what(), job.language);
                answered = true;
            }
        }
        if (!answered && cancelled()) return;  // the next job takes it up
        std::vector<uno::WeakReference<frame::XModel>> waiting;
        {
            std::lock_guard lock(mutex_);
            Entry& entry = entries_[key];
            entry.queued = false;
            if (table) {
                entry.table = std::move(table);
                entry.version = version;
            }
            waiting.swap(entry.waiting);
        }
        if (!answered) continue;  // no engine: the next refresh asks again
        const auto context = context_;
        postToMainThread(context, [context, waiting] {
            for (const auto& weak : waiting)
                if (const uno::Reference<frame::XModel> document(weak); document.is())
                    ReportDocuments::instance().writeNow(context, document);
        });
    }
}

void TargetHealthSheets::shutdown() {
    std::unique_ptr<SidebarWorker> worker;
    {
        std::lock_guard lock(mutex_);
        shutDown_ = true;
        worker.swap(worker_);
        entries_.clear();
        context_.clear();
    }
    if (worker) worker->stop();
}

}  // namespace saleskpi::addin
