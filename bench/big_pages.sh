#!/usr/bin/env bash
# bench/big_pages.sh — peak memory under huge valid pages (issue 13): 80 article pages of
# 19 MiB, first from one feed on one host, then from 16 feeds on 16 loopback hosts at once,
# with tindex's default settings (bench/big-pages.toml only lets it reach loopback).
# Prints /usr/bin/time's peak RSS and wall time and the stored/failed counts of each run.
#
#   bench/big_pages.sh [BIN]          # default: target/release/tindex (built if missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${1:-$root/target/release/tindex}
[ -x "$bin" ] || cargo build --release --manifest-path "$root/Cargo.toml"
dir=${BIG_PAGES_DIR:-/tmp/tindex-big-pages}
port=${PORT:-18090}
python3 "$here/big_pages.py" "$dir" --pages 80 --mib 19 --hosts 16 --port "$port"
python3 "$here/big_pages.py" "$dir" --pages 80 --mib 19 --hosts 16 --port "$port" --serve &
server=$!
trap 'kill $server' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$port/one.rss"; do sleep 0.2; done
for set in one-host many-hosts; do
    work=$(mktemp -d)
    /usr/bin/time -v "$bin" --quiet --config "$here/big-pages.toml" --db "$work/t.sqlite" \
        --feeds-file "$dir/$set.txt" run --once 2> "$work/time.txt"
    peak=$(awk -F: '/Maximum resident/ {print $2}' "$work/time.txt")
    wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$work/time.txt")
    stored=$("$bin" --quiet --config "$here/big-pages.toml" --db "$work/t.sqlite" status --json |
        python3 -c 'import json,sys; t=json.load(sys.stdin)["totals"]; print(t["articles"], "stored,", t["failed_articles"], "failed")')
    echo "$set: peak RSS ${peak// /} KiB, wall $wall, $stored"
    rm -rf "$work"
done
