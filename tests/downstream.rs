//! The archive in the tools users already have: the system `sqlite3` shell, Python's stdlib
//! `sqlite3`, Datasette and sqlite-utils (whatever SQLite those were built with: Debian 12
//! ships 3.40). `.ci/run` installs them; elsewhere a missing tool prints one "skipped" line,
//! unless `TINDEX_REQUIRE_TOOLS=1` makes it a failure (as CI sets it).

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use std::io::Write;

use support::{Workspace, farm_archive, stderr_of, stdout_of};
use unicode_normalization::UnicodeNormalization;

/// A tool found on PATH or at `path`, or `None` after printing why the test is skipped.
fn tool(name: &str, path: Option<PathBuf>) -> Option<PathBuf> {
    let found = match path {
        Some(p) => p.is_file().then_some(p),
        None => Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(stdout_of(&o).trim())),
    };
    if found.is_none() {
        assert!(
            std::env::var_os("TINDEX_REQUIRE_TOOLS").is_none(),
            "{name} is required (TINDEX_REQUIRE_TOOLS) but not installed"
        );
        println!("skipped: {name} not installed (.ci/run installs it)");
    }
    found
}

/// The virtualenv `.ci/run` makes for Datasette and sqlite-utils.
fn venv_tool(name: &str) -> Option<PathBuf> {
    let venv = std::env::var_os("TINDEX_TOOLS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tools-venv"));
    tool(name, Some(venv.join("bin").join(name)))
}

/// The ```sql blocks of docs/SCHEMA.md.
fn schema_doc_sql() -> Vec<String> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/SCHEMA.md"))
        .unwrap();
    let mut blocks = Vec::new();
    let mut rest = doc.as_str();
    while let Some(start) = rest.find("```sql\n") {
        let body = &rest[start + 7..];
        let end = body.find("```").unwrap();
        blocks.push(body[..end].to_string());
        rest = &body[end..];
    }
    assert!(blocks.len() >= 2, "SCHEMA.md has its SQL examples");
    blocks
}

#[test]
fn every_sql_example_of_the_schema_doc_runs_in_the_sqlite3_shell() {
    let Some(sqlite3) = tool("sqlite3", None) else {
        return;
    };
    let (_server, ws) = farm_archive();
    for block in schema_doc_sql() {
        let mut cmd = Command::new(&sqlite3);
        cmd.args(["-bail", "-batch"])
            .arg(format!("file:{}?mode=ro", ws.db.display()));
        let o = with_stdin(cmd, &block);
        assert!(
            o.status.success() && o.stderr.is_empty(),
            "sqlite3 {}: {}\n{block}",
            o.status,
            stderr_of(&o)
        );
    }
}

/// Runs `cmd` with `input` on its stdin; its output.
fn with_stdin(mut cmd: Command, input: &str) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Runs every statement of `sql` through Python's stdlib sqlite3 (the system SQLite).
const PYTHON_RUNNER: &str = r#"
import sqlite3, sys
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
stmt = ""
for line in sys.stdin.read().splitlines(keepends=True):
    stmt += line
    if sqlite3.complete_statement(stmt):
        con.execute(stmt).fetchall()
        stmt = ""
assert not stmt.strip(), "incomplete statement: " + stmt
print(sqlite3.sqlite_version)
"#;

#[test]
fn every_sql_example_of_the_schema_doc_runs_in_python_sqlite3() {
    let Some(python) = tool("python3", None) else {
        return;
    };
    let (_server, ws) = farm_archive();
    for block in schema_doc_sql() {
        let mut cmd = Command::new(&python);
        cmd.args(["-c", PYTHON_RUNNER]).arg(&ws.db);
        let o = with_stdin(cmd, &block);
        assert!(o.status.success(), "python: {}\n{block}", stderr_of(&o));
    }
}

/// The queries every tool must agree on, as users type them.
fn parity_queries() -> Vec<String> {
    let mut q: Vec<String> = [
        "đất",
        "dat",
        "thi hành án",
        "thi hanh an",
        "Đà Nẵng",
        "da nang",
    ]
    .map(String::from)
    .to_vec();
    q.push("đất".nfd().collect());
    q
}

fn tindex_ids(ws: &Workspace, query: &str) -> BTreeSet<i64> {
    let o = ws.tindex(&["search", "--json", "-n", "100000", query]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr_of(&o));
    let hits: Vec<serde_json::Value> = if o.stdout.is_empty() {
        Vec::new()
    } else {
        serde_json::from_slice(&o.stdout).unwrap()
    };
    hits.iter().map(|h| h["id"].as_i64().unwrap()).collect()
}

/// The documented SQL: `MATCH` takes the words as typed, marks or none.
fn sql_match(query: &str) -> String {
    format!(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH '{}';",
        query.replace('\'', "''")
    )
}

