#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (tests/postgres/README.md).
#
#   scripts/pg-cluster.sh start [--fresh] DIR   initialise (if needed) and start a cluster in DIR
#   scripts/pg-cluster.sh stop DIR              stop it (a cluster that is not running is no error)
#
# The server listens only on a Unix socket (no TCP port: runs cannot clash),
# trusts every local connection and does not fsync (the data are thrown away).
# `start` first stops a server left running from DIR by an interrupted run;
# --fresh also throws its data away. It prints the conninfo of the cluster's
# superuser (kpi_admin) and writes it to DIR/conninfo.
#
# initdb refuses to run as root: as root the cluster runs as the `postgres`
# user. When that user cannot reach DIR (e.g. DIR under /root), or DIR is too
# long for a socket path, the cluster lives in a folder under /tmp named in
# DIR/location instead. PG_BINDIR overrides where initdb and pg_ctl are found.
set -euo pipefail
# The server is not the product: under `make test-dates` it keeps the real clock.
unset LD_PRELOAD FAKETIME

usage() { echo "usage: $0 start [--fresh] DIR | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
action=$1; shift
fresh=0
if [ "$1" = "--fresh" ]; then fresh=1; shift; fi
[ $# -eq 1 ] || usage
case "$action" in start|stop) ;; *) usage ;; esac
mkdir -p "$1"
dir=$(cd "$1" && pwd)

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/initdb" ]; then bindir=$candidate; break; fi
  done
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
  echo "error: PostgreSQL server binaries not found (install postgresql-15: scripts/install-deps.sh build)" >&2
  exit 1
fi

# Who runs the server.
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

# Where the cluster lives: DIR itself, or the folder DIR/location names.
home=$dir
if [ -f "$dir/location" ]; then home=$(cat "$dir/location"); fi

stop_cluster() {
  if [ -f "$home/data/PG_VERSION" ] && [ -f "$home/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$home/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    # A server that would not stop (or a stale pid file of a dead one): make sure.
    if [ -f "$home/data/postmaster.pid" ]; then
      pid=$(head -n1 "$home/data/postmaster.pid")
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        as_owner "$bindir/pg_ctl" -D "$home/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
      else
        rm -f "$home/data/postmaster.pid"
      fi
    fi
  fi
}

if [ "$action" = stop ]; then
  stop_cluster
  exit 0
fi

stop_cluster  # a leftover of an interrupted run
if [ "$fresh" -eq 1 ]; then
  if [ "$home" != "$dir" ]; then rm -rf "$home"; fi
  rm -rf "$dir/data" "$dir/location" "$dir/log" "$dir/conninfo"
  home=$dir
fi

# A folder the owner can reach and whose socket path fits (sun_path: 107 bytes).
reachable() { as_owner test -w "$1" -a -x "$1" 2>/dev/null; }
if [ "$home" = "$dir" ]; then
  [ "$owner" = postgres ] && chown postgres: "$dir" 2>/dev/null || true
  if ! reachable "$dir" || [ ${#dir} -gt 80 ]; then
    home=$(mktemp -d /tmp/kpi-pg.XXXXXX)
    [ "$owner" = postgres ] && chown postgres: "$home"
    echo "$home" >"$dir/location"
  fi
fi

if [ ! -f "$home/data/PG_VERSION" ]; then
  rm -rf "$home/data"
  as_owner "$bindir/initdb" -D "$home/data" -A trust -U kpi_admin --no-sync -E UTF8 --locale=C.UTF-8 \
    >"$home/initdb.log" 2>&1 || { cat "$home/initdb.log" >&2; exit 1; }
fi
as_owner "$bindir/pg_ctl" -D "$home/data" -w -t 60 -l "$home/log" \
  -o "-k $home -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$home/log" >&2; exit 1; }

conninfo="host=$home user=kpi_admin dbname=postgres"
echo "$conninfo" >"$dir/conninfo"
echo "$conninfo"
