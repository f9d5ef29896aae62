// One live KPI cell value: the sheet::XVolatileResult that a KPI.* function
// returns. Calc listens to it; update() tells Calc's listeners when the value
// changed, and Calc then redraws the cell and recalculates what depends on it.
//
// update() and dispose() run on the office's main thread (Calc's listeners
// expect it). The listener list is guarded; no lock is held while a listener
// is called.
#pragma once

#include <mutex>
#include <vector>

#include <com/sun/star/sheet/XResultListener.hpp>
#include <com/sun/star/sheet/XVolatileResult.hpp>
#include <cppuhelper/implbase1.hxx>

namespace saleskpi::addin {

class VolatileValue : public cppu::WeakImplHelper1<css::sheet::XVolatileResult> {
public:
    explicit VolatileValue(css::uno::Any value);

    // Stores the value and, when it differs from the last one (or always, when
    // forced), passes it to every listener. Calc then calculates the cell again,
    // which calls the function again. Listeners that fail are dropped.
    void update(const css::uno::Any& value, bool force = false);
    bool hasListeners() const;
    // Tells the listeners the value is gone and forgets them.
    void dispose();

    // XVolatileResult. A new listener gets the current value at once: Calc
    // shows what the listener holds.
    void SAL_CALL addResultListener(const css::uno::Reference<css::sheet::XResultListener>& listener) override;
    void SAL_CALL removeResultListener(const css::uno::Reference<css::sheet::XResultListener>& listener) override;

private:
    void tell(const std::vector<css::uno::Reference<css::sheet::XResultListener>>& listeners,
              const css::uno::Any& value);

    mutable std::mutex mutex_;
    css::uno::Any value_;
    std::vector<css::uno::Reference<css::sheet::XResultListener>> listeners_;
};

}  // namespace saleskpi::addin
