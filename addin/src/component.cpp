// The shared library's only export: the factory the office's loader asks for
// the implementations listed in saleskpi.components.
#include <exception>

#include <com/sun/star/uno/RuntimeException.hpp>
#include <com/sun/star/uno/XComponentContext.hpp>
#include <cppuhelper/factory.hxx>
#include <cppuhelper/implementationentry.hxx>

#include "commands.hpp"
#include "component_entry.hpp"
#include "function_catalog.hpp"
#include "kpi_functions.hpp"
#include "options_page.hpp"
#include "report_documents.hpp"
#include "sidebar_factory.hpp"
#include "uno_text.hpp"

using namespace css;

namespace {

uno::Reference<uno::XInterface> SAL_CALL createKpiFunctions(const uno::Reference<uno::XComponentContext>& context) {
    try {
        return static_cast<cppu::OWeakObject*>(new saleskpi::addin::KpiFunctions(context));
    } catch (const std::exception& error) {
        throw uno::RuntimeException(saleskpi::addin::toOUString(error.what()));
    }
}

rtl::OUString SAL_CALL kpiFunctionsImplementationName() {
    return saleskpi::addin::toOUString(saleskpi::addin::kImplementationName);
}

uno::Sequence<rtl::OUString> SAL_CALL kpiFunctionsServiceNames() { return saleskpi::addin::KpiFunctions::serviceNames(); }

const cppu::ImplementationEntry kImplementations[] = {
    {createKpiFunctions, kpiFunctionsImplementationName, kpiFunctionsServiceNames, cppu::createSingleComponentFactory,
     nullptr, 0},
    saleskpi::addin::componentEntry<saleskpi::addin::SidebarPanelFactory>(),
    saleskpi::addin::componentEntry<saleskpi::addin::Commands>(),
    saleskpi::addin::componentEntry<saleskpi::addin::ReportSheetsJob>(),
    saleskpi::addin::componentEntry<saleskpi::addin::OptionsPage>(),
    {nullptr, nullptr, nullptr, nullptr, nullptr, 0},
};

}  // namespace

extern "C" SAL_DLLPUBLIC_EXPORT void* SAL_CALL component_getFactory(const char* implementationName,
                                                                    void* serviceManager, void* registryKey) {
    try {
        return cppu::component_getFactoryHelper(implementationName, serviceManager, registryKey, kImplementations);
    } catch (...) {
        return nullptr;
    }
}
