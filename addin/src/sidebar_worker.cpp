#include "sidebar_worker.hpp"

#include <utility>

namespace saleskpi::addin {

SidebarWorker::SidebarWorker() : thread_([this] { run(); }) {}

SidebarWorker::~SidebarWorker() { stop(); }

void SidebarWorker::submit(Job job) {
    {
        std::lock_guard lock(mutex_);
        if (stopRequested_) return;
        pending_ = std::move(job);
        ++generation_;
    }
    wake_.notify_all();
}

void SidebarWorker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopRequested_ = true;
        pending_ = nullptr;
    }
    wake_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void SidebarWorker::run() noexcept {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [this] { return stopRequested_ || pending_; });
        if (stopRequested_) return;
        Job job = std::move(pending_);
        pending_ = nullptr;
        const std::uint64_t generation = generation_;
        lock.unlock();
        const Cancelled cancelled = [this, generation] {
            std::lock_guard guard(mutex_);
            return stopRequested_ || generation_ != generation;
        };
        try {
            job(cancelled);
        } catch (...) {
            // A job that throws loses its result; the thread must live on.
        }
        job = nullptr;  // whatever the job holds is released off the lock
        lock.lock();
    }
}

}  // namespace saleskpi::addin
