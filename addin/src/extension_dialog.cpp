#include "extension_dialog.hpp"

#include <algorithm>
#include <string>

#include <com/sun/star/awt/DialogProvider2.hpp>
#include <com/sun/star/beans/NamedValue.hpp>
#include <com/sun/star/deployment/PackageInformationProvider.hpp>
#include <com/sun/star/lang/XComponent.hpp>
#include <com/sun/star/uno/Sequence.hxx>

#include "uno_text.hpp"

using namespace css;

namespace saleskpi::addin {
namespace {

constexpr char kExtensionId[] = "org.saleskpi.extension";
constexpr int kMaxDriverPresses = 10;

// Disposes the dialog however the run ends.
struct DialogDisposer {
    uno::Reference<lang::XComponent> dialog;
    ~DialogDisposer() {
        try {
            if (dialog.is()) dialog->dispose();
        } catch (...) {
        }
    }
};

}  // namespace

void runExtensionDialog(const uno::Reference<uno::XComponentContext>& context,
                        const uno::Reference<awt::XWindow>& parent, std::string_view xdlName,
                        const uno::Reference<awt::XDialogEventHandler>& handler,
                        const std::function<void(const uno::Reference<awt::XDialog>&)>& fill,
                        const std::function<bool()>& accepted,
                        const uno::Reference<awt::XDialogEventHandler>& driver) {
    const OUString url = deployment::PackageInformationProvider::get(context)->getPackageLocation(kExtensionId) +
                         "/dialogs/" + toOUString(xdlName) + ".xdl";
    uno::Sequence<beans::NamedValue> arguments(2);
    arguments.getArray()[0] = beans::NamedValue("ParentWindow", uno::Any(parent));
    arguments.getArray()[1] = beans::NamedValue("EventHandler", uno::Any(uno::Reference<uno::XInterface>(handler)));
    const uno::Reference<awt::XDialog> dialog =
        awt::DialogProvider2::create(context)->createDialogWithArguments(url, arguments);
    if (!dialog.is()) throw uno::RuntimeException("cannot open the dialog " + url);
    const DialogDisposer disposer{uno::Reference<lang::XComponent>(dialog, uno::UNO_QUERY)};
    fill(dialog);
    if (!driver.is()) {
        dialog->execute();
        return;
    }
    for (int press = 0; press < kMaxDriverPresses; ++press) {
        if (!driver->callHandlerMethod(dialog, uno::Any(), "press")) return;  // Cancel
        handler->callHandlerMethod(dialog, uno::Any(), "ok");
        if (accepted()) return;
    }
}

uno::Sequence<OUString> labelsOf(const std::vector<FormOption>& options) {
    const std::size_t count = std::min<std::size_t>(options.size(), 32000);
    uno::Sequence<OUString> labels(static_cast<sal_Int32>(count));
    for (std::size_t i = 0; i < count; ++i) labels.getArray()[i] = toOUString(options[i].label);
    return labels;
}

}  // namespace saleskpi::addin
