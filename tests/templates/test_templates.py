#!/usr/bin/python3
"""The department templates as files, without an office: the built .ots
packages, their sheets, formulas, report-sheet definitions and Vietnamese
text, and the committed sources being what the generator writes.

    test_templates.py [--templates-dir BUILD/templates] [-v]

--templates-dir (default $SALESKPI_TEMPLATES_DIR, else <repo>/build/templates)
holds the .ots files that `make build` packs. The last line printed is
`N passed, M failed`. Standard library only; run with -B (no __pycache__ in
the source tree).
"""

import argparse
import importlib.util
import json
import os
import re
import sys
import unicodedata
import unittest
import xml.etree.ElementTree as ET
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SOURCES = os.path.join(REPO, "templates")
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import odf_package as odf  # noqa: E402

TEMPLATES_DIR = os.environ.get("SALESKPI_TEMPLATES_DIR", os.path.join(REPO, "build", "templates"))
TEMPLATE_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet-template"
CATALOG = json.load(open(os.path.join(SOURCES, "templates.json"), encoding="utf-8"))
FUNCTIONS = CATALOG["functions"]
REPORT_KINDS = {"daily_sales", "attainment", "ranking", "employees", "target_health"}
PERIOD_WORDS = {"this_month", "last_month", "this_week", "today"}
PERIOD_GRAMMAR = re.compile(r"\d{4}(-\d{2}(-\d{2}(\.\.\d{4}-\d{2}-\d{2})?)?|-W\d{2}|-Q[1-4])?")
CODE = re.compile(r"[A-Za-z0-9_.\-]+")
KPI_CODE = re.compile(r"[A-Z][A-Z0-9_]*")
# A PERIOD or SCOPE read from a cell of the document (docs/reports-and-targets.md).
CELL_REFERENCE = re.compile(r"=\$?('(?:[^']|'')+'|[^'.]+)\.\$?[A-Z]{1,3}\$?[1-9][0-9]*")
# What UTF-8 text read as Latin-1 (or cp1252) looks like: "áº", "Ã", "Æ°".
MOJIBAKE = re.compile("Ã|áº|á»|Æ°|Ä‘|â€")
VIETNAMESE_LETTERS = set("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")


