"""The test server for Python tests (README.md here): KPI_TEST_PG's conninfo,
and a database of a test's own, made and dropped with psql."""

import os
import shutil
import subprocess


def admin_conninfo():
    """The superuser's conninfo: KPI_TEST_PG itself when it holds '=', else the
    first line of the file it names. None when unset."""
    value = os.environ.get("KPI_TEST_PG", "")
    if not value:
        return None
    if "=" in value:
        return value
    with open(value, encoding="utf-8") as f:
        return f.readline().strip()


def psql(conninfo, sql):
    psql_bin = shutil.which("psql") or "/usr/bin/psql"
    p = subprocess.run([psql_bin, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("psql %s: %s" % (sql, p.stderr.decode("utf-8", "replace")))
    return p.stdout.decode("utf-8", "replace")


class Database:
    """CREATE DATABASE <name> on enter, DROP on exit; .location is its conninfo
    (the admin's, with dbname set: a later keyword wins in a conninfo)."""

    def __init__(self, name, admin=None):
        self.admin = admin or admin_conninfo()
        self.name = name
        self.location = "%s dbname=%s" % (self.admin, name)

    def __enter__(self):
        psql(self.admin, "DROP DATABASE IF EXISTS %s" % self.name)
        psql(self.admin, "CREATE DATABASE %s" % self.name)
        return self

    def __exit__(self, *exc):
        try:
            psql(self.admin, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.name)
        except Exception:  # noqa: BLE001 - a drop that fails leaves a database in a throwaway cluster
            pass
        return False


def run_kpi(kpi, today, args, check=True, env=None, timeout=600):
    """Runs `kpi ARGS` with KPI_TODAY pinned; a failure (when check) names the command and its stderr."""
    env = dict(os.environ if env is None else env, KPI_TODAY=today)
    p = subprocess.run([kpi, *args], capture_output=True, text=True, env=env, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"kpi {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return p
