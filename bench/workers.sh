#!/usr/bin/env bash
# bench/workers.sh sqlite | pg N — one cold cycle of the benchmark farm into a fresh store:
#   sqlite   one `tindex run --once` into a new SQLite file (the default store)
#   pg N     N workers (`run --once`, started together) into a new PostgreSQL database
# Prints one line: stories stored, and the machine's busy CPU seconds during the run (all
# processes: the PostgreSQL server's backends are not children of this script, so a timer of
# this process tree alone does not see them).
# Needs: the farm served (bash ../shared/bench/serve.sh start FARM 18080), FEEDS=FARM/feeds.txt
# (or the farm of several hosts: bench/hosts.sh start DIR 3, FEEDS=DIR/feeds.txt CFG=DIR/tindex.toml),
# and for pg a server: PG_URL=postgresql://USER@%2Ftmp%2FDIR/postgres (.ci/postgres.sh start DIR).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${BIN:-$here/../target/release/tindex}
cfg=${CFG:-$here/tindex-bench.toml}
feeds=${FEEDS:?FEEDS=farm feeds.txt}
work=${WORK:-/tmp/tindex-workers-bench}
mkdir -p "$work"
busy() { awk '/^cpu /{print $2+$3+$4+$6+$7+$8}' /proc/stat; }
before=$(busy)
case "${1:?sqlite|pg N}" in
sqlite)
    # The archive and the raw pages file beside it (t.pages.sqlite), fresh each run.
    rm -f "$work"/t.sqlite* "$work"/t.pages.sqlite*
    "$bin" --quiet --config "$cfg" --db "$work/t.sqlite" --feeds-file "$feeds" run --once
    stored=$(sqlite3 "$work/t.sqlite" "SELECT count(*) FROM articles WHERE status = 'ok'")
    ;;
pg)
    n=${2:?number of workers}
    admin=${PG_URL:?PG_URL}
    db=${admin%/*}/tindex_bench
    psql "$admin" -qc "DROP DATABASE IF EXISTS tindex_bench WITH (FORCE)" -c "CREATE DATABASE tindex_bench"
    # The schema first, so the timed workers all start on the same footing.
    "$bin" --quiet --config "$cfg" --db "$db" --feeds-file /dev/null run --once
    pids=()
    for _ in $(seq 1 "$n"); do
        "$bin" --quiet --config "$cfg" --db "$db" --feeds-file "$feeds" run --once &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    stored=$(psql "$db" -Atc "SELECT count(*) FROM articles WHERE status = 'ok'")
    ;;
*)
    echo "usage: $0 sqlite | pg N" >&2
    exit 2
    ;;
esac
after=$(busy)
echo "stored $stored busy_cpu_s $(( (after - before) / $(getconf CLK_TCK) ))"
