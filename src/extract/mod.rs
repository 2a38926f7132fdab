//! Article extraction: one decoded HTML page in, one clean article out.
//!
//! The archive stores what a reader would call the article — title, lead,
//! body paragraphs and subheads, photo captions, date — without menus,
//! related-links boxes, ads or author lines, and with all text NFC so that
//! search and dedup work on Vietnamese pages that mix normal forms. A site
//! rule (CSS selectors from the config) gives exact results for known
//! sites; the generic readability-style extractor is the fallback for
//! unknown sites and for rules broken by a redesign.

mod bio;
mod byline;
pub mod date;
mod dom;
mod expect;
mod explain;
mod furniture;
mod generic;
mod guard;
mod images;
mod lines;
mod meta;
mod rule;
mod text;
mod walk;

use std::collections::HashSet;

use chrono::Utc;
use ego_tree::NodeId;
use scraper::Html;
use serde::{Deserialize, Serialize};
use url::Url;

use self::dom::DomStats;
use self::text::fold;
use self::walk::{Block, BlockKind, Walk, WalkCfg};

pub use self::date::Stamp;
pub use self::expect::RuleTest;
pub use self::explain::{Explanation, SelectorMatch, explain};
pub use self::text::clean as normalize_text;

/// Pages above this size are refused rather than parsed, so one huge or
/// hostile page cannot stall the daemon or exhaust memory.
pub const MAX_HTML_BYTES: usize = 20 * 1024 * 1024;

/// A site rule from the user's config: CSS selectors for one site's markup,
/// so that known sites are extracted exactly instead of heuristically.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SiteRule {
    /// Hosts the rule applies to; each also matches its subdomains.
    pub hosts: Vec<String>,
    /// Selector of the headline element.
    pub title: Option<String>,
    /// Selector of the lead/sapo element.
    pub lead: Option<String>,
    /// Selector of the body container(s).
    pub body: Option<String>,
    /// Selector of caption elements inside the body (kept out of the text).
    pub captions: Option<String>,
    /// Selector of the author element.
    pub author: Option<String>,
    /// Selector of the element holding the publication date.
    pub published: Option<String>,
    /// Selectors removed from the body before its text is taken.
    #[serde(default)]
    pub strip: Vec<String>,
    /// Where the site's clocks are (`Asia/Ho_Chi_Minh`, or an offset such as `+07:00`): the
    /// zone of dates the pages write without an offset.
    pub timezone: Option<String>,
    /// Pages the rule must keep extracting right, checked by `tindex rules check`.
    #[serde(default, rename = "test", skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<RuleTest>,
}

impl SiteRule {
    /// Checks that every selector parses, so a config typo is reported at
    /// load time (naming the field and selector) instead of silently
    /// falling back to generic extraction on every page.
    pub fn validate(&self) -> Result<(), String> {
        if self.hosts.iter().all(|h| h.trim().is_empty()) {
            return Err("site rule field `hosts`: at least one host is required".to_string());
        }
        if let Some(tz) = &self.timezone {
            date::Zone::parse(tz).map_err(|e| format!("site rule field `timezone`: {e}"))?;
        }
        for (i, t) in self.tests.iter().enumerate() {
            t.validate().map_err(|e| format!("test[{i}]: {e}"))?;
        }
        rule::Compiled::new(self).map(|_| ())
    }

    /// The configured time zone (validated at load time).
    pub(crate) fn zone(&self) -> Option<date::Zone> {
        self.timezone
            .as_deref()
            .and_then(|t| date::Zone::parse(t).ok())
    }

    /// Whether a selector depends on an element's position among its siblings (or is
    /// written so that it might: `~` also appears in attribute tests), which removing page
    /// chrome before parsing would change.
    pub(crate) fn counts_positions(&self) -> bool {
        [
            &self.title,
            &self.lead,
            &self.body,
            &self.captions,
            &self.author,
            &self.published,
        ]
        .into_iter()
        .flatten()
        .chain(&self.strip)
        .any(|s| {
            s.contains("nth-")
                || s.contains("-child")
                || s.contains("-of-type")
                || s.contains('+')
                || s.contains('~')
        })
    }

    /// Whether the rule applies to `host` (the same site as a listed host, or a subdomain
    /// of one), so `www.` and mobile hosts share the rule; see [`crate::host::covers`].
    pub fn matches_host(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| crate::host::covers(h, host))
    }
}

