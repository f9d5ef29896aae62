// The dialog of SalesKPI ▸ Add report sheet… and Edit report sheet…
// (dialogs/ReportSheet.xdl, labels in English or Vietnamese by the office's
// language): sheet name, kind, period (a relative one from the list or a
// fixed one typed), scope and KPIs. OK checks the entry
// (report_sheet_form.hpp); a bad entry leaves the dialog open with the problem
// shown in it, and nothing is written.
//
// Main thread only: the dialog is modal. It reads nothing from the store; its
// choices come from the figures in memory.
#pragma once

#include <optional>
#include <string>

#include <com/sun/star/awt/XDialogEventHandler.hpp>
#include <com/sun/star/awt/XWindow.hpp>
#include <com/sun/star/uno/XComponentContext.hpp>

#include "report_sheet_form.hpp"

namespace saleskpi::addin {

struct ReportSheetDialogRequest {
    ReportSheetChoices choices;
    ReportSheetPlace place;                // place.editing: the dialog edits that sheet
    std::optional<ReportSheetEntry> shown; // what the dialog shows first (editing: the definition)
    kpi::Day today = 0;
    Language language = Language::English;
};

// Shows the dialog and returns the definition the user accepted, nullopt when
// they cancelled. Throws uno::Exception when the dialog cannot be made.
//
// `driver` stands in for the user (tests, since headless offices run no modal
// dialog): instead of waiting for the user, the dialog calls
// driver->callHandlerMethod(dialog, {}, "press") — the driver fills the
// controls and returns true to press OK, false to press Cancel — until OK is
// accepted or Cancel pressed (at most 10 presses). The dialog's own OK
// handling runs for each OK.
std::optional<ReportDefinition>
runReportSheetDialog(const css::uno::Reference<css::uno::XComponentContext>& context,
                     const css::uno::Reference<css::awt::XWindow>& parent, const ReportSheetDialogRequest& request,
                     const css::uno::Reference<css::awt::XDialogEventHandler>& driver);

}  // namespace saleskpi::addin
