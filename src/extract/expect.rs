//! Rule expectations (`[[site.test]]`): a page the rule must keep extracting right, and what
//! the record must say. `tindex rules check` runs them, so a site's redesign shows up as a
//! failing check instead of months of quietly degraded records.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use url::Url;

use super::{Extracted, Method};
use crate::textfold::fold_search;

/// One expectation of a site rule.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleTest {
    /// A live page to fetch (skipped by `rules check --offline`).
    pub url: Option<String>,
    /// A saved page, relative to the config file's directory.
    pub file: Option<PathBuf>,
    /// The address the saved page was served at, for its relative links (default: the
    /// rule's first host).
    pub base_url: Option<String>,
    /// The exact headline.
    pub title: Option<String>,
    /// How the lead begins.
    pub lead_prefix: Option<String>,
    /// Phrases the body must contain (compared without case and marks, so a change of
    /// Unicode form or capitalisation is not a failure).
    #[serde(default)]
    pub body_contains: Vec<String>,
    /// Phrases the body must not contain: furniture the rule must strip.
    #[serde(default)]
    pub body_excludes: Vec<String>,
    /// How many captions the record holds.
    pub captions: Option<usize>,
    /// The byline as stored.
    pub author: Option<String>,
    /// How the stored publication date begins (`2026-11-05` or `2026-11-05T14:30:00+07:00`).
    pub published: Option<String>,
}

impl RuleTest {
    /// Checks the test's own shape at config load: one page source, a usable URL.
    pub fn validate(&self) -> Result<(), String> {
        match (&self.url, &self.file) {
            (Some(_), Some(_)) => return Err("give url or file, not both".into()),
            (None, None) => return Err("needs url or file".into()),
            _ => {}
        }
        for (key, url) in [("url", &self.url), ("base_url", &self.base_url)] {
            if let Some(u) = url {
                let parsed = Url::parse(u).map_err(|e| format!("{key} {u:?}: {e}"))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(format!("{key} {u:?}: not http or https"));
                }
            }
        }
        let expects = self.title.is_some()
            || self.lead_prefix.is_some()
            || !self.body_contains.is_empty()
            || !self.body_excludes.is_empty()
            || self.captions.is_some()
            || self.author.is_some()
            || self.published.is_some();
        if !expects {
            return Err("expects nothing: give title, lead_prefix, body_contains, body_excludes, captions, author or published".into());
        }
        Ok(())
    }

    /// Where the page is, for messages.
    pub fn source(&self) -> String {
        match (&self.url, &self.file) {
            (Some(u), _) => u.clone(),
            (None, Some(f)) => f.display().to_string(),
            (None, None) => "(no page)".into(),
        }
    }

    /// Every way `x` falls short of the expectation; empty when it holds. The rule itself
    /// must have found the body: a record the generic extractor saved is a failing rule.
    pub fn failures(&self, x: &Extracted) -> Vec<String> {
        let mut out = Vec::new();
        if x.method != Method::SiteRule {
            out.push(format!(
                "method: {} (the rule's body selector found no text)",
                x.method.as_str()
            ));
        }
        if let Some(t) = &self.title
            && t.trim() != x.title
        {
            out.push(format!("title: expected {t:?}, got {:?}", x.title));
        }
        if let Some(p) = &self.lead_prefix {
            let lead = x.lead.as_deref().unwrap_or("");
            if !fold_search(lead).starts_with(&fold_search(p)) {
                out.push(format!(
                    "lead: expected to begin {p:?}, got {:?}",
                    cut(lead)
                ));
            }
        }
        let body = fold_search(&x.body_text());
        for phrase in &self.body_contains {
            if !body.contains(&fold_search(phrase)) {
                out.push(format!("body: does not contain {phrase:?}"));
            }
        }
        for phrase in &self.body_excludes {
            if body.contains(&fold_search(phrase)) {
                out.push(format!(
                    "body: contains {phrase:?}, which the rule should strip"
                ));
            }
        }
        if let Some(n) = self.captions
            && n != x.captions.len()
        {
            out.push(format!("captions: expected {n}, got {}", x.captions.len()));
        }
        if let Some(a) = &self.author
            && x.author.as_deref() != Some(a.trim())
        {
            out.push(format!("author: expected {a:?}, got {:?}", x.author));
        }
        if let Some(p) = &self.published {
            let got = x.published.map(|s| s.to_string()).unwrap_or_default();
            if !got.starts_with(p.trim()) {
                out.push(format!("published: expected {p:?}…, got {got:?}"));
            }
        }
        out
    }
}

fn cut(s: &str) -> String {
    s.chars().take(80).collect()
}
