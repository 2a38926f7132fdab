#!/usr/bin/env bash
# bench/wcxb.sh — extraction quality on real pages tindex was not tuned on, side by side with
# trafilatura in the same run: the WCXB dev split (711 article pages, ../shared/fixtures/wcxb)
# and AEB (181 pages, ../shared/fixtures/aeb).
#
#   bench/wcxb.sh                 # tindex (release) and trafilatura
#   PEERS= bench/wcxb.sh          # tindex only
#   OUT=/tmp/x bench/wcxb.sh      # keep the JSONL files there
#
# Prints the WCXB metric (body P/R/F1, `with`/`without` snippets, exact titles) from the
# shared scorer, the metadata figures from bench/wcxb_meta.py (same publish day, author,
# extract time per page) and the AEB F1 of tindex.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
fixtures=${FIXTURES:-$root/../shared/fixtures}
shared=${SHARED_BENCH:-$root/../shared/bench}
[ -d "$fixtures/wcxb/html" ] || { echo "no WCXB pages at $fixtures/wcxb" >&2; exit 1; }
OUT=${OUT:-/tmp/tindex-wcxb-$(date +%Y%m%d-%H%M%S)}
PEERS=${PEERS-trafilatura}
mkdir -p "$OUT"
gt=$fixtures/wcxb/ground-truth

cargo build --release --example extract_dump --manifest-path "$root/Cargo.toml"
dump=$root/target/release/examples/extract_dump
# Pages decompressed once, so that no decompressor runs between two timed extractions.
mkdir -p "$OUT/html"
for f in "$fixtures"/wcxb/html/*.html.gz; do
    gzip -dc "$f" > "$OUT/html/$(basename "$f" .gz)"
done
"$dump" --wcxb "$gt" "$OUT"/html/*.html > "$OUT/tindex.jsonl" 2> "$OUT/tindex.log"
tail -1 "$OUT/tindex.log"
preds=("$OUT/tindex.jsonl")
if [[ " $PEERS " == *" trafilatura "* ]]; then
    # The peer in its own venv where the system Python lacks it (lxml ≥ 5.2 moved the
    # cleaner trafilatura's jusText needs into lxml_html_clean).
    py=python3
    if ! python3 -c 'import trafilatura' 2>/dev/null; then
        venv="$root/target/bench-venv"
        [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
        "$venv/bin/pip" install -q 'trafilatura==2.3.1' lxml_html_clean
        py="$venv/bin/python"
    fi
    "$py" "$here/wcxb_trafilatura.py" "$gt" "$OUT/trafilatura.jsonl" "$OUT"/html/*.html \
        2> "$OUT/trafilatura.log"
    tail -1 "$OUT/trafilatura.log"
    preds+=("$OUT/trafilatura.jsonl")
fi
echo "== WCXB dev articles: body, snippets, titles"
python3 "$shared/score_wcxb.py" "$gt" "${preds[@]}"
echo "== WCXB dev articles: metadata and time"
python3 "$here/wcxb_meta.py" "$gt" "${preds[@]}"
echo "== AEB (tindex)"
"$dump" --aeb https://example.com/ "$fixtures"/aeb/html/*.html > "$OUT/aeb.jsonl" 2> "$OUT/aeb.log"
tail -1 "$OUT/aeb.log"
python3 "$shared/score_aeb.py" "$OUT/aeb.jsonl" | tail -1
