// A simulated DMS feed for demos and tests: new orders written straight into
// the store (as a DMS would, through the schema's triggers), pending at first,
// most approved a little later, some cancelled.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>

namespace kpi {

struct FeedOptions {
    double ordersPerMinute = 60;
    double seconds = 0;            // how long to run; 0 = until stop is set
    double approveAfterSeconds = 20;
    double cancelShare = 0.1;      // share of pending orders cancelled instead of approved
    unsigned seed = 1;
    std::string day;               // order date "YYYY-MM-DD"; empty = today
    std::function<void(const std::string&)> progress;
};

struct FeedSummary {
    long long created = 0, approved = 0, cancelled = 0;
};

// Runs the feed against an existing store with employees, outlets, routes and
// products. Returns when `seconds` have passed or `stop` becomes true. Throws
// Error (NotFound, Corruption, Busy, Io, InvalidArgument when the store has no
// salespeople with routes or no products).
FeedSummary runFeed(const std::filesystem::path& store, const FeedOptions& options, const std::atomic<bool>& stop);

}  // namespace kpi
