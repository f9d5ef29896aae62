"""The Function Wizard's data, read back through the office's
com.sun.star.sheet.FunctionDescriptions, agrees with the function catalog in
an English and in a Vietnamese office: names, descriptions, argument names and
descriptions, optional arguments, and one category for all functions.
"""

import json
import unittest

import office_harness as oh

# SPEC §8: display names are English in every UI language.
# SPEC §8's functions and the project's KPI.PERIOD (docs/calc-functions.md).
SPEC_FUNCTIONS = {"KPI.ACTUAL", "KPI.TARGET", "KPI.ATTAINMENT", "KPI.PROJECTED", "KPI.SCORE", "KPI.DETAIL",
                  "KPI.ASOF", "KPI.STATUS", "KPI.PERIOD", "KPI.PAYOUT", "KPI.FACTOR"}
# Calc's category ids (sc/inc/scfuncs.hxx): 11 is "Add-In".
ADD_IN_CATEGORY = 11


def load_catalog():
    with open(oh.CATALOG_JSON, encoding="utf-8") as source:
        return json.load(source)


def descriptions(office):
    """Display name → {property: value} of every function the office knows."""
    access = office.service("com.sun.star.sheet.FunctionDescriptions")
    found = {}
    for index in range(access.getCount()):
        properties = {p.Name: p.Value for p in access.getByIndex(index)}
        found[properties["Name"]] = properties
    return found


class FunctionWizardChecks:
    """The checks, for an office in one UI language (a mixin: not run alone)."""
    locale = None
    language = None

    @classmethod
    def setUpClass(cls):
        cls.catalog = load_catalog()
        cls.office = oh.Office(locale=cls.locale)
        cls.addClassCleanup(cls.office.stop)
        cls.office.start()
        cls.found = descriptions(cls.office)

    def tearDown(self):
        self.assertTrue(self.office.alive(), "the office died:\n" + self.office.log()[-3000:])

    def test_lists_exactly_the_functions_of_the_spec(self):
        ours = {name for name in self.found if name.startswith("KPI.")}
        self.assertEqual(ours, SPEC_FUNCTIONS)
        self.assertEqual({f["display_name"] for f in self.catalog["functions"]}, SPEC_FUNCTIONS)

    def test_puts_all_functions_in_the_add_in_category(self):
        categories = {self.found[name]["Category"] for name in SPEC_FUNCTIONS}
        self.assertEqual(categories, {ADD_IN_CATEGORY})

    def test_describes_functions_and_arguments_in_the_ui_language(self):
        for function in self.catalog["functions"]:
            found = self.found[function["display_name"]]
            self.assertEqual(found["Description"], function["description"][self.language], function["display_name"])
            visible = [a for a in function["arguments"] if a["type"] != "caller"]
            arguments = found["Arguments"] or ()  # None for a function without visible arguments
            self.assertEqual(len(arguments), len(visible), function["display_name"])
            for expected, argument in zip(visible, arguments):
                what = "%s %s" % (function["display_name"], expected["idl_name"])
                self.assertEqual(argument.Name, expected["name"][self.language], what)
                self.assertEqual(argument.Description, expected["description"][self.language], what)
                self.assertEqual(argument.IsOptional, expected["type"] == "value", what)

    def test_formulas_use_the_english_names(self):
        document = self.office.new_spreadsheet()
        try:
            sheet = document.Sheets.getByIndex(0)
            cell = oh.evaluate(sheet, "=KPI.STATUS()")
            self.assertEqual(cell.error, 0)
            self.assertTrue(cell.text.startswith("unavailable: no store configured"), cell.text)
        finally:
            document.close(True)


class FunctionWizardInEnglish(FunctionWizardChecks, unittest.TestCase):
    locale = "en-US"
    language = "en"

    def test_reads_as_written(self):
        self.assertEqual(self.found["KPI.TARGET"]["Arguments"][2].Name, "period")
        self.assertTrue(self.found["KPI.ACTUAL"]["Description"].startswith("The actual of a KPI"))


class FunctionWizardInVietnamese(FunctionWizardChecks, unittest.TestCase):
    locale = "vi"
    language = "vi"

    def test_shows_vietnamese_without_mojibake(self):
        self.assertEqual(self.found["KPI.ACTUAL"]["Arguments"][0].Name, "nhân_viên")
        self.assertEqual(self.found["KPI.ACTUAL"]["Arguments"][2].Name, "kỳ")
        self.assertTrue(self.found["KPI.ACTUAL"]["Description"].startswith("Giá trị thực hiện"),
                        self.found["KPI.ACTUAL"]["Description"])
        self.assertEqual([a.Name for a in self.found["KPI.FACTOR"]["Arguments"]], ["cơ_chế", "kpi", "tỷ_lệ_hoàn_thành"])
        self.assertTrue(self.found["KPI.PAYOUT"]["Description"].startswith("Tiền thưởng của nhân viên"))

    def test_the_office_itself_speaks_vietnamese(self):
        # Calc's own functions are described in Vietnamese too: the UI language took.
        self.assertNotEqual(self.found["SUM"]["Description"],
                            "Returns the sum of all arguments.")


if __name__ == "__main__":
    unittest.main()
