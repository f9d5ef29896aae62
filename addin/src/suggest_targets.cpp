#include "suggest_targets.hpp"

#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include <com/sun/star/awt/XComboBox.hpp>
#include <com/sun/star/awt/XControlContainer.hpp>
#include <com/sun/star/awt/XDialog.hpp>
#include <com/sun/star/awt/XDialog2.hpp>
#include <com/sun/star/awt/XDialogEventHandler.hpp>
#include <com/sun/star/awt/XFixedText.hpp>
#include <com/sun/star/awt/XListBox.hpp>
#include <com/sun/star/awt/XTextComponent.hpp>
#include <com/sun/star/beans/XPropertySet.hpp>
#include <com/sun/star/document/XUndoManager.hpp>
#include <com/sun/star/document/XUndoManagerSupplier.hpp>
#include <com/sun/star/lang/Locale.hpp>
#include <com/sun/star/sheet/XSpreadsheet.hpp>
#include <com/sun/star/sheet/XSpreadsheetDocument.hpp>
#include <com/sun/star/table/XCell.hpp>
#include <com/sun/star/text/XText.hpp>
#include <com/sun/star/util/XNumberFormats.hpp>
#include <com/sun/star/util/XNumberFormatsSupplier.hpp>
#include <cppuhelper/implbase1.hxx>
#include <rtl/ref.hxx>

#include "kpi/recommend.hpp"
#include "extension_dialog.hpp"
#include "kpi_functions.hpp"
#include "main_thread.hpp"
#include "office_language.hpp"
#include "report_documents.hpp"
#include "store_session.hpp"
#include "store_sessions.hpp"
#include "target_suggestions.hpp"
#include "targets_publisher.hpp"
#include "uno_text.hpp"

using namespace css;

namespace saleskpi::addin {
namespace {

struct Texts {
    LocalizedText cannot, notLoaded, running, shuttingDown, cancelled, unknownScope, badPeriod, suggested, newRows,
        keptRows, review, withoutBasis, nothing, undo, everyone, teamOf;
};
const Texts& texts() {
    static const Texts t{
        .cannot = {"Cannot suggest targets: ", "Không thể gợi ý chỉ tiêu: "},
        .notLoaded = {"the store's figures are not loaded yet (try again in a moment)",
                      "số liệu của kho dữ liệu chưa được nạp xong (hãy thử lại sau giây lát)"},
        .running = {"another suggestion is still being computed; try again when it has finished",
                    "một lần gợi ý khác vẫn đang được tính; hãy thử lại khi xong"},
        .shuttingDown = {"the office is shutting down", "ứng dụng đang đóng"},
        .cancelled = {"No targets were suggested.", "Không có chỉ tiêu nào được gợi ý."},
        .unknownScope = {"unknown employee", "không có nhân viên"},
        .badPeriod = {"is not a week, month, quarter or year (or next_month, this_month, next_quarter, next_week)",
                      "không phải là một tuần, tháng, quý hay năm (hoặc next_month, this_month, next_quarter, "
                      "next_week)"},
        .suggested = {"Suggested %d targets for %s (%s) in the Targets sheet: ",
                      "Đã gợi ý %d chỉ tiêu cho %s (%s) trong trang Targets: "},
        .newRows = {"%d new rows", "%d dòng mới"},
        .keptRows = {"%d rows it had (their targets kept)", "%d dòng đã có (giữ nguyên chỉ tiêu)"},
        .review = {"Review the target column, then SalesKPI ▸ Publish targets.",
                   "Hãy xem lại cột target rồi chọn SalesKPI ▸ Xuất bản chỉ tiêu."},
        .withoutBasis = {"%d had no history to suggest from (kpi recommend says why).",
                         "%d chỉ tiêu không có lịch sử để gợi ý (lệnh kpi recommend cho biết lý do)."},
        .nothing = {"no one of the scope has a target of this period's type to suggest",
                    "không ai trong phạm vi có chỉ tiêu thuộc loại kỳ này để gợi ý"},
        .undo = {"Suggest targets", "Gợi ý chỉ tiêu"},
        .everyone = {"everyone", "toàn công ty"},
        .teamOf = {"team of", "nhóm của"},
    };
    return t;
}

std::string in(const LocalizedText& text, Language language) { return std::string(text.in(language)); }

std::string printf1(const LocalizedText& pattern, Language language, int n) {
    char buf[300];
    std::snprintf(buf, sizeof buf, std::string(pattern.in(language)).c_str(), n);
    return buf;
}

std::string argument(const uno::Sequence<beans::PropertyValue>& arguments, const char* name, bool& given) {
    for (const auto& value : arguments) {
        OUString text;
        if (value.Name.equalsAscii(name) && (value.Value >>= text)) {
            given = true;
            return toUtf8(text.trim());
        }
    }
    return {};
}


// Moves the entry in and out of the dialog's controls; "ok" checks it.
class SuggestDialogHandler : public cppu::WeakImplHelper1<awt::XDialogEventHandler> {
public:
    SuggestDialogHandler(SuggestChoices choices, kpi::Day today, Language language)
        : choices_(std::move(choices)), today_(today), language_(language) {}

