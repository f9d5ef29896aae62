// Import of interchange CSV files (SPEC §3) into an open store, as one
// transaction: every row validated, every error reported as FILE:LINE, and
// nothing written unless everything is valid.
#pragma once

#include <filesystem>
#include <vector>

#include "kpi/store.hpp"

namespace kpi::sql {
class Database;
}

namespace kpi::importer {

// Throws Error InvalidData listing the errors; the store is then unchanged.
ImportSummary importFiles(sql::Database& db, const std::vector<std::filesystem::path>& files,
                          const ImportOptions& options);

}  // namespace kpi::importer