/// How the body was found; stored so that rules broken by a redesign show
/// up in the data (`site_rule_fallback`) instead of failing silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The site rule's body selector matched.
    SiteRule,
    /// No rule was given; the generic extractor was used.
    Generic,
    /// A rule was given but matched no body (or was invalid); generic used.
    SiteRuleFellBack,
}

impl Method {
    /// Stable name for storage and logs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::SiteRule => "site_rule",
            Method::Generic => "generic",
            Method::SiteRuleFellBack => "site_rule_fallback",
        }
    }
}

/// A photo of the article, kept so the archive can show or fetch it later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Absolute URL (lazy-load attributes resolved).
    pub src: String,
    /// Alt text, cleaned.
    pub alt: Option<String>,
    /// Caption (figcaption or caption row; alt only if there is none), without the photo
    /// credit.
    pub caption: Option<String>,
    /// The photo credit the caption carried ("(AP)", "Ảnh: Bệnh viện cung cấp",
    /// "Getty Images").
    pub credit: Option<String>,
    /// Number of body blocks before the image: 0 = before the first block,
    /// `n` = right after `body[n - 1]`.
    pub position: usize,
}

/// One extracted article; every string is NFC and whitespace-normalised.
#[derive(Debug, Clone)]
pub struct Extracted {
    /// Headline, without a " | Site" suffix.
    pub title: String,
    /// Lead/sapo as shown (e.g. with its "(PLVN) - " prefix).
    pub lead: Option<String>,
    /// Paragraphs and subheads in order; no lead, captions, author line,
    /// related boxes or ads.
    pub body: Vec<String>,
    /// Photo captions as printed (credits included, as readers search them), deduplicated,
    /// in page order; each image has its caption and credit apart.
    pub captions: Vec<String>,
    /// Photos of the body.
    pub images: Vec<Image>,
    /// The byline as the page prints it, without "By" and the date glued to it.
    pub author: Option<String>,
    /// Each author named, in page order.
    pub authors: Vec<String>,
    /// Publication date, as precise as the page gives it.
    pub published: Option<Stamp>,
    /// Last modification date.
    pub updated: Option<Stamp>,
    /// Where `published` came from ("json-ld", "meta", "time", "rule", "text", "url";
    /// "feed" when the pipeline fills it from the feed item), with ", offset unknown" or
    /// ", date only" when it is less than an instant, and ", zone of the page or site"
    /// when a wall-clock time was placed by the page's other dates or the site's zone.
    pub published_source: Option<String>,
    /// Dates seen and dropped, with the reason (implausible years), for the log.
    pub date_notes: Vec<String>,
    /// Keywords/tags.
    pub tags: Vec<String>,
    /// Section/category.
    pub category: Option<String>,
    /// Language tag of the page.
    pub language: Option<String>,
    /// rel=canonical or og:url, absolute.
    pub canonical_url: Option<String>,
    /// How the body was found.
    pub method: Method,
}

impl Extracted {
    /// Body as one string, blocks separated by a blank line (the stored and
    /// indexed form).
    pub fn body_text(&self) -> String {
        self.body.join("\n\n")
    }
}

/// Why a page gave no article.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The input is not an HTML document (empty, binary, JSON…).
    #[error("not html: {0}")]
    NotHtml(String),
    /// Parsed, but no body text was found.
    #[error("no article content found")]
    NoContent,
    /// A page, but not an article: a few words, or no headline and little text (an error
    /// page, a stub, a login wall).
    #[error("not an article: {0}")]
    NotAnArticle(String),
    /// Larger than [`MAX_HTML_BYTES`].
    #[error("page too large: {0} bytes")]
    TooLarge(usize),
    /// Markup whose parse would blow the per-page time or memory budget
    /// (nested thousands deep, hundreds of thousands of elements); refused
    /// after a cheap scan, before parsing.
    #[error("markup too complex: {0}")]
    TooComplex(String),
}

impl ExtractError {
    /// A stable word for the audit row and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotHtml(_) => "not_html",
            Self::NoContent => "no_content",
            Self::NotAnArticle(_) => "not_article",
            Self::TooLarge(_) => "too_large",
            Self::TooComplex(_) => "too_complex",
        }
    }
}

/// A response whose declared type is not a page: its body is never parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an HTML page: Content-Type {0}")]
pub struct NotAPage(pub String);

