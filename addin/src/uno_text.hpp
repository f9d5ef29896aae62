// UTF-8 ⇄ OUString. The engine speaks UTF-8; an OUString built from a narrow
// literal would read it as Latin-1 and garble Vietnamese text.
#pragma once

#include <string>
#include <string_view>

#include <rtl/string.hxx>
#include <rtl/textenc.h>
#include <rtl/ustring.hxx>

namespace saleskpi::addin {

using rtl::OUString;

// Invalid UTF-8 is replaced, never asserted on: store data is not ours to trust.
inline OUString toOUString(std::string_view utf8) {
    return rtl::OStringToOUString(rtl::OString(utf8.data(), static_cast<sal_Int32>(utf8.size())),
                                  RTL_TEXTENCODING_UTF8);
}

inline std::string toUtf8(const OUString& text) {
    const rtl::OString utf8 = rtl::OUStringToOString(text, RTL_TEXTENCODING_UTF8);
    return std::string(utf8.getStr(), static_cast<std::size_t>(utf8.getLength()));
}

}  // namespace saleskpi::addin
