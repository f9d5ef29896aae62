// The add-in's process-wide state: one StoreSession per store path, shared by
// every open document; the live values of calls whose store cannot be located;
// the main-thread poster (com.sun.star.awt.AsyncCallback, created once on the
// main thread); and the hooks that ask unlocated cells again when a document
// has finished loading or was saved, and that join every worker when the
// office terminates.
//
// Used from the thread holding the office's SolarMutex (function calls,
// document events, termination).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <vector>
#include <memory>
#include <mutex>
#include <string>

#include <com/sun/star/awt/XRequestCallback.hpp>
#include <com/sun/star/beans/XPropertySet.hpp>
#include <com/sun/star/container/XNameAccess.hpp>
#include <com/sun/star/uno/XComponentContext.hpp>
#include <com/sun/star/util/XModifyBroadcaster.hpp>
#include <com/sun/star/util/XModifyListener.hpp>

#include "store_location.hpp"
#include "store_session.hpp"

namespace saleskpi::addin {

// The extension's options (/org.saleskpi.Settings/Store).
struct ExtensionOptions {
    std::string storePath;   // empty when not set
    int refreshSeconds = 0;  // 0 when not set
};

class StoreSessions {
public:
    static StoreSessions& instance();

    // The session of a store, started on first use. nullptr once the office is
    // shutting down.
    std::shared_ptr<StoreSession> sessionFor(const css::uno::Reference<css::uno::XComponentContext>& context,
                                             const StoreLocation& location);
    // The live value of a call whose store cannot be located (location has a
    // problem): `value` until Calc asks again. A relative KPIStore cannot be
    // located while its document loads (it has no URL yet); every loaded or
    // saved document makes Calc ask these cells again.
    css::uno::Any unlocated(const css::uno::Reference<css::uno::XComponentContext>& context,
                            const StoreLocation& location, const std::string& key, const css::uno::Any& value);
    void askUnlocatedAgain();

    ExtensionOptions options(const css::uno::Reference<css::uno::XComponentContext>& context);
    // Where a document's figures come from (SPEC §8): its KPIStore property,
    // the option StorePath, the environment variable KPI_STORE. Used by the
    // cells and the sidebar alike.
    StoreLocation locate(const css::uno::Reference<css::uno::XComponentContext>& context,
                         const css::uno::Reference<css::beans::XPropertySet>& document);
    // The same for cells, read once per document and kept until something it
    // depends on may have changed: the document's properties (KPIStore), any
    // document event (a load, a save under another name, a close), the
    // extension's options. Reading it costs a fifth of a cell otherwise.
    std::shared_ptr<const StoreLocation> cellLocation(const css::uno::Reference<css::uno::XComponentContext>& context,
                                                      const css::uno::Reference<css::beans::XPropertySet>& document);
    // Drops every kept location: the next cell reads its document again.
    void forgetLocations();
    // Main thread. Releases the sessions of stores nothing uses any more — no
    // cell shows their values, no panel or job holds them, no user (report
    // sheets) claims them: their threads stop, their connections close.
    void releaseUnused();
    // Any thread: releaseUnused() on the main thread, soon (after a document
    // closed, or a session found no cell showing its values).
    void postReleaseUnused();
    // Main thread. `uses(storeKey)` says whether something other than cells
    // and panels still needs that store's session (asked by releaseUnused()).
    void addUser(std::function<bool(const std::string& storeKey)> uses);
    // The number of sessions (stores in use), for tests and the status.
    std::size_t sessionCount();
    // Stops every store's threads (waiting for all of them together at most
    // EngineHost::kStopGrace) and releases everything. Later calls of
    // sessionFor() return nullptr.
    void shutdown();

private:
    StoreSessions() = default;
    void prepare(const css::uno::Reference<css::uno::XComponentContext>& context);
    void postAskUnlocatedAgain();
    friend class DocumentWatcher;

    std::mutex mutex_;
    bool shutDown_ = false;
    bool prepared_ = false;
    css::uno::Reference<css::awt::XRequestCallback> mainThread_;
    css::uno::Reference<css::container::XNameAccess> options_;
    std::map<std::string, std::shared_ptr<StoreSession>> sessions_;
    std::vector<std::function<bool(const std::string&)>> users_;
    std::atomic<bool> releasePosted_{false};
    LiveValues unlocated_;

    // Cell locations by document (the identity of the caller's XPropertySet),
    // each with the listener on that document's properties that forgets them.
    struct KeptLocation {
        std::shared_ptr<const StoreLocation> location;
        css::uno::Reference<css::util::XModifyBroadcaster> properties;
        css::uno::Reference<css::util::XModifyListener> watcher;
    };
    std::map<const void*, KeptLocation> locations_;
    bool watchingOptions_ = false;
};

}  // namespace saleskpi::addin