/// The Content-Type gate, before any parsing: HTML, XHTML and other text pass (servers
/// label pages `text/plain` often enough), as does a response without the header; images,
/// PDFs, JSON APIs and the like are refused with their type named.
pub fn accepts_content_type(content_type: Option<&str>) -> Result<(), NotAPage> {
    match content_type.map(str::to_ascii_lowercase) {
        Some(ct) if !(ct.contains("html") || ct.contains("xml") || ct.starts_with("text/")) => {
            Err(NotAPage(ct))
        }
        _ => Ok(()),
    }
}

/// Extracts the article of one page. `html` is decoded UTF-8 text (charset
/// handling belongs to the fetch stage); `page_url` resolves relative links;
/// `rule` is the site rule for the page's host, if any.
pub fn extract(
    html: &str,
    page_url: &Url,
    rule: Option<&SiteRule>,
) -> Result<Extracted, ExtractError> {
    if html.len() > MAX_HTML_BYTES {
        return Err(ExtractError::TooLarge(html.len()));
    }
    sniff(html)?;
    let shape = guard::scan(html);
    if let Some(reason) = shape.refusal() {
        return Err(ExtractError::TooComplex(reason));
    }
    let compiled = rule.and_then(|r| rule::Compiled::new(r).ok());
    // Page chrome (site header, menus, footer) never holds the article; not parsing it
    // more than halves the parse of a typical news page. A site rule sees the page whole
    // when it counts positions (`:nth-child`, `+`, `~`, which the cut would shift) or when
    // one of its selectors finds nothing without the chrome but might have found it there
    // (`footer .author`).
    let cut = !shape.chrome.is_empty() && rule.is_none_or(|r| !r.counts_positions());
    // Script and style text is cut in every case: it holds no element a rule could count.
    let parse = |chrome: bool| {
        let cuts = guard::cuts(&shape, chrome);
        if cuts.is_empty() {
            Html::parse_document(html)
        } else {
            Html::parse_document(&guard::without(html, &cuts))
        }
    };
    let mut doc = if cut {
        let doc = parse(true);
        let missed = match (&compiled, rule) {
            (Some(c), Some(r)) => {
                let chrome: Vec<&str> = shape
                    .chrome
                    .iter()
                    .filter_map(|r| html.get(r.clone()))
                    .collect();
                c.missed_in(r, &doc, &chrome)
            }
            _ => false,
        };
        if missed { parse(false) } else { doc }
    } else {
        parse(false)
    };
    if html.contains("id=\"S:") {
        dom::inline_streamed_segments(&mut doc);
    }
    if html.contains("aria-controls") {
        dom::open_collapsed_panels(&mut doc);
    }
    if html.contains("accordion") {
        dom::open_class_collapsed_panels(&mut doc);
    }
    let meta = meta::collect(&doc, page_url);
    let base = meta.base.clone().unwrap_or_else(|| page_url.clone());
    let language = meta.language();

    let mut method = if rule.is_some() {
        Method::SiteRuleFellBack
    } else {
        Method::Generic
    };
    let mut skip: HashSet<NodeId> = HashSet::new();
    let mut caps: HashSet<NodeId> = HashSet::new();

    // Lead and title elements are never body text.
    let rule_lead = compiled.as_ref().and_then(|c| c.lead(&doc));
    let mut roots = Vec::new();
    let mut walked: Option<Walk> = None;
    if let Some(c) = &compiled {
        roots = c.body_roots(&doc);
        if !roots.is_empty() {
            c.marks(&roots, &mut skip, &mut caps);
            if let Some((_, el)) = &rule_lead {
                skip.insert(el.id());
            }
            // The rule names the body, so only its subtrees need figures.
            let within = DomStats::build_within(&roots);
            furniture::skips(&roots, &within, &mut skip);
            let cfg = WalkCfg {
                skip: &skip,
                captions: &caps,
                base: &base,
                stats: &within,
                generic: false,
            };
            let w = walk::walk(&roots, &cfg);
            if !w.blocks.is_empty() {
                method = Method::SiteRule;
                walked = Some(w);
            }
        }
    }
    let generic_mode = walked.is_none();
    // Whole-page figures: for generic scoring, and for placing a lead the rule did not find.
    let stats = if generic_mode || rule_lead.is_none() {
        DomStats::build(doc.root_element())
    } else {
        DomStats::default()
    };
    if generic_mode {
        skip.clear();
        caps.clear();
        roots = generic::find_content(&doc, &stats);
    }
    let content_start = roots.first().map(|r| stats.get(r.id()).order);
    let lead = match rule_lead {
        Some((t, el)) => Some((t, el.id())),
        None => meta::pick_lead(&meta, &stats, content_start),
    };
    let title = compiled
        .as_ref()
        .and_then(|c| c.title(&doc))
        .or_else(|| meta.title())
        .unwrap_or_default();
    // An intro printed between the headline and the content (a hero block's paragraph);
    // a standfirst there stays the lead.
    let headline = meta
        .h1s
        .iter()
        .find(|(t, _)| *t == title)
        .or(meta.h1s.first());
    if generic_mode && let Some((_, h1)) = headline {
        let lead_id = lead.as_ref().map(|(_, id)| *id);
        let intro = generic::intro_between(&doc, *h1, &roots, &stats)
            .into_iter()
            .filter(|p| !p.ancestors().any(|a| Some(a.id()) == lead_id) && Some(p.id()) != lead_id);
        roots.splice(0..0, intro);
        // An `<h1>` before the headline printing the site's name is its logo's.
        let at = stats.get(*h1).order;
        skip.extend(
            meta.h1s
                .iter()
                .filter(|(t, id)| stats.get(*id).order < at && meta.names_site(t))
                .map(|(_, id)| *id),
        );
    }
    let mut walk = match walked {
        Some(w) => w,
        None => {
            if let Some((_, id)) = &lead {
                skip.insert(*id);
            }
            generic::skips(&roots, &stats, &base, &mut skip);
            furniture::skips(&roots, &stats, &mut skip);
            let cfg = WalkCfg {
                skip: &skip,
                captions: &caps,
                base: &base,
                stats: &stats,
                generic: true,
            };
            walk::walk(&roots, &cfg)
        }
    };
    let mut lead = lead.map(|(t, _)| t);
    let Tidied { byline, datelines } =
        tidy_blocks(&mut walk, &title, &mut lead, &meta, generic_mode);
    if walk.blocks.is_empty() {
        return Err(ExtractError::NoContent);
    }
    not_an_article(&title, lead.as_deref(), &walk.blocks)?;

    // The operator's word first: many CMSs write their machine dates in UTC while the
    // page prints local times.
    let declared = meta.declared_offset();
    let zone = rule
        .and_then(SiteRule::zone)
        .or_else(|| declared.map(date::Zone::Fixed))
        .or_else(|| country_zone(page_url));
    // A UTC value is shown in the local offset the page declares elsewhere.
    let show = |d: Stamp| match declared {
        Some(local) => d.shown_in(local),
        None => d,
    };
    let mut date_notes = Vec::new();
    // The date a "Published …" line prints: a candidate of its own, and the check on the others.
    let printed = meta.published_line();
    let candidates = compiled
        .as_ref()
        .and_then(|c| c.published(&doc))
        .map(|d| (d, "rule"))
        .into_iter()
        .chain(meta.published())
        .chain(
            std::iter::once_with(|| meta::dates_near_headline(&doc, &meta))
                .flatten()
                .flatten()
                .map(|d| (d, "text")),
        )
        .chain(std::iter::once_with(|| meta.date_classed()).flatten())
        .chain(std::iter::once_with(|| meta.date_beside_byline()).flatten())
        .chain(printed.map(|d| (d, "text")))
        .chain(
            std::iter::once_with(|| posted_line_date(&datelines, byline.as_deref()))
                .flatten()
                .map(|d| (d, "text")),
        )
        .chain(
            std::iter::once_with(|| generic_mode.then(|| meta::date_in_post_meta(&roots, &stats)))
                .flatten()
                .flatten()
                .map(|d| (d, "text")),
        )
        .chain(std::iter::once_with(|| date_in_url(page_url).map(|d| (d, "url"))).flatten());
    let mut published = None;
    for (d, src) in candidates {
        match d.implausible(Utc::now()) {
            Some(why) => date_notes.push(format!("published date from {src} dropped: {why}")),
            None => {
                published = Some((d, src));
                break;
            }
        }
    }
    // A page that tells its readers "Published March 9, 2026" means that day, whatever day
    // a plugin wrote into its metadata (often the last update's, or a misread 03-09-2026).
    // A day apart is only the zone the page prints its dates in. The operator's selector
    // is not second-guessed.
    if let Some((d, src)) = published
        && src != "rule"
        && let Some(shown) = printed
        && (shown.day() - show(d.settle(zone.as_ref())).day())
            .num_days()
            .abs()
            > 1
        && shown.implausible(Utc::now()).is_none()
    {
        date_notes.push(format!(
            "published date from the page's own line ({}) replaces {}",
            shown.day(),
            d.day()
        ));
        published = Some((shown, "text"));
    }
    let (published, published_source) = match published {
        Some((d, src)) => {
            let settled = show(d.settle(zone.as_ref()));
            let note = match (d, settled) {
                (Stamp::Local(_), Stamp::At(_)) => Some("zone of the page or site"),
                _ => settled.precision(),
            };
            let source = match note {
                Some(n) => format!("{src}, {n}"),
                None => src.to_string(),
            };
            (Some(settled), Some(source))
        }
        None => (None, None),
    };
    let updated = meta
        .updated()
        .map(|d| show(d.settle(zone.as_ref())))
        .filter(|d| d.implausible(Utc::now()).is_none());
    let rule_authors: Vec<String> = compiled
        .as_ref()
        .map(|c| c.authors(&doc))
        .unwrap_or_default()
        .iter()
        .filter_map(|a| byline::clean_byline(a))
        .collect();
    let authors = meta::Authors::listed(&rule_authors)
        .unwrap_or_else(|| meta.authors(page_url.host_str().unwrap_or(""), byline.as_deref()));
    if generic_mode {
        drop_bylines(&mut walk, &authors);
        if let Some(at) = bio::start(&walk.blocks, &authors.names) {
            truncate_blocks(&mut walk, at);
        }
    }
    Ok(Extracted {
        title,
        lead,
        body: walk.blocks.into_iter().map(|b| b.text).collect(),
        captions: walk.captions,
        images: walk.images,
        author: authors.line,
        authors: authors.names,
        published,
        updated,
        published_source,
        date_notes,
        tags: meta.tags(),
        category: meta.category(),
        language,
        canonical_url: meta.canonical.clone().or_else(|| meta.og_url.clone()),
        method,
    })
}

