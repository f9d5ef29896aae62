#include "test_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kpitest {
namespace {

namespace fs = std::filesystem;

// A read-only connection that closes itself.
class Connection {
public:
    explicit Connection(const fs::path& path, int flags = SQLITE_OPEN_READONLY) {
        if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
            std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw std::runtime_error("cannot open " + path.string() + ": " + message);
        }
        sqlite3_busy_timeout(db_, 10'000);
    }
    ~Connection() { sqlite3_close(db_); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    sqlite3* get() const { return db_; }

private:
    sqlite3* db_ = nullptr;
};

class Query {
public:
    Query(const Connection& db, const std::string& sql) : db_(db.get()) {
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
            throw std::runtime_error("cannot prepare '" + sql + "': " + sqlite3_errmsg(db_));
    }
    ~Query() { sqlite3_finalize(stmt_); }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    bool step() {
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw std::runtime_error(std::string("query failed: ") + sqlite3_errmsg(db_));
    }
    int columns() const { return sqlite3_column_count(stmt_); }
    std::string name(int c) const { return sqlite3_column_name(stmt_, c); }
    std::string text(int c) const {
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
        return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c))) : std::string();
    }
    // The value with its type visible: NULL, 12, 1.5, 'text', x'00ff'.
    std::string typed(int c) const {
        switch (sqlite3_column_type(stmt_, c)) {
        case SQLITE_NULL:
            return "NULL";
        case SQLITE_INTEGER:
            return std::to_string(sqlite3_column_int64(stmt_, c));
        case SQLITE_FLOAT: {
            char buf[40];
            std::snprintf(buf, sizeof buf, "%.17g (real)", sqlite3_column_double(stmt_, c));
            return buf;
        }
        case SQLITE_BLOB: {
            auto p = static_cast<const unsigned char*>(sqlite3_column_blob(stmt_, c));
            std::string hex = "x'";
            char buf[3];
            for (int i = 0; i < sqlite3_column_bytes(stmt_, c); ++i) {
                std::snprintf(buf, sizeof buf, "%02x", p[i]);
                hex += buf;
            }
            return hex + "'";
        }
        default:
            return "'" + text(c) + "'";
        }
    }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

std::string quoteIdentifier(const std::string& name) {
    std::string quoted = "\"";
    for (char c : name) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

fs::path makeTempDir() {
    std::string pattern = (fs::temp_directory_path() / "saleskpi-unit-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary folder");
    return pattern;
}

std::vector<std::string> splitLines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
}

}  // namespace

std::string dumpStore(const fs::path& store) {
    Connection db(store);
    std::vector<std::string> tables;
    {
        Query q(db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_stat%' ORDER BY name");
        while (q.step()) tables.push_back(q.text(0));
    }
    std::string out;
    for (const auto& table : tables) {
        std::string select = "SELECT * FROM " + quoteIdentifier(table);
        int columns = 0;
        {
            Query probe(db, select);
            columns = probe.columns();
        }
        std::string orderBy;
        for (int c = 1; c <= columns; ++c) orderBy += (c > 1 ? ", " : " ORDER BY ") + std::to_string(c);
        Query q(db, select + orderBy);
        out += "== " + table + "\n";
        while (q.step()) {
            out += table + ":";
            for (int c = 0; c < q.columns(); ++c) out += (c ? ", " : " ") + q.name(c) + "=" + q.typed(c);
            out += "\n";
        }
    }
    return out;
}

std::vector<std::string> queryStore(const fs::path& store, const std::string& sql) {
    Connection db(store);
    Query q(db, sql);
    std::vector<std::string> rows;
    while (q.step()) {
        std::string row;
        for (int c = 0; c < q.columns(); ++c) {
            if (c) row += '|';
            std::string typed = q.typed(c);
            row += typed == "NULL" ? typed : q.text(c);
        }
        rows.push_back(row);
    }
    return rows;
}

TestStore::TestStore() : dir_(makeTempDir()), path_(dir_ / "kpi.sqlite") { kpi::Store::init(path_); }

TestStore::TestStore(const CsvFiles& files) : TestStore() {
    try {
        import(files);
    } catch (const kpi::Error& e) {
        ADD_FAILURE() << "the fixture's import was rejected:\n" << e.what();
    }
}

TestStore::~TestStore() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
}

std::vector<fs::path> TestStore::write(const CsvFiles& files) {
    fs::path folder = dir_ / ("batch" + std::to_string(++batches_));
    fs::create_directories(folder);
    std::vector<fs::path> paths;
    for (const auto& [name, content] : files) {
        fs::path file = folder / name;
        std::ofstream out(file, std::ios::binary);
        out << content;
        if (!out) throw std::runtime_error("cannot write " + file.string());
        paths.push_back(file);
    }
    return paths;
}

fs::path TestStore::writeFile(const std::string& name, const std::string& bytes) {
    return write({{name, bytes}}).front();
}

kpi::ImportSummary TestStore::import(const CsvFiles& files, const kpi::ImportOptions& options) {
    return importPaths(write(files), options);
}

kpi::ImportSummary TestStore::importPaths(const std::vector<fs::path>& files, const kpi::ImportOptions& options) {
    auto store = kpi::Store::open(path_, kpi::Store::Mode::ReadWrite);
    return store->import(files, options);
}

Rejection TestStore::importRejected(const CsvFiles& files, const kpi::ImportOptions& options) {
    return importPathsRejected(write(files), options);
}

Rejection TestStore::importPathsRejected(const std::vector<fs::path>& files, const kpi::ImportOptions& options) {
    Rejection rejection;
    std::string before = dump();
    try {
        importPaths(files, options);
        ADD_FAILURE() << "the import was accepted, but it should have been rejected";
        return rejection;
    } catch (const kpi::Error& e) {
        rejection.kind = e.kind();
        rejection.message = e.what();
    }
    EXPECT_EQ(rejection.kind, kpi::Error::Kind::InvalidData) << rejection.message;
    EXPECT_EQ(dump(), before) << "a rejected import changed the store";
    std::string folder = files.empty() ? std::string() : files.front().parent_path().string() + "/";
    for (auto line : splitLines(rejection.message)) {
        if (line.rfind("import rejected", 0) == 0) continue;
        if (!folder.empty() && line.rfind(folder, 0) == 0) line.erase(0, folder.size());
        rejection.errors.push_back(line);
    }
    return rejection;
}

std::string TestStore::dump() const { return dumpStore(path_); }

void TestStore::execute(const std::string& sql) const {
    Connection db(path_, SQLITE_OPEN_READWRITE);
    char* error = nullptr;
    int rc = sqlite3_exec(db.get(), ("PRAGMA foreign_keys=ON;" + sql).c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throw std::runtime_error("direct write failed: " + message);
    }
}

std::vector<std::string> TestStore::query(const std::string& sql) const { return queryStore(path_, sql); }

}  // namespace kpitest
