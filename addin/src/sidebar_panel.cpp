#include "sidebar_panel.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include <com/sun/star/accessibility/XAccessible.hpp>
#include <com/sun/star/awt/AsyncCallback.hpp>
#include <com/sun/star/awt/PosSize.hpp>
#include <com/sun/star/awt/Rectangle.hpp>
#include <com/sun/star/awt/Toolkit.hpp>
#include <com/sun/star/awt/VclWindowPeerAttribute.hpp>
#include <com/sun/star/awt/WindowAttribute.hpp>
#include <com/sun/star/awt/WindowDescriptor.hpp>
#include <com/sun/star/awt/XActionListener.hpp>
#include <com/sun/star/awt/XButton.hpp>
#include <com/sun/star/awt/XFixedText.hpp>
#include <com/sun/star/awt/XItemListener.hpp>
#include <com/sun/star/awt/XListBox.hpp>
#include <com/sun/star/awt/XTextComponent.hpp>
#include <com/sun/star/awt/XTextListener.hpp>
#include <com/sun/star/awt/XVclWindowPeer.hpp>
#include <com/sun/star/awt/XWindowListener.hpp>
#include <com/sun/star/beans/NamedValue.hpp>
#include <com/sun/star/beans/XPropertySet.hpp>
#include <com/sun/star/frame/XController.hpp>
#include <com/sun/star/frame/XModel.hpp>
#include <com/sun/star/lang/DisposedException.hpp>
#include <com/sun/star/lang/XComponent.hpp>
#include <com/sun/star/lang/XMultiServiceFactory.hpp>
#include <com/sun/star/ui/LayoutSize.hpp>
#include <com/sun/star/ui/UIElementType.hpp>
#include <com/sun/star/uno/RuntimeException.hpp>
#include <com/sun/star/uno/Sequence.hxx>
#include <cppuhelper/implbase4.hxx>
#include <cppuhelper/weakref.hxx>

#include "kpi/date.hpp"
#include "kpi/period.hpp"
#include "main_thread.hpp"
#include "office_language.hpp"
#include "report_sheets.hpp"
#include "sidebar_document.hpp"
#include "store_session.hpp"
#include "store_sessions.hpp"
#include "team_choice.hpp"

using namespace css;

