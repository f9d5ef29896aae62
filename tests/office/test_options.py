"""The SalesKPI menu, the report sheet dialog's labels, and the options page
Tools ▸ Options ▸ SalesKPI ▸ Store and refresh (docs/reports-and-targets.md),
in English and in Vietnamese.

The page is registered in OptionsDialog.xcu, its window made from
dialogs/Options.xdl with English or Vietnamese labels, filled from and saved to
/org.saleskpi.Settings/Store by org.saleskpi.OptionsPage. Headless offices show
no Options dialog and no menus: the test builds the page's window the way the
dialog does (com.sun.star.awt.ContainerWindowProvider, the page URL and handler
from the configuration) and calls the handler as the dialog does; the menu's
entries are read from the configuration (Addons.xcu) and dispatched.
"""

import os
import shutil
import unittest

import uno

import office_commands as oc
import office_harness as oh
from kpi_data import TINY_CSV, make_store

NODE = "/org.openoffice.Office.OptionsDialog/Nodes/org.saleskpi.Options"
LEAF = NODE + "/Leaves/org.saleskpi.Options.Store"
MENU = "/org.openoffice.Office.Addons/AddonUI/OfficeMenuBar/org.saleskpi.menu"
OPTIONS = "/org.saleskpi.Settings/Store"
LABELS = ("StoreHeading", "StorePathLabel", "StorePathHint", "RefreshHeading", "RefreshLabel", "RefreshHint")
DIALOG_LABELS = ("SheetLabel", "KindLabel", "PeriodLabel", "PeriodHint", "ScopeLabel", "KpisLabel", "OkButton",
                 "CancelButton")


