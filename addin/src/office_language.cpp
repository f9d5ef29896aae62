#include "office_language.hpp"

#include <string>

#include <com/sun/star/beans/NamedValue.hpp>
#include <com/sun/star/configuration/theDefaultProvider.hpp>
#include <com/sun/star/container/XNameAccess.hpp>
#include <com/sun/star/lang/XMultiServiceFactory.hpp>
#include <com/sun/star/uno/Sequence.hxx>

#include "uno_text.hpp"

using namespace css;

namespace saleskpi::addin {
namespace {

// One string property of a configuration node; empty when it is not set or
// the configuration cannot be read.
std::string configured(const uno::Reference<uno::XComponentContext>& context, const char* node,
                       const char* property) {
    try {
        uno::Sequence<uno::Any> arguments(1);
        arguments.getArray()[0] <<= beans::NamedValue("nodepath", uno::Any(rtl::OUString::createFromAscii(node)));
        const uno::Reference<container::XNameAccess> access(
            configuration::theDefaultProvider::get(context)->createInstanceWithArguments(
                "com.sun.star.configuration.ConfigurationAccess", arguments),
            uno::UNO_QUERY);
        rtl::OUString value;
        if (access.is() && (access->getByName(rtl::OUString::createFromAscii(property)) >>= value))
            return toUtf8(value);
    } catch (const uno::Exception&) {
        // Not set: the caller tries the next source.
    }
    return {};
}

}  // namespace

Language officeLanguage(const uno::Reference<uno::XComponentContext>& context) {
    std::string language = configured(context, "/org.openoffice.Office.Linguistic/General", "UILocale");
    if (language.empty()) language = configured(context, "/org.openoffice.Setup/L10N", "ooLocale");
    return languageOf(language);
}

}  // namespace saleskpi::addin
