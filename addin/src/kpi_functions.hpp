// The UNO component org.saleskpi.KpiFunctions: the Calc add-in of SPEC §8.
//
// Thin by design: every function converts its arguments, finds the store's
// session and returns the session's live value; every XAddIn getter answers
// from the function catalog. Failures become cell errors in exactly one place
// (rethrowForCalc). Called by Calc on the main thread.
#pragma once

#include <memory>
#include <mutex>

#include <com/sun/star/beans/XPropertySet.hpp>
#include <com/sun/star/lang/Locale.hpp>
#include <com/sun/star/lang/XServiceInfo.hpp>
#include <com/sun/star/lang/XServiceName.hpp>
#include <com/sun/star/sheet/XAddIn.hpp>
#include <com/sun/star/sheet/XCompatibilityNames.hpp>
#include <com/sun/star/uno/XComponentContext.hpp>
#include <cppuhelper/implbase5.hxx>
#include <org/saleskpi/XKpiFunctions.hpp>

#include "cell_query.hpp"
#include "function_catalog.hpp"
#include "kpi/date.hpp"
#include "store_location.hpp"
#include "uno_text.hpp"

namespace saleskpi::addin {

class StoreSession;

// The document's day 0 (Tools ▸ Options ▸ Calc ▸ Calculate ▸ Date); Calc's
// default for anything that is not a spreadsheet document.
kpi::Day nullDateOf(const css::uno::Reference<css::beans::XPropertySet>& document);

class KpiFunctions
    : public cppu::WeakImplHelper5<org::saleskpi::XKpiFunctions, css::sheet::XAddIn, css::sheet::XCompatibilityNames,
                                   css::lang::XServiceName, css::lang::XServiceInfo> {
public:
    explicit KpiFunctions(css::uno::Reference<css::uno::XComponentContext> context);

    // XKpiFunctions: the spreadsheet functions.
    css::uno::Any SAL_CALL kpiActual(const css::uno::Reference<css::beans::XPropertySet>& document,
                                     const OUString& employee, const OUString& kpi,
                                     const css::uno::Any& period) override;
    css::uno::Any SAL_CALL kpiTarget(const css::uno::Reference<css::beans::XPropertySet>& document,
                                     const OUString& employee, const OUString& kpi,
                                     const css::uno::Any& period) override;
    css::uno::Any SAL_CALL kpiAttainment(const css::uno::Reference<css::beans::XPropertySet>& document,
                                         const OUString& employee, const OUString& kpi,
                                         const css::uno::Any& period) override;
    css::uno::Any SAL_CALL kpiProjected(const css::uno::Reference<css::beans::XPropertySet>& document,
                                        const OUString& employee, const OUString& kpi,
                                        const css::uno::Any& period) override;
    css::uno::Any SAL_CALL kpiScore(const css::uno::Reference<css::beans::XPropertySet>& document,
                                    const OUString& employee, const css::uno::Any& period) override;
    css::uno::Any SAL_CALL kpiDetail(const css::uno::Reference<css::beans::XPropertySet>& document,
                                     const OUString& employee, const OUString& kpi,
                                     const css::uno::Any& period) override;
    css::uno::Any SAL_CALL kpiAsOf(const css::uno::Reference<css::beans::XPropertySet>& document) override;
    css::uno::Any SAL_CALL kpiStatus(const css::uno::Reference<css::beans::XPropertySet>& document,
                                     const css::uno::Any& period) override;
    css::uno::Any SAL_CALL kpiPeriod(const css::uno::Reference<css::beans::XPropertySet>& document,
                                     const css::uno::Any& which) override;
    css::uno::Any SAL_CALL kpiPayout(const css::uno::Reference<css::beans::XPropertySet>& document,
                                     const OUString& employee, const css::uno::Any& period,
                                     const css::uno::Any& kpi) override;
    css::uno::Any SAL_CALL kpiFactor(const css::uno::Reference<css::beans::XPropertySet>& document,
                                     const OUString& plan, const OUString& kpi, double attainment) override;

    // XAddIn
    OUString SAL_CALL getProgrammaticFuntionName(const OUString& displayName) override;
    OUString SAL_CALL getDisplayFunctionName(const OUString& programmaticName) override;
    OUString SAL_CALL getFunctionDescription(const OUString& programmaticName) override;
    OUString SAL_CALL getDisplayArgumentName(const OUString& programmaticName, sal_Int32 argument) override;
    OUString SAL_CALL getArgumentDescription(const OUString& programmaticName, sal_Int32 argument) override;
    OUString SAL_CALL getProgrammaticCategoryName(const OUString& programmaticName) override;
    OUString SAL_CALL getDisplayCategoryName(const OUString& programmaticName) override;

    // XLocalizable (through XAddIn): Calc sets its UI language.
    void SAL_CALL setLocale(const css::lang::Locale& locale) override;
    css::lang::Locale SAL_CALL getLocale() override;

    // XCompatibilityNames: the English display names. Calc writes them for
    // the functions in .xls files and maps them back on import (.xlsx files get
    // the programmatic names; see docs/calc-functions.md).
    css::uno::Sequence<css::sheet::LocalizedName> SAL_CALL getCompatibilityNames(
        const OUString& programmaticName) override;

    // XServiceName
    OUString SAL_CALL getServiceName() override;

    // XServiceInfo
    OUString SAL_CALL getImplementationName() override;
    sal_Bool SAL_CALL supportsService(const OUString& serviceName) override;
    css::uno::Sequence<OUString> SAL_CALL getSupportedServiceNames() override;

    static css::uno::Sequence<OUString> serviceNames();

private:
    css::uno::Any figure(FunctionId function, const css::uno::Reference<css::beans::XPropertySet>& document,
                         const OUString& employee, const OUString& kpi, const css::uno::Any& period);
    // The live value of a figure cell whose arguments are converted.
    css::uno::Any liveFigure(const css::uno::Reference<css::beans::XPropertySet>& document, const CellQuery& query);
    template <typename Ask>
    css::uno::Any fromSession(const css::uno::Reference<css::beans::XPropertySet>& document, const std::string& key,
                              const css::uno::Any& unlocatedValue, Ask&& ask);

    template <typename Compute>
    css::uno::Any answer(Compute&& compute);
    [[noreturn]] void rethrowForCalc();

    Language language() const;
    const ArgumentSpec* argumentOf(const OUString& programmaticName, sal_Int32 argument) const;

    const css::uno::Reference<css::uno::XComponentContext> context_;
    mutable std::mutex localeMutex_;
    css::lang::Locale locale_;
};

}  // namespace saleskpi::addin
