#!/usr/bin/env bash
# scripts/pg-cluster.sh itself: start, a second start over a running server, a
# killed server's leftovers, a folder too long for a socket path, stop twice.
# Usage: test_cluster_script.sh SCRIPT WORKDIR
set -euo pipefail
script=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAILED: $*" >&2; exit 1; }
query() { psql -X -At "$(cat "$1/conninfo")" -c "$2"; }

dir=$work/a
"$script" start --fresh "$dir" >/dev/null
[ "$(query "$dir" 'SELECT current_user')" = kpi_admin ] || fail "no superuser kpi_admin"
query "$dir" "CREATE DATABASE kept" >/dev/null
# Started again while running (an interrupted run's leftover): stopped and started, data kept.
"$script" start "$dir" >/dev/null
[ "$(query "$dir" "SELECT count(*) FROM pg_database WHERE datname = 'kept'")" = 1 ] || fail "data lost on restart"
# A server killed hard leaves postmaster.pid behind: the next start copes.
home=$dir; [ -f "$dir/location" ] && home=$(cat "$dir/location")
kill -9 "$(head -n 1 "$home/data/postmaster.pid")"
for _ in $(seq 50); do query "$dir" 'SELECT 1' >/dev/null 2>&1 || break; sleep 0.1; done
"$script" start "$dir" >/dev/null
[ "$(query "$dir" 'SELECT 1')" = 1 ] || fail "no restart after kill -9"
# --fresh throws the data away.
"$script" start --fresh "$dir" >/dev/null
[ "$(query "$dir" "SELECT count(*) FROM pg_database WHERE datname = 'kept'")" = 0 ] || fail "--fresh kept data"
"$script" stop "$dir"
query "$dir" 'SELECT 1' >/dev/null 2>&1 && fail "still running after stop"
"$script" stop "$dir" || fail "a second stop failed"
# A folder whose socket path would be too long: the cluster lives under /tmp, named in DIR/location.
long=$work/$(printf 'x%.0s' $(seq 100))
"$script" start "$long" >/dev/null
[ -f "$long/location" ] || fail "no location file for a long folder"
grep -q "host=/tmp/kpi-pg." "$long/conninfo" || fail "conninfo does not name the /tmp folder"
[ "$(query "$long" 'SELECT 1')" = 1 ] || fail "long folder's cluster not reachable"
"$script" start --fresh "$long" >/dev/null   # the old /tmp folder goes, a new one comes
[ "$(query "$long" 'SELECT 1')" = 1 ] || fail "long folder's fresh cluster not reachable"
"$script" stop "$long"
rm -rf "$(cat "$long/location")" "$work"
# Misuse is refused with the usage.
if "$script" begin "$work" 2>/dev/null; then fail "an unknown action was taken"; fi
echo "pg-cluster.sh: all cases passed"
