// The shared SQLite store: creating or upgrading it, importing interchange CSV
// files (SPEC §3) and reading the target audit history.
//
// A Store object owns one connection and is not thread-safe; open one per
// thread or process. Many processes may read and write one store at once (WAL,
// busy timeout). Every write is one transaction: an import either applies whole
// or leaves the store exactly as it was.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kpi/date.hpp"

namespace kpi {

// The schema version this build writes; `init` upgrades older stores to it.
inline constexpr int kSchemaVersion = 2;

struct ImportOptions {
    // Recorded in the target audit history as "who".
    std::string user;
    // Called now and then with a human-readable progress line (no newline).
    std::function<void(const std::string&)> progress;
};

struct ImportSummary {
    // Per file kind, the number of data rows read.
    std::vector<std::pair<std::string, long long>> rowsRead;
    // Rows inserted or changed (unchanged re-imported rows are not counted).
    long long rowsChanged = 0;
    // Non-fatal remarks, e.g. "orders.csv:1: unknown column 'note' ignored".
    std::vector<std::string> warnings;
};

struct TargetEdit {
    std::string when;  // "YYYY-MM-DD HH:MM:SS", local time
    std::string who;
    std::string action;  // "new", "edit" or "remove"
    std::string employeeCode, kpiCode, periodType, validFrom;
    std::string before, after;  // "target=…;weight=…;valid_to=…", empty when absent
};

class Store {
public:
    enum class Mode { ReadOnly, ReadWrite };

    // Opens an existing store. Throws Error NotFound when the file is missing,
    // Corruption when it is not a SalesKPI store (or its schema is newer than this
    // build knows), Io otherwise.
    static std::unique_ptr<Store> open(const std::filesystem::path& path, Mode mode);

    // Creates the store if missing, or upgrades its schema in place, in one
    // transaction. Idempotent. Throws Error InvalidData, listing them, when rows
    // of an older store break the rules of the newer schema (docs/store.md);
    // the store is then left exactly as it was.
    static void init(const std::filesystem::path& path);

    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Imports the given CSV files as one transaction. Throws Error InvalidData,
    // listing every error as "FILE:LINE: message" (at most 100, then a count),
    // and leaves the store unchanged.
    ImportSummary import(const std::vector<std::filesystem::path>& files, const ImportOptions& options);

    // Audit history of target edits, oldest first; filters are optional (empty = all).
    std::vector<TargetEdit> targetHistory(const std::string& employeeCode, const std::string& kpiCode);

    const std::filesystem::path& path() const;

private:
    struct Impl;
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace kpi
