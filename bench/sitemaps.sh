#!/usr/bin/env bash
# bench/sitemaps.sh — sources beyond feeds on the shared farm with 300 sitemap-only stories:
# one cold cycle with the farm's feeds only, and one with its feeds and its sitemaps (read
# from robots.txt), each into a fresh archive; then a backfill under the default politeness.
#
#   python3 ../shared/bench/gen_farm.py --out /tmp/bench-farm-sm300 --feeds 200 --items 20 \
#       --seed 1 --sitemap-only 300 --base-url http://127.0.0.1:18080/
#   bash ../shared/bench/serve.sh start /tmp/bench-farm-sm300 18080
#   bench/sitemaps.sh feeds|sitemaps|backfill        # one cold run; time it from outside
#   WARM=1 bench/sitemaps.sh feeds|sitemaps           # the next cycle on the same archive
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${BIN:-$here/../target/release/tindex}
farm=${FARM:-/tmp/bench-farm-sm300}
work=${WORK:-/tmp/tindex-bench-sitemaps}
if [ "${WARM:-0}" = 1 ] && [ -f "$work/t.toml" ]; then
    exec "$bin" --quiet --config "$work/t.toml" --db "$work/t.sqlite" --feeds-file "$farm/feeds.txt" run --once
fi
rm -rf "$work" && mkdir -p "$work"
base=$(sed -n '/^\[\[site\]\]/,$p' "$here/tindex-bench.toml")
settings=$(sed -n '1,/^\[\[site\]\]/p' "$here/tindex-bench.toml" | sed '$d')
case "${1:-}" in
feeds)
    printf '%s\n[raw_pages]\nkeep = false\n%s\n' "$settings" "$base" > "$work/t.toml" ;;
sitemaps)
    printf '%s\n[raw_pages]\nkeep = false\n[[sitemap]]\nurl = "http://127.0.0.1:18080/robots.txt"\nwindow_days = 30\n%s\n' \
        "$settings" "$base" > "$work/t.toml" ;;
backfill)
    # The live cycle first, with the farm's open budget (200 feeds on one host would take a
    # quarter of an hour at the shipped pacing); then the backfill under the shipped
    # politeness (per_host 2, 250 ms between request starts to a host; a backfill takes 1 of
    # the 2 slots and 16 stories between looks at the schedule), loopback allowed.
    printf '%s\n[raw_pages]\nkeep = false\n[[sitemap]]\nurl = "http://127.0.0.1:18080/robots.txt"\nwindow_days = 1\n%s\n' \
        "$settings" "$base" > "$work/live.toml"
    "$bin" --quiet --config "$work/live.toml" --db "$work/t.sqlite" --feeds-file "$farm/feeds.txt" run --once
    printf '[fetch]\nallow_addresses = ["127.0.0.1"]\n[raw_pages]\nkeep = false\n[[sitemap]]\nurl = "http://127.0.0.1:18080/robots.txt"\nwindow_days = 1\n%s\n' \
        "$base" > "$work/t.toml"
    start=$(date +%s.%N)
    before=$(sqlite3 "$work/t.sqlite" 'SELECT count(*) FROM articles')
    "$bin" --quiet --config "$work/t.toml" --db "$work/t.sqlite" --feeds-file "$farm/feeds.txt" \
        backfill --site 127.0.0.1 --from 2024-05-01
    end=$(date +%s.%N)
    after=$(sqlite3 "$work/t.sqlite" 'SELECT count(*) FROM articles')
    python3 -c "import sys; n=$after-$before; t=$end-$start; print(f'backfill: {n} stories in {t:.1f} s = {n/t:.2f} stories/s ({$after} stored)')"
    exit 0 ;;
*) echo "usage: $0 feeds|sitemaps|backfill" >&2; exit 2 ;;
esac
"$bin" --quiet --config "$work/t.toml" --db "$work/t.sqlite" --feeds-file "$farm/feeds.txt" run --once
echo "$1: $(sqlite3 "$work/t.sqlite" 'SELECT count(*) FROM articles') stories" >&2
