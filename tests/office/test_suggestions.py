"""Targets people can hit, in Calc (issue 14, docs/targets.md): SalesKPI ▸
Suggest targets… fills the Targets sheet with the figures `kpi recommend`
gives, keeps the targets the sheet already has, shows P10–P90 and a
probability that follows the admin's edits, is one step of Undo, and what it
writes publishes through Publish targets; the dialog refuses a bad period and
can be cancelled. The target_health report sheet shows what `kpi
target-health` says, computed off the main thread, and names the orders of a
planted month-end push; the manager dashboard carries one for its manager.
"""

import csv
import io
import os
import shutil
import unittest

import uno

import office_commands as oc
import office_harness as oh
from kpi_data import Cli, DemoStoreTestCase, make_store

TEMPLATES = os.path.join(oh.BUILD, "templates")
PERIOD = "2026-12"     # next month on the pinned today, 2026-11-20
MANAGER = "SS01"
REVIEW = ["suggested", "p10", "p50", "p90", "probability", "why"]


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def template(name):
    return os.path.join(TEMPLATES, name)


def sheet_table(document):
    """The Targets sheet as dicts by its row 1, with each row's number (1-based)."""
    rows = oc.used_rows(document.Sheets.getByName("Targets"))
    header = [str(c) for c in rows[0]]
    out = []
    for number, values in enumerate(rows[1:], start=2):
        if not values[0]:
            continue
        row = dict(zip(header, values))
        row["_row"] = number
        out.append(row)
    return header, out


