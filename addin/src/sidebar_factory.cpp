#include "sidebar_factory.hpp"

#include <exception>
#include <utility>

#include <com/sun/star/awt/XWindow.hpp>
#include <com/sun/star/beans/PropertyValue.hpp>
#include <com/sun/star/container/NoSuchElementException.hpp>
#include <com/sun/star/frame/XFrame.hpp>
#include <com/sun/star/lang/IllegalArgumentException.hpp>
#include <com/sun/star/uno/RuntimeException.hpp>
#include <com/sun/star/uno/Sequence.hxx>

#include "component_entry.hpp"
#include "sidebar_panel.hpp"

using namespace css;

namespace saleskpi::addin {

SidebarPanelFactory::SidebarPanelFactory(uno::Reference<uno::XComponentContext> context)
    : context_(std::move(context)) {}

uno::Reference<ui::XUIElement> SAL_CALL SidebarPanelFactory::createUIElement(
    const OUString& resourceUrl, const uno::Sequence<beans::PropertyValue>& arguments) {
    uno::Reference<uno::XInterface> self(static_cast<cppu::OWeakObject*>(this));
    // The one place where the sidebar's failures become UNO exceptions.
    try {
        if (!resourceUrl.startsWith(OUString::createFromAscii(kSidebarPanelUrl)))
            throw container::NoSuchElementException(resourceUrl, self);
        uno::Reference<awt::XWindow> parent;
        uno::Reference<frame::XFrame> frame;
        for (const auto& argument : arguments) {
            if (argument.Name == "ParentWindow") argument.Value >>= parent;
            if (argument.Name == "Frame") argument.Value >>= frame;
        }
        if (!parent.is()) throw lang::IllegalArgumentException("SalesKPI sidebar: no ParentWindow given", self, 1);
        return new SidebarPanel(context_, frame, parent, resourceUrl);
    } catch (const container::NoSuchElementException&) {
        throw;
    } catch (const lang::IllegalArgumentException&) {
        throw;
    } catch (const uno::RuntimeException&) {
        throw;
    } catch (const uno::Exception& error) {
        throw uno::RuntimeException("SalesKPI sidebar: " + error.Message, self);
    } catch (const std::exception& error) {
        throw uno::RuntimeException("SalesKPI sidebar: " + toOUString(error.what()), self);
    } catch (...) {
        throw uno::RuntimeException("SalesKPI sidebar: unexpected error", self);
    }
}

OUString SAL_CALL SidebarPanelFactory::getImplementationName() { return implementationNameOf<SidebarPanelFactory>(); }

sal_Bool SAL_CALL SidebarPanelFactory::supportsService(const OUString& serviceName) {
    return supportsServiceOf(this, serviceName);
}

uno::Sequence<OUString> SAL_CALL SidebarPanelFactory::getSupportedServiceNames() { return serviceNamesOf<SidebarPanelFactory>(); }

uno::Sequence<OUString> SidebarPanelFactory::serviceNames() {
    uno::Sequence<OUString> names(1);
    names.getArray()[0] = OUString::createFromAscii(kSidebarFactoryService);
    return names;
}

}  // namespace saleskpi::addin
