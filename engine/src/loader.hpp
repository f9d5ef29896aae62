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

// The same for a window, read by `readers` connections in parallel, each a
// part of the window's days (db, inside its read transaction, reads one part;
// each other part has a thread and a read-only connection of its own). The
// parts must see the store as db does (the change counter `seq`): when a
// writer committed in between, or a part meets a code the dimensions do not
// know, the whole window is read again on db alone.
model::Facts loadFactsInParallel(sql::Database& db, model::Dims& dims, const Period& window, int readers,
                                 long long seq);

// How the two above read a window, each on its own (for the tests, which
// compare them). loadFacts and loadFactsInParallel read a window holding at
// least half of the days between the store's first and last order
// sequentially — the orders and their lines in order_code order, merged, and
// the visits in visit_code order, `readers` ranges of codes in parallel — and
// any other window through the date index (docs/performance.md). The
// sequential read gives up (nullopt) on anything it cannot vouch for: codes
// out of order, a date or time not in the form the store's rules require, a
// code the dimensions do not know; the window is then read through the index.
// Both give the same facts.
model::Facts loadFactsIndexed(sql::Database& db, model::Dims& dims, const std::optional<Period>& window);
std::optional<model::Facts> loadFactsSequential(sql::Database& db, model::Dims& dims, const Period& window, int readers,
                                                long long seq);

// Rebuilds the given (employee code, day) buckets from the store, interning
// new codes into dims.
std::vector<model::Bucket> loadBuckets(sql::Database& db, model::Dims& dims,
                                       const std::vector<std::pair<std::string, Day>>& buckets);

// The same against dimensions that must not change (they are in use on another
// thread): nullopt when a bucket names a code dims does not know yet.
std::optional<std::vector<model::Bucket>> loadBucketsKnown(sql::Database& db, const model::Dims& dims,
                                                           const std::vector<std::pair<std::string, Day>>& buckets);


// Reads what one new order or one call contributes, with statements prepared
// once per refresh.
class OrderReader {
public:
    explicit OrderReader(sql::Database& db);
    ~OrderReader();
    // The contribution of approved orders (codes) to the bucket (employee, day)
    // they count in, as a Bucket to add; nullopt when they name a code dims does
    // not know.
    std::optional<model::Bucket> contribution(const model::Dims& dims, int employee, Day day,
                                              const std::vector<std::string>& orderCodes);
    // Distinct SKUs of the call (employee, outlet, day): lines of its approved sale orders.
    std::uint32_t callSkus(const std::string& employeeCode, const std::string& outletCode, Day day);
    // The visit count and newest visit time (model::timeKey) of one bucket.
    std::pair<std::int64_t, std::int64_t> visitCount(const std::string& employeeCode, Day day);

private:
    struct Statements;
    std::unique_ptr<Statements> st_;
};

}  // namespace kpi::loader
