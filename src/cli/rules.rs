//! `tindex rules test` and `rules check`: what a rule does to a page, and whether the
//! rule's own expectations still hold.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use url::Url;

use super::web::Web;
use super::{Answer, CliError};
use crate::config::Config;
use crate::extract::{self, Explanation, Extracted, RuleTest, SiteRule};

/// A page to try a rule on.
pub struct Page {
    /// The address it was (or is taken to be) served at: chooses the rule.
    pub url: Url,
    pub html: String,
    /// Where it came from, for the report.
    pub from: String,
}

/// Reads the page `rules test` was given: a URL (fetched as a cycle would), else a file
/// (at `base_url`, else a `file:` URL, which no rule covers).
pub fn load_target(
    config: &Config,
    target: &str,
    base_url: Option<&str>,
) -> Result<Page, CliError> {
    if target.starts_with("http://") || target.starts_with("https://") {
        let fetched = Web::new(config)?.page(target).map_err(CliError::Runtime)?;
        return Ok(Page {
            url: fetched.url,
            html: fetched.text,
            from: target.to_string(),
        });
    }
    let path = PathBuf::from(target);
    let html = read_page(&path)?;
    let url = match base_url {
        Some(b) => crate::config::parse_feed_url(b)
            .map_err(|e| CliError::Usage(format!("--base-url: {e}")))?,
        None => std::path::absolute(&path)
            .ok()
            .and_then(|p| Url::from_file_path(p).ok())
            .ok_or_else(|| CliError::Usage(format!("{target}: give --base-url")))?,
    };
    Ok(Page {
        url,
        html,
        from: path.display().to_string(),
    })
}

/// A saved page, decoded as the fetcher decodes a response without a charset header.
fn read_page(path: &Path) -> Result<String, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
    Ok(crate::charset::decode(&bytes, None).0)
}

/// `rules test`: extracts `page`, prints the report, and answers whether an article came out.
pub fn test(
    config: &Config,
    page: &Page,
    json_out: bool,
    out: &mut dyn Write,
) -> std::io::Result<Answer> {
    let rule = config.site_rule_for(&page.url);
    let index = rule.and_then(|r| config.sites.iter().position(|s| std::ptr::eq(s, r)));
    let extracted = extract::extract(&page.html, &page.url, rule);
    let explanation = rule.map(|r| extract::explain(&page.html, r, extracted.as_ref().ok()));
    let answer = if extracted.is_ok() {
        Answer::Yes
    } else {
        Answer::No
    };
    if json_out {
        let report = json!({
            "page": page.from,
            "url": page.url.as_str(),
            "rule": rule.map(|r| json!({"index": index, "hosts": r.hosts})),
            "method": extracted.as_ref().ok().map(|x| x.method.as_str()),
            "selectors": explanation.as_ref().map(|e| &e.selectors),
            "fallbacks": explanation.as_ref().map(|e| &e.fallbacks),
            "record": extracted.as_ref().ok().map(record_json),
            "error": extracted.as_ref().err().map(|e| e.to_string()),
        });
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(answer);
    }
    writeln!(out, "page:    {} ({})", page.from, page.url)?;
    match (rule, index) {
        (Some(r), Some(i)) => writeln!(out, "rule:    site[{i}] ({})", r.hosts.join(", "))?,
        _ => writeln!(
            out,
            "rule:    none for {} (the generic extractor)",
            page.url.host_str().unwrap_or("this page")
        )?,
    }
    if let Some(e) = &explanation {
        print_explanation(e, out)?;
    }
    match &extracted {
        Ok(x) => print_record(x, out)?,
        Err(e) => writeln!(out, "error:   {e}")?,
    }
    Ok(answer)
}

fn print_explanation(e: &Explanation, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "selectors:")?;
    for s in &e.selectors {
        let text = s
            .text
            .as_ref()
            .map(|t| format!("  {t:?}"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {:<10} {:>3} matched  {}{text}",
            s.field, s.matched, s.selector
        )?;
    }
    if e.fallbacks.is_empty() {
        writeln!(out, "fell back: nothing")?;
    } else {
        writeln!(out, "fell back:")?;
        for f in &e.fallbacks {
            writeln!(out, "  {f}")?;
        }
    }
    Ok(())
}

