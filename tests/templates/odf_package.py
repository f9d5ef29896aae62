"""Reads ODF spreadsheets (a packed .ots/.ods, or a flat .fods) into plain
Python data for the template tests: sheets with their cells, the document's
user-defined properties, named ranges, validations, conditional formats,
charts. Standard library only.
"""

import os
import re
import sys
import xml.etree.ElementTree as ET
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "templates"))
from odf_names import NS, q, col_name  # noqa: E402,F401  (templates/odf_names.py)


def col_index(letters):
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter.upper()) - 64
    return index - 1


def address(col, row):
    return "%s%d" % (col_name(col), row + 1)


def parse_address(text):
    """'B4' or '$B$4' → (col, row), 0-based."""
    match = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", text)
    if not match:
        raise ValueError("not a cell address: %r" % text)
    return col_index(match.group(1)), int(match.group(2)) - 1


def unquote_sheet(text):
    """$'Tổng quan' or Overview → the sheet name."""
    text = text.lstrip("$")
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    return text


def split_reference(text):
    """"$'Sheet name'.$B$4" → ('Sheet name', 'B4'); a range → its first cell."""
    text = text.split(":")[0]
    sheet, _, cell = text.rpartition(".")
    return unquote_sheet(sheet), cell.replace("$", "")


class CellData:
    def __init__(self, element):
        self.formula = element.get(q("table:formula"))
        self.value_type = element.get(q("office:value-type"))
        self.value = element.get(q("office:value")) or element.get(q("office:date-value"))
        self.style = element.get(q("table:style-name"))
        self.validation = element.get(q("table:content-validation-name"))
        columns = element.get(q("table:number-matrix-columns-spanned"))
        rows = element.get(q("table:number-matrix-rows-spanned"))
        self.matrix = (int(columns), int(rows)) if columns else None
        self.paragraphs = ["".join(p.itertext()) for p in element.findall(q("text:p"))]
        self.frames = element.findall(".//" + q("draw:frame"))

    @property
    def text(self):
        return "\n".join(self.paragraphs)

    def has_content(self):
        return bool(self.formula or self.value_type or self.paragraphs or self.validation or self.frames)


class SheetData:
    def __init__(self, element):
        self.name = element.get(q("table:name"))
        self.element = element
        self.cells = {}          # (col, row) -> CellData
        self.frames = list(element.iter(q("draw:frame")))
        self.conditional_formats = []
        for fmt in element.iter(q("calcext:conditional-format")):
            for condition in fmt.findall(q("calcext:condition")):
                self.conditional_formats.append((fmt.get(q("calcext:target-range-address")),
                                                 condition.get(q("calcext:value")),
                                                 condition.get(q("calcext:apply-style-name"))))
        row = 0
        for row_element in element.iter(q("table:table-row")):
            repeat = int(row_element.get(q("table:number-rows-repeated"), "1"))
            col = 0
            parsed = []
            for cell in row_element:
                if cell.tag not in (q("table:table-cell"), q("table:covered-table-cell")):
                    continue
                columns = int(cell.get(q("table:number-columns-repeated"), "1"))
                data = CellData(cell) if cell.tag == q("table:table-cell") else None
                if data is not None and data.has_content():
                    for c in range(col, col + columns):
                        parsed.append((c, data))
                col += columns
            for r in range(row, row + min(repeat, 5000)):
                for c, data in parsed:
                    self.cells[(c, r)] = data
            row += repeat

    def cell(self, where):
        col, row = parse_address(where) if isinstance(where, str) else where
        return self.cells.get((col, row))

    def text(self, where):
        cell = self.cell(where)
        return cell.text if cell else ""

    def formula(self, where):
        cell = self.cell(where)
        return cell.formula if cell else None

    def last_row_with_content(self):
        return max((r for (_, r) in self.cells), default=-1)


