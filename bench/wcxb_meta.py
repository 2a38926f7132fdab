#!/usr/bin/env python3
"""Scores the metadata of WCXB extractions (the shared score_wcxb.py scores body and title).

usage: wcxb_meta.py GT_DIR PRED.jsonl [PRED.jsonl ...]

Per tool, over the pages whose gold has the field:
- day: the extraction's publication date (its own calendar day, as the page shows it: the
  first 10 characters of an ISO value) equals the gold `publish_date`;
- author exact: NFC, whitespace collapsed, case-folded string equal to the gold `author`;
- author names: the same set of names, the strings split on ",", ";", "&", " and " (so
  "A, B and C" equals "A, B, and C"); a name list is the `authors` field where a tool gives one;
- non-articles: pages with an empty body (refused or nothing found);
- time: median and slowest of the per-page `ms` field.
"""
import glob, json, os, re, sys, unicodedata


def flat(s):
    return " ".join(unicodedata.normalize("NFC", s or "").split()).casefold()


def names(s):
    parts = re.split(r",|;|&|\band\b", flat(s))
    return {p.strip(" .") for p in parts if p.strip(" .")}


def main():
    gt_dir, preds = sys.argv[1], sys.argv[2:]
    gt = {os.path.basename(f)[:-5]: json.load(open(f, encoding="utf-8")).get("ground_truth", {})
          for f in sorted(glob.glob(os.path.join(gt_dir, "*.json")))}
    for path in preds:
        rows = {}
        for line in open(path, encoding="utf-8"):
            if line.strip():
                d = json.loads(line)
                rows[str(d["id"])] = d
        day = [0, 0]
        exact = [0, 0]
        named = [0, 0]
        empty = 0
        ms = sorted(float(r.get("ms") or 0) for r in rows.values())
        for pid, g in gt.items():
            r = rows.get(pid, {})
            if not (r.get("body") or "").strip():
                empty += 1
            if g.get("publish_date"):
                day[1] += 1
                got = str(r.get("published") or "")[:10]
                day[0] += got == g["publish_date"][:10]
            if g.get("author"):
                exact[1] += 1
                named[1] += 1
                a = r.get("author") or ""
                exact[0] += flat(a) == flat(g["author"])
                listed = r.get("authors")
                mine = set().union(*(names(x) for x in listed)) if listed else names(a)
                named[0] += mine == names(g["author"])
        share = lambda x: x[0] / x[1] if x[1] else float("nan")
        print(f"{os.path.basename(path):36s} day {share(day):.3f} ({day[0]}/{day[1]})  "
              f"author exact {share(exact):.3f} ({exact[0]}/{exact[1]})  names {share(named):.3f}  "
              f"empty {empty}  median {ms[len(ms) // 2] if ms else 0:.2f} ms  slowest {ms[-1] if ms else 0:.1f} ms")


if __name__ == "__main__":
    main()
