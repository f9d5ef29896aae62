#!/usr/bin/env python3
"""`kpi recommend` and `kpi target-health` as an administrator meets them, on a
demo distributor with seasons (`kpi demo-data --seasonal`): the recommendation
CSV is a targets.csv the import takes (its extra columns reported and
ignored), a team split adds up exactly, planted month-end orders are named by
target-health, and bad arguments say what is wrong."""
import argparse
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
from decimal import Decimal

KPI = None
TODAY = "2026-11-20"

RECOMMEND_COLUMNS = ["employee_code", "kpi_code", "period_type", "valid_from", "valid_to", "target", "weight",
                     "effective_target", "p10", "p50", "p90", "probability", "current_target", "last_actual", "driver"]
EXTRA_COLUMNS = RECOMMEND_COLUMNS[7:]


def run(*args, check=True):
    env = dict(os.environ, KPI_TODAY=TODAY)
    p = subprocess.run([KPI, *args], capture_output=True, text=True, env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"kpi {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return p


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


class Targets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="kpi-targets-")
        cls.pristine = os.path.join(cls.dir, "pristine.sqlite")
        run("--store", cls.pristine, "demo-data", "--size", "12", "--months", "16", "--seasonal", "--seed", "4",
            "--until", TODAY)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        # Each test its own copy: some import into it.
        self.store = os.path.join(self.dir, f"{self._testMethodName}.sqlite")
        src, dst = sqlite3.connect(self.pristine), sqlite3.connect(self.store)
        src.backup(dst)
        src.close()
        dst.close()

    def kpi(self, *args, check=True):
        return run("--store", self.store, *args, check=check)

    def query(self, sql):
        con = sqlite3.connect(self.store)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def test_the_recommendation_csv_imports_as_targets_and_its_extra_columns_are_reported(self):
        out = self.kpi("recommend", "--period", "2026-12").stdout
        self.assertEqual(out.splitlines()[0].split(","), RECOMMEND_COLUMNS)
        recommended = rows(out)
        self.assertGreater(len(recommended), 100)
        path = os.path.join(self.dir, "2026-12-targets.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(out)
        p = self.kpi("import", path)
        for column in EXTRA_COLUMNS:
            self.assertIn(f"{path}:1: unknown column '{column}' ignored", p.stderr)
        report = {(r["employee_code"], r["kpi_code"]): r
                  for r in rows(self.kpi("report", "--period", "2026-12").stdout)}
        for r in recommended:
            got = report[(r["employee_code"], r["kpi_code"])]
            self.assertAlmostEqual(float(got["target"]), float(r["effective_target"]), places=4, msg=r)
            self.assertEqual(got["weight"], r["weight"])

    def test_every_row_explains_itself_and_its_spread_brackets_the_target(self):
        for r in rows(self.kpi("recommend", "--period", "2026-12", "--employee", "SS01").stdout):
            self.assertTrue(r["driver"].startswith("3-month level") or r["driver"].startswith("median of peers"), r)
            self.assertIn("(2026-08..2026-10)", r["driver"])  # November is not over on 20 November
            p10, p50, p90, target = (float(r[k]) for k in ("p10", "p50", "p90", "effective_target"))
            self.assertLessEqual(p10, p50)
            self.assertLessEqual(p50, p90)
            if r["probability"]:
                self.assertGreaterEqual(float(r["probability"]), 0)
                self.assertLessEqual(float(r["probability"]), 1)

    def test_employee_and_kpi_narrow_the_rows(self):
        team = {r["employee_code"] for r in rows(self.kpi("recommend", "--period", "2026-12", "--employee", "SS01").stdout)}
        below = {row[0] for row in self.query(
            "SELECT code FROM employees WHERE manager_code = 'SS01' AND (end_date IS NULL OR end_date >= '2026-12-01')")}
        self.assertEqual(team - {"SS01"}, below)  # the leaver of the demo left before December
        kpis = {r["kpi_code"] for r in rows(self.kpi("recommend", "--period", "2026-12", "--kpi", "DS", "--kpi",
                                                     "PC,ASO").stdout)}
        self.assertEqual(kpis, {"DS", "PC", "ASO"})

    def test_table_and_json_show_the_names(self):
        table = self.kpi("recommend", "--period", "2026-12", "--employee", "NV0001", "--format", "table").stdout
        name = self.query("SELECT name FROM employees WHERE code = 'NV0001'")[0][0]
        self.assertIn(name, table)
        data = json.loads(self.kpi("recommend", "--period", "2026-12", "--employee", "NV0001", "--format", "json").stdout)
        self.assertTrue(all(d["name"] == name and isinstance(d["target"], (int, float)) for d in data))

    def test_a_team_split_adds_up_exactly_and_goes_to_the_people_under_the_manager(self):
        team = [r for r in rows(self.kpi("recommend", "--period", "2026-12", "--kpi", "DS", "--employee", "SS01").stdout)
                if r["employee_code"] != "SS01"]
        total = int(sum(float(r["p50"]) for r in team)) // 1000 * 1000 + 7  # an odd total: parts in whole VND
        out = self.kpi("recommend", "--period", "2026-12", "--team", "SS01", "--total", f"DS={total}").stdout
        parts = rows(out)
        below = {row[0] for row in self.query(
            "SELECT code FROM employees WHERE manager_code = 'SS01' AND (end_date IS NULL OR end_date >= '2026-12-01')")}
        self.assertEqual({r["employee_code"] for r in parts}, below)
        self.assertEqual(sum(Decimal(r["effective_target"]) for r in parts), Decimal(total))
        self.assertAlmostEqual(sum(float(r["share"]) for r in parts), 1.0, places=5)  # printed to 6 decimals
        for r in parts:
            self.assertGreaterEqual(float(r["effective_target"]), float(r["p10"]) - 1e-6, r)

    def test_target_health_names_the_planted_month_end_orders(self):
        outlets = [row[0] for row in self.query(
            "SELECT outlet_code FROM routes WHERE employee_code = 'NV0001' AND valid_to IS NULL ORDER BY outlet_code LIMIT 3")]
        orders = "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n"
        lines = "order_code,line_no,sku,quantity,amount\n"
        for i, (day, outlet) in enumerate(zip(["2026-10-29", "2026-10-30", "2026-10-31"], outlets)):
            orders += f"PLANT{i},NV0001,{outlet},{day} 17:00:00,sale,approved,{day} 18:00:00\n"
            lines += f"PLANT{i},1,NGK01,1000,192000000\n"
        folder = os.path.join(self.dir, "plant")
        os.makedirs(folder, exist_ok=True)
        for name, text in (("orders.csv", orders), ("order_lines.csv", lines)):
            with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                f.write(text)
        self.kpi("import", os.path.join(folder, "orders.csv"), os.path.join(folder, "order_lines.csv"))
        flags = rows(self.kpi("target-health", "--period", "2026-10").stdout)
        bunching = [f for f in flags if f["flag"] == "last_days_bunching"]
        self.assertEqual([(f["employee_code"], f["kpi_code"]) for f in bunching], [("NV0001", "DS")], bunching)
        self.assertEqual(set(bunching[0]["orders"].split("|")), {"PLANT0", "PLANT1", "PLANT2"})
        self.assertEqual((bunching[0]["days_start"], bunching[0]["days_end"]), ("2026-10-29", "2026-10-31"))
        self.assertLess(float(bunching[0]["attainment_without"]), float(bunching[0]["attainment"]))

    def test_target_health_summary_table_and_json(self):
        summary = rows(self.kpi("target-health", "--period", "2026-10", "--summary").stdout)
        self.assertEqual(list(summary[0].keys()),
                         ["kpi_code", "targets", "under_80", "from_80_to_120", "over_120", "share_under_80",
                          "share_80_120", "share_over_120", "out_of_reach", "given_away"])
        ds = next(s for s in summary if s["kpi_code"] == "DS")
        self.assertEqual(int(ds["targets"]), int(ds["under_80"]) + int(ds["from_80_to_120"]) + int(ds["over_120"]))
        report = [r for r in rows(self.kpi("report", "--period", "2026-10").stdout) if r["kpi_code"] == "DS"]
        self.assertEqual(int(ds["targets"]), len([r for r in report if r["attainment"]]))
        table = self.kpi("target-health", "--period", "2026-10", "--format", "table").stdout
        self.assertIn("share_under_80", table)
        self.assertIn("attainment_without", table)
        data = json.loads(self.kpi("target-health", "--period", "2026-10", "--format", "json").stdout)
        self.assertEqual(data["period"], "2026-10")
        self.assertEqual(len(data["spread"]), len(summary))
        self.assertIsInstance(data["flags"], list)

    def test_bad_arguments_say_what_is_wrong(self):
        cases = [
            (["recommend"], "recommend needs --period"),
            (["recommend", "--period", "2026-12-01..2026-12-15"], "WEEK, MONTH, QUARTER or YEAR"),
            (["recommend", "--period", "2026-13"], "'2026-13' is not a period"),
            (["recommend", "--period", "2026-12", "--team", "SS01"], "--team and --total go together"),
            (["recommend", "--period", "2026-12", "--team", "SS01", "--total", "DS"], "KPI=AMOUNT"),
            (["recommend", "--period", "2026-12", "--team", "NOBODY", "--total", "DS=1000"], "unknown employee 'NOBODY'"),
            (["recommend", "--period", "2026-12", "--team", "SS01", "--total", "COV=1"], "cannot be split"),
            (["recommend", "--period", "2026-12", "--team", "SS01", "--total", "DS=1"], "reach 9 times in 10"),
            (["recommend", "--period", "2026-12", "--reach", "2"], "--reach must be a probability"),
            (["recommend", "--period", "2026-12", "--kpi", "NOPE"], "unknown KPI 'NOPE'"),
            (["target-health"], "target-health needs --period"),
            (["target-health", "--period", "2026-10", "--employee", "NOBODY"], "unknown employee 'NOBODY'"),
        ]
        for args, message in cases:
            p = self.kpi(*args, check=False)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(message, p.stderr, args)

    def test_both_commands_have_help(self):
        for command in ("recommend", "target-health"):
            p = self.kpi(command, "--help")
            self.assertIn("Usage: kpi [--store PATH] " + command, p.stdout)
        self.assertIn("recommend --period P", run("--help").stdout)


def main():
    global KPI
    ap = argparse.ArgumentParser()
    ap.add_argument("--kpi", required=True)
    args, rest = ap.parse_known_args()
    KPI = os.path.abspath(args.kpi)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
