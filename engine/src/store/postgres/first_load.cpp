#include "store/postgres/first_load.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "store/postgres/connection.hpp"

namespace kpi::sql::pg {
namespace {

// What is set aside before the rows are copied: the statements that do it,
// and those that put it back (in the order to run them), with what each
// rebuilds for the progress line.
struct SetAside {
    std::vector<std::string> now;
    std::vector<std::pair<std::string, std::string>> restore;  // (what, statement)
};

void setAside(PgDatabase& db, const std::string& table, SetAside& out) {
    // Forced row-level security: COPY refuses a table whose policies apply to
    // the writer. Unforced, the owner's rows are not filtered (it sees and
    // writes everything anyway: docs/postgresql.md, "Who sees what").
    auto force = db.prepare("SELECT relforcerowsecurity FROM pg_class WHERE oid = to_regclass(?1)");
    force.bind(1, table);
    if (force.step() && force.int64(0) != 0) {
        out.now.push_back("ALTER TABLE " + table + " NO FORCE ROW LEVEL SECURITY");
        out.restore.emplace_back("", "ALTER TABLE " + table + " FORCE ROW LEVEL SECURITY");
    }
    // Triggers, each put back in the mode it had (ORIGIN, ALWAYS, REPLICA).
    auto triggers = db.prepare(
        "SELECT format('ALTER TABLE %s DISABLE TRIGGER %I', tgrelid::regclass, tgname), "
        "format('ALTER TABLE %s ENABLE %s TRIGGER %I', tgrelid::regclass, "
        "CASE tgenabled WHEN 'A' THEN 'ALWAYS' WHEN 'R' THEN 'REPLICA' ELSE '' END, tgname) "
        "FROM pg_trigger WHERE tgrelid = to_regclass(?1) AND NOT tgisinternal AND tgenabled <> 'D' ORDER BY tgname");
    triggers.bind(1, table);
    while (triggers.step()) {
        out.now.emplace_back(triggers.text(0));
        out.restore.emplace_back("", std::string(triggers.text(1)));
    }
    // Indexes and the constraints they serve (the primary key first when put back).
    auto indexes = db.prepare(
        "SELECT CASE WHEN k.conname IS NULL THEN format('DROP INDEX %s', i.indexrelid::regclass) "
        "ELSE format('ALTER TABLE %s DROP CONSTRAINT %I', i.indrelid::regclass, k.conname) END, "
        "CASE WHEN k.conname IS NULL THEN pg_get_indexdef(i.indexrelid) "
        "ELSE format('ALTER TABLE %s ADD CONSTRAINT %I %s', i.indrelid::regclass, k.conname, "
        "pg_get_constraintdef(k.oid)) END, ci.relname "
        "FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid "
        "LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid "
        "AND k.contype IN ('p', 'u', 'x') "
        "WHERE i.indrelid = to_regclass(?1) ORDER BY k.contype = 'p' DESC NULLS LAST, ci.relname");
    indexes.bind(1, table);
    std::vector<std::pair<std::string, std::string>> rebuild;
    while (indexes.step()) {
        out.now.emplace_back(indexes.text(0));
        rebuild.emplace_back("building the index " + std::string(indexes.text(2)) + " of " + table,
                             std::string(indexes.text(1)));
    }
    // Indexes first: the triggers and security come back once the rows are indexed.
    out.restore.insert(out.restore.begin(), rebuild.begin(), rebuild.end());
}

// The rows of a table reach the server from a thread of their own: the
// check (on the import's thread) never waits for the socket while the server
// stores what it was sent, and the two run side by side. Pieces of about
// 1 MB, at most kQueued of them waiting (the check waits when the server is
// that far behind). Only the sender uses the connection while a table's COPY
// runs; endTable() ends it on the import's thread once the sender is done.
class PgFirstLoad final : public FirstLoad {
public:
    PgFirstLoad(PgDatabase& db, std::vector<std::pair<std::string, std::string>> restore)
        : db_(db), restore_(std::move(restore)) {}
    ~PgFirstLoad() override {
        if (sender_.joinable()) {
            {
                std::lock_guard<std::mutex> lock(mutex_);
                queue_.clear();  // an error while checking: nothing more is wanted
                ending_ = true;
            }
            changed_.notify_all();
            sender_.join();
        }
        if (open_) db_.copyAbort();  // the transaction then rolls back
    }

