"""SalesKPI ▸ Export statements… (issue 12, docs/rewards.md): one PDF per
person of a team for a pay period, written by the office's own PDF export from
the statement template the extension ships, in the office's language; the text
pdftotext reads from each PDF carries the same figures as `kpi statement` for
that person — components, gate, adjustments after a close and a late return,
and the total, to the VND. Failure paths: a folder that cannot be written, a
period no plan applies in, an unknown team.

The store is the example of docs/rewards.md (tests/docs/examples/rewards-team):
today is 2026-12-08, November 2026 is closed, then a return dated November
arrives; December's statements settle the adjustments. NV01's December
statement is photographed into <build>/screenshots/statement-<language>.png
(docs/images/statement-*.png are copies of them).
"""

import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import office_commands as oc
import office_harness as oh
from kpi_data import make_store

EXAMPLE = os.path.join(oh.REPO, "tests", "docs", "examples", "rewards-team")
TODAY = "2026-12-08"
TEAM = "SS01"
MEMBERS = ["NV01", "NV02", "NV03", "SS01"]


def example_files(directory):
    files = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.csv"))):
        with open(path, encoding="utf-8") as source:
            files[os.path.basename(path)] = source.read()
    return files


def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", path, "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")


def numbers_in(text, language):
    """The numbers of a line as floats: thousands separators and decimal mark
    of the language ("4,125,000" and "0.9" in English, "4.125.000" and "0,9"
    in Vietnamese)."""
    group, point = (".", ",") if language == "vi" else (",", ".")
    pattern = r"-?\d{1,3}(?:%s\d{3})+(?:%s\d+)?|-?\d+(?:%s\d+)?" % (re.escape(group), re.escape(point),
                                                                    re.escape(point))
    values = []
    for token in re.findall(r"(?<![\w.,-])(%s)(?![\w])" % pattern, text):
        values.append(float(token.replace(group, "").replace(point, ".")))
    return values


def line_with(text, *needles):
    for line in text.splitlines():
        if all(needle in line for needle in needles):
            return line
    return None


LABELS = {
    "en": {"gate": "Gate:", "adjustment": "Adjustment for", "total_payable": "Total payable", "passed": "passed",
           "failed": "failed", "title": "Reward statement", "plan": "Plan"},
    "vi": {"gate": "Điều kiện:", "adjustment": "Điều chỉnh cho kỳ", "total_payable": "Tổng cộng", "passed": "đạt",
           "failed": "không đạt", "title": "Phiếu thưởng", "plan": "Kế hoạch"},
}


