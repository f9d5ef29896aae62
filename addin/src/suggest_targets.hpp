// SalesKPI ▸ Suggest targets… (org.saleskpi.commands:SuggestTargets): asks
// for a period and the employees (dialogs/SuggestTargets.xdl, in English or
// Vietnamese), computes their recommended targets on a thread of its own from
// the document's store session (kpi::recommendTargets, from the figures in
// memory), then writes them into the Targets sheet on the main thread
// (target_suggestions.hpp: new rows for targets the sheet lacks, the review
// columns for every row suggested, targets already typed kept) as one step of
// Edit ▸ Undo. The admin reviews, edits and publishes with Publish targets.
//
// From a macro, the arguments Period (next_month, this_month, next_quarter,
// next_week or a period) and Scope (an employee code, * for everyone) skip the
// dialog; DialogDriver stands in for the user as for Add report sheet.
//
// Threads: suggest() on the main thread; one suggestion at a time on a
// BackgroundJob.
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

struct SuggestOutcome {
    bool success = false;
    bool cancelled = false;  // the user cancelled the dialog
    std::string message;
};

class TargetSuggester {
public:
    using Done = std::function<void(const SuggestOutcome&)>;
    static TargetSuggester& instance();

    // Main thread. `done` runs on the main thread with the outcome: before
    // suggest() returns false when nothing was started (cancelled, no store,
    // no Targets sheet, a suggestion already running); once the sheet is
    // written when it returns true.
    bool suggest(const css::uno::Reference<css::uno::XComponentContext>& context,
                 const css::uno::Reference<css::frame::XFrame>& frame,
                 const css::uno::Reference<css::frame::XModel>& document,
                 const css::uno::Sequence<css::beans::PropertyValue>& arguments, Done done);

private:
    TargetSuggester() = default;

    BackgroundJob job_;
};

}  // namespace saleskpi::addin
