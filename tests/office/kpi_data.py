"""Stores for the office tests, and the engine's word on them: the kpi CLI.

Stores live in directories owned by the office user (SQLite readers of a WAL
store need to write its -shm file), and the CLI runs as that user too.
"""

import csv
import io
import os
import shutil

from office_harness import KPI, PINNED_TODAY, OfficeTestCase, give_to_office_user, make_private_dir, run_as_office_user

# The demo distributor; its activity ends on the pinned today unless a test
# asks for another last day.
DEMO_ARGS = ["--size", "20", "--seed", "7"]

# A supervisor with two salespeople, Vietnamese names; SR01 has a monthly
# target for REV, SR02 has none. Only approved orders count (SO3 is pending).
# Salesperson 1001 (a numeric code) has no orders.
TINY_CSV = {
    "employees.csv": "code,name,role,manager_code,department,region,start_date,end_date\n"
                     "SS01,Nguyễn Văn An,SS,,Sales HCM,South,2025-01-01,\n"
                     "SR01,Trần Thị Bình,SR,SS01,Sales HCM,South,2025-01-01,\n"
                     "SR02,Lê Văn Cường,SR,SS01,Sales HCM,South,2025-01-01,\n"
                     "1001,Phạm Thị Dung,SR,,Sales HN,North,2025-01-01,\n",
    "outlets.csv": "code,name,channel,province,created_date,created_by\n"
                   "O1,Tạp hóa Cô Ba,GT,HCM,2025-02-01,SR01\n"
                   "O2,Cửa hàng Hương Quê,GT,HCM,2025-02-01,SR02\n",
    "products.csv": "sku,name,category,brand\nP1,Nước mắm 500ml,Sauce,Acme\n",
    "kpis.csv": "code,type,name_vi,name_en,description,applies_to,unit,params,cap\n"
                "REV,SALES,Doanh số,Revenue,,,VND,,\n",
    "targets.csv": "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n"
                   "SR01,REV,MONTH,2026-01-01,2026-12-31,1000000,1\n",
    "orders.csv": "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n"
                  "SO1,SR01,O1,2026-11-02 09:00:00,sale,approved,2026-11-02 10:00:00\n"
                  "SO2,SR02,O2,2026-11-03 09:30:00,sale,approved,\n"
                  "SO3,SR01,O1,2026-11-04 09:00:00,sale,pending,\n",
    "order_lines.csv": "order_code,line_no,sku,quantity,amount\n"
                       "SO1,1,P1,10,250000\n"
                       "SO2,1,P1,4,100000\n"
                       "SO3,1,P1,1,25000\n",
}

def extra_order_csv(order_code, amount, order_time="2026-11-05 08:00:00"):
    """One more approved order of SR01 at O2, of the given amount (VND)."""
    return {
        "orders.csv": "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n"
                      "%s,SR01,O2,%s,sale,approved,\n" % (order_code, order_time),
        "order_lines.csv": "order_code,line_no,sku,quantity,amount\n%s,1,P1,2,%d\n" % (order_code, amount),
    }


class Cli:
    """The kpi command on one store, with the product's today pinned (the
    office's, KPI_TODAY)."""

    def __init__(self, store, today=PINNED_TODAY):
        self.store = store
        self.today = today
        self.csv_dir = os.path.join(os.path.dirname(store), "csv")

    def csv_rows(self, name):
        """Rows of one of the CSV files the store was made from."""
        with open(os.path.join(self.csv_dir, name), encoding="utf-8-sig") as source:
            return list(csv.DictReader(source))

    def run(self, *args):
        return run_as_office_user([KPI, "--store", self.store] + list(args), env={"KPI_TODAY": self.today},
                                  home=os.path.dirname(self.store))

    def actual(self, employee, kpi, period):
        return float(self.run("actual", employee, kpi, period).strip())

    def report(self, period, employee=None, type_=None):
        args = ["report", "--period", period, "--format", "csv"]
        if employee:
            args += ["--employee", employee]
        if type_:
            args += ["--type", type_]
        return list(csv.DictReader(io.StringIO(self.run(*args))))

    def scores(self, period):
        rows = csv.DictReader(io.StringIO(self.run("score", "--period", period, "--format", "csv")))
        return {row["employee_code"]: number(row["score"]) for row in rows}

    def import_csv(self, files, directory=None):
        """Imports {file name: CSV text}; the files are written to directory
        (kept) or to a temporary one (removed)."""
        if directory is None:
            directory = make_private_dir("saleskpi-csv-")
            try:
                return self.import_csv(files, directory)
            finally:
                shutil.rmtree(directory, ignore_errors=True)
        paths = []
        for name, text in files.items():
            path = os.path.join(directory, name)
            with open(path, "w", encoding="utf-8") as out:
                out.write(text)
            paths.append(path)
        give_to_office_user(directory)
        self.run("import", *paths)
        return None


def number(text):
    """A CLI field: a float, or None when absent."""
    return float(text) if text != "" else None


def make_store(directory, files=None, until=PINNED_TODAY):
    """Creates <directory>/kpi.sqlite: the demo distributor (activity up to
    `until`, which is also the today of the returned Cli), or the given CSVs.
    The CSV files stay in <directory>/csv."""
    os.makedirs(directory, exist_ok=True)
    give_to_office_user(directory)
    cli = Cli(os.path.join(directory, "kpi.sqlite"), today=until)
    cli.run("init")
    csv_dir = os.path.join(directory, "csv")
    os.makedirs(csv_dir, exist_ok=True)
    give_to_office_user(csv_dir)
    if files is None:
        cli.run("demo-data", "--csv-dir", csv_dir, "--until", until, *DEMO_ARGS)
    else:
        cli.import_csv(files, csv_dir)
    give_to_office_user(directory)
    return cli


class DemoStoreTestCase(OfficeTestCase):
    """An office whose KPI_STORE names the demo distributor, made for the
    class in <data_dir>/demo; cls.cli gives the engine's word on it."""

    @classmethod
    def prepare_data(cls):
        cls.cli = make_store(os.path.join(cls.data_dir, "demo"))

    @classmethod
    def office_env(cls, data_dir):
        return {"KPI_STORE": os.path.join(data_dir, "demo", "kpi.sqlite")}
