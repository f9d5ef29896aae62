#include "volatile_value.hpp"

#include <algorithm>
#include <utility>

#include <com/sun/star/lang/EventObject.hpp>
#include <com/sun/star/sheet/ResultEvent.hpp>

using namespace css;

namespace saleskpi::addin {

VolatileValue::VolatileValue(uno::Any value) : value_(std::move(value)) {}

void VolatileValue::update(const uno::Any& value, bool force) {
    std::vector<uno::Reference<sheet::XResultListener>> listeners;
    {
        std::lock_guard lock(mutex_);
        if (value == value_ && !force) return;
        value_ = value;
        listeners = listeners_;
    }
    tell(listeners, value);
}

bool VolatileValue::hasListeners() const {
    std::lock_guard lock(mutex_);
    return !listeners_.empty();
}

void VolatileValue::dispose() {
    std::vector<uno::Reference<sheet::XResultListener>> listeners;
    {
        std::lock_guard lock(mutex_);
        listeners.swap(listeners_);
    }
    const lang::EventObject event(static_cast<cppu::OWeakObject*>(this));
    for (const auto& listener : listeners) {
        try {
            listener->disposing(event);
        } catch (...) {
            // A listener that is gone already needs no goodbye.
        }
    }
}

void SAL_CALL VolatileValue::addResultListener(const uno::Reference<sheet::XResultListener>& listener) {
    if (!listener.is()) return;
    try {
        uno::Any value;
        {
            std::lock_guard lock(mutex_);
            listeners_.push_back(listener);
            value = value_;
        }
        tell({listener}, value);
    } catch (...) {
        // An entry point of the office: nothing may escape.
    }
}

void SAL_CALL VolatileValue::removeResultListener(const uno::Reference<sheet::XResultListener>& listener) {
    try {
        std::lock_guard lock(mutex_);
        listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), listener), listeners_.end());
    } catch (...) {
        // An entry point of the office: nothing may escape.
    }
}

void VolatileValue::tell(const std::vector<uno::Reference<sheet::XResultListener>>& listeners,
                         const uno::Any& value) {
    const sheet::ResultEvent event(static_cast<cppu::OWeakObject*>(this), value);
    for (const auto& listener : listeners) {
        try {
            listener->modified(event);
        } catch (...) {
            removeResultListener(listener);
        }
    }
}

}  // namespace saleskpi::addin