    sal_Bool SAL_CALL callHandlerMethod(const uno::Reference<awt::XDialog>& dialog, const uno::Any&,
                                        const OUString& method) override {
        try {
            if (method != "ok") return false;
            const uno::Reference<awt::XControlContainer> controls(dialog, uno::UNO_QUERY_THROW);
            SuggestEntry entry;
            entry.period = toUtf8(control<awt::XTextComponent>(controls, "Period")->getText());
            entry.scope = control<awt::XListBox>(controls, "Scope")->getSelectedItemPos();
            const SuggestCheck check = checkSuggestEntry(entry, choices_, today_, language_);
            control<awt::XFixedText>(controls, "Problem")->setText(toOUString(check.problem));
            if (check.request) {
                accepted_ = check.request;
                uno::Reference<awt::XDialog2>(dialog, uno::UNO_QUERY_THROW)->endDialog(1);
            }
            return true;
        } catch (...) {
            return false;  // nothing may escape into the dialog's event loop
        }
    }

    uno::Sequence<OUString> SAL_CALL getSupportedMethodNames() override {
        try {
            uno::Sequence<OUString> names(1);
            names.getArray()[0] = "ok";
            return names;
        } catch (...) {
            return {};
        }
    }

    void fill(const uno::Reference<awt::XDialog>& dialog) {
        const uno::Reference<awt::XControlContainer> controls(dialog, uno::UNO_QUERY_THROW);
        control<awt::XComboBox>(controls, "Period")->addItems(labelsOf(choices_.periods), 0);
        control<awt::XTextComponent>(controls, "Period")->setText(toOUString(choices_.periods.front().label));
        const auto scope = control<awt::XListBox>(controls, "Scope");
        scope->addItems(labelsOf(choices_.scopes), 0);
        scope->selectItemPos(0, true);
    }

