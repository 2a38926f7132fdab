#!/usr/bin/env python3
"""Hostile-but-valid pages for the memory benchmark (bench/big_pages.sh).

Writes N article pages of about SIZE MiB each (one long article: a headline and thousands of
paragraphs, under tindex's default max_body_bytes and element guard), and two feed sets:
`one-host.txt` (one feed on 127.0.0.1 listing every page) and `many-hosts.txt` (HOSTS feeds,
one per loopback address 127.0.0.2.., each listing its share of the pages). Then serves the
directory on 0.0.0.0:PORT with a threaded server until killed.

usage: big_pages.py DIR [--pages 80] [--mib 19] [--hosts 16] [--port 18090] [--serve]
"""
import argparse
import http.server
import os
import random
import socketserver

WORDS = ("toa an nhan dan thanh pho ha noi xet xu vu an tham o tai san nha nuoc cac bi cao "
         "bi truy to ve toi vi pham quy dinh quan ly su dung dat dai theo dieu luat hinh su").split()


def page(i, mib, rnd):
    paras, size, target = [], 0, mib * 1024 * 1024 - 4096
    while size < target:
        p = "<p>" + " ".join(rnd.choice(WORDS) for _ in range(700)) + ".</p>\n"
        paras.append(p)
        size += len(p)
    return ("<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
            f"<title>Big story {i}</title></head><body><article><h1>Big story {i}</h1>\n"
            + "".join(paras) + "</article></body></html>\n")


def rss(items):
    body = "".join(f"<item><title>Big story {i}</title><link>{url}</link>"
                   f"<guid>{url}</guid></item>" for i, url in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>{body}</channel></rss>\n'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--pages", type=int, default=80)
    ap.add_argument("--mib", type=int, default=19)
    ap.add_argument("--hosts", type=int, default=16)
    ap.add_argument("--port", type=int, default=18090)
    ap.add_argument("--serve", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    rnd = random.Random(1)
    marker = os.path.join(a.dir, f".made-{a.pages}-{a.mib}-{a.hosts}-{a.port}")
    if not os.path.exists(marker):
        for i in range(a.pages):
            with open(os.path.join(a.dir, f"story-{i}.html"), "w") as f:
                f.write(page(i, a.mib, rnd))
        one = [(i, f"http://127.0.0.1:{a.port}/story-{i}.html") for i in range(a.pages)]
        with open(os.path.join(a.dir, "one.rss"), "w") as f:
            f.write(rss(one))
        feeds = []
        for h in range(a.hosts):
            host = f"127.0.0.{h + 2}"
            items = [(i, f"http://{host}:{a.port}/story-{i}.html")
                     for i in range(a.pages) if i % a.hosts == h]
            with open(os.path.join(a.dir, f"host-{h}.rss"), "w") as f:
                f.write(rss(items))
            feeds.append(f"http://{host}:{a.port}/host-{h}.rss")
        with open(os.path.join(a.dir, "one-host.txt"), "w") as f:
            f.write(f"http://127.0.0.1:{a.port}/one.rss\n")
        with open(os.path.join(a.dir, "many-hosts.txt"), "w") as f:
            f.write("\n".join(feeds) + "\n")
        open(marker, "w").close()
    if a.serve:
        os.chdir(a.dir)
        handler = http.server.SimpleHTTPRequestHandler
        handler.log_message = lambda *args: None
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        with http.server.ThreadingHTTPServer(("0.0.0.0", a.port), handler) as srv:
            srv.serve_forever()


if __name__ == "__main__":
    main()
