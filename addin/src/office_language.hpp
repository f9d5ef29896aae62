// The language the office's user interface speaks, for the extension's own
// labels and messages (the sidebar, the report sheet dialog, commands).
#pragma once

#include <com/sun/star/uno/XComponentContext.hpp>

#include "function_catalog.hpp"

namespace saleskpi::addin {

// The user's choice (Tools ▸ Options ▸ Language Settings ▸ User interface),
// else the language the office was installed with; English for anything but
// Vietnamese. Reads the configuration: main thread or any thread, never throws.
Language officeLanguage(const css::uno::Reference<css::uno::XComponentContext>& context);

}  // namespace saleskpi::addin
