// The SalesKPI commands (menu SalesKPI in Calc, Addons.xcu): a protocol
// handler for the URLs org.saleskpi.commands:<Command> (ProtocolHandler.xcu).
//
//   RefreshNow      asks the document's store session to check the store now
//                   (non-blocking); the report sheets are rewritten then.
//   AddReportSheet  adds a line to SalesKPI.Reports and writes the sheet.
//                   Without arguments: the report sheet dialog
//                   (report_sheet_dialog.hpp), which offers an attainment
//                   sheet of this month for everyone and every KPI. With any
//                   of the arguments Sheet, Kind, Period, Scope, Kpis (a
//                   macro): no dialog; the others default as the dialog's.
//   EditReportSheet the same dialog for the active sheet's definition; OK
//                   rewrites its line and the sheet. Cancelled dialogs answer
//                   State DONTKNOW. The argument DialogDriver (an
//                   awt::XDialogEventHandler) stands in for the user (tests).
//   PublishTargets  publishes the sheet Targets to the store (targets_publisher).
//   ExportStatements one reward statement PDF per person of a team for a pay
//                   period (statement_export.hpp; arguments Team, Period,
//                   Folder skip its dialog).
//
// Every command runs on the main thread: called there (a menu, a Basic macro)
// it runs at once; called from another thread (a remote client, a test) it is
// posted there. The outcome is a message: shown in a message box when the
// document's window is visible (failures; for PublishTargets always), and
// given to the listener of dispatchWithNotification() as the
// DispatchResultEvent's State (SUCCESS or FAILURE) and Result (the message as
// a string) — the way headless tests and macros read it.
//
// A caller on the main thread waits for the outcome there (DispatchHelper
// does): PublishTargets, whose outcome comes from a worker thread later,
// tells such a caller only that it started.
#pragma once

#include <com/sun/star/frame/XDispatchProvider.hpp>
#include <com/sun/star/frame/XFrame.hpp>
#include <com/sun/star/frame/XNotifyingDispatch.hpp>
#include <com/sun/star/lang/XInitialization.hpp>
#include <com/sun/star/lang/XServiceInfo.hpp>
#include <com/sun/star/uno/XComponentContext.hpp>
#include <cppuhelper/implbase4.hxx>
#include <cppuhelper/weakref.hxx>

#include "uno_text.hpp"

namespace saleskpi::addin {

class Commands : public cppu::WeakImplHelper4<css::frame::XDispatchProvider, css::frame::XNotifyingDispatch,
                                              css::lang::XInitialization, css::lang::XServiceInfo> {
public:
    explicit Commands(css::uno::Reference<css::uno::XComponentContext> context);

    // XInitialization: the frame the commands act on.
    void SAL_CALL initialize(const css::uno::Sequence<css::uno::Any>& arguments) override;

    // XDispatchProvider
    css::uno::Reference<css::frame::XDispatch> SAL_CALL queryDispatch(const css::util::URL& url,
                                                                      const OUString& targetFrameName,
                                                                      sal_Int32 searchFlags) override;
    css::uno::Sequence<css::uno::Reference<css::frame::XDispatch>> SAL_CALL
    queryDispatches(const css::uno::Sequence<css::frame::DispatchDescriptor>& requests) override;

    // XDispatch, XNotifyingDispatch
    void SAL_CALL dispatch(const css::util::URL& url,
                           const css::uno::Sequence<css::beans::PropertyValue>& arguments) override;
    void SAL_CALL
    dispatchWithNotification(const css::util::URL& url, const css::uno::Sequence<css::beans::PropertyValue>& arguments,
                             const css::uno::Reference<css::frame::XDispatchResultListener>& listener) override;
    void SAL_CALL addStatusListener(const css::uno::Reference<css::frame::XStatusListener>& listener,
                                    const css::util::URL& url) override;
    void SAL_CALL removeStatusListener(const css::uno::Reference<css::frame::XStatusListener>& listener,
                                       const css::util::URL& url) override;

    // XServiceInfo
    OUString SAL_CALL getImplementationName() override;
    sal_Bool SAL_CALL supportsService(const OUString& serviceName) override;
    css::uno::Sequence<OUString> SAL_CALL getSupportedServiceNames() override;

    static constexpr const char* kImplementationName = "org.saleskpi.Commands";
    static css::uno::Sequence<OUString> serviceNames();

private:
    const css::uno::Reference<css::uno::XComponentContext> context_;
    css::uno::WeakReference<css::frame::XFrame> frame_;
};

}  // namespace saleskpi::addin