/// Least text (non-space characters, lead and body) of an article with a headline.
const MIN_ARTICLE_CHARS: usize = 50;

/// Least text of a page without any headline to count as an article.
const MIN_UNTITLED_CHARS: usize = 400;

/// Refuses what is not an article, so that it is stored `failed` with the reason instead
/// of `ok` with an empty title: `<p>hi</p>`, a stub page, an error page without a headline.
fn not_an_article(title: &str, lead: Option<&str>, blocks: &[Block]) -> Result<(), ExtractError> {
    let chars: usize = blocks
        .iter()
        .map(|b| b.chars)
        .chain(lead.map(text::count_chars))
        .sum();
    if chars < MIN_ARTICLE_CHARS {
        return Err(ExtractError::NotAnArticle(format!(
            "{chars} characters of text"
        )));
    }
    if title.trim().is_empty() && chars < MIN_UNTITLED_CHARS {
        return Err(ExtractError::NotAnArticle(format!(
            "no headline and {chars} characters of text"
        )));
    }
    Ok(())
}

/// `/2024/03/05/` in the page's path: a dated permalink.
fn date_in_url(url: &Url) -> Option<Stamp> {
    let parts: Vec<&str> = url.path_segments()?.collect();
    parts.windows(3).find_map(|w| {
        let (y, m, d) = (w[0], w[1], w[2]);
        if y.len() != 4 || m.len() > 2 || d.len() > 2 || d.is_empty() || m.is_empty() {
            return None;
        }
        chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
            .map(Stamp::Day)
    })
}

