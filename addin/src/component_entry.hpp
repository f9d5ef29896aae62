// The entry of component.cpp's implementation table for a component class
// with a constructor taking the component context, a kImplementationName and
// a static serviceNames(). Its factory turns a C++ exception into a
// RuntimeException: nothing else may cross into the office. And the
// component's XServiceInfo answers, from the same two members, never throwing.
#pragma once

#include <exception>

#include <com/sun/star/lang/XServiceInfo.hpp>
#include <com/sun/star/uno/RuntimeException.hpp>
#include <com/sun/star/uno/Sequence.hxx>
#include <com/sun/star/uno/XComponentContext.hpp>
#include <cppuhelper/factory.hxx>
#include <cppuhelper/implementationentry.hxx>
#include <cppuhelper/supportsservice.hxx>

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

// XServiceInfo of such a component: getImplementationName(),
// getSupportedServiceNames() and supportsService() return these.
template <typename Component>
OUString implementationNameOf() noexcept {
    try {
        return OUString::createFromAscii(Component::kImplementationName);
    } catch (...) {
        return {};
    }
}

template <typename Component>
css::uno::Sequence<OUString> serviceNamesOf() noexcept {
    try {
        return Component::serviceNames();
    } catch (...) {
        return {};
    }
}

inline sal_Bool supportsServiceOf(css::lang::XServiceInfo* component, const OUString& serviceName) noexcept {
    try {
        return cppu::supportsService(component, serviceName);
    } catch (...) {
        return false;
    }
}

}  // namespace saleskpi::addin