class Document:
    """One spreadsheet: `parts` maps a part name (content.xml, ...) to bytes."""

    def __init__(self, parts):
        self.parts = parts
        content = ET.fromstring(parts["content.xml"])
        self.content = content
        self.meta = ET.fromstring(parts["meta.xml"]) if "meta.xml" in parts else None
        spreadsheet = content.find(".//" + q("office:spreadsheet"))
        self.sheets = [SheetData(t) for t in spreadsheet.findall(q("table:table"))]
        self.names = {}
        for named in spreadsheet.iter(q("table:named-range")):
            self.names[named.get(q("table:name"))] = split_reference(named.get(q("table:cell-range-address")))
        self.named_ranges = {named.get(q("table:name")): named.get(q("table:cell-range-address"))
                             for named in spreadsheet.iter(q("table:named-range"))}
        self.validations = {}
        for validation in spreadsheet.iter(q("table:content-validation")):
            error = validation.find(q("table:error-message"))
            self.validations[validation.get(q("table:name"))] = {
                "condition": validation.get(q("table:condition")),
                "list": validation.get(q("table:display-list")),
                "error_type": error.get(q("table:message-type")) if error is not None else None,
            }

    def sheet(self, name):
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(name)

    @property
    def sheet_names(self):
        return [s.name for s in self.sheets]

    def user_defined(self):
        """{name: (value type, text)} of the user-defined properties."""
        found = {}
        if self.meta is None:
            return found
        for prop in self.meta.iter(q("meta:user-defined")):
            found[prop.get(q("meta:name"))] = (prop.get(q("meta:value-type"), "string"), prop.text or "")
        return found

    def title(self):
        title = self.meta.find(".//" + q("dc:title")) if self.meta is not None else None
        return title.text if title is not None else None

    def texts(self):
        """Every paragraph of text in the document's content and meta."""
        found = ["".join(p.itertext()) for p in self.content.iter(q("text:p"))]
        meta = self.meta.find(".//" + q("office:meta")) if self.meta is not None else None
        if meta is not None:
            found += [e.text for e in meta.iter() if e.text and e.text.strip()]
        return found


def read_package(path):
    """(Document, zipfile.ZipFile infos, manifest entries {path: media type}) of a package."""
    with zipfile.ZipFile(path) as package:
        infos = package.infolist()
        parts = {info.filename: package.read(info.filename) for info in infos}
    manifest = ET.fromstring(parts["META-INF/manifest.xml"])
    entries = {e.get(q("manifest:full-path")): e.get(q("manifest:media-type"))
               for e in manifest.findall(q("manifest:file-entry"))}
    return parts, infos, entries


def read_ots(path):
    parts, _, _ = read_package(path)
    return Document(parts)


def read_fods(path):
    """A flat ODF file as a Document (content and meta are the same tree)."""
    with open(path, "rb") as f:
        data = f.read()
    root = ET.fromstring(data)
    document = Document.__new__(Document)
    Document.__init__(document, {"content.xml": data, "meta.xml": data})
    document.root = root
    return document


def call_arguments(formula, function):
    """The argument texts of every call of `function` in an ODFF formula."""
    calls = []
    start = 0
    while True:
        index = formula.find(function + "(", start)
        if index < 0:
            return calls
        position = index + len(function) + 1
        depth, quoted, bracket, current, args = 0, False, False, "", []
        while position < len(formula):
            ch = formula[position]
            position += 1
            if quoted:
                current += ch
                if ch == '"':
                    quoted = False
                continue
            if ch == '"':
                quoted = True
            elif ch == "[":
                bracket = True
            elif ch == "]":
                bracket = False
            elif ch == "(" and not bracket:
                depth += 1
            elif ch == ")" and not bracket:
                if depth == 0:
                    args.append(current)
                    break
                depth -= 1
            elif ch == ";" and depth == 0 and not bracket:
                args.append(current)
                current = ""
                continue
            current += ch
        calls.append([a.strip() for a in args] if args != [""] else [])
        start = position