/// The zone of a country with one time zone, from the host's country domain: a `.vn`
/// site's clocks are in Asia/Ho_Chi_Minh whatever its pages omit.
fn country_zone(url: &Url) -> Option<date::Zone> {
    let host = url.host_str()?;
    let zone = match host.rsplit('.').next()? {
        "vn" => "Asia/Ho_Chi_Minh",
        "th" => "Asia/Bangkok",
        "kh" => "Asia/Phnom_Penh",
        "jp" => "Asia/Tokyo",
        "kr" => "Asia/Seoul",
        "sg" => "Asia/Singapore",
        "ph" => "Asia/Manila",
        "hk" => "Asia/Hong_Kong",
        "tw" => "Asia/Taipei",
        _ => return None,
    };
    date::Zone::parse(zone).ok()
}

/// Refuses input that cannot be an HTML page, before parsing it.
fn sniff(html: &str) -> Result<(), ExtractError> {
    let head: String = html.chars().take(1024).collect();
    let t = head.trim_start_matches('\u{FEFF}').trim_start();
    if t.is_empty() {
        return Err(ExtractError::NotHtml("empty input".to_string()));
    }
    if t.contains('\0') {
        return Err(ExtractError::NotHtml("binary data".to_string()));
    }
    if t.starts_with("%PDF") {
        return Err(ExtractError::NotHtml("PDF document".to_string()));
    }
    if (t.starts_with('{') || t.starts_with('[')) && !t.contains('<') {
        return Err(ExtractError::NotHtml("JSON document".to_string()));
    }
    if !html.contains('<') {
        return Err(ExtractError::NotHtml("no markup".to_string()));
    }
    Ok(())
}

