// How the add-in tells that a pay period is closed (SPEC §10): its figures are
// those frozen when it was closed. One wording, in the UI language, for
// KPI.STATUS and the titles of report sheets.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "function_catalog.hpp"
#include "kpi/period.hpp"
#include "kpi/rewards.hpp"

namespace saleskpi::addin {

// MONTH, QUARTER and YEAR: the periods a plan pays for and a close freezes.
bool isPayPeriodType(kpi::PeriodType type);

// "2026-10 closed 2026-11-02 17:00:00 by lan: frozen figures" /
// "2026-10 đã chốt lúc 2026-11-02 17:00:00 bởi lan: số liệu đã chốt".
std::string closedPeriodText(const kpi::ClosedPeriod& closed, Language language);

// What KPI.STATUS adds, from the engine's closed periods. With a period:
// closedPeriodText() when it is closed, "2026-11 open: live figures" when it
// is a pay period that is not; nothing for a day, week or cycle, which no
// close freezes. Without: the last closed period of each type ("last closed:
// 2026-10 (2026-11-02 17:00:00 by lan)"), or nothing when none is. Starts
// with "; " when not empty.
std::string closedPeriodsNote(const std::vector<kpi::ClosedPeriod>& closed, const std::optional<kpi::Period>& period,
                              Language language);

}  // namespace saleskpi::addin
