// The shared SQLite store: creating or upgrading it, importing interchange CSV
// files (SPEC §3), closing and reopening pay periods (SPEC §10) and reading the
// audit histories (targets, plans, closes).
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
#include "kpi/period.hpp"
#include "kpi/rewards.hpp"

namespace kpi {

// The schema version this build writes; `init` upgrades older stores to it.
inline constexpr int kSchemaVersion = 2;

// The store's journal (docs/store.md#journal-mode-and-shared-folders).
enum class JournalMode {
    Automatic,  // a new store: WAL on a local disk, rollback on a network file system; an
                // existing one keeps its mode, except WAL on a network file system (→ rollback)
    Wal,        // write-ahead log: readers and writers never wait for each other
    Rollback,   // rollback journal (DELETE): readers need only read access to the file and folder
};

// What Store::init left behind.
struct StoreInfo {
    int schemaVersion = 0;
    std::string journal;  // "wal" or "rollback"
    std::string storeId;  // the store's identity (meta store_id), random, made once
};

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

    // Creates the store if missing, or upgrades its schema in place, and gives
    // it an identity (a random store_id in the meta table) when it has none.
    // Idempotent. Throws Error Busy when the journal mode must change while
    // other programs have the store open.
    static StoreInfo init(const std::filesystem::path& path, JournalMode journal = JournalMode::Automatic);

    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Imports the given CSV files as one transaction. Throws Error InvalidData,
    // listing every error as "FILE:LINE: message" (at most 100, then a count),
    // and leaves the store unchanged.
    ImportSummary import(const std::vector<std::filesystem::path>& files, const ImportOptions& options);

    // Audit history of target edits, oldest first; filters are optional (empty = all).
    std::vector<TargetEdit> targetHistory(const std::string& employeeCode, const std::string& kpiCode);

    // Closes a pay period (SPEC §10): freezes, in one transaction, every row
    // `kpi report --period P` and `kpi payout --period P` give now (with the
    // adjustments P settles), recording `user` and the time. Reads the figures
    // through an Engine of its own. Throws Error InvalidArgument (and changes
    // nothing) when P is not a MONTH, QUARTER or YEAR, has not ended (before
    // kpi::today()), is closed already, or lies before a closed period of its
    // type; Corruption for a store whose schema is not upgraded (`kpi init`);
    // Busy, Io.
    CloseSummary closePeriod(const Period& period, const std::string& user);
    // Reopens the period closed last: discards its frozen rows and the
    // adjustments settled in them, recording who, when and why. Throws Error
    // InvalidArgument when the reason is empty, P is not closed, or another
    // period was closed after P (reopen that one first).
    ClosedPeriod reopenPeriod(const Period& period, const std::string& reason, const std::string& user);
    // The periods closed now, in the order they were closed (e.g. for
    // payoutWindow() before an Engine is loaded).
    std::vector<ClosedPeriod> closedPeriods();
    // Every close and reopen, oldest first.
    std::vector<CloseEvent> closeHistory();
    // Every change to plans, components and assignments, oldest first; filters
    // are optional (empty = all; employeeCode matches assignments only).
    std::vector<PlanEdit> planHistory(const std::string& planCode, const std::string& employeeCode);

    const std::filesystem::path& path() const;

private:
    struct Impl;
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace kpi
