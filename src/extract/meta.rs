//! Page metadata: title, dates, author, tags, section, language, canonical
//! URL, from `<meta>` (og:, article:, name=), JSON-LD, `<time>` and `<h1>`.
//!
//! Metadata is what the CMS says about the article, so it is the most
//! reliable source of dates and canonical URLs; it is gathered in a single
//! pass over the document.

use chrono::{DateTime, FixedOffset};
use ego_tree::NodeId;
use scraper::{ElementRef, Html};
use serde_json::Value;
use url::Url;

use super::date;
use super::dom::{self, AttrExt, ClassWords, element_text};
use super::images::resolve;
use super::text::{clean, fold};

/// Everything the document says about itself, before choosing.
#[derive(Debug, Default)]
pub(crate) struct Meta {
    pub base: Option<Url>,
    pub language: Option<String>,
    pub html_title: Option<String>,
    pub canonical: Option<String>,
    pub og_url: Option<String>,
    /// `(property-or-name lower-cased, content)` in document order.
    pub metas: Vec<(String, String)>,
    pub ld: LdArticle,
    pub h1s: Vec<(String, NodeId)>,
    pub time_attr: Option<String>,
    /// Visible text of elements classed as dates, first few.
    pub date_texts: Vec<String>,
    /// Elements classed as lead/sapo/summary: (text, node, doc order).
    pub lead_candidates: Vec<(String, NodeId)>,
    /// Text of the first short element classed author/byline.
    pub byline: Option<String>,
}

/// The article object of the page's JSON-LD, if any.
#[derive(Debug, Default)]
pub(crate) struct LdArticle {
    pub headline: Option<String>,
    pub description: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub authors: Vec<String>,
    pub keywords: Vec<String>,
    pub section: Option<String>,
}

const ARTICLE_TYPES: &[&str] = &[
    "NewsArticle",
    "Article",
    "BlogPosting",
    "ReportageNews",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "TechArticle",
    "ScholarlyArticle",
    "LiveBlogPosting",
    "Report",
    "WebPage",
];

/// Longest plausible lead. Containers whose class merely mentions a
/// summary (Drupal's `field-type-text-with-summary` wraps the whole body)
/// hold far more, and taking them as the lead duplicates the article.
const MAX_LEAD_WORDS: usize = 150;