/// Removes body block `i`, keeping image positions in step.
fn remove_block(walk: &mut Walk, i: usize) {
    if i < walk.blocks.len() {
        walk.blocks.remove(i);
        for img in &mut walk.images {
            if img.position > i {
                img.position -= 1;
            }
        }
    }
}

/// Blocks at the top of the body searched for a byline left there.
const BYLINE_BLOCKS: usize = 3;

/// Blocks at the end of the body searched for a byline printed under the article.
const TRAILING_BYLINE_BLOCKS: usize = 2;

/// Drops the byline lines among the first blocks and the last ones ("By Rick Steves",
/// "Written by Cassidy Horton", the author's name alone): the author is its own field. One
/// block at least stays.
fn drop_bylines(walk: &mut Walk, authors: &meta::Authors) {
    let n = walk.blocks.len();
    let tail = n
        .saturating_sub(TRAILING_BYLINE_BLOCKS)
        .max(BYLINE_BLOCKS.min(n));
    for i in (0..BYLINE_BLOCKS.min(n)).chain(tail..n).rev() {
        let is_byline = walk.blocks.get(i).is_some_and(|b| {
            byline::is_byline_of(&b.text, authors.line.as_deref(), &authors.names)
        });
        if is_byline && walk.blocks.len() > 1 {
            remove_block(walk, i);
        }
    }
    // "By Jane Doe" over "Published March 9, 2026": the byline kept the date line out of
    // the edge the clean-up searched for datelines; with it gone, the date line is there.
    if walk.blocks.len() < n {
        while walk.blocks.len() > 1
            && let Some(i) = (0..EDGE_BLOCKS).find(|&i| {
                let len = walk.blocks.len();
                walk.blocks
                    .get(i)
                    .is_some_and(|b| is_edge_dateline(b, i, len))
            })
        {
            remove_block(walk, i);
        }
    }
}

/// Drops the blocks from `at` on with the images among them (a bio's headshot).
fn truncate_blocks(walk: &mut Walk, at: usize) {
    walk.blocks.truncate(at);
    walk.images.retain(|img| img.position < at);
}

/// What [`tidy_blocks`] took out of the body that still says something of the article.
#[derive(Debug, Default)]
struct Tidied {
    /// The trailing author line ("Posted on 15/12/2025 at 19:00 by Jane Doe").
    byline: Option<String>,
    /// Date lines at the body's edges ("Posted: 18 Nov 2019"), in page order.
    datelines: Vec<String>,
}

/// The publication date of a line the body's edges printed and the clean-up took out
/// (a dateline, the trailing "Posted on … by …"): the page's last word on when it was
/// posted where no element was named for it. A line about an update says nothing of that.
fn posted_line_date(datelines: &[String], byline: Option<&str>) -> Option<Stamp> {
    datelines
        .iter()
        .map(String::as_str)
        .chain(byline)
        .filter(|t| {
            let f = t.to_lowercase();
            !["updat", "modif", "revis", "cập nhật"]
                .iter()
                .any(|w| f.contains(w))
        })
        .find_map(date::parse_text)
}

