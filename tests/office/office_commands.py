"""The SalesKPI commands (org.saleskpi.commands:*) and report sheets, driven
from a test.

Headless offices have no menus: a command is dispatched the way a menu entry
does it, through the document's frame, and its outcome comes back through
dispatchWithNotification() — the DispatchResultEvent's State (SUCCESS 1,
FAILURE 0) and Result (the message the user would see in a message box).
"""

import threading

import uno
import unohelper
from com.sun.star.awt import XCallback, XDialogEventHandler
from com.sun.star.frame import XDispatchResultListener

import office_harness as oh

SUCCESS = 1
FAILURE = 0
CANCELLED = 2  # DONTKNOW: the user cancelled a dialog
REPORTS_PROPERTY = "SalesKPI.Reports"


class _Outcome(unohelper.Base, XDispatchResultListener):
    def __init__(self):
        self.state = None
        self.message = None
        self.done = threading.Event()

    def dispatchFinished(self, event):
        self.state = event.State
        self.message = event.Result
        self.done.set()

    def disposing(self, event):
        pass


def prepare_command(office, document, command, timeout=60, **arguments):
    """Looks up org.saleskpi.commands:<command> on the document's frame and
    returns a function that dispatches it and waits for its outcome, giving
    (state, message).

    A test that runs the command on a second Python thread (a modal dialog
    blocks the dispatching thread) prepares it first on its own thread:
    PyUNO's first lookup of an interface's attributes is not safe while
    another Python thread does the same (seen in CI: getFrame() gave None on
    one thread while createInstanceWithContext was "not an attribute" on the
    other), so only the dispatch itself may run on the second thread."""
    url = uno.createUnoStruct("com.sun.star.util.URL")
    url.Complete = "org.saleskpi.commands:" + command
    _, url = office.service("com.sun.star.util.URLTransformer").parseStrict(url)
    dispatch = document.getCurrentController().getFrame().queryDispatch(url, "", 0)
    if dispatch is None:
        raise AssertionError("no dispatch for %s: is the protocol handler registered?" % url.Complete)
    properties = tuple(oh.prop(name, value) for name, value in arguments.items())
    send = dispatch.dispatchWithNotification  # looked up here, called there

    def run():
        outcome = _Outcome()
        send(url, properties, outcome)
        if not outcome.done.wait(timeout):
            raise AssertionError("%s gave no outcome within %s s" % (command, timeout))
        return outcome.state, outcome.message
    return run


def run_command(office, document, command, timeout=60, **arguments):
    """Dispatches org.saleskpi.commands:<command> on the document's frame and
    waits for its outcome; returns (state, message)."""
    return prepare_command(office, document, command, timeout, **arguments)()


class _OnMainThread(unohelper.Base, XCallback):
    def __init__(self, function):
        self.function = function
        self.result = None
        self.error = None
        self.done = threading.Event()

    def notify(self, data):
        try:
            self.result = self.function()
        except Exception as error:  # handed to the test's thread
            self.error = error
        self.done.set()


def on_main_thread(office, function, timeout=30):
    """Runs function() while the office's main thread waits for it, so that
    the UNO calls it makes run on the office's main thread, as a Basic macro's
    do (com.sun.star.awt.AsyncCallback calls back on the main thread, and a
    call back into the office from a callback stays on that thread). Returns
    what function returned."""
    call = _OnMainThread(function)
    office.service("com.sun.star.awt.AsyncCallback").addCallback(call, None)
    if not call.done.wait(timeout):
        raise AssertionError("the office's main thread did not finish the call within %s s" % timeout)
    if call.error is not None:
        raise call.error
    return call.result


def set_reports(document, lines):
    """Sets the document's SalesKPI.Reports to the given definition lines."""
    properties = document.getDocumentProperties().getUserDefinedProperties()
    value = "\n".join(lines)
    if properties.getPropertySetInfo().hasPropertyByName(REPORTS_PROPERTY):
        properties.setPropertyValue(REPORTS_PROPERTY, value)
    else:
        properties.addProperty(REPORTS_PROPERTY, 0, value)


def used_rows(sheet):
    """The used area of a sheet as rows of values (numbers as floats, texts
    as str, empty cells as "")."""
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    end = cursor.getRangeAddress()
    return [list(row) for row in sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow).getDataArray()]


def report_rows(document, sheet_name):
    """What a report sheet shows: (title, headers, data rows); None when the
    sheet does not exist (yet)."""
    if not document.Sheets.hasByName(sheet_name):
        return None
    rows = used_rows(document.Sheets.getByName(sheet_name))
    if len(rows) < 1:
        return None
    headers = [cell for cell in rows[1] if cell != ""] if len(rows) > 1 else []
    return rows[0][0], headers, rows[2:]


def wait_for_report(document, sheet_name, condition=lambda report: True, timeout=60):
    """Waits until the report sheet exists with a data header and condition
    holds for (title, headers, rows); returns it."""
    def ready():
        report = report_rows(document, sheet_name)
        return report if report and report[1] and condition(report) else None
    return oh.wait_for(ready, timeout, what=lambda: "report sheet %r: %r" % (sheet_name, report_rows(document,
                                                                                                     sheet_name)))


class DialogDriver(unohelper.Base, XDialogEventHandler):
    """Stands in for the user of the report sheet dialog (the command's
    argument DialogDriver): each time the dialog waits for a button, the next
    of `presses` gets the dialog (its controls by name, as in
    dialogs/ReportSheet.xdl), may change them, and returns True for OK or
    False for Cancel. Runs on the office's main thread, inside the command."""

    def __init__(self, *presses):
        self.remaining = list(presses)
        self.presses = 0

    def callHandlerMethod(self, dialog, event, method):
        if method != "press" or not self.remaining:
            return False
        self.presses += 1
        return bool(self.remaining.pop(0)(dialog))

    def getSupportedMethodNames(self):
        return ("press",)


def dialog_state(dialog):
    """What the report sheet dialog shows: its title, the sheet name, each
    list as (items, selected items), the period as (items, text), a label."""
    control = dialog.getControl
    state = {"title": dialog.getTitle(),
             "SheetName": control("SheetName").getText(),
             "SheetNameEditable": control("SheetName").isEditable(),
             "Period": (list(control("Period").getItems()), control("Period").getText()),
             "PeriodLabel": control("PeriodLabel").getPeer().getProperty("Text"),  # the label as shown
             "Problem": control("Problem").getText()}
    for name in ("Kind", "Scope", "Kpis"):
        state[name] = (list(control(name).getItems()), list(control(name).getSelectedItems()))
    return state
