#include "store_sessions.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <utility>
#include <vector>

#include <com/sun/star/awt/AsyncCallback.hpp>
#include <com/sun/star/beans/NamedValue.hpp>
#include <com/sun/star/beans/XPropertySetInfo.hpp>
#include <com/sun/star/document/XDocumentProperties.hpp>
#include <com/sun/star/document/XDocumentPropertiesSupplier.hpp>
#include <com/sun/star/configuration/theDefaultProvider.hpp>
#include <com/sun/star/document/XDocumentEventBroadcaster.hpp>
#include <com/sun/star/document/XDocumentEventListener.hpp>
#include <com/sun/star/frame/Desktop.hpp>
#include <com/sun/star/frame/XModel.hpp>
#include <com/sun/star/frame/XTerminateListener.hpp>
#include <com/sun/star/frame/theGlobalEventBroadcaster.hpp>
#include <com/sun/star/lang/XMultiServiceFactory.hpp>
#include <com/sun/star/uno/Sequence.hxx>
#include <com/sun/star/util/XChangesListener.hpp>
#include <com/sun/star/util/XChangesNotifier.hpp>
#include <cppuhelper/implbase1.hxx>
#include <cppuhelper/implbase2.hxx>
#include <osl/file.hxx>

#include "main_thread.hpp"
#include "uno_text.hpp"

using namespace css;

