#!/usr/bin/env python3
"""The reward commands of `kpi` as finance meets them: payout in every format, close and
reopen with what they refuse (exit status 2, store unchanged), statements in Vietnamese and
English, the histories of plans and closes, the JSON saying a period is closed."""
import argparse
import csv
import io
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli as base  # noqa: E402  (run, dump and the small distributor)

PLANS = """code,name_vi,name_en,period_type,gate_kpi,gate_min,curve_mode
SR,Thưởng tháng NVBH,Salesperson monthly bonus,MONTH,DS,0.5,
"""
COMPONENTS = """plan_code,kpi_code,weight,curve
SR,DS,1,0.5:0.5|1:1|1.2:1.5
"""
ASSIGNMENTS = """plan_code,employee_code,valid_from,valid_to,incentive
SR,NV01,2026-01-01,2026-12-31,5000000
SR,NV02,2026-01-01,2026-12-31,4000000
"""
TODAY = "2026-12-03"


def run(*args, check=True):
    return base.run(*args, check=check, env=dict(os.environ, KPI_TODAY=TODAY))


class RewardCommands(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kpi-rewards-cli-")
        self.store = os.path.join(self.dir, "s.sqlite")
        self.case = base.KpiCommand()
        self.case.dir = self.dir
        run("--store", self.store, "init")
        files = self.case.base_files() + [self.case.write("plans.csv", PLANS),
                                          self.case.write("plan_components.csv", COMPONENTS),
                                          self.case.write("plan_assignments.csv", ASSIGNMENTS)]
        run("--store", self.store, "import", "--user", "admin.lan", *files)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def kpi(self, *args, check=True):
        return run("--store", self.store, *args, check=check)

    def test_payout_prints_the_spec_columns_and_whole_vnd(self):
        # NV01: 160,000 / 200,000 = 0.8 -> f = 0.5 + 0.3 x 1 = 0.8 -> 4,000,000. NV02 has no target.
        out = self.kpi("payout", "--period", "2026-11").stdout
        self.assertEqual(out.splitlines(), [
            "employee_code,plan_code,period_start,period_end,kind,kpi_code,attainment,factor,incentive,amount",
            "NV01,SR,2026-11-01,2026-11-30,component,DS,0.8,0.8,5000000,4000000",
            "NV01,SR,2026-11-01,2026-11-30,gate,DS,0.8,1,,",
            "NV01,SR,2026-11-01,2026-11-30,total,,,,,4000000",
            "NV02,SR,2026-11-16,2026-11-30,component,DS,,0,2080000,0",
            "NV02,SR,2026-11-16,2026-11-30,gate,DS,,0,,",
            "NV02,SR,2026-11-16,2026-11-30,total,,,,,0"])
        table = self.kpi("payout", "--period", "2026-11", "--employee", "NV01", "--format", "table").stdout
        self.assertIn("Nguyễn Văn An", table)
        self.assertNotIn("NV02", table)

    def test_by_department_adds_totals_after_the_rows(self):
        out = self.kpi("payout", "--period", "2026-11", "--by", "department").stdout
        rows, summary = out.split("\n\n")
        self.assertEqual(summary.splitlines(), ["department,employees,components,adjustments,total",
                                                "Kênh GT,2,4000000,0,4000000"])
        data = json.loads(self.kpi("payout", "--period", "2026-11", "--by", "role", "--format", "json").stdout)
        self.assertEqual(data["by_role"], [{"role": "SR", "employees": 2, "components": 4000000,
                                            "adjustments": 0, "total": 4000000}])
        p = self.kpi("payout", "--period", "2026-11", "--by", "region", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--by must be role or department", p.stderr)

    def test_a_closed_period_says_so_and_keeps_its_figures_after_a_late_return(self):
        self.assertIsNone(json.loads(self.kpi("report", "--period", "2026-11", "--format", "json").stdout)["closed"])
        out = self.kpi("close", "2026-11", "--user", "chị Hương").stdout
        self.assertRegex(out, r"^closed 2026-11 \(2026-11-01\.\.2026-11-30\) by chị Hương at \d{4}-\d\d-\d\d "
                              r"\d\d:\d\d:\d\d: 1 report rows and 6 payout rows frozen, 0 adjustments settled "
                              r"\(0\), total 4000000\n$")
        late = os.path.join(self.dir, "late")
        self.case.write("orders.csv", "order_code,employee_code,outlet_code,order_time,type,status\n"
                        "R1,NV01,CH1,2026-11-25 10:00:00,return,approved\n", folder=late)
        self.case.write("order_lines.csv", "order_code,line_no,sku,quantity,amount\nR1,1,P1,1,60000\n", folder=late)
        self.kpi("import", os.path.join(late, "orders.csv"), os.path.join(late, "order_lines.csv"))
        report = json.loads(self.kpi("report", "--period", "2026-11", "--format", "json").stdout)
        self.assertEqual(report["closed"]["closed_by"], "chị Hương")
        self.assertEqual(report["rows"][0]["actual"], 160000)
        self.assertEqual(self.kpi("actual", "NV01", "DS", "2026-11").stdout, "160000\n")
        self.assertEqual(self.kpi("actual", "NV01", "DS", "2026-11", "--live").stdout, "100000\n")
        table = self.kpi("payout", "--period", "2026-11", "--format", "table").stdout
        self.assertTrue(table.startswith("2026-11: đã chốt / closed "), table)
        live = self.kpi("payout", "--period", "2026-11", "--live").stdout
        self.assertIn("NV01,SR,2026-11-01,2026-11-30,total,,,,,2500000", live)  # 0.5 -> f 0.5
        december = self.kpi("payout", "--period", "2026-12").stdout
        self.assertIn("NV01,SR,2026-11-01,2026-11-30,adjustment,,,,,-1500000", december)
        history = list(csv.DictReader(io.StringIO(self.kpi("history", "--of", "closes", "--format", "csv").stdout)))
        self.assertEqual([(h["action"], h["period"], h["changed_by"]) for h in history],
                         [("close", "2026-11", "chị Hương")])

    def test_close_refuses_a_period_not_ended_closed_already_or_not_a_pay_period(self):
        before = base.dump(self.store)
        for period, message in [("2026-12", "2026-12 has not ended: it ends on 2026-12-31 and today is 2026-12-03"),
                                ("2026-W48", "only a pay period can be closed"),
                                ("2026-13", "is not a period")]:
            p = self.kpi("close", period, check=False)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(message, p.stderr)
        self.assertEqual(before, base.dump(self.store))
        self.kpi("close", "2026-11")
        closed = base.dump(self.store)
        p = self.kpi("close", "2026-11", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("2026-11 is closed already (by ", p.stderr)
        p = self.kpi("close", "2026-10", check=False)
        self.assertIn("2026-10 lies before 2026-11, which is closed; reopen that one first", p.stderr)
        self.assertEqual(closed, base.dump(self.store))

    def test_reopen_needs_a_reason_and_keeps_it_in_the_history(self):
        self.kpi("close", "2026-11", "--user", "admin.lan")
        p = self.kpi("reopen", "2026-11", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("reopen needs --reason", p.stderr)
        out = self.kpi("reopen", "2026-11", "--reason", "thiếu đơn trả hàng, \"DH9\"", "--user", "chị Hương").stdout
        self.assertIn("reopened 2026-11 (2026-11-01..2026-11-30) (closed by admin.lan at ", out)
        p = self.kpi("reopen", "2026-11", "--reason", "again", check=False)
        self.assertIn("2026-11 is not closed", p.stderr)
        history = list(csv.DictReader(io.StringIO(self.kpi("history", "--of", "closes", "--format", "csv").stdout)))
        self.assertEqual(history[1]["action"], "reopen")
        self.assertEqual(history[1]["changed_by"], "chị Hương")
        self.assertEqual(history[1]["reason"], "thiếu đơn trả hàng, \"DH9\"")

    def test_a_statement_explains_each_figure_in_vietnamese_and_english(self):
        out = self.kpi("statement", "--employee", "NV01", "--period", "2026-11").stdout
        for words in ["Phiếu thưởng / Reward statement", "Nhân viên / Employee:  NV01 Nguyễn Văn An (SR, Kênh GT)",
                      "chưa chốt / open", "Kế hoạch / Plan SR: Thưởng tháng NVBH / Salesperson monthly bonus (linear)",
                      "Doanh số / Sales", "Điều kiện / Gate: DS (Doanh số / Sales) tỷ lệ đạt / attainment 0.8 ≥ 0.5: "
                      "đạt / passed", "Thưởng định mức / Incentive: 5000000 × 25/25 ngày làm việc / working days = "
                      "5000000", "Tổng cộng / Total payable: 4000000 VND",
                      "SR DS: =KPI.DETAIL(\"NV01\"; \"DS\"; \"2026-11\"); kpi report --period 2026-11 --employee NV01"]:
            self.assertIn(words, out)
        rows = list(csv.DictReader(io.StringIO(
            self.kpi("statement", "--employee", "NV01", "--period", "2026-11", "--format", "csv").stdout)))
        self.assertEqual([(r["kind"], r["actual"], r["target"], r["amount"]) for r in rows],
                         [("component", "160000", "200000", "4000000"), ("gate", "160000", "200000", ""),
                          ("total", "", "", "4000000")])
        data = json.loads(self.kpi("statement", "--employee", "NV01", "--period", "2026-11", "--format", "json").stdout)
        self.assertEqual(data["total"], 4000000)
        self.assertEqual(data["lines"][0]["kpi_name_vi"], "Doanh số")
        p = self.kpi("statement", "--employee", "NV99", "--period", "2026-11", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown employee 'NV99'", p.stderr)

    def test_the_plan_history_names_who_changed_what(self):
        edited = self.case.write("plan_components.csv", COMPONENTS.replace("1.2:1.5", "1.3:2"),
                                 folder=os.path.join(self.dir, "v2"))
        self.kpi("import", "--user", "chị Hương", edited)
        rows = list(csv.DictReader(io.StringIO(self.kpi("history", "--of", "plans", "--plan", "SR", "--format",
                                                        "csv").stdout)))
        self.assertEqual([(r["changed_by"], r["action"], r["subject"]) for r in rows],
                         [("admin.lan", "new", "plan"), ("admin.lan", "new", "component"),
                          ("admin.lan", "new", "assignment"), ("admin.lan", "new", "assignment"),
                          ("chị Hương", "edit", "component")])
        self.assertEqual(rows[-1]["after"], "weight=1.0;curve=0.5:0.5|1:1|1.3:2")
        p = self.kpi("history", "--of", "budgets", check=False)
        self.assertEqual(p.returncode, 2)

    def test_init_upgrades_a_store_of_the_first_schema_in_place(self):
        con = sqlite3.connect(self.store)
        con.executescript("DROP VIEW settled_adjustments; DROP TABLE frozen_payout_rows; DROP TABLE frozen_report_rows;"
                          "DROP TABLE close_history; DROP TABLE closes; DROP TABLE plan_history;"
                          "DROP TABLE plan_assignments; DROP TABLE plan_components; DROP TABLE plans;"
                          "PRAGMA user_version = 1;")
        con.close()
        # A first-schema store still answers reports, and has no payouts.
        self.assertIn("NV01,DS", self.kpi("report", "--period", "2026-11").stdout)
        self.assertEqual(len(self.kpi("payout", "--period", "2026-11").stdout.splitlines()), 1)
        p = self.kpi("close", "2026-11", check=False)
        self.assertIn("kpi init", p.stderr)
        self.assertIn("schema version 2", self.kpi("init").stderr)
        self.assertEqual(len(self.kpi("payout", "--period", "2026-11").stdout.splitlines()), 1)

    def test_every_reward_command_has_help(self):
        for command in ["payout", "close", "reopen", "statement"]:
            self.assertIn("Usage: kpi", self.kpi(command, "--help").stdout, command)
            self.assertIn(command, run("--help").stdout)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--kpi", required=True)
    args, rest = ap.parse_known_args()
    base.KPI = os.path.abspath(args.kpi)
    result = unittest.main(argv=[sys.argv[0], *rest], exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