def load_generator():
    spec = importlib.util.spec_from_file_location("generate_templates", os.path.join(SOURCES, "generate_templates.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ots_path(entry):
    return os.path.join(TEMPLATES_DIR, entry["template"])


class Cached:
    """Each package and source read once."""
    packages = {}
    sources = {}

    @classmethod
    def package(cls, entry):
        if entry["template"] not in cls.packages:
            cls.packages[entry["template"]] = odf.read_ots(ots_path(entry))
        return cls.packages[entry["template"]]

    @classmethod
    def source(cls, entry):
        if entry["file"] not in cls.sources:
            cls.sources[entry["file"]] = odf.read_fods(os.path.join(SOURCES, entry["file"]))
        return cls.sources[entry["file"]]


def kpi_calls(formula):
    """[(function name, [arguments])] of the add-in calls in a formula."""
    calls = []
    for name, stored in FUNCTIONS.items():
        for args in odf.call_arguments(formula, stored):
            calls.append((name, args))
    return calls


class TheCatalog(unittest.TestCase):
    def test_lists_four_templates_each_in_english_and_vietnamese(self):
        ids = {}
        for entry in CATALOG["templates"]:
            ids.setdefault(entry["id"], set()).add(entry["language"])
        self.assertEqual(set(ids), {"manager_dashboard", "employee_scorecard", "finance_rewards", "targets"})
        for languages in ids.values():
            self.assertEqual(languages, {"en", "vi"})

    def test_titles_are_distinct_so_the_template_manager_tells_them_apart(self):
        titles = [entry["title"] for entry in CATALOG["templates"]]
        self.assertEqual(len(titles), len(set(titles)))

    def test_names_the_functions_as_documents_store_them(self):
        # addin/src/function_catalog.hpp: "<service name>.<programmatic name>", upper case in ODF.
        for name, stored in FUNCTIONS.items():
            self.assertEqual(stored, "ORG.SALESKPI.KPIFUNCTIONS.KPI" + name)


class TheSources(unittest.TestCase):
    def test_are_what_the_generator_writes(self):
        generated = load_generator().generate()
        committed = sorted(n for n in os.listdir(SOURCES)
                           if n.endswith(".fods") and not n.startswith("statement-")) + ["templates.json"]
        self.assertEqual(sorted(generated), sorted(committed))
        for name, content in generated.items():
            with open(os.path.join(SOURCES, name), encoding="utf-8") as f:
                self.assertTrue(f.read() == content, "%s is out of date: run templates/generate_templates.py" % name)

    def test_the_statement_templates_are_what_their_generator_writes(self):
        spec = importlib.util.spec_from_file_location(
            "generate_statement_templates", os.path.join(SOURCES, "generate_statement_templates.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for language in module.TEXTS:
            name = "statement-%s.fods" % language
            with open(os.path.join(SOURCES, name), encoding="utf-8") as f:
                self.assertTrue(f.read() == module.document(language),
                                "%s is out of date: run templates/generate_statement_templates.py" % name)

    def test_the_build_packs_every_listed_template(self):
        with open(os.path.join(SOURCES, "CMakeLists.txt"), encoding="utf-8") as f:
            cmake = f.read()
        for entry in CATALOG["templates"]:
            self.assertIn(entry["file"][:-len(".fods")], cmake)

    def test_paths_xcu_adds_the_templates_folder_to_the_template_paths(self):
        root = ET.parse(os.path.join(SOURCES, "Paths.xcu")).getroot()
        oor = "{http://openoffice.org/2001/registry}"
        self.assertEqual((root.get(oor + "name"), root.get(oor + "package")), ("Paths", "org.openoffice.Office"))
        paths = root.find("node[@%sname='Paths']" % oor)
        template = paths.find("node[@%sname='Template']" % oor)
        internal = template.find("node[@%sname='InternalPaths']" % oor)
        self.assertEqual([n.get(oor + "name") for n in internal], ["%origin%/templates"])
        self.assertEqual(internal[0].get(oor + "op"), "fuse")


def template_tests(entry):
    """A TestCase class for one template (one language)."""
    lang = entry["language"]

    class Template(unittest.TestCase):
        def package(self):
            return Cached.package(entry)

        # -- the package --------------------------------------------------
        def test_is_an_odf_spreadsheet_template_package(self):
            path = ots_path(entry)
            self.assertTrue(os.path.exists(path), "%s is missing: build it first (make build)" % path)
            parts, infos, manifest = odf.read_package(path)
            first = infos[0]
            self.assertEqual(first.filename, "mimetype")
            self.assertEqual(first.compress_type, zipfile.ZIP_STORED)
            self.assertEqual(first.extra, b"")
            self.assertEqual(parts["mimetype"], TEMPLATE_MIMETYPE.encode("ascii"))
            self.assertEqual(manifest.get("/"), TEMPLATE_MIMETYPE)
            files = {info.filename for info in infos if not info.filename.endswith("/")}
            listed = {p for p in manifest if not p.endswith("/")}
            self.assertEqual(files - {"mimetype", "META-INF/manifest.xml"}, listed)
            for name in ("content.xml", "styles.xml", "meta.xml"):
                self.assertIn(name, files)
            for name in files:
                if name.endswith(".xml"):
                    ET.fromstring(parts[name])  # well-formed
            with zipfile.ZipFile(path) as package:
                self.assertIsNone(package.testzip())

        def test_has_its_title(self):
            self.assertEqual(self.package().title(), entry["title"])

        def test_has_the_expected_sheets(self):
            self.assertEqual(self.package().sheet_names, entry["sheets"])
            self.assertEqual(Cached.source(entry).sheet_names, entry["sheets"])

        # -- report sheets --------------------------------------------------
        def test_declares_its_report_sheets_in_one_string_property(self):
            properties = self.package().user_defined()
            self.assertIn("SalesKPI.Reports", properties)
            value_type, value = properties["SalesKPI.Reports"]
            self.assertEqual(value_type, "string")
            self.assertNotIn("KPIStore", properties)  # the store comes from the options or KPI_STORE
            lines = value.split("\n")
            self.assertEqual(len(lines), len(entry["reports"]))
            seen = set()
            for line, expected in zip(lines, entry["reports"]):
                fields = line.split("|")
                self.assertEqual(len(fields), 5, line)
                sheet, kind, period, scope, kpis = fields
                self.assertIn(sheet, self.package().sheet_names, line)
                self.assertNotIn(sheet, seen, line)
                seen.add(sheet)
                self.assertIn(kind, REPORT_KINDS, line)
                for field in (period, scope):
                    if CELL_REFERENCE.fullmatch(field):
                        sheet_of_cell, _ = odf.split_reference(field[1:])
                        self.assertIn(sheet_of_cell, self.package().sheet_names, line)
                self.assertTrue(period in PERIOD_WORDS or PERIOD_GRAMMAR.fullmatch(period)
                                or CELL_REFERENCE.fullmatch(period), line)
                self.assertTrue(scope == "*" or CODE.fullmatch(scope) or CELL_REFERENCE.fullmatch(scope), line)
                codes = kpis.split(",") if kpis else []
                for code in codes:
                    self.assertRegex(code, KPI_CODE, line)
                if kind in ("daily_sales", "attainment"):
                    self.assertTrue(codes, "%s needs KPIs: %s" % (kind, line))
                self.assertEqual({"sheet": sheet, "kind": kind, "period": period, "scope": scope, "kpis": codes},
                                 expected)

        def test_report_sheets_are_empty_below_their_title(self):
            document = self.package()
            for report in entry["reports"]:
                sheet = document.sheet(report["sheet"])
                self.assertEqual(sheet.last_row_with_content(), 0, report["sheet"])
                self.assertTrue(sheet.text("A1"), "a title in A1 of %s" % report["sheet"])
                self.assertFalse(sheet.frames, "no drawing on %s: the extension rewrites it" % report["sheet"])

        # -- formulas -------------------------------------------------------
        def test_formulas_are_odf_and_call_the_add_in_by_its_stored_names(self):
            for sheet in self.package().sheets:
                for (col, row), cell in sheet.cells.items():
                    if not cell.formula:
                        continue
                    where = "%s.%s" % (sheet.name, odf.address(col, row))
                    self.assertTrue(cell.formula.startswith("of:="), where)
                    self.assertNotRegex(cell.formula, r"(?<![.\w])KPI\.", where)  # display names are UI only
                    for name in re.findall(r"ORG\.SALESKPI\.KPIFUNCTIONS\.(\w+)\(", cell.formula, re.I):
                        self.assertIn("ORG.SALESKPI.KPIFUNCTIONS." + name, FUNCTIONS.values(), where)
                    # A KPI error (Err:502: unknown employee or KPI) must stay visible.
                    self.assertNotRegex(cell.formula, r"IFERROR\([^;]*ORG\.SALESKPI", where)
                    self.assertIsNone(cell.value_type, "%s: no cached result, the office computes it" % where)

        def test_each_listed_figure_calls_its_function_with_the_template_s_inputs(self):
            document = self.package()
            if entry["id"] == "targets":
                self.skipTest("the targets sheet shows no figures")
            self.assertTrue(entry["checks"])
            for check in entry["checks"]:
                sheet = document.sheet(check["sheet"])
                formula = sheet.formula(check["cell"])
                where = "%s.%s" % (check["sheet"], check["cell"])
                self.assertIsNotNone(formula, where)
                calls = [args for name, args in kpi_calls(formula) if name == check["function"]]
                self.assertEqual(len(calls), 1, where)
                args = calls[0]
                # KPI.PAYOUT(employee; period; [kpi]); the others (employee; [kpi]; period).
                payout = check["function"] == "PAYOUT"
                expected_count = 2 if check["function"] == "SCORE" or (payout and check["kpi"] is None) else 3
                self.assertEqual(len(args), expected_count, where)
                period_arg = args[1] if payout else args[-1]
                self.assertEqual(self.cell_of(document, sheet, args[0]), (check["sheet"], check["employee_cell"]), where)
                self.assertEqual(self.cell_of(document, sheet, period_arg), (check["sheet"], check["period_cell"]),
                                 where)
                if check["kpi"] is not None:
                    kpi_arg = args[2] if payout else args[1]
                    if kpi_arg.startswith('"'):
                        self.assertEqual(kpi_arg, '"%s"' % check["kpi"], where)
                    else:
                        target = self.cell_of(document, sheet, kpi_arg)
                        self.assertEqual(document.sheet(target[0]).text(target[1]), check["kpi"], where)
                if check["no_value"] is not None:
                    self.assertIn('IFNA(', formula, where)
                if check.get("array"):
                    first, last = check["array"].split(":")
                    c1, r1 = odf.parse_address(first)
                    c2, r2 = odf.parse_address(last)
                    self.assertEqual(sheet.cell(first).matrix, (c2 - c1 + 1, r2 - r1 + 1), where)

        def cell_of(self, document, sheet, argument):
            """(sheet, cell) an argument refers to: a named range or [.A1]."""
            if argument in document.names:
                return document.names[argument]
            match = re.fullmatch(r"\[\.\$?([A-Z]+)\$?(\d+)\]", argument)
            self.assertIsNotNone(match, "not a reference: %r" % argument)
            return sheet.name, match.group(1) + match.group(2)

        def test_every_input_named_in_the_catalog_is_a_named_cell(self):
            document = self.package()
            for name, where in entry["inputs"].items():
                sheet, cell = where.rsplit(".", 1)
                self.assertEqual(document.names.get(name), (sheet, cell), name)

        def test_shows_the_data_time_and_the_store_status(self):
            formulas = [c.formula for s in self.package().sheets for c in s.cells.values() if c.formula]
            if entry["id"] == "targets":
                self.skipTest("the targets sheet shows no figures")
            # KPI.STATUS(Period) where the period shown may be a closed one.
            self.assertTrue(any(FUNCTIONS["ASOF"] + "()" in f for f in formulas))
            self.assertTrue(any(FUNCTIONS["STATUS"] + "(" in f for f in formulas))

        # -- text -------------------------------------------------------------
        def test_every_text_of_the_source_is_in_the_package(self):
            packed = set(self.package().texts())
            for text in Cached.source(entry).texts():
                if text.strip():
                    self.assertIn(text, packed)

        def test_text_is_clean_utf8(self):
            for text in self.package().texts() + self.package().sheet_names + [entry["title"]]:
                self.assertNotRegex(text, MOJIBAKE)
                self.assertEqual(text, unicodedata.normalize("NFC", text))
            with open(os.path.join(SOURCES, entry["file"]), "rb") as f:
                f.read().decode("utf-8")  # strict

        if lang == "vi":
            def test_vietnamese_text_keeps_its_diacritics(self):
                document = self.package()
                letters = set("".join(document.texts()).lower())
                self.assertGreaterEqual(len(letters & VIETNAMESE_LETTERS), 15)
                self.assertTrue(set(entry["title"].lower()) & VIETNAMESE_LETTERS, entry["title"])
                # The Vietnamese words below are typed here independently of the generator.
                expected = {"manager_dashboard": ["Bảng điều khiển quản lý", "Tổng quan", "Tỷ lệ hoàn thành"],
                            "employee_scorecard": ["Phiếu đánh giá nhân viên", "Nhân viên", "Điểm KPI"],
                            "finance_rewards": ["Bảng tính thưởng", "Thử tình huống", "Tiền thưởng (VND)", "Phòng ban"],
                            "targets": ["Bảng chỉ tiêu", "Hướng dẫn"]}[entry["id"]]
                everything = "\n".join(document.texts() + document.sheet_names)
                for words in expected:
                    self.assertIn(words, everything)
                value = document.user_defined()["SalesKPI.Reports"][1]
                for report in entry["reports"]:
                    self.assertIn(report["sheet"] + "|", value)

    Template.__name__ = Template.__qualname__ = "Template_%s_%s" % (entry["id"], lang)
    return Template


def entries(template_id):
    return [e for e in CATALOG["templates"] if e["id"] == template_id]


class ManagerDashboard(unittest.TestCase):
    def test_overview_has_a_manager_cell_defaulting_to_the_whole_company(self):
        for entry in entries("manager_dashboard"):
            document = Cached.package(entry)
            sheet, cell = document.names["Manager"]
            self.assertEqual(document.sheet(sheet).text(cell), "*")
            self.assertEqual(sheet, entry["sheets"][0])

    def test_overview_shows_actual_target_attainment_and_projection_of_every_kpi(self):
        kpis = [k[0] for k in load_generator().KPIS]
        for entry in entries("manager_dashboard"):
            shown = {(c["function"], c["kpi"]) for c in entry["checks"]}
            for code in kpis:
                for function in ("ACTUAL", "TARGET", "ATTAINMENT", "PROJECTED"):
                    self.assertIn((function, code), shown)
            self.assertIn(("SCORE", None), shown)

    def test_has_daily_sales_attainment_and_ranking_report_sheets(self):
        for entry in entries("manager_dashboard"):
            kinds = [r["kind"] for r in entry["reports"]]
            for kind in ("daily_sales", "attainment", "ranking"):
                self.assertIn(kind, kinds)

    def test_every_report_sheet_follows_the_manager_and_period_cells(self):
        for entry in entries("manager_dashboard"):
            document = Cached.package(entry)
            for report in entry["reports"]:
                self.assertEqual(odf.split_reference(report["scope"][1:]), document.names["Manager"], report)
                if report["kind"] == "target_health":
                    continue  # judges last month's targets, below
                self.assertEqual(odf.split_reference(report["period"][1:]), document.names["Period"], report)

    def test_has_a_target_health_sheet_of_last_month_for_the_manager(self):
        for entry in entries("manager_dashboard"):
            health = [r for r in entry["reports"] if r["kind"] == "target_health"]
            self.assertEqual(len(health), 1, entry["reports"])
            self.assertEqual(health[0]["period"], "last_month")
            self.assertEqual(health[0]["kpis"], [])

    def test_a_bar_chart_reads_attainment_by_employee_from_a_report_sheet(self):
        for entry in entries("manager_dashboard"):
            parts, _, manifest = odf.read_package(ots_path(entry))
            charts = [p for p, t in manifest.items() if t == "application/vnd.oasis.opendocument.chart"]
            self.assertEqual(len(charts), 1)
            chart = ET.fromstring(parts[charts[0] + "content.xml"])
            chart_element = chart.find(".//" + odf.q("chart:chart"))
            self.assertEqual(chart_element.get(odf.q("chart:class")), "chart:bar")
            self.assertEqual(chart_element.get(odf.q("xlink:href")), "..", "the chart reads the sheets")
            categories = chart.find(".//" + odf.q("chart:categories")).get(odf.q("table:cell-range-address"))
            values = chart.find(".//" + odf.q("chart:series")).get(odf.q("chart:values-cell-range-address"))
            report = [r for r in entry["reports"] if r["kind"] == "attainment" and r["kpis"] == ["DS"]]
            self.assertEqual(len(report), 1)
            quoted = "'%s'" % report[0]["sheet"]
            # Employee code in A, attainment in F (templates/README.md), rows 3 to 302.
            self.assertEqual(categories, "%s.A3:%s.A302" % (quoted, quoted))
            self.assertEqual(values, "%s.F3:%s.F302" % (quoted, quoted))
            overview = Cached.package(entry).sheet(entry["sheets"][0])
            self.assertEqual(len(overview.frames), 1, "the chart is on the overview")


class EmployeeScorecard(unittest.TestCase):
    def test_the_employee_cell_offers_the_codes_of_the_employees_report_sheet(self):
        for entry in entries("employee_scorecard"):
            document = Cached.package(entry)
            sheet, cell = document.names["Employee"]
            validation = document.validations[document.sheet(sheet).cell(cell).validation]
            employees = [r["sheet"] for r in entry["reports"] if r["kind"] == "employees"]
            self.assertEqual(len(employees), 1)
            self.assertEqual(validation["condition"],
                             "of:cell-content-is-in-list([$'%s'.$A$3:.$A$502])" % employees[0])
            self.assertEqual(validation["list"], "unsorted")
            self.assertEqual(validation["error_type"], "warning")  # * and not-yet-refreshed lists stay typeable

    def test_shows_every_kpi_the_score_and_the_orders_behind_sales(self):
        kpis = [k[0] for k in load_generator().KPIS]
        for entry in entries("employee_scorecard"):
            shown = {(c["function"], c["kpi"]) for c in entry["checks"]}
            for code in kpis:
                for function in ("ACTUAL", "TARGET", "ATTAINMENT", "PROJECTED"):
                    self.assertIn((function, code), shown)
            self.assertIn(("SCORE", None), shown)
            self.assertIn(("DETAIL", "DS"), shown)

    def test_the_unused_part_of_the_detail_array_is_hidden(self):
        for entry in entries("employee_scorecard"):
            document = Cached.package(entry)
            sheet = document.sheet(entry["sheets"][0])
            detail = [c for c in entry["checks"] if c["function"] == "DETAIL"][0]
            first, last = detail["array"].split(":")
            c1, r1 = odf.parse_address(first)
            c2, r2 = odf.parse_address(last)
            formats = sheet.conditional_formats
            self.assertEqual(len(formats), 1)
            target, condition, style = formats[0]
            self.assertTrue(target.endswith("%s" % odf.address(c2, r2)), target)
            self.assertEqual(condition, "formula-is(ISNA([.%s]))" % odf.address(c1, r1 + 1))
            self.assertEqual(style, "SalesKPI_Hidden")


class FinanceRewards(unittest.TestCase):
    """The finance reward workbook: payouts from KPI.PAYOUT per person and
    component, sums per role and department, a what-if on KPI.FACTOR."""

    FIRST, LAST = 10, 509  # the Payout sheet's rows of people (the Employees sheet's rows 3 to 502)

    def test_pays_each_person_kpi_payout_and_each_component_its_amount(self):
        for entry in entries("finance_rewards"):
            document = Cached.package(entry)
            payout = document.sheet(entry["sheets"][0])
            self.assertEqual(document.names["Period"], (payout.name, "B4"))
            self.assertEqual([payout.text("%s9" % c) for c in "FGHIJ"], ["DS", "PC", "FOCUS", "ASO", "NEW"])
            for r in (self.FIRST, self.FIRST + 1, self.LAST):
                self.assertIn(FUNCTIONS["PAYOUT"] + "([.A%d];Period)" % r, payout.formula("E%d" % r))
                self.assertIn('IFNA(', payout.formula("E%d" % r))
                for c in "FGHIJ":
                    self.assertIn(FUNCTIONS["PAYOUT"] + "([.A%d];Period;[.%s$9])" % (r, c), payout.formula("%s%d" % (c, r)))
                self.assertIn("[.E%d]-SUM([.F%d:.J%d])" % (r, r, r), payout.formula("K%d" % r))
            self.assertEqual(payout.formula("B5"), "of:=SUM([.$E$%d:.$E$%d])" % (self.FIRST, self.LAST))
            self.assertIn(FUNCTIONS["PAYOUT"] + '("*";Period)', payout.formula("B7"))
            self.assertIsNone(payout.formula("E%d" % (self.LAST + 1)))

    def test_status_tells_whether_the_period_paid_is_closed(self):
        for entry in entries("finance_rewards"):
            payout = Cached.package(entry).sheet(entry["sheets"][0])
            self.assertEqual(payout.formula("E5"), "of:=" + FUNCTIONS["STATUS"] + "(Period)")

    def test_sums_payouts_per_role_and_department_of_the_payout_sheet(self):
        for entry in entries("finance_rewards"):
            document = Cached.package(entry)
            payout_name = entry["sheets"][0]
            summary = document.sheet(entry["sheets"][1])
            amounts = "[$'%s'.$E$%d:.$E$%d]" % (payout_name, self.FIRST, self.LAST)
            roles = "[$'%s'.$C$%d:.$C$%d]" % (payout_name, self.FIRST, self.LAST)
            departments = "[$'%s'.$D$%d:.$D$%d]" % (payout_name, self.FIRST, self.LAST)
            self.assertIn("SUMIF(%s;[.A6];%s)" % (roles, amounts), summary.formula("C6"))
            self.assertIn("SUMIF(%s;[.E6];%s)" % (departments, amounts), summary.formula("G6"))
            self.assertIn("MATCH(1;", summary.formula("A6"))
            self.assertIn("MATCH(2;", summary.formula("E7"))
            # The n-th role and department to appear on the Payout sheet are numbered n there.
            payout = document.sheet(payout_name)
            self.assertIn("COUNTIF([.C$10:.C10];[.C10])=1", payout.formula("L10"))
            self.assertIn("COUNTIF([.D$10:.D11];[.D11])=1", payout.formula("M11"))

    def test_the_what_if_moves_factor_and_amount_with_a_typed_attainment(self):
        for entry in entries("finance_rewards"):
            document = Cached.package(entry)
            whatif = document.sheet(entry["sheets"][2])
            for name, cell in (("WhatIfPlan", "B4"), ("WhatIfKpi", "B5"), ("WhatIfIncentive", "B6")):
                self.assertEqual(document.names[name], (whatif.name, cell))
            self.assertEqual(whatif.text("B4"), "NVBH_THANG")
            for r in range(9, 21):
                self.assertIn(FUNCTIONS["FACTOR"] + "(WhatIfPlan;WhatIfKpi;[.A%d])" % r, whatif.formula("B%d" % r))
                self.assertIn("ROUND(WhatIfIncentive*[.B%d];0)" % r, whatif.formula("C%d" % r))
            # A person's component: now (KPI.ATTAINMENT, KPI.FACTOR, KPI.PAYOUT) and what if.
            self.assertIn(FUNCTIONS["ATTAINMENT"] + "([.A25];[.C25];Period)", whatif.formula("E25"))
            self.assertIn(FUNCTIONS["PAYOUT"] + "([.A25];Period;[.C25])", whatif.formula("G25"))
            self.assertIn(FUNCTIONS["FACTOR"] + "([.B25];[.C25];[.H25])", whatif.formula("I25"))
            self.assertIn("ROUND([.D25]*[.I25];0)", whatif.formula("J25"))

    def test_has_a_ranking_and_an_employees_report_sheet_for_last_month(self):
        for entry in entries("finance_rewards"):
            kinds = {r["kind"]: r for r in entry["reports"]}
            self.assertEqual(kinds["ranking"]["period"], "last_month")
            self.assertEqual(kinds["employees"]["period"], "last_month")


class TargetsSheet(unittest.TestCase):
    def test_targets_has_exactly_the_columns_of_targets_csv(self):
        for entry in entries("targets"):
            sheet = Cached.package(entry).sheet("Targets")
            header = [sheet.text((c, 0)) for c in range(14)]
            self.assertEqual(header[:7], CATALOG["target_columns"])
            # Then the review columns Suggest targets fills (never published), then nothing.
            self.assertEqual(header[7:13], CATALOG["suggestion_columns"])
            self.assertEqual(CATALOG["suggestion_columns"], ["suggested", "p10", "p50", "p90", "probability", "why"])
            self.assertEqual(header[13], "")
            self.assertEqual(CATALOG["target_columns"],
                             ["employee_code", "kpi_code", "period_type", "valid_from", "valid_to", "target", "weight"])

    def test_example_rows_are_valid_targets(self):
        for entry in entries("targets"):
            sheet = Cached.package(entry).sheet("Targets")
            rows = 0
            for r in range(1, 100):
                if not sheet.text((0, r)):
                    break
                rows += 1
                self.assertRegex(sheet.text((0, r)), CODE)
                self.assertRegex(sheet.text((1, r)), KPI_CODE)
                self.assertIn(sheet.text((2, r)), {"DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "CYCLE"})
                for c in (3, 4):
                    cell = sheet.cell((c, r))
                    self.assertEqual(cell.value_type, "date")
                    self.assertRegex(cell.value, r"\d{4}-\d{2}-\d{2}$")
                self.assertLessEqual(sheet.cell((3, r)).value, sheet.cell((4, r)).value)
                for c in (5, 6):
                    self.assertEqual(sheet.cell((c, r)).value_type, "float")
                    self.assertGreaterEqual(float(sheet.cell((c, r)).value), 0)
            self.assertGreaterEqual(rows, 3)

    def test_instructions_are_on_their_own_sheet(self):
        for entry in entries("targets"):
            self.assertEqual(entry["sheets"][0], "Targets")
            self.assertEqual(len([s for s in entry["sheets"] if s != "Targets"]), 2)  # instructions, employees
            instructions = Cached.package(entry).sheet(entry["sheets"][1])
            self.assertGreaterEqual(instructions.last_row_with_content(), 8)

    def test_period_types_are_checked_while_typing(self):
        for entry in entries("targets"):
            document = Cached.package(entry)
            sheet = document.sheet("Targets")
            validation = document.validations[sheet.cell("C2").validation]
            self.assertEqual(validation["condition"],
                             'of:cell-content-is-in-list("DAY";"WEEK";"MONTH";"QUARTER";"YEAR";"CYCLE")')
            self.assertEqual(validation["error_type"], "stop")
            self.assertEqual(sheet.cell("C1500").validation, sheet.cell("C2").validation)


def suite():
    loader = unittest.TestLoader()
    tests = unittest.TestSuite()
    for case in (TheCatalog, TheSources, ManagerDashboard, EmployeeScorecard, FinanceRewards, TargetsSheet):
        tests.addTests(loader.loadTestsFromTestCase(case))
    for entry in CATALOG["templates"]:
        tests.addTests(loader.loadTestsFromTestCase(template_tests(entry)))
    return tests


def main():
    global TEMPLATES_DIR
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--templates-dir", default=TEMPLATES_DIR)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    TEMPLATES_DIR = args.templates_dir
    result = unittest.TextTestRunner(verbosity=2 if args.verbose else 1, stream=sys.stdout).run(suite())
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