/// Collects metadata in one pass over the elements.
pub(crate) fn collect(doc: &Html, page_url: &Url) -> Meta {
    let mut m = Meta::default();
    let mut ld_done = false;
    for el in doc.root_element().descendent_elements() {
        let e = el.value();
        match e.name() {
            "html" => {
                if let Some(l) = e.get_attr("lang").or_else(|| e.get_attr("xml:lang")) {
                    let l = l.trim();
                    if !l.is_empty() && m.language.is_none() {
                        m.language = Some(l.to_string());
                    }
                }
            }
            "base" if m.base.is_none() => {
                m.base = e
                    .get_attr("href")
                    .and_then(|h| page_url.join(h.trim()).ok());
            }
            "title" if m.html_title.is_none() => {
                let t = clean(&el.text().collect::<String>());
                if !t.is_empty() {
                    m.html_title = Some(t);
                }
            }
            "meta" => {
                let key = e
                    .get_attr("property")
                    .or_else(|| e.get_attr("name"))
                    .or_else(|| e.get_attr("itemprop"))
                    .or_else(|| e.get_attr("http-equiv"));
                let val = e.get_attr("content").or_else(|| e.get_attr("datetime"));
                if let (Some(k), Some(v)) = (key, val) {
                    m.metas.push((k.trim().to_ascii_lowercase(), v.to_string()));
                }
            }
            "link" => {
                let rel = e.get_attr("rel").unwrap_or("").to_ascii_lowercase();
                if m.canonical.is_none() && rel.split_whitespace().any(|r| r == "canonical") {
                    m.canonical = e.get_attr("href").and_then(|h| resolve(h, page_url));
                }
            }
            "script" => {
                let is_ld = e
                    .get_attr("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
                if is_ld && !ld_done {
                    let text: String = el.text().collect();
                    if let Some(a) = parse_ld(&text) {
                        m.ld = a;
                        ld_done = true;
                    }
                }
            }
            "h1" => {
                let t = element_text(el);
                if !t.is_empty() {
                    m.h1s.push((t, el.id()));
                }
            }
            "time" => {
                if m.time_attr.is_none()
                    && let Some(d) = e.get_attr("datetime")
                {
                    m.time_attr = Some(d.to_string());
                }
            }
            _ => {}
        }
        if let Some(ip) = e.get_attr("itemprop")
            && ip.eq_ignore_ascii_case("datePublished")
            && e.name() != "meta"
            && let Some(v) = e.get_attr("datetime").or_else(|| e.get_attr("content"))
        {
            m.metas
                .push(("itempropdatepublished".to_string(), v.to_string()));
        }
        if e.get_attr("class").is_some() || e.get_attr("id").is_some() {
            let words = ClassWords::of(e);
            if m.date_texts.len() < 5 && words.has(ClassWords::DATE) {
                let t = element_text(el);
                if !t.is_empty() && t.len() < 200 {
                    m.date_texts.push(t);
                }
            }
            if m.byline.is_none() && words.has(ClassWords::AUTHOR) {
                let t = element_text(el);
                if !t.is_empty() && dom::count_words(&t) <= 8 && t.chars().count() <= 80 {
                    m.byline = Some(t);
                }
            }
            if m.lead_candidates.len() < 50 && words.has(ClassWords::LEAD) {
                let t = element_text(el);
                let words = dom::count_words(&t);
                if (5..=MAX_LEAD_WORDS).contains(&words) {
                    m.lead_candidates.push((t, el.id()));
                }
            }
        }
    }
    m.og_url = m.meta("og:url").and_then(|u| resolve(u, page_url));
    m
}

impl Meta {
    /// First `<meta>` content for `key` (property, name or itemprop).
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metas
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// All contents for `key`, in order.
    fn meta_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.metas
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Description from meta/og/JSON-LD, cleaned; used to recognise the lead.
    pub fn description(&self) -> Option<String> {
        self.meta("og:description")
            .or_else(|| self.meta("description"))
            .or_else(|| self.meta("twitter:description"))
            .map(clean)
            .or_else(|| self.ld.description.as_deref().map(clean))
            .filter(|d| !d.is_empty())
    }

    /// Title: an `<h1>` that agrees with og:title/`<title>`/JSON-LD wins,
    /// because it carries no " | Site name" suffix; then og:title, JSON-LD
    /// headline, the first substantial `<h1>`, and `<title>` minus suffix.
    pub fn title(&self) -> Option<String> {
        let metas: Vec<String> = [
            self.meta("og:title"),
            self.meta("twitter:title"),
            self.ld.headline.as_deref(),
            self.html_title.as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(fold)
        .filter(|s| !s.is_empty())
        .collect();
        for (h1, _) in &self.h1s {
            let f = fold(h1);
            if f.chars().count() >= 3
                && metas
                    .iter()
                    .any(|m| m == &f || m.starts_with(&f) || m.contains(&f))
            {
                return Some(h1.clone());
            }
        }
        let site = self.meta("og:site_name");
        if let Some(t) = self.meta("og:title").map(clean).filter(|t| !t.is_empty()) {
            return Some(strip_site_suffix(&t, site));
        }
        if let Some(t) = self
            .ld
            .headline
            .as_deref()
            .map(clean)
            .filter(|t| !t.is_empty())
        {
            return Some(t);
        }
        if let Some((h1, _)) = self.h1s.iter().find(|(t, _)| dom::count_words(t) >= 2) {
            return Some(h1.clone());
        }
        self.html_title
            .as_deref()
            .map(|t| strip_site_suffix(t, site))
    }

    /// Published date and where it came from: JSON-LD, meta, `<time>`,
    /// then visible date text.
    pub fn published(&self, off: FixedOffset) -> Option<(DateTime<FixedOffset>, &'static str)> {
        if let Some(d) = self
            .ld
            .published
            .as_deref()
            .and_then(|s| date::parse_machine(s, off))
        {
            return Some((d, "json-ld"));
        }
        for key in [
            "article:published_time",
            "og:published_time",
            "itempropdatepublished",
            "datepublished",
            "pubdate",
            "publishdate",
            "publish-date",
            "date",
            "dc.date.issued",
            "dc.date",
            "dcterms.created",
            "sailthru.date",
            "parsely-pub-date",
            "article.published",
            "published_time",
        ] {
            if let Some(d) = self.meta_all(key).find_map(|v| date::parse_machine(v, off)) {
                return Some((d, "meta"));
            }
        }
        if let Some(d) = self
            .time_attr
            .as_deref()
            .and_then(|s| date::parse_machine(s, off))
        {
            return Some((d, "time"));
        }
        self.date_texts
            .iter()
            .find_map(|t| date::parse_text(t, off))
            .map(|d| (d, "text"))
    }

    /// Last-modified date from JSON-LD or meta.
    pub fn updated(&self, off: FixedOffset) -> Option<DateTime<FixedOffset>> {
        self.ld
            .modified
            .as_deref()
            .and_then(|s| date::parse_machine(s, off))
            .or_else(|| {
                [
                    "article:modified_time",
                    "og:updated_time",
                    "datemodified",
                    "last-modified",
                ]
                .iter()
                .find_map(|k| self.meta_all(k).find_map(|v| date::parse_machine(v, off)))
            })
    }

    /// Author from JSON-LD, then `meta name=author` / `article:author`
    /// (ignoring profile URLs).
    /// Names equal to the site's own name (og:site_name, host) are ignored:
    /// many CMSs put the publisher there when the real byline is in the text.
    pub fn author(&self, host: &str) -> Option<String> {
        let site = self.meta("og:site_name").map(fold);
        let host_f = host.trim_start_matches("www.").to_ascii_lowercase();
        let host_label = host_f.split('.').next().unwrap_or("").to_string();
        let is_site = |a: &str| {
            let f = fold(a);
            let squashed: String = f.chars().filter(|c| !c.is_whitespace()).collect();
            site.as_deref() == Some(f.as_str())
                || squashed == host_f
                || (!host_label.is_empty() && squashed == host_label)
        };
        let ld: Vec<&String> = self.ld.authors.iter().filter(|a| !is_site(a)).collect();
        if !ld.is_empty() {
            return Some(ld.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", "));
        }
        [
            "author",
            "article:author",
            "dc.creator",
            "parsely-author",
            "byl",
        ]
        .iter()
        .filter_map(|k| self.meta(k))
        .map(clean)
        .find(|a| !a.is_empty() && !a.starts_with("http") && !is_site(a))
    }

    /// Tags from `article:tag`, else JSON-LD keywords, else meta keywords.
    pub fn tags(&self) -> Vec<String> {
        let mut tags: Vec<String> = self.meta_all("article:tag").map(clean).collect();
        if tags.is_empty() {
            tags = self.ld.keywords.iter().map(|k| clean(k)).collect();
        }
        if tags.is_empty()
            && let Some(k) = self.meta("news_keywords").or_else(|| self.meta("keywords"))
        {
            tags = k.split([',', ';']).map(clean).collect();
        }
        let mut out: Vec<String> = Vec::new();
        for t in tags {
            if !t.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(&t)) {
                out.push(t);
            }
        }
        out
    }

    /// Section from `article:section` or JSON-LD `articleSection`.
    pub fn category(&self) -> Option<String> {
        self.meta("article:section")
            .map(clean)
            .or_else(|| self.ld.section.as_deref().map(clean))
            .filter(|c| !c.is_empty())
    }

    /// Language from `<html lang>`, `content-language` or `og:locale`.
    pub fn language(&self) -> Option<String> {
        self.language
            .clone()
            .or_else(|| self.meta("content-language").map(|s| s.trim().to_string()))
            .or_else(|| self.meta("og:locale").map(|s| s.trim().replace('_', "-")))
    }
}

