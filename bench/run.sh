#!/usr/bin/env bash
# bench/run.sh — tindex on the shared PLVN-style farm, side by side with the floor (curl) and,
# optionally, the peers. Needs ../shared/bench (setup: bash ../shared/bench/setup.sh).
#
#   bench/run.sh                       # F=200, floor + tindex, 3 runs
#   FEEDS=2000 RUNS=1 bench/run.sh     # scale run
#   PEERS="floor newsboat python target" bench/run.sh   # everything
#
# Each run prints the shared harness's table; results land in $OUT_BASE/run-N/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
shared=${SHARED_BENCH:-$root/../shared/bench}
[ -x "$shared/run_all.sh" ] || { echo "no shared bench at $shared" >&2; exit 1; }
RUNS=${RUNS:-3}
export FEEDS=${FEEDS:-200} PEERS=${PEERS:-floor target}
OUT_BASE=${OUT_BASE:-/tmp/tindex-bench-$(date +%Y%m%d-%H%M%S)}

cargo build --release --manifest-path "$root/Cargo.toml"
bin=$root/target/release/tindex
cfg=$here/tindex-bench.toml
export TARGET_NAME=tindex
# Timed: one poll cycle. Untimed (as for the python peer's --dump): the export for score.py
# and the stored count, which the harness runs after each phase.
export TARGET_CMD="'$bin' --quiet --config '$cfg' --db \"\$BENCH_WORKDIR/t.sqlite\" --feeds-file \"\$BENCH_FEEDS\" run --once"
export TARGET_COUNT_CMD="'$bin' --quiet --config '$cfg' --db \"\$BENCH_WORKDIR/t.sqlite\" export --jsonl > \"\$BENCH_RESULTS\" &&
  ls -l \"\$BENCH_WORKDIR\" >&2 && wc -l < \"\$BENCH_RESULTS\""
for i in $(seq 1 "$RUNS"); do
    OUT="$OUT_BASE/run-$i" "$shared/run_all.sh"
done
echo "results in $OUT_BASE"