class StatementsTestCase(oh.OfficeTestCase):
    locale = "en-US"
    language = "en"

    @classmethod
    def prepare_data(cls):
        directory = os.path.join(cls.data_dir, "store")
        cls.cli = make_store(directory, example_files(EXAMPLE), until=TODAY)
        cls.cli.run("close", "2026-11", "--user", "chị Hương")
        late = os.path.join(EXAMPLE, "late")
        cls.cli.import_csv(example_files(late))

    @classmethod
    def setUpClass(cls):
        cls.data_dir = oh.make_private_dir("saleskpi-data-")
        cls.addClassCleanup(shutil.rmtree, cls.data_dir, True)
        cls.prepare_data()
        cls.office = oh.Office(locale=cls.locale, env={
            "KPI_STORE": cls.cli.store, "KPI_TODAY": TODAY})
        cls.addClassCleanup(cls.office.stop)
        cls.office.start()
        cls.document = cls.office.new_spreadsheet()
        # The engine loads in the background: wait until a figure shows.
        oh.wait_until_ready(cls.document.Sheets.getByIndex(0))

    def out_dir(self, name):
        path = os.path.join(oh.make_private_dir("saleskpi-pdf-"), name)
        self.addCleanup(shutil.rmtree, os.path.dirname(path), True)
        return path

    def export(self, **arguments):
        return oc.run_command(self.office, self.document, "ExportStatements", timeout=180, **arguments)

    def cli_statement(self, employee, period):
        return json.loads(self.cli.run("statement", "--employee", employee, "--period", period, "--format", "json"))

    def assertPdfMatchesCli(self, path, employee, period):
        """The PDF's text carries every figure of `kpi statement`."""
        text = pdf_text(path)
        labels = LABELS[self.language]
        expected = self.cli_statement(employee, period)
        self.assertIn(labels["title"], text)
        self.assertIn("%s %s" % (employee, expected["name"]), text, "the name with its diacritics")
        for line in expected["lines"]:
            kind = line["kind"]
            if kind == "component":
                found = next((l for l in text.splitlines()
                              if l.split()[:1] == [line["kpi_code"]] and line["kpi_name_%s" % self.language] in l), None)
                self.assertIsNotNone(found, "no line for %s in\n%s" % (line["kpi_code"], text))
                figures = numbers_in(found.split(line["kpi_name_%s" % self.language], 1)[1], self.language)
                want = [line[k] for k in ("actual", "target", "attainment", "factor", "weight", "incentive", "amount")]
                self.assertEqual(len(figures), len(want), found)
                for got, value in zip(figures[:-1], want[:-1]):
                    self.assertAlmostEqual(got, value, places=5, msg=found)
                self.assertEqual(figures[-1], line["amount"], "amount to the VND: " + found)
            elif kind == "gate":
                found = line_with(text, labels["gate"], line["kpi_code"])
                self.assertIsNotNone(found, text)
                figures = numbers_in(found.split(":", 1)[1].split("(", 1)[1].split(")", 1)[1], self.language)
                self.assertAlmostEqual(figures[0], line["attainment"], places=5, msg=found)
                self.assertAlmostEqual(figures[1], line["gate_min"], places=5, msg=found)
                self.assertIn(labels["passed"] if line["factor"] == 1 else labels["failed"], found)
            elif kind == "adjustment":
                corrected = line["period_start"][:7]
                found = line_with(text, labels["adjustment"], corrected)
                self.assertIsNotNone(found, "no adjustment for %s in\n%s" % (corrected, text))
                self.assertEqual(numbers_in(found.split(")", 1)[1], self.language), [line["amount"]], found)
        grand = line_with(text, labels["total_payable"])
        self.assertIsNotNone(grand, text)
        self.assertEqual(numbers_in(grand, self.language), [expected["total"]], grand)
        return text

    def assertExported(self, folder, period, employees):
        files = sorted(os.listdir(folder))
        self.assertEqual(len(files), len(employees), files)
        for employee in employees:
            expected = self.cli_statement(employee, period)
            name = "%s %s %s.pdf" % (employee, expected["name"], period)
            self.assertIn(name, files)
            self.assertPdfMatchesCli(os.path.join(folder, name), employee, period)


def photograph(pdf, language):
    """The PDF's first page as <build>/screenshots/statement-<language>.png."""
    out_dir = os.path.join(oh.BUILD, "screenshots")
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(out_dir, "statement-%s" % language)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", "-f", "1", "-l", "1", pdf, target], check=True)
    return target + ".png"


