#include "store/postgres/security.hpp"

#include <string>
#include <vector>

namespace kpi::pg {
namespace {

// Who the session's login is. SECURITY DEFINER (the schema owner): they read
// kpi_logins, which the logins cannot; STABLE and called as (SELECT f()) in the
// policies, so that each runs once per statement, not once per row.
constexpr const char* kFunctions = R"SQL(
CREATE OR REPLACE FUNCTION kpi_reads_all(who name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER AS $f$
  SELECT kpi_owner(who)
      OR EXISTS (SELECT 1 FROM kpi_logins WHERE login = session_user::text AND employee_code = '*')
$f$;

CREATE OR REPLACE FUNCTION kpi_writes(who name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER AS $f$
  SELECT kpi_owner(who) OR EXISTS (SELECT 1 FROM kpi_logins WHERE login = session_user::text AND writer)
$f$;

-- The login's employee and every employee below it.
CREATE OR REPLACE FUNCTION kpi_team() RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER ROWS 100 AS $f$
  WITH RECURSIVE team(code) AS (
    SELECT e.code FROM employees e JOIN kpi_logins l ON l.employee_code = e.code WHERE l.login = session_user::text
    UNION
    SELECT e.code FROM employees e JOIN team t ON e.manager_code = t.code)
  SELECT code FROM team
$f$;

-- The outlets the login's team serves: on a route, ordered from, visited or opened by one of them.
CREATE OR REPLACE FUNCTION kpi_team_outlets() RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER ROWS 1000 AS $f$
  WITH team AS MATERIALIZED (SELECT kpi_team() AS code)
  SELECT outlet_code FROM routes WHERE employee_code IN (SELECT code FROM team)
  UNION SELECT outlet_code FROM orders WHERE employee_code IN (SELECT code FROM team)
  UNION SELECT outlet_code FROM visits WHERE employee_code IN (SELECT code FROM team)
  UNION SELECT code FROM outlets WHERE created_by IN (SELECT code FROM team)
$f$;

CREATE OR REPLACE FUNCTION kpi_check_grantable(login text) RETURNS void
LANGUAGE plpgsql AS $f$
DECLARE r pg_roles%ROWTYPE;
BEGIN
  IF NOT kpi_owner(current_user) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = format('only the owner of the SalesKPI schema %s grants and revokes; %s is not', current_schema(), current_user);
  END IF;
  SELECT * INTO r FROM pg_roles WHERE rolname = login;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'undefined_object',
      MESSAGE = format('there is no PostgreSQL login %s: create it first (CREATE ROLE %I LOGIN)', login, login);
  END IF;
  IF r.rolsuper OR r.rolbypassrls OR kpi_owner(login::name) THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_grant_operation',
      MESSAGE = format('login %s sees every row whatever it is granted (a superuser, BYPASSRLS or the schema owner): use a login of its own', login);
  END IF;
END
$f$;

CREATE OR REPLACE FUNCTION kpi_grant_manager(login text, employee text) RETURNS void
LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM kpi_check_grantable(login);
  IF employee IS NULL OR (employee <> '*' AND NOT EXISTS (SELECT 1 FROM employees WHERE code = employee)) THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
      MESSAGE = format('there is no employee %s (the code of an employee, or * for everyone)', coalesce(employee, 'NULL'));
  END IF;
  INSERT INTO kpi_logins(login, employee_code) VALUES(login, employee)
    ON CONFLICT ON CONSTRAINT kpi_logins_pkey DO UPDATE SET employee_code = excluded.employee_code;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), login);
  EXECUTE format('GRANT SELECT ON @READABLE@ TO %I', login);
END
$f$;

CREATE OR REPLACE FUNCTION kpi_grant_writer(login text) RETURNS void
LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM kpi_check_grantable(login);
  INSERT INTO kpi_logins(login, writer) VALUES(login, true)
    ON CONFLICT ON CONSTRAINT kpi_logins_pkey DO UPDATE SET writer = true;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), login);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON @WRITABLE@ TO %I', login);
END
$f$;