/// `<title>` minus a trailing " | Site" / " - Site" part: keeps the longest
/// segment, which is the headline on news sites.
fn strip_site_suffix(t: &str, site: Option<&str>) -> String {
    let site = site.map(fold);
    for sep in [" | ", " – ", " — ", " :: ", " » ", " - "] {
        if t.contains(sep) {
            let best = t
                .split(sep)
                .map(clean)
                .find(|p| !p.is_empty() && site.as_deref() != Some(fold(p).as_str()));
            return best.unwrap_or_else(|| clean(t));
        }
    }
    clean(t)
}

/// Finds the article object in a JSON-LD script (arrays and `@graph` too).
fn parse_ld(text: &str) -> Option<LdArticle> {
    let v: Value = match serde_json::from_str(text.trim()) {
        Ok(v) => v,
        Err(_) => {
            // Raw newlines and tabs inside strings are a common CMS bug.
            let fixed: String = text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            serde_json::from_str(fixed.trim()).ok()?
        }
    };
    let obj = find_article(&v, 0)?;
    let s = |k: &str| obj.get(k).and_then(value_text);
    Some(LdArticle {
        headline: s("headline").or_else(|| s("name")),
        description: s("description"),
        published: s("datePublished").or_else(|| s("dateCreated")),
        modified: s("dateModified"),
        authors: obj.get("author").map(names).unwrap_or_default(),
        keywords: match obj.get("keywords") {
            Some(Value::String(k)) => k.split(',').map(|x| x.trim().to_string()).collect(),
            Some(Value::Array(a)) => a.iter().filter_map(value_text).collect(),
            _ => Vec::new(),
        },
        section: obj.get("articleSection").and_then(|v| match v {
            Value::Array(a) => a.first().and_then(value_text),
            other => value_text(other),
        }),
    })
}