@unittest.skipUnless(os.path.exists(template("targets-en.ots")), "the templates are not built")
class SuggestTargets(DemoStoreTestCase):
    """The targets template over a demo distributor with ten months of
    seasons (enough past forecasts for a spread), as an admin gets it."""

    @classmethod
    def prepare_data(cls):
        directory = os.path.join(cls.data_dir, "demo")
        os.makedirs(directory, exist_ok=True)
        oh.give_to_office_user(directory)
        cls.cli = Cli(os.path.join(directory, "kpi.sqlite"))
        cls.cli.run("demo-data", "--size", "12", "--months", "10", "--seasonal", "--seed", "7",
                    "--until", oh.PINNED_TODAY)

    def open_template(self, name="targets-en.ots"):
        document = self.office.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(template(name)), "_blank", 0,
            (oh.prop("Hidden", True), oh.prop("AsTemplate", True)))
        self.addCleanup(document.close, True)
        oh.wait_until_ready(document.Sheets.getByName("Targets"), "Z1")
        document.Sheets.getByName("Targets").getCellRangeByName("Z1").setString("")
        return document

    def suggested_rows(self, document):
        _, rows = sheet_table(document)
        return {(r["employee_code"], r["kpi_code"]): r for r in rows if r["suggested"] != ""}

    def test_the_sheet_gets_the_recommended_targets_of_the_team_and_they_publish(self):
        document = self.open_template()
        state, message = oc.run_command(self.office, document, "SuggestTargets", Period=PERIOD, Scope=MANAGER)
        self.assertEqual(state, oc.SUCCESS, message)
        header, _ = sheet_table(document)
        self.assertEqual(header[7:13], REVIEW)
        expected = {(r["employee_code"], r["kpi_code"]): r
                    for r in csv_rows(self.cli.run("recommend", "--period", PERIOD, "--employee", MANAGER))}
        shown = self.suggested_rows(document)
        self.assertEqual(set(shown), set(expected))
        self.assertIn("Suggested %d targets for %s (team of %s" % (len(expected), PERIOD, MANAGER), message)
        for key, row in shown.items():
            want = expected[key]
            self.assertEqual((row["period_type"], row["weight"]), ("MONTH", float(want["weight"])), key)
            self.assertEqual(row["target"], float(want["target"]), key)
            self.assertEqual(row["suggested"], float(want["target"]), key)
            if want["effective_target"] == want["target"]:  # a full month: the same footing as the CLI
                for column in ("p10", "p50", "p90"):
                    self.assertTrue(oh.close_enough(row[column], float(want[column])), (key, column))
            if want["probability"]:
                self.assertTrue(oh.close_enough(row["probability"], float(want["probability"])), key)
            self.assertEqual(row["why"], want["driver"], key)

        # An edited target publishes with the others; the review columns never reach the import.
        edited = next(row for key, row in shown.items() if key[1] == "DS")
        sheet = document.Sheets.getByName("Targets")
        sheet.getCellByPosition(5, edited["_row"] - 1).setValue(123456000)
        state, message = oc.run_command(self.office, document, "PublishTargets")
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertNotIn("unknown column", message)
        report = {(r["employee_code"], r["kpi_code"]): float(r["target"])
                  for r in csv_rows(self.cli.run("report", "--period", PERIOD))}
        self.assertEqual(report[(edited["employee_code"], "DS")], 123456000)
        for key, row in shown.items():
            if key != (edited["employee_code"], "DS") and expected[key]["effective_target"] == expected[key]["target"]:
                self.assertTrue(oh.close_enough(report[key], row["target"]), key)

    def test_a_target_already_typed_is_kept_and_its_probability_follows_edits(self):
        document = self.open_template()
        sheet = document.Sheets.getByName("Targets")
        # Row 10: the admin's own December sales target for a salesperson of the team.
        person = next(r["employee_code"]
                      for r in csv_rows(self.cli.run("recommend", "--period", PERIOD, "--employee", MANAGER, "--kpi", "DS"))
                      if r["employee_code"] != MANAGER)
        for column, value in enumerate([person, "DS", "MONTH", "2026-12-01", "2026-12-31"]):
            sheet.getCellByPosition(column, 9).setString(value)
        sheet.getCellByPosition(5, 9).setValue(999000000)
        sheet.getCellByPosition(6, 9).setValue(35)
        state, message = oc.run_command(self.office, document, "SuggestTargets", Period=PERIOD, Scope=MANAGER)
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertIn("1 rows it had (their targets kept)", message)
        row = self.suggested_rows(document)[(person, "DS")]
        self.assertEqual((row["_row"], row["target"]), (10, 999000000))
        self.assertNotEqual(row["suggested"], 999000000)
        self.assertLess(row["probability"], 0.11, "far above P90: at most 10 %")
        # The target at P50: even chances; at the suggestion: the engine's own figure.
        sheet.getCellByPosition(5, 9).setValue(row["p50"])
        self.assertAlmostEqual(sheet.getCellByPosition(11, 9).getValue(), 0.5, places=6)
        sheet.getCellByPosition(5, 9).setValue(row["suggested"])
        want = next(r for r in csv_rows(self.cli.run("recommend", "--period", PERIOD, "--employee", person, "--kpi", "DS")))
        self.assertTrue(oh.close_enough(sheet.getCellByPosition(11, 9).getValue(), float(want["probability"])))

    def test_one_undo_takes_the_whole_suggestion_back(self):
        document = self.open_template()
        before = oc.used_rows(document.Sheets.getByName("Targets"))
        state, message = oc.run_command(self.office, document, "SuggestTargets", Period=PERIOD, Scope=MANAGER)
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertEqual(document.UndoManager.getCurrentUndoActionTitle(), "Suggest targets")
        oc.on_main_thread(self.office, lambda: document.UndoManager.undo())
        after = oc.used_rows(document.Sheets.getByName("Targets"))
        self.assertEqual([row[:7] for row in after], [row[:7] for row in before])

    def test_the_dialog_refuses_a_cycle_then_suggests_for_the_team_chosen(self):
        document = self.open_template()
        before = oc.used_rows(document.Sheets.getByName("Targets"))
        problems = []

        def bad_period(dialog):
            dialog.getControl("Period").setText("2026-12-01..2026-12-15")
            return True

        def cancel(dialog):
            problems.append(dialog.getControl("Problem").getText())
            return False

        state, message = oc.run_command(self.office, document, "SuggestTargets",
                                        DialogDriver=oc.DialogDriver(bad_period, cancel))
        self.assertEqual(state, oc.CANCELLED, message)
        self.assertIn("'2026-12-01..2026-12-15' is not a period targets are suggested for", problems[0])
        self.assertEqual(oc.used_rows(document.Sheets.getByName("Targets")), before)

        seen = {}

        def team(dialog):
            seen["periods"] = list(dialog.getControl("Period").getItems())
            seen["period"] = dialog.getControl("Period").getText()
            scopes = list(dialog.getControl("Scope").getItems())
            dialog.getControl("Scope").selectItemPos(next(i for i, s in enumerate(scopes)
                                                          if s.startswith("Team of %s " % MANAGER)), True)
            return True

        state, message = oc.run_command(self.office, document, "SuggestTargets", DialogDriver=oc.DialogDriver(team))
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertEqual(seen["period"], "Next month (2026-12)")
        self.assertEqual(seen["periods"][:2], ["Next month (2026-12)", "This month (2026-11)"])
        self.assertEqual({key[0] for key in self.suggested_rows(document)},
                         {r["employee_code"] for r in csv_rows(self.cli.run("recommend", "--period", PERIOD,
                                                                            "--employee", MANAGER))})

    def test_bad_arguments_are_refused_and_nothing_is_written(self):
        document = self.open_template()
        before = oc.used_rows(document.Sheets.getByName("Targets"))
        state, message = oc.run_command(self.office, document, "SuggestTargets", Period="2026-13")
        self.assertEqual(state, oc.FAILURE)
        self.assertIn("'2026-13' is not a week, month, quarter or year", message)
        state, message = oc.run_command(self.office, document, "SuggestTargets", Scope="NOBODY")
        self.assertEqual(state, oc.FAILURE)
        self.assertIn("unknown employee 'NOBODY'", message)
        self.assertEqual(oc.used_rows(document.Sheets.getByName("Targets")), before)
        plain = self.office.new_spreadsheet()
        self.addCleanup(plain.close, True)
        state, message = oc.run_command(self.office, plain, "SuggestTargets", Period=PERIOD)
        self.assertEqual(state, oc.FAILURE)
        self.assertIn("no sheet named Targets", message)

    @unittest.skipUnless(os.path.exists(template("targets-vi.ots")), "the templates are not built")
    def test_the_vietnamese_template_explains_in_vietnamese(self):
        document = self.open_template("targets-vi.ots")
        state, message = oc.run_command(self.office, document, "SuggestTargets", Period=PERIOD, Scope=MANAGER)
        self.assertEqual(state, oc.SUCCESS, message)
        whys = [row["why"] for row in self.suggested_rows(document).values()]
        self.assertTrue(whys)
        for why in whys:
            self.assertTrue(why.startswith("mức ") or why.startswith("trung vị của đồng nghiệp"), why)
            self.assertIn("tháng gần nhất", why)


