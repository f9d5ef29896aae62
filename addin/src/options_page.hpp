// The page Tools ▸ Options ▸ SalesKPI ▸ Store (OptionsDialog.xcu, the dialog
// dialogs/Options.xdl with its English and Vietnamese labels): the options
// StorePath and RefreshSeconds of /org.saleskpi.Settings/Store. StorePath may
// be an SQLite file or a PostgreSQL location; one holding a password is
// refused: the line under the field says why as it is typed, and OK keeps
// the option as it was.
//
// The Options dialog creates the page's window from the .xdl and calls this
// handler with "initialize" (fill the controls), "ok" (save them) and "back"
// (fill them again). Called on the main thread.
#pragma once

#include <com/sun/star/awt/XContainerWindowEventHandler.hpp>
#include <com/sun/star/lang/XServiceInfo.hpp>
#include <com/sun/star/uno/XComponentContext.hpp>
#include <cppuhelper/implbase2.hxx>

#include "uno_text.hpp"

namespace saleskpi::addin {

class OptionsPage : public cppu::WeakImplHelper2<css::awt::XContainerWindowEventHandler, css::lang::XServiceInfo> {
public:
    explicit OptionsPage(css::uno::Reference<css::uno::XComponentContext> context);

    // XContainerWindowEventHandler
    sal_Bool SAL_CALL callHandlerMethod(const css::uno::Reference<css::awt::XWindow>& window,
                                        const css::uno::Any& event, const OUString& methodName) override;
    css::uno::Sequence<OUString> SAL_CALL getSupportedMethodNames() override;

    // XServiceInfo
    OUString SAL_CALL getImplementationName() override;
    sal_Bool SAL_CALL supportsService(const OUString& serviceName) override;
    css::uno::Sequence<OUString> SAL_CALL getSupportedServiceNames() override;

    static constexpr const char* kImplementationName = "org.saleskpi.OptionsPage";
    static css::uno::Sequence<OUString> serviceNames();

private:
    // `first`: the page was just made (its field gets the listener that shows
    // why a location will be refused).
    void load(const css::uno::Reference<css::awt::XWindow>& window, bool first);
    void save(const css::uno::Reference<css::awt::XWindow>& window);

    const css::uno::Reference<css::uno::XComponentContext> context_;
};

}  // namespace saleskpi::addin