    void startTable(const std::string& table, const std::vector<std::string>& columns) override {
        std::string names;
        for (size_t c = 0; c < columns.size(); ++c) names += (c ? ", " : "") + columns[c];
        db_.copyStart(table, names);
        open_ = true;
        ending_ = false;
        sender_ = std::thread([this] { send(); });
    }

    void add(const std::vector<const std::string*>& values) override {
        for (size_t c = 0; c < values.size(); ++c) {
            if (c) data_ += '\t';
            appendCopyValue(data_, values[c]);
        }
        data_ += '\n';
        if (data_.size() >= kPiece) queuePiece();
    }

    void endTable() override {
        if (!data_.empty()) queuePiece();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            ending_ = true;
        }
        changed_.notify_all();
        sender_.join();
        open_ = false;
        db_.copyEnd();
    }

    void finish(const std::function<void(const std::string&)>& progress) override {
        // Index builds sort in memory up to maintenance_work_mem (64 MB by
        // default): more, for this transaction only, when the server has less.
        db_.exec("SELECT set_config('maintenance_work_mem', '512MB', true) "
                 "WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes('512MB')");
        for (const auto& [what, statement] : restore_) {
            if (!what.empty() && progress) progress(what);
            db_.exec(statement);
        }
        restore_.clear();
    }

private:
    static constexpr size_t kPiece = 1 << 20;
    static constexpr size_t kQueued = 32;

    void queuePiece() {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [this] { return queue_.size() < kQueued; });
        queue_.push_back(std::move(data_));
        lock.unlock();
        changed_.notify_all();
        data_.clear();
        data_.reserve(kPiece + (64 << 10));
    }

    // The sender's thread: the pieces in order, until the table ends.
    void send() {
        for (;;) {
            std::string piece;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                changed_.wait(lock, [this] { return !queue_.empty() || ending_; });
                if (queue_.empty()) return;
                piece = std::move(queue_.front());
                queue_.pop_front();
            }
            changed_.notify_all();
            db_.copyPut(piece);  // never throws: a failure is reported by copyEnd()
        }
    }

    PgDatabase& db_;
    std::vector<std::pair<std::string, std::string>> restore_;
    std::string data_;
    bool open_ = false;
    std::thread sender_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::string> queue_;
    bool ending_ = false;
};

bool allEmpty(PgDatabase& db, const std::vector<std::string>& tables) {
    for (const auto& table : tables)
        if (db.prepare("SELECT 1 FROM " + table + " LIMIT 1").step()) return false;
    return true;
}

}  // namespace

std::unique_ptr<FirstLoad> startFirstLoad(PgDatabase& db, const std::vector<std::string>& tables) {
    // This login must own each table (ALTER TABLE is the owner's), and no
    // foreign key may name it (a key's index cannot be dropped, and a
    // referencing row would be checked row by row anyway).
    auto may = db.prepare(
        "SELECT pg_has_role(c.relowner, 'USAGE') AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
        "WHERE k.contype = 'f' AND (k.conrelid = c.oid OR k.confrelid = c.oid)) "
        "FROM pg_class c WHERE c.oid = to_regclass(?1)");
    for (const auto& table : tables) {
        may.reset();
        may.bind(1, table);
        if (!may.step() || may.int64(0) == 0) return nullptr;
    }
    may.reset();
    // A look before locking: a store that holds rows keeps its readers.
    if (!allEmpty(db, tables)) return nullptr;
    db.exec("SAVEPOINT kpi_first_load");
    std::string list;
    for (const auto& table : tables) list += (list.empty() ? "" : ", ") + table;
    db.exec("LOCK TABLE " + list + " IN ACCESS EXCLUSIVE MODE");
    if (!allEmpty(db, tables)) {  // another writer came first
        db.exec("ROLLBACK TO SAVEPOINT kpi_first_load");
        db.exec("RELEASE SAVEPOINT kpi_first_load");
        return nullptr;
    }
    db.exec("RELEASE SAVEPOINT kpi_first_load");
    SetAside aside;
    for (const auto& table : tables) setAside(db, table, aside);
    for (const auto& statement : aside.now) db.exec(statement);
    return std::make_unique<PgFirstLoad>(db, std::move(aside.restore));
}

}  // namespace kpi::sql::pg
