"""build/saleskpi.oxt without an office: what it contains, what description.xml
says, and that its type library and .components agree with the function
catalog (the IDL is generated from the catalog; this proves the chain).
"""

import json
import os
import re
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zipfile

import office_harness as oh

DESCRIPTION_NS = {
    "d": "http://openoffice.org/extensions/description/2006",
    "lo": "http://libreoffice.org/extensions/description/2011",
    "xlink": "http://www.w3.org/1999/xlink",
}
MANIFEST_NS = {"manifest": "http://openoffice.org/2001/manifest"}
COMPONENTS_NS = {"c": "http://openoffice.org/2010/uno-components"}
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
UNOIDL_READ = "/usr/lib/libreoffice/sdk/bin/unoidl-read"
OFFICE_TYPES = [os.path.join(oh.PROGRAM_DIR, "types.rdb"), os.path.join(oh.PROGRAM_DIR, "types", "offapi.rdb")]


def project_version():
    with open(os.path.join(oh.REPO, "CMakeLists.txt"), encoding="utf-8") as cmake:
        return re.search(r"project\(SalesKPI VERSION ([0-9.]+)", cmake.read()).group(1)


# The department templates and the configuration that adds their folder.
TEMPLATE_FILES = {"Paths.xcu"} | {"templates/SalesKPI/%s-%s.ots" % (name, language)
                                  for name in ("manager_dashboard", "employee_scorecard", "finance_rewards", "targets")
                                  for language in ("en", "vi")}

# The reward statement template of Export statements… (docs/rewards.md), outside
# the template manager's folder.
STATEMENT_FILES = {"statements/statement-%s.fods" % language for language in ("en", "vi")}

# The SalesKPI menu, its commands, the report sheets' job and the options page
# (docs/reports-and-targets.md).
COMMAND_CONFIGURATION = {"config/%s.xcu" % name for name in ("Addons", "ProtocolHandler", "Jobs", "OptionsDialog")}
COMMAND_FILES = COMMAND_CONFIGURATION | {"dialogs/%s%s" % (dialog, suffix) for dialog in ("Options", "ReportSheet", "SuggestTargets",
                                                                                          "ExportStatements")
                                         for suffix in (".xdl", "_en_US.default", "_en_US.properties",
                                                        "_vi_VN.properties")}

# The sidebar deck and its panel's factory (docs/sidebar.md).
SIDEBAR_CONFIGURATION = {"config/Sidebar.xcu", "config/Factories.xcu"}
SIDEBAR_FILES = SIDEBAR_CONFIGURATION | {"icons/sidebar.png"}