fn print_record(x: &Extracted, out: &mut dyn Write) -> std::io::Result<()> {
    let opt = |v: Option<&str>| v.unwrap_or("-").to_string();
    writeln!(out, "method:    {}", x.method.as_str())?;
    writeln!(out, "title:     {}", x.title)?;
    writeln!(out, "lead:      {}", opt(x.lead.as_deref()))?;
    writeln!(out, "author:    {}", opt(x.author.as_deref()))?;
    writeln!(
        out,
        "published: {} ({})",
        x.published
            .map(|d| d.to_string())
            .unwrap_or_else(|| "-".into()),
        opt(x.published_source.as_deref())
    )?;
    writeln!(out, "tags:      {}", x.tags.join(" | "))?;
    writeln!(out, "captions:  {}", x.captions.len())?;
    for c in &x.captions {
        writeln!(out, "  | {c}")?;
    }
    let chars: usize = x.body.iter().map(|b| b.chars().count()).sum();
    writeln!(
        out,
        "body:      {} blocks, {chars} characters",
        x.body.len()
    )?;
    for b in &x.body {
        writeln!(out, "  | {b}")?;
    }
    Ok(())
}

/// The record as `export --jsonl` shapes a story's content.
fn record_json(x: &Extracted) -> Value {
    json!({
        "title": x.title,
        "lead": x.lead,
        "body": x.body_text(),
        "captions": x.captions,
        "images": x.images.iter().map(|i| json!({
            "src": i.src, "alt": i.alt, "caption": i.caption, "credit": i.credit,
            "position": i.position,
        })).collect::<Vec<_>>(),
        "author": x.author,
        "authors": x.authors,
        "published_at": x.published.map(|d| d.to_string()),
        "published_source": x.published_source,
        "updated_at": x.updated.map(|d| d.to_string()),
        "tags": x.tags,
        "category": x.category,
        "language": x.language,
        "canonical_url": x.canonical_url,
        "method": x.method.as_str(),
    })
}

/// `rules check`: every expectation of every rule; one line each, failures spelled out.
pub fn check(
    config: &Config,
    config_dir: &Path,
    offline: bool,
    out: &mut dyn Write,
) -> std::io::Result<Answer> {
    let mut web = None;
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for (i, rule) in config.sites.iter().enumerate() {
        for (j, t) in rule.tests.iter().enumerate() {
            let name = format!("site[{i}].test[{j}] {}", t.source());
            if t.url.is_some() && offline {
                skipped += 1;
                writeln!(out, "skip  {name} (--offline)")?;
                continue;
            }
            let failures = match run_test(config, config_dir, rule, t, &mut web) {
                Ok(x) => t.failures(&x),
                Err(e) => vec![e],
            };
            if failures.is_empty() {
                passed += 1;
                writeln!(out, "ok    {name}")?;
            } else {
                failed += 1;
                writeln!(out, "FAIL  {name}")?;
                for f in failures {
                    writeln!(out, "        {f}")?;
                }
            }
        }
    }
    writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped")?;
    Ok(if failed > 0 { Answer::No } else { Answer::Yes })
}

/// Extracts one expectation's page with its own rule (whatever host the page is at).
fn run_test(
    config: &Config,
    config_dir: &Path,
    rule: &SiteRule,
    t: &RuleTest,
    web: &mut Option<Web>,
) -> Result<Extracted, String> {
    let (url, html) = match (&t.url, &t.file) {
        (Some(u), _) => {
            if web.is_none() {
                *web = Some(Web::new(config).map_err(|e| e.to_string())?);
            }
            let fetched = web.as_ref().ok_or("no fetcher")?.page(u)?;
            (fetched.url, fetched.text)
        }
        (None, Some(f)) => {
            let path = config_dir.join(f);
            let html = read_page(&path).map_err(|e| e.to_string())?;
            let base = t.base_url.clone().unwrap_or_else(|| {
                format!("https://{}/", rule.hosts.first().map_or("localhost", |h| h))
            });
            let url = Url::parse(&base).map_err(|e| format!("base_url {base:?}: {e}"))?;
            (url, html)
        }
        (None, None) => return Err("needs url or file".into()),
    };
    extract::extract(&html, &url, Some(rule)).map_err(|e| format!("extraction failed: {e}"))
}