/// Final clean-up of the blocks: repeated title and lead, leftover
/// furniture headings and "Đọc thêm: …" lines, link lists (generic), and a
/// trailing author line. Returns the author line if one was removed and the date lines
/// dropped. Also takes the lead from the first block when the page has no lead element
/// but its first paragraph is the meta description.
fn tidy_blocks(
    walk: &mut Walk,
    title: &str,
    lead: &mut Option<String>,
    meta: &meta::Meta,
    generic: bool,
) -> Tidied {
    let mut datelines = Vec::new();
    let title_f = fold(title);
    let lead_f = lead.as_deref().map(fold);
    // Blocks much longer than both the title and the lead cannot equal
    // either; skipping their fold keeps huge pages cheap.
    let cmp_max = 2 * title.len().max(lead.as_deref().map_or(0, str::len)) + 64;
    let second_printing = second_printings(&walk.blocks);
    // Whether prose follows each block: a subhead over its section, not a teaser's title.
    let prose_next: Vec<bool> = (0..walk.blocks.len())
        .map(|j| {
            walk.blocks
                .get(j + 1)
                .is_some_and(|nb| nb.kind != BlockKind::Heading && nb.link_density() < 0.5)
        })
        .collect();
    // One pass that keeps blocks (removing them one by one is quadratic on huge pages);
    // `i` and `len` are the position and length as if each dropped block were already gone.
    let blocks = std::mem::take(&mut walk.blocks);
    let n = blocks.len();
    let mut kept: Vec<Block> = Vec::with_capacity(n);
    // kept_before[j]: how many of the first j original blocks stay (for image positions).
    let mut kept_before: Vec<usize> = Vec::with_capacity(n + 1);
    // Blocks dropped only for repeating the lead, with their places.
    let mut as_lead: Vec<(usize, Block)> = Vec::new();
    for (j, b) in blocks.into_iter().enumerate() {
        kept_before.push(kept.len());
        let i = kept.len();
        let len = kept.len() + (n - j);
        // Block text is already clean: lower-casing is all `fold` would add.
        let f = (b.text.len() <= cmp_max).then(|| b.text.to_lowercase());
        let f = f.as_deref();
        let dateline = generic && is_edge_dateline(&b, i, len);
        if i < 3 && lead_f.is_some() && lead_f.as_deref() == f {
            as_lead.push((j, b));
            continue;
        }
        let drop = second_printing.get(j) == Some(&true)
            || (b.kind == BlockKind::Heading && f == Some(title_f.as_str()))
            || (i == 0 && f == Some(title_f.as_str()))
            || furniture::is_heading(&b.text)
            || (furniture::has_heading_prefix(&b.text) && b.link_density() > 0.3)
            || (generic
                && is_link_line(&b, prose_next.get(j) == Some(&true))
                && !kept.last().is_some_and(is_lead_in))
            || (generic && lines::is_prompt(&b.text))
            || (generic && lines::is_stock_line(&b.text))
            || (generic && images::is_credit_line(&b.text))
            || (generic && lines::is_placeholder(&b.text))
            || dateline;
        if dateline {
            datelines.push(b.text.clone());
        }
        if !drop {
            kept.push(b);
        }
    }
    kept_before.push(kept.len());
    // A short item whose teaser prints the whole text again (a wire brief): the text is
    // the body, not a lead with nothing under it.
    if kept.is_empty() && !as_lead.is_empty() {
        for (at, k) in kept_before.iter_mut().enumerate() {
            *k = as_lead.iter().filter(|(j, _)| *j < at).count();
        }
        kept = as_lead.into_iter().map(|(_, b)| b).collect();
        *lead = None;
    }
    for img in &mut walk.images {
        img.position = kept_before.get(img.position).copied().unwrap_or(kept.len());
    }
    walk.blocks = kept;
    // Not the only block: a body the description repeats whole is still the body.
    if lead.is_none()
        && walk.blocks.len() > 1
        && let Some(desc) = meta.description().map(|d| fold(&d))
        && let Some(first) = walk.blocks.first()
        && first.text.len() <= desc.len() * 3
    {
        let f = fold(&first.text);
        if desc.chars().count() >= 20
            && (f == desc || (f.starts_with(&desc) && f.len() < desc.len() * 2))
        {
            *lead = Some(first.text.clone());
            remove_block(walk, 0);
        }
    }
    let mut tidied = Tidied {
        byline: None,
        datelines,
    };
    let Some(last) = walk.blocks.len().checked_sub(1) else {
        return tidied;
    };
    let is_byline = walk
        .blocks
        .get(last)
        .is_some_and(|b| looks_like_byline(b, generic));
    if is_byline && walk.blocks.len() > 1 {
        tidied.byline = walk.blocks.get(last).map(|b| b.text.clone());
        remove_block(walk, last);
    }
    tidied
}

/// A paragraph among the body's first or last few that is a date line, `i` and `len`
/// its position and the body's length.
fn is_edge_dateline(b: &Block, i: usize, len: usize) -> bool {
    b.kind == BlockKind::Paragraph
        && (i < EDGE_BLOCKS || i + EDGE_BLOCKS >= len)
        && lines::is_dateline(&b.text)
}

/// Shortest block (characters) whose repetition is taken for a duplicate; short lines
/// ("Step 1", "Ingredients") legitimately repeat.
const REPEAT_MIN_CHARS: usize = 60;

