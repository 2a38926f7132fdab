//! The site-rule path: CSS selectors from the user's config.
//!
//! A rule pins down title, lead, body, captions, author and date for one
//! site's markup, which is exact where generic scoring can only be close.
//! Rules are compiled per call (a handful of selectors, microseconds).

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};

use super::SiteRule;
use super::date;
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

    /// Author text from the rule.
    pub fn author(&self, doc: &Html) -> Option<String> {
        first_text(Self::first(doc, &self.author))
    }

    /// Published date from the rule: `datetime`/`content`/`title` attribute,
    /// else the element's visible text.
    pub fn published(&self, doc: &Html, off: FixedOffset) -> Option<DateTime<FixedOffset>> {
        let el = Self::first(doc, &self.published)?;
        let e = el.value();
        ["datetime", "content", "title", "data-time"]
            .iter()
            .filter_map(|a| e.get_attr(a))
            .find_map(|v| date::parse_machine(v, off))
            .or_else(|| first_text(Some(el)).and_then(|t| date::parse_text(&t, off)))
    }
}
