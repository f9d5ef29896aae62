// Row-level security with real logins (security.hpp): a manager's login reads
// exactly its subtree in every table, by plain SQL too; '*' reads everything;
// the DMS writer writes orders, lines, visits and outlets and nothing else;
// revoke takes it all back; no login changes who it is, or grants itself.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "pg_test_support.hpp"

namespace {

using pgtest::Connection;
using pgtest::Rows;
using pgtest::TestDatabase;
namespace fs = std::filesystem;

// RSM ─┬─ SS01 ─┬─ S1 ── S1A
//      │        └─ S2
//      └─ SS02 ── S3
const char* kCompany =
    "INSERT INTO employees(code, name, role, manager_code, start_date) VALUES"
    "  ('RSM', 'Phạm Quốc Bảo', 'RSM', NULL, '2018-01-01'),"
    "  ('SS01', 'Trần Văn Hùng', 'SS', 'RSM', '2019-01-01'),"
    "  ('SS02', 'Võ Thị Mai', 'SS', 'RSM', '2019-01-01'),"
    "  ('S1', 'Nguyễn Thị Lan', 'SR', 'SS01', '2020-01-01'),"
    "  ('S1A', 'Đỗ Văn An', 'SR', 'S1', '2021-01-01'),"
    "  ('S2', 'Lê Văn Tám', 'SR', 'SS01', '2020-01-01'),"
    "  ('S3', 'Hồ Thị Hoa', 'SR', 'SS02', '2020-01-01');"
    // O1 on S1's route, O2 ordered from by S2, O3 visited by S1A, O4 opened by S2; O5, O6 SS02's; O7 nobody's.
    "INSERT INTO outlets(code, name, created_date, created_by) VALUES"
    "  ('O1', 'Tạp hóa Cô Ba', '2025-01-01', NULL), ('O2', 'Quán Chú Tư', '2025-01-01', NULL),"
    "  ('O3', 'Cửa hàng Minh', '2025-01-01', NULL), ('O4', 'Tiệm Hạnh', '2025-01-01', 'S2'),"
    "  ('O5', 'Đại lý Phát', '2025-01-01', NULL), ('O6', 'Siêu thị Mini', '2025-01-01', 'S3'),"
    "  ('O7', 'Kho trống', '2025-01-01', NULL);"
    "INSERT INTO products VALUES('P1', 'Sữa tươi', 'Dairy', 'VinaMilk');"
    "INSERT INTO kpis(code, type, name_vi, name_en) VALUES('SALES_TOTAL', 'SALES', 'Doanh số', 'Sales');"
    "INSERT INTO holidays VALUES('2026-11-20', 'Ngày Nhà giáo');"
    "INSERT INTO routes VALUES('S1', 'O1', '2026-01-01', NULL), ('S3', 'O5', '2026-01-01', NULL);"
    "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) VALUES"
    "  ('A1', 'S1', 'O1', '2026-11-02 08:00:00', 'sale', 'approved'),"
    "  ('A2', 'S2', 'O2', '2026-11-02 09:00:00', 'sale', 'approved'),"
    "  ('B1', 'S3', 'O6', '2026-11-02 10:00:00', 'sale', 'approved');"
    "INSERT INTO order_lines VALUES('A1', 1, 'P1', 1, 1000), ('A2', 1, 'P1', 2, 2000), ('B1', 1, 'P1', 3, 3000),"
    "  ('B1', 2, 'P1', 4, 4000);"
    "INSERT INTO visits VALUES('V1', 'S1A', 'O3', '2026-11-02 07:00:00'), ('V2', 'S3', 'O5', '2026-11-02 07:00:00');"
    "INSERT INTO targets VALUES('S1', 'SALES', 'MONTH', '2026-11-01', '2026-11-30', 1000, 1),"
    "  ('SS01', 'SALES', 'MONTH', '2026-11-01', '2026-11-30', 5000, 1),"
    "  ('S3', 'SALES', 'MONTH', '2026-11-01', '2026-11-30', 900, 1);"
    "INSERT INTO plans(code, name_vi, name_en, period_type) VALUES('BONUS', 'Thưởng', 'Bonus', 'MONTH');"
    "INSERT INTO plan_components VALUES('BONUS', 'SALES', 1, '0:0,1:1');"
    "INSERT INTO plan_assignments VALUES('S1', 'BONUS', '2026-11-01', '2026-11-30', 1000000),"
    "  ('S3', 'BONUS', '2026-11-01', '2026-11-30', 1000000);"
    "INSERT INTO closes(period_type, period_start, period_end, closed_at, closed_by) "
    "  VALUES('MONTH', '2026-10-01', '2026-10-31', '2026-11-01 08:00:00', 'kế toán');"
    "INSERT INTO frozen_report_rows VALUES(1, 'S1', 'SALES', '2026-10-01', '2026-10-31', 1, 1, 1, 1, 1, 2),"
    "  (1, 'S3', 'SALES', '2026-10-01', '2026-10-31', 1, 1, 1, 1, 1, 2);"
    "INSERT INTO frozen_payout_rows(close_seq, row_no, employee_code, plan_code, period_start, period_end, kind, amount)"
    "  VALUES(1, 1, 'S1', 'BONUS', '2026-10-01', '2026-10-31', 'total', 100),"
    "        (1, 2, 'S3', 'BONUS', '2026-10-01', '2026-10-31', 'adjustment', 200);";

// What each table shows, one key a row, in order.
const std::vector<std::pair<std::string, std::string>> kKeys = {
    {"employees", "code"},
    {"outlets", "code"},
    {"routes", "employee_code || '/' || outlet_code"},
    {"orders", "order_code"},
    {"order_lines", "order_code || '/' || line_no"},
    {"visits", "visit_code"},
    {"targets", "employee_code"},
    {"target_history", "employee_code"},
    {"plan_assignments", "employee_code"},
    {"plan_history", "coalesce(employee_code, plan_code)"},
    {"frozen_report_rows", "employee_code"},
    {"frozen_payout_rows", "employee_code"},
    {"settled_adjustments", "employee_code"},
    {"products", "sku"},
    {"kpis", "code"},
    {"holidays", "date"},
    {"plans", "code"},
    {"plan_components", "kpi_code"},
    {"closes", "period_start"},
    {"meta", "key"},
};

std::map<std::string, Rows> seen(Connection& c) {
    std::map<std::string, Rows> out;
    for (const auto& [table, key] : kKeys) out[table] = c.query("SELECT " + key + " FROM " + table + " ORDER BY 1");
    return out;
}

struct PgCompany : ::testing::Test {
    TestDatabase db;
    Connection admin{db.conninfo()};
    void SetUp() override { admin.exec(kCompany); }
    // A login granted `employee`'s subtree.
    std::string manager(const std::string& name, const std::string& employee) {
        std::string login = db.role(name);
        admin.exec("SELECT kpi_grant_manager('" + login + "', '" + employee + "')");
        return login;
    }
};

TEST_F(PgCompany, AManagerSeesExactlyTheSubtreeInEveryTable) {
    Connection a(db.conninfo(manager("ss01", "SS01")));
    auto mine = seen(a);
    EXPECT_EQ(mine["employees"], (Rows{"S1", "S1A", "S2", "SS01"}));
    EXPECT_EQ(mine["outlets"], (Rows{"O1", "O2", "O3", "O4"}));
    EXPECT_EQ(mine["routes"], Rows{"S1/O1"});
    EXPECT_EQ(mine["orders"], (Rows{"A1", "A2"}));
    EXPECT_EQ(mine["order_lines"], (Rows{"A1/1", "A2/1"}));
    EXPECT_EQ(mine["visits"], Rows{"V1"});
    EXPECT_EQ(mine["targets"], (Rows{"S1", "SS01"}));
    EXPECT_EQ(mine["target_history"], (Rows{"S1", "SS01"}));
    EXPECT_EQ(mine["plan_assignments"], Rows{"S1"});
    EXPECT_EQ(mine["plan_history"], (Rows{"BONUS", "BONUS", "S1"}));  // the plan and its component: no employee
    EXPECT_EQ(mine["frozen_report_rows"], Rows{"S1"});
    EXPECT_EQ(mine["frozen_payout_rows"], Rows{"S1"});
    EXPECT_TRUE(mine["settled_adjustments"].empty());  // S3's adjustment is SS02's
    // What every reader needs whole.
    auto all = seen(admin);
    for (const char* table : {"products", "kpis", "holidays", "plans", "plan_components", "closes", "meta"})
        EXPECT_EQ(mine[table], all[table]) << table;
    // The change log: the rows of the subtree and those of no employee.
    EXPECT_EQ(a.value("SELECT count(*) FROM changes WHERE employee_code IS NOT NULL AND employee_code NOT IN "
                      "('SS01', 'S1', 'S1A', 'S2')"),
              "0");
    EXPECT_EQ(a.value("SELECT count(DISTINCT employee_code) FROM changes"), "3");  // S1, S1A (visit), S2
    EXPECT_EQ(a.value("SELECT count(*) FROM changes WHERE employee_code IS NULL"),
              admin.value("SELECT count(*) FROM changes WHERE employee_code IS NULL"));
}

TEST_F(PgCompany, AManagerCannotReadAnotherTeamsOrdersByPlainSql) {
    Connection a(db.conninfo(manager("ss01", "SS01")));
    EXPECT_EQ(a.value("SELECT count(*) FROM orders WHERE employee_code = 'S3'"), "0");
    EXPECT_EQ(a.value("SELECT count(*) FROM orders WHERE order_code = 'B1'"), "0");
    EXPECT_EQ(a.value("SELECT count(*) FROM order_lines WHERE order_code = 'B1'"), "0");
    EXPECT_EQ(a.value("SELECT count(*) FROM orders o JOIN employees e ON e.code = o.employee_code WHERE e.code = 'S3'"),
              "0");
    EXPECT_EQ(a.value("SELECT coalesce(sum(amount), 0) FROM order_lines"), "3000");
    // Nor the logins' table, the counter, or the functions that grant.
    EXPECT_EQ(a.refusal("SELECT * FROM kpi_logins"), "permission denied for table kpi_logins");
    EXPECT_EQ(a.refusal("UPDATE kpi_logins SET employee_code = '*'"), "permission denied for table kpi_logins");
    EXPECT_EQ(a.refusal("SELECT kpi_grant_manager(session_user::text, '*')"),
              "permission denied for function kpi_grant_manager");
    EXPECT_EQ(a.refusal("UPDATE kpi_change_counter SET seq = 0"), "permission denied for table kpi_change_counter");
    // A manager reads; it does not write.
    EXPECT_EQ(a.refusal("INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
                        "VALUES('X', 'S1', 'O1', '2026-11-03 08:00:00', 'sale', 'approved')"),
              "permission denied for table orders");
    EXPECT_EQ(a.refusal("UPDATE targets SET target = 1"), "permission denied for table targets");
    EXPECT_EQ(a.refusal("DELETE FROM changes"), "permission denied for table changes");
    // The second manager: the other team, and not the first's.
    Connection b(db.conninfo(manager("ss02", "SS02")));
    EXPECT_EQ(b.query("SELECT order_code FROM orders"), Rows{"B1"});
    EXPECT_EQ(b.query("SELECT code FROM employees ORDER BY 1"), (Rows{"S3", "SS02"}));
    EXPECT_EQ(b.query("SELECT code FROM outlets ORDER BY 1"), (Rows{"O5", "O6"}));
    EXPECT_EQ(b.query("SELECT employee_code FROM settled_adjustments"), Rows{"S3"});
}

TEST_F(PgCompany, NoLoginChangesWhoItIs) {
    std::string aLogin = manager("ss01", "SS01");
    std::string bLogin = manager("ss02", "SS02");
    Connection a(db.conninfo(aLogin));
    EXPECT_NE(a.refusal("SET ROLE " + bLogin), "");
    EXPECT_NE(a.refusal("SET SESSION AUTHORIZATION " + bLogin), "");
    EXPECT_NE(a.refusal("SELECT set_config('role', '" + bLogin + "', false)"), "");
    // Settings a client may make change nothing.
    a.exec("SET kpi.login = '" + bLogin + "'; SET kpi.employee = '*'; SET application_name = '" + bLogin + "'");
    EXPECT_EQ(a.value("SELECT count(*) FROM orders WHERE employee_code = 'S3'"), "0");
    // Nor do tables or functions of its own in front of the schema's (the
    // policies' functions search the schema, then pg_temp, last).
    a.exec("CREATE TEMP TABLE kpi_logins(login text, employee_code text, writer boolean);"
           "INSERT INTO kpi_logins VALUES(session_user, '*', true);"
           "CREATE TEMP TABLE employees(code text, manager_code text);"
           "INSERT INTO employees VALUES('S3', 'SS01')");
    EXPECT_EQ(a.value("SELECT count(*) FROM public.orders WHERE employee_code = 'S3'"), "0");
    EXPECT_EQ(a.value("SELECT count(*) FROM public.orders"), "2");
    EXPECT_NE(a.refusal("CREATE FUNCTION public.kpi_team() RETURNS SETOF text LANGUAGE sql AS 'SELECT code FROM "
                        "public.employees'"),
              "");
}

TEST_F(PgCompany, StarSeesEverything) {
    Connection all(db.conninfo(manager("boss", "*")));
    EXPECT_EQ(seen(all), seen(admin));
    EXPECT_EQ(all.value("SELECT count(*) FROM changes"), admin.value("SELECT count(*) FROM changes"));
    EXPECT_EQ(all.refusal("UPDATE orders SET status = 'pending'"), "permission denied for table orders");
    // Every table and view of the schema, not only those listed here (a table
    // a later version adds must be granted too), but the logins' and the counter.
    Rows relations = admin.query("SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace "
                                 "AND c.relkind IN ('r', 'v') ORDER BY 1");
    ASSERT_GE(relations.size(), 24u);
    for (const auto& relation : relations) {
        const std::string count = "SELECT count(*) FROM " + relation;
        if (relation.rfind("kpi_", 0) == 0)
            EXPECT_EQ(all.refusal(count), "permission denied for table " + relation);
        else
            EXPECT_EQ(all.value(count), admin.value(count)) << relation;
    }
}

TEST_F(PgCompany, TheWriterWritesOrdersLinesVisitsAndOutletsOnly) {
    std::string login = db.role("dms");
    admin.exec("SELECT kpi_grant_writer('" + login + "')");
    Connection w(db.conninfo(login));
    const long long before = std::stoll(admin.value("SELECT max(seq) FROM changes"));
    w.exec("INSERT INTO outlets(code, name, created_date, created_by) VALUES('O9', 'Tạp hóa Mới', '2026-11-03', 'S3');"
           "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
           "VALUES('C1', 'S3', 'O9', '2026-11-03 08:00:00', 'sale', 'pending');"
           "INSERT INTO order_lines VALUES('C1', 1, 'P1', 1, 500);"
           "INSERT INTO visits VALUES('V9', 'S3', 'O9', '2026-11-03 07:00:00');"
           "UPDATE orders SET status = 'approved' WHERE order_code = 'C1';"
           "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
           "VALUES('C1', 'S3', 'O9', '2026-11-03 08:00:00', 'sale', 'cancelled') "
           "ON CONFLICT(order_code) DO UPDATE SET status = excluded.status;"
           "DELETE FROM visits WHERE visit_code = 'V9'");
    // Its writes are logged like anyone's, with the refusals of the rules.
    EXPECT_EQ(admin.query("SELECT source || ' ' || coalesce(ref, '') || ' ' || coalesce(old_status, '') FROM changes "
                          "WHERE seq > " + std::to_string(before) + " ORDER BY seq"),
              (Rows{"outlets  ", "orders C1 ", "order_lines C1 ", "visits  ", "orders C1 pending", "orders C1 approved",
                    "orders C1 approved", "visits  "}));
    EXPECT_EQ(w.refusal("UPDATE orders SET status = 'done'"),
              "orders.status must be pending, approved, rejected or cancelled");
    // It reads what it writes, whole (a DMS writes for the whole company) …
    EXPECT_EQ(w.value("SELECT count(*) FROM orders"), "4");
    // … and nothing else, nor writes anything else.
    for (const char* table : {"targets", "employees", "routes", "changes", "target_history", "plans", "kpis"})
        EXPECT_EQ(w.refusal(std::string("SELECT count(*) FROM ") + table),
                  std::string("permission denied for table ") + table);
    EXPECT_EQ(w.refusal("UPDATE targets SET target = 1"), "permission denied for table targets");
    EXPECT_EQ(w.refusal("INSERT INTO employees(code, name, role, start_date) VALUES('X', 'x', 'SR', '2020-01-01')"),
              "permission denied for table employees");
    EXPECT_EQ(w.refusal("DELETE FROM changes"), "permission denied for table changes");
    EXPECT_EQ(w.refusal("INSERT INTO changes(source) VALUES('orders')"), "permission denied for table changes");
}

TEST_F(PgCompany, RevokeTakesItAllBack) {
    std::string aLogin = manager("ss01", "SS01");
    admin.exec("SELECT kpi_grant_writer('" + aLogin + "')");
    {
        Connection a(db.conninfo(aLogin));
        EXPECT_EQ(a.value("SELECT count(*) FROM orders"), "3");  // a writer reads all orders
        EXPECT_EQ(a.value("SELECT count(*) FROM targets"), "2");  // a manager reads its team's targets
    }
    admin.exec("SELECT kpi_revoke('" + aLogin + "')");
    Connection a(db.conninfo(aLogin));
    for (const auto& [table, key] : kKeys)
        EXPECT_EQ(a.refusal("SELECT count(*) FROM " + table),
                  std::string("permission denied for ") + (table == "settled_adjustments" ? "view " : "table ") + table)
            << table;
    EXPECT_EQ(admin.value("SELECT count(*) FROM kpi_logins"), "0");
    // Granted again: the subtree again (a grant replaces the employee, it does not add one).
    admin.exec("SELECT kpi_grant_manager('" + aLogin + "', 'S1')");
    admin.exec("SELECT kpi_grant_manager('" + aLogin + "', 'SS02')");
    EXPECT_EQ(a.query("SELECT code FROM employees ORDER BY 1"), (Rows{"S3", "SS02"}));
}

TEST_F(PgCompany, GrantsRefuseWhatTheyCannotDo) {
    std::string aLogin = manager("ss01", "SS01");
    EXPECT_EQ(admin.refusal("SELECT kpi_grant_manager('nobody_here', 'SS01')"),
              "there is no PostgreSQL login nobody_here: create it first (CREATE ROLE nobody_here LOGIN)");
    EXPECT_EQ(admin.refusal("SELECT kpi_grant_manager('" + aLogin + "', 'SS99')"),
              "there is no employee SS99 (the code of an employee, or * for everyone)");
    EXPECT_EQ(admin.refusal("SELECT kpi_grant_manager('kpi_admin', 'SS01')"),
              "login kpi_admin sees every row whatever it is granted (a superuser, BYPASSRLS or the schema owner): "
              "use a login of its own");
    std::string bypass = db.role("bypass", "LOGIN BYPASSRLS");
    EXPECT_NE(admin.refusal("SELECT kpi_grant_writer('" + bypass + "')").find("sees every row"), std::string::npos);
    // Only the owner grants: a login with the function's EXECUTE but not owning the schema is refused too.
    std::string other = db.role("other");
    admin.exec("GRANT EXECUTE ON FUNCTION kpi_grant_manager(text, text) TO " + other);
    Connection o(db.conninfo(other));
    EXPECT_EQ(o.refusal("SELECT kpi_grant_manager('" + other + "', '*')"),
              "only the owner of the SalesKPI schema public grants and revokes; " + other + " is not");
    EXPECT_EQ(admin.value("SELECT count(*) FROM kpi_logins"), "1");
}

// A schema owned by a role that is not a superuser (docs/postgresql.md's set-up):
// the owner goes through the policies (FORCE) and they let it see and write everything.
TEST(PgSecurity, ASchemaOwnerThatIsNoSuperuserReadsAndWritesEverything) {
    TestDatabase db(false);
    std::string owner = db.role("owner");
    {
        Connection admin(db.conninfo());
        admin.exec("CREATE SCHEMA sales AUTHORIZATION " + owner + "; ALTER ROLE " + owner +
                   " IN DATABASE " + db.name() + " SET search_path = sales");
    }
    Connection o(db.conninfo(owner));
    pgtest::initSchema(o);
    o.exec(kCompany);
    EXPECT_EQ(o.value("SELECT count(*) FROM orders"), "3");
    EXPECT_EQ(o.value("SELECT count(*) FROM changes"), o.value("SELECT seq FROM kpi_change_counter"));
    EXPECT_EQ(o.value("SELECT relforcerowsecurity FROM pg_class WHERE oid = 'orders'::regclass"), "t");
    std::string a = db.role("ss01");
    o.exec("SELECT kpi_grant_manager('" + a + "', 'SS01')");
    Connection m(db.conninfo(a));
    EXPECT_EQ(m.query("SELECT order_code FROM sales.orders ORDER BY 1"), (Rows{"A1", "A2"}));
    // The import's bulk path is the owner's.
    o.exec("BEGIN; SET LOCAL kpi.import = 'on'; UPDATE orders SET status = 'pending' WHERE order_code = 'A1'; COMMIT");
    EXPECT_EQ(o.value("SELECT count(*) FROM changes WHERE old_status = 'approved'"), "0");
}

// A dump restored under another owner (pg_restore --no-owner as that login,
// the first owner gone): the new owner reads, writes and imports at once.
TEST(PgSecurity, ARestoreUnderAnotherOwnerWorksAtOnce) {
    TestDatabase first(false), second(false);
    std::string ownerA = first.role("owner_a"), ownerB = second.role("owner_b");
    {
        Connection admin(first.conninfo());
        admin.exec("ALTER DATABASE " + first.name() + " OWNER TO " + ownerA + ";ALTER DATABASE " + second.name() +
                   " OWNER TO " + ownerB + "; ALTER SCHEMA public OWNER TO " + ownerA);
        Connection adminB(second.conninfo());
        adminB.exec("ALTER SCHEMA public OWNER TO " + ownerB);
    }
    {
        Connection a(first.conninfo(ownerA));
        pgtest::initSchema(a);
        a.exec(kCompany);
    }
    const std::string dump = (fs::temp_directory_path() / (first.name() + ".dump")).string();
    ASSERT_EQ(std::system(("pg_dump --enable-row-security -Fc -f " + dump + " '" + first.conninfo(ownerA) + "'").c_str()), 0);
    ASSERT_EQ(std::system(("pg_restore --no-owner --no-acl --exit-on-error -d '" + second.conninfo(ownerB) + "' " + dump).c_str()), 0);
    fs::remove(dump);
    {
        Connection admin(pgtest::adminConninfo());
        admin.exec("DROP DATABASE " + first.name() + " WITH (FORCE)");
        admin.exec("DROP ROLE " + ownerA);
    }
    Connection b(second.conninfo(ownerB));
    EXPECT_EQ(b.value("SELECT count(*) FROM orders"), "3");
    const std::string logged = b.value("SELECT count(*) FROM changes");
    b.exec("UPDATE orders SET status = 'pending' WHERE order_code = 'A1'");
    EXPECT_EQ(b.value("SELECT count(*) FROM changes"), std::to_string(std::stoi(logged) + 1));
    b.exec("BEGIN; SET LOCAL kpi.import = 'on'; UPDATE orders SET status = 'approved' WHERE order_code = 'A1'; COMMIT");
    EXPECT_EQ(b.value("SELECT count(*) FROM changes"), std::to_string(std::stoi(logged) + 1));
    std::string m = second.role("ss01");
    b.exec("SELECT kpi_grant_manager('" + m + "', 'SS01')");
    Connection manager(second.conninfo(m));
    EXPECT_EQ(manager.query("SELECT order_code FROM orders ORDER BY 1"), (Rows{"A1", "A2"}));
}

}  // namespace