namespace saleskpi::addin {

// Forwards one control's events to the panel, which it holds weakly: the
// controls must not keep the panel alive.
class SidebarControlEvents : public cppu::WeakImplHelper4<awt::XItemListener, awt::XActionListener, awt::XTextListener,
                                                   awt::XWindowListener> {
public:
    SidebarControlEvents(const uno::Reference<uno::XInterface>& panel, PanelControl control)
        : panel_(panel), control_(control) {}

    void SAL_CALL itemStateChanged(const awt::ItemEvent&) override { changed(); }
    void SAL_CALL actionPerformed(const awt::ActionEvent&) override { changed(); }
    void SAL_CALL textChanged(const awt::TextEvent&) override { changed(); }
    void SAL_CALL windowResized(const awt::WindowEvent&) override { resized(); }
    void SAL_CALL windowMoved(const awt::WindowEvent&) override {}
    void SAL_CALL windowShown(const lang::EventObject&) override { resized(); }
    void SAL_CALL windowHidden(const lang::EventObject&) override {}
    void SAL_CALL disposing(const lang::EventObject&) override {}

private:
    SidebarPanel* panel(uno::Reference<uno::XInterface>& hold) {
        hold = panel_;
        return dynamic_cast<SidebarPanel*>(hold.get());
    }
    void changed() noexcept {
        try {
            uno::Reference<uno::XInterface> hold;
            if (auto* target = panel(hold)) target->controlChanged(control_);
        } catch (...) {
            // Never into the office's event loop.
        }
    }
    void resized() noexcept {
        try {
            uno::Reference<uno::XInterface> hold;
            if (auto* target = panel(hold)) target->parentResized();
        } catch (...) {
            // Never into the office's event loop.
        }
    }

    uno::WeakReference<uno::XInterface> panel_;
    const PanelControl control_;
};

namespace {

// Pixels. A list line is about 18 px in the office's default UI font.
constexpr sal_Int32 kMargin = 6;
constexpr sal_Int32 kGap = 4;
constexpr sal_Int32 kRow = 26;       // a drop-down list, an edit field
constexpr sal_Int32 kText = 18;      // one line of fixed text
constexpr sal_Int32 kButton = 28;
constexpr sal_Int32 kLabelWidth = 84;
constexpr sal_Int32 kMinimalWidth = 300;  // the deck opens at least this wide
// The four lists share what is left, in these proportions, with these minima.
constexpr sal_Int32 kTeamMin = 110, kPersonMin = 90, kPayoutMin = 72, kDetailMin = 60;
constexpr sal_Int32 kTeamPreferred = 220, kPersonPreferred = 180, kPayoutPreferred = 126, kDetailPreferred = 120;

sal_Int32 fixedHeight() {
    // status (2 lines), period, custom period, team of, sort by, person header
    // (2 lines), detail header, three buttons, and the gaps between (one more
    // under the payout list).
    return 2 * kMargin + (2 * kText + kGap) + 4 * (kRow + kGap) + (2 * kText + kGap) + (kText + kGap) +
           3 * (kButton + kGap) + 4 * kGap;
}

// The toolkit's peers take their accessible name, tab stop and line breaking
// only through this (deprecated, but the one way without control models).
void setPeerProperty(const uno::Reference<awt::XWindowPeer>& peer, const char* name, const uno::Any& value) {
    const uno::Reference<awt::XVclWindowPeer> vcl(peer, uno::UNO_QUERY);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    if (vcl.is()) vcl->setProperty(OUString::createFromAscii(name), value);
#pragma GCC diagnostic pop
}

uno::Sequence<OUString> sequenceOf(const std::vector<std::string>& lines) {
    // A list box counts its entries in sal_Int16.
    const std::size_t count = std::min<std::size_t>(lines.size(), 32000);
    uno::Sequence<OUString> sequence(static_cast<sal_Int32>(count));
    for (std::size_t i = 0; i < count; ++i) sequence.getArray()[i] = toOUString(lines[i]);
    return sequence;
}

// Everything a worker job needs, copied: jobs hold no reference to the panel.
struct Job {
    std::uint64_t generation = 0;
    Language language = Language::English;
    std::shared_ptr<StoreSession> session;
    std::string storeProblem;
    std::string notice;
    SidebarRequest request;
    std::string periodProblem;  // the custom period is not a period
    std::string periodText;
    uno::Reference<awt::XRequestCallback> mainThread;
    uno::WeakReference<uno::XInterface> panel;
};

std::shared_ptr<PanelSnapshot> computeSnapshot(const Job& job, const SidebarWorker::Cancelled& cancelled) {
    const auto& texts = sidebarTexts();
    const Language language = job.language;
    auto snapshot = std::make_shared<PanelSnapshot>();
    snapshot->generation = job.generation;
    snapshot->periodText = job.periodText;
    snapshot->status = job.session ? statusLine(job.session->hostStatus(), language)
                                   : std::string(texts.noStore.in(language)) + ": " + job.storeProblem;
    if (!job.notice.empty()) snapshot->status += "\n" + job.notice;
    else if (!job.periodProblem.empty()) snapshot->status += "\n" + job.periodProblem;
    else if (job.session) {
        const auto host = job.session->hostStatus();
        if (host.data && nothingYetIn(job.request.period, host.data->latestActivity))
            snapshot->status += "\n" + std::string(texts.nothingYet.in(language));
    }

    SidebarView view;
    bool computed = false;
    if (job.session && job.periodProblem.empty()) {
        try {
            computed = job.session->queryInBackground(
                [&](kpi::Engine& engine) { view = computeSidebarView(engine, job.request, cancelled); }, cancelled);
        } catch (const std::exception& error) {
            snapshot->status += "\n" + std::string(error.what());
        }
        // The records behind the figure are read on the store's own thread,
        // at most detailLimit of them, after the engine is let go.
        if (computed && view.detailQuery && !cancelled()) {
            std::string problem;
            if (auto detail = job.session->readDetail(*view.detailQuery, job.request.detailLimit, cancelled, problem)) {
                view.detail = std::move(detail->rows);
                view.detailTotal = detail->total;
            } else if (!cancelled()) {
                snapshot->status += "\n" + problem;
            }
        }
    }
    if (cancelled() || view.cancelled) return nullptr;

    snapshot->managerLines.push_back(std::string(texts.everyone.in(language)));
    snapshot->managerCodes.push_back({});
    for (const auto& manager : view.managers) {
        snapshot->managerLines.push_back(manager.code + " " + manager.name);
        snapshot->managerCodes.push_back(manager.code);
    }
    snapshot->sortLines.push_back(std::string(texts.score.in(language)));
    snapshot->sortCodes.push_back({});
    for (const auto& info : view.kpis) {
        snapshot->sortLines.push_back(kpiName(info, language) + " (" + info.code + ")");
        snapshot->sortCodes.push_back(info.code);
    }
    for (const auto& member : view.team) {
        snapshot->teamLines.push_back(teamLine(member));
        snapshot->teamCodes.push_back(member.employee.code);
    }
    if (computed && view.team.empty()) snapshot->teamLines.push_back(std::string(texts.teamEmpty.in(language)));

    if (view.person) {
        snapshot->personCode = view.person->code;
        snapshot->personName = view.person->name;
        snapshot->personHeader = view.person->code + " " + view.person->name + " · " +
                                 std::string(texts.score.in(language)) + " " +
                                 (view.personScore ? formatNumber(*view.personScore * 100, 1, language) + "%"
                                                   : std::string("–")) +
                                 "\n" + std::string(texts.figuresLegend.in(language));
        for (const auto& figure : view.personFigures) {
            for (auto& line : personFigureLines(figure, language)) {
                snapshot->personLines.push_back(std::move(line));
                snapshot->personKpiCodes.push_back(figure.kpi.code);
            }
            snapshot->personKpis.emplace_back(figure.kpi.code, kpiName(figure.kpi, language));
        }
        if (view.personPayout) snapshot->payoutLines = payoutLines(*view.personPayout, language);
        std::string kpiLabel = view.detailKpi;
        for (const auto& info : view.kpis)
            if (info.code == view.detailKpi) kpiLabel = kpiName(info, language) + " (" + info.code + ")";
        snapshot->detailHeader = std::string(texts.recordsBehind.in(language)) + " " + kpiLabel + ": " +
                                 std::to_string(view.detailTotal);
        for (const auto& row : view.detail) snapshot->detailLines.push_back(detailLine(row, language));
        if (view.detailTotal > view.detail.size())
            snapshot->detailLines.push_back("… " + std::to_string(view.detailTotal - view.detail.size()) + " " +
                                            std::string(texts.moreRecords.in(language)));
        if (view.detailTotal == 0) snapshot->detailLines.push_back(std::string(texts.noRecords.in(language)));
    } else {
        snapshot->personHeader = std::string(texts.personHint.in(language));
    }
    return snapshot;
}

}  // namespace

// The toolkit windows of the deck.
struct SidebarPanel::Controls {
    uno::Reference<awt::XWindow> parent;
    uno::Reference<awt::XWindow> container;
    std::vector<std::pair<PanelControl, uno::Reference<awt::XWindow>>> windows;
    std::vector<rtl::Reference<SidebarControlEvents>> events;
    rtl::Reference<SidebarControlEvents> parentEvents;

