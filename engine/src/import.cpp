#include "import.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "csv.hpp"
#include "kpi/date.hpp"
#include "kpi/error.hpp"
#include "kpi/period.hpp"
#include "kpi_types.hpp"
#include "rewards/plan_import.hpp"
#include "schema.hpp"
#include "sqlite.hpp"

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
const char* upsertSql(Kind kind) {
    switch (kind) {
    case Kind::Employees:
        return "INSERT INTO employees(code, name, role, manager_code, department, region, start_date, end_date) "
               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(code) DO UPDATE SET name = excluded.name, "
               "role = excluded.role, manager_code = excluded.manager_code, department = excluded.department, "
               "region = excluded.region, start_date = excluded.start_date, end_date = excluded.end_date WHERE "
               "name IS NOT excluded.name OR role IS NOT excluded.role OR manager_code IS NOT excluded.manager_code "
               "OR department IS NOT excluded.department OR region IS NOT excluded.region OR start_date IS NOT "
               "excluded.start_date OR end_date IS NOT excluded.end_date";
    case Kind::Products:
        return "INSERT INTO products(sku, name, category, brand) VALUES(?1, ?2, ?3, ?4) ON CONFLICT(sku) DO UPDATE "
               "SET name = excluded.name, category = excluded.category, brand = excluded.brand WHERE name IS NOT "
               "excluded.name OR category IS NOT excluded.category OR brand IS NOT excluded.brand";
    case Kind::Outlets:
        return "INSERT INTO outlets(code, name, channel, province, created_date, created_by) VALUES(?1, ?2, ?3, ?4, "
               "?5, ?6) ON CONFLICT(code) DO UPDATE SET name = excluded.name, channel = excluded.channel, province = "
               "excluded.province, created_date = excluded.created_date, created_by = excluded.created_by WHERE name "
               "IS NOT excluded.name OR channel IS NOT excluded.channel OR province IS NOT excluded.province OR "
               "created_date IS NOT excluded.created_date OR created_by IS NOT excluded.created_by";
    case Kind::Routes:
        return "INSERT INTO routes(employee_code, outlet_code, valid_from, valid_to) VALUES(?1, ?2, ?3, ?4) ON "
               "CONFLICT(employee_code, outlet_code, valid_from) DO UPDATE SET valid_to = excluded.valid_to WHERE "
               "valid_to IS NOT excluded.valid_to";
    case Kind::Kpis:
        return "INSERT INTO kpis(code, type, name_vi, name_en, description, applies_to, unit, params, cap) VALUES(?1, "
               "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(code) DO UPDATE SET type = excluded.type, name_vi = "
               "excluded.name_vi, name_en = excluded.name_en, description = excluded.description, applies_to = "
               "excluded.applies_to, unit = excluded.unit, params = excluded.params, cap = excluded.cap WHERE type IS "
               "NOT excluded.type OR name_vi IS NOT excluded.name_vi OR name_en IS NOT excluded.name_en OR "
               "description IS NOT excluded.description OR applies_to IS NOT excluded.applies_to OR unit IS NOT "
               "excluded.unit OR params IS NOT excluded.params OR cap IS NOT excluded.cap";
    case Kind::Holidays:
        return "INSERT INTO holidays(date, name) VALUES(?1, ?2) ON CONFLICT(date) DO UPDATE SET name = excluded.name "
               "WHERE name IS NOT excluded.name";
    case Kind::Visits:
        return "INSERT INTO visits(visit_code, employee_code, outlet_code, visit_time) VALUES(?1, ?2, ?3, ?4) ON "
               "CONFLICT(visit_code) DO UPDATE SET employee_code = excluded.employee_code, outlet_code = "
               "excluded.outlet_code, visit_time = excluded.visit_time WHERE employee_code IS NOT "
               "excluded.employee_code OR outlet_code IS NOT excluded.outlet_code OR visit_time IS NOT "
               "excluded.visit_time";
    case Kind::Orders:
        return "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status, approved_time) "
               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(order_code) DO UPDATE SET employee_code = "
               "excluded.employee_code, outlet_code = excluded.outlet_code, order_time = excluded.order_time, type = "
               "excluded.type, status = excluded.status, approved_time = excluded.approved_time WHERE employee_code "
               "IS NOT excluded.employee_code OR outlet_code IS NOT excluded.outlet_code OR order_time IS NOT "
               "excluded.order_time OR type IS NOT excluded.type OR status IS NOT excluded.status OR approved_time IS "
               "NOT excluded.approved_time";
    case Kind::OrderLines:
        return "INSERT INTO order_lines(order_code, line_no, sku, quantity, amount) VALUES(?1, ?2, ?3, ?4, ?5) ON "
               "CONFLICT(order_code, line_no) DO UPDATE SET sku = excluded.sku, quantity = excluded.quantity, amount "
               "= excluded.amount WHERE sku IS NOT excluded.sku OR quantity IS NOT excluded.quantity OR amount IS NOT "
               "excluded.amount";
    case Kind::Targets:
        return "INSERT INTO targets(employee_code, kpi_code, period_type, valid_from, valid_to, target, weight) "
               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(employee_code, kpi_code, period_type, valid_from) DO "
               "UPDATE SET valid_to = excluded.valid_to, target = excluded.target, weight = excluded.weight WHERE "
               "valid_to IS NOT excluded.valid_to OR target IS NOT excluded.target OR weight IS NOT excluded.weight";
    }
    return "";
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

class Importer {
public:
    Importer(sql::Database& db, const ImportOptions& options) : db_(db), options_(options) {}

    ImportSummary run(const std::vector<std::filesystem::path>& paths) {
        // Kinds are applied in dependency order, whatever the order of the
        // arguments, one kind at a time: its rows are parsed, checked, written
        // and dropped before the next kind is read, so memory holds one kind's
        // rows (and the keys of all), not the whole import. Errors do not stop
        // validation: every bad row of every file is reported.
        std::map<Kind, std::vector<std::filesystem::path>> byKind;
        std::vector<std::filesystem::path> planFiles;  // rewards/plan_import.hpp
        for (const auto& path : paths) {
            if (const FileSpec* spec = specForFile(path)) byKind[spec->kind].push_back(path);
            else if (isPlanFile(path)) planFiles.push_back(path);
            else parseFile(path);  // reports the unknown kind
        }
        // References were checked row by row with messages that say where, and
        // this import logs changes and audits targets itself: the schema's
        // foreign keys and triggers serve writers that bypass it.
        //
        // A modest page cache: rows come mostly in key order, so a full page is
        // rarely touched again and spilling it to the WAL before COMMIT costs
        // one write either way; keeping every dirty page of a large import in
        // memory instead costs a page fault per page (measured on L: 2–3 s more
        // system time, 1.1 GB instead of 0.6 GB).
        struct ConnectionForImport {
            sql::Database& db;
            std::int64_t cacheSize = 0;
            explicit ConnectionForImport(sql::Database& d) : db(d) {
                auto st = db.prepare("PRAGMA cache_size");
                if (st.step()) cacheSize = st.int64(0);
                db.exec("PRAGMA cache_size=-65536");  // 64 MiB
                db.exec("PRAGMA foreign_keys=OFF");
                db.setTriggersEnabled(false);
            }
            ~ConnectionForImport() {
                try {
                    db.setTriggersEnabled(true);
                    db.exec("PRAGMA foreign_keys=ON");
                    db.exec("PRAGMA cache_size=" + std::to_string(cacheSize));
                } catch (...) {
                }
            }
        } connection{db_};
        sql::Transaction tx(db_);
        storeHasFacts_ = exists("SELECT 1 FROM orders LIMIT 1") || exists("SELECT 1 FROM visits LIMIT 1");
        for (const auto& [kind, kindPaths] : byKind) {
            if (kind != Kind::Employees) {
                size_t first = files_.size();
                for (const auto& path : kindPaths) parseFile(path, true);
                if (keptAsHashes(kind)) confirmDuplicates(kind, first);
                if (kind == Kind::Orders && !std::is_sorted(orderCodes_.begin(), orderCodes_.end()))
                    std::sort(orderCodes_.begin(), orderCodes_.end());
                continue;
            }
            // Employees refer to each other (manager_code): all keys first.
            size_t first = files_.size();
            for (const auto& path : kindPaths) parseFile(path);
            for (size_t i = first; i < files_.size(); ++i) collectKeys(files_[i]);
            for (size_t i = first; i < files_.size(); ++i) {
                validateAndWrite(files_[i]);
                std::vector<Row>().swap(files_[i].rows);
            }
        }
        importPlans(planFiles);
        checkManagerLoops();
        checkTargetsAfterWrite();
        throwIfErrors();
        writeChangeLog();
        tx.commit();
        return summary_;
    }

private:
    sql::Database& db_;
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

    // Keys brought by this import, per kind, with where each was first seen.
    std::map<Kind, std::unordered_map<Key, Where>> keys_;
    // For the kinds keptAsHashes.
    std::array<HashedKeys, 10> hashedKeys_;
    std::vector<std::string> orderCodes_;  // sorted once the orders are read
    // Duplicates confirmed by reading the files again, not yet in order.
    std::vector<Reported> confirmed_;
    Key keyBuffer_;
    // Per kind, the last code a reference resolved to: the lines of one order
    // follow each other and name it again and again.
    std::array<std::string, 10> lastResolved_;
    // Store look-ups already made: table + code → exists.
    std::unordered_map<std::string, bool> storeLookups_;
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

    // The reward plan files, once the employees and KPIs they name are written.
    void importPlans(const std::vector<std::filesystem::path>& files) {
        if (files.empty()) return;
        rewards::ImportSink sink{
            [this](const std::string& file, long long line, const std::string& message) { error(file, line, message); },
            [this](const std::string& what, const std::string& code) {
                return what == "employee" ? resolves(Kind::Employees, code)
                                          : resolves(Kind::Kpis, code) || parseKpiType(code).has_value();
            },
            summary_};
        rewards::importPlanFiles(db_, files, options_.user.empty() ? std::string("kpi import") : options_.user, sink);
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
        auto st = db_.prepare(sqlText);
        return st.step();
    }

    // Reads a file. With stream, each row is checked and written as it is read
    // and then dropped (kinds whose rows no later row of the same kind refers
    // to); otherwise the rows are kept in the ParsedFile.
    void parseFile(const std::filesystem::path& path, bool stream = false) {
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
        files_.push_back(std::move(parsed));
        ParsedFile& file = files_.back();
        std::unique_ptr<FileWriter> writer = stream ? beginWrite(file) : nullptr;
        // A streamed row is written and forgotten, so one Row serves them all:
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
            Row& row = writer ? streamed : kept;
            row.line = line;
            row.bad = false;
            row.values.resize(columns.size());
            for (size_t c = 0; c < columns.size(); ++c) {
                if (sourceOf[c] >= 0) row.values[c].swap(fields[static_cast<size_t>(sourceOf[c])]);
                else row.values[c].clear();
            }
            size_t before = errorCount_;
            checkFields(file, row);
            row.bad = errorCount_ != before;
            ++rowsRead;
            if (writer) {
                collectKey(file, row);
                writeRow(*writer, file, row);
            } else {
                file.rows.push_back(std::move(row));
            }
            if (reader.position() >= nextProgress) {
                nextProgress += 4 << 20;
                progress(file.displayName + ": " + std::to_string(rowsRead) + " rows (" +
                         std::to_string(reader.position() * 100 / std::max<size_t>(1, reader.size())) + "%)");
            }
        }
        if (writer) endWrite(*writer);
        summary_.rowsRead.emplace_back(file.spec->file, rowsRead);
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
                auto n = parseDecimal(v);
                if (!n) bad("must be a number (digits, '.' as decimal mark)");
                else if (*n < 0) bad("must not be negative");
                else if (std::string(col.name) == "cap" && *n == 0) bad("must be greater than 0");
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

    bool inImport(Kind kind, const std::string& key) {
        if (kind == Kind::Orders) return std::binary_search(orderCodes_.begin(), orderCodes_.end(), key);
        auto it = keys_.find(kind);
        return it != keys_.end() && it->second.count(key) > 0;
    }

    bool inStore(const char* table, const char* keyColumn, const std::string& code) {
        std::string cacheKey = std::string(table) + '\x1f' + code;
        auto it = storeLookups_.find(cacheKey);
        if (it != storeLookups_.end()) return it->second;
        auto st = db_.prepare(std::string("SELECT 1 FROM ") + table + " WHERE " + keyColumn + " = ?1");
        st.bind(1, code);
        bool found = st.step();
        storeLookups_.emplace(cacheKey, found);
        return found;
    }

    bool resolves(Kind kind, const std::string& code) {
        if (inImport(kind, code)) return true;
        switch (kind) {
        case Kind::Employees: return inStore("employees", "code", code);
        case Kind::Outlets: return inStore("outlets", "code", code);
        case Kind::Products: return inStore("products", "sku", code);
        case Kind::Orders: return inStore("orders", "order_code", code);
        case Kind::Kpis: return inStore("kpis", "code", code);
        default: return false;
        }
    }

    void requireRef(const ParsedFile& file, const Row& row, Kind kind, size_t column, const char* what) {
        const std::string& code = row.values[column];
        if (code.empty()) return;
        // A code that resolved once still does: keys are only added, and the
        // store's answers are cached anyway.
        std::string& last = lastResolved_[static_cast<size_t>(kind)];
        if (code == last) return;
        if (resolves(kind, code)) {
            last = code;
            return;
        }
        error(file, row.line, std::string("'") + file.spec->columns[column].name + "' refers to unknown " + what +
                                  " '" + code + "'");
    }

    // Prepared statements and counters for writing one file's rows.
    struct FileWriter {
        Kind kind;
        sql::Statement upsert;
        std::optional<sql::Statement> previous, stateOf, audit;
        std::string who;
        long long written = 0;
    };

    std::unique_ptr<FileWriter> beginWrite(const ParsedFile& file) {
        Kind kind = file.spec->kind;
        auto upsert = db_.prepare(upsertSql(kind));
        std::optional<sql::Statement> previous;
        if (storeHasFacts_ && kind == Kind::Orders)
            previous.emplace(db_.prepare("SELECT employee_code, order_date, status FROM orders WHERE order_code = ?1"));
        if (storeHasFacts_ && kind == Kind::Visits)
            previous.emplace(db_.prepare("SELECT employee_code, visit_date, '' FROM visits WHERE visit_code = ?1"));
        std::optional<sql::Statement> stateOf, audit;
        if (kind == Kind::Targets) {
            const char* key = "employee_code = ?1 AND kpi_code = ?2 AND period_type = ?3 AND valid_from = ?4";
            stateOf.emplace(db_.prepare("SELECT " + schema::targetState("t") + " FROM targets t WHERE " + key));
            audit.emplace(db_.prepare(
                "INSERT INTO target_history(changed_at, changed_by, action, employee_code, kpi_code, period_type, "
                "valid_from, before, after) SELECT strftime('%Y-%m-%d %H:%M:%S', 'now', 'localtime'), ?5, "
                "CASE WHEN ?6 IS NULL THEN 'new' ELSE 'edit' END, employee_code, kpi_code, period_type, valid_from, "
                "?6, " + schema::targetState("t") + " FROM targets t WHERE " + key));
        }
        const std::string who = options_.user.empty() ? std::string("kpi import") : options_.user;
        return std::unique_ptr<FileWriter>(
            new FileWriter{kind, std::move(upsert), std::move(previous), std::move(stateOf), std::move(audit), who, 0});
    }

    // Checks one row's references and writes it unless the row or they are bad.
    void writeRow(FileWriter& w, const ParsedFile& file, const Row& row) {
        Kind kind = w.kind;
        auto& upsert = w.upsert;
        auto& previous = w.previous;
        auto& stateOf = w.stateOf;
        auto& audit = w.audit;
        const std::string& who = w.who;
        const auto& v = row.values;
        size_t before = errorCount_;
        switch (kind) {
        case Kind::Employees: requireRef(file, row, Kind::Employees, 3, "employee"); break;
        case Kind::Outlets: requireRef(file, row, Kind::Employees, 5, "employee"); break;
        case Kind::Routes:
            requireRef(file, row, Kind::Employees, 0, "employee");
            requireRef(file, row, Kind::Outlets, 1, "outlet");
            break;
        case Kind::Visits:
        case Kind::Orders:
            requireRef(file, row, Kind::Employees, 1, "employee");
            requireRef(file, row, Kind::Outlets, 2, "outlet");
            break;
        case Kind::OrderLines:
            requireRef(file, row, Kind::Orders, 0, "order");
            requireRef(file, row, Kind::Products, 2, "product");
            break;
        case Kind::Targets:
            requireRef(file, row, Kind::Employees, 0, "employee");
            if (!resolves(Kind::Kpis, v[1]) && !parseKpiType(v[1]))
                error(file, row.line, "'kpi_code' refers to unknown KPI '" + v[1] + "'");
            break;
        default:
            break;
        }
        // A bad row is not written; good rows still are, so that the rules over
        // the whole store below can be checked and reported too. Any error
        // rolls the transaction back at the end.
        if (row.bad || errorCount_ != before) return;

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
        bool changed = db_.changes() > 0;
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

    // Writes a file whose rows were kept in memory (a kind that refers to itself).
    void validateAndWrite(const ParsedFile& file) {
        auto w = beginWrite(file);
        for (const Row& row : file.rows) writeRow(*w, file, row);
        endWrite(*w);
    }

    Where whereOf(Kind kind, const Key& key) {
        auto& m = keys_[kind];
        auto it = m.find(key);
        return it == m.end() ? Where{nullptr, 0} : it->second;
    }

    void checkManagerLoops() {
        if (!inImportAny(Kind::Employees)) return;
        std::unordered_map<std::string, std::string> managerOf;
        auto st = db_.prepare("SELECT code, manager_code FROM employees");
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

    bool inImportAny(Kind kind) { return keys_.count(kind) > 0 && !keys_[kind].empty(); }

    // Rules over the whole store as it would be after this import: targets whose
    // validity windows overlap, and targets for an employee of a role their KPI
    // does not apply to (whichever file brings which).
    void checkTargetsAfterWrite() {
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
            auto st = db_.prepare(
                "SELECT a.employee_code, a.kpi_code, a.period_type, a.valid_from, a.valid_to, b.valid_from, "
                "b.valid_to FROM targets a JOIN targets b ON b.employee_code = a.employee_code AND b.kpi_code = "
                "a.kpi_code AND b.period_type = a.period_type AND b.valid_from > a.valid_from AND b.valid_from <= "
                "a.valid_to");
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
        auto st = db_.prepare(
            "SELECT t.employee_code, t.kpi_code, t.period_type, t.valid_from, e.role, k.applies_to FROM targets t "
            "JOIN employees e ON e.code = t.employee_code JOIN kpis k ON k.code = t.kpi_code WHERE "
            "coalesce(k.applies_to, '') <> '' AND instr('|' || replace(k.applies_to, ' ', '') || '|', '|' || "
            "e.role || '|') = 0");
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

    // The same rows the schema's triggers would write (see schema.hpp), but one
    // per order or visit bucket rather than one per line.
    void writeChangeLog() {
        auto byCode = [](const auto& a, const auto& b) { return a.first < b.first; };
        if (!std::is_sorted(changedOrders_.begin(), changedOrders_.end(), byCode))
            std::sort(changedOrders_.begin(), changedOrders_.end(), byCode);
        if (!std::is_sorted(changedLines_.begin(), changedLines_.end())) std::sort(changedLines_.begin(), changedLines_.end());
        changedLines_.erase(std::unique(changedLines_.begin(), changedLines_.end()), changedLines_.end());
        auto fact = db_.prepare(
            "INSERT INTO changes(source, employee_code, day, ref, old_status) VALUES(?1, ?2, ?3, ?4, ?5)");
        for (const auto& [code, change] : changedOrders_) {
            fact.reset();
            fact.bind(1, "orders").bind(2, change.employee).bind(3, change.day).bind(4, code);
            fact.bindOptional(5, change.oldStatus).run();
        }
        // The (employee, day) an order counts on: the store holds this import's orders by now.
        auto bucketOf = db_.prepare("SELECT employee_code, order_date FROM orders WHERE order_code = ?1");
        auto order = changedOrders_.begin();
        for (const auto& code : changedLines_) {
            while (order != changedOrders_.end() && order->first < code) ++order;
            if (order != changedOrders_.end() && order->first == code) continue;  // the order's own row covers its lines
            bucketOf.reset();
            bucketOf.bind(1, code);
            if (!bucketOf.step()) continue;
            std::string employee(bucketOf.text(0)), day(bucketOf.text(1));
            bucketOf.reset();
            fact.reset();
            fact.bind(1, "order_lines").bind(2, employee).bind(3, day).bind(4, code).bindNull(5).run();
        }
        for (const auto& [employee, day] : buckets_) {
            fact.reset();
            fact.bind(1, "visits").bind(2, employee).bind(3, day).bindNull(4).bindNull(5).run();
        }
        auto dim = db_.prepare("INSERT INTO changes(source) VALUES(?1)");
        for (const auto& table : dimensionsTouched_) {
            dim.reset();
            dim.bind(1, table).run();
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