    const std::optional<SuggestRequest>& accepted() const { return accepted_; }

private:
    const SuggestChoices choices_;
    const kpi::Day today_;
    const Language language_;
    std::optional<SuggestRequest> accepted_;
};

std::optional<SuggestRequest> runDialog(const uno::Reference<uno::XComponentContext>& context,
                                        const uno::Reference<awt::XWindow>& parent, SuggestChoices choices,
                                        kpi::Day today, Language language,
                                        const uno::Reference<awt::XDialogEventHandler>& driver) {
    const rtl::Reference<SuggestDialogHandler> handler(new SuggestDialogHandler(std::move(choices), today, language));
    runExtensionDialog(
        context, parent, "SuggestTargets", handler.get(), [&](const uno::Reference<awt::XDialog>& d) { handler->fill(d); },
        [&] { return handler->accepted().has_value(); }, driver);
    return handler->accepted();
}

// Ends the undo context however the writing ends.
struct UndoStep {
    uno::Reference<document::XUndoManager> manager;
    UndoStep(const uno::Reference<frame::XModel>& document, const std::string& title) {
        const uno::Reference<document::XUndoManagerSupplier> supplier(document, uno::UNO_QUERY);
        if (supplier.is()) manager = supplier->getUndoManager();
        if (manager.is()) manager->enterUndoContext(toOUString(title));
    }
    ~UndoStep() {
        try {
            if (manager.is()) manager->leaveUndoContext();
        } catch (...) {
        }
    }
};

// Writes the plan into the Targets sheet, as one step of Edit ▸ Undo.
void write(const uno::Reference<frame::XModel>& document, const SuggestionPlan& plan, Language language) {
    const auto sheets = uno::Reference<sheet::XSpreadsheetDocument>(document, uno::UNO_QUERY_THROW)->getSheets();
    const uno::Reference<sheet::XSpreadsheet> sheet(sheets->getByName(toOUString(kTargetsSheetName)),
                                                    uno::UNO_QUERY_THROW);
    const auto formats =
        uno::Reference<util::XNumberFormatsSupplier>(document, uno::UNO_QUERY_THROW)->getNumberFormats();
    sal_Int32 dateFormat = formats->queryKey("YYYY-MM-DD", lang::Locale(), false);
    if (dateFormat < 0) dateFormat = formats->addNew("YYYY-MM-DD", lang::Locale());
    const UndoStep undo(document, in(texts().undo, language));
    for (const SheetWrite& w : plan.writes) {
        const uno::Reference<table::XCell> cell = sheet->getCellByPosition(w.column, w.row);
        switch (w.kind) {
        case SheetWrite::Kind::Text:
            uno::Reference<text::XText>(cell, uno::UNO_QUERY_THROW)->setString(toOUString(w.text));
            break;
        case SheetWrite::Kind::Number: cell->setValue(w.number); break;
        case SheetWrite::Kind::Date:
            cell->setValue(w.number);
            uno::Reference<beans::XPropertySet>(cell, uno::UNO_QUERY_THROW)
                ->setPropertyValue("NumberFormat", uno::Any(dateFormat));
            break;
        case SheetWrite::Kind::Formula: cell->setFormula(toOUString(w.text)); break;
        }
    }
}

std::string scopeText(const std::string& scope, const std::vector<kpi::EmployeeInfo>& employees, Language language) {
    if (scope == "*") return in(texts().everyone, language);
    for (const auto& e : employees)
        if (e.code == scope) {
            for (const auto& other : employees)
                if (other.managerCode == scope) return in(texts().teamOf, language) + " " + scope + " " + e.name;
            return scope + " " + e.name;
        }
    return scope;
}

// Main thread: the sheet written with the suggestions, and the outcome said.
void writeSuggestions(const uno::Reference<frame::XModel>& document, const std::vector<kpi::Recommendation>& rows,
                      const SuggestRequest& request, const std::vector<kpi::EmployeeInfo>& employees,
                      Language language, Language sheetLanguage, const TargetSuggester::Done& done) {
    try {
        const SuggestionPlan plan =
            planSuggestions(readTargetsCells(document), rows,
                            nullDateOf(uno::Reference<beans::XPropertySet>(document, uno::UNO_QUERY)), sheetLanguage);
        if (plan.added + plan.reviewed == 0 && plan.withoutBasis == 0) {
            done({false, false, in(texts().cannot, language) + in(texts().nothing, language)});
            return;
        }
        write(document, plan, language);
        char head[400];
        std::snprintf(head, sizeof head, std::string(texts().suggested.in(language)).c_str(), plan.added + plan.reviewed,
                      kpi::formatPeriod(request.period).c_str(), scopeText(request.scope, employees, language).c_str());
        std::string message = head + printf1(texts().newRows, language, plan.added) + ", " +
                              printf1(texts().keptRows, language, plan.reviewed) + ". " + in(texts().review, language);
        if (plan.withoutBasis > 0) message += " " + printf1(texts().withoutBasis, language, plan.withoutBasis);
        done({true, false, message});
    } catch (const uno::Exception& error) {
        done({false, false, in(texts().cannot, language) + toUtf8(error.Message)});
    } catch (const std::exception& error) {
        done({false, false, in(texts().cannot, language) + error.what()});
    }
}

}  // namespace

TargetSuggester& TargetSuggester::instance() {
    // Never destroyed: static destructors run after UNO is gone.
    static TargetSuggester* const suggester = new TargetSuggester;
    return *suggester;
}

bool TargetSuggester::suggest(const uno::Reference<uno::XComponentContext>& context,
                              const uno::Reference<frame::XFrame>& frame, const uno::Reference<frame::XModel>& document,
                              const uno::Sequence<beans::PropertyValue>& arguments, Done done) {
    const Language language = officeLanguage(context);
    const Language sheetLanguage = documentLanguage(document);
    const auto refuse = [&](const std::string& why) {
        done({false, false, in(texts().cannot, language) + why});
        return false;
    };
    try {
        readTargetsCells(document);  // says when the document has no Targets sheet
    } catch (const uno::Exception& error) {
        return refuse(toUtf8(error.Message));
    } catch (const std::exception& error) {
        return refuse(error.what());
    }
    auto& sessions = StoreSessions::instance();
    const StoreLocation location =
        sessions.locate(context, uno::Reference<beans::XPropertySet>(document, uno::UNO_QUERY));
    if (!location.problem.empty()) return refuse(location.problem);
    const auto session = sessions.sessionFor(context, location);
    if (!session) return refuse(in(texts().shuttingDown, language));
    std::vector<kpi::EmployeeInfo> employees;
    if (!session->tryQuery([&](kpi::Engine& engine) { employees = engine.employees(); }))
        return refuse(in(texts().notLoaded, language));

    const kpi::Day today = kpi::today();
    bool periodGiven = false, scopeGiven = false;
    const std::string periodArgument = argument(arguments, "Period", periodGiven);
    const std::string scopeArgument = argument(arguments, "Scope", scopeGiven);
    std::optional<SuggestRequest> request;
    if (periodGiven || scopeGiven) {
        // From a macro: no dialog.
        const std::string periodText = periodArgument.empty() ? "next_month" : periodArgument;
        const auto period = suggestPeriod(periodText, today);
        if (!period) return refuse("'" + periodText + "' " + in(texts().badPeriod, language));
        const std::string scope = scopeArgument.empty() ? "*" : scopeArgument;
        bool known = scope == "*";
        for (const auto& e : employees) known = known || e.code == scope;
        if (!known) return refuse(in(texts().unknownScope, language) + " '" + scope + "'");
        request = SuggestRequest{*period, scope};
    } else {
        uno::Reference<awt::XDialogEventHandler> driver;
        for (const auto& value : arguments)
            if (value.Name == "DialogDriver") value.Value >>= driver;
        request = runDialog(context, frame.is() ? frame->getContainerWindow() : nullptr,
                            suggestChoices(employees, today, language), today, language, driver);
        if (!request) {
            done({true, true, in(texts().cancelled, language)});
            return false;
        }
    }

    const uno::WeakReference<frame::XModel> weakDocument(document);
    const auto started = job_.start(context, [this, context, session, request = *request, employees, today, language,
                                              sheetLanguage, weakDocument, done] {
        std::vector<kpi::Recommendation> rows;
        std::string problem;
        kpi::RecommendQuery query;
        query.period = request.period;
        query.employeeCode = request.scope == "*" ? std::string() : request.scope;
        query.asOf = today;
        try {
            if (!session->queryInBackground([&](kpi::Engine& engine) { rows = kpi::recommendTargets(engine, query); },
                                            [this] { return job_.shuttingDown(); }))
                problem = in(texts().notLoaded, language);
        } catch (const std::exception& error) {
            problem = error.what();
        }
        if (!postToMainThread(context, [this, weakDocument, rows = std::move(rows), problem, request, employees,
                                        language, sheetLanguage, done] {
                job_.done();
                const uno::Reference<frame::XModel> document(weakDocument);
                if (!problem.empty() || !document.is()) {
                    done({false, false,
                          in(texts().cannot, language) + (problem.empty() ? "the document was closed" : problem)});
                    return;
                }
                writeSuggestions(document, rows, request, employees, language, sheetLanguage, done);
            }))
            job_.done();
    });
    if (started == BackgroundJob::Start::ShuttingDown) return refuse(in(texts().shuttingDown, language));
    if (started == BackgroundJob::Start::StillRunning) return refuse(in(texts().running, language));
    return true;
}

}  // namespace saleskpi::addin
