//! Crash safety: `kill -9` at random points of cold cycles, 20 times. After every kill the
//! database passes `PRAGMA integrity_check`, holds no duplicate and no half-written story, and
//! after one last complete cycle every article of the farm is present exactly once.
//!
//! The kill points are not fixed times: they are drawn between the first commit and the end
//! of a clean cycle measured on this machine, in this run, so the test means the same on a
//! fast machine and on a loaded 2-core one.

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use support::{Server, Workspace, count, farm_dir, farm_feeds, run_once};

/// Where in a cycle each round's kill lands, as a fraction of it: a fixed-seed generator, so
/// the points differ per round but every run of the test is the same.
fn kill_points(mut seed: u64) -> impl FnMut() -> f64 {
    move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) % 1000) as f64 / 1000.0
    }
}

/// Starts `run --once` and SIGKILLs it after `at`.
fn kill_run_once_after(ws: &Workspace, at: Duration) {
    let mut child = ws
        .command(&["run", "--once"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(at);
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
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
    // Raw pages are written after their stories' commit: a kill between the two files may
    // lose a raw copy, never leave a page whose story is not in the archive.
    let pages = ws.dir.path().join("t.pages.sqlite");
    if pages.exists() {
        let db = ws.sql();
        db.execute("ATTACH DATABASE ?1 AS p", [pages.to_str().unwrap()])
            .unwrap();
        let integrity: String = db
            .query_row("PRAGMA p.integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "round {round}: pages file");
        let orphans: i64 = db
            .query_row(
                "SELECT count(*) FROM p.pages pg WHERE NOT EXISTS
                   (SELECT 1 FROM articles a WHERE a.id = pg.article_id)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0, "round {round}: raw page without its story");
    }
}

const SETTINGS: &str =
    "[daemon]\nmin_interval_secs = 1\n[fetch]\nper_host = 4\nper_host_gap_ms = 0\n";

/// Stories stored so far, reading as 0 while the database is not there yet.
fn stored(ws: &Workspace) -> i64 {
    let Ok(db) =
        rusqlite::Connection::open_with_flags(&ws.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    db.query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap_or(0)
}

/// A clean cold cycle on a scratch archive: when its first story was visible and when the
/// process ended, both from its start.
fn calibrate(server: &Server) -> (Duration, Duration) {
    let scratch = Workspace::with_settings(&farm_feeds(server), SETTINGS);
    let started = Instant::now();
    let mut child = scratch
        .command(&["run", "--once"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = None;
    loop {
        if first.is_none() && stored(&scratch) > 0 {
            first = Some(started.elapsed());
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let total = started.elapsed();
    (first.unwrap_or(total / 2), total)
}

#[test]
fn kill_9_at_random_points_loses_and_duplicates_nothing() {
    let server = Server::start(&farm_dir().join("www"));
    server.set_delay(Duration::from_millis(5));
    let (first_commit, cycle) = calibrate(&server);
    let earliest = first_commit / 2;
    let window = cycle
        .saturating_sub(earliest)
        .max(Duration::from_millis(10));
    let ws = Workspace::with_settings(&farm_feeds(&server), SETTINGS);
    let mut next = kill_points(0x005e_ed0f_7135);
    let mut killed_with = Vec::new();
    for round in 0..20 {
        // From before the first commit to the end of a clean cycle: before, during and after
        // the writes (later rounds have less left to do).
        kill_run_once_after(&ws, earliest + window.mul_f64(next()));
        if ws.db.exists() {
            check(&ws, round);
            let n = count(&ws, "SELECT count(*) FROM articles");
            killed_with.push(n);
            if n == 58 {
                // Complete: start over, so the next kills meet work again.
                let pages = ws.dir.path().join("t.pages.sqlite");
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", ws.db.display()));
                    let _ = std::fs::remove_file(format!("{}{suffix}", pages.display()));
                }
            }
        }
    }
    println!(
        "stories after each kill: {killed_with:?} (first commit {first_commit:?}, cycle {cycle:?})"
    );
    assert!(
        killed_with.iter().any(|n| *n > 0 && *n < 58),
        "some kills landed mid-cycle: {killed_with:?} (first commit {first_commit:?}, cycle {cycle:?})"
    );
    run_once(&ws);
    check(&ws, 20);
    assert_eq!(
        count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'"),
        58
    );
    assert_eq!(count(&ws, "SELECT count(*) FROM article_feeds"), 60);
}

/// The same on the shared store: a worker SIGKILLed at random points of its cycle leaves no
/// duplicate and no half-written story (each story is one transaction), its leases end on
/// their own, and the next `run --once` finishes the farm exactly.
#[test]
fn kill_9_of_a_worker_at_random_points_loses_and_duplicates_nothing_on_the_shared_store() {
    let Some(backend) = support::Backend::postgres() else {
        return;
    };
    let server = Server::start(&farm_dir().join("www"));
    server.set_delay(Duration::from_millis(5));
    let settings = "[daemon]\nmin_interval_secs = 1\nlease_secs = 3\n[fetch]\nper_host = 4\nper_host_gap_ms = 0\n";
    let ws = Workspace::with_settings(&farm_feeds(&server), settings).on(backend);
    let check = |round: usize| {
        assert_eq!(
            ws.number("SELECT count(*) - count(DISTINCT url) FROM articles"),
            0,
            "round {round}: duplicate"
        );
        assert_eq!(
            ws.number(
                "SELECT count(*) FROM articles a WHERE a.status = 'ok' AND (a.body IS NULL
                 OR a.title IS NULL OR a.cluster_id IS NULL OR a.search IS NULL
                 OR NOT EXISTS (SELECT 1 FROM article_feeds af WHERE af.article_id = a.id))"
            ),
            0,
            "round {round}: half-written story"
        );
    };
    // A clean cycle first, timed, on this machine in this run; then the store emptied.
    let started = Instant::now();
    run_once(&ws);
    let cycle = started.elapsed();
    let reset = || {
        ws.execute(
            "TRUNCATE articles, article_aliases, fetches, cycles, extractions CASCADE;
             UPDATE feeds SET etag = NULL, last_modified = NULL, polled_at = NULL,
                 next_poll_at = '1970-01-01T00:00:00Z';
             UPDATE host_leases SET owner = NULL, lease_until = '1970-01-01T00:00:00Z'",
        )
    };
    reset();
    let mut next = kill_points(0x005e_ed0f_7136);
    let mut killed_with = Vec::new();
    for round in 0..8 {
        kill_run_once_after(&ws, cycle.mul_f64(next()));
        check(round);
        let n = ws.number("SELECT count(*) FROM articles");
        killed_with.push(n);
        // The killed worker's lease ends on its own; the next round starts after that.
        support::wait_until("the lease to end", Duration::from_secs(60), || {
            ws.number(
                "SELECT count(*) FROM host_leases WHERE lease_until >
                 to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
            ) == 0
        });
        if n == 58 {
            // Complete: start over, so the next kills meet work again.
            reset();
        }
    }
    println!("stories after each kill: {killed_with:?} (cycle {cycle:?})");
    assert!(
        killed_with.iter().any(|n| *n > 0 && *n < 58),
        "some kills landed mid-cycle: {killed_with:?} (cycle {cycle:?})"
    );
    run_once(&ws);
    check(8);
    assert_eq!(
        ws.number("SELECT count(*) FROM articles WHERE status = 'ok'"),
        58,
        "after kills at {killed_with:?}"
    );
    assert_eq!(ws.number("SELECT count(*) FROM article_feeds"), 60);
}
