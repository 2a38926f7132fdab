#!/usr/bin/env bash
# bench/run.sh — tindex on the shared PLVN-style farm, side by side with the floor (curl) and,
# optionally, the peers. Needs ../shared/bench (setup: bash ../shared/bench/setup.sh).
#
#   bench/run.sh                       # F=200, floor + tindex, 3 runs
#   FEEDS=2000 RUNS=1 bench/run.sh     # scale run
#   PEERS="floor newsboat python target" bench/run.sh   # everything
#
# Each run prints the shared harness's table; results land in $OUT_BASE/run-N/, and the
# tindex figures of all runs (cold/warm against the floor, articles/s, MB/s of HTML, peak RSS,
# database size per article and against the stored text) with their medians at the end.
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
# The database size is taken after the cold cycle (the file the cycle left, WAL included).
export TARGET_COUNT_CMD="'$bin' --quiet --config '$cfg' --db \"\$BENCH_WORKDIR/t.sqlite\" export --jsonl > \"\$BENCH_RESULTS\" &&
  if [ \"\$BENCH_PHASE\" = cold ]; then cat \"\$BENCH_WORKDIR\"/t.sqlite* | wc -c > \"\$(dirname \"\$BENCH_RESULTS\")/db_bytes\"; fi &&
  wc -l < \"\$BENCH_RESULTS\""
runs=()
for i in $(seq 1 "$RUNS"); do
    OUT="$OUT_BASE/run-$i" "$shared/run_all.sh"
    runs+=("$OUT_BASE/run-$i")
done
farm=${FARM:-/tmp/bench-farm-f$FEEDS-i${ITEMS:-20}-s${SEED:-1}-p${PORT:-18080}}
echo
echo "== tindex figures (ratios against the floor of the same run)"
python3 "$here/summary.py" "$farm" "${runs[@]}" | tee "$OUT_BASE/summary.txt"
echo "results in $OUT_BASE"
