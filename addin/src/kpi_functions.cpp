#include "kpi_functions.hpp"

#include <cstdlib>
#include <exception>
#include <utility>
#include <variant>

#include <com/sun/star/beans/XPropertySetInfo.hpp>
#include <com/sun/star/document/XDocumentProperties.hpp>
#include <com/sun/star/document/XDocumentPropertiesSupplier.hpp>
#include <com/sun/star/frame/XModel.hpp>
#include <com/sun/star/lang/IllegalArgumentException.hpp>
#include <com/sun/star/sheet/LocalizedName.hpp>
#include <com/sun/star/uno/RuntimeException.hpp>
#include <com/sun/star/uno/Sequence.hxx>
#include <com/sun/star/util/Date.hpp>
#include <cppuhelper/supportsservice.hxx>
#include <osl/file.hxx>

#include "cell_query.hpp"
#include "kpi/error.hpp"
#include "office_language.hpp"
#include "store_location.hpp"
#include "store_session.hpp"
#include "store_sessions.hpp"
#include "uno_text.hpp"

using namespace css;

namespace saleskpi::addin {
namespace {

constexpr char kAddInService[] = "com.sun.star.sheet.AddIn";

kpi::Error invalidArgument(const std::string& message) {
    return kpi::Error(kpi::Error::Kind::InvalidArgument, message);
}

}  // namespace

kpi::Day nullDateOf(const uno::Reference<beans::XPropertySet>& document) {
    util::Date date;
    try {
        if (document.is() && (document->getPropertyValue("NullDate") >>= date) && date.Year > 0)
            return kpi::makeDay(date.Year, date.Month, date.Day);
    } catch (const uno::Exception&) {
        // Not a spreadsheet document: Calc's default.
    }
    return kDefaultNullDate;
}

namespace {

// A value argument as the office passes it (omitted, a number or a text);
// anything else (a range, a boolean) is an invalid argument, described by `what`.
PeriodArgument valueArgument(const uno::Any& period, const char* what) {
    switch (period.getValueTypeClass()) {
        case uno::TypeClass_VOID: return std::monostate{};
        case uno::TypeClass_STRING: return toUtf8(period.get<OUString>());
        case uno::TypeClass_DOUBLE:
        case uno::TypeClass_FLOAT:
        case uno::TypeClass_BYTE:
        case uno::TypeClass_SHORT:
        case uno::TypeClass_UNSIGNED_SHORT:
        case uno::TypeClass_LONG:
        case uno::TypeClass_UNSIGNED_LONG:
        case uno::TypeClass_HYPER:
        case uno::TypeClass_UNSIGNED_HYPER: {
            double serial = 0;
            if (period >>= serial) return serial;
            break;
        }
        default: break;
    }
    throw invalidArgument(what);
}

PeriodArgument periodArgument(const uno::Any& period) {
    return valueArgument(period, "period: a text such as 2026-11, or a date");
}

// The period of a value argument; the document's null date is read for a date serial only.
std::optional<kpi::Period> periodOfArgument(const PeriodArgument& argument,
                                            const uno::Reference<beans::XPropertySet>& document) {
    const kpi::Day nullDate = std::holds_alternative<double>(argument) ? nullDateOf(document) : kDefaultNullDate;
    return periodFromArgument(argument, nullDate);
}

}  // namespace

KpiFunctions::KpiFunctions(uno::Reference<uno::XComponentContext> context) : context_(std::move(context)) {}

// --- the spreadsheet functions -------------------------------------------

template <typename Compute>
uno::Any KpiFunctions::answer(Compute&& compute) {
    try {
        return compute();
    } catch (...) {
        rethrowForCalc();
    }
}

// The one place where a failure becomes what a cell shows. An invalid argument
// (kpi::Error InvalidArgument) is Err:502 through IllegalArgumentException;
// anything else is #VALUE! through RuntimeException. Nothing else may leave:
// a C++ exception crossing into the office kills it.
void KpiFunctions::rethrowForCalc() {
    uno::Reference<uno::XInterface> self(static_cast<cppu::OWeakObject*>(this));
    try {
        throw;
    } catch (const lang::IllegalArgumentException&) {
        throw;
    } catch (const uno::RuntimeException&) {
        throw;
    } catch (const uno::Exception& error) {
        throw uno::RuntimeException(error.Message, self);
    } catch (const kpi::Error& error) {
        if (error.kind() == kpi::Error::Kind::InvalidArgument)
            throw lang::IllegalArgumentException(toOUString(error.what()), self, 0);
        throw uno::RuntimeException(toOUString(error.what()), self);
    } catch (const std::exception& error) {
        throw uno::RuntimeException(toOUString(error.what()), self);
    } catch (...) {
        throw uno::RuntimeException("SalesKPI: unexpected error", self);
    }
}

// Every function: the store's session answers, or, when the store cannot be
// located, a live #N/A (the problem, for KPI.STATUS) that Calc asks again later.
template <typename Ask>
uno::Any KpiFunctions::fromSession(const uno::Reference<beans::XPropertySet>& document, const std::string& key,
                                   const uno::Any& unlocatedValue, Ask&& ask) {
    auto& sessions = StoreSessions::instance();
    const auto location = sessions.cellLocation(context_, document);
    if (!location->problem.empty()) return sessions.unlocated(context_, *location, key, unlocatedValue);
    const auto session = sessions.sessionFor(context_, *location);
    return session ? ask(*session) : unlocatedValue;
}

uno::Any KpiFunctions::figure(FunctionId function, const uno::Reference<beans::XPropertySet>& document,
                              const OUString& employee, const OUString& kpi, const uno::Any& period) {
    return answer([&] {
        const CellQuery query{function, toUtf8(employee), toUtf8(kpi), periodOfArgument(periodArgument(period), document)};
        return liveFigure(document, query);
    });
}

// Arguments that are wrong whatever the store holds are Err:502 at once, even
// without a store.
uno::Any KpiFunctions::liveFigure(const uno::Reference<beans::XPropertySet>& document, const CellQuery& query) {
    checkArguments(query);
    return fromSession(document, query.key(), uno::Any(), [&](StoreSession& session) { return session.figure(query, document); });
}

uno::Any SAL_CALL KpiFunctions::kpiActual(const uno::Reference<beans::XPropertySet>& document, const OUString& employee,
                                          const OUString& kpi, const uno::Any& period) {
    return figure(FunctionId::Actual, document, employee, kpi, period);
}

uno::Any SAL_CALL KpiFunctions::kpiTarget(const uno::Reference<beans::XPropertySet>& document, const OUString& employee,
                                          const OUString& kpi, const uno::Any& period) {
    return figure(FunctionId::Target, document, employee, kpi, period);
}

uno::Any SAL_CALL KpiFunctions::kpiAttainment(const uno::Reference<beans::XPropertySet>& document,
                                              const OUString& employee, const OUString& kpi, const uno::Any& period) {
    return figure(FunctionId::Attainment, document, employee, kpi, period);
}

uno::Any SAL_CALL KpiFunctions::kpiProjected(const uno::Reference<beans::XPropertySet>& document,
                                             const OUString& employee, const OUString& kpi, const uno::Any& period) {
    return figure(FunctionId::Projected, document, employee, kpi, period);
}

uno::Any SAL_CALL KpiFunctions::kpiScore(const uno::Reference<beans::XPropertySet>& document, const OUString& employee,
                                         const uno::Any& period) {
    return figure(FunctionId::Score, document, employee, OUString(), period);
}

uno::Any SAL_CALL KpiFunctions::kpiDetail(const uno::Reference<beans::XPropertySet>& document, const OUString& employee,
                                          const OUString& kpi, const uno::Any& period) {
    return figure(FunctionId::Detail, document, employee, kpi, period);
}

uno::Any SAL_CALL KpiFunctions::kpiAsOf(const uno::Reference<beans::XPropertySet>& document) {
    return answer([&] {
        const kpi::Day nullDate = nullDateOf(document);
        return fromSession(document, "ASOF@" + std::to_string(nullDate), uno::Any(),
                           [&](StoreSession& session) { return session.asOf(nullDate); });
    });
}

uno::Any SAL_CALL KpiFunctions::kpiStatus(const uno::Reference<beans::XPropertySet>& document,
                                          const uno::Any& period) {
    return answer([&] {
        const std::optional<kpi::Period> asked = periodOfArgument(periodArgument(period), document);
        // The office's UI language, as the sidebar and report sheets speak: Calc
        // calls setLocale() only on the instance that answers the Function
        // Wizard, not necessarily on the one that computes cells.
        const Language shownIn = officeLanguage(context_);
        const auto location = StoreSessions::instance().cellLocation(context_, document);
        const OUString problem = toOUString(location->problem.empty() ? "stopped: the office is shutting down"
                                                                      : "unavailable: " + location->problemIn(shownIn));
        std::string key = "STATUS";
        if (asked) key += "@" + kpi::formatPeriod(*asked);
        return fromSession(document, key, uno::Any(problem), [&](StoreSession& session) {
            return session.status(location->source, asked, shownIn);
        });
    });
}

uno::Any SAL_CALL KpiFunctions::kpiPayout(const uno::Reference<beans::XPropertySet>& document,
                                          const OUString& employee, const uno::Any& period, const uno::Any& kpi) {
    return answer([&] {
        const CellQuery query{FunctionId::Payout, toUtf8(employee),
                              componentFromArgument(valueArgument(kpi, "kpi: a KPI code as text")),
                              periodOfArgument(periodArgument(period), document)};
        return liveFigure(document, query);
    });
}

uno::Any SAL_CALL KpiFunctions::kpiFactor(const uno::Reference<beans::XPropertySet>& document, const OUString& plan,
                                          const OUString& kpi, double attainment) {
    return answer([&] {
        CellQuery query{FunctionId::Factor, std::string(), toUtf8(kpi), std::nullopt};
        query.plan = toUtf8(plan);
        query.attainment = attainment;
        return liveFigure(document, query);
    });
}

uno::Any SAL_CALL KpiFunctions::kpiPeriod(const uno::Reference<beans::XPropertySet>& document,
                                          const uno::Any& which) {
    return answer([&] {
        const PeriodArgument argument = periodArgument(which);
        // Checked now, so that a wrong word is Err:502 at once; the session
        // keeps the value current as the date moves. Without a store the
        // text is still right (and asked again when a store appears).
        const uno::Any now(toOUString(calendarPeriodText(argument, kpi::today())));
        std::string key = "PERIOD@";
        if (const auto* text = std::get_if<std::string>(&argument)) key += *text;
        return fromSession(document, key, now,
                           [&](StoreSession& session) { return session.calendarPeriod(key, argument); });
    });
}

// --- XAddIn, XCompatibilityNames, XServiceInfo -------------------------------
// Everything from the catalog. Unknown names get a harmless fallback, and
// nothing is ever thrown.

namespace {

template <typename Result, typename Compute>
Result orFallback(const Result& fallback, Compute&& compute) noexcept {
    try {
        return compute();
    } catch (...) {
        return fallback;
    }
}

}  // namespace

Language KpiFunctions::language() const {
    std::lock_guard lock(localeMutex_);
    return languageOf(toUtf8(locale_.Language));
}

const ArgumentSpec* KpiFunctions::argumentOf(const OUString& programmaticName, sal_Int32 argument) const {
    const auto* spec = findFunction(toUtf8(programmaticName));
    if (!spec || argument < 0 || static_cast<std::size_t>(argument) >= spec->arguments.size()) return nullptr;
    return &spec->arguments[static_cast<std::size_t>(argument)];
}

OUString SAL_CALL KpiFunctions::getProgrammaticFuntionName(const OUString& displayName) {
    return orFallback(OUString(), [&] {
        const auto* spec = findFunctionByDisplayName(toUtf8(displayName));
        return spec ? toOUString(spec->programmaticName) : OUString();
    });
}

OUString SAL_CALL KpiFunctions::getDisplayFunctionName(const OUString& programmaticName) {
    return orFallback(OUString(), [&] {
        const auto* spec = findFunction(toUtf8(programmaticName));
        return spec ? toOUString(spec->displayName) : OUString();
    });
}

OUString SAL_CALL KpiFunctions::getFunctionDescription(const OUString& programmaticName) {
    return orFallback(OUString(), [&] {
        const auto* spec = findFunction(toUtf8(programmaticName));
        return spec ? toOUString(spec->description.in(language())) : OUString();
    });
}

// Calc counts the hidden caller argument too: argument 0 is the document.
OUString SAL_CALL KpiFunctions::getDisplayArgumentName(const OUString& programmaticName, sal_Int32 argument) {
    return orFallback(OUString(), [&] {
        const auto* spec = argumentOf(programmaticName, argument);
        return spec ? toOUString(spec->name.in(language())) : OUString();
    });
}

OUString SAL_CALL KpiFunctions::getArgumentDescription(const OUString& programmaticName, sal_Int32 argument) {
    return orFallback(OUString(), [&] {
        const auto* spec = argumentOf(programmaticName, argument);
        return spec ? toOUString(spec->description.in(language())) : OUString();
    });
}

OUString SAL_CALL KpiFunctions::getProgrammaticCategoryName(const OUString& programmaticName) {
    const OUString addIn("Add-In");
    return orFallback(addIn, [&] {
        const auto* spec = findFunction(toUtf8(programmaticName));
        return spec ? toOUString(spec->category) : addIn;
    });
}

OUString SAL_CALL KpiFunctions::getDisplayCategoryName(const OUString& programmaticName) {
    // Calc shows its own (translated) name of the programmatic category.
    return getProgrammaticCategoryName(programmaticName);
}

void SAL_CALL KpiFunctions::setLocale(const lang::Locale& locale) {
    try {
        std::lock_guard lock(localeMutex_);
        locale_ = locale;
    } catch (...) {
        // Keeps the previous language.
    }
}

lang::Locale SAL_CALL KpiFunctions::getLocale() {
    return orFallback(lang::Locale(), [&] {
        std::lock_guard lock(localeMutex_);
        return locale_;
    });
}

uno::Sequence<sheet::LocalizedName> SAL_CALL KpiFunctions::getCompatibilityNames(const OUString& programmaticName) {
    return orFallback(uno::Sequence<sheet::LocalizedName>(), [&] {
        const auto* spec = findFunction(toUtf8(programmaticName));
        if (!spec) return uno::Sequence<sheet::LocalizedName>();
        uno::Sequence<sheet::LocalizedName> names(1);
        names.getArray()[0] = sheet::LocalizedName(lang::Locale("en", "US", OUString()), toOUString(spec->displayName));
        return names;
    });
}

OUString SAL_CALL KpiFunctions::getServiceName() {
    return orFallback(OUString(), [] { return toOUString(kServiceName); });
}

OUString SAL_CALL KpiFunctions::getImplementationName() {
    return orFallback(OUString(), [] { return toOUString(kImplementationName); });
}

sal_Bool SAL_CALL KpiFunctions::supportsService(const OUString& serviceName) {
    return orFallback(sal_Bool(false), [&] { return cppu::supportsService(this, serviceName); });
}

uno::Sequence<OUString> SAL_CALL KpiFunctions::getSupportedServiceNames() {
    return orFallback(uno::Sequence<OUString>(), [] { return serviceNames(); });
}

uno::Sequence<OUString> KpiFunctions::serviceNames() {
    uno::Sequence<OUString> names(2);
    names.getArray()[0] = toOUString(kServiceName);
    names.getArray()[1] = kAddInService;
    return names;
}

}  // namespace saleskpi::addin
