#!/usr/bin/env python3
"""Per-run and median figures of bench/run.sh: the cold and warm cycle against the floor
measured in the same run, articles/s, MB/s of HTML, peak RSS, and database size per
article and against the text it stores.

usage: bench/summary.py FARM_DIR RUN_DIR...
Each RUN_DIR is a run_all.sh output holding results.jsonl, target_results.jsonl (the
export) and db_bytes (written by bench/run.sh after the cold cycle)."""
import json
import statistics
import sys
from pathlib import Path


def phase(rows, tool, name):
    return next(r for r in rows if r["tool"] == tool and r["phase"] == name)


def run_figures(farm, run):
    rows = [json.loads(l) for l in (run / "results.jsonl").open() if l.strip()]
    cold, warm = phase(rows, "tindex", "cold"), phase(rows, "tindex", "warm")
    floor_all, floor_warm = phase(rows, "floor", "all"), phase(rows, "floor", "warm")
    stored = cold.get("stored", 0)
    text = 0
    for line in (run / "target_results.jsonl").open(encoding="utf-8"):
        a = json.loads(line)
        parts = [a.get("title") or "", a.get("lead") or "", a.get("body") or ""]
        parts += a.get("captions") or []
        text += sum(len(p.encode("utf-8")) for p in parts)
    db = int((run / "db_bytes").read_text().split()[0])
    return {
        "cold_s": cold["wall_s"],
        "cold_x_floor": cold["wall_s"] / floor_all["wall_s"],
        "warm_s": warm["wall_s"],
        "warm_x_floor": warm["wall_s"] / floor_warm["wall_s"],
        "articles_per_s": stored / cold["wall_s"],
        "html_mb_per_s": farm["html_bytes"] / 1e6 / cold["wall_s"],
        "peak_rss_mb": cold["maxrss_kb"] / 1024,
        "db_mb": db / 1e6,
        "db_kb_per_article": db / 1e3 / max(stored, 1),
        "db_x_text": db / max(text, 1),
        "stored": stored,
    }


def main():
    farm = json.loads((Path(sys.argv[1]) / "farm.json").read_text())
    runs = [run_figures(farm, Path(d)) for d in sys.argv[2:]]
    keys = list(runs[0])
    print("run  " + "  ".join(f"{k:>16}" for k in keys))
    for i, r in enumerate(runs, 1):
        print(f"{i:<4} " + "  ".join(f"{r[k]:>16.3f}" for k in keys))
    med = {k: statistics.median(r[k] for r in runs) for k in keys}
    print("med  " + "  ".join(f"{med[k]:>16.3f}" for k in keys))


if __name__ == "__main__":
    main()
