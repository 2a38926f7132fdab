//! The memory budget under pages far larger than news pages: work waits for budget, it never
//! fails for want of it, and a wait for budget does not count against a request's timeout.

mod support;

use support::{Server, Workspace, count, rss_raw, run_once};

/// A valid article page of about `bytes`: a headline and many paragraphs.
fn big_page(i: usize, bytes: usize) -> Vec<u8> {
    let para = format!(
        "<p>{}</p>\n",
        "toa an nhan dan xet xu vu an tham o tai san nha nuoc ".repeat(40)
    );
    let mut html = format!(
        "<!doctype html><html><head><title>Big {i}</title></head><body><article><h1>Big story {i}</h1>\n"
    );
    while html.len() < bytes {
        html.push_str(&para);
    }
    html.push_str("</article></body></html>\n");
    html.into_bytes()
}

#[test]
fn pages_larger_than_the_budget_allows_at_once_all_land_none_timed_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let pages = 12;
    let items: String = (0..pages)
        .map(|i| {
            server.set_body(&format!("/big-{i}.html"), big_page(i, 1_500_000));
            format!(
                "<item><title>Big {i}</title><link>{}big-{i}.html</link></item>",
                server.base
            )
        })
        .collect();
    server.set_body("/big.rss", rss_raw(&items).into_bytes());
    // 16 MiB: a third for bodies and records (room for about one such page's text and record
    // at a time), two thirds for parsing (one such page at a time). Requests get 3 s, less
    // than the queue of pages takes, so a request that counted its wait would time out.
    let ws = Workspace::with_settings(
        &[format!("{}big.rss", server.base)],
        "[daemon]\nmin_interval_secs = 1\n[fetch]\nper_host = 8\nper_host_gap_ms = 0\n\
         timeout_secs = 3\nmax_body_bytes = 2097152\nmemory_budget_mib = 16\n",
    );
    run_once(&ws);
    assert_eq!(
        count(&ws, "SELECT count(*) FROM articles WHERE status = 'ok'"),
        pages as i64,
        "every page stored"
    );
    let errors: Vec<String> = ws
        .sql()
        .prepare("SELECT kind || ' ' || url || ': ' || error FROM fetches WHERE result = 'error'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // Only the robots.txt the test server does not have (404: no rules).
    assert!(
        errors
            .iter()
            .all(|e| e.starts_with("robots ") && e.ends_with("HTTP 404")),
        "{errors:?}"
    );
}

#[test]
fn a_memory_budget_too_small_for_the_largest_page_is_a_config_error() {
    let ws = Workspace::with_settings(&[], "[fetch]\nmemory_budget_mib = 16\n");
    let o = ws.tindex(&["check-config"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(support::stderr_of(&o).contains("fetch.memory_budget_mib"));
}
