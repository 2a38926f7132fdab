//! Site rules users can test, trust and repair: `rules test`, `rules check`, rule health,
//! kept raw pages and `reextract`, against the farm on a loopback server and the real binary.

mod support;

use std::path::Path;

use serde_json::Value;
use support::*;

/// Serves every farm page through `change` from now on (a site redesign).
fn redesign(server: &Server, change: impl Fn(&str) -> String) {
    for entry in std::fs::read_dir(farm_dir().join("www")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "html") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let html = std::fs::read_to_string(&path).unwrap();
            server.set_body(&format!("/{name}"), change(&html).into_bytes());
        }
    }
}

/// The farm's markup with the article body's container renamed: no selector of the shipped
/// rule finds it.
fn renamed_body(html: &str) -> String {
    html.replace("article__body", "post__text")
        .replace("detail-content", "post-text")
        .replace("itemprop=\"articleBody\"", "data-x=\"1\"")
}

/// A reader prompt the site starts printing inside the body, which the rule does not strip.
const PROMPT: &str = "Mời bạn đọc gửi thông tin, hình ảnh về các vụ việc pháp luật tới đường dây nóng của Báo để được phản ánh kịp thời.";

fn with_prompt(html: &str) -> String {
    let note = format!("<div class=\"inline-note\"><p>{PROMPT}</p></div>");
    let mut out = html.to_string();
    for open in [
        "<div class=\"detail-content cms-body\">",
        "<div class=\"article__body",
    ] {
        if let Some(i) = out.find(open) {
            let end = i + out[i..].find('>').unwrap() + 1;
            out.insert_str(end, &note);
            break;
        }
    }
    out
}

fn json_of(ws: &Workspace, args: &[&str]) -> (Value, std::process::Output) {
    let out = ws.tindex(args);
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout_of(&out), stderr_of(&out)));
    (v, out)
}

#[test]
fn rules_test_on_a_farm_page_shows_every_selectors_match_count_and_the_record() {
    let server = Server::start(&farm_dir().join("www"));
    let ws = Workspace::new(&[]);
    let truth = truth(&server);
    let story = &truth[0];
    let url = story["url"].as_str().unwrap();
    let (v, out) = json_of(&ws, &["rules", "test", url, "--json"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        v["rule"]["hosts"]
            .as_array()
            .unwrap()
            .contains(&"127.0.0.1".into())
    );
    let counts: Vec<(String, u64)> = v["selectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["field"].as_str().unwrap().to_string(),
                s["matched"].as_u64().unwrap(),
            )
        })
        .collect();
    let fields: Vec<&str> = counts.iter().map(|(f, _)| f.as_str()).collect();
    // Every selector of the shipped rule, in the rule's order.
    assert_eq!(
        fields,
        [
            "title",
            "lead",
            "author",
            "published",
            "body",
            "captions",
            "strip[0]",
            "strip[1]",
            "strip[2]",
            "strip[3]",
            "strip[4]",
            "strip[5]"
        ]
    );
    let matched = |field: &str| counts.iter().find(|(f, _)| f == field).unwrap().1;
    assert_eq!(
        (matched("title"), matched("lead"), matched("body")),
        (1, 1, 1)
    );
    let title = &v["selectors"][0]["text"];
    assert_eq!(title, &story["title"], "the title selector's text");
    assert_eq!(v["fallbacks"], serde_json::json!([]));
    assert_eq!(v["method"], "site_rule");
    assert_eq!(v["record"]["body"], story["body"]);
    assert_eq!(v["record"]["lead"], story["lead"]);
}

#[test]
fn rules_test_names_the_body_fallback_when_the_markup_changed() {
    let server = Server::start(&farm_dir().join("www"));
    redesign(&server, renamed_body);
    let ws = Workspace::new(&[]);
    let url = truth(&server)[0]["url"].as_str().unwrap().to_string();
    let text = stdout(&ws, &["rules", "test", &url]);
    assert!(
        text.contains("body: the selector matched nothing; the generic extractor chose it"),
        "{text}"
    );
    assert!(text.contains("method:    site_rule_fallback"), "{text}");
}

