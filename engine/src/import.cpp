#include "import.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "csv.hpp"
#include "exact.hpp"
#include "kpi/date.hpp"
#include "kpi/error.hpp"
#include "kpi/period.hpp"
#include "kpi_types.hpp"
#include "rewards/plan_import.hpp"
#include "schema.hpp"
#include "store/database.hpp"

namespace kpi::importer {
namespace {

constexpr size_t kMaxErrors = 100;

enum class Kind { Employees, Products, Outlets, Routes, Kpis, Holidays, Visits, Orders, OrderLines, Targets };

// What a field must hold; checked for every row before anything is written.
enum class Check { Text, Date, Time, Number, Integer, OrderType, OrderStatus, PeriodType, KpiTypeName };

struct Column {
    const char* name;
    bool required;
    Check check;
};

struct FileSpec {
    Kind kind;
    const char* file;  // the file name that identifies the kind
    std::vector<Column> columns;
    size_t keyColumns;  // the key is the first keyColumns columns
};

// Dependency order: a kind may refer only to kinds listed before it (and
// employees to themselves).
const std::vector<FileSpec>& specs() {
    static const std::vector<FileSpec> all = {
        {Kind::Employees, "employees.csv",
         {{"code", true, Check::Text}, {"name", true, Check::Text}, {"role", true, Check::Text},
          {"manager_code", false, Check::Text}, {"department", false, Check::Text}, {"region", false, Check::Text},
          {"start_date", true, Check::Date}, {"end_date", false, Check::Date}},
         1},
        {Kind::Products, "products.csv",
         {{"sku", true, Check::Text}, {"name", true, Check::Text}, {"category", false, Check::Text},
          {"brand", false, Check::Text}},
         1},
        {Kind::Outlets, "outlets.csv",
         {{"code", true, Check::Text}, {"name", true, Check::Text}, {"channel", false, Check::Text},
          {"province", false, Check::Text}, {"created_date", true, Check::Date}, {"created_by", false, Check::Text}},
         1},
        {Kind::Routes, "routes.csv",
         {{"employee_code", true, Check::Text}, {"outlet_code", true, Check::Text}, {"valid_from", true, Check::Date},
          {"valid_to", false, Check::Date}},
         3},
        {Kind::Kpis, "kpis.csv",
         {{"code", true, Check::Text}, {"type", true, Check::KpiTypeName}, {"name_vi", true, Check::Text},
          {"name_en", true, Check::Text}, {"description", false, Check::Text}, {"applies_to", false, Check::Text},
          {"unit", false, Check::Text}, {"params", false, Check::Text}, {"cap", false, Check::Number}},
         1},
        {Kind::Holidays, "holidays.csv", {{"date", true, Check::Date}, {"name", false, Check::Text}}, 1},
        {Kind::Visits, "visits.csv",
         {{"visit_code", true, Check::Text}, {"employee_code", true, Check::Text}, {"outlet_code", true, Check::Text},
          {"visit_time", true, Check::Time}},
         1},
        {Kind::Orders, "orders.csv",
         {{"order_code", true, Check::Text}, {"employee_code", true, Check::Text}, {"outlet_code", true, Check::Text},
          {"order_time", true, Check::Time}, {"type", true, Check::OrderType}, {"status", true, Check::OrderStatus},
          {"approved_time", false, Check::Time}},
         1},
        {Kind::OrderLines, "order_lines.csv",
         {{"order_code", true, Check::Text}, {"line_no", true, Check::Integer}, {"sku", true, Check::Text},
          {"quantity", true, Check::Number}, {"amount", true, Check::Number}},
         2},
        {Kind::Targets, "targets.csv",
         {{"employee_code", true, Check::Text}, {"kpi_code", true, Check::Text}, {"period_type", true, Check::PeriodType},
          {"valid_from", true, Check::Date}, {"valid_to", true, Check::Date}, {"target", true, Check::Number},
          {"weight", false, Check::Number}},
         4},
    };
    return all;
}

// Upserts that leave an unchanged row untouched, so re-importing changes nothing.
// The columns an import writes, in the spec's column order; the first `keys` are the key.
struct WrittenColumns {
    const char* table;
    std::vector<std::string> columns;
    size_t keys;
};

const WrittenColumns& writtenColumns(Kind kind) {
    static const std::map<Kind, WrittenColumns> all = {
        {Kind::Employees,
         {"employees", {"code", "name", "role", "manager_code", "department", "region", "start_date", "end_date"}, 1}},
        {Kind::Products, {"products", {"sku", "name", "category", "brand"}, 1}},
        {Kind::Outlets, {"outlets", {"code", "name", "channel", "province", "created_date", "created_by"}, 1}},
        {Kind::Routes, {"routes", {"employee_code", "outlet_code", "valid_from", "valid_to"}, 3}},
        {Kind::Kpis,
         {"kpis", {"code", "type", "name_vi", "name_en", "description", "applies_to", "unit", "params", "cap"}, 1}},
        {Kind::Holidays, {"holidays", {"date", "name"}, 1}},
        {Kind::Visits, {"visits", {"visit_code", "employee_code", "outlet_code", "visit_time"}, 1}},
        {Kind::Orders,
         {"orders", {"order_code", "employee_code", "outlet_code", "order_time", "type", "status", "approved_time"}, 1}},
        {Kind::OrderLines, {"order_lines", {"order_code", "line_no", "sku", "quantity", "amount"}, 2}},
        {Kind::Targets,
         {"targets", {"employee_code", "kpi_code", "period_type", "valid_from", "valid_to", "target", "weight"}, 4}},
    };
    return all.at(kind);
}

// Upserts that leave an unchanged row untouched, so re-importing changes nothing.
std::string upsertSql(Kind kind) {
    const WrittenColumns& w = writtenColumns(kind);
    return sql::upsertSql(w.table, w.columns, w.keys);
}

const char* tableName(Kind kind) {
    switch (kind) {
    case Kind::Employees: return "employees";
    case Kind::Products: return "products";
    case Kind::Outlets: return "outlets";
    case Kind::Routes: return "routes";
    case Kind::Kpis: return "kpis";
    case Kind::Holidays: return "holidays";
    case Kind::Visits: return "visits";
    case Kind::Orders: return "orders";
    case Kind::OrderLines: return "order_lines";
    case Kind::Targets: return "targets";
    }
    return "";
}

// A plain decimal: digits with an optional fraction and sign. No exponents,
// no thousands separators: an amount like "1,200" is an error, not 1.
std::optional<double> parseDecimal(std::string_view text) {
    std::string_view digits = text;
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) digits.remove_prefix(1);
    bool seenDot = false, seenDigit = false;
    for (char c : digits) {
        if (c >= '0' && c <= '9') seenDigit = true;
        else if (c == '.' && !seenDot) seenDot = true;
        else return std::nullopt;
    }
    if (!seenDigit) return std::nullopt;
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    double value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<long long> parseInteger(std::string_view text) {
    long long value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// employees.csv, 2026-11_employees.csv, dms-export.orders.csv … name the kind.
const FileSpec* specForFile(const std::filesystem::path& path) {
    for (const auto& spec : specs())
        if (isFileOfKind(path, spec.file)) return &spec;
    return nullptr;
}

struct Row {
    long long line;
    std::vector<std::string> values;  // in the spec's column order; "" = not given
    bool bad = false;                 // a field of it was reported; never written
};

struct ParsedFile {
    std::string displayName;  // as given on the command line
    const FileSpec* spec;
    std::vector<Row> rows;
    std::filesystem::path path;
    std::vector<int> sourceOf;  // per spec column, its field in the file (-1: absent)
    size_t headerWidth = 0;
    std::uint64_t fingerprint = 0;  // of the bytes checked (csv::Reader::fingerprint)
    size_t index = 0;               // among the import's files, in the order they are checked
};

using Key = std::string;

// The key's columns joined by \x1f, into key (whose buffer is reused).
template <typename Values>
void buildKey(const Values& values, size_t keyColumns, Key& key) {
    key.assign(values(0));
    for (size_t i = 1; i < keyColumns; ++i) {
        key.push_back('\x1f');
        key += values(i);
    }
}

Key makeKey(const Row& row, size_t keyColumns) {
    Key key;
    buildKey([&](size_t i) -> const std::string& { return row.values[i]; }, keyColumns, key);
    return key;
}

struct Where {
    const ParsedFile* file;
    long long line;
};

// FNV-1a, then a final mix so that the low bits (a table slot) depend on every byte.
std::uint64_t hashKey(std::string_view key) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : key) {
        h ^= c;
        h *= 1099511628211ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

// The largest kinds (one row per order line, visit or order) keep only a
// 64-bit hash of each key while they are read, appended in row order: a table
// of millions of keys costs a cache miss per row on insert, an appended hash
// none. Once a kind is read its hashes are sorted; a hash found twice is only
// a suspected duplicate, and the keys are compared, and the first one's line
// found, by reading the kind's files again (Importer::confirmDuplicates). That
// happens only when the import has a duplicate, or two keys share a hash (for
// a million keys, about once in 10^7 imports). No store-wide rule needs to know
// where these keys are; orders, which lines refer to, also keep their codes.
bool keptAsHashes(Kind kind) { return kind == Kind::OrderLines || kind == Kind::Visits || kind == Kind::Orders; }

struct HashedKeys {
    std::vector<std::uint64_t> hashes;  // one per row, in the order read
    // (row index, errors reported before that row's key was collected), each
    // time the latter changed: where a confirmed duplicate's error belongs.
    std::vector<std::pair<size_t, std::uint64_t>> errorsBefore;
};

std::string duplicateMessage(std::string key, const Where& first) {
    std::replace(key.begin(), key.end(), '\x1f', ',');
    return "key " + key + " appears twice in this import (first at " + first.file->displayName + ":" +
           std::to_string(first.line) + ")";
}

// The tables a reference of a kind resolves against in the store.
struct StoreTable {
    const char* table;
    const char* keyColumn;
    const char* what;  // for messages
};

StoreTable storeTableOf(Kind kind) {
    switch (kind) {
    case Kind::Employees: return {"employees", "code", "employee"};
    case Kind::Outlets: return {"outlets", "code", "outlet"};
    case Kind::Products: return {"products", "sku", "product"};
    case Kind::Orders: return {"orders", "order_code", "order"};
    case Kind::Kpis: return {"kpis", "code", "KPI"};
    default: return {nullptr, nullptr, ""};
    }
}

// The tables the rules over the whole store read (manager loops, overlapping
// targets, applies_to): while checking, temporary copies of the store's with
// this import's rows laid over them (ImportOverlay); while writing, the
// store's own, which then hold the import. One SQL text serves both.
struct RuleTables {
    std::string employees, kpis, targets;
};

const RuleTables kStoreTables{"employees", "kpis", "targets"};

// The store as it would be after this import, for the rules over the whole
// store, built while checking without taking the store's write lock: a write
// to a temporary table locks only the connection's private temp database. Only
// the columns the rules read; small tables (people, KPIs, targets).
class ImportOverlay {
public:
    explicit ImportOverlay(sql::Database& db) : db_(db) {
        db_.createTempTable("import_employees", "code TEXT PRIMARY KEY, manager_code TEXT, role TEXT");
        db_.createTempTable("import_kpis", "code TEXT PRIMARY KEY, applies_to TEXT");
        db_.createTempTable("import_targets",
                            "employee_code TEXT, kpi_code TEXT, period_type TEXT, valid_from TEXT, valid_to TEXT, "
                            "PRIMARY KEY(employee_code, kpi_code, period_type, valid_from)");
        // Unqualified names: a temporary table is found before a stored one.
        db_.exec(
            "INSERT INTO import_employees SELECT code, manager_code, role FROM employees;"
            "INSERT INTO import_kpis SELECT code, applies_to FROM kpis;"
            "INSERT INTO import_targets SELECT employee_code, kpi_code, period_type, valid_from, valid_to "
            "FROM targets;");
        employee_.emplace(db_.prepare("INSERT INTO import_employees VALUES(?1, ?2, ?3) ON CONFLICT(code) DO UPDATE "
                                      "SET manager_code = excluded.manager_code, role = excluded.role"));
        kpi_.emplace(db_.prepare(
            "INSERT INTO import_kpis VALUES(?1, ?2) ON CONFLICT(code) DO UPDATE SET applies_to = excluded.applies_to"));
        target_.emplace(db_.prepare("INSERT INTO import_targets VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(employee_code, "
                                    "kpi_code, period_type, valid_from) DO UPDATE SET valid_to = excluded.valid_to"));
        // Targets are many (a row per person, KPI and period): in batches
        // where the backend writes them faster so (PostgreSQL).
        targets_ = db_.bulkUpsert("import_targets", {"employee_code", "kpi_code", "period_type", "valid_from", "valid_to"},
                                  4, {});
    }
    ~ImportOverlay() {
        targets_.reset();
        employee_.reset();
        kpi_.reset();
        target_.reset();
        try {
            db_.exec("DROP TABLE IF EXISTS import_employees; DROP TABLE IF EXISTS import_kpis; "
                     "DROP TABLE IF EXISTS import_targets");
        } catch (...) {
        }
    }
    ImportOverlay(const ImportOverlay&) = delete;
    ImportOverlay& operator=(const ImportOverlay&) = delete;

    RuleTables tables() const { return {"import_employees", "import_kpis", "import_targets"}; }

    // A checked row of one of the three kinds, in the spec's column order.
    void add(Kind kind, const std::vector<std::string>& v) {
        switch (kind) {
        case Kind::Employees:
            employee_->reset();
            employee_->bind(1, v[0]).bindOptional(2, v[3]).bind(3, v[2]).run();
            break;
        case Kind::Kpis:
            kpi_->reset();
            kpi_->bind(1, v[0]).bindOptional(2, v[5]).run();
            break;
        case Kind::Targets:
            if (targets_) {
                targets_->add({&v[0], &v[1], &v[2], &v[3], &v[4]});
                if (targets_->pending() >= 50'000) targets_->flush();
                break;
            }
            target_->reset();
            target_->bind(1, v[0]).bind(2, v[1]).bind(3, v[2]).bind(4, v[3]).bind(5, v[4]).run();
            break;
        default:
            break;
        }
    }

    // Writes what add() still holds; before the rules read the tables.
    void flush() {
        if (targets_) targets_->flush();
    }

private:
    sql::Database& db_;
    std::optional<sql::Statement> employee_, kpi_, target_;
    std::unique_ptr<sql::BulkUpsert> targets_;
};

// An import runs in two phases, so that the store's write lock is held only
// while rows are written (SPEC §2: the DMS keeps writing during an import).
//
// 1. check, inside a read transaction (a snapshot; other writers go on
//    committing): every file is read in dependency order, one kind at a time,
//    and every row checked — fields, keys, references against this import and
//    the snapshot, and the rules over the whole store against the snapshot with
//    this import laid over it. Rows are dropped once checked (employees, which
//    refer to each other, once all their keys are known): memory holds the keys,
//    not the rows. Every error of every file is reported; any error ends the
//    import here, before the lock was ever taken.
// 2. write, in one BEGIN IMMEDIATE transaction: the references the check found
//    in the store are looked up again (another writer may have removed one
//    since), every file is read again — its fingerprint must be the one checked
//    — and written without checking its rows again; an amended order's dropped
//    lines are removed; the rules over the whole store run again on the store
//    itself (another writer may have added a target since); the change log is
//    written; COMMIT. Any error rolls everything back.
class Importer {
public:
    Importer(sql::Database& db, const ImportOptions& options) : db_(&db), options_(options) {}

    ImportSummary run(const std::vector<std::filesystem::path>& paths) {
        // Kinds are applied in dependency order, whatever the order of the arguments.
        std::map<Kind, std::vector<std::filesystem::path>> byKind;
        for (const auto& path : paths) {
            if (const FileSpec* spec = specForFile(path)) byKind[spec->kind].push_back(path);
            else if (isPlanFile(path)) planFiles_.push_back(path);
            else checkFile(path, false);  // reports the unknown kind
        }
        // References are checked row by row with messages that say where, and
        // this import logs changes and audits targets itself: the schema's
        // foreign keys and triggers serve writers that bypass it.
        //
        struct ConnectionForImport {
            sql::Database& db;
            explicit ConnectionForImport(sql::Database& d) : db(d) { db.bulkWrite(true); }
            ~ConnectionForImport() {
                try {
                    db.bulkWrite(false);
                } catch (...) {
                }
            }
        } connection{*db_};
        // A first import of visits, orders or lines into a PostgreSQL store
        // that holds none (FirstLoad in store/database.hpp): the write
        // transaction starts first, and those rows go into their tables as
        // they are checked — the server stores while this process checks —
        // through a second connection that checks against its own snapshot.
        // An error anywhere rolls it all back, as in the two phases below.
        std::optional<sql::Transaction> writing;
        std::unique_ptr<sql::FirstLoad> load;  // after `writing`: its COPY ends before the rollback
        const bool factsImported = std::any_of(std::begin(kFirstLoadKinds), std::end(kFirstLoadKinds),
                                               [&](Kind kind) { return byKind.count(kind) > 0; });
        if (db_->backend() == sql::Backend::Postgres && factsImported) {
            writing.emplace(*db_);
            std::vector<std::string> tables;
            for (Kind kind : kFirstLoadKinds) tables.emplace_back(writtenColumns(kind).table);
            load = db_->firstLoad(tables);
            if (load) checker_ = db_->reopen(sql::Open::ReadWrite);
            else writing.reset();  // nothing written yet: the usual two phases
        }
        sql::Database* writer = db_;
        if (checker_) db_ = checker_.get();
        load_ = load.get();
        check(byKind);
        db_ = writer;
        storeQueries_ = {};  // prepared on the checking connection
        throwIfErrors();
        write(writing ? &*writing : nullptr);
        return summary_;
    }

private:
    // The connection checked and written through; while a first load runs
    // (see run()), the check goes through a second one.
    sql::Database* db_;
    // The second connection a first load checks through (see run()): a
    // member declared before every statement, so that it outlives those
    // prepared on it, whichever way the import ends.
    std::unique_ptr<sql::Database> checker_;
    const ImportOptions& options_;
    std::deque<ParsedFile> files_;  // stable addresses: keys point at their file
    // Errors in the order they are found; only the first kMaxErrors are kept,
    // except those over the store as a whole, which are all kept. The n-th
    // error found has position 2n + 1; a duplicate confirmed later, met after
    // n errors, has position 2n and so sorts where it was met.
    struct Reported {
        std::uint64_t position;
        bool capped;
        std::string text;
    };
    std::vector<Reported> errors_;
    std::uint64_t nextOrdinal_ = 0;
    size_t errorCount_ = 0;
    ImportSummary summary_;
    bool storeHasFacts_ = false;
    ImportOverlay* overlay_ = nullptr;  // while checking employees, KPIs or targets
    std::vector<std::filesystem::path> planFiles_;  // plans.csv, plan_components.csv, plan_assignments.csv
    // While a first load runs (see run()): what writes the facts as they are
    // checked, whether the kind being checked goes through it, and how many
    // rows it was given.
    sql::FirstLoad* load_ = nullptr;
    bool loading_ = false;
    std::vector<std::string> loadTexts_;
    std::vector<const std::string*> loadValues_;
    long long loadedRows_ = 0;
    static constexpr Kind kFirstLoadKinds[] = {Kind::Visits, Kind::Orders, Kind::OrderLines};
    static bool firstLoadKind(Kind kind) {
        return std::find(std::begin(kFirstLoadKinds), std::end(kFirstLoadKinds), kind) != std::end(kFirstLoadKinds);
    }

    // Keys brought by this import, per kind, with where each was first seen.
    std::map<Kind, std::unordered_map<Key, Where>> keys_;
    // For the kinds keptAsHashes.
    std::array<HashedKeys, 10> hashedKeys_;
    std::vector<std::string> orderCodes_;  // sorted once the orders are read
    size_t orderHint_ = 0;                 // where the last order code was found in orderCodes_
    // Duplicates confirmed by reading the files again, not yet in order.
    std::vector<Reported> confirmed_;
    Key keyBuffer_;
    // Per kind, the last code a reference resolved to: the lines of one order
    // follow each other and name it again and again.
    std::array<std::string, 10> lastResolved_;
    // Codes looked up in the store while checking: kind + code → whether found,
    // and the first row that referred to it (where a code removed from the
    // store before the write is reported).
    struct StoreLookup {
        bool found;
        Kind kind;
        const ParsedFile* file;
        long long line;
        const char* column;
    };
    std::unordered_map<std::string, StoreLookup> storeLookups_;
    std::array<std::optional<sql::Statement>, 10> storeQueries_;  // per kind, "is this code in the store?"
    // Changes to log: fact buckets (employee, day) and dimension tables touched.
    std::set<std::pair<std::string, std::string>> buckets_;  // visits
    std::set<std::pair<std::string, std::string>>::iterator lastBucket_;  // the last one a visit named
    struct OrderChange {
        std::string employee, day, oldStatus;  // oldStatus "" = the order is new
    };
    // By order code once sorted (see writeChangeLog); a code appears once,
    // since a duplicate order is an error and nothing is then written.
    std::vector<std::pair<std::string, OrderChange>> changedOrders_;
    std::vector<std::string> changedLines_;  // order codes, each once after sorting
    std::set<std::string> dimensionsTouched_;
    // SPEC §3: an order whose lines are in the import gets exactly those lines.
    // Only an order that existed before the import can have others; its
    // imported lines are kept as runs of consecutive line numbers (one run per
    // order, as a rule), and its stored lines outside them are removed once
    // every line is written (removeDroppedLines).
    struct LineRun {
        std::uint32_t order;  // index into orderCodes_, or into storeOnlyOrders_
        bool storeOnly;       // the order is not in this import, only its lines
        std::int64_t first, last;
    };
    std::vector<LineRun> lineRuns_;
    std::vector<bool> orderExisted_;             // per orderCodes_ index: in the store before this import
    std::vector<std::string> storeOnlyOrders_;  // orders whose lines, not themselves, are imported
    std::string runOrder_;                       // the order of the last line written
    bool runTracked_ = false;                    // whether that order's lines are kept as runs

    static std::string at(const ParsedFile& file, long long line, const std::string& message) {
        return file.displayName + ":" + std::to_string(line) + ": " + message;
    }

    void error(const ParsedFile& file, long long line, const std::string& message) {
        error(file.displayName, line, message);
    }
    void error(const std::string& fileName, long long line, const std::string& message) {
        ++errorCount_;
        std::uint64_t position = 2 * nextOrdinal_++ + 1;
        if (errors_.size() < kMaxErrors)
            errors_.push_back({position, true, fileName + ":" + std::to_string(line) + ": " + message});
    }

    static bool isPlanFile(const std::filesystem::path& path) {
        for (const auto& name : rewards::planFileNames())
            if (isFileOfKind(path, name)) return true;
        return false;
    }

    // The reward plan files (rewards/plan_import.hpp): small, so checked twice.
    // While checking, against this import's keys and the snapshot; while
    // writing (once the employees and KPIs they name are written), against the
    // store as it is then, and written. Rows read and warnings are counted once.
    rewards::ImportSink planSink(ImportSummary& summary) {
        return rewards::ImportSink{
            [this](const std::string& file, long long line, const std::string& message) { error(file, line, message); },
            [this](const std::string& what, const std::string& code) {
                const Kind kind = what == "employee" ? Kind::Employees : Kind::Kpis;
                return inImport(kind, code) || storeHas(kind, code) ||
                       (kind == Kind::Kpis && parseKpiType(code).has_value());
            },
            summary};
    }

    void checkPlans() {
        if (planFiles_.empty()) return;
        auto sink = planSink(summary_);
        rewards::checkPlanFiles(*db_, planFiles_, sink);
    }

    void writePlans() {
        if (planFiles_.empty()) return;
        ImportSummary again;  // the rows were counted while checking
        auto sink = planSink(again);
        rewards::importPlanFiles(*db_, planFiles_, options_.user.empty() ? std::string("kpi import") : options_.user,
                                 sink);
        summary_.rowsChanged += again.rowsChanged;
    }

    void throwIfErrors() {
        if (errorCount_ == 0) return;
        if (!confirmed_.empty()) {
            // Put the duplicates found late where they were met, and keep the
            // first kMaxErrors as if they had been reported then.
            std::vector<Reported> all = std::move(errors_);
            all.insert(all.end(), std::make_move_iterator(confirmed_.begin()), std::make_move_iterator(confirmed_.end()));
            std::stable_sort(all.begin(), all.end(),
                             [](const Reported& a, const Reported& b) { return a.position < b.position; });
            errors_.clear();
            for (auto& e : all)
                if (!e.capped || errors_.size() < kMaxErrors) errors_.push_back(std::move(e));
        }
        std::string text;
        for (const auto& e : errors_) text += e.text + "\n";
        if (errorCount_ > errors_.size())
            text += "… and " + std::to_string(errorCount_ - errors_.size()) + " more errors\n";
        text += "import rejected: " + std::to_string(errorCount_) + (errorCount_ == 1 ? " error" : " errors") +
                "; the store is unchanged";
        throw Error(Error::Kind::InvalidData, text);
    }

    void progress(const std::string& line) {
        if (options_.progress) options_.progress(line);
    }

    bool exists(const char* sqlText) {
        auto st = db_->prepare(sqlText);
        return st.step();
    }

    // ---- phase 1: check ------------------------------------------------------

    void check(const std::map<Kind, std::vector<std::filesystem::path>>& byKind) {
        sql::Transaction snapshot(*db_, false);
        std::optional<ImportOverlay> overlay;
        if (byKind.count(Kind::Employees) || byKind.count(Kind::Kpis) || byKind.count(Kind::Targets))
            overlay.emplace(*db_);
        overlay_ = overlay ? &*overlay : nullptr;
        for (const auto& [kind, kindPaths] : byKind) {
            const size_t first = files_.size();
            // Employees refer to each other (manager_code): all their keys first.
            const bool keepRows = kind == Kind::Employees;
            loading_ = load_ && firstLoadKind(kind);
            if (loading_) load_->startTable(writtenColumns(kind).table, writtenColumns(kind).columns);
            for (const auto& path : kindPaths) checkFile(path, !keepRows);
            if (loading_) load_->endTable();
            loading_ = false;
            if (keepRows) {
                for (size_t i = first; i < files_.size(); ++i) collectKeys(files_[i]);
                for (size_t i = first; i < files_.size(); ++i) {
                    for (const Row& row : files_[i].rows) checkRow(files_[i], row);
                    std::vector<Row>().swap(files_[i].rows);
                }
            }
            if (keptAsHashes(kind)) confirmDuplicates(kind, first);
            if (kind == Kind::Orders && !std::is_sorted(orderCodes_.begin(), orderCodes_.end()))
                std::sort(orderCodes_.begin(), orderCodes_.end());
        }
        checkPlans();
        if (overlay) {
            overlay->flush();
            checkManagerLoops(overlay->tables());
            checkStoreRules(overlay->tables());
        }
        overlay_ = nullptr;
        overlay.reset();
        snapshot.commit();
    }

    // Reads a file's header and rows. With stream, each row is checked as it
    // is read and then dropped; otherwise the rows are kept in the ParsedFile
    // (to be checked once the keys of the whole kind are known).
    void checkFile(const std::filesystem::path& path, bool stream) {
        ParsedFile parsed{path.string(), specForFile(path), {}, path, {}, 0};
        if (!parsed.spec) {
            std::string known;
            for (const auto& s : specs()) known += std::string(known.empty() ? "" : ", ") + s.file;
            for (const auto& name : rewards::planFileNames()) known += ", " + name;
            error(parsed, 1, "cannot tell the kind of data from the file name (expected one of " + known + ")");
            return;
        }
        if (!std::filesystem::exists(path)) {
            error(parsed, 1, "file not found");
            return;
        }
        csv::Reader reader(path);
        const auto& columns = parsed.spec->columns;
        std::vector<std::string> fields;
        if (!reader.next(fields)) {
            error(parsed, 1, "file is empty (a header row is required)");
            return;
        }
        if (!reader.error().empty()) {
            error(parsed, reader.line(), reader.error());
            return;
        }
        // Header: columns by name, in any order; unknown ones are reported and ignored.
        std::vector<int> sourceOf(columns.size(), -1);
        const size_t headerWidth = fields.size();
        for (size_t i = 0; i < fields.size(); ++i) {
            std::string name = fields[i];
            while (!name.empty() && (name.back() == ' ')) name.pop_back();
            while (!name.empty() && (name.front() == ' ')) name.erase(name.begin());
            auto it = std::find_if(columns.begin(), columns.end(), [&](const Column& c) { return name == c.name; });
            if (it == columns.end()) {
                summary_.warnings.push_back(parsed.displayName + ":1: unknown column '" + name + "' ignored");
                continue;
            }
            size_t index = static_cast<size_t>(it - columns.begin());
            if (sourceOf[index] >= 0) {
                error(parsed, 1, "column '" + name + "' appears twice");
                return;
            }
            sourceOf[index] = static_cast<int>(i);
        }
        bool headerOk = true;
        for (size_t c = 0; c < columns.size(); ++c)
            if (columns[c].required && sourceOf[c] < 0) {
                error(parsed, 1, std::string("missing column '") + columns[c].name + "'");
                headerOk = false;
            }
        if (!headerOk) return;

        size_t nextProgress = 4 << 20;
        long long rowsRead = 0;
        parsed.sourceOf = sourceOf;
        parsed.headerWidth = headerWidth;
        // A first load writes the rows as they are checked and never reads
        // the file again: no fingerprint to compare.
        parsed.fingerprint = loading_ ? 0 : reader.fingerprint();
        parsed.index = files_.size();
        files_.push_back(std::move(parsed));
        ParsedFile& file = files_.back();
        // A streamed row is checked and forgotten, so one Row serves them all:
        // its strings and the reader's swap buffers instead of being allocated anew.
        Row streamed{0, std::vector<std::string>(columns.size())};
        while (reader.next(fields)) {
            long long line = reader.line();
            if (!reader.error().empty()) {
                error(file, line, reader.error());
                continue;
            }
            if (fields.size() != headerWidth) {
                error(file, line, "has " + std::to_string(fields.size()) + " fields, the header has " +
                                        std::to_string(headerWidth));
                continue;
            }
            Row kept;
            Row& row = stream ? streamed : kept;
            row.line = line;
            row.bad = false;
            fillRow(file, fields, row);
            size_t before = errorCount_;
            checkFields(file, row);
            row.bad = errorCount_ != before;
            ++rowsRead;
            if (stream) {
                collectKey(file, row);
                checkRow(file, row);
                // Once anything is wrong the import is rejected: nothing more to send.
                if (loading_ && errorCount_ == 0) {
                    storedTexts(file, row, loadTexts_, loadValues_);
                    load_->add(loadValues_);
                    ++loadedRows_;
                }
            } else {
                file.rows.push_back(std::move(row));
            }
            if (reader.position() >= nextProgress) {
                nextProgress += 4 << 20;
                progress("checking " + file.displayName + ": " + std::to_string(rowsRead) + " rows (" +
                         std::to_string(reader.position() * 100 / std::max<size_t>(1, reader.size())) + "%)");
            }
        }
        summary_.rowsRead.emplace_back(file.spec->file, rowsRead);
    }

    // A record's fields in the spec's column order ("" = not given); fields'
    // strings are swapped in, not copied.
    static void fillRow(const ParsedFile& file, std::vector<std::string>& fields, Row& row) {
        const size_t columns = file.spec->columns.size();
        row.values.resize(columns);
        for (size_t c = 0; c < columns; ++c) {
            if (file.sourceOf[c] >= 0) row.values[c].swap(fields[static_cast<size_t>(file.sourceOf[c])]);
            else row.values[c].clear();
        }
    }

    void checkFields(const ParsedFile& file, const Row& row) {
        const auto& columns = file.spec->columns;
        for (size_t c = 0; c < columns.size(); ++c) {
            const std::string& v = row.values[c];
            const Column& col = columns[c];
            if (v.empty()) {
                if (col.required) error(file, row.line, std::string("'") + col.name + "' is required");
                continue;
            }
            auto bad = [&](const std::string& what) {
                error(file, row.line, std::string("'") + col.name + "' " + what + ", got '" + v + "'");
            };
            switch (col.check) {
            case Check::Text:
                break;
            case Check::Date:
                if (!parseDay(v)) bad("must be a date YYYY-MM-DD");
                break;
            case Check::Time:
                if (!parseDayOfTimestamp(v)) bad("must be a time YYYY-MM-DD HH:MM:SS");
                break;
            case Check::Number: {
                // The store's own rules (store_rules.cpp) and the limits of exact arithmetic (exact.hpp).
                // Trailing zeros are no decimals: "12000.000000" is 12000.
                auto n = parseDecimal(v);
                size_t dot = v.find('.'), last = v.find_last_not_of('0');
                if (!n) bad("must be a number (digits, '.' as decimal mark)");
                else if (*n < 0) bad("must not be negative");
                else if (std::string(col.name) == "cap" && *n == 0) bad("must be greater than 0");
                else if (dot != std::string::npos && last > dot + 4) bad("must have at most 4 decimals");
                else if (*n > exact::kMaxValue) bad("must be at most 100000000000000");
                break;
            }
            case Check::Integer: {
                auto n = parseInteger(v);
                if (!n || *n < 1) bad("must be a whole number ≥ 1");
                break;
            }
            case Check::OrderType:
                if (v != "sale" && v != "return") bad("must be sale or return");
                break;
            case Check::OrderStatus:
                if (v != "pending" && v != "approved" && v != "rejected" && v != "cancelled")
                    bad("must be pending, approved, rejected or cancelled");
                break;
            case Check::PeriodType:
                if (!parsePeriodType(v)) bad("must be DAY, WEEK, MONTH, QUARTER, YEAR or CYCLE");
                break;
            case Check::KpiTypeName:
                if (!parseKpiType(v))
                    bad("must be a KPI type (SALES, VOLUME, PC, LPPC, ASO, UB, COVERAGE, NEW_OUTLETS, FOCUS_SALES, "
                        "FOCUS_OUTLETS, VISITS, STRIKE_RATE, DROP_SIZE)");
                break;
            }
        }
        // Row rules beyond single fields.
        const auto& v = row.values;
        switch (file.spec->kind) {
        case Kind::Employees:
            if (!v[7].empty() && !v[6].empty() && v[7] < v[6]) error(file, row.line, "'end_date' is before 'start_date'");
            if (!v[3].empty() && v[3] == v[0]) error(file, row.line, "employee '" + v[0] + "' is their own manager");
            break;
        case Kind::Routes:
            if (!v[3].empty() && v[3] < v[2]) error(file, row.line, "'valid_to' is before 'valid_from'");
            break;
        case Kind::Targets:
            if (!v[4].empty() && v[4] < v[3]) error(file, row.line, "'valid_to' is before 'valid_from'");
            break;
        case Kind::Kpis: {
            std::string why;
            auto params = parseKpiParams(v[7], why);
            if (!params) {
                error(file, row.line, why);
            } else if (auto type = parseKpiType(v[1])) {
                if ((*type == KpiType::FocusSales || *type == KpiType::FocusOutlets) && !params->hasLineFilter())
                    error(file, row.line, v[1] + " needs focus SKUs in 'params' (skus=, category= or brand=)");
            }
            break;
        }
        default:
            break;
        }
    }

    // Duplicate keys within the import, and the keys other kinds may refer to.
    void collectKeys(const ParsedFile& file) {
        for (const auto& row : file.rows) collectKey(file, row);
    }

    void collectKey(const ParsedFile& file, const Row& row) {
        Kind kind = file.spec->kind;
        if (keptAsHashes(kind)) {
            auto& keys = hashedKeys_[static_cast<size_t>(kind)];
            if (keys.errorsBefore.empty() ? nextOrdinal_ != 0 : keys.errorsBefore.back().second != nextOrdinal_)
                keys.errorsBefore.emplace_back(keys.hashes.size(), nextOrdinal_);
            buildKey([&](size_t i) -> const std::string& { return row.values[i]; }, file.spec->keyColumns, keyBuffer_);
            keys.hashes.push_back(hashKey(keyBuffer_));
            if (kind == Kind::Orders) orderCodes_.push_back(row.values[0]);
            return;
        }
        auto& seen = keys_[kind];
        Key key = makeKey(row, file.spec->keyColumns);
        auto [it, inserted] = seen.emplace(std::move(key), Where{&file, row.line});
        if (!inserted) error(file, row.line, duplicateMessage(it->first, it->second));
    }

    // After the files of a kind kept as hashes (files_[first…]) are read:
    // finds the hashes seen more than once; if any, reads the files again and
    // reports the rows whose key is a duplicate, each with where the key was
    // first seen and in the place among the other errors where it was met.
    // The rows read again are the rows collectKey saw, in the same order.
    void confirmDuplicates(Kind kind, size_t first) {
        auto& keys = hashedKeys_[static_cast<size_t>(kind)];
        std::vector<std::uint64_t> hashes = std::move(keys.hashes);
        // What the second read must see again: the same rows (by count and an
        // order-free sum of their hashes), or a file changed in between.
        const size_t rowsRead = hashes.size();
        std::uint64_t hashSum = 0;
        for (std::uint64_t h : hashes) hashSum += h;
        std::sort(hashes.begin(), hashes.end());
        std::vector<std::uint64_t> repeated;
        for (size_t i = 1; i < hashes.size(); ++i)
            if (hashes[i] == hashes[i - 1] && (repeated.empty() || repeated.back() != hashes[i]))
                repeated.push_back(hashes[i]);
        std::vector<std::uint64_t>().swap(hashes);
        if (repeated.empty()) return;

        auto errorsBefore = [&](size_t index) -> std::uint64_t {
            auto it = std::upper_bound(keys.errorsBefore.begin(), keys.errorsBefore.end(), index,
                                       [](size_t i, const auto& change) { return i < change.first; });
            return it == keys.errorsBefore.begin() ? 0 : std::prev(it)->second;
        };
        std::unordered_map<Key, Where> firstSeen;
        std::vector<std::string> fields;
        size_t index = 0;
        std::uint64_t hashSumAgain = 0;
        for (size_t i = first; i < files_.size(); ++i) {
            const ParsedFile& file = files_[i];
            csv::Reader reader(file.path);
            if (!reader.next(fields)) continue;  // the header, checked when first read
            auto value = [&](size_t c) -> const std::string& {
                static const std::string none;
                int source = file.sourceOf[c];
                return source >= 0 ? fields[static_cast<size_t>(source)] : none;
            };
            while (reader.next(fields)) {
                if (!reader.error().empty() || fields.size() != file.headerWidth) continue;
                size_t row = index++;
                buildKey(value, file.spec->keyColumns, keyBuffer_);
                std::uint64_t hash = hashKey(keyBuffer_);
                hashSumAgain += hash;
                if (!std::binary_search(repeated.begin(), repeated.end(), hash)) continue;
                auto [it, inserted] = firstSeen.emplace(keyBuffer_, Where{&file, reader.line()});
                if (inserted) continue;
                ++errorCount_;
                confirmed_.push_back({2 * errorsBefore(row), true,
                                      at(file, reader.line(), duplicateMessage(it->first, it->second))});
            }
        }
        if (index != rowsRead || hashSumAgain != hashSum)
            for (size_t i = first; i < files_.size(); ++i)
                error(files_[i], 1, "the file changed while it was being imported; import it again");
    }

    // The index of an order code in orderCodes_ (sorted): orders and their
    // lines mostly come in code order, so the next one is tried first.
    std::optional<std::uint32_t> orderIndex(const std::string& code) {
        const size_t n = orderCodes_.size();
        if (orderHint_ < n && orderCodes_[orderHint_] == code) return static_cast<std::uint32_t>(orderHint_);
        if (orderHint_ + 1 < n && orderCodes_[orderHint_ + 1] == code) return static_cast<std::uint32_t>(++orderHint_);
        auto it = std::lower_bound(orderCodes_.begin(), orderCodes_.end(), code);
        if (it == orderCodes_.end() || *it != code) return std::nullopt;
        orderHint_ = static_cast<size_t>(it - orderCodes_.begin());
        return static_cast<std::uint32_t>(orderHint_);
    }

    bool inImport(Kind kind, const std::string& key) {
        if (kind == Kind::Orders) return orderIndex(key).has_value();
        auto it = keys_.find(kind);
        return it != keys_.end() && it->second.count(key) > 0;
    }

    // Whether the store holds the code (a fresh look-up, never cached).
    bool storeHas(Kind kind, const std::string& code) {
        // A first load's tables were empty when locked, and stay locked
        // (even against this check's own connection) until the import ends.
        if (load_ && firstLoadKind(kind)) return false;
        auto& query = storeQueries_[static_cast<size_t>(kind)];
        if (!query) {
            const StoreTable t = storeTableOf(kind);
            query.emplace(db_->prepare(std::string("SELECT 1 FROM ") + t.table + " WHERE " + t.keyColumn + " = ?1"));
        }
        query->reset();
        query->bind(1, code);
        const bool found = query->step();
        query->reset();
        return found;
    }

    // Whether the snapshot holds the code; the first row asking is remembered.
    bool inStore(Kind kind, const std::string& code, const ParsedFile& file, long long line, const char* column) {
        std::string cacheKey = std::string(1, static_cast<char>('a' + static_cast<int>(kind))) + code;
        auto it = storeLookups_.find(cacheKey);
        if (it != storeLookups_.end()) return it->second.found;
        const bool found = storeHas(kind, code);
        storeLookups_.emplace(std::move(cacheKey), StoreLookup{found, kind, &file, line, column});
        return found;
    }

    void requireRef(const ParsedFile& file, const Row& row, Kind kind, size_t column) {
        const std::string& code = row.values[column];
        if (code.empty()) return;
        // A code that resolved once still does: keys are only added, and the
        // store's answers are cached anyway.
        std::string& last = lastResolved_[static_cast<size_t>(kind)];
        if (code == last) return;
        const char* columnName = file.spec->columns[column].name;
        if (inImport(kind, code) || inStore(kind, code, file, row.line, columnName)) {
            last = code;
            return;
        }
        error(file, row.line, std::string("'") + columnName + "' refers to unknown " + storeTableOf(kind).what + " '" +
                                  code + "'");
    }

    // Checks one row's references; a row whose fields and references are all
    // good joins the overlay the rules over the whole store are checked on.
    void checkRow(const ParsedFile& file, const Row& row) {
        const Kind kind = file.spec->kind;
        const auto& v = row.values;
        size_t before = errorCount_;
        switch (kind) {
        case Kind::Employees: requireRef(file, row, Kind::Employees, 3); break;
        case Kind::Outlets: requireRef(file, row, Kind::Employees, 5); break;
        case Kind::Routes:
            requireRef(file, row, Kind::Employees, 0);
            requireRef(file, row, Kind::Outlets, 1);
            break;
        case Kind::Visits:
        case Kind::Orders:
            requireRef(file, row, Kind::Employees, 1);
            requireRef(file, row, Kind::Outlets, 2);
            break;
        case Kind::OrderLines:
            requireRef(file, row, Kind::Orders, 0);
            requireRef(file, row, Kind::Products, 2);
            break;
        case Kind::Targets:
            requireRef(file, row, Kind::Employees, 0);
            // kpi_code may also be a bare KPI type (SPEC §6).
            if (!inImport(Kind::Kpis, v[1]) && !parseKpiType(v[1]) && !inStore(Kind::Kpis, v[1], file, row.line, "kpi_code"))
                error(file, row.line, "'kpi_code' refers to unknown KPI '" + v[1] + "'");
            break;
        default:
            break;
        }
        if (overlay_ && !row.bad && errorCount_ == before) overlay_->add(kind, v);
    }

    Where whereOf(Kind kind, const Key& key) {
        auto& m = keys_[kind];
        auto it = m.find(key);
        return it == m.end() ? Where{nullptr, 0} : it->second;
    }

    bool inImportAny(Kind kind) { return keys_.count(kind) > 0 && !keys_[kind].empty(); }

    void checkManagerLoops(const RuleTables& tables) {
        if (!inImportAny(Kind::Employees)) return;
        std::unordered_map<std::string, std::string> managerOf;
        auto st = db_->prepare("SELECT code, manager_code FROM " + tables.employees);
        while (st.step()) managerOf.emplace(std::string(st.text(0)), std::string(st.text(1)));
        for (const auto& [code, where] : keys_[Kind::Employees]) {
            std::string current = code;
            for (size_t steps = 0; steps <= managerOf.size(); ++steps) {
                auto it = managerOf.find(current);
                if (it == managerOf.end() || it->second.empty()) break;
                current = it->second;
                if (current == code) {
                    error(*where.file, where.line, "manager_code chain of '" + code + "' loops back to itself");
                    break;
                }
            }
        }
    }

    // Rules over the whole store as it would be after this import: targets whose
    // validity windows overlap, and targets for an employee of a role their KPI
    // does not apply to (whichever file brings which).
    void checkStoreRules(const RuleTables& tables) {
        if (!inImportAny(Kind::Targets) && !inImportAny(Kind::Employees) && !inImportAny(Kind::Kpis)) return;
        auto reportAt = [&](const std::string& employee, const std::string& kpiCode, const std::string& type,
                            const std::string& from, const std::string& message) {
            Where w = whereOf(Kind::Targets, employee + '\x1f' + kpiCode + '\x1f' + type + '\x1f' + from);
            if (!w.file) w = whereOf(Kind::Employees, employee);
            if (!w.file) w = whereOf(Kind::Kpis, kpiCode);
            if (w.file) error(*w.file, w.line, message);
            else {
                ++errorCount_;
                errors_.push_back({2 * nextOrdinal_++ + 1, false, "store: " + message});
            }
        };
        if (inImportAny(Kind::Targets)) {
            auto st = db_->prepare(
                "SELECT a.employee_code, a.kpi_code, a.period_type, a.valid_from, a.valid_to, b.valid_from, "
                "b.valid_to FROM " + tables.targets + " a JOIN " + tables.targets + " b ON b.employee_code = "
                "a.employee_code AND b.kpi_code = a.kpi_code AND b.period_type = a.period_type AND b.valid_from > "
                "a.valid_from AND b.valid_from <= a.valid_to");
            while (st.step()) {
                std::string e(st.text(0)), k(st.text(1)), t(st.text(2)), af(st.text(3)), at(st.text(4)),
                    bf(st.text(5)), bt(st.text(6));
                std::string message = "target " + e + "/" + k + "/" + t + " valid " + bf + ".." + bt +
                                      " overlaps the one valid " + af + ".." + at;
                // Name the imported one of the two.
                if (whereOf(Kind::Targets, e + '\x1f' + k + '\x1f' + t + '\x1f' + bf).file)
                    reportAt(e, k, t, bf, message);
                else
                    reportAt(e, k, t, af, message);
            }
        }
        auto st = db_->prepare(
            "SELECT t.employee_code, t.kpi_code, t.period_type, t.valid_from, e.role, k.applies_to FROM " +
            tables.targets + " t JOIN " + tables.employees + " e ON e.code = t.employee_code JOIN " + tables.kpis +
            " k ON k.code = t.kpi_code WHERE coalesce(k.applies_to, '') <> '' AND " +
            db_->positionSql("'|' || replace(k.applies_to, ' ', '') || '|'", "'|' || e.role || '|'") + " = 0");
        while (st.step()) {
            std::string e(st.text(0)), k(st.text(1)), t(st.text(2)), f(st.text(3)), role(st.text(4)),
                applies(st.text(5));
            bool touched = whereOf(Kind::Targets, e + '\x1f' + k + '\x1f' + t + '\x1f' + f).file ||
                           whereOf(Kind::Employees, e).file || whereOf(Kind::Kpis, k).file;
            if (touched)
                reportAt(e, k, t, f,
                         "KPI '" + k + "' applies to roles " + applies + ", but employee '" + e + "' is " + role);
        }
    }

    // ---- phase 2: write ------------------------------------------------------

    // `begun`: the write transaction a first load began (see run()).
    void write(sql::Transaction* begun) {
        long long rows = 0;
        for (const auto& [kind, n] : summary_.rowsRead) rows += n;
        progress("checked " + std::to_string(rows) + " rows; writing them into the store");
        // A first load's rows may still be on their way: the connection is its own until then.
        if (load_) load_->wait([this](const std::string& what) { progress(what); });
        // Waits for another writer up to the busy timeout, like any writer.
        std::optional<sql::Transaction> own;
        if (!begun) own.emplace(*db_);
        sql::Transaction& tx = begun ? *begun : *own;
        recheckStoreReferences();
        throwIfErrors();
        storeHasFacts_ = !load_ && (exists("SELECT 1 FROM orders LIMIT 1") || exists("SELECT 1 FROM visits LIMIT 1"));
        orderExisted_.assign(orderCodes_.size(), false);
        for (ParsedFile& file : files_)
            if (!load_ || !firstLoadKind(file.spec->kind)) writeFile(file);
        summary_.rowsChanged += loadedRows_;  // every row a first load wrote is new
        throwIfErrors();
        writePlans();
        removeDroppedLines();
        checkManagerLoops(kStoreTables);
        checkStoreRules(kStoreTables);
        throwIfErrors();
        writeChangeLog();
        if (load_) load_->finish([this](const std::string& what) { progress(what); });
        tx.commit();
    }

    // A code found in the snapshot may have been removed by another writer
    // since; the import would then refer to nothing.
    void recheckStoreReferences() {
        struct Gone {
            const ParsedFile* file;
            long long line;
            std::string message;
        };
        std::vector<Gone> gone;
        // On PostgreSQL the schema's reference triggers skip this import's
        // rows (it checked them): each stored parent they name is locked as
        // the server's own check would lock it (FOR KEY SHARE), so that no
        // other writer deletes it or changes its key before this commits.
        std::array<std::optional<sql::Statement>, 10> locks;
        const bool lock = db_->backend() == sql::Backend::Postgres;
        for (const auto& [cacheKey, lookup] : storeLookups_) {
            if (!lookup.found) continue;
            const std::string code = cacheKey.substr(1);
            if (lock) {
                auto& query = locks[static_cast<size_t>(lookup.kind)];
                if (!query) {
                    const StoreTable t = storeTableOf(lookup.kind);
                    query.emplace(db_->prepare(std::string("SELECT 1 FROM ") + t.table + " WHERE " + t.keyColumn +
                                              " = ?1 FOR KEY SHARE"));
                }
                query->reset();
                query->bind(1, code);
                const bool found = query->step();
                query->reset();
                if (found) continue;
            } else if (storeHas(lookup.kind, code)) {
                continue;
            }
            gone.push_back({lookup.file, lookup.line,
                            std::string("'") + lookup.column + "' refers to " + storeTableOf(lookup.kind).what + " '" +
                                code + "', which another writer removed from the store while this import was being "
                                       "checked; import again"});
        }
        std::sort(gone.begin(), gone.end(), [](const Gone& a, const Gone& b) {
            return std::tie(a.file->index, a.line, a.message) < std::tie(b.file->index, b.line, b.message);
        });
        for (const auto& g : gone) error(*g.file, g.line, g.message);
    }

    // Reads a checked file again and writes its rows. Its bytes must be the
    // ones checked: a file changed in between is an error, never half-checked data.
    void writeFile(const ParsedFile& file) {
        const auto changed = [&] {
            error(file, 1, "the file changed while it was being imported; import it again");
        };
        std::optional<csv::Reader> reader;
        try {
            reader.emplace(file.path);
        } catch (const Error&) {
            changed();
            return;
        }
        if (reader->fingerprint() != file.fingerprint) {
            changed();
            return;
        }
        std::vector<std::string> fields;
        reader->next(fields);  // the header, checked
        auto writer = beginWrite(file);
        // Where the backend writes batches faster than rows (PostgreSQL), the
        // facts and dimensions go in batches; targets, audited row by row, do
        // not, except into a store that has none (below).
        std::unique_ptr<sql::BulkUpsert> bulk;
        const WrittenColumns& columns = writtenColumns(writer->kind);
        if (writer->kind != Kind::Targets) {
            std::vector<std::string> previous;
            if (storeHasFacts_ && writer->kind == Kind::Orders) previous = {"employee_code", "order_date", "status"};
            if (storeHasFacts_ && writer->kind == Kind::Visits) previous = {"employee_code", "visit_date"};
            bulk = db_->bulkUpsert(columns.table, columns.columns, columns.keys, previous);
        }
        // Targets into a store that has none (a first import): every one is
        // new, so they go in batches too, and their audit rows ('new', no
        // state before) follow in one statement, in the order of the file.
        std::unique_ptr<TargetAudit> audit;
        if (writer->kind == Kind::Targets && !exists("SELECT 1 FROM targets LIMIT 1")) {
            bulk = db_->bulkUpsert(columns.table, columns.columns, columns.keys, {});
            if (bulk) audit = std::make_unique<TargetAudit>(*db_, writer->who);
        }
        std::vector<std::vector<std::string>> batch;  // the rows of the batch not yet written
        Row row{0, std::vector<std::string>(file.spec->columns.size())};
        size_t nextProgress = 4 << 20;
        long long rowsWritten = 0;
        while (reader->next(fields)) {
            // The same bytes as checked, so every record is well-formed.
            row.line = reader->line();
            fillRow(file, fields, row);
            if (bulk) {
                addToBatch(*writer, *bulk, file, row, batch);
                if (audit) audit->add(row.values);
                if (bulk->pending() >= kBatchRows) writeBatch(*writer, *bulk, batch);
            } else {
                writeRow(*writer, file, row);
            }
            ++rowsWritten;
            if (reader->position() >= nextProgress) {
                nextProgress += 4 << 20;
                progress("writing " + file.displayName + ": " + std::to_string(rowsWritten) + " rows (" +
                         std::to_string(reader->position() * 100 / std::max<size_t>(1, reader->size())) + "%)");
            }
        }
        if (bulk) writeBatch(*writer, *bulk, batch);
        if (audit) audit->write();
        endWrite(*writer);
    }

    // The audit rows of targets written in batches into a store that had
    // none: their keys in the file's order into a temporary table, then one
    // INSERT … SELECT of the rows the row-by-row path writes ('new', no state
    // before, the state after as stored).
    class TargetAudit {
    public:
        TargetAudit(sql::Database& db, const std::string& who) : db_(db), who_(who) {
            db_.exec("DROP TABLE IF EXISTS import_target_order");
            db_.createTempTable("import_target_order",
                                "employee_code TEXT, kpi_code TEXT, period_type TEXT, valid_from TEXT, n INTEGER");
            keys_ = db_.bulkInsert("import_target_order", {"employee_code", "kpi_code", "period_type", "valid_from", "n"});
        }
        ~TargetAudit() {
            try {
                keys_.reset();
                db_.exec("DROP TABLE IF EXISTS import_target_order");
            } catch (...) {
            }
        }
        void add(const std::vector<std::string>& v) {
            const std::string n = std::to_string(++rows_);
            keys_->add({&v[0], &v[1], &v[2], &v[3], &n});
        }
        void write() {
            keys_->finish();
            db_.prepare("INSERT INTO target_history(changed_at, changed_by, action, employee_code, kpi_code, "
                        "period_type, valid_from, before, after) SELECT " + db_.nowSql() + ", ?1, 'new', "
                        "t.employee_code, t.kpi_code, t.period_type, t.valid_from, NULL, " +
                        schema::targetState("t", &db_) + " FROM import_target_order o JOIN targets t ON "
                        "t.employee_code = o.employee_code AND t.kpi_code = o.kpi_code AND t.period_type = "
                        "o.period_type AND t.valid_from = o.valid_from ORDER BY o.n")
                .bind(1, who_)
                .run();
        }

    private:
        sql::Database& db_;
        std::string who_;
        std::unique_ptr<sql::BulkInsert> keys_;
        long long rows_ = 0;
    };


    // Prepared statements and counters for writing one file's rows.
    struct FileWriter {
        Kind kind;
        sql::Statement upsert;
        std::optional<sql::Statement> previous, stateOf, audit;
        std::string who;
        long long written = 0;
    };

    static constexpr size_t kBatchRows = 50'000;

    // A checked row's values as the text of what writeRow binds (nullptr: NULL);
    // `values` point into `texts` or the row.
    static void storedTexts(const ParsedFile& file, const Row& row, std::vector<std::string>& texts,
                            std::vector<const std::string*>& values) {
        const auto& v = row.values;
        texts.resize(v.size());
        values.assign(v.size(), nullptr);
        static const std::string kDefaultWeight = "1";
        for (size_t c = 0; c < v.size(); ++c) {
            if (v[c].empty()) {
                if (file.spec->kind == Kind::Targets && c == 6) values[c] = &kDefaultWeight;  // as writeRow binds it
                continue;
            }
            const Check check = file.spec->columns[c].check;
            if (check == Check::Number) {
                char buf[32];
                auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *parseDecimal(v[c]));
                texts[c].assign(buf, ec == std::errc() ? static_cast<size_t>(end - buf) : 0);
                values[c] = &texts[c];
            } else if (check == Check::Integer) {
                texts[c] = std::to_string(static_cast<std::int64_t>(*parseInteger(v[c])));
                values[c] = &texts[c];
            } else {
                values[c] = &v[c];
            }
        }
    }

    // A checked row into the batch, its values as the text of what writeRow binds.
    void addToBatch(FileWriter& w, sql::BulkUpsert& bulk, const ParsedFile& file, const Row& row,
                    std::vector<std::vector<std::string>>& batch) {
        const auto& v = row.values;
        if (w.kind == Kind::OrderLines) noteLine(v[0], *parseInteger(v[1]));
        std::vector<std::string> texts;
        std::vector<const std::string*> values;
        storedTexts(file, row, texts, values);
        bulk.add(values);
        batch.push_back(v);
    }

    // Writes the batch, then notes per row what writeRow notes.
    void writeBatch(FileWriter& w, sql::BulkUpsert& bulk, std::vector<std::vector<std::string>>& batch) {
        for (const auto& outcome : bulk.flush()) {
            const auto& v = batch[outcome.row];
            std::string oldEmployee, oldDay, oldStatus;
            if (outcome.existed && outcome.previous.size() >= 2) {
                oldEmployee = outcome.previous[0];
                oldDay = outcome.previous[1];
                if (outcome.previous.size() > 2) oldStatus = outcome.previous[2];
            }
            if (w.kind == Kind::Orders && !oldEmployee.empty())
                if (auto index = orderIndex(v[0])) orderExisted_[*index] = true;
            if (!outcome.changed) continue;
            ++w.written;
            noteChange(w.kind, v, oldEmployee, oldDay, oldStatus);
        }
        batch.clear();
    }

    std::unique_ptr<FileWriter> beginWrite(const ParsedFile& file) {
        Kind kind = file.spec->kind;
        auto upsert = db_->prepare(upsertSql(kind));
        std::optional<sql::Statement> previous;
        if (storeHasFacts_ && kind == Kind::Orders)
            previous.emplace(db_->prepare("SELECT employee_code, order_date, status FROM orders WHERE order_code = ?1"));
        if (storeHasFacts_ && kind == Kind::Visits)
            previous.emplace(db_->prepare("SELECT employee_code, visit_date, '' FROM visits WHERE visit_code = ?1"));
        std::optional<sql::Statement> stateOf, audit;
        if (kind == Kind::Targets) {
            const char* key = "employee_code = ?1 AND kpi_code = ?2 AND period_type = ?3 AND valid_from = ?4";
            stateOf.emplace(db_->prepare("SELECT " + schema::targetState("t", db_) + " FROM targets t WHERE " + key));
            audit.emplace(db_->prepare(
                "INSERT INTO target_history(changed_at, changed_by, action, employee_code, kpi_code, period_type, "
                "valid_from, before, after) SELECT " + db_->nowSql() + ", ?5, "
                "CASE WHEN CAST(?6 AS TEXT) IS NULL THEN 'new' ELSE 'edit' END, employee_code, kpi_code, period_type, "
                "valid_from, ?6, " + schema::targetState("t", db_) + " FROM targets t WHERE " + key));
        }
        const std::string who = options_.user.empty() ? std::string("kpi import") : options_.user;
        return std::unique_ptr<FileWriter>(
            new FileWriter{kind, std::move(upsert), std::move(previous), std::move(stateOf), std::move(audit), who, 0});
    }

    // Writes one checked row, and notes what the change log must say.
    void writeRow(FileWriter& w, const ParsedFile& file, const Row& row) {
        Kind kind = w.kind;
        auto& upsert = w.upsert;
        auto& previous = w.previous;
        auto& stateOf = w.stateOf;
        auto& audit = w.audit;
        const std::string& who = w.who;
        const auto& v = row.values;

        std::string oldEmployee, oldDay, oldStatus;
        if (previous) {
            previous->reset();
            previous->bind(1, v[0]);
            if (previous->step()) {
                oldEmployee = previous->text(0);
                oldDay = previous->text(1);
                oldStatus = previous->text(2);
            }
            previous->reset();
        }
        if (kind == Kind::Orders && !oldEmployee.empty())
            if (auto index = orderIndex(v[0])) orderExisted_[*index] = true;
        if (kind == Kind::OrderLines) noteLine(v[0], *parseInteger(v[1]));
        std::optional<std::string> oldState;
        if (stateOf) {
            stateOf->reset();
            for (int k = 0; k < 4; ++k) stateOf->bind(k + 1, v[static_cast<size_t>(k)]);
            if (stateOf->step()) oldState = std::string(stateOf->text(0));
            stateOf->reset();
        }
        upsert.reset();
        for (size_t c = 0; c < v.size(); ++c) {
            Check check = file.spec->columns[c].check;
            int index = static_cast<int>(c + 1);
            if (v[c].empty()) {
                if (kind == Kind::Targets && c == 6) upsert.bind(index, 1.0);  // weight defaults to 1
                else upsert.bindNull(index);
            } else if (check == Check::Number) {
                upsert.bind(index, *parseDecimal(v[c]));
            } else if (check == Check::Integer) {
                upsert.bind(index, static_cast<std::int64_t>(*parseInteger(v[c])));
            } else {
                upsert.bindStatic(index, v[c]);
            }
        }
        upsert.run();
        bool changed = db_->changes() > 0;
        if (!changed) return;
        ++w.written;
        if (audit) {
            audit->reset();
            for (int k = 0; k < 4; ++k) audit->bind(k + 1, v[static_cast<size_t>(k)]);
            audit->bind(5, who);
            if (oldState) audit->bind(6, *oldState);
            else audit->bindNull(6);
            audit->run();
        }
        noteChange(kind, v, oldEmployee, oldDay, oldStatus);
    }

    // What the change log must say of a row this import inserted or changed.
    void noteChange(Kind kind, const std::vector<std::string>& v, const std::string& oldEmployee,
                    const std::string& oldDay, const std::string& oldStatus) {
        switch (kind) {
        case Kind::Orders:
            // The state before this import: what a reader needs to fold the change in.
            if (oldEmployee.empty()) changedOrders_.emplace_back(v[0], OrderChange{v[1], v[3].substr(0, 10), ""});
            else changedOrders_.emplace_back(v[0], OrderChange{oldEmployee, oldDay, oldStatus});
            break;
        case Kind::Visits: {
            // The visits of one salesperson's day mostly follow each other.
            std::string_view day = std::string_view(v[3]).substr(0, 10);
            if (buckets_.empty() || lastBucket_->first != v[1] || lastBucket_->second != day)
                lastBucket_ = buckets_.emplace(v[1], std::string(day)).first;
            if (!oldEmployee.empty()) buckets_.emplace(oldEmployee, oldDay);
            break;
        }
        case Kind::OrderLines:
            if (changedLines_.empty() || changedLines_.back() != v[0]) changedLines_.push_back(v[0]);
            break;
        default:
            dimensionsTouched_.insert(tableName(kind));
            break;
        }
    }

    void endWrite(const FileWriter& w) { summary_.rowsChanged += w.written; }

    // Notes an imported line of an order that existed before this import (see LineRun).
    void noteLine(const std::string& order, std::int64_t lineNo) {
        if (order != runOrder_) {
            runOrder_ = order;
            std::uint32_t ref = 0;
            bool storeOnly = false;
            if (auto index = orderIndex(order)) {
                runTracked_ = orderExisted_[*index];
                ref = *index;
            } else {  // checked: the order is in the store
                runTracked_ = true;
                storeOnly = true;
                ref = static_cast<std::uint32_t>(storeOnlyOrders_.size());
                storeOnlyOrders_.push_back(order);
            }
            if (runTracked_) lineRuns_.push_back({ref, storeOnly, lineNo, lineNo});
            return;
        }
        if (!runTracked_) return;
        LineRun& run = lineRuns_.back();
        if (lineNo == run.last + 1) run.last = lineNo;
        else lineRuns_.push_back({run.order, run.storeOnly, lineNo, lineNo});
    }

    // SPEC §3: the stored lines of an amended order that its imported lines no
    // longer have are removed, and the change log says so.
    void removeDroppedLines() {
        if (lineRuns_.empty()) return;
        // One index per store-only order, however often its lines were met.
        std::vector<std::string> storeOnly = storeOnlyOrders_;
        std::sort(storeOnly.begin(), storeOnly.end());
        storeOnly.erase(std::unique(storeOnly.begin(), storeOnly.end()), storeOnly.end());
        for (LineRun& run : lineRuns_)
            if (run.storeOnly)
                run.order = static_cast<std::uint32_t>(
                    std::lower_bound(storeOnly.begin(), storeOnly.end(), storeOnlyOrders_[run.order]) - storeOnly.begin());
        std::sort(lineRuns_.begin(), lineRuns_.end(), [](const LineRun& a, const LineRun& b) {
            return std::tie(a.storeOnly, a.order, a.first) < std::tie(b.storeOnly, b.order, b.first);
        });
        auto outside = db_->prepare("DELETE FROM order_lines WHERE order_code = ?1 AND (line_no < ?2 OR line_no > ?3)");
        auto between = db_->prepare("DELETE FROM order_lines WHERE order_code = ?1 AND line_no > ?2 AND line_no < ?3");
        for (size_t i = 0; i < lineRuns_.size();) {
            size_t end = i;
            std::int64_t last = lineRuns_[i].last;
            while (end + 1 < lineRuns_.size() && lineRuns_[end + 1].storeOnly == lineRuns_[i].storeOnly &&
                   lineRuns_[end + 1].order == lineRuns_[i].order) {
                ++end;
                last = std::max(last, lineRuns_[end].last);
            }
            const std::string& code = lineRuns_[i].storeOnly ? storeOnly[lineRuns_[i].order] : orderCodes_[lineRuns_[i].order];
            std::int64_t removed = 0;
            outside.reset();
            outside.bind(1, code).bind(2, lineRuns_[i].first).bind(3, last).run();
            removed += db_->changes();
            // The gaps between the runs (runs sorted by their first line; keys are unique, so they never overlap).
            for (size_t k = i; k < end; ++k) {
                if (lineRuns_[k + 1].first <= lineRuns_[k].last + 1) continue;
                between.reset();
                between.bind(1, code).bind(2, lineRuns_[k].last).bind(3, lineRuns_[k + 1].first).run();
                removed += db_->changes();
            }
            if (removed > 0) {
                summary_.linesRemoved += removed;
                changedLines_.push_back(code);
            }
            i = end + 1;
        }
    }

    // The same rows the schema's triggers would write (see schema.hpp), but one
    // per order or visit bucket rather than one per line.
    void writeChangeLog() {
        auto byCode = [](const auto& a, const auto& b) { return a.first < b.first; };
        if (!std::is_sorted(changedOrders_.begin(), changedOrders_.end(), byCode))
            std::sort(changedOrders_.begin(), changedOrders_.end(), byCode);
        if (!std::is_sorted(changedLines_.begin(), changedLines_.end())) std::sort(changedLines_.begin(), changedLines_.end());
        changedLines_.erase(std::unique(changedLines_.begin(), changedLines_.end()), changedLines_.end());
        auto fact = db_->prepare(
            "INSERT INTO changes(source, employee_code, day, ref, old_status) VALUES(?1, ?2, ?3, ?4, ?5)");
        // Where the backend appends faster in one go (PostgreSQL), the rows go that way, in the same order.
        auto bulk = db_->bulkInsert("changes", {"source", "employee_code", "day", "ref", "old_status"});
        const auto log = [&](const std::string& source, const std::string& employee, const std::string& day,
                             const std::string& ref, const std::string& oldStatus) {
            if (bulk) {
                bulk->add({&source, &employee, &day, ref.empty() ? nullptr : &ref,
                           oldStatus.empty() ? nullptr : &oldStatus});
                return;
            }
            fact.reset();
            fact.bind(1, source).bind(2, employee).bind(3, day).bindOptional(4, ref).bindOptional(5, oldStatus).run();
        };
        const std::string orders = "orders", lines = "order_lines", visits = "visits";
        for (const auto& [code, change] : changedOrders_) log(orders, change.employee, change.day, code, change.oldStatus);
        // The (employee, day) an order counts on: the store holds this import's orders by now.
        auto bucketOf = db_->prepare("SELECT employee_code, order_date FROM orders WHERE order_code = ?1");
        auto order = changedOrders_.begin();
        for (const auto& code : changedLines_) {
            while (order != changedOrders_.end() && order->first < code) ++order;
            if (order != changedOrders_.end() && order->first == code) continue;  // the order's own row covers its lines
            bucketOf.reset();
            bucketOf.bind(1, code);
            if (!bucketOf.step()) continue;
            std::string employee(bucketOf.text(0)), day(bucketOf.text(1));
            bucketOf.reset();
            log(lines, employee, day, code, "");
        }
        for (const auto& [employee, day] : buckets_) log(visits, employee, day, "", "");
        if (bulk) bulk->finish();
        auto dim = db_->prepare("INSERT INTO changes(source) VALUES(?1)");
        for (const auto& table : dimensionsTouched_) {
            dim.reset();
            dim.bind(1, table).run();
        }
        if (load_) {
            // A first load logs no row per order or visit (a reader would
            // read them all again anyway, past 100,000 rows): one row, whose
            // seq becomes the floor below which a reader's figures are read
            // from scratch (docs/store.md, "The change log").
            dim.reset();
            dim.bind(1, "import").run();
            auto last = db_->prepare("SELECT max(seq) FROM changes");
            last.step();
            const std::string floor = std::to_string(last.int64(0));
            last.reset();
            db_->prepare("INSERT INTO meta(key, value) VALUES('changes_floor', ?1) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
                .bind(1, floor)
                .run();
        }
    }
};

}  // namespace

bool isFileOfKind(const std::filesystem::path& path, std::string_view kindFile) {
    std::string name = lower(path.filename().string());
    if (name == kindFile) return true;
    // "x_order_lines.csv" must not read as lines of kind "lines.csv": no kind ends
    // another's name except through such a separator, which this requires.
    return name.size() > kindFile.size() && name.compare(name.size() - kindFile.size(), kindFile.size(), kindFile) == 0 &&
           (name[name.size() - kindFile.size() - 1] == '-' || name[name.size() - kindFile.size() - 1] == '_' ||
            name[name.size() - kindFile.size() - 1] == '.');
}

ImportSummary importFiles(sql::Database& db, const std::vector<std::filesystem::path>& files,
                          const ImportOptions& options) {
    if (files.empty()) throw Error(Error::Kind::InvalidArgument, "import needs at least one CSV file");
    Importer importer(db, options);
    return importer.run(files);
}

}  // namespace kpi::importer
