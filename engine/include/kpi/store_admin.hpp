// Administering a PostgreSQL store from the `kpi` command (docs/postgresql.md,
// "Grants and moving from the SQLite file with `kpi`"):
//  - who may see and write what: the server functions kpi_grant_manager,
//    kpi_grant_writer and kpi_revoke that `kpi init` installs
//    (store/postgres/security.hpp), called as the connection's login;
//  - moving a company from its SQLite file to a server (`kpi migrate`).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace kpi {

// Lets the existing login see `employee`'s subtree ('*': everything), read
// only. Throws Error InvalidArgument for an SQLite store, a login that does
// not exist (or one that would see everything anyway: a superuser, BYPASSRLS,
// the schema's owner), an employee that does not; Io when the server cannot
// be reached or the connection's login is not the schema's owner.
void grantManager(const std::string& location, const std::string& login, const std::string& employee);
// Lets the existing login read and write orders, order_lines, visits and
// outlets (a DMS), and nothing else. Throws as grantManager.
void grantWriter(const std::string& location, const std::string& login);
// Takes back whatever the login was granted. Throws as grantManager.
void revokeLogin(const std::string& location, const std::string& login);

struct MigrateOptions {
    // One line now and then (a table started, rows copied so far).
    std::function<void(const std::string&)> progress;
};

struct MigrateSummary {
    // Rows copied per table, in the order copied.
    std::vector<std::pair<std::string, std::int64_t>> rows;
    std::int64_t total() const {
        std::int64_t n = 0;
        for (const auto& r : rows) n += r.second;
        return n;
    }
};

// Copies the SQLite store `from` into the PostgreSQL store `to`: creates the
// schema there if needed (as `kpi init`), refuses a store that holds any row
// already, then copies every table — facts, dimensions, the change log, the
// audit histories, closes and their frozen rows — in one transaction with
// COPY, numbers and identities kept (changes.seq included). Throws Error
// NotFound (no such file), Corruption (not a SalesKPI store, or an older
// schema: upgrade it with `kpi init` first), InvalidArgument (`to` is not a
// PostgreSQL location, or holds data), Io (server unreachable, copy failed:
// the target is left as it was).
MigrateSummary migrate(const std::filesystem::path& from, const std::string& to, const MigrateOptions& options);

}  // namespace kpi
