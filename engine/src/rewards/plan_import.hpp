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

// How the plan import reports into the import it is part of.
struct ImportSink {
    // One error "FILE:LINE: message"; the whole import is then rejected.
    std::function<void(const std::string& file, long long line, const std::string& message)> error;
    ImportSummary& summary;  // rows read, rows changed and warnings are added to it
};

// Reads, checks and writes the plan files (each identified by its kind's file
// name, see importer::isFileOfKind), in dependency order whatever the order
// given. Every error is reported through the sink, and a row with an error is
// not written; the caller rolls the transaction back when any was reported.
// Writes the audit (plan_history, as `who`) and the change log of what it
// changed. References to employees and KPIs are looked up in the store, which
// holds this import's employees and KPIs by then. Throws Error only for I/O
// failures.
void importPlanFiles(sql::Database& db, const std::vector<std::filesystem::path>& files, const std::string& who,
                     ImportSink& sink);

}  // namespace kpi::rewards