CREATE OR REPLACE FUNCTION kpi_revoke(login text) RETURNS void
LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM kpi_check_grantable(login);
  DELETE FROM kpi_logins WHERE kpi_logins.login = kpi_revoke.login;
  EXECUTE format('REVOKE ALL ON @READABLE@ FROM %I', login);
  IF current_schema() <> 'public' THEN
    EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM %I', current_schema(), login);
  END IF;
END
$f$;
REVOKE ALL ON FUNCTION kpi_grant_manager(text, text), kpi_grant_writer(text), kpi_revoke(text) FROM PUBLIC;
)SQL";

const char* const kReadable[] = {"meta",           "employees",    "outlets",        "products",
                                 "routes",         "visits",       "orders",         "order_lines",
                                 "kpis",           "targets",      "holidays",       "target_history",
                                 "changes",        "plans",        "plan_components", "plan_assignments",
                                 "plan_history",   "closes",       "close_history",  "frozen_report_rows",
                                 "frozen_payout_rows", "settled_adjustments"};
const char* const kWritable[] = {"orders", "order_lines", "visits", "outlets"};

struct Policy {
    const char* table;
    bool writable;     // a writer login reads and writes it
    std::string team;  // the condition for a manager's login
    // The owner goes through the policies too (they let it through). Not on
    // `changes`, the log the owner's import appends to in bulk: PostgreSQL
    // refuses a COPY into a table whose policies apply to the one copying;
    // the owner reads and writes every row of it either way.
    bool force = true;
};

std::string inTeam(const std::string& column) { return column + " IN (SELECT kpi_team())"; }

std::vector<Policy> policies() {
    return {
        {"employees", false, inTeam("code")},
        {"outlets", true, "code IN (SELECT kpi_team_outlets())"},
        {"routes", false, inTeam("employee_code")},
        {"visits", true, inTeam("employee_code")},
        {"orders", true, inTeam("employee_code")},
        // (orders here is seen through its own policy)
        {"order_lines", true, "order_code IN (SELECT order_code FROM orders)"},
        {"targets", false, inTeam("employee_code")},
        {"target_history", false, inTeam("employee_code")},
        {"changes", false, "employee_code IS NULL OR " + inTeam("employee_code"), false},
        {"plan_assignments", false, inTeam("employee_code")},
        {"plan_history", false, "employee_code IS NULL OR " + inTeam("employee_code")},
        {"frozen_report_rows", false, inTeam("employee_code")},
        {"frozen_payout_rows", false, inTeam("employee_code")},
    };
}

std::string list(const char* const* names, size_t n) {
    std::string text;
    for (size_t i = 0; i < n; ++i) text += (i ? ", " : "") + std::string(names[i]);
    return text;
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

// Creates the policy, or brings an existing one to this definition.
std::string policy(const std::string& name, const std::string& table, const std::string& command,
                   const std::string& usingExpr, const std::string& checkExpr) {
    std::string clauses = " USING (" + usingExpr + ")" + (checkExpr.empty() ? "" : " WITH CHECK (" + checkExpr + ")");
    return "DO $kpi$ BEGIN\n  IF EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = '" + table + "'::regclass AND polname = '" +
           name + "') THEN\n    ALTER POLICY " + name + " ON " + table + clauses + ";\n  ELSE\n    CREATE POLICY " + name +
           " ON " + table + " FOR " + command + clauses + ";\n  END IF;\nEND $kpi$;\n";
}

}  // namespace

std::string securitySql() {
    std::string out = replaceAll(replaceAll(kFunctions, "@READABLE@", list(kReadable, std::size(kReadable))),
                                 "@WRITABLE@", list(kWritable, std::size(kWritable)));
    const std::string all = "(SELECT kpi_reads_all(current_user))";
    for (const Policy& p : policies()) {
        const std::string t = p.table;
        const std::string write = p.writable ? "(SELECT kpi_writes(current_user))" : "(SELECT kpi_owner(current_user))";
        out += "ALTER TABLE " + t + " ENABLE ROW LEVEL SECURITY;\n";
        out += "ALTER TABLE " + t + (p.force ? " FORCE" : " NO FORCE") + " ROW LEVEL SECURITY;\n";
        out += policy("kpi_read", t, "SELECT", all + " OR " + p.team, "");
        out += policy("kpi_write", t, "ALL", write, write);
    }
    return out;
}

}  // namespace kpi::pg
