//! The site-rule path: CSS selectors from the user's config.
//!
//! A rule pins down title, lead, body, captions, author and date for one
//! site's markup, which is exact where generic scoring can only be close.
//! Rules are compiled per call (a handful of selectors, microseconds).

use std::collections::HashSet;

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};

use super::SiteRule;
use super::date::{self, Stamp};
use super::dom::AttrExt;
use super::meta::first_text;

/// A rule with its selectors parsed.
pub(crate) struct Compiled {
    pub title: Option<Selector>,
    pub lead: Option<Selector>,
    pub body: Option<Selector>,
    pub captions: Option<Selector>,
    pub author: Option<Selector>,
    pub published: Option<Selector>,
    pub strip: Vec<Selector>,
}

fn parse(field: &str, sel: &Option<String>) -> Result<Option<Selector>, String> {
    match sel {
        None => Ok(None),
        Some(s) => Selector::parse(s)
            .map(Some)
            .map_err(|e| format!("site rule field `{field}`: bad selector {s:?}: {e}")),
    }
}

impl Compiled {
    /// Parses every selector; the error names the field and the selector.
    pub fn new(rule: &SiteRule) -> Result<Self, String> {
        let strip = rule
            .strip
            .iter()
            .map(|s| {
                Selector::parse(s)
                    .map_err(|e| format!("site rule field `strip`: bad selector {s:?}: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Compiled {
            title: parse("title", &rule.title)?,
            lead: parse("lead", &rule.lead)?,
            body: parse("body", &rule.body)?,
            captions: parse("captions", &rule.captions)?,
            author: parse("author", &rule.author)?,
            published: parse("published", &rule.published)?,
            strip,
        })
    }

    /// Whether a selector that names one element of the article (title, lead, body, author,
    /// date) finds nothing in `doc`, a page parsed without its chrome, though it might have
    /// found it in the chrome: it names no class or id, or one that occurs in `chrome` (the
    /// removed markup). Then the page must be parsed whole.
    pub fn missed_in(&self, rule: &SiteRule, doc: &Html, chrome: &[&str]) -> bool {
        [
            (&self.title, &rule.title),
            (&self.lead, &rule.lead),
            (&self.body, &rule.body),
            (&self.author, &rule.author),
            (&self.published, &rule.published),
        ]
        .into_iter()
        .filter_map(|(sel, text)| Some((sel.as_ref()?, text.as_deref()?)))
        .any(|(sel, text)| doc.select(sel).next().is_none() && could_match_in(text, chrome))
    }

    /// Body elements: every match of the body selector, minus matches nested
    /// in an earlier match (so a selector list cannot duplicate text).
    pub fn body_roots<'a>(&self, doc: &'a Html) -> Vec<ElementRef<'a>> {
        let Some(sel) = &self.body else {
            return Vec::new();
        };
        let mut roots: Vec<ElementRef<'a>> = Vec::new();
        for el in doc.select(sel) {
            let nested = el
                .ancestors()
                .any(|a| roots.iter().any(|r| r.id() == a.id()));
            if !nested {
                roots.push(el);
            }
        }
        roots
    }

    /// Nodes the rule strips, and nodes it names as captions, inside `roots`.
    pub fn marks(
        &self,
        roots: &[ElementRef<'_>],
        skip: &mut HashSet<NodeId>,
        caps: &mut HashSet<NodeId>,
    ) {
        for root in roots {
            for sel in &self.strip {
                skip.extend(root.select(sel).map(|e| e.id()));
            }
            if let Some(sel) = &self.captions {
                caps.extend(root.select(sel).map(|e| e.id()));
            }
        }
    }

    /// First match of an optional selector.
    fn first<'a>(doc: &'a Html, sel: &Option<Selector>) -> Option<ElementRef<'a>> {
        sel.as_ref().and_then(|s| doc.select(s).next())
    }

    /// Title text from the rule.
    pub fn title(&self, doc: &Html) -> Option<String> {
        first_text(Self::first(doc, &self.title))
    }

    /// Lead element and its text from the rule.
    pub fn lead<'a>(&self, doc: &'a Html) -> Option<(String, ElementRef<'a>)> {
        let el = Self::first(doc, &self.lead)?;
        first_text(Some(el)).map(|t| (t, el))
    }

    /// Published date from the rule: `datetime`/`content`/`title` attribute,
    /// else the element's visible text.
    pub fn published(&self, doc: &Html) -> Option<Stamp> {
        let el = Self::first(doc, &self.published)?;
        let e = el.value();
        ["datetime", "content", "title", "data-time"]
            .iter()
            .filter_map(|a| e.get_attr(a))
            .find_map(date::parse_machine)
            .or_else(|| first_text(Some(el)).and_then(|t| date::parse_text(&t)))
    }

    /// Every author the rule's selector matches, in page order.
    pub fn authors(&self, doc: &Html) -> Vec<String> {
        match &self.author {
            Some(sel) => doc
                .select(sel)
                .filter_map(|el| first_text(Some(el)))
                .collect(),
            None => Vec::new(),
        }
    }
}

/// False only when the selector text names classes or ids (`.article__author`, `#date`)
/// and none of them occurs in `chrome`: no element there can match it.
fn could_match_in(selector: &str, chrome: &[&str]) -> bool {
    let mut names = Vec::new();
    let mut rest = selector;
    while let Some(i) = rest.find(['.', '#']) {
        let after = rest.get(i + 1..).unwrap_or_default();
        let len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(after.len());
        if len > 0 {
            names.push(after.get(..len).unwrap_or_default());
        }
        rest = after.get(len..).unwrap_or_default();
    }
    names.is_empty() || names.iter().any(|n| chrome.iter().any(|c| c.contains(n)))
}

#[cfg(test)]
mod tests {
    use super::could_match_in;

    #[test]
    fn selectors_are_tested_against_the_chrome_by_their_names() {
        let chrome = ["<footer><span class=\"byline\">A</span></footer>"];
        assert!(could_match_in("footer .byline", &chrome));
        assert!(could_match_in("span#x, .byline", &chrome));
        assert!(!could_match_in(
            ".article__author, .article__author-name",
            &chrome
        ));
        assert!(!could_match_in("time.article__time", &chrome));
        // No class or id to go by: it might match anything.
        assert!(could_match_in("footer span", &chrome));
        assert!(could_match_in("[itemprop=author]", &chrome));
    }
}
