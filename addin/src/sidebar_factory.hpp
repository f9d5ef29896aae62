// The UNO component org.saleskpi.SidebarPanelFactory: the office's UI element
// factory manager asks it for the SalesKPI sidebar panel (Factories.xcu maps
// private:resource/toolpanel/SalesKpiPanelFactory/… to it; Sidebar.xcu names
// the panel's URL). Stateless; every call may come from any thread.
#pragma once

#include <com/sun/star/lang/XServiceInfo.hpp>
#include <com/sun/star/ui/XUIElementFactory.hpp>
#include <com/sun/star/uno/XComponentContext.hpp>
#include <cppuhelper/implbase2.hxx>

#include "uno_text.hpp"

namespace saleskpi::addin {

// The sidebar's resource URL (Sidebar.xcu's ImplementationURL) and the
// factory's names (Factories.xcu, saleskpi.components).
inline constexpr char kSidebarPanelUrl[] = "private:resource/toolpanel/SalesKpiPanelFactory/TeamPanel";
inline constexpr char kSidebarFactoryImplementation[] = "org.saleskpi.SidebarPanelFactory";
inline constexpr char kSidebarFactoryService[] = "com.sun.star.ui.UIElementFactory";

class SidebarPanelFactory : public cppu::WeakImplHelper2<css::ui::XUIElementFactory, css::lang::XServiceInfo> {
public:
    explicit SidebarPanelFactory(css::uno::Reference<css::uno::XComponentContext> context);

    // Arguments: ParentWindow (required), Frame. Throws
    // container::NoSuchElementException for another URL,
    // lang::IllegalArgumentException without a parent window, and
    // uno::RuntimeException when the panel cannot be built.
    css::uno::Reference<css::ui::XUIElement> SAL_CALL createUIElement(
        const OUString& resourceUrl, const css::uno::Sequence<css::beans::PropertyValue>& arguments) override;

    OUString SAL_CALL getImplementationName() override;
    sal_Bool SAL_CALL supportsService(const OUString& serviceName) override;
    css::uno::Sequence<OUString> SAL_CALL getSupportedServiceNames() override;

    static constexpr const char* kImplementationName = kSidebarFactoryImplementation;
    static css::uno::Sequence<OUString> serviceNames();

private:
    const css::uno::Reference<css::uno::XComponentContext> context_;
};

}  // namespace saleskpi::addin
