//! Times `extract` on synthetic worst-case pages, to check the per-page
//! budget (1 s, 200 MB) in release mode. Run each case in its own process
//! under `/usr/bin/time` to read peak memory.
//!
//! usage: cargo run --release --example extract_stress -- CASE [N]
//! CASE: deep-div, deep-span, deep-then-big, deep-b, deep-table, unclosed-p, big-article, big-text,
//! big-attrs, many-links, links N, divs N, rule-compile

use std::time::Instant;

use tindex::extract::{MAX_HTML_BYTES, extract};

const PARA: &str = "Ngày 22/10, Bộ Y tế cho biết bệnh viện đã tiếp nhận bệnh nhân, \
    người dân cần theo dõi sức khỏe và đến cơ sở y tế khi có dấu hiệu bất thường. ";

fn page(body: &str) -> String {
    format!("<!doctype html><html><head><title>T</title></head><body>{body}</body></html>")
}

/// Repeats `unit` until the page is just under the size limit.
fn fill(unit: &str) -> String {
    let n = (MAX_HTML_BYTES - 200_000) / unit.len().max(1);
    unit.repeat(n)
}

fn build(case: &str, n: usize) -> Option<String> {
    let html = match case {
        "deep-div" => page(&format!(
            "{}<p>{PARA}</p>{}",
            "<div>".repeat(n),
            "</div>".repeat(n)
        )),
        "deep-span" => page(&format!("{}{PARA}", "<span>".repeat(n))),
        "deep-then-big" => page(&format!(
            "{}{}",
            "<div>".repeat(n),
            fill(&format!("<p>{PARA}</p>\n"))
        )),
        "deep-b" => page(&format!("<p>{}{PARA}</p>", "<b>".repeat(n))),
        "deep-table" => page(&"<table><tr><td>".repeat(n)),
        "unclosed-p" => page(&fill(&format!("<p>{PARA}"))),
        "big-article" => page(&format!(
            "<article><h1>Tiêu đề</h1>{}</article>",
            fill(&format!("<p>{PARA}<a href=\"/x\">liên kết</a></p>\n"))
        )),
        "big-text" => page(&fill("a")),
        "big-attrs" => page(&format!(
            "<div class=\"{}\"><p>{PARA}</p></div>",
            fill("x ")
        )),
        "links" => page(&format!(
            "<p>{PARA}</p>{}",
            "<a href=\"/a\">x</a>".repeat(n)
        )),
        "divs" => page(&format!(
            "<p>{PARA}</p>{}",
            "<div class=\"c\">x</div>".repeat(n)
        )),
        "many-links" => page(&fill("<a href=\"/a\">x</a>")),
        _ => return None,
    };
    Some(html)
}

/// Cost of compiling a typical site rule's selectors (what every
/// rule-mode `extract` call pays), via `validate`, which compiles them all.
fn time_rule_compile(n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/tindex.toml");
    let rule = tindex::config::Config::load(&path)?
        .sites
        .into_iter()
        .next()
        .ok_or("no [[site]] in config/tindex.toml")?;
    let t0 = Instant::now();
    for _ in 0..n {
        rule.validate()?;
    }
    let us = t0.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64;
    println!("rule-compile: {us:.1} µs per rule over {n} runs");
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(case) = args.first() else {
        eprintln!("usage: stress CASE [N]");
        std::process::exit(2);
    };
    let n: usize = args
        .get(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20_000);
    if case == "rule-compile" {
        return time_rule_compile(n);
    }
    let Some(html) = build(case, n) else {
        eprintln!("unknown case {case}");
        std::process::exit(2);
    };
    let url = url::Url::parse("https://example.com/a.html")?;
    if std::env::var_os("PARSE_ONLY").is_some() {
        let t0 = Instant::now();
        let doc = scraper::Html::parse_document(&html);
        let parse = t0.elapsed().as_secs_f64() * 1000.0;
        drop(doc);
        let total = t0.elapsed().as_secs_f64() * 1000.0;
        println!("{case} n={n} parse {parse:.1} ms, parse+drop {total:.1} ms");
        return Ok(());
    }
    let t0 = Instant::now();
    let res = extract(&html, &url, None);
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    let outcome = match res {
        Ok(x) => format!("ok, {} blocks", x.body.len()),
        Err(e) => format!("error: {e}"),
    };
    println!("{case} n={n} bytes={} {ms:.1} ms: {outcome}", html.len());
    Ok(())
}
