// Runs a dialog of the extension's package (dialogs/<name>.xdl): made by the
// office's DialogProvider2 with the caller's event handler, filled, shown
// modally, disposed however the run ends.
//
// `driver` stands in for the user (tests, since headless offices run no modal
// dialog): instead of waiting for the user, the dialog calls
// driver->callHandlerMethod(dialog, {}, "press") — the driver fills the
// controls and returns true to press OK, false to press Cancel — until
// `accepted` says true after the handler's "ok" or Cancel is pressed (at most
// 10 presses).
//
// Main thread only: the dialog is modal. Throws uno::Exception when the
// dialog cannot be made.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include <com/sun/star/awt/XControlContainer.hpp>
#include <com/sun/star/awt/XDialog.hpp>
#include <com/sun/star/awt/XDialogEventHandler.hpp>
#include <com/sun/star/awt/XWindow.hpp>
#include <com/sun/star/uno/Sequence.hxx>
#include <com/sun/star/uno/XComponentContext.hpp>
#include <rtl/ustring.hxx>

#include "report_sheet_form.hpp"

namespace saleskpi::addin {

void runExtensionDialog(const css::uno::Reference<css::uno::XComponentContext>& context,
                        const css::uno::Reference<css::awt::XWindow>& parent, std::string_view xdlName,
                        const css::uno::Reference<css::awt::XDialogEventHandler>& handler,
                        const std::function<void(const css::uno::Reference<css::awt::XDialog>&)>& fill,
                        const std::function<bool()>& accepted,
                        const css::uno::Reference<css::awt::XDialogEventHandler>& driver);

// The dialog's control `name` as Interface; throws uno::Exception when it has
// none of that kind.
template <typename Interface>
css::uno::Reference<Interface> control(const css::uno::Reference<css::awt::XControlContainer>& controls,
                                       const char* name) {
    return css::uno::Reference<Interface>(controls->getControl(rtl::OUString::createFromAscii(name)),
                                          css::uno::UNO_QUERY_THROW);
}

// The labels of a form's options, for a list or combo box (at most 32,000:
// a list box counts its entries in sal_Int16).
css::uno::Sequence<rtl::OUString> labelsOf(const std::vector<FormOption>& options);

}  // namespace saleskpi::addin
