#!/usr/bin/env bash
# Runs one libFuzzer binary for $FUZZ_SECONDS (default 60) from its seed corpus
# (read only) and a working corpus in the build tree (what it finds is kept
# there between runs, never written into the source tree). Exit status: the
# fuzzer's, non-zero on a crash, a leak, a timeout or undefined behaviour; the
# input that did it is left in WORK/artifacts/.
# Usage: run_fuzzer.sh FUZZER SEED_CORPUS WORK_DIR
set -euo pipefail
fuzzer=$1
seeds=$2
work=$3
seconds=${FUZZ_SECONDS:-60}
mkdir -p "$work/corpus" "$work/artifacts"
set +e
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" >"$work/log.txt" 2>&1
status=$?
set -e
grep -E "^(#[0-9]+ +DONE|Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb)" "$work/log.txt" || true
if [ $status -ne 0 ]; then
  tail -n 60 "$work/log.txt"
  echo "$(basename "$fuzzer"): failed (exit $status); the input is in $work/artifacts/" >&2
fi
exit $status