/// Which blocks repeat an earlier long block, when the body is printed more than once:
/// responsive layouts repeat the article once per screen width and hide all but one with
/// CSS, so a large share of its long paragraphs comes twice. A few repeats (the same meal
/// in a weekly plan) are the article's own: then no block is flagged.
fn second_printings(blocks: &[Block]) -> Vec<bool> {
    let mut seen: HashSet<String> = HashSet::new();
    let flags: Vec<bool> = blocks
        .iter()
        .map(|b| b.chars > REPEAT_MIN_CHARS && !seen.insert(b.text.to_lowercase()))
        .collect();
    let long = blocks.iter().filter(|b| b.chars > REPEAT_MIN_CHARS).count();
    let repeats = flags.iter().filter(|f| **f).count();
    if repeats > 0 && repeats * 4 >= long {
        flags
    } else {
        Vec::new()
    }
}

/// How many blocks at either end of the body are checked for datelines
/// (they sit above or below the article, not inside it).
const EDGE_BLOCKS: usize = 3;

/// A block that is (nearly) all link text: a related link or link list. A subhead linking
/// to another site (a roundup's "1. Amazon Polly") names what the section is about.
fn is_link_line(b: &Block, prose_next: bool) -> bool {
    b.link_density() > 0.6 && !is_linked_text(b, prose_next)
}

/// Fewest words of a sentence introducing the line after it.
const MIN_LEAD_IN_WORDS: usize = 5;

/// Whether a paragraph introduces the line after it ("… has set up a mailbox for them:"):
/// a sentence of the article's own ending in a colon, so a link alone on the next line is
/// what it announces, not a link to another story.
fn is_lead_in(b: &Block) -> bool {
    let t = b.text.trim_end();
    b.kind == BlockKind::Paragraph
        && (t.ends_with(':') || t.ends_with('：'))
        && b.link_density() < 0.3
        && dom::count_words(t) >= MIN_LEAD_IN_WORDS
        && !furniture::has_heading_prefix(t)
}

/// Whether a mostly linked block is the article's own all the same: an item of a list cited
/// after a lead-in, a short checklist item, a subhead naming another site's pick, a
/// listicle's numbered subhead linking its pick ("1. <a>Harvard Business School</a>") over
/// the section about it.
fn is_linked_text(b: &Block, prose_next: bool) -> bool {
    b.after_lead_in
        || is_citing_sentence(b)
        || (b.in_list && dom::count_words(&b.text) <= 6)
        || (b.kind == BlockKind::Heading
            && prose_next
            && (b.away_link_chars == b.link_chars || is_numbered(&b.text)))
}

/// `1. `, `2) `, `#3 `: a listicle's item number opening a line.
fn is_numbered(text: &str) -> bool {
    let hash = text.starts_with('#');
    let rest = text.strip_prefix('#').unwrap_or(text);
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let Some(after) = rest.get(digits..) else {
        return false;
    };
    (1..=3).contains(&digits)
        && (after.starts_with(". ") || after.starts_with(") ") || (hash && after.starts_with(' ')))
}

/// A sentence of the article linking its sources phrase by phrase ("This hotel features in
/// my lists of the best hotels in Bangkok and …"): words of its own around links no longer
/// than a phrase. Related links and hover cards link whole headlines.
fn is_citing_sentence(b: &Block) -> bool {
    b.unlinked_words >= MIN_CITING_WORDS
        && b.longest_link_words <= MAX_CITED_PHRASE_WORDS
        && b.text.ends_with(['.', '!', '?'])
}

/// Fewest words outside links for a mostly linked sentence to be the article's.
const MIN_CITING_WORDS: usize = 8;

/// Most words of a link inside a citing sentence.
const MAX_CITED_PHRASE_WORDS: usize = 12;

/// A short final line set in bold and/or right-aligned, as Vietnamese
/// sites print the author ("Lê Phương", "NHÓM PV"). Rules require both
/// signs; generic mode either.
fn looks_like_byline(b: &Block, generic: bool) -> bool {
    let words = dom::count_words(&b.text);
    let short = words <= 6 && b.text.chars().count() <= 60;
    let ends_sentence = b.text.ends_with(['.', '?', '!', ':', '…']);
    let bold = b.chars > 0 && b.bold_chars * 10 >= b.chars * 9;
    let signs = if generic {
        bold || b.right_aligned
    } else {
        bold && b.right_aligned
    };
    short && !ends_sentence && signs && b.kind == BlockKind::Paragraph
}

#[cfg(test)]
mod generic_tests;
#[cfg(test)]
mod meta_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod wild_tests;
