// One job at a time on a thread of its own, for a command whose work must not
// run on the office's main thread (Publish targets, Suggest targets). The
// previous job's thread is joined when the next starts. When the office
// terminates, the last one is waited for EngineHost::kStopGrace and then left
// behind (stuck on a store's file system that does not answer, it ends with the
// process) so that the office never hangs on quitting.
//
// Thread-safe. A job must not throw (what escapes is swallowed); it calls
// done() once its outcome is delivered (from any thread), so that the next can
// start.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include <com/sun/star/uno/XComponentContext.hpp>

namespace saleskpi::addin {

class BackgroundJob {
public:
    enum class Start { Started, StillRunning, ShuttingDown };

    BackgroundJob() = default;
    BackgroundJob(const BackgroundJob&) = delete;
    BackgroundJob& operator=(const BackgroundJob&) = delete;

    // Main thread. Runs `job` on a new thread unless one is still running or
    // the office is terminating.
    Start start(const css::uno::Reference<css::uno::XComponentContext>& context, std::function<void()> job);
    // The running job's outcome is delivered.
    void done();
    // True once the office terminates (a job may stop early then).
    bool shuttingDown();

private:
    void shutdown();

    std::mutex mutex_;
    std::condition_variable workerEnded_;
    std::thread worker_;
    bool workerRunning_ = false;  // the thread has not returned yet
    bool running_ = false;
    bool hooked_ = false;
    bool shutDown_ = false;
};

}  // namespace saleskpi::addin
