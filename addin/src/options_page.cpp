#include "options_page.hpp"

#include <utility>

#include <rtl/ref.hxx>

#include <com/sun/star/awt/XControl.hpp>
#include <com/sun/star/awt/XControlContainer.hpp>
#include <com/sun/star/awt/XFixedText.hpp>
#include <com/sun/star/awt/XNumericField.hpp>
#include <com/sun/star/awt/XTextComponent.hpp>
#include <com/sun/star/beans/NamedValue.hpp>
#include <com/sun/star/configuration/theDefaultProvider.hpp>
#include <com/sun/star/container/XNameAccess.hpp>
#include <com/sun/star/container/XNameReplace.hpp>
#include <com/sun/star/lang/XMultiServiceFactory.hpp>
#include <com/sun/star/uno/Sequence.hxx>
#include <com/sun/star/util/XChangesBatch.hpp>

#include <com/sun/star/awt/XTextListener.hpp>
#include <cppuhelper/implbase1.hxx>

#include "component_entry.hpp"
#include "office_language.hpp"
#include "store_location.hpp"

using namespace css;

namespace saleskpi::addin {
namespace {

constexpr char kOptionsNode[] = "/org.saleskpi.Settings/Store";
constexpr char kStorePathControl[] = "StorePath";
constexpr char kRefreshControl[] = "RefreshSeconds";
constexpr char kStoreProblemControl[] = "StoreProblem";

// The options node; for writing with `update`.
uno::Reference<container::XNameAccess> optionsNode(const uno::Reference<uno::XComponentContext>& context, bool update) {
    uno::Sequence<uno::Any> arguments(1);
    arguments.getArray()[0] <<= beans::NamedValue("nodepath", uno::Any(OUString(kOptionsNode)));
    return uno::Reference<container::XNameAccess>(
        configuration::theDefaultProvider::get(context)->createInstanceWithArguments(
            update ? OUString("com.sun.star.configuration.ConfigurationUpdateAccess")
                   : OUString("com.sun.star.configuration.ConfigurationAccess"),
            arguments),
        uno::UNO_QUERY_THROW);
}

template <typename Interface>
uno::Reference<Interface> control(const uno::Reference<awt::XWindow>& window, const char* name) {
    const uno::Reference<awt::XControlContainer> controls(window, uno::UNO_QUERY_THROW);
    return uno::Reference<Interface>(controls->getControl(OUString::createFromAscii(name)), uno::UNO_QUERY_THROW);
}

// Says under the field, while the user types, why a location will be refused
// (a PostgreSQL location holding a password), in the office's language.
class StoreProblemShower : public cppu::WeakImplHelper1<awt::XTextListener> {
public:
    StoreProblemShower(uno::Reference<awt::XTextComponent> field, uno::Reference<awt::XFixedText> label,
                       Language language)
        : field_(std::move(field)), label_(std::move(label)), language_(language) {}
    void SAL_CALL textChanged(const awt::TextEvent&) override { show(); }
    void SAL_CALL disposing(const lang::EventObject&) override {}
    void show() noexcept {
        try {
            label_->setText(toOUString(storeLocationProblem(toUtf8(field_->getText().trim()), language_)));
        } catch (...) {
            // Nothing may escape into the Options dialog.
        }
    }

private:
    const uno::Reference<awt::XTextComponent> field_;
    const uno::Reference<awt::XFixedText> label_;
    const Language language_;
};

}  // namespace

OptionsPage::OptionsPage(uno::Reference<uno::XComponentContext> context) : context_(std::move(context)) {}

sal_Bool SAL_CALL OptionsPage::callHandlerMethod(const uno::Reference<awt::XWindow>& window, const uno::Any& event,
                                                 const OUString& methodName) {
    try {
        OUString action;
        if (methodName != "external_event" || !(event >>= action)) return false;
        if (action == "ok") {
            save(window);
        } else if (action == "initialize" || action == "back") {
            load(window, action == "initialize");
        } else {
            return false;
        }
        return true;
    } catch (...) {
        // Nothing may escape into the Options dialog.
        return false;
    }
}

void OptionsPage::load(const uno::Reference<awt::XWindow>& window, bool first) {
    const auto options = optionsNode(context_, false);
    OUString storePath;
    options->getByName("StorePath") >>= storePath;
    sal_Int32 seconds = 0;
    options->getByName("RefreshSeconds") >>= seconds;
    const auto field = control<awt::XTextComponent>(window, kStorePathControl);
    field->setText(storePath);
    control<awt::XNumericField>(window, kRefreshControl)->setValue(seconds);
    const rtl::Reference<StoreProblemShower> shower(
        new StoreProblemShower(field, control<awt::XFixedText>(window, kStoreProblemControl), officeLanguage(context_)));
    if (first) field->addTextListener(shower.get());
    shower->show();
}

void OptionsPage::save(const uno::Reference<awt::XWindow>& window) {
    const OUString storePath = control<awt::XTextComponent>(window, kStorePathControl)->getText().trim();
    const double seconds = control<awt::XNumericField>(window, kRefreshControl)->getValue();
    const auto options = optionsNode(context_, true);
    const uno::Reference<container::XNameReplace> values(options, uno::UNO_QUERY_THROW);
    // A location holding a password is never saved (the page said why); the
    // option keeps what it held.
    if (storeLocationProblem(toUtf8(storePath), Language::English).empty())
        values->replaceByName("StorePath", uno::Any(storePath));
    // The field's bounds (1 s … 1 day) keep it sensible; 0 would mean "not set".
    if (seconds >= 1) values->replaceByName("RefreshSeconds", uno::Any(static_cast<sal_Int32>(seconds)));
    uno::Reference<util::XChangesBatch>(options, uno::UNO_QUERY_THROW)->commitChanges();
}

uno::Sequence<OUString> SAL_CALL OptionsPage::getSupportedMethodNames() {
    try {
        uno::Sequence<OUString> names(1);
        names.getArray()[0] = "external_event";
        return names;
    } catch (...) {
        return {};
    }
}

OUString SAL_CALL OptionsPage::getImplementationName() { return implementationNameOf<OptionsPage>(); }

sal_Bool SAL_CALL OptionsPage::supportsService(const OUString& serviceName) {
    return supportsServiceOf(this, serviceName);
}

uno::Sequence<OUString> SAL_CALL OptionsPage::getSupportedServiceNames() { return serviceNamesOf<OptionsPage>(); }

uno::Sequence<OUString> OptionsPage::serviceNames() {
    uno::Sequence<OUString> names(1);
    names.getArray()[0] = OUString::createFromAscii(kImplementationName);
    return names;
}

}  // namespace saleskpi::addin
