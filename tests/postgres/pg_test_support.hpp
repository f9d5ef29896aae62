// What the PostgreSQL tests share: a connection that says what the server
// said, and a database of the test's own on the throwaway cluster
// (README.md: KPI_TEST_PG).
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace pgtest {

using Rows = std::vector<std::string>;  // one row a line, columns joined by '|', NULL as "∅"

// The server's refusal: its primary message (e.g. "orders.type must be sale or return").
struct ServerError : std::runtime_error {
    std::string sqlState;
    ServerError(const std::string& message, std::string state) : std::runtime_error(message), sqlState(std::move(state)) {}
};

class Connection {
public:
    explicit Connection(const std::string& conninfo);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs one or more statements; the rows of the last one. Throws ServerError.
    Rows query(const std::string& sql);
    void exec(const std::string& sql) { query(sql); }
    // The one value of a one-row, one-column result.
    std::string value(const std::string& sql);
    // "" when sql runs, else the server's message (the transaction, if any, is then aborted).
    std::string refusal(const std::string& sql);

    // Sends sql without waiting (PQsendQuery); finish() waits for its rows.
    void send(const std::string& sql);
    Rows finish();
    int backendPid() const { return PQbackendPID(conn_); }

    // Notifications received within `wait` (waiting on the socket for the first,
    // then taking what has arrived), as "channel:payload".
    std::vector<std::string> notifications(std::chrono::milliseconds wait);

    PGconn* raw() { return conn_; }

private:
    Rows rowsOf(PGresult* result);
    PGconn* conn_ = nullptr;
};

// The conninfo of the cluster's superuser: KPI_TEST_PG is the path of a file
// holding it (the fixture's DIR/conninfo) or the conninfo itself.
std::string adminConninfo();

// A database of its own, dropped (with the roles made through role()) at the end.
class TestDatabase {
public:
    // withSchema: kpi::pg::initSql() has run in it.
    explicit TestDatabase(bool withSchema = true);
    ~TestDatabase();
    const std::string& name() const { return name_; }
    // The conninfo of this database as the superuser, or as `user`.
    std::string conninfo(const std::string& user = "") const;
    // A new LOGIN role of this test (name prefixed with the database's).
    std::string role(const std::string& suffix, const std::string& options = "LOGIN");
    // The schema, as pg_dump --schema-only prints it.
    std::string schemaDump() const;

private:
    std::string name_;
    std::vector<std::string> roles_;
};

// "" when a == b, else the first line that differs, for a failure's message.
std::string firstDifference(const std::string& a, const std::string& b);

// The script of SQL the engine gives a new database.
void initSchema(Connection& c);

}  // namespace pgtest
