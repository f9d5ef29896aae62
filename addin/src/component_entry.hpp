// The entry of component.cpp's implementation table for a component class
// with a constructor taking the component context, a kImplementationName and
// a static serviceNames(). Its factory turns a C++ exception into a
// RuntimeException: nothing else may cross into the office.
#pragma once

#include <exception>

#include <com/sun/star/uno/RuntimeException.hpp>
#include <com/sun/star/uno/XComponentContext.hpp>
#include <cppuhelper/factory.hxx>
#include <cppuhelper/implementationentry.hxx>

#include "uno_text.hpp"

namespace saleskpi::addin {

template <typename Component>
cppu::ImplementationEntry componentEntry() {
    return {
        [](const css::uno::Reference<css::uno::XComponentContext>& context)
            -> css::uno::Reference<css::uno::XInterface> {
            try {
                return static_cast<cppu::OWeakObject*>(new Component(context));
            } catch (const std::exception& error) {
                throw css::uno::RuntimeException(toOUString(error.what()));
            }
        },
        []() { return OUString::createFromAscii(Component::kImplementationName); },
        []() { return Component::serviceNames(); },
        cppu::createSingleComponentFactory,
        nullptr,
        0,
    };
}

}  // namespace saleskpi::addin