#[test]
fn the_shipped_rule_passes_its_own_expectations_offline() {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/tindex.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tindex"))
        .arg("--config")
        .arg(&config)
        .args(["rules", "check", "--offline"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(out.status.success(), "{text}{}", stderr_of(&out));
    assert!(text.contains("1 passed, 0 failed"), "{text}");
}

#[test]
fn a_failing_rule_expectation_exits_1_and_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/tests/plvn-article.html");
    let config = dir.path().join("t.toml");
    std::fs::write(
        &config,
        format!(
            "[[site]]\nhosts = [\"baophapluat.vn\"]\ntitle = \"h1.article__title\"\n\
             body = \"div.article__body\"\n\n[[site.test]]\nfile = {:?}\n\
             title = \"Một tiêu đề khác\"\nbody_contains = [\"hơn 12 tỷ đồng\"]\n",
            page.display().to_string()
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tindex"))
        .arg("--config")
        .arg(&config)
        .args(["rules", "check"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr_of(&out));
    assert!(text.contains("FAIL  site[0].test[0]"), "{text}");
    assert!(
        text.contains(
            "title: expected \"Một tiêu đề khác\", got \"Hà Nội: Xét xử vụ án chiếm đoạt tài sản tại dự án nhà ở\""
        ),
        "{text}"
    );
    // The expectation that holds is not reported as failing.
    assert!(!text.contains("body: does not contain"), "{text}");
    assert!(text.contains("0 passed, 1 failed"), "{text}");
}

#[test]
fn rule_health_flags_the_rule_after_the_farm_markup_changes_under_it() {
    let server = Server::start(&farm_dir().join("www"));
    let feeds = farm_feeds(&server);
    let ws = Workspace::new(&feeds[..3]);
    run_once(&ws);
    let healthy = ws.tindex(&["status", "--check"]);
    assert!(healthy.status.success(), "{}", stdout_of(&healthy));

    redesign(&server, renamed_body);
    std::fs::write(&ws.feeds_file, feeds.join("\n")).unwrap();
    let log = run_once(&ws);
    let fell_back = count(
        &ws,
        "SELECT count(*) FROM articles WHERE method = 'site_rule_fallback'",
    );
    assert!(fell_back >= 10, "{fell_back} stories fell back");
    let warned = log
        .lines()
        .find(|l| l.contains("WARN") && l.contains("rule for 127.0.0.1 suspect:"))
        .unwrap_or_else(|| panic!("no WARN line for the rule:\n{log}"));
    assert!(
        warned.contains("pages fell back to the generic extractor since"),
        "{warned}"
    );

    let check = ws.tindex(&["status", "--check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stdout_of(&check).contains("problem: rule for 127.0.0.1 suspect:"),
        "{}",
        stdout_of(&check)
    );
    let (health, out) = json_of(&ws, &["rules", "health", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let days = health["days"].as_array().unwrap();
    let fallbacks: u64 = days.iter().map(|d| d["fallbacks"].as_u64().unwrap()).sum();
    assert_eq!(fallbacks as i64, fell_back);
    let pages: u64 = days.iter().map(|d| d["pages"].as_u64().unwrap()).sum();
    assert_eq!(
        pages as i64,
        count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'")
    );
}

#[test]
fn reextract_after_a_rule_fix_revises_every_story_to_the_exact_new_content() {
    let server = Server::start(&farm_dir().join("www"));
    redesign(&server, with_prompt);
    let ws = Workspace::new(&farm_feeds(&server));
    run_once(&ws);
    let stories = count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'");
    let prompted = count(
        &ws,
        &format!("SELECT count(*) FROM articles WHERE body LIKE '{PROMPT}%'"),
    );
    assert_eq!(prompted, stories, "the unfixed rule keeps the prompt");

    // The fix: strip the new box.
    let config = std::fs::read_to_string(&ws.config).unwrap();
    let fixed = config.replacen("strip = [", "strip = [\".inline-note\", ", 1);
    assert_ne!(fixed, config);
    std::fs::write(&ws.config, fixed).unwrap();
    let test = stdout(&ws, &["rules", "test", "--id", "1"]);
    assert!(
        !test.contains(PROMPT),
        "rules test --id sees the fix: {test}"
    );

    let done = stdout(&ws, &["reextract"]);
    assert!(
        done.contains(&format!(
            "re-extracted {stories} kept pages: {stories} revised, 0 unchanged"
        )),
        "{done}"
    );
    assert_eq!(
        count(&ws, "SELECT count(*) FROM article_revisions"),
        stories
    );
    assert_eq!(
        count(
            &ws,
            &format!("SELECT count(*) FROM article_revisions WHERE body LIKE '{PROMPT}%'")
        ),
        stories
    );
    let db = ws.sql();
    for story in truth(&server) {
        let url = story["url"].as_str().unwrap();
        let body: String = db
            .query_row("SELECT body FROM articles WHERE url = ?1", [url], |r| {
                r.get(0)
            })
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(body, story["body"].as_str().unwrap(), "{url}");
    }
    // Again: nothing left to change.
    let again = stdout(&ws, &["reextract", "--site", "127.0.0.1"]);
    assert!(
        again.contains(&format!("0 revised, {stories} unchanged")),
        "{again}"
    );
}

#[test]
fn raw_pages_live_beside_the_archive_and_age_out_after_keep_days() {
    let server = Server::start(&farm_dir().join("www"));
    let ws = Workspace::new(&farm_feeds(&server));
    run_once(&ws);
    let pages_path = ws.dir.path().join("t.pages.sqlite");
    let pages = rusqlite::Connection::open(&pages_path).unwrap();
    let stories = count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'");
    let kept: i64 = pages
        .query_row("SELECT count(*) FROM pages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, stories);
    // The archive users query holds no page.
    assert_eq!(
        count(
            &ws,
            "SELECT count(*) FROM sqlite_schema WHERE name = 'pages'"
        ),
        0
    );

    // Age half of them past keep_days (30 by default); the next cycle prunes them.
    pages
        .execute(
            "UPDATE pages SET fetched_at = '2000-01-01T00:00:00Z' WHERE id % 2 = 0",
            [],
        )
        .unwrap();
    let log = run_once(&ws);
    assert!(log.contains("raw pages pruned"), "{log}");
    let left: i64 = pages
        .query_row("SELECT count(*) FROM pages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, stories - stories / 2);
    let old: i64 = pages
        .query_row(
            "SELECT count(*) FROM pages WHERE fetched_at < '2001'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old, 0);
}