class Package(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.oxt = zipfile.ZipFile(oh.OXT)
        cls.addClassCleanup(cls.oxt.close)
        cls.names = set(cls.oxt.namelist())
        with open(oh.CATALOG_JSON, encoding="utf-8") as catalog:
            cls.catalog = json.load(catalog)

    def xml(self, name):
        return ET.fromstring(self.oxt.read(name))

    def extract(self, name):
        """A packed file, written to a temporary directory."""
        directory = tempfile.TemporaryDirectory(prefix="saleskpi-package-")
        self.addCleanup(directory.cleanup)
        path = os.path.join(directory.name, os.path.basename(name))
        with open(path, "wb") as out:
            out.write(self.oxt.read(name))
        return path

    def test_has_no_stray_entries(self):
        files = {name for name in self.names if not name.endswith("/")}
        self.assertEqual(files, {
            "META-INF/manifest.xml", "description.xml", "saleskpi.components", "saleskpi.rdb",
            "lib/libsaleskpi.so", "config/Settings.xcs",
            "description/description_en.txt", "description/description_vi.txt",
            "registration/license_en.txt", "registration/license_vi.txt"} | TEMPLATE_FILES | COMMAND_FILES
            | SIDEBAR_FILES | STATEMENT_FILES)
        self.assertFalse(any(name.startswith("./") or name.startswith("/") for name in self.names))

    def test_the_manifest_lists_components_types_and_configuration(self):
        entries = {e.get("{%s}full-path" % MANIFEST_NS["manifest"]): e.get("{%s}media-type" % MANIFEST_NS["manifest"])
                   for e in self.xml("META-INF/manifest.xml").findall("manifest:file-entry", MANIFEST_NS)}
        self.assertEqual(entries, {
            "saleskpi.components": "application/vnd.sun.star.uno-components;platform=Linux_x86_64",
            "saleskpi.rdb": "application/vnd.sun.star.uno-typelibrary;type=RDB",
            "config/Settings.xcs": "application/vnd.sun.star.configuration-schema",
            "Paths.xcu": "application/vnd.sun.star.configuration-data",
        } | {xcu: "application/vnd.sun.star.configuration-data" for xcu in COMMAND_CONFIGURATION | SIDEBAR_CONFIGURATION})
        for path in entries:
            self.assertIn(path, self.names)

    def test_the_description_names_version_platform_languages_and_license(self):
        root = self.xml("description.xml")
        self.assertEqual(root.find("d:identifier", DESCRIPTION_NS).get("value"), "org.saleskpi.extension")
        self.assertEqual(root.find("d:version", DESCRIPTION_NS).get("value"), project_version())
        self.assertEqual(root.find("d:platform", DESCRIPTION_NS).get("value"), "linux_x86_64")
        minimal = root.find("d:dependencies/lo:LibreOffice-minimal-version", DESCRIPTION_NS)
        self.assertEqual(minimal.get("value"), "7.4")
        names = {n.get("lang"): n.text for n in root.findall("d:display-name/d:name", DESCRIPTION_NS)}
        self.assertEqual(set(names), {"en", "vi"})
        self.assertIn("chỉ số KPI", names["vi"])
        descriptions = {s.get("lang"): s.get(XLINK_HREF)
                        for s in root.findall("d:extension-description/d:src", DESCRIPTION_NS)}
        self.assertEqual(set(descriptions), {"en", "vi"})
        for href in descriptions.values():
            self.assertIn(href, self.names)
        self.assertTrue(root.find("d:publisher/d:name", DESCRIPTION_NS).text)
        licenses = root.findall("d:registration/d:simple-license/d:license-text", DESCRIPTION_NS)
        self.assertEqual({l.get("lang") for l in licenses}, {"en", "vi"})
        for text in licenses:
            self.assertIn(text.get(XLINK_HREF), self.names)

    def test_the_components_file_registers_the_catalogs_service_as_an_add_in(self):
        component = self.xml("saleskpi.components").find("c:component", COMPONENTS_NS)
        self.assertEqual(component.get("uri"), "lib/libsaleskpi.so")
        self.assertEqual(component.get("loader"), "com.sun.star.loader.SharedLibrary")
        implementation = component.find("c:implementation", COMPONENTS_NS)
        services = {s.get("name") for s in implementation.findall("c:service", COMPONENTS_NS)}
        self.assertEqual(services, {self.catalog["service"], "com.sun.star.sheet.AddIn"})

    def test_the_type_library_declares_every_catalog_function(self):
        rdb = self.extract("saleskpi.rdb")
        listing = subprocess.run([UNOIDL_READ] + OFFICE_TYPES + [rdb], capture_output=True, text=True,
                                 check=True).stdout
        methods = dict(re.findall(r"any (\w+)\(([^)]*)\) raises \(::com::sun::star::lang::IllegalArgumentException\);",
                                  listing))
        self.assertEqual(set(methods), {f["programmatic_name"] for f in self.catalog["functions"]})
        for function in self.catalog["functions"]:
            expected = ", ".join("[in] %s %s" % (("::" + a["idl_type"]) if "::" in a["idl_type"] else a["idl_type"],
                                                 a["idl_name"]) for a in function["arguments"])
            self.assertEqual(methods[function["programmatic_name"]], expected, function["programmatic_name"])

    def test_the_library_exports_only_the_factory(self):
        library = self.extract("lib/libsaleskpi.so")
        symbols = subprocess.run(["nm", "-D", "--defined-only", library], capture_output=True, text=True,
                                 check=True).stdout.split("\n")
        functions = {line.split()[-1] for line in symbols if " T " in line}
        self.assertEqual(functions, {"component_getFactory"})
        dynamic = subprocess.run(["readelf", "-d", library], capture_output=True, text=True, check=True).stdout
        self.assertIn("[$ORIGIN]", dynamic)  # nothing from the build machine


if __name__ == "__main__":
    unittest.main()