class TargetHealthSheet(oh.OfficeTestCase):
    """A fresh demo store per test (one test plants orders into it)."""

    def setUp(self):
        folder = oh.make_private_dir("saleskpi-health-")
        self.addCleanup(shutil.rmtree, folder, True)
        self.cli = make_store(folder)
        self.document = self.office.new_spreadsheet()
        self.addCleanup(self.document.close, True)
        oh.set_kpi_store(self.document, self.cli.store)
        oh.wait_until_ready(self.document.Sheets.getByIndex(0))

    def health_sheet(self, condition=lambda rows: True):
        def ready(report):
            return "Under 80 %" in report[1] and report[2] and report[2][0][0] and condition(report[2])
        return oc.wait_for_report(self.document, "Health", ready, timeout=90)

    def test_shows_the_bands_and_flags_kpi_target_health_gives(self):
        state, message = oc.run_command(self.office, self.document, "AddReportSheet", Sheet="Health",
                                        Kind="target_health", Period="2026-10", Scope=MANAGER)
        self.assertEqual(state, oc.SUCCESS, message)
        title, headers, rows = self.health_sheet()
        self.assertIn("Target health", title)
        self.assertIn(MANAGER, title)
        summary = csv_rows(self.cli.run("target-health", "--period", "2026-10", "--employee", MANAGER, "--summary"))
        bands = {row[0]: row for row in rows[:len(summary)]}
        for s in summary:
            shown = bands[s["kpi_code"]]
            self.assertEqual(shown[1], float(s["targets"]), s)
            self.assertTrue(shown[2].startswith(s["under_80"] + " "), (shown, s))
            self.assertTrue(shown[5].startswith(s["out_of_reach"]), (shown, s))
        flags = csv_rows(self.cli.run("target-health", "--period", "2026-10", "--employee", MANAGER))
        flag_rows = rows[len(summary) + 2:]
        self.assertEqual(len([r for r in flag_rows if r[0]]), max(len(flags), 1))

    def test_a_planted_month_end_push_is_named_after_a_refresh(self):
        state, message = oc.run_command(self.office, self.document, "AddReportSheet", Sheet="Health",
                                        Kind="target_health", Period="2026-10", Scope=MANAGER)
        self.assertEqual(state, oc.SUCCESS, message)
        self.health_sheet()
        person = [r["code"] for r in self.cli.csv_rows("employees.csv") if r["manager_code"] == MANAGER][0]
        outlets = [r["outlet_code"] for r in self.cli.csv_rows("routes.csv") if r["employee_code"] == person][:3]
        orders = "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n"
        lines = "order_code,line_no,sku,quantity,amount\n"
        for i, (day, outlet) in enumerate(zip(["2026-10-29", "2026-10-30", "2026-10-31"], outlets)):
            orders += "PUSH%d,%s,%s,%s 17:00:00,sale,approved,%s 18:00:00\n" % (i, person, outlet, day, day)
            lines += "PUSH%d,1,NGK01,1000,192000000\n" % i
        self.cli.import_csv({"orders.csv": orders, "order_lines.csv": lines})
        state, _ = oc.run_command(self.office, self.document, "RefreshNow")
        self.assertEqual(state, oc.SUCCESS)
        _, _, rows = self.health_sheet(lambda rows: any("PUSH0" in str(cell) for row in rows for cell in row))
        pushed = [row for row in rows if row and row[0] == person and row[3] == "Sales bunched in the last days"]
        self.assertEqual(len(pushed), 1, rows)
        self.assertEqual(set(pushed[0][7].split(", ")), {"PUSH0", "PUSH1", "PUSH2"})


@unittest.skipUnless(os.path.exists(template("manager_dashboard-en.ots")), "the templates are not built")
class DashboardTargetHealth(DemoStoreTestCase):
    def test_the_dashboard_judges_last_month_for_the_manager_in_b4(self):
        document = self.office.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(template("manager_dashboard-en.ots")), "_blank", 0,
            (oh.prop("Hidden", True), oh.prop("AsTemplate", True)))
        self.addCleanup(document.close, True)
        document.Sheets.getByName("Overview").getCellRangeByName("B4").setString(MANAGER)
        # Written at first for everyone (B4 empty is *), then again for the manager.
        title, _, rows = oc.wait_for_report(document, "Target health",
                                            lambda r: MANAGER in r[0] and "Under 80 %" in r[1] and r[2] and r[2][0][0],
                                            timeout=90)
        self.assertIn("2026-10", title)  # last month on 2026-11-20
        summary = csv_rows(self.cli.run("target-health", "--period", "2026-10", "--employee", MANAGER, "--summary"))
        self.assertEqual([row[0] for row in rows[:len(summary)]], [s["kpi_code"] for s in summary])


if __name__ == "__main__":
    unittest.main()
