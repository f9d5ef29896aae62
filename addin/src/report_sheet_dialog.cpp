#include "report_sheet_dialog.hpp"

#include <algorithm>
#include <utility>

#include <com/sun/star/awt/XControl.hpp>
#include <com/sun/star/awt/XControlContainer.hpp>
#include <com/sun/star/awt/XDialog.hpp>
#include <com/sun/star/awt/XDialog2.hpp>
#include <com/sun/star/awt/XFixedText.hpp>
#include <com/sun/star/awt/XListBox.hpp>
#include <com/sun/star/awt/XComboBox.hpp>
#include <com/sun/star/awt/XTextComponent.hpp>
#include <com/sun/star/lang/XMultiServiceFactory.hpp>
#include <com/sun/star/uno/Sequence.hxx>
#include <cppuhelper/implbase1.hxx>
#include <rtl/ref.hxx>

#include "extension_dialog.hpp"
#include "uno_text.hpp"

using namespace css;

namespace saleskpi::addin {
namespace {

struct DialogTexts {
    LocalizedText addTitle, editTitle;
};
const DialogTexts& dialogTexts() {
    static const DialogTexts t{
        .addTitle = {"Add report sheet", "Thêm trang báo cáo"},
        .editTitle = {"Edit report sheet", "Sửa trang báo cáo"},
    };
    return t;
}


// Moves entries in and out of the dialog's controls and answers its events:
// "ok" (the OK button) and "kindChanged" (the Kind list).
class ReportSheetDialogHandler : public cppu::WeakImplHelper1<awt::XDialogEventHandler> {
public:
    explicit ReportSheetDialogHandler(const ReportSheetDialogRequest& request) : request_(request) {}

    sal_Bool SAL_CALL callHandlerMethod(const uno::Reference<awt::XDialog>& dialog, const uno::Any&,
                                        const OUString& method) override {
        try {
            if (method == "ok") {
                ok(dialog);
            } else if (method == "kindChanged") {
                showKpisFor(uno::Reference<awt::XControlContainer>(dialog, uno::UNO_QUERY_THROW));
            } else {
                return false;
            }
            return true;
        } catch (...) {
            // Nothing may escape into the dialog's event loop.
            return false;
        }
    }

    uno::Sequence<OUString> SAL_CALL getSupportedMethodNames() override {
        try {
            uno::Sequence<OUString> names(2);
            names.getArray()[0] = "ok";
            names.getArray()[1] = "kindChanged";
            return names;
        } catch (...) {
            return {};
        }
    }

    void fill(const uno::Reference<awt::XDialog>& dialog) {
        const uno::Reference<awt::XControlContainer> controls(dialog, uno::UNO_QUERY_THROW);
        const ReportSheetChoices& choices = request_.choices;
        control<awt::XListBox>(controls, "Kind")->addItems(labelsOf(choices.kinds), 0);
        control<awt::XComboBox>(controls, "Period")->addItems(labelsOf(choices.periods), 0);
        control<awt::XListBox>(controls, "Scope")->addItems(labelsOf(choices.scopes), 0);
        control<awt::XListBox>(controls, "Kpis")->addItems(labelsOf(choices.kpis), 0);

        const ReportSheetEntry& shown = *request_.shown;
        const auto sheetName = control<awt::XTextComponent>(controls, "SheetName");
        sheetName->setText(toOUString(shown.sheet));
        // The sheet edited keeps its name: its line in SalesKPI.Reports is rewritten.
        if (request_.place.editing) sheetName->setEditable(false);
        if (shown.kind >= 0) control<awt::XListBox>(controls, "Kind")->selectItemPos(shown.kind, true);
        control<awt::XTextComponent>(controls, "Period")->setText(toOUString(shown.period));
        if (shown.scope >= 0) control<awt::XListBox>(controls, "Scope")->selectItemPos(shown.scope, true);
        const auto kpis = control<awt::XListBox>(controls, "Kpis");
        for (const int kpi : shown.kpis) kpis->selectItemPos(static_cast<sal_Int16>(kpi), true);
        showKpisFor(controls);

        const DialogTexts& texts = dialogTexts();
        const std::string title = request_.place.editing
                                      ? std::string(texts.editTitle.in(request_.language)) + " — " + *request_.place.editing
                                      : std::string(texts.addTitle.in(request_.language));
        dialog->setTitle(toOUString(title));
    }

    const std::optional<ReportDefinition>& accepted() const { return accepted_; }

private:
    ReportSheetEntry entryIn(const uno::Reference<awt::XControlContainer>& controls) const {
        ReportSheetEntry entry;
        entry.sheet = toUtf8(control<awt::XTextComponent>(controls, "SheetName")->getText());
        entry.kind = control<awt::XListBox>(controls, "Kind")->getSelectedItemPos();
        entry.period = toUtf8(control<awt::XTextComponent>(controls, "Period")->getText());
        entry.scope = control<awt::XListBox>(controls, "Scope")->getSelectedItemPos();
        for (const sal_Int16 kpi : control<awt::XListBox>(controls, "Kpis")->getSelectedItemsPos())
            entry.kpis.push_back(kpi);
        return entry;
    }

    // OK: a good entry closes the dialog with its definition; a bad one keeps
    // it open and says why.
    void ok(const uno::Reference<awt::XDialog>& dialog) {
        const uno::Reference<awt::XControlContainer> controls(dialog, uno::UNO_QUERY_THROW);
        const ReportSheetCheck check = checkReportSheetEntry(entryIn(controls), request_.choices, request_.place,
                                                             request_.today, request_.language);
        control<awt::XFixedText>(controls, "Problem")->setText(toOUString(check.problem));
        if (!check.definition) return;
        accepted_ = check.definition;
        uno::Reference<awt::XDialog2>(dialog, uno::UNO_QUERY_THROW)->endDialog(1);
    }

    // The KPI list matters for daily sales and attainment only.
    void showKpisFor(const uno::Reference<awt::XControlContainer>& controls) {
        const sal_Int16 kind = control<awt::XListBox>(controls, "Kind")->getSelectedItemPos();
        bool usesKpis = true;
        if (kind >= 0 && kind < static_cast<sal_Int16>(request_.choices.kinds.size()))
            if (const auto parsed = parseReportKind(request_.choices.kinds[static_cast<std::size_t>(kind)].value))
                usesKpis = reportKindUsesKpis(*parsed);
        control<awt::XWindow>(controls, "Kpis")->setEnable(usesKpis);
        control<awt::XWindow>(controls, "KpisLabel")->setEnable(usesKpis);
    }

    // A copy: the dialog's event binding may hold the handler longer than
    // runReportSheetDialog() holds the request.
    const ReportSheetDialogRequest request_;
    std::optional<ReportDefinition> accepted_;
};

}  // namespace

std::optional<ReportDefinition> runReportSheetDialog(const uno::Reference<uno::XComponentContext>& context,
                                                     const uno::Reference<awt::XWindow>& parent,
                                                     const ReportSheetDialogRequest& request,
                                                     const uno::Reference<awt::XDialogEventHandler>& driver) {
    const rtl::Reference<ReportSheetDialogHandler> handler(new ReportSheetDialogHandler(request));
    runExtensionDialog(
        context, parent, "ReportSheet", handler.get(), [&](const uno::Reference<awt::XDialog>& d) { handler->fill(d); },
        [&] { return handler->accepted().has_value(); }, driver);
    return handler->accepted();
}

}  // namespace saleskpi::addin
