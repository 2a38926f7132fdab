//! Crash safety: `kill -9` at random points of cold cycles, 20 times. After every kill the
//! database passes `PRAGMA integrity_check`, holds no duplicate and no half-written story, and
//! after one last complete cycle every article of the farm is present exactly once.

mod support;

use std::process::Stdio;
use std::time::Duration;

use support::{Server, Workspace, farm_dir, farm_feeds};

fn count(ws: &Workspace, sql: &str) -> i64 {
    ws.sql().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn check(ws: &Workspace, round: usize) {
    let integrity: String = ws
        .sql()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "round {round}");
    assert_eq!(
        count(ws, "SELECT count(*) - count(DISTINCT url) FROM articles"),
        0,
        "round {round}: duplicate"
    );
    assert_eq!(
        count(
            ws,
            "SELECT count(*) FROM articles a WHERE a.status = 'ok' AND (a.body IS NULL
             OR a.title IS NULL OR a.cluster_id IS NULL
             OR NOT EXISTS (SELECT 1 FROM articles_fts WHERE rowid = a.id)
             OR NOT EXISTS (SELECT 1 FROM article_feeds af WHERE af.article_id = a.id))"
        ),
        0,
        "round {round}: half-written story"
    );
}

#[test]
fn kill_9_at_random_points_loses_and_duplicates_nothing() {
    let server = Server::start(&farm_dir().join("www"));
    server.set_delay(Duration::from_millis(5));
    let ws = Workspace::with_settings(
        &farm_feeds(&server),
        "[daemon]\nmin_interval_secs = 1\n[fetch]\nper_host = 4\nper_host_gap_ms = 0\n",
    );
    // A fixed-seed generator: the kill points differ per round but every run is the same.
    let mut seed: u64 = 0x005e_ed0f_7135;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        seed >> 33
    };
    let mut killed_with = Vec::new();
    for round in 0..20 {
        let mut child = ws
            .command(&["run", "--once"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(30 + next() % 400));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        if ws.db.exists() {
            check(&ws, round);
            killed_with.push(count(&ws, "SELECT count(*) FROM articles"));
        }
    }
    assert!(
        killed_with.iter().any(|n| *n > 0 && *n < 58),
        "some kills landed mid-cycle: {killed_with:?}"
    );
    let out = ws.tindex(&["run", "--once"]);
    assert!(out.status.success());
    check(&ws, 20);
    assert_eq!(
        count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'"),
        58
    );
    assert_eq!(count(&ws, "SELECT count(*) FROM article_feeds"), 60);
}
