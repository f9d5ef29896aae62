// Publishes a document's Targets sheet to its store (SPEC §8): the sheet is
// read on the main thread, imported as targets.csv on a worker thread (the
// import's own validation and audit, all-or-nothing; see targets_sheet.hpp),
// and the outcome comes back on the main thread, where the store's session is
// asked to check the store at once so that the figures follow.
//
// The audit history records the user of the office: "given name surname" from
// Tools ▸ Options ▸ LibreOffice ▸ User Data, else the login name.
//
// Threads: publish() on the main thread; one publication at a time; the worker
// is joined when the office terminates — or, when it is stuck on a store whose
// file system does not answer, left behind after 2 s (this object is never
// destroyed, so what it touches stays valid) rather than keep the office from
// quitting.
#pragma once

#include <functional>
#include <vector>

#include <com/sun/star/frame/XModel.hpp>
#include <com/sun/star/uno/XComponentContext.hpp>

#include "background_job.hpp"
#include "targets_sheet.hpp"

namespace saleskpi::addin {

class TargetsPublisher {
public:
    using Done = std::function<void(const TargetsPublication&)>;

    static TargetsPublisher& instance();

    // Main thread. `done` runs on the main thread with the outcome: before
    // publish() returns false when nothing could be started (no Targets sheet,
    // no store, a publication already running); once the import has finished
    // when it returns true.
    bool publish(const css::uno::Reference<css::uno::XComponentContext>& context,
                 const css::uno::Reference<css::frame::XModel>& document, Done done);

private:
    TargetsPublisher() = default;

    BackgroundJob job_;
};

// Main thread. The used area of the document's Targets sheet as cells, row 1
// first; date cells (a value shown with a date or time format) are marked as
// such. Throws std::runtime_error when the document has no Targets sheet,
// uno::Exception when it cannot be read.
std::vector<std::vector<SheetCell>> readTargetsCells(const css::uno::Reference<css::frame::XModel>& document);

// The name the office's user gave (User Data), else the login name.
std::string officeUserName(const css::uno::Reference<css::uno::XComponentContext>& context);

}  // namespace saleskpi::addin