class UserInterfaceTest:
    """Mixed into a test case with an office of the given locale."""

    locale = None
    expected_labels = {}
    expected_menu = []
    expected_dialog = {}
    expected_refusal = {}

    @classmethod
    def setUpClass(cls):
        data_dir = oh.make_private_dir("saleskpi-data-")
        cls.addClassCleanup(shutil.rmtree, data_dir, True)
        cls.cli = make_store(os.path.join(data_dir, "tiny"), TINY_CSV)
        cls.office = oh.Office(locale=cls.locale)
        cls.addClassCleanup(cls.office.stop)
        cls.office.start()

    def tearDown(self):
        self.assertTrue(self.office.alive(), "the office died:\n" + self.office.log()[-3000:])

    def configuration(self, path, update=False):
        provider = self.office.service("com.sun.star.configuration.ConfigurationProvider")
        service = "com.sun.star.configuration.Configuration%sAccess" % ("Update" if update else "")
        return provider.createInstanceWithArguments(service, (oh.prop("nodepath", path),))

    def open_page(self):
        """The page's window and handler, made as the Options dialog makes them."""
        # Without AllModules the dialog shows the node in no module (seen in 7.4).
        self.assertTrue(self.configuration(NODE).getByName("AllModules"))
        leaf = self.configuration(LEAF)
        self.assertEqual(leaf.getByName("Id"), "org.saleskpi.extension")
        url = leaf.getByName("OptionsPage")
        self.assertTrue(url.endswith("/dialogs/Options.xdl"), url)
        if url.startswith("vnd.sun.star.expand:"):
            expander = self.office.context.getValueByName("/singletons/com.sun.star.util.theMacroExpander")
            url = expander.expandMacros(url[len("vnd.sun.star.expand:"):])
        handler = self.office.service(leaf.getByName("EventHandlerService"))
        document = self.office.new_spreadsheet()
        self.addCleanup(document.close, True)
        parent = document.getCurrentController().getFrame().getContainerWindow()
        window = self.office.service("com.sun.star.awt.ContainerWindowProvider").createContainerWindow(
            url, "", parent, handler)
        self.assertTrue(handler.callHandlerMethod(window, "initialize", "external_event"))
        return window, handler

    def set_options(self, store_path, seconds):
        options = self.configuration(OPTIONS, update=True)
        options.replaceByName("StorePath", store_path)
        options.replaceByName("RefreshSeconds", seconds)
        options.commitChanges()

    def test_the_menu_lists_the_commands_and_each_is_handled(self):
        menu = self.configuration(MENU)
        self.assertEqual(menu.getByName("Context"), "com.sun.star.sheet.SpreadsheetDocument")
        entries = menu.getByName("Submenu")
        shown = [(entries.getByName(name).getByName("Title"), entries.getByName(name).getByName("URL"))
                 for name in sorted(entries.getElementNames())]
        self.assertEqual(shown, self.expected_menu)
        document = self.office.new_spreadsheet()
        self.addCleanup(document.close, True)
        frame = document.getCurrentController().getFrame()
        transformer = self.office.service("com.sun.star.util.URLTransformer")
        for _, command in shown:
            if command == "private:separator":
                continue
            url = uno.createUnoStruct("com.sun.star.util.URL")
            url.Complete = command
            _, url = transformer.parseStrict(url)
            dispatch = frame.queryDispatch(url, "", 0)
            self.assertIsNotNone(dispatch, command)
            self.assertEqual(dispatch.getImplementationName(), "org.saleskpi.Commands")

    def test_the_labels_are_in_the_offices_language(self):
        window, _ = self.open_page()
        shown = {name: window.getControl(name).getPeer().getProperty("Text") for name in LABELS}
        self.assertEqual(shown, self.expected_labels)

    def test_the_page_shows_and_saves_the_options(self):
        self.set_options("/srv/kpi/first.sqlite", 300)
        window, handler = self.open_page()
        self.assertEqual(window.getControl("StorePath").getText(), "/srv/kpi/first.sqlite")
        self.assertEqual(window.getControl("RefreshSeconds").getValue(), 300)

        window.getControl("StorePath").setText("  /srv/kpi/npp.sqlite ")
        window.getControl("RefreshSeconds").setValue(120)
        self.assertTrue(handler.callHandlerMethod(window, "ok", "external_event"))
        options = self.configuration(OPTIONS)
        self.assertEqual((options.getByName("StorePath"), options.getByName("RefreshSeconds")),
                         ("/srv/kpi/npp.sqlite", 120))
        # Back: the page shows the saved values again.
        window.getControl("StorePath").setText("typed but not saved")
        self.assertTrue(handler.callHandlerMethod(window, "back", "external_event"))
        self.assertEqual(window.getControl("StorePath").getText(), "/srv/kpi/npp.sqlite")
        # The cells use the option (no KPIStore, no KPI_STORE in this office).
        document = self.office.new_spreadsheet()
        self.addCleanup(document.close, True)
        sheet = document.Sheets.getByIndex(0)
        oh.put_formula(sheet, "A1", "=KPI.STATUS()")
        status = oh.wait_for(lambda: not oh.read(sheet, "A1").text.startswith("loading") and oh.read(sheet, "A1").text,
                             what="KPI.STATUS() past loading")
        self.assertTrue(status.startswith("unavailable: /srv/kpi/npp.sqlite (SalesKPI option StorePath)"), status)
        self.assertIn("retrying every 120 s", status)
        self.assertFalse(handler.callHandlerMethod(window, "unknown", "external_event"))

    def test_a_postgresql_location_holding_a_password_is_refused_in_the_offices_language(self):
        # The page: the line under the field says why as it is typed; OK keeps the option.
        self.set_options("/srv/kpi/kept.sqlite", 300)
        window, handler = self.open_page()
        self.assertEqual(window.getControl("StoreProblem").getText(), "")
        window.getControl("StorePath").setText("host=db.example dbname=kpi password=secret")
        problem = window.getControl("StoreProblem").getText()
        self.assertTrue(problem.startswith(self.expected_refusal["page"]), problem)
        self.assertIn("~/.pgpass", problem)
        self.assertIn("pg_service.conf", problem)
        self.assertNotIn("secret", problem)
        self.assertTrue(handler.callHandlerMethod(window, "ok", "external_event"))
        self.assertEqual(self.configuration(OPTIONS).getByName("StorePath"), "/srv/kpi/kept.sqlite")
        window.getControl("StorePath").setText("service=kpi")
        self.assertEqual(window.getControl("StoreProblem").getText(), "")
        # KPI.STATUS of a document whose KPIStore holds one.
        document = self.office.new_spreadsheet()
        self.addCleanup(document.close, True)
        oh.set_kpi_store(document, "postgresql://kpi:secret@db.example/kpi")
        sheet = document.Sheets.getByIndex(0)
        oh.put_formula(sheet, "A1", "=KPI.STATUS()")
        oh.put_formula(sheet, "A2", '=KPI.ACTUAL("SR01";"REV";"2026-11")')
        status = oh.wait_for(lambda: oh.read(sheet, "A1").text.startswith("unavailable") and oh.read(sheet, "A1").text,
                             what=lambda: "KPI.STATUS() to refuse the password (%r)" % oh.read(sheet, "A1").text)
        self.assertTrue(status.startswith("unavailable: " + self.expected_refusal["status"]), status)
        self.assertIn("~/.pgpass", status)
        self.assertIn("pg_service.conf", status)
        self.assertNotIn("secret", status)
        self.assertEqual(oh.read(sheet, "A2").error, oh.ERR_NOT_AVAILABLE)

    def test_the_report_sheet_dialog_speaks_the_offices_language(self):
        document = self.office.new_spreadsheet()
        self.addCleanup(document.close, True)
        oh.set_kpi_store(document, self.cli.store)
        oh.wait_until_ready(document.Sheets.getByIndex(0))
        shown = {}

        def look_and_cancel(dialog):
            shown.update(oc.dialog_state(dialog))
            shown["labels"] = {name: dialog.getControl(name).getPeer().getProperty("Text")  # as shown
                               for name in DIALOG_LABELS}
            return False

        state, message = oc.run_command(self.office, document, "AddReportSheet",
                                        DialogDriver=oc.DialogDriver(look_and_cancel))
        self.assertEqual(state, oc.CANCELLED, message)
        self.assertEqual(shown["labels"], self.expected_dialog["labels"])
        self.assertEqual(shown["title"], self.expected_dialog["title"])
        self.assertEqual(shown["Period"][0], self.expected_dialog["periods"])
        self.assertEqual(shown["Scope"][0][0], self.expected_dialog["scopes"][0])
        self.assertIn(self.expected_dialog["scopes"][1], shown["Scope"][0])
        self.assertEqual(shown["Kpis"][0], self.expected_dialog["kpis"])


