// Row-level security of the PostgreSQL store (docs/postgresql.md, "Who sees
// what"). Part of kpi::pg::initSql(); its own file because it is a concept of
// its own: logins, what each sees, who may write.
//
// A login's identity is session_user, looked up in kpi_logins (which no login
// but the schema owner can read or change); nothing a client SETs changes it.
//  - kpi_grant_manager(login, employee): the login reads the employee's
//    subtree (employees below it through manager_code, recursively) in every
//    table that names an employee, the outlets they serve (route, order,
//    visit, or created by them), and the tables every reader needs whole
//    (kpis, products, holidays, meta, plans, plan_components, closes,
//    close_history); the change log and plan history rows of its subtree or of
//    no employee. employee '*': every row. Read only.
//  - kpi_grant_writer(login): the login reads and writes orders, order_lines,
//    visits and outlets (every row: a DMS writes for the whole company), and
//    nothing else.
//  - kpi_revoke(login): neither any more.
// Only the schema owner (or a member of the owning role, or a superuser) can
// call them; the owner reads and writes everything. Every table with rows of
// employees but `changes` has FORCE ROW LEVEL SECURITY, so the owner goes
// through the policies too (they let it through); `changes` does not, for the
// import's COPY (security.cpp). A superuser or a BYPASSRLS role sees
// everything whatever it is granted, so granting one is refused.
#pragma once

#include <string>

namespace kpi::pg {

// SQL creating the functions, the policies and the grants' functions;
// idempotent (initSql() includes it).
std::string securitySql();

}  // namespace kpi::pg
