//! What a site rule does to one page, for the people who write rules: how many elements each
//! selector matched and the text it took, and which fields came from elsewhere and why.
//!
//! A rule is written against pages its author has seen; when the site changes, the only
//! sign is that fields quietly come from the generic extractor. This report makes both the
//! first draft and the repair a matter of reading one screen (`tindex rules test`).

use scraper::{ElementRef, Html, Selector};
use serde::Serialize;

use super::meta::first_text;
use super::rule::Compiled;
use super::{Extracted, Method, SiteRule};

/// Longest text shown for one selector's first match.
const SHOWN_CHARS: usize = 160;

/// One selector of the rule and what it found on the page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SelectorMatch {
    /// The rule field (`title`, `body`, `strip[2]`, …).
    pub field: String,
    pub selector: String,
    /// Elements matched: in the whole page for the fields naming one element, inside the
    /// matched body for `captions` and `strip`.
    pub matched: usize,
    /// The first match's text (cut), for the fields that take text.
    pub text: Option<String>,
}

/// The rule's work on one page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Explanation {
    pub selectors: Vec<SelectorMatch>,
    /// Each field the rule names but did not supply, and where the value came from instead.
    pub fallbacks: Vec<String>,
}

/// Runs every selector of `rule` over `html` and compares with what extraction produced
/// (`extracted`, or `None` when it failed) to say what fell back. The selectors were
/// validated with the config; an unparsable one is reported, not fatal.
pub fn explain(html: &str, rule: &SiteRule, extracted: Option<&Extracted>) -> Explanation {
    let compiled = match Compiled::new(rule) {
        Ok(c) => c,
        Err(e) => {
            return Explanation {
                selectors: Vec::new(),
                fallbacks: vec![format!("rule not used: {e}")],
            };
        }
    };
    let doc = Html::parse_document(html);
    let roots = compiled.body_roots(&doc);
    let mut selectors = Vec::new();
    let mut fallbacks = Vec::new();
    let mut single = |field: &str, text: &Option<String>, sel: &Option<Selector>| {
        let (Some(text), Some(sel)) = (text, sel) else {
            return None;
        };
        let matches: Vec<ElementRef<'_>> = doc.select(sel).collect();
        let first = matches.first().copied().and_then(|e| first_text(Some(e)));
        selectors.push(SelectorMatch {
            field: field.to_string(),
            selector: text.clone(),
            matched: matches.len(),
            text: first.as_deref().map(cut),
        });
        Some((matches.len(), first.is_some()))
    };
    let title = single("title", &rule.title, &compiled.title);
    let lead = single("lead", &rule.lead, &compiled.lead);
    let author = single("author", &rule.author, &compiled.author);
    let published = single("published", &rule.published, &compiled.published);
    if let Some(sel) = &rule.body {
        let text = extracted.filter(|x| x.method == Method::SiteRule).map(|x| {
            let chars: usize = x.body.iter().map(|b| b.chars().count()).sum();
            format!("{} blocks, {chars} characters", x.body.len())
        });
        selectors.push(SelectorMatch {
            field: "body".into(),
            selector: sel.clone(),
            matched: roots.len(),
            text,
        });
    }
    let inside = |sel: &Selector| -> usize { roots.iter().map(|r| r.select(sel).count()).sum() };
    if let (Some(text), Some(sel)) = (&rule.captions, &compiled.captions) {
        selectors.push(SelectorMatch {
            field: "captions".into(),
            selector: text.clone(),
            matched: inside(sel),
            text: None,
        });
    }
    for (i, (text, sel)) in rule.strip.iter().zip(&compiled.strip).enumerate() {
        selectors.push(SelectorMatch {
            field: format!("strip[{i}]"),
            selector: text.clone(),
            matched: inside(sel),
            text: None,
        });
    }

    let Some(x) = extracted else {
        fallbacks.push("extraction failed: nothing was stored".into());
        return Explanation {
            selectors,
            fallbacks,
        };
    };
    if rule.body.is_none() {
        fallbacks
            .push("body: the rule has no body selector; the generic extractor chose it".into());
    } else if roots.is_empty() {
        fallbacks.push("body: the selector matched nothing; the generic extractor chose it".into());
    } else if x.method != Method::SiteRule {
        fallbacks.push(format!(
            "body: the selector matched {} element(s) without text once stripped; the generic extractor chose it",
            roots.len()
        ));
    }
    let missing = |found: Option<(usize, bool)>| matches!(found, Some((_, false)));
    if missing(title) {
        fallbacks.push(format!(
            "title: matched nothing with text; taken from the page's metadata ({:?})",
            cut(&x.title)
        ));
    }
    if missing(lead) {
        fallbacks.push(match &x.lead {
            Some(l) => format!(
                "lead: matched nothing with text; taken from the page ({:?})",
                cut(l)
            ),
            None => "lead: matched nothing; the record has no lead".into(),
        });
    }
    if missing(author) {
        fallbacks.push(match &x.author {
            Some(a) => {
                format!("author: matched nothing with text; taken from the page's metadata ({a:?})")
            }
            None => "author: matched nothing; the record has no author".into(),
        });
    }
    let rule_date = x
        .published_source
        .as_deref()
        .is_some_and(|s| s.starts_with("rule"));
    if published.is_some() && !rule_date {
        let how = match published {
            Some((0, _)) => "matched nothing",
            _ => "matched no readable date",
        };
        fallbacks.push(match &x.published_source {
            Some(src) => format!("published: {how}; taken from {src}"),
            None => format!("published: {how}; the record has no date"),
        });
    }
    if rule.captions.is_some()
        && compiled.captions.as_ref().is_some_and(|s| inside(s) == 0)
        && !x.captions.is_empty()
    {
        fallbacks.push(format!(
            "captions: matched nothing; {} taken from figures",
            x.captions.len()
        ));
    }
    Explanation {
        selectors,
        fallbacks,
    }
}

