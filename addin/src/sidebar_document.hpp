// What the sidebar's buttons do to documents: a scorecard sheet of KPI.*
// formulas for one person, and a new document from the manager dashboard
// template. Main thread (they change document models); throw uno exceptions.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <com/sun/star/frame/XModel.hpp>
#include <com/sun/star/uno/XComponentContext.hpp>

#include "function_catalog.hpp"
#include "uno_text.hpp"

namespace saleskpi::addin {

struct ScorecardSpec {
    std::string employeeCode, employeeName;
    std::string period;  // in the period grammar
    std::vector<std::pair<std::string, std::string>> kpis;  // code, name
};

// Inserts a sheet "Scorecard <code>" after the last one, with one row of
// KPI.ACTUAL/TARGET/ATTAINMENT/PROJECTED formulas per KPI and the score, the
// employee and period in cells the formulas refer to; makes it the active
// sheet. Returns its name.
OUString insertScorecardSheet(const css::uno::Reference<css::frame::XModel>& document, const ScorecardSpec& spec,
                              Language language);

// Opens a new document from the installed manager dashboard template (in the
// language, else the other one), carrying the current document's KPIStore
// property over when it has one. Returns false when no template is installed.
bool openDashboardTemplate(const css::uno::Reference<css::uno::XComponentContext>& context,
                           const css::uno::Reference<css::frame::XModel>& document, Language language);

}  // namespace saleskpi::addin
