//! A stored story whose feed says it was edited is fetched again; when that fetch fails, the
//! stored version stays, and the log and the counts say what happened (it used to be logged
//! as a duplicate with the same content and counted as nothing). On both stores.

mod support;

use support::{Backend, Fault, Server, Workspace, atom_entry, farm_dir, run_once, truth};

on_both_stores!(a_failed_refetch_of_an_edited_story_is_its_own_line_and_keeps_the_stored_version);

fn a_failed_refetch_of_an_edited_story_is_its_own_line_and_keeps_the_stored_version(
    backend: Backend,
) {
    let server = Server::start(&farm_dir().join("www"));
    let t = truth(&server).swap_remove(7);
    let url = t["url"].as_str().unwrap().to_string();
    let path = format!("/{}", url.trim_start_matches(&server.base));
    server.set_body("/rss/a.atom", atom_entry(&url, "2024-06-01T00:00:00Z"));
    let ws = Workspace::new(&[format!("{}rss/a.atom", server.base)]).on(backend);
    run_once(&ws);
    let stored = ws.value("SELECT body FROM articles");
    assert_eq!(stored, t["body"].as_str().unwrap());

    // The story was fetched long ago (as if archived in 2024); the feed now says it changed
    // after that (times in the future are ignored as mislabelled), and the page fails.
    ws.execute("UPDATE articles SET fetched_at = '2024-07-01T00:00:00Z'");
    server.set_body("/rss/a.atom", atom_entry(&url, "2025-01-01T00:00:00Z"));
    server.fault(
        &path,
        Fault {
            status: 500,
            content_type: "text/html",
            body: b"oops".to_vec(),
            headers: Vec::new(),
        },
    );
    let log = run_once(&ws);
    assert!(
        log.contains("edited article could not be fetched again; stored version kept"),
        "{log}"
    );
    assert!(!log.contains("duplicate skipped"), "{log}");
    assert!(log.contains("refetch_failed=1"), "{log}");
    assert_eq!(
        ws.rows("SELECT status, body FROM articles"),
        vec![vec!["ok".to_string(), stored]]
    );
    let failure =
        ws.value("SELECT failure FROM fetches WHERE kind = 'article' ORDER BY id DESC LIMIT 1");
    assert_eq!(failure, "http_status");
}