fn find_article(v: &Value, depth: usize) -> Option<&serde_json::Map<String, Value>> {
    if depth > 6 {
        return None;
    }
    match v {
        Value::Array(items) => {
            // Prefer a real article type over WebPage.
            items
                .iter()
                .filter_map(|i| find_article(i, depth + 1))
                .min_by_key(|o| usize::from(type_is(o, "WebPage")))
        }
        Value::Object(o) => {
            if o.get("@type").is_some_and(is_article_type) {
                return Some(o);
            }
            o.get("@graph").and_then(|g| find_article(g, depth + 1))
        }
        _ => None,
    }
}

fn type_is(o: &serde_json::Map<String, Value>, t: &str) -> bool {
    o.get("@type").and_then(Value::as_str) == Some(t)
}

fn is_article_type(t: &Value) -> bool {
    match t {
        Value::String(s) => ARTICLE_TYPES.contains(&s.as_str()),
        Value::Array(a) => a.iter().any(is_article_type),
        _ => false,
    }
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()).filter(|s| !s.trim().is_empty()),
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("@value"))
            .and_then(value_text),
        _ => None,
    }
}

fn names(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().filter_map(value_text).map(|s| clean(&s)).collect(),
        other => value_text(other).map(|s| clean(&s)).into_iter().collect(),
    }
}

/// The lead element: a lead/sapo-classed element whose text matches the
/// meta description; failing that the last such element before `before`
/// (document order of the content start).
pub(crate) fn pick_lead(
    m: &Meta,
    stats: &dom::DomStats,
    before: Option<usize>,
) -> Option<(String, NodeId)> {
    let desc = m
        .description()
        .map(|d| fold(&d))
        .filter(|d| d.chars().count() >= 20);
    if let Some(desc) = &desc {
        let hit = m.lead_candidates.iter().find(|(t, id)| {
            if stats.get(*id).text == 0 {
                return false;
            }
            let f = fold(t);
            f.contains(desc.as_str()) || (f.chars().count() >= 20 && desc.contains(f.as_str()))
        });
        if let Some(h) = hit {
            return Some(h.clone());
        }
    }
    let before = before?;
    m.lead_candidates
        .iter()
        .rev()
        .find(|(_, id)| {
            // Elements outside the stats (hidden, in scripts) read as
            // empty: a reader never sees them as the lead.
            let st = stats.get(*id);
            st.text > 0 && st.order < before && st.link_density() < 0.3
        })
        .cloned()
}

/// Text of the element (used by the rule path for title/lead/author).
pub(crate) fn first_text(el: Option<ElementRef<'_>>) -> Option<String> {
    el.map(element_text).filter(|t| !t.is_empty())
}
