//! One story, one row, every alias remembered; and the downstream surface (search, show,
//! export, prune, concurrent readers) as users query it.

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use rusqlite::OptionalExtension;
use serde_json::Value;
use support::{Server, Workspace, farm_dir, farm_feeds, truth};

fn run_once(ws: &Workspace) -> String {
    let out = ws.tindex(&["run", "--once"]);
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{log}");
    log
}

fn count(ws: &Workspace, sql: &str) -> i64 {
    ws.sql().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn stdout(ws: &Workspace, args: &[&str]) -> String {
    let out = ws.tindex(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A farm article: (absolute URL, path, truth line).
fn article(server: &Server, n: usize) -> (String, String, Value) {
    let t = truth(server).swap_remove(n);
    let url = t["url"].as_str().unwrap().to_string();
    let path = format!("/{}", url.trim_start_matches(&server.base));
    (url, path, t)
}

fn rss(items: &[(String, Option<&str>)]) -> Vec<u8> {
    let mut s = String::from("<rss version=\"2.0\"><channel><title>T</title>");
    for (link, guid) in items {
        let link = link.replace('&', "&amp;");
        s.push_str(&format!("<item><title>x</title><link>{link}</link>"));
        if let Some(g) = guid {
            s.push_str(&format!("<guid isPermaLink=\"false\">{g}</guid>"));
        }
        s.push_str("</item>");
    }
    s.push_str("</channel></rss>");
    s.into_bytes()
}

#[test]
fn aliases_fold_utm_guid_changes_other_links_and_feeds_into_one_row() {
    let server = Server::start(&farm_dir().join("www"));
    let (url, path, t) = article(&server, 3);
    server.set_body(
        "/rss/a.rss",
        rss(&[(
            format!("{url}?utm_source=fb&utm_medium=social"),
            Some("plvn-7"),
        )]),
    );
    server.set_body("/rss/b.rss", rss(&[(url.clone(), None)]));
    // A link that is not the same after normalisation, but whose page says it is (canonical).
    server.set_body("/rss/c.rss", rss(&[(format!("{url}?from=home"), None)]));
    let feeds: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|f| format!("{}rss/{f}.rss", server.base))
        .collect();
    let ws = Workspace::new(&feeds);
    let log = run_once(&ws);
    assert!(
        log.contains("duplicate skipped (same canonical URL"),
        "{log}"
    );
    assert_eq!(count(&ws, "SELECT count(*) FROM articles"), 1);
    assert_eq!(
        count(&ws, "SELECT count(*) FROM article_feeds"),
        3,
        "member of all three feeds: {log}"
    );
    let title: String = ws
        .sql()
        .query_row("SELECT title FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(title, t["title"].as_str().unwrap());

    // The GUID changes for the same link: recognised without a fetch, alias remembered.
    server.set_body(
        "/rss/a.rss",
        rss(&[(
            format!("{url}?utm_source=fb&utm_medium=social"),
            Some("plvn-7-v2"),
        )]),
    );
    server.clear_hits();
    run_once(&ws);
    assert!(
        !server.hits().iter().any(|(p, _)| p.starts_with(&path)),
        "no page fetch: {:?}",
        server.hits()
    );
    assert_eq!(count(&ws, "SELECT count(*) FROM articles"), 1);
    let mut aliases: Vec<String> = ws
        .sql()
        .prepare("SELECT alias FROM article_aliases ORDER BY alias")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    aliases.sort();
    let mut expected = vec![
        url.clone(),
        format!("{url}?from=home"),
        format!("{url}?utm_source=fb&utm_medium=social"),
        "guid:127.0.0.1:plvn-7".to_string(),
        "guid:127.0.0.1:plvn-7-v2".to_string(),
    ];
    expected.sort();
    assert_eq!(aliases, expected);

    // `show` finds the story under any alias.
    let shown = stdout(
        &ws,
        &["show", &format!("{url}?utm_source=fb&utm_medium=social")],
    );
    assert!(shown.contains(&format!("url:        {url}\n")), "{shown}");
}

#[test]
fn changed_content_is_updated_with_a_revision_and_an_unchanged_refetch_writes_nothing() {
    let server = Server::start(&farm_dir().join("www"));
    let (url, path, t) = article(&server, 5);
    let page =
        std::fs::read_to_string(farm_dir().join("www").join(path.trim_start_matches('/'))).unwrap();
    let atom = |updated: &str| {
        format!(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><id>t</id>\
             <updated>{updated}</updated><entry><title>x</title><id>{url}</id>\
             <link href=\"{url}\"/><updated>{updated}</updated></entry></feed>"
        )
        .into_bytes()
    };
    server.set_body("/rss/a.atom", atom("2024-06-01T00:00:00Z"));
    let ws = Workspace::new(&[format!("{}rss/a.atom", server.base)]);
    run_once(&ws);
    let first_hash: String = ws
        .sql()
        .query_row("SELECT content_hash FROM articles", [], |r| r.get(0))
        .unwrap();

    // The publisher edits the story and says so in the feed.
    let first_para = t["body"]
        .as_str()
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap()
        .to_string();
    let opening: String = first_para.split(' ').take(6).collect::<Vec<_>>().join(" ");
    let edited = page.replacen(&opening, "Cập nhật: thông tin mới nhất về vụ việc. ", 1);
    assert_ne!(edited, page, "the edit applies to the page markup");
    server.set_body(&path, edited.into_bytes());
    // The entry's <updated> moves past our fetch (a second later, so it is strictly newer).
    let now = || {
        std::thread::sleep(Duration::from_millis(1100));
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    server.set_body("/rss/a.atom", atom(&now()));
    let log = run_once(&ws);
    assert!(log.contains("article updated"), "{log}");
    let (hash, body): (String, String) = ws
        .sql()
        .query_row("SELECT content_hash, body FROM articles", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_ne!(hash, first_hash);
    assert!(
        body.starts_with("Cập nhật: thông tin mới nhất về vụ việc."),
        "{body}"
    );
    let (rev_hash, rev_body): (String, String) = ws
        .sql()
        .query_row(
            "SELECT content_hash, body FROM article_revisions",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(rev_hash, first_hash, "the previous version is kept");
    // The fingerprint follows the new text: the old bands are gone, the new ones are there.
    let bands: Vec<i64> = {
        let db = ws.sql();
        let mut st = db
            .prepare("SELECT key FROM fingerprint_bands ORDER BY key")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let sig: Vec<u8> = ws
        .sql()
        .query_row("SELECT signature FROM fingerprints", [], |r| r.get(0))
        .unwrap();
    let mut expected = tindex::dedup::fingerprint::Signature::from_bytes(&sig)
        .unwrap()
        .bands()
        .to_vec();
    expected.sort_unstable();
    expected.dedup();
    assert_eq!(bands, expected);
    assert_eq!(rev_body, t["body"].as_str().unwrap());

    // The feed advertises another update, but the page did not change: nothing is written.
    server.set_body("/rss/a.atom", atom(&now()));
    let log = run_once(&ws);
    assert!(log.contains("same content"), "{log}");
    assert_eq!(count(&ws, "SELECT count(*) FROM article_revisions"), 1);
    let unchanged: String = ws
        .sql()
        .query_row("SELECT content_hash FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(unchanged, hash);
}

#[test]
fn syndicated_copies_on_two_sites_share_a_cluster_and_other_stories_do_not() {
    let server = Server::start(&farm_dir().join("www"));
    let (url, path, _) = article(&server, 8);
    let (other_url, _, _) = article(&server, 9);
    // The same story on "another site": other host name, its own canonical URL, retoned words.
    let port = server
        .base
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    let copy_url = format!("http://localhost:{port}/copy/story.html");
    let page = server.rebase(
        &std::fs::read_to_string(farm_dir().join("www").join(path.trim_start_matches('/')))
            .unwrap(),
    );
    let copy = page
        .replace(&url, &copy_url)
        .replace("hóa", "hoá")
        .replace("Hòa", "Hoà");
    server.set_body("/copy/story.html", copy.into_bytes());
    server.set_body(
        "/rss/a.rss",
        rss(&[
            (url.clone(), None),
            (copy_url.clone(), None),
            (other_url.clone(), None),
        ]),
    );
    let ws = Workspace::with_settings(
        &[format!("{}rss/a.rss", server.base)],
        "[daemon]\nmin_interval_secs = 1\n[fetch]\nper_host = 1\nper_host_gap_ms = 0\nrobots_txt = false\n",
    );
    run_once(&ws);
    let cluster = |u: &str| -> i64 {
        ws.sql()
            .query_row("SELECT cluster_id FROM articles WHERE url = ?1", [u], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(
        count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'"),
        3
    );
    assert_eq!(cluster(&url), cluster(&copy_url), "copies share a cluster");
    assert_ne!(cluster(&url), cluster(&other_url), "another story does not");
}

#[test]
fn search_finds_words_with_or_without_diacritics_and_exports_and_prune_behave() {
    let server = Server::start(&farm_dir().join("www"));
    let feeds = farm_feeds(&server);
    let ws = Workspace::new(&feeds);
    run_once(&ws);
    let t = truth(&server);
    let target = t
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("Thi hành án"))
        .or_else(|| {
            t.iter()
                .find(|a| a["title"].as_str().unwrap().contains("Tư pháp"))
        })
        .expect("a farm title with a diacritic-rich phrase");
    let title = target["title"].as_str().unwrap();
    let phrase = if title.contains("Thi hành án") {
        "thi hành án"
    } else {
        "tư pháp"
    };
    let plain = if phrase == "thi hành án" {
        "thi hanh an"
    } else {
        "tu phap"
    };
    let with = stdout(&ws, &["search", phrase, "--limit", "100"]);
    let without = stdout(&ws, &["search", plain, "--limit", "100"]);
    assert_eq!(with, without, "diacritics do not matter");
    assert!(with.contains(target["url"].as_str().unwrap()), "{with}");
    // FTS5 syntax in user input is just words, never an error.
    stdout(&ws, &["search", "\"unbalanced", "OR", "NEAR(", "*"]);

    // A quoted phrase: exactly the stories whose title, lead or body hold those words
    // together and in order (with or without diacritics); the words alone find more.
    let ids = |out: &str| -> std::collections::BTreeSet<i64> {
        out.lines()
            .map(|l| l.split('\t').next().unwrap().parse().unwrap())
            .collect()
    };
    let holding = |phrase: &str| -> std::collections::BTreeSet<i64> {
        let line = |t: &str| {
            let f = tindex::textfold::fold_search(t);
            let words: Vec<&str> = f
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            format!(" {} ", words.join(" "))
        };
        let want = line(phrase);
        let db = ws.sql();
        let mut st = db
            .prepare("SELECT id, coalesce(title, ''), coalesce(lead, ''), coalesce(body, '') FROM articles WHERE status = 'ok'")
            .unwrap();
        st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .filter(|(_, t, l, b)| [t, l, b].iter().any(|x| line(x).contains(&want)))
        .map(|(id, ..)| id)
        .collect()
    };
    let words_only = ids(&stdout(&ws, &["search", plain, "--limit", "1000"]));
    let reversed: String = plain.split(' ').rev().collect::<Vec<_>>().join(" ");
    for p in [phrase, plain, reversed.as_str()] {
        let quoted = ids(&stdout(
            &ws,
            &["search", &format!("\"{p}\""), "--limit", "1000"],
        ));
        assert_eq!(quoted, holding(p), "phrase {p}");
        assert!(quoted.is_subset(&words_only));
    }
    assert!(!holding(phrase).is_empty());
    assert!(
        holding(&reversed).len() < words_only.len(),
        "the reversed phrase finds fewer"
    );

    // CSV: header plus one record per article, quoted fields with paragraph breaks intact.
    let csv = stdout(&ws, &["export", "--csv"]);
    assert!(csv.starts_with("id,url,title,lead,body,captions,"));
    let records = csv_records(&csv);
    assert_eq!(records.len(), 59, "header + 58 stories");
    let row = records
        .iter()
        .find(|r| r[1] == target["url"].as_str().unwrap())
        .unwrap();
    assert_eq!(row[2], title);
    assert_eq!(row[4], target["body"].as_str().unwrap());

    // The view joins feeds and images.
    let feeds_json: String = ws
        .sql()
        .query_row(
            "SELECT feeds FROM articles_v WHERE url = ?1",
            [target["url"].as_str().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    let listed: Vec<Value> = serde_json::from_str(&feeds_json).unwrap();
    assert_eq!(listed.len(), target["feeds"].as_array().unwrap().len());

    // Prune never deletes what the latest feed fetch still lists...
    std::thread::sleep(Duration::from_millis(1100));
    assert!(stdout(&ws, &["prune", "--older-than", "0"]).starts_with("pruned 0 articles"));
    // ...but once a feed stops listing its stories, old ones go (with aliases and memberships).
    let only_first = &feeds[0];
    let first_path = format!("/{}", only_first.trim_start_matches(&server.base));
    server.set_body(&first_path, rss(&[]));
    run_once(&ws);
    let gone: i64 = t
        .iter()
        .filter(|a| {
            let f = a["feeds"].as_array().unwrap();
            f.len() == 1 && f[0] == only_first.as_str()
        })
        .count() as i64;
    std::thread::sleep(Duration::from_millis(1100));
    let out = stdout(&ws, &["prune", "--older-than", "0"]);
    assert!(out.starts_with(&format!("pruned {gone} articles")), "{out}");
    assert_eq!(count(&ws, "SELECT count(*) FROM articles"), 58 - gone);
    // The space goes back to the file system, not only to SQLite's free list.
    assert_eq!(count(&ws, "PRAGMA freelist_count"), 0);
    assert_eq!(
        count(
            &ws,
            "SELECT count(*) FROM article_aliases WHERE article_id NOT IN (SELECT id FROM articles)"
        ),
        0
    );
    // Near-duplicate bands go with their stories (they are not a cascading foreign key).
    assert_eq!(
        count(
            &ws,
            "SELECT count(*) FROM fingerprint_bands WHERE article_id NOT IN (SELECT id FROM articles)"
        ),
        0
    );
    assert_eq!(
        count(&ws, "SELECT count(*) FROM fingerprint_bands"),
        16 * (58 - gone)
    );
}

/// Splits RFC 4180 CSV into records of fields.
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    records
}

#[test]
fn a_reader_in_a_loop_never_sees_a_half_written_story() {
    let server = Server::start(&farm_dir().join("www"));
    server.set_delay(Duration::from_millis(20));
    let ws = Workspace::with_settings(
        &farm_feeds(&server),
        "[daemon]\nmin_interval_secs = 1\n[fetch]\nper_host = 4\nper_host_gap_ms = 0\n",
    );
    // Create the schema first so the reader can open it from the start.
    stdout(&ws, &["feeds", "list"]);
    let mut child = ws
        .command(&["run", "--once"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let reader =
        rusqlite::Connection::open_with_flags(&ws.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut seen = Vec::new();
    let start = Instant::now();
    loop {
        let done = child.try_wait().unwrap().is_some();
        // One read transaction: a consistent snapshot of everything.
        let tx = reader.unchecked_transaction().unwrap();
        let n: i64 = tx
            .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
            .unwrap();
        let incomplete: i64 = tx
            .query_row(
                "SELECT count(*) FROM articles a WHERE a.status != 'ok' OR a.title IS NULL
                 OR a.body IS NULL OR a.content_hash IS NULL OR a.cluster_id IS NULL
                 OR NOT EXISTS (SELECT 1 FROM article_feeds af WHERE af.article_id = a.id)
                 OR NOT EXISTS (SELECT 1 FROM article_aliases x WHERE x.article_id = a.id)
                 OR NOT EXISTS (SELECT 1 FROM articles_fts WHERE rowid = a.id)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let orphan_images: Option<i64> = tx
            .query_row(
                "SELECT article_id FROM images WHERE article_id NOT IN (SELECT id FROM articles)",
                [],
                |r| r.get(0),
            )
            .optional()
            .unwrap();
        drop(tx);
        assert_eq!(
            (incomplete, orphan_images),
            (0, None),
            "with {n} stories visible"
        );
        seen.push(n);
        if done {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60));
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(seen.last(), Some(&58));
    assert!(
        seen.iter().any(|n| *n > 0 && *n < 58),
        "the reader saw the cycle in progress: {seen:?}"
    );
}

#[test]
fn every_sql_example_in_the_schema_doc_runs_on_a_real_archive() {
    let server = Server::start(&farm_dir().join("www"));
    let ws = Workspace::new(&farm_feeds(&server)[..2]);
    run_once(&ws);
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/SCHEMA.md"),
    )
    .unwrap();
    let db = ws.sql();
    let mut ran = 0;
    for block in doc.split("```sql").skip(1) {
        let sql = block.split("```").next().unwrap();
        for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let mut stmt = db
                .prepare(statement)
                .unwrap_or_else(|e| panic!("docs/SCHEMA.md: {e}\n{statement}"));
            let mut rows = stmt.query([]).unwrap();
            while rows.next().unwrap().is_some() {}
            ran += 1;
        }
    }
    assert!(ran >= 8, "only {ran} statements found");
    // The documented search returns what `tindex search` does.
    let hits: i64 = db
        .query_row(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '\"phap\" \"luat\"'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        hits as usize,
        stdout(&ws, &["search", "pháp", "luật", "--limit", "1000"])
            .lines()
            .count()
    );
}
