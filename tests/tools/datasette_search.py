#!/usr/bin/env python3
"""Start Datasette on a tindex archive, run ?_search= queries, print the matching ids.

usage: datasette_search.py --datasette VENV/bin/datasette --db tindex.sqlite
                          --metadata metadata.json --port 8765 QUERY [QUERY ...]
       [--plugins-dir DIR] [--immutable] [--table articles_v] [--timeout 60]
       [--setting NAME VALUE]... [--sort-ids]

Prints one JSON object on stdout: {"<query>": [id, ...], ...}, ids in Datasette's order
(the table's sort / sort_desc). A query Datasette rejects (e.g. "COVID-19" without the
tindex_fts plugin: HTTP 400 "fts5: phrase queries are not supported") maps to
{"error": "<message>"} instead of a list, and the exit status is 1.
Exit status 2: Datasette did not start or answer in time, or the search was not applied
(no fts_table for the table: metadata.json keyed under another database name), in which
case Datasette silently returns every row.

Works with Datasette 0.65.x and 1.0a (response shapes of both are handled). Stdlib only.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

POLL_INTERVAL = 0.1


class Failure(Exception):
    pass


def http_get_json(url, deadline):
    """GET url -> (status, parsed JSON or None, raw text)."""
    timeout = max(0.5, min(30.0, deadline - time.monotonic()))
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            raw = resp.read().decode("utf-8")
            status = resp.status
    except urllib.error.HTTPError as e:
        raw = e.read().decode("utf-8", "replace")
        status = e.code
    try:
        return status, json.loads(raw), raw
    except ValueError:
        return status, None, raw


def port_answers(host, port):
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/", timeout=1):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def wait_until_up(proc, base, deadline, log_path):
    """Poll /-/versions.json until Datasette answers; fail early if the process exits."""
    while True:
        if proc.poll() is not None:
            raise Failure(f"datasette exited with status {proc.returncode}:\n{tail(log_path)}")
        try:
            status, body, _ = http_get_json(base + "/-/versions.json", deadline)
            if status == 200 and body is not None:
                return body
        except (urllib.error.URLError, OSError, ConnectionError):
            pass
        if time.monotonic() > deadline:
            raise Failure(f"datasette did not answer at {base} in time:\n{tail(log_path)}")
        time.sleep(POLL_INTERVAL)


def tail(path, n=2000):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - n))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def database_route(base, db_path, deadline):
    """URL segment of our file: from /-/databases.json (0.65: list; 1.0a: {"databases": [...]})."""
    status, body, raw = http_get_json(base + "/-/databases.json", deadline)
    if status != 200 or body is None:
        raise Failure(f"/-/databases.json: HTTP {status}: {raw[:300]}")
    dbs = body.get("databases", []) if isinstance(body, dict) else body
    want = os.path.realpath(db_path)
    for d in dbs:
        if d.get("path") and os.path.realpath(d["path"]) == want:
            return d.get("route") or urllib.parse.quote(d["name"], safe="")
    raise Failure(f"{db_path} not among served databases: {dbs}")


def ids_of(body):
    """Ids from a table JSON page: rows as objects (0.65 _shape=objects, 1.0a default) or arrays."""
    rows = body.get("rows", [])
    if rows and isinstance(rows[0], list):
        i = body["columns"].index("id")
        return [r[i] for r in rows]
    return [r["id"] for r in rows]


def search(base, route, table, query, deadline):
    params = {
        "_search": query,
        "_size": "max",  # max_returned_rows (default 1000) per page; the rest via next_url
        "_shape": "objects",
        "_col": "id",
        "_nofacet": "1",
        "_nosuggest": "1",
        "_nocount": "1",
        "_extra": "query",  # 1.0a: include the SQL (0.65 always does)
    }
    url = f"{base}/{route}/{urllib.parse.quote(table)}.json?" + urllib.parse.urlencode(params)
    ids, seen_urls = [], set()
    while url:
        if url in seen_urls:
            raise Failure(f"pagination loop at {url}")
        seen_urls.add(url)
        status, body, raw = http_get_json(url, deadline)
        if status != 200 or not isinstance(body, dict) or body.get("ok") is False:
            msg = body.get("error") if isinstance(body, dict) else raw[:300]
            return {"error": f"HTTP {status}: {msg}"}
        sql = (body.get("query") or {}).get("sql", "")
        if sql and " match " not in sql.lower():
            raise Failure(
                f"search not applied on {route}/{table} (no fts_table configured? the metadata "
                f"must be keyed under database '{route}'); SQL was: {sql}")
        ids.extend(ids_of(body))
        next_url = body.get("next_url")
        if not next_url and body.get("next") is not None:
            sep = "&" if "?" in url else "?"
            next_url = url.split("&_next=")[0] + sep + "_next=" + urllib.parse.quote(str(body["next"]))
        if next_url and next_url.startswith("/"):
            next_url = base + next_url
        url = next_url
        if time.monotonic() > deadline:
            raise Failure("timed out while paging results")
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--datasette", required=True, help="path to the venv's datasette binary")
    ap.add_argument("--db", required=True)
    ap.add_argument("--metadata", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--table", default="articles_v")
    ap.add_argument("--plugins-dir")
    ap.add_argument("--immutable", action="store_true", help="open the file with -i")
    ap.add_argument("--setting", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    ap.add_argument("--timeout", type=float, default=60.0, help="overall limit, seconds")
    ap.add_argument("--sort-ids", action="store_true", help="sort each id list")
    ap.add_argument("queries", nargs="+")
    args = ap.parse_args()

    deadline = time.monotonic() + args.timeout
    db = os.path.abspath(args.db)
    if not os.path.exists(db):
        sys.exit(f"no such database: {db}")
    if port_answers(args.host, args.port):
        sys.exit(f"something already answers on {args.host}:{args.port}")

    cmd = [args.datasette, "serve", "-h", args.host, "-p", str(args.port), "-m", args.metadata]
    cmd += ["-i", db] if args.immutable else [db]
    if args.plugins_dir:
        cmd += ["--plugins-dir", args.plugins_dir]
    for name, value in args.setting:
        cmd += ["--setting", name, value]

    base = f"http://{args.host}:{args.port}"
    log = tempfile.NamedTemporaryFile(prefix="datasette-", suffix=".log", delete=False)
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    results, failed = {}, False
    try:
        versions = wait_until_up(proc, base, deadline, log.name)
        print(f"datasette {versions.get('datasette', {}).get('version')} up at {base}",
              file=sys.stderr)
        route = database_route(base, db, deadline)
        for q in args.queries:
            r = search(base, route, args.table, q, deadline)
            if isinstance(r, dict):
                failed = True
                print(f"query {q!r}: {r['error']}", file=sys.stderr)
            elif args.sort_ids:
                r = sorted(r)
            results[q] = r
    except Failure as e:
        print(f"error: {e}", file=sys.stderr)
        print(json.dumps(results, ensure_ascii=False))
        return 2
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        os.unlink(log.name)
    print(json.dumps(results, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