#[test]
fn sqlite3_shell_match_finds_what_tindex_search_finds() {
    let Some(sqlite3) = tool("sqlite3", None) else {
        return;
    };
    let (_server, ws) = farm_archive();
    for q in parity_queries() {
        let o = Command::new(&sqlite3)
            .arg(format!("file:{}?mode=ro", ws.db.display()))
            .arg(sql_match(&q))
            .output()
            .unwrap();
        assert!(o.status.success(), "{q}: {}", stderr_of(&o));
        let ids: BTreeSet<i64> = stdout_of(&o).lines().map(|l| l.parse().unwrap()).collect();
        let want = tindex_ids(&ws, &q);
        assert!(!want.is_empty(), "{q} finds stories");
        assert_eq!(ids, want, "{q}");
    }
}

#[test]
fn python_sqlite3_match_finds_what_tindex_search_finds() {
    let Some(python) = tool("python3", None) else {
        return;
    };
    let (_server, ws) = farm_archive();
    let script = "import sqlite3, sys, json\n\
        con = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)\n\
        print(json.dumps([r[0] for r in con.execute(\
        'SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?', (sys.argv[2],))]))";
    for q in parity_queries() {
        let o = Command::new(&python)
            .args(["-c", script])
            .arg(&ws.db)
            .arg(&q)
            .output()
            .unwrap();
        assert!(o.status.success(), "{q}: {}", stderr_of(&o));
        let ids: BTreeSet<i64> = serde_json::from_slice::<Vec<i64>>(&o.stdout)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(ids, tindex_ids(&ws, &q), "{q}");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Datasette's `?_search=` on `articles_v`, with the metadata `tindex datasette-metadata`
/// prints: every query's ids, or the error it gave.
fn datasette_ids(
    datasette: &Path,
    ws: &Workspace,
    plugins: bool,
    queries: &[String],
) -> serde_json::Map<String, serde_json::Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let meta = ws.dir.path().join("metadata.json");
    let o = ws.tindex(&["datasette-metadata"]);
    assert!(o.status.success(), "{}", stderr_of(&o));
    std::fs::write(&meta, &o.stdout).unwrap();
    let mut cmd = Command::new(tool("python3", None).unwrap());
    cmd.arg(root.join("tests/tools/datasette_search.py"))
        .arg("--datasette")
        .arg(datasette)
        .arg("--db")
        .arg(&ws.db)
        .arg("--metadata")
        .arg(&meta)
        .args(["--port", &free_port().to_string(), "--sort-ids"]);
    if plugins {
        cmd.arg("--plugins-dir").arg(root.join("contrib/datasette"));
    }
    let o = cmd.args(queries).output().unwrap();
    assert!(o.status.success(), "datasette: {}", stderr_of(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn datasette_search_finds_what_tindex_search_finds() {
    let Some(datasette) = venv_tool("datasette") else {
        return;
    };
    let (_server, ws) = farm_archive();
    let queries = parity_queries();
    let got = datasette_ids(&datasette, &ws, false, &queries);
    for q in &queries {
        let ids: BTreeSet<i64> = got[q.as_str()]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert_eq!(ids, tindex_ids(&ws, q), "?_search={q}");
    }
}

#[test]
fn datasette_with_the_shipped_plugin_searches_hyphenated_words() {
    let Some(datasette) = venv_tool("datasette") else {
        return;
    };
    let (_server, ws) = farm_archive();
    // Datasette alone turns "05-CT" into a phrase, which a column-detail index refuses.
    let q = "05-CT".to_string();
    let got = datasette_ids(&datasette, &ws, true, std::slice::from_ref(&q));
    let ids: BTreeSet<i64> = got[q.as_str()]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    let want = tindex_ids(&ws, &q);
    assert!(!want.is_empty());
    assert_eq!(ids, want);
}

#[test]
fn sqlite_utils_counts_every_table() {
    let Some(su) = venv_tool("sqlite-utils") else {
        return;
    };
    let (_server, ws) = farm_archive();
    let o = Command::new(su)
        .args(["tables", "--counts"])
        .arg(&ws.db)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    let out = stdout_of(&o);
    assert!(out.contains("\"table\": \"articles\""), "{out}");
}

#[test]
fn datasette_metadata_describes_every_column_of_the_schema() {
    let (_server, ws) = farm_archive();
    let db = ws.sql();
    let names: Vec<String> = db
        .prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'articles_fts%' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let o = ws.tindex(&["datasette-metadata"]);
    let meta: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let tables = &meta["databases"]["t"]["tables"];
    for table in names {
        let cols: Vec<String> = db
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for col in cols {
            assert!(
                tables[&table]["columns"][&col].is_string(),
                "{table}.{col} has no description"
            );
        }
    }
}
