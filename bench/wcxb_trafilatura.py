#!/usr/bin/env python3
"""Runs trafilatura on WCXB-format pages, for the side-by-side in bench/wcxb.sh.

usage: wcxb_trafilatura.py GT_DIR OUT.jsonl FILE.html[.gz]...

One JSON line per page: {"id", "body", "title", "author", "published", "ms"} with the
library's default settings (no comments), the page URL taken from GT_DIR/<id>.json.
The median and slowest extract times go to stderr.
"""
import gzip, json, os, sys, time

import trafilatura


def main():
    gt_dir, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    times = []
    with open(out, "w", encoding="utf-8") as w:
        for path in files:
            pid = os.path.basename(path).split(".")[0]
            url = json.load(open(os.path.join(gt_dir, pid + ".json"), encoding="utf-8")).get("url")
            raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
            t0 = time.perf_counter()
            doc = trafilatura.bare_extraction(raw, url=url, with_metadata=True, include_comments=False)
            ms = (time.perf_counter() - t0) * 1000
            times.append((ms, pid))
            row = {"id": pid, "body": "", "ms": ms}
            if doc is not None:
                row.update(body=doc.text or "", title=doc.title, author=doc.author, published=doc.date)
            w.write(json.dumps(row, ensure_ascii=False) + "\n")
    times.sort()
    if times:
        print(f"{len(times)} pages, median {times[len(times) // 2][0]:.2f} ms/page, "
              f"slowest {times[-1][0]:.2f} ms ({times[-1][1]})", file=sys.stderr)


if __name__ == "__main__":
    main()
