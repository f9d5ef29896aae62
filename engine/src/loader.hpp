// Reads the store into the engine's model. Pure I/O plus building; touches no
// engine state, so it may run on a worker thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kpi/period.hpp"
#include "model.hpp"

namespace kpi::sql {
class Database;
}

namespace kpi::loader {

// Loads every dimension table. Ids already in `previous` keep their values.
std::shared_ptr<model::Dims> loadDims(sql::Database& db, const model::Dims* previous);

// Builds every bucket with activity, optionally only those dated in window.
// May intern codes seen only in facts into dims.
model::Facts loadFacts(sql::Database& db, model::Dims& dims, const std::optional<Period>& window);

// Rebuilds the given (employee code, day) buckets from the store.
std::vector<model::Bucket> loadBuckets(sql::Database& db, model::Dims& dims,
                                       const std::vector<std::pair<std::string, Day>>& buckets);

// Newest order or visit time in the store, "" when none.
std::string latestActivity(sql::Database& db);

}  // namespace kpi::loader
