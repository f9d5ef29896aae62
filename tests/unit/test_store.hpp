// Test support: a SalesKPI store in a temporary folder, fed from CSV text.
//
// A TestStore owns a fresh folder under the system's temp directory holding an
// initialised store (kpi::Store::init). Tests write interchange CSV files from
// strings, import them through the public kpi::Store API, and compare whole-store
// dumps before and after. The destructor removes the folder and everything in it;
// it never throws.
//
// Not thread-safe: one TestStore per test. Threads that write concurrently open
// their own kpi::Store on path().
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kpi/error.hpp"
#include "kpi/store.hpp"

namespace kpitest {

// File name → file content, e.g. {"orders.csv", "order_code,…\nA1,…\n"}.
using CsvFiles = std::map<std::string, std::string>;

// Header rows of interchange CSV files (SPEC §3), newline included.
inline const std::string kOrdersHeader = "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n";
inline const std::string kLinesHeader = "order_code,line_no,sku,quantity,amount\n";
inline const std::string kTargetsHeader = "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n";

// What a rejected import reported.
struct Rejection {
    kpi::Error::Kind kind = kpi::Error::Kind::InvalidData;
    // The error lines, "FILE:LINE: message", with the folder the files were
    // written to stripped from FILE (so "orders.csv:3: …"); the closing summary
    // line ("import rejected: …") is not among them.
    std::vector<std::string> errors;
    // The whole what() text, unchanged.
    std::string message;
};

class TestStore {
public:
    // An initialised, empty store.
    TestStore();
    // An initialised store with files imported in one import (fails the test if rejected).
    explicit TestStore(const CsvFiles& files);
    ~TestStore();
    TestStore(const TestStore&) = delete;
    TestStore& operator=(const TestStore&) = delete;

    const std::filesystem::path& dir() const { return dir_; }
    // The store file.
    const std::filesystem::path& path() const { return path_; }

    // Writes the files into a new subfolder of dir() (so that one name may be
    // written again with other content) and returns their paths, in the map's order.
    std::vector<std::filesystem::path> write(const CsvFiles& files);
    // Writes one file with exactly these bytes into a new subfolder; returns its path.
    std::filesystem::path writeFile(const std::string& name, const std::string& bytes);

    // Writes the files and imports them as one import through a Store opened for
    // this call. Throws whatever Store::import throws.
    kpi::ImportSummary import(const CsvFiles& files, const kpi::ImportOptions& options = {});
    kpi::ImportSummary importPaths(const std::vector<std::filesystem::path>& files,
                                   const kpi::ImportOptions& options = {});

    // Imports files that must be rejected. Records a test failure unless the
    // import throws kpi::Error of kind InvalidData and leaves the store's dump
    // exactly as it was; returns what was reported.
    Rejection importRejected(const CsvFiles& files, const kpi::ImportOptions& options = {});
    Rejection importPathsRejected(const std::vector<std::filesystem::path>& files,
                                  const kpi::ImportOptions& options = {});

    // Every table of the store, every row, in a stable order, as text.
    std::string dump() const;
    // The rows a query returns, each row's columns joined with '|' (NULL as "NULL").
    std::vector<std::string> query(const std::string& sql) const;
    // Runs SQL on a read-write connection of its own, the way a DMS writes
    // directly into the store (not through kpi::Store). Throws std::runtime_error.
    void execute(const std::string& sql) const;

private:
    std::filesystem::path dir_;
    std::filesystem::path path_;
    int batches_ = 0;
};

// Every table of the store at path, every row ordered by all its columns, as
// text: "table: col=value, …" lines. Values keep their SQLite type (NULL, 12,
// 1.5, 'text'), so a changed type shows up too. Opens the file read-only.
std::string dumpStore(const std::filesystem::path& store);

// The rows of a query on the store at path (read-only), columns joined with '|'.
std::vector<std::string> queryStore(const std::filesystem::path& store, const std::string& sql);

}  // namespace kpitest
