// The SalesKPI sidebar panel (SPEC §8): store status and data time, a period
// chooser, the team under a manager with attainment bars, one person's KPIs
// and payout for the period (sidebar_view.hpp: payoutLines), the records
// behind one of the KPIs, and the buttons "Refresh now", "Insert
// scorecard sheet for this person" and "Open dashboard template".
//
// Built from plain toolkit windows (fixed texts, list boxes, an edit field and
// push buttons inside a tab-page container, so Tab moves between them and the
// office's accessibility tree shows every line). The bars are text
// ("████████░░  82%"), readable by screen readers and at any width.
//
// Threads: the office calls the UNO methods on its main thread (the sidebar)
// or on a bridge thread (remote clients, tests); toolkit events arrive on the
// main thread. Everything the panel shows is computed by its SidebarWorker
// from the store's shared engine (StoreSession::queryInBackground) and handed
// to the main thread through com.sun.star.awt.AsyncCallback, where it is only
// copied into the controls. The panel's own state is guarded by a mutex that
// is never held while calling into the office. dispose() stops and joins the
// worker: no thread outlives the panel.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <com/sun/star/awt/XRequestCallback.hpp>
#include <com/sun/star/awt/XWindow.hpp>
#include <com/sun/star/awt/XWindowPeer.hpp>
#include <com/sun/star/frame/XFrame.hpp>
#include <com/sun/star/ui/XSidebarPanel.hpp>
#include <com/sun/star/ui/XToolPanel.hpp>
#include <com/sun/star/ui/XUIElement.hpp>
#include <com/sun/star/uno/XComponentContext.hpp>
#include <cppuhelper/basemutex.hxx>
#include <cppuhelper/compbase3.hxx>

#include "function_catalog.hpp"
#include "sidebar_view.hpp"
#include "sidebar_worker.hpp"
#include "uno_text.hpp"

namespace saleskpi::addin {

class StoreSession;

// The deck's controls, by role.
enum class PanelControl {
    Status, PeriodLabel, Period, CustomPeriod, ManagerLabel, Manager, SortLabel, Sort, Team,
    PersonHeader, PersonFigures, Payout, DetailHeader, Detail, RefreshNow, InsertScorecard, OpenDashboard,
};

// What the worker computed, as the lines the controls show.
struct PanelSnapshot {
    std::uint64_t generation = 0;  // of the request it answers
    std::string status;
    std::vector<std::string> managerLines, managerCodes;  // "Everyone" first (code "")
    std::vector<std::string> sortLines, sortCodes;        // "Score" first (code "")
    std::vector<std::string> teamLines, teamCodes;
    std::string personHeader;
    std::vector<std::string> personLines, personKpiCodes;  // two lines per KPI
    std::vector<std::string> payoutLines;                  // the person's payout (payoutLines())
    std::string detailHeader;
    std::vector<std::string> detailLines;
    std::string personCode, personName;  // "" when no person is open
    std::vector<std::pair<std::string, std::string>> personKpis;  // code, name: the scorecard's rows
    std::string periodText;  // the period asked for, in the period grammar
};

class SidebarPanel : public cppu::BaseMutex,
                     public cppu::WeakComponentImplHelper3<css::ui::XUIElement, css::ui::XToolPanel,
                                                           css::ui::XSidebarPanel> {
public:
    // Builds the controls inside parentWindow and starts computing. Throws
    // uno::RuntimeException when the controls cannot be made.
    SidebarPanel(css::uno::Reference<css::uno::XComponentContext> context, css::uno::Reference<css::frame::XFrame> frame,
                 const css::uno::Reference<css::awt::XWindow>& parentWindow, OUString resourceUrl);
    ~SidebarPanel() override;

    // XUIElement
    css::uno::Reference<css::frame::XFrame> SAL_CALL getFrame() override;
    OUString SAL_CALL getResourceURL() override;
    sal_Int16 SAL_CALL getType() override;
    css::uno::Reference<css::uno::XInterface> SAL_CALL getRealInterface() override;

    // XToolPanel
    css::uno::Reference<css::awt::XWindow> SAL_CALL getWindow() override;
    css::uno::Reference<css::accessibility::XAccessible> SAL_CALL createAccessible(
        const css::uno::Reference<css::accessibility::XAccessible>& parentAccessible) override;

    // XSidebarPanel
    css::ui::LayoutSize SAL_CALL getHeightForWidth(sal_Int32 width) override;
    sal_Int32 SAL_CALL getMinimalWidth() override;

    // From the controls' listeners and the store's refresh (main thread).
    // Never throw.
    void controlChanged(PanelControl control) noexcept;
    void parentResized() noexcept;
    void refreshed() noexcept;
    // From the worker, through AsyncCallback (main thread). Never throws.
    void show(const std::shared_ptr<const PanelSnapshot>& snapshot) noexcept;

private:
    void SAL_CALL disposing() override;
    // Stops the worker, leaves the store, disposes the controls.
    void tearDown();

    struct Controls;
    struct Choices {
        PeriodChoice period = PeriodChoice::ThisMonth;
        std::string customText;
        std::string manager, sortKpi, person, personKpi;
    };

    void build(const css::uno::Reference<css::awt::XWindow>& parentWindow);
    void connectStore();
    void layout(sal_Int32 width, sal_Int32 height);
    void requestUpdate();
    void insertScorecard();
    void openDashboard();
    void setNotice(std::string notice);

    const css::uno::Reference<css::uno::XComponentContext> context_;
    const css::uno::Reference<css::frame::XFrame> frame_;
    const OUString resourceUrl_;
    const Language language_;

    std::mutex stateMutex_;  // guards everything below; never held while calling the office
    bool disposed_ = false;
    std::unique_ptr<Controls> controls_;
    css::uno::Reference<css::awt::XRequestCallback> mainThread_;
    std::shared_ptr<StoreSession> session_;
    std::string storeProblem_;  // why there is no session
    std::size_t refreshListener_ = 0;
    Choices choices_;
    std::shared_ptr<const PanelSnapshot> shown_;
    std::uint64_t generation_ = 0;
    std::string notice_;  // the outcome of the last button, shown under the status
    sal_Int32 offeredWidth_ = 0;  // the width the deck last offered (getHeightForWidth)

    SidebarWorker worker_;
};

}  // namespace saleskpi::addin
