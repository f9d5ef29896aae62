#!/usr/bin/python3
"""Packs a flat ODF spreadsheet (.fods) into an ODF spreadsheet template (.ots).

    pack_ots.py --out FILE.ots FILE.fods

A flat ODF file is the same document as a package, in one XML file: this
script splits it into the package's parts (content.xml, styles.xml, meta.xml,
settings.xml, one sub-document per embedded chart) and writes the zip with
`mimetype` first and uncompressed, as ODF requires. Standard library only;
the same input gives the same bytes.

Why not `soffice --convert-to ots`: LibreOffice 7.4 drops the data ranges of a
chart in a flat ODF file when they lie on a sheet that comes after the chart's
sheet (the dashboard's chart on its first sheet reads a report sheet after it),
and the converted chart part came out truncated. A chart sub-document in a
package is loaded once all sheets exist, so packing keeps the chart's ranges.
Packing also leaves the formulas exactly as written, without the `#NAME?`
results and lower-cased function names an office without the extension would
store. tests/templates/ opens the packed templates in LibreOffice.
"""

import argparse
import io
import os
import sys
import xml.etree.ElementTree as ET
import zipfile

from odf_names import NS, q  # this folder

for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

TEMPLATE_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet-template"
CHART_MIMETYPE = "application/vnd.oasis.opendocument.chart"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so that a build is reproducible


class PackError(Exception):
    pass


def serialize(root):
    """XML bytes of root, declaring every namespace of NS on the root element:
    ODF also uses prefixes inside attribute values (table:formula="of:=...",
    chart:class="chart:bar"), which ElementTree does not see."""
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    end = text.index(">")
    head = text[:end]
    missing = "".join(' xmlns:%s="%s"' % (prefix, uri) for prefix, uri in NS.items()
                      if ' xmlns:%s="' % prefix not in head)
    if head.endswith("/"):
        head, close = head[:-1], "/"
    else:
        close = ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + head + missing + close + text[end:]).encode("utf-8")


def part(root_name, version, children):
    """An XML part: <office:ROOT office:version=...> with the children."""
    root = ET.Element(q(root_name), {q("office:version"): version})
    root.extend(children)
    return serialize(root)


def child(element, name):
    return element.find(q(name))


def split_document(document, version):
    """{part name: bytes} of one flat office:document (spreadsheet or chart)."""
    parts = {}
    meta = child(document, "office:meta")
    settings = child(document, "office:settings")
    scripts = child(document, "office:scripts")
    fonts = child(document, "office:font-face-decls")
    styles = child(document, "office:styles")
    automatic = child(document, "office:automatic-styles")
    masters = child(document, "office:master-styles")
    body = child(document, "office:body")
    if body is None:
        raise PackError("no office:body")

    # Page layouts are used by master pages and belong with them in styles.xml.
    content_automatic = ET.Element(q("office:automatic-styles"))
    styles_automatic = ET.Element(q("office:automatic-styles"))
    for style in (list(automatic) if automatic is not None else []):
        (styles_automatic if style.tag == q("style:page-layout") else content_automatic).append(style)

    content = [c for c in (scripts, fonts, content_automatic, body) if c is not None]
    parts["content.xml"] = part("office:document-content", version, content)
    styles_children = [c for c in (fonts, styles, styles_automatic, masters) if c is not None]
    parts["styles.xml"] = part("office:document-styles", version, styles_children)
    if meta is not None:
        parts["meta.xml"] = part("office:document-meta", version, [meta])
    if settings is not None:
        parts["settings.xml"] = part("office:document-settings", version, [settings])
    return parts


def pack(fods_bytes):
    """The .ots package of a flat ODF spreadsheet, as bytes."""
    document = ET.fromstring(fods_bytes)
    if document.tag != q("office:document"):
        raise PackError("not a flat ODF document")
    if child(child(document, "office:body"), "office:spreadsheet") is None:
        raise PackError("not a spreadsheet")
    version = document.get(q("office:version"), "1.3")

    # Every embedded object written inline becomes a sub-document "Object N/".
    objects = []
    for frame_object in document.iter(q("draw:object")):
        inline = child(frame_object, "office:document")
        if inline is None:
            continue
        mimetype = inline.get(q("office:mimetype"))
        if mimetype != CHART_MIMETYPE:
            raise PackError("unsupported embedded object %r" % mimetype)
        name = "Object %d" % (len(objects) + 1)
        objects.append((name, mimetype, split_document(inline, inline.get(q("office:version"), version))))
        frame_object.remove(inline)
        frame_object.set(q("xlink:href"), "./" + name)
        frame_object.set(q("xlink:type"), "simple")
        frame_object.set(q("xlink:show"), "embed")
        frame_object.set(q("xlink:actuate"), "onLoad")

    files = split_document(document, version)
    entries = [("/", TEMPLATE_MIMETYPE)] + [(name, "text/xml") for name in files]
    for name, mimetype, object_parts in objects:
        entries.append((name + "/", mimetype))
        for part_name, data in object_parts.items():
            files["%s/%s" % (name, part_name)] = data
            entries.append(("%s/%s" % (name, part_name), "text/xml"))

    manifest = ET.Element(q("manifest:manifest"), {q("manifest:version"): version})
    for path, mimetype in entries:
        attributes = {q("manifest:full-path"): path, q("manifest:media-type"): mimetype}
        if path == "/" or mimetype == CHART_MIMETYPE:
            attributes[q("manifest:version")] = version
        ET.SubElement(manifest, q("manifest:file-entry"), attributes)
    files["META-INF/manifest.xml"] = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                                      + ET.tostring(manifest, encoding="utf-8", xml_declaration=False))

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        # ODF: `mimetype` first, stored, without extra fields.
        package.writestr(zipfile.ZipInfo("mimetype", ZIP_TIME), TEMPLATE_MIMETYPE.encode("ascii"),
                         compress_type=zipfile.ZIP_STORED)
        for name in sorted(files):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = 0o644 << 16
            package.writestr(info, files[name], compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description="Packs a flat ODF spreadsheet into an .ots template.")
    parser.add_argument("--out", required=True, help="the .ots to write")
    parser.add_argument("source", help="the .fods to read")
    args = parser.parse_args()
    try:
        with open(args.source, "rb") as f:
            data = pack(f.read())
    except (OSError, ET.ParseError, PackError) as error:
        print("pack_ots: %s: %s" % (args.source, error), file=sys.stderr)
        return 1
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    temporary = args.out + ".tmp"
    with open(temporary, "wb") as f:
        f.write(data)
    os.replace(temporary, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
