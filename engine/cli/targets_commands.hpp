// The `kpi` commands of targets (issue 14, docs/targets.md): recommend (with
// --team, a team target split) and target-health.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kpi::cli {

int runRecommend(const std::filesystem::path& store, const std::vector<std::string>& args);
int runTargetHealth(const std::filesystem::path& store, const std::vector<std::string>& args);

}  // namespace kpi::cli