class EnglishUserInterface(UserInterfaceTest, unittest.TestCase):
    locale = "en-US"
    expected_refusal = {"page": "This location holds a PostgreSQL password",
                        "status": "the document property KPIStore holds a PostgreSQL password"}
    expected_menu = [
        ("~Refresh now", "org.saleskpi.commands:RefreshNow"),
        (None, "private:separator"),
        ("~Add report sheet…", "org.saleskpi.commands:AddReportSheet"),
        ("~Edit report sheet…", "org.saleskpi.commands:EditReportSheet"),
        ("~Suggest targets…", "org.saleskpi.commands:SuggestTargets"),
        ("~Publish targets", "org.saleskpi.commands:PublishTargets"),
        (None, "private:separator"),
        ("E~xport statements…", "org.saleskpi.commands:ExportStatements"),
    ]
    expected_dialog = {
        "title": "Add report sheet",
        "labels": {"SheetLabel": "Sheet name:", "KindLabel": "Report:", "PeriodLabel": "Period:",
                   "PeriodHint": "Today, this week, this month and last month follow the calendar. Or type a fixed "
                                 "period: 2026-11, 2026-W48, 2026-Q4, 2026, 2026-11-27, 2026-11-01..2026-11-20.",
                   "ScopeLabel": "Employees (a manager's team, one employee or everyone):",
                   "KpisLabel": "KPIs (daily sales shows the first one chosen):",
                   "OkButton": "OK", "CancelButton": "Cancel"},
        "periods": ["Today", "This week", "This month", "Last month"],
        "scopes": ["Everyone", "Team of SS01 Nguyễn Văn An"],
        "kpis": ["REV — Revenue"],
    }
    expected_labels = {
        "StoreHeading": "Store",
        "StorePathLabel": "SalesKPI store (the kpi.sqlite file, or a PostgreSQL URI or conninfo):",
        "StorePathHint": "Used by documents without a KPIStore property. Empty: the environment variable KPI_STORE. "
                         "For PostgreSQL (postgresql://…, service=kpi, host=… dbname=…) no password here: "
                         "~/.pgpass or pg_service.conf.",
        "RefreshHeading": "Refresh",
        "RefreshLabel": "Check the store for changes every (seconds):",
        "RefreshHint": "Default 300 (5 minutes); the environment variable KPI_REFRESH_SECONDS overrides it. "
                       "A store already open keeps its interval until LibreOffice restarts.",
    }


