#include "pg_test_support.hpp"

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "store/postgres/schema.hpp"

namespace pgtest {

Connection::Connection(const std::string& conninfo) {
    const char* keys[] = {"dbname", nullptr};
    const char* values[] = {conninfo.c_str(), nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string message = PQerrorMessage(conn_);
        PQfinish(conn_);
        throw std::runtime_error("cannot connect (" + conninfo + "): " + message);
    }
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
}

Connection::~Connection() { PQfinish(conn_); }

Rows Connection::rowsOf(PGresult* result) {
    Rows rows;
    for (int r = 0; r < PQntuples(result); ++r) {
        std::string line;
        for (int c = 0; c < PQnfields(result); ++c) {
            if (c) line += '|';
            line += PQgetisnull(result, r, c) ? std::string("∅") : std::string(PQgetvalue(result, r, c));
        }
        rows.push_back(line);
    }
    return rows;
}

void Connection::send(const std::string& sql) {
    if (!PQsendQuery(conn_, sql.c_str())) throw std::runtime_error(PQerrorMessage(conn_));
}

Rows Connection::finish() {
    Rows rows;
    std::string error, state;
    while (PGresult* result = PQgetResult(conn_)) {
        auto status = PQresultStatus(result);
        if (status == PGRES_FATAL_ERROR && error.empty()) {
            const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
            const char* code = PQresultErrorField(result, PG_DIAG_SQLSTATE);
            error = primary ? primary : PQresultErrorMessage(result);
            state = code ? code : "";
        } else if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
            rows = rowsOf(result);
        }
        PQclear(result);
    }
    if (!error.empty()) throw ServerError(error, state);
    return rows;
}

Rows Connection::query(const std::string& sql) {
    send(sql);
    return finish();
}

std::string Connection::value(const std::string& sql) {
    Rows rows = query(sql);
    if (rows.size() != 1) throw std::runtime_error("expected one row from: " + sql);
    return rows[0];
}

std::string Connection::refusal(const std::string& sql) {
    try {
        query(sql);
        return "";
    } catch (const ServerError& e) {
        return e.what();
    }
}

std::vector<std::string> Connection::notifications(std::chrono::milliseconds wait) {
    std::vector<std::string> out;
    auto drain = [&] {
        PQconsumeInput(conn_);
        while (PGnotify* n = PQnotifies(conn_)) {
            out.push_back(std::string(n->relname) + ":" + n->extra);
            PQfreemem(n);
        }
    };
    drain();
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (out.empty()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd fd{PQsocket(conn_), POLLIN, 0};
        if (poll(&fd, 1, static_cast<int>(left.count())) > 0) drain();
    }
    // What a transaction sends arrives together; give a second one the chance to show.
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    if (poll(&fd, 1, 200) > 0) drain();
    return out;
}

std::string adminConninfo() {
    const char* setting = std::getenv("KPI_TEST_PG");
    if (!setting || !*setting)
        throw std::runtime_error("KPI_TEST_PG is not set: run these tests through ctest (the fixture `postgres` "
                                 "starts the server), or see tests/postgres/README.md");
    std::string text = setting;
    if (text.find('=') == std::string::npos) {  // a file naming it
        std::ifstream in(text);
        if (!in) throw std::runtime_error("KPI_TEST_PG names " + text + ", which cannot be read");
        std::getline(in, text);
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

namespace {
std::string quoteIdent(const std::string& name) { return "\"" + name + "\""; }
}  // namespace

TestDatabase::TestDatabase(bool withSchema) {
    static std::atomic<int> counter{0};
    name_ = "kpi_t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    Connection admin(adminConninfo());
    admin.exec("DROP DATABASE IF EXISTS " + quoteIdent(name_) + " WITH (FORCE)");
    admin.exec("CREATE DATABASE " + quoteIdent(name_));
    if (withSchema) {
        Connection c(conninfo());
        initSchema(c);
    }
}

TestDatabase::~TestDatabase() {
    try {
        Connection admin(adminConninfo());
        admin.exec("DROP DATABASE IF EXISTS " + quoteIdent(name_) + " WITH (FORCE)");
        for (const auto& r : roles_) admin.exec("DROP ROLE IF EXISTS " + quoteIdent(r));
    } catch (...) {
    }
}

std::string TestDatabase::conninfo(const std::string& user) const {
    std::string text = adminConninfo() + " dbname=" + name_;
    if (!user.empty()) text += " user=" + user;
    return text;
}

std::string TestDatabase::role(const std::string& suffix, const std::string& options) {
    std::string name = name_ + "_" + suffix;
    Connection admin(adminConninfo());
    admin.exec("DROP ROLE IF EXISTS " + quoteIdent(name));
    admin.exec("CREATE ROLE " + quoteIdent(name) + " " + options);
    roles_.push_back(name);
    return name;
}

std::string TestDatabase::schemaDump() const {
    std::string command = "pg_dump --schema-only --no-comments '" + conninfo() + "'";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot run pg_dump");
    std::string out;
    char buffer[65536];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    if (pclose(pipe) != 0) throw std::runtime_error("pg_dump failed: " + command);
    // pg_dump 15.14 and later fence the dump with a random key (\restrict KEY): not the schema.
    std::istringstream lines(out);
    std::string line, kept;
    while (std::getline(lines, line))
        if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0) kept += line + "\n";
    return kept;
}

std::string firstDifference(const std::string& a, const std::string& b) {
    std::istringstream x(a), y(b);
    std::string lineA, lineB;
    for (int n = 1;; ++n) {
        bool moreA = static_cast<bool>(std::getline(x, lineA)), moreB = static_cast<bool>(std::getline(y, lineB));
        if (!moreA && !moreB) return "";
        if (!moreA || !moreB || lineA != lineB)
            return "line " + std::to_string(n) + ": «" + (moreA ? lineA : "(end)") + "» vs «" + (moreB ? lineB : "(end)") + "»";
    }
}

void initSchema(Connection& c) { c.exec("BEGIN;\n" + kpi::pg::initSql() + "\nCOMMIT;"); }

}  // namespace pgtest
