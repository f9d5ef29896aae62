#include "background_job.hpp"

#include <utility>

#include "engine_host.hpp"
#include "main_thread.hpp"

namespace saleskpi::addin {

BackgroundJob::Start BackgroundJob::start(const css::uno::Reference<css::uno::XComponentContext>& context,
                                          std::function<void()> job) {
    std::thread finished;
    {
        std::lock_guard lock(mutex_);
        if (shutDown_) return Start::ShuttingDown;
        if (running_) return Start::StillRunning;
        running_ = true;
        finished.swap(worker_);  // the previous job's thread, done: joined below, outside the lock
        if (!hooked_) {
            hooked_ = true;
            whenOfficeTerminates(context, [this] { shutdown(); });
        }
        workerRunning_ = true;
        worker_ = std::thread([this, job = std::move(job)] {
            // Nothing may escape a thread function: std::terminate would take
            // the office down with it.
            try {
                job();
            } catch (...) {
                done();
            }
            std::lock_guard lock(mutex_);
            workerRunning_ = false;
            workerEnded_.notify_all();
        });
    }
    if (finished.joinable()) finished.join();
    return Start::Started;
}

void BackgroundJob::done() {
    std::lock_guard lock(mutex_);
    running_ = false;
}

bool BackgroundJob::shuttingDown() {
    std::lock_guard lock(mutex_);
    return shutDown_;
}

void BackgroundJob::shutdown() {
    std::thread worker;
    bool ended = true;
    {
        std::unique_lock lock(mutex_);
        shutDown_ = true;
        worker.swap(worker_);
        if (worker.joinable())
            ended = workerEnded_.wait_for(lock, EngineHost::kStopGrace, [this] { return !workerRunning_; });
    }
    if (!worker.joinable()) return;
    if (ended) worker.join();
    else worker.detach();  // stuck on the store's file system: ends with the process
}

}  // namespace saleskpi::addin
