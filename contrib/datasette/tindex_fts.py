"""Datasette plugin: make ?_search= safe on tindex's `detail=column` FTS5 index.

Datasette's built-in escape_fts() wraps each whitespace-separated term in double quotes, so
`COVID-19` becomes the FTS5 string "COVID-19", which the unicode61 tokenizer splits into a
two-token phrase -> "fts5: phrase queries are not supported (detail!=full)" (HTTP 400).

This plugin replaces the escape_fts() SQL function (used for ?_search= and ?_search_COL= in
the default, non-raw search mode) with tindex's own query folding: lower case, combining
marks dropped, đ -> d, split on anything not alphanumeric, each word quoted on its own
(implicit AND). A trailing * keeps a prefix query (hanh* -> "hanh"*). Quotes are dropped, so
a quoted phrase becomes an AND of its words. A query with no words matches nothing.

Install: datasette serve ... --plugins-dir contrib/datasette   (Datasette 0.65 and 1.0a)
"""
import re
import unicodedata

from datasette import hookimpl

_WORD = re.compile(r"([^\W_]+)(\*?)")  # like Rust char::is_alphanumeric: '_' separates


def fold(text):
    out = []
    for ch in unicodedata.normalize("NFD", text.lower()):
        if unicodedata.category(ch).startswith("M"):
            continue
        out.append("d" if ch == "đ" else ch)
    return "".join(out)


def tindex_escape_fts(query):
    terms = ['"{}"{}'.format(w, star) for w, star in _WORD.findall(fold(query or ""))]
    return " ".join(terms) if terms else '""'  # '""' matches nothing, no syntax error


@hookimpl(trylast=True)  # must run after Datasette's own prepare_connection registers escape_fts
def prepare_connection(conn):
    conn.create_function("escape_fts", 1, tindex_escape_fts, deterministic=True)
