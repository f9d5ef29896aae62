#include "kpi/store.hpp"

#include "import.hpp"
#include "kpi/error.hpp"
#include "rewards/closes.hpp"
#include "schema.hpp"
#include "kpi/store_location.hpp"
#include "store/database.hpp"
#include "store/sqlite/sqlite.hpp"
#include "store/sqlite/store_file.hpp"

namespace kpi {

struct Store::Impl {
    std::unique_ptr<sql::Database> connection;
    sql::Database& db;
    std::filesystem::path path;
    Impl(const std::filesystem::path& where, sql::Open mode)
        : connection(sql::open(where.string(), mode)), db(*connection), path(where) {}
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

std::unique_ptr<Store> Store::open(const std::filesystem::path& path, Mode mode) {
    auto impl = std::make_unique<Impl>(path, mode == Mode::ReadOnly ? sql::Open::ReadOnly : sql::Open::ReadWrite);
    schema::checkReadable(impl->db);
    return std::unique_ptr<Store>(new Store(std::move(impl)));
}

StoreInfo Store::init(const std::filesystem::path& path, JournalMode journal) {
    if (parseStoreLocation(path.string()).kind == StoreLocation::Kind::Postgres) {
        // The server keeps its own write-ahead log: no journal to choose.
        auto db = sql::open(path.string(), sql::Open::ReadWrite);
        schema::createOrUpgrade(*db);
        StoreInfo info;
        info.schemaVersion = kSchemaVersion;
        info.journal = "postgresql";
        info.storeId = schema::storeId(*db);
        return info;
    }
    if (path.has_parent_path() && !std::filesystem::exists(path.parent_path()))
        throw Error(Error::Kind::NotFound, "folder does not exist: " + path.parent_path().string());
    const storefile::Facts before = storefile::inspect(path);
    sql::SqliteDatabase db(path, sql::Open::Create);
    // The journal mode belongs to the location: WAL only where SQLite's shared
    // memory works for every reader (docs/store.md).
    std::optional<storefile::Journal> wanted;
    if (journal == JournalMode::Wal) wanted = storefile::Journal::Wal;
    if (journal == JournalMode::Rollback) wanted = storefile::Journal::Rollback;
    if (!wanted && (!before.sqlite || before.filesystem.shared)) wanted = storefile::journalFor(before.filesystem);
    if (wanted) db.setJournal(*wanted);
    schema::createOrUpgrade(db);
    StoreInfo info;
    info.schemaVersion = kSchemaVersion;
    info.journal = storefile::journalName(db.journal());
    info.storeId = schema::storeId(db);
    return info;
}

ImportSummary Store::import(const std::vector<std::filesystem::path>& files, const ImportOptions& options) {
    return importer::importFiles(impl_->db, files, options);
}

std::vector<TargetEdit> Store::targetHistory(const std::string& employeeCode, const std::string& kpiCode) {
    auto st = impl_->db.prepare(
        "SELECT changed_at, changed_by, action, employee_code, kpi_code, period_type, valid_from, "
        "coalesce(before, ''), coalesce(after, '') FROM target_history WHERE (?1 = '' OR employee_code = ?1) AND "
        "(?2 = '' OR kpi_code = ?2) ORDER BY id");
    st.bind(1, employeeCode).bind(2, kpiCode);
    std::vector<TargetEdit> edits;
    while (st.step()) {
        edits.push_back({std::string(st.text(0)), std::string(st.text(1)), std::string(st.text(2)),
                         std::string(st.text(3)), std::string(st.text(4)), std::string(st.text(5)),
                         std::string(st.text(6)), std::string(st.text(7)), std::string(st.text(8))});
    }
    return edits;
}

CloseSummary Store::closePeriod(const Period& period, const std::string& user) {
    return rewards::closePeriod(impl_->db, period, user);
}

ClosedPeriod Store::reopenPeriod(const Period& period, const std::string& reason, const std::string& user) {
    return rewards::reopenPeriod(impl_->db, period, reason, user);
}

std::vector<ClosedPeriod> Store::closedPeriods() { return rewards::closedPeriods(impl_->db); }

std::vector<CloseEvent> Store::closeHistory() { return rewards::closeHistory(impl_->db); }

std::vector<PlanEdit> Store::planHistory(const std::string& planCode, const std::string& employeeCode) {
    return rewards::planHistory(impl_->db, planCode, employeeCode);
}

const std::filesystem::path& Store::path() const { return impl_->path; }

}  // namespace kpi
