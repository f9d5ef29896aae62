#!/usr/bin/env python3
"""Runs the server part of docs/postgresql.md against the throwaway cluster.

Each fenced block preceded by a marker comment is run in order:
  <!-- test: superuser -->        ```sql: psql as the cluster's superuser (database postgres; \\connect allowed)
  <!-- test: pg_service.conf -->  ```ini: written as the service file (PGSERVICEFILE), host= pointing at the cluster
  <!-- test: shell -->            ```sh: bash -e, with kpi on PATH, in a scratch folder (a pipeline's
                                  status is its last command's)
  <!-- test: output -->           ```text: what the shell block before it printed ('…' stands for any text)
The cluster's conninfo comes from KPI_TEST_PG (tests/postgres/README.md).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROLES = ["kpi_owner", "lan", "hung", "ketoan", "dms"]
DATABASES = ["saleskpi", "saleskpi_restored"]


def admin_conninfo():
    setting = os.environ.get("KPI_TEST_PG", "")
    if not setting:
        sys.exit("KPI_TEST_PG is not set (run through ctest: tests/postgres/README.md)")
    if "=" in setting:
        return setting.strip()
    with open(setting, encoding="utf-8") as f:
        return f.readline().strip()


def blocks(markdown):
    """(kind, language, body) of every marked block, in order."""
    pattern = re.compile(r"<!-- test: ([\w.]+) -->\n```(\w+)\n(.*?)```", re.S)
    return [(m.group(1), m.group(2), m.group(3)) for m in pattern.finditer(markdown)]


def psql(conninfo, sql):
    return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", conninfo, "-f", "-"], input=sql,
                          text=True, capture_output=True)


def clean(conninfo):
    sql = "".join(f'DROP DATABASE IF EXISTS "{d}" WITH (FORCE);\n' for d in DATABASES)
    sql += "".join(f'DROP ROLE IF EXISTS "{r}";\n' for r in ROLES)
    result = psql(conninfo + " dbname=postgres", sql)
    if result.returncode != 0:
        sys.exit("cannot clean up: " + result.stderr)


def matches(expected, actual):
    pattern = "".join(".*?" if part == "…" else re.escape(part) for part in re.split(r"(…)", expected))
    return re.fullmatch(pattern, actual, re.S) is not None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--doc", required=True)
    parser.add_argument("--kpi", required=True)
    args = parser.parse_args()
    admin = admin_conninfo()
    host = re.search(r"host=(\S+)", admin).group(1)
    with open(args.doc, encoding="utf-8") as f:
        todo = blocks(f.read())
    kinds = [kind for kind, _, _ in todo]
    assert kinds.count("shell") >= 6 and kinds.count("superuser") >= 3 and "pg_service.conf" in kinds, kinds

    work = tempfile.mkdtemp(prefix="kpi-pg-docs-")
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(os.path.abspath(args.kpi)) + os.pathsep + env["PATH"]
    env["PGSERVICEFILE"] = os.path.join(work, "pg_service.conf")
    env["KPI_TODAY"] = "2026-11-20"
    for key in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE"):
        env.pop(key, None)
    clean(admin)
    failures = 0
    last_output = None
    try:
        for number, (kind, language, body) in enumerate(todo, 1):
            where = f"block {number} ({kind})"
            if kind == "superuser":
                result = psql(admin + " dbname=postgres", body)
                if result.returncode != 0:
                    print(f"{where} failed:\n{body}\n{result.stderr}")
                    return 1
            elif kind == "pg_service.conf":
                text = re.sub(r"^host=.*$", "host=" + host, body, flags=re.M)
                with open(env["PGSERVICEFILE"], "w", encoding="utf-8") as f:
                    f.write(text)
            elif kind == "shell":
                # What a terminal shows: stdout and stderr together.
                result = subprocess.run(["bash", "-e", "-c", body], cwd=work, env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                if result.returncode != 0:
                    print(f"{where} failed ({result.returncode}):\n{body}\n{result.stdout}")
                    return 1
                last_output = result.stdout
            elif kind == "output":
                if last_output is None or not matches(body, last_output):
                    print(f"{where}: expected\n{body}but the block before printed\n{last_output}")
                    failures += 1
                last_output = None
            else:
                print(f"{where}: unknown kind")
                return 1
        print(f"{len(todo)} blocks of {args.doc} run, {failures} outputs differ")
        return 1 if failures else 0
    finally:
        clean(admin)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