    uno::Reference<awt::XWindow> window(PanelControl control) const {
        for (const auto& [role, window] : windows)
            if (role == control) return window;
        return {};
    }
    template <typename Interface>
    uno::Reference<Interface> as(PanelControl control) const {
        return uno::Reference<Interface>(window(control), uno::UNO_QUERY);
    }
};

SidebarPanel::SidebarPanel(uno::Reference<uno::XComponentContext> context, uno::Reference<frame::XFrame> frame,
                           const uno::Reference<awt::XWindow>& parentWindow, OUString resourceUrl)
    : WeakComponentImplHelper3(m_aMutex),
      context_(std::move(context)),
      frame_(std::move(frame)),
      resourceUrl_(std::move(resourceUrl)),
      language_(officeLanguage(context_)) {
    // The listeners made in build() hold this object weakly; a weak reference
    // needs a living object, so keep one for the duration.
    // (A reference made and dropped while the count is 0 would delete it.)
    osl_atomic_increment(&m_refCount);
    try {
        mainThread_ = awt::AsyncCallback::create(context_);
        build(parentWindow);
        connectStore();
        // Laid out now (a headless office never resizes it) and on every
        // resize of the parent.
        parentResized();
        requestUpdate();
    } catch (...) {
        osl_atomic_decrement(&m_refCount);
        worker_.stop();
        throw;
    }
    osl_atomic_decrement(&m_refCount);
}

SidebarPanel::~SidebarPanel() { worker_.stop(); }

void SidebarPanel::build(const uno::Reference<awt::XWindow>& parentWindow) {
    const auto& texts = sidebarTexts();
    const uno::Reference<awt::XWindowPeer> parentPeer(parentWindow, uno::UNO_QUERY_THROW);
    const uno::Reference<awt::XToolkit2> toolkit = awt::Toolkit::create(context_);
    const awt::Rectangle size = parentWindow->getPosSize();
    auto controls = std::make_unique<Controls>();
    controls->parent = parentWindow;

    // A tab page: its children are one dialog-controlled group, so Tab and
    // Shift+Tab move between them.
    const uno::Reference<awt::XWindowPeer> containerPeer = toolkit->createWindow(awt::WindowDescriptor(
        awt::WindowClass_CONTAINER, "tabpage", parentPeer, 0,
        awt::Rectangle(0, 0, std::max<sal_Int32>(size.Width, 0), std::max<sal_Int32>(size.Height, 0)),
        awt::WindowAttribute::SHOW));
    controls->container.set(containerPeer, uno::UNO_QUERY_THROW);

    const uno::Reference<uno::XInterface> self(static_cast<cppu::OWeakObject*>(this));
    const auto add = [&](PanelControl role, const char* type, sal_Int32 attributes, std::string_view accessibleName,
                         bool tabStop) {
        const uno::Reference<awt::XWindowPeer> peer = toolkit->createWindow(awt::WindowDescriptor(
            awt::WindowClass_SIMPLE, OUString::createFromAscii(type), containerPeer, 0, awt::Rectangle(0, 0, 10, 10),
            awt::WindowAttribute::SHOW | attributes));
        // A fixed text's accessible name is its text (what a screen reader
        // reads); the other controls are named after their label.
        if (!accessibleName.empty()) setPeerProperty(peer, "AccessibleName", uno::Any(toOUString(accessibleName)));
        if (tabStop) setPeerProperty(peer, "Tabstop", uno::Any(true));
        controls->windows.emplace_back(role, uno::Reference<awt::XWindow>(peer, uno::UNO_QUERY_THROW));
        rtl::Reference<SidebarControlEvents> events = new SidebarControlEvents(self, role);
        controls->events.push_back(events);
        return events;
    };
    const sal_Int32 dropDown = awt::VclWindowPeerAttribute::DROPDOWN | awt::WindowAttribute::BORDER;
    const sal_Int32 list = awt::WindowAttribute::BORDER | awt::VclWindowPeerAttribute::AUTOVSCROLL;
    const Language l = language_;

    add(PanelControl::Status, "fixedtext", 0, {}, false);
    add(PanelControl::PeriodLabel, "fixedtext", 0, {}, false);
    auto periodEvents = add(PanelControl::Period, "listbox", dropDown, texts.period.in(l), true);
    auto customEvents = add(PanelControl::CustomPeriod, "edit", awt::WindowAttribute::BORDER, texts.customHint.in(l), true);
    add(PanelControl::ManagerLabel, "fixedtext", 0, {}, false);
    auto managerEvents = add(PanelControl::Manager, "listbox", dropDown, texts.teamOf.in(l), true);
    add(PanelControl::SortLabel, "fixedtext", 0, {}, false);
    auto sortEvents = add(PanelControl::Sort, "listbox", dropDown, texts.sortBy.in(l), true);
    auto teamEvents = add(PanelControl::Team, "listbox", list, texts.team.in(l), true);
    add(PanelControl::PersonHeader, "fixedtext", 0, {}, false);
    auto personEvents = add(PanelControl::PersonFigures, "listbox", list, texts.person.in(l), true);
    add(PanelControl::Payout, "listbox", list, texts.payout.in(l), true);  // only read
    add(PanelControl::DetailHeader, "fixedtext", 0, {}, false);
    add(PanelControl::Detail, "listbox", list, texts.recordsBehind.in(l), true);  // only read
    auto refreshEvents = add(PanelControl::RefreshNow, "pushbutton", 0, texts.refreshNow.in(l), true);
    auto scorecardEvents = add(PanelControl::InsertScorecard, "pushbutton", 0, texts.insertScorecard.in(l), true);
    auto dashboardEvents = add(PanelControl::OpenDashboard, "pushbutton", 0, texts.openDashboard.in(l), true);

    // Texts that never change, and the period chooser's fixed entries.
    const auto setText = [&](PanelControl role, std::string_view text) {
        if (auto fixed = controls->as<awt::XFixedText>(role); fixed.is()) fixed->setText(toOUString(text));
    };
    setText(PanelControl::PeriodLabel, texts.period.in(l));
    setText(PanelControl::ManagerLabel, texts.teamOf.in(l));
    setText(PanelControl::SortLabel, texts.sortBy.in(l));
    setText(PanelControl::PersonHeader, texts.personHint.in(l));
    controls->as<awt::XButton>(PanelControl::RefreshNow)->setLabel(toOUString(texts.refreshNow.in(l)));
    controls->as<awt::XButton>(PanelControl::InsertScorecard)->setLabel(toOUString(texts.insertScorecard.in(l)));
    controls->as<awt::XButton>(PanelControl::OpenDashboard)->setLabel(toOUString(texts.openDashboard.in(l)));
    std::vector<std::string> periods;
    for (PeriodChoice choice : kPeriodChoices) periods.emplace_back(periodChoiceLabel(choice, l));
    const auto periodBox = controls->as<awt::XListBox>(PanelControl::Period);
    periodBox->addItems(sequenceOf(periods), 0);
    periodBox->selectItemPos(static_cast<sal_Int16>(PeriodChoice::ThisMonth), true);
    for (PanelControl role : {PanelControl::Period, PanelControl::Manager, PanelControl::Sort})
        controls->as<awt::XListBox>(role)->setDropDownLineCount(12);
    controls->window(PanelControl::CustomPeriod)->setEnable(false);
    for (PanelControl role : {PanelControl::Status, PanelControl::PersonHeader})
        setPeerProperty(uno::Reference<awt::XWindowPeer>(controls->window(role), uno::UNO_QUERY), "MultiLine",
                        uno::Any(true));

    // Listeners last: filling the period chooser above must not count as a choice.
    periodBox->addItemListener(uno::Reference<awt::XItemListener>(periodEvents.get()));
    controls->as<awt::XTextComponent>(PanelControl::CustomPeriod)->addTextListener(uno::Reference<awt::XTextListener>(customEvents.get()));
    controls->as<awt::XListBox>(PanelControl::Manager)->addItemListener(uno::Reference<awt::XItemListener>(managerEvents.get()));
    controls->as<awt::XListBox>(PanelControl::Sort)->addItemListener(uno::Reference<awt::XItemListener>(sortEvents.get()));
    controls->as<awt::XListBox>(PanelControl::Team)->addItemListener(uno::Reference<awt::XItemListener>(teamEvents.get()));
    controls->as<awt::XListBox>(PanelControl::PersonFigures)->addItemListener(uno::Reference<awt::XItemListener>(personEvents.get()));
    controls->as<awt::XButton>(PanelControl::RefreshNow)->addActionListener(uno::Reference<awt::XActionListener>(refreshEvents.get()));
    controls->as<awt::XButton>(PanelControl::InsertScorecard)->addActionListener(uno::Reference<awt::XActionListener>(scorecardEvents.get()));
    controls->as<awt::XButton>(PanelControl::OpenDashboard)->addActionListener(uno::Reference<awt::XActionListener>(dashboardEvents.get()));
    controls->parentEvents = new SidebarControlEvents(self, PanelControl::Status);
    parentWindow->addWindowListener(uno::Reference<awt::XWindowListener>(controls->parentEvents.get()));

    std::lock_guard lock(stateMutex_);
    controls_ = std::move(controls);
}

void SidebarPanel::connectStore() {
    uno::Reference<beans::XPropertySet> document;
    if (frame_.is()) {
        const uno::Reference<frame::XController> controller = frame_->getController();
        if (controller.is()) document.set(controller->getModel(), uno::UNO_QUERY);
    }
    auto& sessions = StoreSessions::instance();
    const StoreLocation location = sessions.locate(context_, document);
    std::shared_ptr<StoreSession> session;
    std::string problem = location.problem;
    if (problem.empty()) {
        session = sessions.sessionFor(context_, location);
        if (!session) problem = "the office is shutting down";
    }
    std::size_t listener = 0;
    if (session) {
        // Held weakly: the session outlives panels.
        uno::WeakReference<uno::XInterface> weak(static_cast<cppu::OWeakObject*>(this));
        listener = session->addRefreshListener([weak] {
            const uno::Reference<uno::XInterface> hold(weak);
            if (auto* panel = dynamic_cast<SidebarPanel*>(hold.get())) panel->refreshed();
        });
    }
    std::shared_ptr<StoreSession> previous;
    std::size_t previousListener = 0;
    {
        std::lock_guard lock(stateMutex_);
        previous = std::exchange(session_, session);
        previousListener = std::exchange(refreshListener_, listener);
        storeProblem_ = problem;
    }
    if (previous) previous->removeRefreshListener(previousListener);
}

// --- XUIElement, XToolPanel, XSidebarPanel ----------------------------------

uno::Reference<frame::XFrame> SAL_CALL SidebarPanel::getFrame() { return frame_; }

OUString SAL_CALL SidebarPanel::getResourceURL() { return resourceUrl_; }

sal_Int16 SAL_CALL SidebarPanel::getType() { return ui::UIElementType::TOOLPANEL; }

uno::Reference<uno::XInterface> SAL_CALL SidebarPanel::getRealInterface() {
    return uno::Reference<uno::XInterface>(static_cast<ui::XToolPanel*>(this));
}

uno::Reference<awt::XWindow> SAL_CALL SidebarPanel::getWindow() {
    try {
        std::lock_guard lock(stateMutex_);
        return controls_ ? controls_->container : uno::Reference<awt::XWindow>();
    } catch (...) {
        return {};
    }
}

uno::Reference<accessibility::XAccessible> SAL_CALL SidebarPanel::createAccessible(
    const uno::Reference<accessibility::XAccessible>&) {
    // The toolkit window is accessible itself; its children are the controls.
    try {
        return uno::Reference<accessibility::XAccessible>(getWindow(), uno::UNO_QUERY);
    } catch (...) {
        return {};
    }
}

ui::LayoutSize SAL_CALL SidebarPanel::getHeightForWidth(sal_Int32 width) {
    bool changed = false;
    try {
        std::lock_guard lock(stateMutex_);
        if (width > 0 && width != offeredWidth_) {
            offeredWidth_ = width;
            changed = true;
        }
    } catch (...) {
        // Laid out at the parent's width.
    }
    // The deck's width is what it offers here. The parent window keeps the
    // width our controls had (its size follows theirs), so a narrower deck
    // must be laid out from here or the controls never shrink.
    if (changed) parentResized();
    const sal_Int32 minimum = fixedHeight() + kTeamMin + kPersonMin + kPayoutMin + kDetailMin;
    const sal_Int32 preferred = fixedHeight() + kTeamPreferred + kPersonPreferred + kPayoutPreferred + kDetailPreferred;
    // No maximum: the lists take whatever height the deck has left.
    return ui::LayoutSize(minimum, -1, preferred);
}

sal_Int32 SAL_CALL SidebarPanel::getMinimalWidth() { return kMinimalWidth; }

// --- Layout --------------------------------------------------------------------

void SidebarPanel::parentResized() noexcept {
    try {
        uno::Reference<awt::XWindow> parent;
        {
            std::lock_guard lock(stateMutex_);
            if (disposed_ || !controls_) return;
            parent = controls_->parent;
        }
        const awt::Rectangle size = parent->getPosSize();
        sal_Int32 width = size.Width;
        {
            std::lock_guard lock(stateMutex_);
            if (offeredWidth_ > 0) width = std::min(width, offeredWidth_);
        }
        layout(width, size.Height);
    } catch (...) {
        // A window gone while resizing: nothing to lay out.
    }
}

void SidebarPanel::layout(sal_Int32 width, sal_Int32 height) {
    uno::Reference<awt::XWindow> container;
    std::vector<std::pair<PanelControl, uno::Reference<awt::XWindow>>> windows;
    {
        std::lock_guard lock(stateMutex_);
        if (disposed_ || !controls_) return;
        container = controls_->container;
        windows = controls_->windows;
    }
    if (width <= 0 || height <= 0) return;
    container->setPosSize(0, 0, width, height, awt::PosSize::POSSIZE);
    const auto place = [&](PanelControl role, sal_Int32 x, sal_Int32 y, sal_Int32 w, sal_Int32 h) {
        for (const auto& [control, window] : windows)
            if (control == role) window->setPosSize(x, y, std::max<sal_Int32>(w, 1), std::max<sal_Int32>(h, 1),
                                                    awt::PosSize::POSSIZE);
    };
    const sal_Int32 inner = std::max<sal_Int32>(width - 2 * kMargin, 1);
    const sal_Int32 field = std::max<sal_Int32>(inner - kLabelWidth - kGap, 1);
    // What the lists share: at least their minima (the deck scrolls then).
    const sal_Int32 minimumLists = kTeamMin + kPersonMin + kPayoutMin + kDetailMin;
    const sal_Int32 lists = std::max(height - fixedHeight(), minimumLists);
    const sal_Int32 extra = lists - minimumLists;
    const sal_Int32 preferredExtra = (kTeamPreferred - kTeamMin) + (kPersonPreferred - kPersonMin) +
                                     (kPayoutPreferred - kPayoutMin) + (kDetailPreferred - kDetailMin);
    const auto share = [&](sal_Int32 minimum, sal_Int32 preferred) {
        return minimum + extra * (preferred - minimum) / std::max<sal_Int32>(preferredExtra, 1);
    };
    const sal_Int32 team = share(kTeamMin, kTeamPreferred);
    const sal_Int32 person = share(kPersonMin, kPersonPreferred);
    const sal_Int32 payout = share(kPayoutMin, kPayoutPreferred);
    const sal_Int32 detail = lists - team - person - payout;

    sal_Int32 y = kMargin;
    place(PanelControl::Status, kMargin, y, inner, 2 * kText);
    y += 2 * kText + kGap;
    const auto row = [&](PanelControl label, PanelControl control) {
        place(label, kMargin, y + 4, kLabelWidth, kText);
        place(control, kMargin + kLabelWidth + kGap, y, field, kRow);
        y += kRow + kGap;
    };
    row(PanelControl::PeriodLabel, PanelControl::Period);
    place(PanelControl::CustomPeriod, kMargin + kLabelWidth + kGap, y, field, kRow);
    y += kRow + kGap;
    row(PanelControl::ManagerLabel, PanelControl::Manager);
    row(PanelControl::SortLabel, PanelControl::Sort);
    y += kGap;
    place(PanelControl::Team, kMargin, y, inner, team);
    y += team + kGap;
    place(PanelControl::PersonHeader, kMargin, y, inner, 2 * kText);
    y += 2 * kText + kGap;
    place(PanelControl::PersonFigures, kMargin, y, inner, person);
    y += person + kGap;
    place(PanelControl::Payout, kMargin, y, inner, payout);
    y += payout + kGap;
    place(PanelControl::DetailHeader, kMargin, y, inner, kText);
    y += kText + kGap;
    place(PanelControl::Detail, kMargin, y, inner, detail);
    y += detail + 2 * kGap;
    for (PanelControl button : {PanelControl::RefreshNow, PanelControl::InsertScorecard, PanelControl::OpenDashboard}) {
        place(button, kMargin, y, inner, kButton);
        y += kButton + kGap;
    }
}

// --- Choices and updates ----------------------------------------------------------

void SidebarPanel::controlChanged(PanelControl control) noexcept {
    try {
        std::shared_ptr<const PanelSnapshot> shown;
        uno::Reference<awt::XListBox> box;
        uno::Reference<awt::XWindow> customPeriod;
        {
            std::lock_guard lock(stateMutex_);
            if (disposed_ || !controls_) return;
            shown = shown_;
            box = controls_->as<awt::XListBox>(control);
            customPeriod = controls_->window(PanelControl::CustomPeriod);
        }
        switch (control) {
            case PanelControl::RefreshNow: {
                // The document's store may have been set since (KPIStore).
                connectStore();
                std::shared_ptr<StoreSession> session;
                {
                    std::lock_guard lock(stateMutex_);
                    session = session_;
                    notice_.clear();
                }
                if (session) session->refreshNow();
                requestUpdate();
                return;
            }
            case PanelControl::InsertScorecard: insertScorecard(); return;
            case PanelControl::OpenDashboard: openDashboard(); return;
            case PanelControl::CustomPeriod: {
                const uno::Reference<awt::XTextComponent> text(customPeriod, uno::UNO_QUERY);
                const std::string custom = text.is() ? toUtf8(text->getText()) : std::string();
                {
                    std::lock_guard lock(stateMutex_);
                    if (choices_.customText == custom) return;
                    choices_.customText = custom;
                }
                requestUpdate();
                return;
            }
            default: break;
        }
        if (!box.is()) return;
        const sal_Int16 position = box->getSelectedItemPos();
        if (position < 0) return;
        const auto codeAt = [&](const std::vector<std::string>& codes) -> std::optional<std::string> {
            if (static_cast<std::size_t>(position) < codes.size()) return codes[static_cast<std::size_t>(position)];
            return std::nullopt;
        };
        bool changed = false;
        std::optional<std::string> chosenTeam;
        {
            std::lock_guard lock(stateMutex_);
            const auto change = [&](std::string& field, const std::optional<std::string>& value) {
                if (value && field != *value) {
                    field = *value;
                    changed = true;
                }
            };
            switch (control) {
                case PanelControl::Period: {
                    const auto choice = static_cast<PeriodChoice>(std::min<int>(position, 4));
                    if (choice != choices_.period) {
                        choices_.period = choice;
                        changed = true;
                    }
                    break;
                }
                case PanelControl::Manager:
                    if (shown) change(choices_.manager, codeAt(shown->managerCodes));
                    chosenTeam = choices_.manager.empty() ? std::string("*") : choices_.manager;
                    break;
                case PanelControl::Sort:
                    if (shown) change(choices_.sortKpi, codeAt(shown->sortCodes));
                    break;
                case PanelControl::Team:
                    if (shown) change(choices_.person, codeAt(shown->teamCodes));
                    break;
                case PanelControl::PersonFigures:
                    if (shown) change(choices_.personKpi, codeAt(shown->personKpiCodes));
                    break;
                default: break;
            }
            if (changed) notice_.clear();
        }
        // Export statements… offers the team chosen here.
        if (chosenTeam) rememberSidebarTeam(frame_, *chosenTeam);
        if (control == PanelControl::Period && customPeriod.is())
            customPeriod->setEnable(position == static_cast<sal_Int16>(PeriodChoice::Custom));
        if (changed) requestUpdate();
    } catch (...) {
        // Never into the office's event loop.
    }
}

void SidebarPanel::refreshed() noexcept {
    try {
        requestUpdate();
    } catch (...) {
        // The next refresh tries again.
    }
}

void SidebarPanel::setNotice(std::string notice) {
    {
        std::lock_guard lock(stateMutex_);
        notice_ = std::move(notice);
    }
    requestUpdate();
}

void SidebarPanel::requestUpdate() {
    const auto& texts = sidebarTexts();
    Job job;
    {
        std::lock_guard lock(stateMutex_);
        if (disposed_) return;
        job.generation = ++generation_;
        job.language = language_;
        job.session = session_;
        job.storeProblem = storeProblem_;
        job.notice = notice_;
        job.mainThread = mainThread_;
        job.panel = uno::WeakReference<uno::XInterface>(static_cast<cppu::OWeakObject*>(this));
        const kpi::Day today = kpi::today();
        const auto period = periodOf(choices_.period, choices_.customText, today);
        if (period) {
            job.request.period = *period;
            job.periodText = kpi::formatPeriod(*period);
        } else {
            job.periodProblem = std::string(texts.customInvalid.in(language_));
        }
        job.request.manager = choices_.manager;
        job.request.sortKpi = choices_.sortKpi;
        job.request.person = choices_.person;
        job.request.personKpi = choices_.personKpi;
        job.request.today = today;
    }
    worker_.submit([job = std::move(job)](const SidebarWorker::Cancelled& cancelled) {
        auto snapshot = computeSnapshot(job, cancelled);
        if (!snapshot || cancelled()) return;
        try {
            // The snapshot reaches the panel on the main thread, if the panel is still there.
            job.mainThread->addCallback(mainThreadTask([panel = job.panel, snapshot = std::move(snapshot)] {
                                            const uno::Reference<uno::XInterface> hold(panel);
                                            if (auto* shown = dynamic_cast<SidebarPanel*>(hold.get()))
                                                shown->show(snapshot);
                                        }),
                                        uno::Any());
        } catch (...) {
            // The office is going away.
        }
    });
}

void SidebarPanel::show(const std::shared_ptr<const PanelSnapshot>& snapshot) noexcept {
    try {
        std::shared_ptr<const PanelSnapshot> previous;
        Choices choices;
        std::vector<std::pair<PanelControl, uno::Reference<awt::XWindow>>> windows;
        {
            std::lock_guard lock(stateMutex_);
            if (disposed_ || !controls_ || snapshot->generation != generation_) return;  // a newer one is coming
            previous = std::exchange(shown_, snapshot);
            choices = choices_;
            windows = controls_->windows;
        }
        const auto window = [&](PanelControl role) {
            for (const auto& [control, w] : windows)
                if (control == role) return w;
            return uno::Reference<awt::XWindow>();
        };
        const auto setText = [&](PanelControl role, const std::string& text, const std::string* before) {
            if (before && *before == text) return;
            const uno::Reference<awt::XFixedText> fixed(window(role), uno::UNO_QUERY);
            if (fixed.is()) fixed->setText(toOUString(text));
        };
        // Refills a list only when its lines changed, and selects the line of
        // `selected` among `codes` (selecting fires the list's listener, whose
        // handler sees no change and does nothing).
        const auto setLines = [&](PanelControl role, const std::vector<std::string>& lines,
                                  const std::vector<std::string>* before, const std::vector<std::string>& codes,
                                  const std::string* selected) {
            const uno::Reference<awt::XListBox> box(window(role), uno::UNO_QUERY);
            if (!box.is()) return;
            if (!before || *before != lines) {
                box->removeItems(0, box->getItemCount());
                box->addItems(sequenceOf(lines), 0);
            }
            if (!selected) return;
            const auto found = std::find(codes.begin(), codes.end(), *selected);
            if (found == codes.end()) return;
            const auto position = static_cast<sal_Int16>(found - codes.begin());
            if (box->getSelectedItemPos() != position) box->selectItemPos(position, true);
        };
        const PanelSnapshot* old = previous.get();
        setText(PanelControl::Status, snapshot->status, old ? &old->status : nullptr);
        setLines(PanelControl::Manager, snapshot->managerLines, old ? &old->managerLines : nullptr,
                 snapshot->managerCodes, &choices.manager);
        setLines(PanelControl::Sort, snapshot->sortLines, old ? &old->sortLines : nullptr, snapshot->sortCodes,
                 &choices.sortKpi);
        setLines(PanelControl::Team, snapshot->teamLines, old ? &old->teamLines : nullptr, snapshot->teamCodes,
                 &choices.person);
        setText(PanelControl::PersonHeader, snapshot->personHeader, old ? &old->personHeader : nullptr);
        setLines(PanelControl::PersonFigures, snapshot->personLines, old ? &old->personLines : nullptr,
                 snapshot->personKpiCodes, nullptr);
        setLines(PanelControl::Payout, snapshot->payoutLines, old ? &old->payoutLines : nullptr, {}, nullptr);
        setText(PanelControl::DetailHeader, snapshot->detailHeader, old ? &old->detailHeader : nullptr);
        setLines(PanelControl::Detail, snapshot->detailLines, old ? &old->detailLines : nullptr, {}, nullptr);
        if (auto button = window(PanelControl::InsertScorecard); button.is())
            button->setEnable(!snapshot->personCode.empty());
    } catch (...) {
        // Controls disposed meanwhile: nothing to show.
    }
}

// --- Buttons -----------------------------------------------------------------------

void SidebarPanel::insertScorecard() {
    const auto& texts = sidebarTexts();
    std::shared_ptr<const PanelSnapshot> shown;
    {
        std::lock_guard lock(stateMutex_);
        shown = shown_;
    }
    if (!shown || shown->personCode.empty()) {
        setNotice(std::string(texts.noPerson.in(language_)));
        return;
    }
    try {
        const uno::Reference<frame::XModel> document(frame_->getController()->getModel(), uno::UNO_SET_THROW);
        const ScorecardSpec spec{shown->personCode, shown->personName, shown->periodText, shown->personKpis};
        const OUString sheet = insertScorecardSheet(document, spec, language_);
        setNotice(std::string(texts.scorecardTitle.in(language_)) + ": " + toUtf8(sheet));
    } catch (const uno::Exception& error) {
        setNotice(toUtf8(error.Message));
    } catch (const std::exception& error) {
        setNotice(error.what());
    }
}

void SidebarPanel::openDashboard() {
    try {
        uno::Reference<frame::XModel> document;
        if (frame_.is() && frame_->getController().is()) document = frame_->getController()->getModel();
        if (!openDashboardTemplate(context_, document, language_))
            setNotice(std::string(sidebarTexts().noDashboard.in(language_)));
    } catch (const uno::Exception& error) {
        setNotice(toUtf8(error.Message));
    } catch (const std::exception& error) {
        setNotice(error.what());
    }
}

// --- Disposal --------------------------------------------------------------------------

void SAL_CALL SidebarPanel::disposing() {
    try {
        tearDown();
    } catch (...) {
        // Whatever is left goes with the object.
    }
}

void SidebarPanel::tearDown() {
    std::unique_ptr<Controls> controls;
    std::shared_ptr<StoreSession> session;
    std::size_t listener = 0;
    {
        std::lock_guard lock(stateMutex_);
        disposed_ = true;
        controls = std::move(controls_);
        session = std::move(session_);
        listener = refreshListener_;
        shown_.reset();
        mainThread_.clear();
    }
    try {
        if (session) session->removeRefreshListener(listener);
    } catch (...) {
    }
    worker_.stop();
    if (!controls) return;
    try {
        if (controls->parent.is() && controls->parentEvents.is())
            controls->parent->removeWindowListener(uno::Reference<awt::XWindowListener>(controls->parentEvents.get()));
    } catch (...) {
        // The parent went first.
    }
    for (auto& [role, window] : controls->windows) {
        try {
            uno::Reference<lang::XComponent>(window, uno::UNO_QUERY_THROW)->dispose();
        } catch (...) {
        }
    }
    try {
        uno::Reference<lang::XComponent>(controls->container, uno::UNO_QUERY_THROW)->dispose();
    } catch (...) {
    }
}

}  // namespace saleskpi::addin