namespace saleskpi::addin {
namespace {

constexpr char kOptionsNode[] = "/org.saleskpi.Settings/Store";
// How long releasing an unused store may keep the main thread (a store thread
// normally ends within milliseconds; a stuck one is left behind).
constexpr std::chrono::milliseconds kReleaseGrace{200};

// Joins every worker when the office terminates: no thread of ours may outlive
// the main loop, and AsyncCallback drops what is posted after it.
class ShutdownHook : public cppu::WeakImplHelper1<frame::XTerminateListener> {
public:
    void SAL_CALL queryTermination(const lang::EventObject&) override {}
    void SAL_CALL notifyTermination(const lang::EventObject&) override {
        try {
            StoreSessions::instance().shutdown();
        } catch (...) {
            // Shutting down regardless.
        }
    }
    void SAL_CALL disposing(const lang::EventObject&) override {}
};

// Forgets the kept cell locations when a document's properties change (the
// user-defined properties forward their changes to the document properties'
// listeners) or the extension's options do.
class LocationWatcher : public cppu::WeakImplHelper2<util::XModifyListener, util::XChangesListener> {
public:
    void SAL_CALL modified(const lang::EventObject&) override { forget(); }
    void SAL_CALL changesOccurred(const util::ChangesEvent&) override { forget(); }
    void SAL_CALL disposing(const lang::EventObject&) override { forget(); }

private:
    static void forget() noexcept {
        try {
            StoreSessions::instance().forgetLocations();
        } catch (...) {
            // Never into the office.
        }
    }
};

// The user-defined property KPIStore and the folder of a saved local document.
StoreSources documentSources(const uno::Reference<beans::XPropertySet>& document) {
    StoreSources sources;
    const uno::Reference<document::XDocumentPropertiesSupplier> supplier(document, uno::UNO_QUERY);
    if (supplier.is()) {
        const uno::Reference<beans::XPropertySet> userDefined(
            supplier->getDocumentProperties()->getUserDefinedProperties(), uno::UNO_QUERY);
        if (userDefined.is() && userDefined->getPropertySetInfo()->hasPropertyByName("KPIStore")) {
            OUString path;
            if (userDefined->getPropertyValue("KPIStore") >>= path) sources.documentProperty = toUtf8(path.trim());
        }
    }
    const uno::Reference<frame::XModel> model(document, uno::UNO_QUERY);
    if (model.is() && !model->getURL().isEmpty()) {
        OUString systemPath;
        if (osl::FileBase::getSystemPathFromFileURL(model->getURL(), systemPath) == osl::FileBase::E_None)
            sources.documentFolder = std::filesystem::path(toUtf8(systemPath)).parent_path();
    }
    return sources;
}

}  // namespace

// Notices documents that finished loading or were saved under a new name:
// their relative KPIStore can be located now.
class DocumentWatcher : public cppu::WeakImplHelper1<document::XDocumentEventListener> {
public:
    void SAL_CALL documentEventOccured(const document::DocumentEvent& event) override {
        try {
            // A hidden load (API) sends OnLoadFinished but no OnLoad.
            // Any event may change a document's URL or properties, or end it.
            StoreSessions::instance().forgetLocations();
            if (event.EventName == "OnLoadFinished" || event.EventName == "OnLoad" ||
                event.EventName == "OnSaveAsDone")
                StoreSessions::instance().postAskUnlocatedAgain();
            // A closed document may leave a store nobody uses.
            if (event.EventName == "OnUnload" || event.EventName == "OnViewClosed" ||
                event.EventName == "OnSaveAsDone")
                StoreSessions::instance().postReleaseUnused();
        } catch (...) {
            // Never into the office.
        }
    }
    void SAL_CALL disposing(const lang::EventObject&) override {}
};

StoreSessions& StoreSessions::instance() {
    // Never destroyed: at process exit, static destructors would run after the
    // UNO runtime is gone and must not release UNO references or join threads.
    // shutdown() (at office termination) releases everything instead.
    static StoreSessions* const sessions = new StoreSessions;
    return *sessions;
}

void StoreSessions::prepare(const uno::Reference<uno::XComponentContext>& context) {
    if (prepared_) return;
    prepared_ = true;
    // Created here, on the main thread, once; workers only post through it.
    mainThread_ = awt::AsyncCallback::create(context);
    frame::Desktop::create(context)->addTerminateListener(new ShutdownHook);
    frame::theGlobalEventBroadcaster::get(context)->addDocumentEventListener(new DocumentWatcher);
}

uno::Any StoreSessions::unlocated(const uno::Reference<uno::XComponentContext>& context,
                                  const StoreLocation& location, const std::string& key, const uno::Any& value) {
    {
        std::lock_guard lock(mutex_);
        if (shutDown_) return value;
        prepare(context);
    }
    // Evaluated again it would be the same: Calc must call the function anew.
    return unlocated_.get(location.key() + '\x1e' + key, [value] { return Evaluation{value}; }, value);
}

void StoreSessions::postAskUnlocatedAgain() {
    uno::Reference<awt::XRequestCallback> mainThread;
    {
        std::lock_guard lock(mutex_);
        mainThread = mainThread_;
    }
    // After the event: the document is complete (its URL set) by the time the
    // callback runs.
    if (mainThread.is())
        mainThread->addCallback(mainThreadTask([] { StoreSessions::instance().askUnlocatedAgain(); }), uno::Any());
}

void StoreSessions::askUnlocatedAgain() { unlocated_.deliver(/*force=*/true); }

std::shared_ptr<StoreSession> StoreSessions::sessionFor(const uno::Reference<uno::XComponentContext>& context,
                                                        const StoreLocation& location) {
    std::unique_lock lock(mutex_);
    if (shutDown_) return nullptr;
    if (auto found = sessions_.find(location.key()); found != sessions_.end()) return found->second;
    prepare(context);
    lock.unlock();
    const char* environment = std::getenv("KPI_REFRESH_SECONDS");
    const auto interval = refreshInterval(environment ? environment : "", options(context).refreshSeconds);
    lock.lock();
    if (shutDown_) return nullptr;
    auto& session = sessions_[location.key()];
    if (!session) {
        session = std::make_shared<StoreSession>(location, interval, mainThread_,
                                                 [] { StoreSessions::instance().postReleaseUnused(); });
        session->start();
    }
    return session;
}

void StoreSessions::addUser(std::function<bool(const std::string&)> uses) {
    std::lock_guard lock(mutex_);
    users_.push_back(std::move(uses));
}

std::size_t StoreSessions::sessionCount() {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

void StoreSessions::postReleaseUnused() {
    uno::Reference<awt::XRequestCallback> mainThread;
    {
        std::lock_guard lock(mutex_);
        mainThread = mainThread_;
    }
    if (!mainThread.is() || releasePosted_.exchange(true)) return;
    try {
        mainThread->addCallback(mainThreadTask([] { StoreSessions::instance().releaseUnused(); }), uno::Any());
    } catch (...) {
        releasePosted_ = false;
    }
}

void StoreSessions::releaseUnused() {
    releasePosted_ = false;
    // Only the map holds a candidate, and no cell listens to its values.
    std::vector<std::string> candidates;
    std::vector<std::function<bool(const std::string&)>> users;
    {
        std::lock_guard lock(mutex_);
        if (shutDown_) return;
        for (const auto& [key, session] : sessions_)
            if (session.use_count() == 1 && !session->showsInCells()) candidates.push_back(key);
        users = users_;
    }
    std::erase_if(candidates, [&](const std::string& key) {
        return std::any_of(users.begin(), users.end(), [&](const auto& uses) {
            try {
                return uses(key);
            } catch (...) {
                return true;  // when in doubt, keep it
            }
        });
    });
    std::vector<std::shared_ptr<StoreSession>> released;
    {
        std::lock_guard lock(mutex_);
        for (const auto& key : candidates) {
            const auto found = sessions_.find(key);
            if (found == sessions_.end() || found->second.use_count() != 1) continue;
            released.push_back(std::move(found->second));
            sessions_.erase(found);
        }
    }
    // Their threads stop together; a store thread stuck on a file system that
    // does not answer is left behind rather than waited for here.
    for (const auto& session : released) session->beginClose();
    const auto deadline = std::chrono::steady_clock::now() + kReleaseGrace;
    for (const auto& session : released) session->close(deadline);
}

StoreLocation StoreSessions::locate(const uno::Reference<uno::XComponentContext>& context,
                                    const uno::Reference<beans::XPropertySet>& document) {
    StoreSources sources = documentSources(document);
    sources.option = options(context).storePath;
    if (const char* environment = std::getenv("KPI_STORE")) sources.environment = environment;
    return resolveStoreLocation(sources);
}

std::shared_ptr<const StoreLocation> StoreSessions::cellLocation(const uno::Reference<uno::XComponentContext>& context,
                                                                const uno::Reference<beans::XPropertySet>& document) {
    {
        std::lock_guard lock(mutex_);
        if (!shutDown_) {
            // The document events that forget kept locations must be heard first.
            prepare(context);
            if (auto found = locations_.find(document.get()); found != locations_.end()) return found->second.location;
        }
    }
    // Watched before it is read: a change in between forgets what is read.
    uno::Reference<util::XModifyBroadcaster> properties;
    uno::Reference<util::XModifyListener> watcher;
    if (const uno::Reference<document::XDocumentPropertiesSupplier> supplier{document, uno::UNO_QUERY}; supplier.is()) {
        properties.set(supplier->getDocumentProperties(), uno::UNO_QUERY);
        if (properties.is()) {
            watcher = new LocationWatcher;
            properties->addModifyListener(watcher);
        }
    }
    auto location = std::make_shared<const StoreLocation>(locate(context, document));
    if (!watcher.is()) return location;  // nothing would say it changed: read it every time
    bool kept = false;
    {
        std::lock_guard lock(mutex_);
        if (!shutDown_ && watchingOptions_ && !locations_.count(document.get())) {
            locations_.emplace(document.get(), KeptLocation{location, properties, watcher});
            kept = true;
        }
    }
    if (!kept) properties->removeModifyListener(watcher);
    return location;
}

void StoreSessions::forgetLocations() {
    std::map<const void*, KeptLocation> locations;
    {
        std::lock_guard lock(mutex_);
        locations.swap(locations_);
    }
    // Outside the lock: the properties notify their listeners with their own held.
    for (auto& [document, kept] : locations) {
        try {
            kept.properties->removeModifyListener(kept.watcher);
        } catch (...) {
            // A closed document's properties are gone already.
        }
    }
}

ExtensionOptions StoreSessions::options(const uno::Reference<uno::XComponentContext>& context) {
    uno::Reference<container::XNameAccess> access;
    {
        std::lock_guard lock(mutex_);
        if (shutDown_) return {};
        access = options_;
    }
    if (!access.is()) {
        try {
            uno::Sequence<uno::Any> arguments(1);
            arguments.getArray()[0] <<= beans::NamedValue("nodepath", uno::Any(OUString(kOptionsNode)));
            access.set(configuration::theDefaultProvider::get(context)->createInstanceWithArguments(
                           "com.sun.star.configuration.ConfigurationAccess", arguments),
                       uno::UNO_QUERY);
        } catch (const uno::Exception&) {
            return {};  // the schema is not installed (not from the .oxt): no options
        }
        // Kept cell locations depend on the options: forget them when they change.
        bool watching = false;
        if (const uno::Reference<util::XChangesNotifier> notifier{access, uno::UNO_QUERY}; notifier.is()) {
            notifier->addChangesListener(new LocationWatcher);
            watching = true;
        }
        std::lock_guard lock(mutex_);
        options_ = access;
        watchingOptions_ = watching;
    }
    ExtensionOptions options;
    if (!access.is()) return options;
    try {
        OUString storePath;
        if (access->getByName("StorePath") >>= storePath) options.storePath = toUtf8(storePath);
        sal_Int32 seconds = 0;
        if (access->getByName("RefreshSeconds") >>= seconds) options.refreshSeconds = seconds;
    } catch (const uno::Exception&) {
        return {};
    }
    return options;
}

void StoreSessions::shutdown() {
    std::map<std::string, std::shared_ptr<StoreSession>> sessions;
    {
        std::lock_guard lock(mutex_);
        shutDown_ = true;
        sessions.swap(sessions_);
        mainThread_.clear();
        options_.clear();
    }
    forgetLocations();
    // Every store's threads stop together, within one grace period.
    for (auto& [key, session] : sessions) session->beginClose();
    const auto deadline = std::chrono::steady_clock::now() + EngineHost::kStopGrace;
    for (auto& [key, session] : sessions) session->close(deadline);
    unlocated_.dispose();
}

}  // namespace saleskpi::addin