class ExportStatements(StatementsTestCase):

    def test_a_closed_period_gives_one_pdf_per_person_with_the_frozen_figures(self):
        folder = self.out_dir("Statements 2026-11")
        state, message = self.export(Team=TEAM, Period="2026-11", Folder=folder)
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertIn("Exported 4 statements of team of SS01", message)
        self.assertExported(folder, "2026-11", MEMBERS)
        # NV01's November as closed: DS 1.05, 4,125,000 — the late return does not move it.
        text = pdf_text(os.path.join(folder, "NV01 Nguyễn Văn An 2026-11.pdf"))
        self.assertIn("4,125,000", text)
        self.assertIn("closed", text)

    def test_the_next_period_settles_the_adjustment_of_the_late_return(self):
        folder = self.out_dir("Statements 2026-12")
        state, message = self.export(Team=TEAM, Period="2026-12", Folder=folder)
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertExported(folder, "2026-12", MEMBERS)
        text = pdf_text(os.path.join(folder, "NV01 Nguyễn Văn An 2026-12.pdf"))
        self.assertIsNotNone(line_with(text, "Adjustment for 2026-11", "-1,125,000"), text)
        self.assertIsNotNone(line_with(text, "Total payable", "2,625,000"), text)
        self.assertTrue(os.path.getsize(photograph(os.path.join(folder, "NV01 Nguyễn Văn An 2026-12.pdf"), "en")))
        text = pdf_text(os.path.join(folder, "SS01 Trần Thị Bích Ngọc 2026-12.pdf"))
        self.assertIsNotNone(line_with(text, "Adjustment for 2026-11", "-4,000,000"), text)

    def test_one_person_without_a_team_gets_their_own_statement(self):
        folder = self.out_dir("one")
        state, message = self.export(Team="NV02", Period="2026-11", Folder=folder)
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertExported(folder, "2026-11", ["NV02"])

    def test_an_existing_file_is_replaced_and_other_files_are_left_alone(self):
        folder = self.out_dir("again")
        os.makedirs(folder)
        with open(os.path.join(folder, "notes.txt"), "w") as notes:
            notes.write("keep me")
        with open(os.path.join(folder, "NV02 Lê Hoàng Phúc 2026-11.pdf"), "w") as old:
            old.write("old")
        oh.give_to_office_user(folder)
        state, message = self.export(Team="NV02", Period="2026-11", Folder=folder)
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertEqual(sorted(os.listdir(folder)), ["NV02 Lê Hoàng Phúc 2026-11.pdf", "notes.txt"])
        self.assertPdfMatchesCli(os.path.join(folder, "NV02 Lê Hoàng Phúc 2026-11.pdf"), "NV02", "2026-11")

    def test_a_folder_that_cannot_be_written_is_named_in_the_message(self):
        # A folder the office's user may not enter (owned by another user, mode 0700) when
        # the tests run as root; a path below a file otherwise.
        if os.geteuid() == 0:
            locked = tempfile.mkdtemp(prefix="saleskpi-locked-")
            self.addCleanup(shutil.rmtree, locked, True)
            os.chmod(locked, 0o700)
            folder = os.path.join(locked, "out")
        else:
            blocker = self.out_dir("a-file")
            with open(blocker, "w") as f:
                f.write("x")
            folder = os.path.join(blocker, "out")
        state, message = self.export(Team=TEAM, Period="2026-11", Folder=folder)
        self.assertEqual(state, oc.FAILURE, message)
        self.assertIn("Cannot export statements: cannot write into the folder %s" % folder, message)
        self.assertFalse(os.path.exists(folder))

    def test_a_period_without_plans_says_so_and_writes_nothing(self):
        folder = self.out_dir("none")
        state, message = self.export(Team=TEAM, Period="2025-06", Folder=folder)
        self.assertEqual(state, oc.FAILURE, message)
        self.assertIn("no reward plan applies to anyone of team of SS01 Trần Thị Bích Ngọc in 2025-06", message)
        self.assertFalse(os.path.exists(folder))

    def test_a_store_that_cannot_be_read_is_named(self):
        document = self.office.new_spreadsheet()
        self.addCleanup(document.close, True)
        missing = os.path.join(self.data_dir, "no-such-store.sqlite")
        oh.set_kpi_store(document, missing)
        folder = self.out_dir("unread")

        def refused():
            state, message = oc.run_command(self.office, document, "ExportStatements", Team=TEAM, Period="2026-11",
                                            Folder=folder)
            self.assertEqual(state, oc.FAILURE, message)
            return missing in message and message

        message = oh.wait_for(refused, 30, what="the export to name the missing store")
        self.assertTrue(message.startswith("Cannot export statements: %s: " % missing), message)
        self.assertFalse(os.path.exists(folder))

    def test_bad_arguments_are_refused(self):
        folder = self.out_dir("bad")
        state, message = self.export(Team="NOBODY", Period="2026-11", Folder=folder)
        self.assertEqual(state, oc.FAILURE)
        self.assertIn("unknown manager 'NOBODY'", message)
        state, message = self.export(Team=TEAM, Period="2026-W48", Folder=folder)
        self.assertEqual(state, oc.FAILURE)
        self.assertIn("'2026-W48' is not a pay period", message)
        self.assertFalse(os.path.exists(folder))

    def test_the_dialog_offers_last_month_and_a_folder_and_can_be_cancelled(self):
        seen = {}
        folder = self.out_dir("from the dialog")

        def look_and_cancel(dialog):
            seen["teams"] = list(dialog.getControl("Team").getItems())
            seen["period"] = dialog.getControl("Period").getText()
            seen["folder"] = dialog.getControl("Folder").getText()
            return False

        state, message = self.export(DialogDriver=oc.DialogDriver(look_and_cancel))
        self.assertEqual(state, oc.CANCELLED, message)
        self.assertEqual(seen["teams"][:2], ["everyone", "team of SS01 Trần Thị Bích Ngọc"])
        self.assertEqual(seen["period"], "Last month (2026-11)")
        self.assertTrue(seen["folder"].endswith("/Statements 2026-11"), seen["folder"])

        problems = []

        def bad_period(dialog):
            dialog.getControl("Period").setText("2026-13")
            return True

        def team_and_folder(dialog):
            problems.append(dialog.getControl("Problem").getText())
            dialog.getControl("Team").selectItemPos(1, True)
            dialog.getControl("Period").setText("2026-11")
            dialog.getControl("Folder").setText(folder)
            return True

        state, message = self.export(DialogDriver=oc.DialogDriver(bad_period, team_and_folder))
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertIn("'2026-13' is not a pay period", problems[0])
        self.assertEqual(len(os.listdir(folder)), 4)


    def test_the_team_chosen_in_the_sidebar_is_the_dialogs_default(self):
        from test_sidebar import Panel
        document = self.office.new_spreadsheet()
        self.addCleanup(document.close, True)
        seen = []

        def look_and_cancel(dialog):
            control = dialog.getControl("Team")
            seen.append(control.getItem(control.getSelectedItemPos()))
            return False

        driver = oc.DialogDriver(look_and_cancel)
        state, _ = oc.run_command(self.office, document, "ExportStatements", DialogDriver=driver)
        self.assertEqual(state, oc.CANCELLED)
        self.assertEqual(seen, ["everyone"])
        panel = Panel(self.office, document)
        self.addCleanup(panel.dispose)
        panel.select("manager", lambda line: line.startswith(TEAM + " "), TEAM)
        oh.wait_for(lambda: len(panel.items("team")) == len(MEMBERS), 30, what="the sidebar to show the team")
        state, _ = oc.run_command(self.office, document, "ExportStatements",
                                  DialogDriver=oc.DialogDriver(look_and_cancel))
        self.assertEqual(state, oc.CANCELLED)
        self.assertEqual(seen[-1], "team of SS01 Trần Thị Bích Ngọc")