fn cut(s: &str) -> String {
    if s.chars().count() <= SHOWN_CHARS {
        return s.to_string();
    }
    let mut t: String = s.chars().take(SHOWN_CHARS).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    const PAGE: &str = r#"<html><head><title>T</title>
        <meta property="article:published_time" content="2026-11-04T08:00:00+07:00"></head><body>
        <h1 class="headline">Tiêu đề bài viết đủ dài</h1>
        <div class="story"><p>Đoạn văn thứ nhất của bài báo, đủ dài để là nội dung thật.</p>
        <div class="ad">Quảng cáo</div><div class="ad">Quảng cáo</div>
        <p>Đoạn văn thứ hai của bài báo, cũng đủ dài để được giữ lại.</p></div>
        </body></html>"#;

    fn rule(body: &str) -> SiteRule {
        SiteRule {
            hosts: vec!["a.vn".into()],
            title: Some("h1.headline".into()),
            lead: Some(".sapo".into()),
            body: Some(body.into()),
            published: Some("time.when".into()),
            strip: vec![".ad".into()],
            ..SiteRule::default()
        }
    }

    fn run(rule: &SiteRule) -> Explanation {
        let url = Url::parse("https://a.vn/x.html").unwrap();
        let x = super::super::extract(PAGE, &url, Some(rule)).unwrap();
        explain(PAGE, rule, Some(&x))
    }

    #[test]
    fn every_selector_reports_its_match_count_and_strip_counts_inside_the_body() {
        let e = run(&rule("div.story"));
        let counts: Vec<(&str, usize)> = e
            .selectors
            .iter()
            .map(|s| (s.field.as_str(), s.matched))
            .collect();
        assert_eq!(
            counts,
            [
                ("title", 1),
                ("lead", 0),
                ("published", 0),
                ("body", 1),
                ("strip[0]", 2)
            ]
        );
        assert_eq!(
            e.selectors[0].text.as_deref(),
            Some("Tiêu đề bài viết đủ dài")
        );
    }

    #[test]
    fn a_body_selector_that_matches_nothing_is_named_as_the_fallback() {
        let e = run(&rule("div.article__body"));
        assert!(
            e.fallbacks
                .iter()
                .any(|f| f.starts_with("body: the selector matched nothing")),
            "{:?}",
            e.fallbacks
        );
    }

    #[test]
    fn a_date_the_rule_missed_says_where_it_came_from() {
        let e = run(&rule("div.story"));
        assert!(
            e.fallbacks
                .contains(&"published: matched nothing; taken from meta".to_string()),
            "{:?}",
            e.fallbacks
        );
    }
}
