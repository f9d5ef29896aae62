// Import of interchange CSV files (SPEC §3) into an open store, as one
// transaction: every row validated, every error reported as FILE:LINE, and
// nothing written unless everything is valid.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "kpi/store.hpp"

namespace kpi::sql {
class Database;
}

namespace kpi::importer {

// True when the file's name says it holds the kind named by kindFile (e.g.
// "orders.csv"): exactly that name, or that name after a '-', '_' or '.'
// prefix ("2026-11-27_orders.csv", "dms.orders.csv"), in any letter case.
bool isFileOfKind(const std::filesystem::path& path, std::string_view kindFile);

// Throws Error InvalidData listing the errors; the store is then unchanged.
ImportSummary importFiles(sql::Database& db, const std::vector<std::filesystem::path>& files,
                          const ImportOptions& options);

}  // namespace kpi::importer
