#include "store/postgres/first_load.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "store/postgres/connection.hpp"

namespace kpi::sql::pg {
namespace {

// What is set aside before the rows are copied: the statements that do it;
// per table, the statements that build its indexes again (the primary key
// first), with the progress line of each; and what puts back the rest
// (triggers, forced row-level security) at the end.
struct Rebuild {
    std::string what, statement;
};
struct SetAside {
    std::vector<std::string> now;
    std::map<std::string, std::vector<Rebuild>> indexes;  // by table
    std::vector<std::string> restore;
};

void setAside(PgDatabase& db, const std::string& table, SetAside& out) {
    // Forced row-level security: COPY refuses a table whose policies apply to
    // the writer. Unforced, the owner's rows are not filtered (it sees and
    // writes everything anyway: docs/postgresql.md, "Who sees what").
    auto force = db.prepare("SELECT relforcerowsecurity FROM pg_class WHERE oid = to_regclass(?1)");
    force.bind(1, table);
    if (force.step() && force.int64(0) != 0) {
        out.now.push_back("ALTER TABLE " + table + " NO FORCE ROW LEVEL SECURITY");
        out.restore.push_back("ALTER TABLE " + table + " FORCE ROW LEVEL SECURITY");
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
        out.restore.emplace_back(triggers.text(1));
    }
    // Indexes and the constraints they serve.
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
    while (indexes.step()) {
        out.now.emplace_back(indexes.text(0));
        out.indexes[table].push_back(
            {"building the index " + std::string(indexes.text(2)) + " of " + table, std::string(indexes.text(1))});
    }
}

// The rows reach the server from a thread of their own, table after table,
// in one stream of work: the check (on the import's thread) never waits for
// the server while it stores what it was sent, nor at the end of a table, and
// a table's indexes are built as soon as its rows are in, while the next
// file is still being checked. Pieces of about 1 MB, at most kQueued of them
// waiting (the check waits when the server is that far behind: at most
// about 256 MB held). Only the sender uses the connection until wait() has
// returned; what it is doing reaches the progress callback through wait().
class PgFirstLoad final : public FirstLoad {
public:
    PgFirstLoad(PgDatabase& db, SetAside aside) : db_(db), aside_(std::move(aside)) {}
    ~PgFirstLoad() override { stop(); }  // an error while checking: the transaction rolls back

    void startTable(const std::string& table, const std::vector<std::string>& columns) override {
        std::string names;
        for (size_t c = 0; c < columns.size(); ++c) names += (c ? ", " : "") + columns[c];
        table_ = table;
        if (!sender_.joinable()) {
            // Index builds sort in memory up to maintenance_work_mem (64 MB by
            // default): more, for this transaction only, when the server has less.
            push({Item::Exec, "", "SELECT set_config('maintenance_work_mem', '512MB', true) WHERE "
                                  "pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes('512MB')"});
            sender_ = std::thread([this] { send(); });
        }
        push({Item::Start, table, std::move(names)});
    }

    void add(const std::vector<const std::string*>& values) override {
        appendCopyFields(data_, values);
        data_ += '\n';
        if (data_.size() >= kPiece) pushRows();
    }

    void endTable() override {
        if (!data_.empty()) pushRows();
        push({Item::End, {}, {}});
        auto it = aside_.indexes.find(table_);
        if (it == aside_.indexes.end()) return;
        for (auto& rebuild : it->second) push({Item::Exec, std::move(rebuild.what), std::move(rebuild.statement)});
        aside_.indexes.erase(it);
    }

    void wait(const std::function<void(const std::string&)>& progress) override {
        // What the sender does, said as it happens; then it is joined.
        std::unique_lock<std::mutex> lock(mutex_);
        done_ = true;
        changed_.notify_all();
        for (;;) {
            changed_.wait(lock, [this] { return !said_.empty() || finished_; });
            std::vector<std::string> lines;
            lines.swap(said_);
            const bool over = finished_;
            lock.unlock();
            if (progress)
                for (const auto& line : lines) progress(line);
            lock.lock();
            if (over && said_.empty()) break;
        }
        lock.unlock();
        if (sender_.joinable()) sender_.join();
        if (error_) std::rethrow_exception(error_);
    }

    void finish(const std::function<void(const std::string&)>& progress) override {
        wait(progress);
        // A table the import never started (no file of it) keeps its indexes too.
        for (const auto& [table, rebuilds] : aside_.indexes)
            for (const auto& rebuild : rebuilds) {
                if (progress) progress(rebuild.what);
                db_.exec(rebuild.statement);
            }
        aside_.indexes.clear();
        for (const auto& statement : aside_.restore) db_.exec(statement);
        aside_.restore.clear();
    }

private:
    static constexpr size_t kPiece = 1 << 20;
    static constexpr size_t kQueued = 256;

    struct Item {
        enum Kind { Start, Rows, End, Exec } kind;
        // Start: the table and its columns; Rows: COPY text; Exec: the
        // progress line and the statement.
        std::string table, text;
    };

    void pushRows() {
        push({Item::Rows, {}, std::move(data_)});
        data_.clear();
        data_.reserve(kPiece + (64 << 10));
    }

    void push(Item item) {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [this] { return queue_.size() < kQueued || finished_; });
        if (finished_) return;  // the server refused: wait() says why
        queue_.push_back(std::move(item));
        lock.unlock();
        changed_.notify_all();
    }

    // Ends the sender at once, a COPY still open then ended as failed.
    void stop() {
        if (!sender_.joinable()) return;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            queue_.clear();
            abandon_ = done_ = true;
        }
        changed_.notify_all();
        sender_.join();
    }

    // The sender's thread: the items in order, until wait() or stop() says
    // there will be no more and the queue is empty.
    void send() {
        bool open = false;
        for (;;) {
            Item item;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                changed_.wait(lock, [this] { return !queue_.empty() || done_; });
                if (abandon_ || queue_.empty()) break;
                item = std::move(queue_.front());
                queue_.pop_front();
                if (item.kind == Item::Exec && !item.table.empty()) said_.push_back(item.table);
            }
            changed_.notify_all();
            try {
                switch (item.kind) {
                case Item::Start:
                    db_.copyStart(item.table, item.text);
                    open = true;
                    break;
                case Item::Rows:
                    db_.copyPut(item.text);  // a failure to send is reported by copyEnd()
                    break;
                case Item::End:
                    open = false;
                    db_.copyEnd();
                    break;
                case Item::Exec:
                    db_.exec(item.text);
                    break;
                }
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex_);
                error_ = std::current_exception();
                queue_.clear();
                break;
            }
        }
        if (open) db_.copyAbort();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            finished_ = true;
        }
        changed_.notify_all();
    }

    PgDatabase& db_;
    SetAside aside_;
    std::string table_;  // the table started last
    std::string data_;
    std::thread sender_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Item> queue_;
    std::vector<std::string> said_;  // progress lines of the sender, not yet passed on
    bool done_ = false, abandon_ = false, finished_ = false;
    std::exception_ptr error_;
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
    return std::make_unique<PgFirstLoad>(db, std::move(aside));
}

}  // namespace kpi::sql::pg
