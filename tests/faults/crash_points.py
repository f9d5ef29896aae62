#!/usr/bin/env python3
"""kill -9 a command that writes the store at random moments; after each kill
the store must be exactly as before the command or exactly as after it (the
`sqlite3 .dump` of both, timestamps masked) and pass PRAGMA integrity_check and
foreign_key_check.

Any command line that writes a store will do (one line per suite in
tests/faults/CMakeLists.txt):

  crash_points.py --kills 100 \\
      --prepare '{python} fault_data.py --kpi {kpi} --out {work}'   # once
      --before '{kpi} --store {store} init'                          # builds the store of "before", once
      --before '{kpi} --store {store} import {work}/before/*.csv' \\
      --command '{kpi} --store {store} import {work}/after/*.csv'    # killed

Placeholders: {kpi} (--kpi), {python}, {here} (this folder), {work} (a
scratch folder), {store} (the store the command writes). Commands run in a
shell (globs work), in a process group of their own: the kill reaches
whatever the shell started.

How it goes: the "before" store is built once and its dump taken; the command
runs three times to the end on a copy (the "after" dump, and T, the shortest
time it takes);
then, --kills times, a fresh copy of the "before" store is written by the
command, which is killed with SIGKILL after a random delay (every other kill
in [0, 1.1 T], the others in [0.55 T, 1.1 T], where writes and commits are, or
with --focus REGEX from the moment the command prints such a line); the
store is then opened (its WAL recovered, as the next reader would) and
compared. Results: one line per kill with --verbose, a summary, and JSON with
--json (docs/reliability.md quotes it). Exit status 1 on any mismatch.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Times a program records from the clock (the target audit's changed_at, a
# close's time): equal rows at other moments. Extend with --mask.
DEFAULT_MASKS = [r"'\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}'"]


def expand(template, values):
    return template.format(**values)


def run_shell(command, check=True):
    p = subprocess.run(command, shell=True, capture_output=True, text=True)
    if check and p.returncode != 0:
        sys.exit(f"crash_points: `{command}` failed ({p.returncode}):\n{p.stderr}")
    return p


def remove_store(store):
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(store + suffix):
            os.remove(store + suffix)


def copy_store(source, target):
    remove_store(target)
    for suffix in ("", "-wal"):
        if os.path.exists(source + suffix):
            shutil.copyfile(source + suffix, target + suffix)


def dump(store, masks):
    """The store as `sqlite3 .dump` prints it (the WAL recovered first), masked."""
    p = subprocess.run(["sqlite3", store, ".dump"], capture_output=True, text=True)
    if p.returncode != 0:
        return None, f"sqlite3 .dump failed: {p.stderr.strip()}"
    text = p.stdout
    for mask in masks:
        text = re.sub(mask, "'<masked>'", text)
    return text, None


def checks(store):
    """PRAGMA integrity_check and foreign_key_check: '' when both are clean."""
    p = subprocess.run(["sqlite3", store, "PRAGMA integrity_check;", "PRAGMA foreign_key_check;"],
                       capture_output=True, text=True)
    out = p.stdout.strip()
    if p.returncode != 0:
        return f"sqlite3 failed: {p.stderr.strip()}"
    return "" if out == "ok" else out


def start(command):
    return subprocess.Popen(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


class Watch:
    """The moment a running command's stderr first shows a line matching focus."""

    def __init__(self, process, focus):
        self.seen = threading.Event()
        self.lines = []
        self.thread = threading.Thread(target=self._read, args=(process, re.compile(focus) if focus else None),
                                       daemon=True)
        self.thread.start()

    def _read(self, process, focus):
        for line in process.stderr:
            self.lines.append(line)
            if focus and focus.search(line):
                self.seen.set()

    def output(self):
        self.thread.join()
        return "".join(self.lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kpi", required=True, help="the kpi command ({kpi})")
    ap.add_argument("--name", default="crash", help="what the results are called")
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock, printed)")
    ap.add_argument("--prepare", action="append", default=[], help="run once first (data)")
    ap.add_argument("--before", action="append", default=[], help="builds the store as it is before the command")
    ap.add_argument("--command", required=True, help="the command that is killed")
    ap.add_argument("--mask", action="append", default=[], help="a regex of text to mask in dumps")
    ap.add_argument("--focus", help="a regex of a line the command prints on stderr: every other kill falls "
                                    "between that line and the end (e.g. the start of an import's write)")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    masks = DEFAULT_MASKS + args.mask

    work = tempfile.mkdtemp(prefix=f"kpi-{args.name}-")
    base = os.path.join(work, "before.sqlite")
    store = os.path.join(work, "store.sqlite")
    values = {"kpi": os.path.abspath(args.kpi), "python": sys.executable, "here": HERE, "work": work}
    try:
        for command in args.prepare:
            run_shell(expand(command, {**values, "store": base}))
        for command in args.before:
            run_shell(expand(command, {**values, "store": base}))
        before, error = dump(base, masks)
        if error:
            sys.exit(f"crash_points: the store before: {error}")
        command = expand(args.command, {**values, "store": store})

        # The whole run, three times: the dump after, and how long it takes.
        durations, focus_at = [], []
        after = None
        for _ in range(3):
            copy_store(base, store)
            t = time.monotonic()
            p = start(command)
            watch = Watch(p, args.focus)
            if args.focus and watch.seen.wait(timeout=600):
                focus_at.append(time.monotonic() - t)
            p.wait()
            err = watch.output()
            durations.append(time.monotonic() - t)
            if p.returncode != 0:
                sys.exit(f"crash_points: `{command}` failed ({p.returncode}):\n{err}")
            if args.focus and len(focus_at) < len(durations):
                sys.exit(f"crash_points: `{command}` never printed a line matching --focus {args.focus!r}")
            after, error = dump(store, masks)
            if error:
                sys.exit(f"crash_points: the store after: {error}")
        if after == before:
            sys.exit("crash_points: the command changes nothing; nothing to test")
        # The shortest of the three runs: later runs, their files cached, are
        # the quicker ones, and a kill after the end tests nothing.
        span = 1.1 * min(durations)
        # The focused kills: from the focus line to a little past the end.
        focus_span = span - min(focus_at) if focus_at else 0

        outcomes = {"before": 0, "after": 0, "mismatch": 0, "finished": 0}
        mismatches = []
        for kill in range(1, args.kills + 1):
            copy_store(base, store)
            # Every other kill anywhere in the run; the others in its second
            # half (where a writer writes and commits), or with --focus between
            # the focus line and the end.
            focused = kill % 2 == 0
            p = start(command)
            watch = Watch(p, args.focus)
            if focused and args.focus:
                watch.seen.wait(timeout=600)
                delay = rng.uniform(0, focus_span)
            else:
                delay = rng.uniform(0, span) if not focused else rng.uniform(0.5 * span, span)
            time.sleep(delay)
            finished = p.poll() is not None
            if not finished:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            watch.output()
            if finished:
                outcomes["finished"] += 1
            state, error = dump(store, masks)
            problems = error or checks(store)
            if not problems and state == before:
                outcome = "before"
            elif not problems and state == after:
                outcome = "after"
            else:
                outcome = "mismatch"
                kept = os.path.join(work, f"mismatch-{kill}.sqlite")
                copy_store(store, kept)
                mismatches.append({"kill": kill, "delay_s": delay, "problem": problems or "neither before nor after",
                                   "store": kept})
            outcomes[outcome] += 1
            if args.verbose:
                print(f"kill {kill:3d} at {delay * 1000:7.1f} ms{' after the focus line' if focused and args.focus else ''}"
                      f": {outcome}{' (had finished)' if finished else ''}")
        result = {"name": args.name, "command": args.command, "seed": seed, "kills": args.kills,
                  "run_s": min(durations), **outcomes, "mismatches": mismatches}
        print(f"{args.name}: {args.kills} kills over {span * 1000:.0f} ms (seed {seed}): {outcomes['before']} left the "
              f"store as before, {outcomes['after']} as after ({outcomes['finished']} of them had finished), "
              f"{outcomes['mismatch']} mismatches")
        for m in mismatches:
            print(f"  MISMATCH kill {m['kill']} at {m['delay_s'] * 1000:.1f} ms: {m['problem'][:500]} ({m['store']})")
        if args.json:
            os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
            with open(args.json, "w") as f:
                json.dump(result, f, indent=2)
        if mismatches:
            args.keep = True
            print(f"stores kept in {work}")
        return 1 if mismatches else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