class ExportStatementsInVietnamese(StatementsTestCase):
    locale = "vi"
    language = "vi"

    def test_statements_speak_vietnamese_with_its_separators(self):
        folder = self.out_dir("Phiếu thưởng 2026-12")
        state, message = self.export(Team=TEAM, Period="2026-12", Folder=folder)
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertIn("Đã xuất 4 phiếu thưởng của nhóm của SS01 Trần Thị Bích Ngọc kỳ 2026-12", message)
        self.assertExported(folder, "2026-12", MEMBERS)
        text = pdf_text(os.path.join(folder, "NV01 Nguyễn Văn An 2026-12.pdf"))
        self.assertIsNotNone(line_with(text, "Điều chỉnh cho kỳ 2026-11", "-1.125.000"), text)
        self.assertIsNotNone(line_with(text, "Tổng cộng", "2.625.000"), text)
        self.assertTrue(os.path.getsize(photograph(os.path.join(folder, "NV01 Nguyễn Văn An 2026-12.pdf"), "vi")))
        self.assertIn("Doanh số", text)

    def test_failures_are_told_in_vietnamese(self):
        folder = self.out_dir("none")
        state, message = self.export(Team=TEAM, Period="2025-06", Folder=folder)
        self.assertEqual(state, oc.FAILURE, message)
        self.assertIn("Không thể xuất phiếu thưởng: không có kế hoạch thưởng nào áp dụng", message)


if __name__ == "__main__":
    unittest.main()
