#!/usr/bin/env python3
"""Two more page sets tindex was never tuned on, built from the test suites that two other
tools ship in their source packages (fetched by bench/multilingual.sh into its OUT folder,
never copied into this project), and their scorers.

  heldout_sets.py make-snippets TESTS OUT   # trafilatura 1.0.0 tests/: realworld_tests.py + cache/
  heldout_sets.py make-dates TESTS OUT      # htmldate 1.2.3 tests/: unit_tests.py + cache/
  heldout_sets.py score-snippets GT OUT.jsonl...
  heldout_sets.py score-dates GT OUT.jsonl...

make-snippets reads the `'…' in result` / `'…' not in result` assertions of trafilatura's
real-world test into WCXB-style `with` / `without` lists, one page each (83 pages, mostly
German, some French and English: blogs, shops, news, forums). make-dates reads the
`find_date(load_mock_page(URL)) == 'YYYY-MM-DD'` assertions of htmldate (63 pages); where
both are given, `original_date=True` is the publication and the default is the latest
date the page shows, so a day equal to either counts. Both suites were written for those
tools: trafilatura and htmldate were tuned on these very pages.
"""
import ast, json, os, shutil, sys, unicodedata


def mock_pages(tree):
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MOCK_PAGES":
            return ast.literal_eval(node.value)
    return {}


def write(out, name, url, src, extra):
    for d in ("html", "gt"):
        os.makedirs(f"{out}/{d}", exist_ok=True)
    shutil.copy(src, f"{out}/html/{name}.html")
    with open(f"{out}/gt/{name}.json", "w", encoding="utf-8") as w:
        json.dump({"url": url, "file": os.path.basename(src), **extra}, w, ensure_ascii=False)


def make_snippets(tests, out):
    tree = ast.parse(open(f"{tests}/realworld_tests.py", encoding="utf-8").read())
    mock, pages = mock_pages(tree), {}

    def walk(stmts, cur):
        for s in stmts:
            call = s.value if isinstance(s, ast.Assign) else None
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "load_mock_page":
                cur = ast.literal_eval(call.args[0])
                pages.setdefault(cur, {"with": [], "without": []})
            elif isinstance(s, ast.Assert) and cur:
                for n in ast.walk(s.test):
                    if (isinstance(n, ast.Compare) and len(n.ops) == 1
                            and isinstance(n.left, ast.Constant) and isinstance(n.left.value, str)
                            and isinstance(n.comparators[0], ast.Name)
                            and n.comparators[0].id == "result"):
                        k = {ast.In: "with", ast.NotIn: "without"}.get(type(n.ops[0]))
                        if k and n.left.value not in pages[cur][k]:
                            pages[cur][k].append(n.left.value)
            elif isinstance(s, ast.If):
                cur = walk(s.body, cur)
        return cur

    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "test_extract":
            walk(node.body, None)
    n = 0
    for i, (url, g) in enumerate(sorted(pages.items())):
        src = f"{tests}/cache/{mock.get(url, '')}"
        if url in mock and os.path.exists(src) and (g["with"] or g["without"]):
            write(out, f"t{i:03d}", url, src, {"ground_truth": {"main_content": "", **g}})
            n += 1
    print(f"{n} pages with snippets")


def make_dates(tests, out):
    tree = ast.parse(open(f"{tests}/unit_tests.py", encoding="utf-8").read())
    mock, want = mock_pages(tree), {}
    for n in ast.walk(tree):
        if not (isinstance(n, ast.Compare) and isinstance(n.left, ast.Call)
                and getattr(n.left.func, "id", "") == "find_date" and isinstance(n.ops[0], ast.Eq)
                and isinstance(n.comparators[0], ast.Constant)):
            continue
        a = n.left.args[0]
        if not (isinstance(a, ast.Call) and getattr(a.func, "id", "") == "load_mock_page"
                and len(a.args) == 1):
            continue
        kws = {k.arg: k.value.value for k in n.left.keywords if isinstance(k.value, ast.Constant)}
        if set(kws) - {"original_date", "extensive_search"} or kws.get("extensive_search") is False:
            continue
        e = want.setdefault(ast.literal_eval(a.args[0]), {"original": None, "default": None})
        e["original" if kws.get("original_date") else "default"] = n.comparators[0].value
    k = 0
    for i, (url, e) in enumerate(sorted(want.items())):
        src = f"{tests}/cache/{mock.get(url, '')}"
        if url in mock and os.path.exists(src):
            write(out, f"h{i:03d}", url, src, {"expected": e, "ground_truth": {"main_content": ""}})
            k += 1
    print(f"{k} pages with a date")


def rows(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def nfc(s):
    return unicodedata.normalize("NFC", s or "")


def score_snippets(gt, outs):
    for out in outs:
        found = total = leaked = wo_total = 0
        for d in rows(out):
            g = json.load(open(f"{gt}/{d['id']}.json", encoding="utf-8"))["ground_truth"]
            body = nfc(d.get("body"))
            w, wo = [nfc(s) for s in g["with"]], [nfc(s) for s in g["without"]]
            found += sum(s in body for s in w)
            total += len(w)
            leaked += sum(s in body for s in wo)
            wo_total += len(wo)
        print(f"{os.path.basename(out):<22} with {found}/{total} = {found / total:.3f}  "
              f"without leaked {leaked}/{wo_total} = {leaked / wo_total:.3f}")


def score_dates(gt, outs):
    for out in outs:
        n = same = none = 0
        for d in rows(out):
            e = json.load(open(f"{gt}/{d['id']}.json", encoding="utf-8"))["expected"]
            got = str(d.get("published") or "")[:10]
            n += 1
            same += bool(got) and got in (e["original"], e["default"])
            none += not got
        print(f"{os.path.basename(out):<22} same day {same}/{n} = {same / n:.3f}  no date {none}")


if __name__ == "__main__":
    cmd, a, b = sys.argv[1], sys.argv[2], sys.argv[3:]
    {"make-snippets": lambda: make_snippets(a, b[0]), "make-dates": lambda: make_dates(a, b[0]),
     "score-snippets": lambda: score_snippets(a, b), "score-dates": lambda: score_dates(a, b)}[cmd]()
