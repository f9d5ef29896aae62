#!/usr/bin/env bash
# make test-dates: the whole test suite under libfaketime (Debian's faketime)
# at each instant where a calendar bug would show, one run after another:
#   2027-01-01 00:00:30  new year, new quarter, a holiday on a Friday
#   2026-12-31 23:59:50  every test process starts 10 s before midnight and
#                        most cross it while they run
#   2028-02-29 12:00:00  a leap day
#   2026-12-04 12:00:00  the day `make test` first broke (a month with no
#                        data yet in the stores the tests built)
#   now                  the machine's own clock
# Each process (every test, every office, every kpi run) starts at the instant
# and its clock runs from there (FAKETIME="@…"). Tests pin the product's today
# (KPI_TODAY) where they need one; this run proves nothing else reads the clock.
# Usage: scripts/test-dates.sh [BUILD_DIR] [INSTANT...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
if [ $# -gt 0 ]; then instants=("$@"); else
  instants=("2027-01-01 00:00:30" "2026-12-31 23:59:50" "2028-02-29 12:00:00" "2026-12-04 12:00:00" "$(date '+%Y-%m-%d %H:%M:%S')")
fi
scripts/install-deps.sh dates
# The multi-threaded library: the office and the add-in read the clock on
# several threads. $LIB is expanded by the dynamic loader (x86_64-linux-gnu).
preload='/usr/$LIB/faketime/libfaketimeMT.so.1'
failed=()
for instant in "${instants[@]}"; do
  echo "== make test at $instant (libfaketime)" >&2
  start=$(date +%s)
  if (cd "$build" && LD_PRELOAD="$preload" FAKETIME="@$instant" ctest --output-on-failure -j2 --timeout 1200 -LE faults); then
    echo "== passed at $instant in $(( $(date +%s) - start )) s" >&2
  else
    echo "== FAILED at $instant" >&2
    failed+=("$instant")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  printf 'make test-dates: failed at %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "make test-dates: passed at all ${#instants[@]} instants" >&2