class VietnameseUserInterface(UserInterfaceTest, unittest.TestCase):
    locale = "vi"
    expected_refusal = {"page": "Địa chỉ này chứa mật khẩu PostgreSQL",
                        "status": "thuộc tính tài liệu KPIStore chứa mật khẩu PostgreSQL"}
    expected_menu = [
        ("~Làm mới ngay", "org.saleskpi.commands:RefreshNow"),
        (None, "private:separator"),
        ("~Thêm trang báo cáo…", "org.saleskpi.commands:AddReportSheet"),
        ("~Sửa trang báo cáo…", "org.saleskpi.commands:EditReportSheet"),
        ("~Gợi ý chỉ tiêu…", "org.saleskpi.commands:SuggestTargets"),
        ("~Xuất bản chỉ tiêu", "org.saleskpi.commands:PublishTargets"),
        (None, "private:separator"),
        ("Xuất ~phiếu thưởng…", "org.saleskpi.commands:ExportStatements"),
    ]
    expected_dialog = {
        "title": "Thêm trang báo cáo",
        "labels": {"SheetLabel": "Tên trang:", "KindLabel": "Loại báo cáo:", "PeriodLabel": "Kỳ:",
                   "PeriodHint": "Hôm nay, tuần này, tháng này và tháng trước thay đổi theo lịch. Hoặc nhập một kỳ "
                                 "cố định: 2026-11, 2026-W48, 2026-Q4, 2026, 2026-11-27, 2026-11-01..2026-11-20.",
                   "ScopeLabel": "Nhân viên (nhóm của một quản lý, một nhân viên hoặc toàn công ty):",
                   "KpisLabel": "KPI (doanh số theo ngày hiển thị KPI đầu tiên được chọn):",
                   "OkButton": "OK", "CancelButton": "Hủy"},
        "periods": ["Hôm nay", "Tuần này", "Tháng này", "Tháng trước"],
        "scopes": ["Toàn công ty", "Nhóm của SS01 Nguyễn Văn An"],
        "kpis": ["REV — Doanh số"],
    }
    expected_labels = {
        "StoreHeading": "Kho dữ liệu",
        "StorePathLabel": "Kho dữ liệu SalesKPI (tệp kpi.sqlite, hoặc URI hay conninfo PostgreSQL):",
        "StorePathHint": "Dùng cho tài liệu không có thuộc tính KPIStore. Để trống: dùng biến môi trường KPI_STORE. "
                         "Với PostgreSQL (postgresql://…, service=kpi, host=… dbname=…) không ghi mật khẩu ở đây: "
                         "dùng ~/.pgpass hoặc pg_service.conf.",
        "RefreshHeading": "Làm mới",
        "RefreshLabel": "Kiểm tra thay đổi của kho dữ liệu mỗi (giây):",
        "RefreshHint": "Mặc định 300 (5 phút); biến môi trường KPI_REFRESH_SECONDS được ưu tiên. "
                       "Kho dữ liệu đang mở giữ khoảng thời gian cũ cho đến khi khởi động lại LibreOffice.",
    }


if __name__ == "__main__":
    unittest.main()
