#!/usr/bin/env python3
"""An import `kpi` reports as done is on disk: between the import's last write
to the store's WAL and the line "imported …", the WAL was synced (fsync or
fdatasync). With WAL's usual synchronous=NORMAL it would not be: the WAL is
then synced only at a checkpoint, and a power cut in between takes back a
transaction already reported as committed (docs/reliability.md).

Seen from outside with strace, on a real import:
  test_commit_durability.py --kpi KPI
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

CALL = re.compile(r"^(\d+) +(\w+)\((\d+|AT_FDCWD)?(?:, )?(.*)\) += (-?\d+)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kpi", required=True)
    args = ap.parse_args()
    if not shutil.which("strace"):
        sys.exit("test_commit_durability: needs strace (scripts/install-deps.sh faults)")
    kpi = os.path.abspath(args.kpi)
    work = tempfile.mkdtemp(prefix="kpi-durability-")
    try:
        p = subprocess.run([sys.executable, os.path.join(HERE, "fault_data.py"), "--kpi", kpi, "--out", work],
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(p.stderr)
        store = os.path.join(work, "store.sqlite")
        subprocess.run([kpi, "--store", store, "init"], check=True, capture_output=True)
        before = sorted(os.path.join(work, "before", f) for f in os.listdir(os.path.join(work, "before")))
        subprocess.run([kpi, "--store", store, "import", *before], check=True, capture_output=True)
        after = sorted(os.path.join(work, "after", f) for f in os.listdir(os.path.join(work, "after")))
        trace = os.path.join(work, "trace.txt")
        p = subprocess.run(["strace", "-f", "-qq", "-s", "64", "-o", trace, "-e",
                            "trace=openat,close,write,pwrite64,pwritev,fsync,fdatasync", kpi, "--store", store,
                            "import", *after], capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"kpi import failed under strace:\n{p.stderr}")
        wal = store + "-wal"
        open_files = {}
        last_wal_write = None
        synced_after_last_write = False
        reported = None
        events = 0
        with open(trace) as f:
            for n, line in enumerate(f):
                m = CALL.match(line)
                if not m:
                    continue
                events += 1
                pid, call, fd, rest, result = m.groups()
                if call == "openat" and int(result) >= 0:
                    path = rest.split('"')[1] if '"' in rest else ""
                    open_files[(pid, int(result))] = path
                    continue
                if fd is None or fd == "AT_FDCWD":
                    continue
                path = open_files.get((pid, int(fd)))
                if call == "close":
                    open_files.pop((pid, int(fd)), None)
                elif call in ("write", "pwrite64", "pwritev") and path == wal:
                    last_wal_write = n
                    synced_after_last_write = False
                elif call in ("fsync", "fdatasync") and path == wal and last_wal_write is not None:
                    synced_after_last_write = True
                elif call == "write" and int(fd) == 2 and "imported " in rest and reported is None:
                    reported = n
                    break
        problems = []
        if reported is None:
            problems.append("no 'imported' line in the trace")
        if last_wal_write is None:
            problems.append("the import wrote nothing to the WAL")
        elif not synced_after_last_write:
            problems.append("the WAL was not synced between the import's last write to it and 'imported'")
        print(f"{events} system calls traced; last WAL write at event line {last_wal_write}, "
              f"'imported' at {reported}, WAL synced in between: {synced_after_last_write}")
        for problem in problems:
            print("FAIL  " + problem)
        if not problems:
            print("ok    an import reported as done was synced to disk first")
        return 1 if problems else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
