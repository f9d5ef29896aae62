#include "main_thread.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <com/sun/star/awt/AsyncCallback.hpp>
#include <com/sun/star/awt/XCallback.hpp>
#include <com/sun/star/awt/XRequestCallback.hpp>
#include <com/sun/star/frame/Desktop.hpp>
#include <com/sun/star/frame/XTerminateListener.hpp>
#include <cppuhelper/implbase1.hxx>

using namespace css;

namespace saleskpi::addin {
namespace {

// The main thread, as seen running a posted task; until then unknown.
std::atomic<std::thread::id> seenMainThread{};

class Task : public cppu::WeakImplHelper1<awt::XCallback> {
public:
    explicit Task(std::function<void()> task) : task_(std::move(task)) {}
    void SAL_CALL notify(const uno::Any&) override {
        seenMainThread = std::this_thread::get_id();
        try {
            task_();
        } catch (...) {
            // Nothing may escape into the office's event loop.
        }
    }

private:
    std::function<void()> task_;
};

// Process-wide; never destroyed (static destructors run after UNO is gone).
struct Office {
    std::mutex mutex;
    bool terminated = false;
    bool listening = false;
    uno::Reference<awt::XRequestCallback> mainThread;
    std::vector<std::function<void()>> atTermination;
};

Office& office() {
    static Office* const instance = new Office;
    return *instance;
}

class TerminationHook : public cppu::WeakImplHelper1<frame::XTerminateListener> {
public:
    void SAL_CALL queryTermination(const lang::EventObject&) override {}
    void SAL_CALL notifyTermination(const lang::EventObject&) override {
        std::vector<std::function<void()>> tasks;
        {
            std::lock_guard lock(office().mutex);
            office().terminated = true;
            office().mainThread.clear();
            tasks.swap(office().atTermination);
        }
        for (auto& task : tasks) {
            try {
                task();
            } catch (...) {
                // Terminating regardless.
            }
        }
    }
    void SAL_CALL disposing(const lang::EventObject&) override {}
};

}  // namespace

bool postToMainThread(const uno::Reference<uno::XComponentContext>& context, std::function<void()> task) {
    uno::Reference<awt::XRequestCallback> mainThread;
    {
        std::lock_guard lock(office().mutex);
        if (office().terminated) return false;
        if (!office().mainThread.is()) office().mainThread = awt::AsyncCallback::create(context);
        mainThread = office().mainThread;
    }
    mainThread->addCallback(new Task(std::move(task)), uno::Any());
    return true;
}

uno::Reference<awt::XCallback> mainThreadTask(std::function<void()> task) { return new Task(std::move(task)); }

bool onMainThread() {
    const std::thread::id seen = seenMainThread;
    if (seen != std::thread::id()) return seen == std::this_thread::get_id();
    // Before any task ran: LibreOffice's event loop runs on the process's
    // first thread.
    return static_cast<pid_t>(::syscall(SYS_gettid)) == ::getpid();
}

void whenOfficeTerminates(const uno::Reference<uno::XComponentContext>& context, std::function<void()> task) {
    bool listen = false;
    {
        std::lock_guard lock(office().mutex);
        if (office().terminated) return;
        office().atTermination.push_back(std::move(task));
        listen = !office().listening;
        office().listening = true;
    }
    if (listen) frame::Desktop::create(context)->addTerminateListener(new TerminationHook);
}

}  // namespace saleskpi::addin
