// The `kpi` commands that administer a PostgreSQL store (docs/postgresql.md):
// grant, revoke and migrate.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kpi::cli {

int runGrant(const std::filesystem::path& store, const std::vector<std::string>& args);
int runRevoke(const std::filesystem::path& store, const std::vector<std::string>& args);
int runMigrate(const std::filesystem::path& store, const std::vector<std::string>& args);

}  // namespace kpi::cli
