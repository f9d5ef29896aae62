// The background thread of one sidebar panel: the panel's computations run
// here, never on the office's main thread.
//
// Only the latest job matters: submit() replaces a job that has not started
// and asks the running one to stop (its `cancelled` says true), so a user
// clicking through the team never waits for stale work. stop() (also the
// destructor) cancels and joins; it returns once the running job has noticed.
//
// Thread-safe. Jobs must not throw (what escapes is swallowed) and must not
// call stop().
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace saleskpi::addin {

class SidebarWorker {
public:
    using Cancelled = std::function<bool()>;
    using Job = std::function<void(const Cancelled& cancelled)>;

    SidebarWorker();
    ~SidebarWorker();
    SidebarWorker(const SidebarWorker&) = delete;
    SidebarWorker& operator=(const SidebarWorker&) = delete;

    void submit(Job job);
    void stop();

private:
    void run() noexcept;

    std::mutex mutex_;
    std::condition_variable wake_;
    Job pending_;
    std::uint64_t generation_ = 0;  // of the latest job submitted
    bool stopRequested_ = false;
    std::thread thread_;
};

}  // namespace saleskpi::addin
