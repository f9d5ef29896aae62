#include "team_choice.hpp"

#include <mutex>
#include <utility>
#include <vector>

#include <cppuhelper/weakref.hxx>

using namespace css;

namespace saleskpi::addin {
namespace {

struct Choices {
    std::mutex mutex;
    std::vector<std::pair<uno::WeakReference<frame::XFrame>, std::string>> byFrame;

    // Forgets frames that are gone; the entry of `frame`, if any.
    std::string* find(const uno::Reference<frame::XFrame>& frame) {
        std::string* found = nullptr;
        for (auto it = byFrame.begin(); it != byFrame.end();) {
            const uno::Reference<frame::XFrame> alive(it->first);
            if (!alive.is()) {
                it = byFrame.erase(it);
                continue;
            }
            if (alive == frame) found = &it->second;
            ++it;
        }
        return found;
    }
};

Choices& choices() {
    // Never destroyed: static destructors run after UNO is gone.
    static Choices* const all = new Choices;
    return *all;
}

}  // namespace

void rememberSidebarTeam(const uno::Reference<frame::XFrame>& frame, const std::string& manager) {
    if (!frame.is()) return;
    Choices& all = choices();
    std::lock_guard lock(all.mutex);
    if (std::string* known = all.find(frame)) *known = manager;
    else all.byFrame.emplace_back(uno::WeakReference<frame::XFrame>(frame), manager);
}

std::optional<std::string> sidebarTeam(const uno::Reference<frame::XFrame>& frame) {
    if (!frame.is()) return std::nullopt;
    Choices& all = choices();
    std::lock_guard lock(all.mutex);
    if (const std::string* known = all.find(frame)) return *known;
    return std::nullopt;
}

}  // namespace saleskpi::addin
