// Import of the plan files of SPEC §3 (plans.csv, plan_components.csv,
// plan_assignments.csv) as part of one `kpi import`: the importer hands them
// over once the kinds they refer to (employees, KPIs) are written, inside its
// transaction, and reports their errors with its own.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "kpi/store.hpp"

namespace kpi::sql {
class Database;
}

namespace kpi::rewards {

// The file names that identify the three kinds, in dependency order.
const std::vector<std::string>& planFileNames();

// How the plan import takes part in the import it belongs to.
struct ImportSink {
    // One error "FILE:LINE: message"; the whole import is then rejected.
    std::function<void(const std::string& file, long long line, const std::string& message)> error;
    // Whether an "employee" or a "kpi" code resolves: in the store or in the
    // same import (a KPI also as a bare KPI type).
    std::function<bool(const std::string& what, const std::string& code)> known;
    ImportSummary& summary;  // rows read, rows changed and warnings are added to it
};

// Reads and checks the plan files (each identified by its kind's file name,
// see importer::isFileOfKind), in dependency order whatever the order given,
// then writes the rows without an error. Every error is reported through the
// sink; the caller rolls the transaction back when any was reported. Checking
// writes nothing (references to plans are looked up in the store and in these
// files); writing adds the audit (plan_history, as `who`), the rule over the
// whole store (overlapping assignments, reported at this import's row) and the
// change log. Throws Error only for I/O failures.
void importPlanFiles(sql::Database& db, const std::vector<std::filesystem::path>& files, const std::string& who,
                     ImportSink& sink);

}  // namespace kpi::rewards
