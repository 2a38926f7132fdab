//! Page metadata: title, dates, author, tags, section, language, canonical
//! URL, from `<meta>` (og:, article:, name=), JSON-LD, `<time>` and `<h1>`.
//!
//! Metadata is what the CMS says about the article, so it is the most
//! reliable source of dates and canonical URLs; it is gathered in a single
//! pass over the document.

use chrono::FixedOffset;
use ego_tree::NodeId;
use scraper::{ElementRef, Html};
use serde_json::Value;
use url::Url;

use super::byline;
use super::date::{self, Stamp};
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
    /// `<time>` elements: the `datetime` attribute, else the visible text, first few.
    pub times: Vec<String>,
    /// `<time>` elements of embedded posts, sidebars, menus and comments: never the story's
    /// date, but written in the site's offset all the same.
    pub other_times: Vec<String>,
    /// Visible text of non-`meta` elements marked `itemprop=datePublished` without a
    /// machine value.
    pub itemprop_date_texts: Vec<String>,
    /// Visible text of elements classed as dates, first few.
    pub date_texts: Vec<String>,
    /// Visible text of short author boxes ("Luke Kim December 17, 2025"), first few: the
    /// date printed beside the byline when nothing names it a date.
    pub byline_box_texts: Vec<String>,
    /// Elements classed as lead/sapo/summary: (text, node, doc order).
    pub lead_candidates: Vec<(String, NodeId)>,
    /// Texts of short elements classed author/byline or marked `itemprop=author` /
    /// `rel=author`, first few, in page order.
    pub bylines: Vec<String>,
    /// Short texts a byline label opens ("Written by X", or "Written by" and the name in
    /// the next element), in page order: the last source of a name, after the marked ones.
    pub labelled_bylines: Vec<String>,
    /// Short texts a publication label opens ("Published March 9, 2026", "Posted on
    /// 2024-01-02"), first few, in page order: the date the page tells its readers.
    pub published_lines: Vec<String>,
    /// Names of links to author pages (`/author/jane-doe/`) outside menus and comments, in
    /// page order: a byline with no label or class, after the labelled ones.
    pub author_links: Vec<String>,
}

/// The article object of the page's JSON-LD, if any.
#[derive(Debug, Default)]
pub(crate) struct LdArticle {
    pub headline: Option<String>,
    pub description: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub authors: Vec<String>,
    /// Authors typed `Organization`: the publisher standing in for a byline.
    pub org_authors: Vec<String>,
    pub keywords: Vec<String>,
    pub section: Option<String>,
    /// Whether the object is only a `WebPage` (a real article type wins over it).
    pub web_page: bool,
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

/// JSON-LD scripts read per page; pages with more hold product lists, not the article.
const MAX_LD_SCRIPTS: usize = 16;

/// `<time>` and date texts kept per page.
const MAX_TIMES: usize = 8;

/// Byline candidates kept per page.
const MAX_BYLINES: usize = 8;

/// Longest byline element text taken (a byline with its date and read time fits).
const MAX_BYLINE_CHARS: usize = 160;

/// Whether `el` is (inside) a photo caption: a `figure`'s text or a caption-classed element is
/// never the standfirst, however its class reads (`summary`, `description`).
fn in_caption(el: ElementRef<'_>) -> bool {
    self_and_ancestors(el, 6).any(|a| {
        matches!(a.value().name(), "figure" | "figcaption") || dom::is_caption_class(a.value())
    })
}

/// `el` and its ancestors, `levels` elements in all: where a byline's context is told.
fn self_and_ancestors(el: ElementRef<'_>, levels: usize) -> impl Iterator<Item = ElementRef<'_>> {
    std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap))
        .take(levels)
}

fn push_byline(out: &mut Vec<String>, t: String) {
    if !t.is_empty() && t.chars().count() <= MAX_BYLINE_CHARS && !out.contains(&t) {
        out.push(t);
    }
}

/// Lower-case words that belong to names.
const NAME_PARTICLES: &[&str] = &[
    "van", "der", "den", "de", "del", "della", "di", "da", "von", "zu", "le", "la", "du", "bin",
    "binti", "al", "el", "y", "e", "dos", "das",
];

/// A capitalised word or a name's particle ("van", "de", "bin").
fn is_name_word(w: &str) -> bool {
    w.starts_with(char::is_uppercase) || NAME_PARTICLES.contains(&w.to_lowercase().as_str())
}

/// Longest text of a date-classed element, or of a byline's box, read for its date, in bytes.
const MAX_DATE_TEXT_BYTES: usize = 200;

/// Labels a page prints before its publication date, longest first where one opens another.
const PUBLISHED_LABELS: &[&str] = &[
    "first published on",
    "first published",
    "published on",
    "published",
    "posted on",
    "posted",
    "date published",
    "publication date",
    "ngày đăng",
    "đăng ngày",
    "veröffentlicht am",
    "veröffentlicht",
    "publié le",
    "publié",
    "publicado el",
    "publicado em",
    "publicado",
    "pubblicato il",
    "pubblicato",
    "gepubliceerd op",
    "gepubliceerd",
    "opublikowano",
    "опубликовано",
    "publicerad",
    "publisert",
    "diterbitkan",
    "yayınlanma tarihi",
    "发布时间",
    "發佈時間",
    "發布時間",
    "公開日",
];

/// Most publication lines read per page.
const MAX_PUBLISHED_LINES: usize = 3;

/// Labels that open a byline printed without markup.
const BYLINE_LABELS: &[&str] = &[
    "written by",
    "contributors",
    "contributor",
    "author(s)",
    "posted by",
    "words by",
    "article by",
    "story by",
    "text by",
    "author",
    "by",
];

/// Words that join the names of several authors.
const NAME_JOINERS: &[&str] = &["and", "&", "und", "et", "y", "và", ","];

/// The first name-like text inside an author box: a short own text of two to five words
/// that starts and ends with a capitalised word and cleans to a byline.
fn name_inside(el: ElementRef<'_>) -> Option<String> {
    el.descendent_elements().take(60).find_map(|d| {
        let own: String = d
            .children()
            .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
            .collect();
        let own = clean(&own);
        let words: Vec<&str> = own.split_whitespace().collect();
        // Every word capitalised but a name's particles (van der, de, bin): a heading or a
        // question in the box is not its name.
        let name_word = |w: &&str| is_name_word(w);
        ((2..=5).contains(&words.len())
            && own.chars().count() <= 60
            && !own.contains(['?', '!', ':', '|'])
            // "About Jane Doe": the box's heading, not its name.
            && !words.first().is_some_and(|w| w.eq_ignore_ascii_case("about"))
            && words
                .first()
                .is_some_and(|w| w.starts_with(char::is_uppercase))
            && words.iter().all(name_word))
        .then(|| byline::clean_byline(&own))
        .flatten()
    })
}

/// Whether `el` is (inside) a reader's comment: `comment-author` names a commenter, a
/// `comments` list holds them (class words, so `commentary` pages keep their byline).
fn in_comments(el: ElementRef<'_>) -> bool {
    self_and_ancestors(el, 8).any(|a| dom::class_tokens(a.value()).any(is_comment_word))
}

/// Levels looked up from a `<time>` for the box it is set in.
const TIME_BOX_LEVELS: usize = 12;

/// Whether a `<time>` dates something other than the page's story: a post embedded in it
/// (an Instagram or X post is a `<blockquote>` with its own date), a sidebar's or a menu's
/// list of other stories, a reader's comment.
fn is_foreign_time(el: ElementRef<'_>) -> bool {
    self_and_ancestors(el, TIME_BOX_LEVELS)
        .any(|a| matches!(a.value().name(), "blockquote" | "aside" | "nav"))
        || in_comments(el)
}

/// `comment`, `comments`, `commentlist`, `jcomments`, `recentcomments`; not `commentary`.
fn is_comment_word(t: &str) -> bool {
    let t = t.to_ascii_lowercase();
    (t.starts_with("comment") && !t.starts_with("commentar")) || t.ends_with("comments")
}

/// The text of the one element inside an author box classed as its name (`author__name`)
/// or as the author (`.byline > .author`): the box around it also prints a job title, a bio,
/// a date or a label. Several such elements are several authors, read from the whole box.
fn named_part(el: ElementRef<'_>) -> Option<String> {
    // Name elements that are also author-classed (`author-name`), then plain ones (`.name`,
    // `author__name`, read only inside the one author element or where there is none: a
    // byline may hold a `publication-name` too), then author elements (`.byline > .author`).
    // Whether `inner` lies inside `outer`, both below `el`.
    let within = |inner: &ElementRef<'_>, outer: &ElementRef<'_>| {
        inner
            .ancestors()
            .take_while(|a| a.id() != el.id())
            .any(|a| a.id() == outer.id())
    };
    let mut author_names: Vec<ElementRef<'_>> = Vec::new();
    let mut names: Vec<ElementRef<'_>> = Vec::new();
    let mut authors: Vec<ElementRef<'_>> = Vec::new();
    for d in el.descendent_elements().skip(1).take(40) {
        let e = d.value();
        if e.get_attr("class").is_none() {
            continue;
        }
        let words = ClassWords::of(e);
        // An element inside one already taken is part of it.
        let outer = |taken: &[ElementRef<'_>]| taken.iter().any(|t| within(&d, t));
        let (name, author) = (words.has(ClassWords::NAME), words.has(ClassWords::AUTHOR));
        if name && author && !outer(&author_names) {
            author_names.push(d);
        } else if name && !outer(&names) {
            names.push(d);
        }
        // An author photo or icon names no one.
        if author && !outer(&authors) && d.text().any(|t| !t.trim().is_empty()) {
            authors.push(d);
        }
    }
    let part = match (
        author_names.as_slice(),
        names.as_slice(),
        authors.as_slice(),
    ) {
        ([one], _, _) | ([], [one], []) => *one,
        // `.author > .author-info > .name`: the name inside the author element.
        ([], [name], [author]) if within(name, author) => *name,
        ([], _, [author]) => *author,
        _ => return None,
    };
    let text = element_text(part);
    if text.is_empty() {
        return None;
    }
    // "By <span class=author>Jane Doe</span> and John Roe": the box names more people.
    let whole = element_text(el);
    let after = whole
        .find(text.as_str())
        .map(|at| whole[at + text.len()..].trim_start())
        .unwrap_or("");
    (!another_name_follows(after)).then_some(text)
}

/// Whether the text after a name goes on to another ("and John Roe", ", John Roe").
fn another_name_follows(after: &str) -> bool {
    after
        .split_whitespace()
        .next()
        .is_some_and(|w| NAME_JOINERS.contains(&w.trim_end_matches(',')) || w.starts_with(','))
}

/// The first non-blank text in `el`, trimmed: where a label would open it.
fn opening_text<'a>(el: ElementRef<'a>) -> Option<&'a str> {
    el.text().find(|t| !t.trim().is_empty()).map(str::trim)
}

/// Which label of the `lists` opens `first` (an element's [`opening_text`]), as a word
/// (followed by a space, a colon or nothing), ignoring case. Asked of most block elements of
/// every page: nothing is allocated, and the lists are read in one pass.
fn opening_label(first: &str, lists: &[&[&'static str]]) -> Option<&'static str> {
    // Asked of every short element: the first letter settles nearly every label.
    let head = first.chars().next()?.to_lowercase().next()?;
    let mut buf = [0u8; 4];
    let lead = head.encode_utf8(&mut buf).as_bytes().first().copied();
    for list in lists {
        for &l in *list {
            if l.as_bytes().first().copied() == lead && opens_with_label(first, l) {
                return Some(l);
            }
        }
    }
    None
}

/// Whether `first` opens with the lower-case label `l` as a word, ignoring case.
fn opens_with_label(first: &str, l: &str) -> bool {
    first.get(..l.len()).is_some_and(|p| {
        if l.is_ascii() {
            p.eq_ignore_ascii_case(l)
        } else {
            p.chars().flat_map(char::to_lowercase).eq(l.chars())
        }
    }) && first
        .get(l.len()..)
        .and_then(|r| r.chars().next())
        .is_none_or(|c| LABEL_ENDS.contains(&c))
}

/// What may follow a label: a space, or a colon (full-width on Chinese and Japanese pages).
const LABEL_ENDS: [char; 3] = [' ', ':', '：'];

/// The text after `label` opening `text`, past the spaces and colons that end the label.
fn after_label<'t>(text: &'t str, label: &str) -> Option<&'t str> {
    Some(text.get(label.len()..)?.trim_start_matches(LABEL_ENDS))
}

/// The text of the element right after `el` (blank text between skipped), when at most
/// `max` characters: what a label standing alone labels.
fn next_element_text(el: ElementRef<'_>, max: usize) -> Option<String> {
    el.next_siblings()
        .find(|n| !n.value().as_text().is_some_and(|t| t.trim().is_empty()))
        .and_then(ElementRef::wrap)
        .map(element_text)
        .filter(|t| t.chars().count() <= max)
}

/// The text after one of `labels` opening `el`, when `el` is at most `max` characters
/// ("Published March 9, 2026"), or the next element's after a label standing alone
/// ("<span>Published</span><span>March 9, 2026</span>").
fn labelled_line(
    el: ElementRef<'_>,
    first: &str,
    labels: &[&'static str],
    max: usize,
) -> Option<String> {
    let label = opening_label(first, &[labels])?;
    let text = element_text(el);
    if text.chars().count() > max {
        return None;
    }
    let rest = after_label(&text, label)?;
    if rest.is_empty() {
        next_element_text(el, max)
    } else {
        Some(rest.to_string())
    }
}

/// A byline printed without markup: an element whose first text is a byline label, short
/// enough to be "label + name" (the name in the same element or the next one).
fn labelled_byline(el: ElementRef<'_>, first: &str) -> Option<String> {
    let label = opening_label(first, &[BYLINE_LABELS, byline::AUTHOR_LABELS])?;
    let text = element_text(el);
    if text.chars().count() > 100 {
        return None;
    }
    // The label itself cut, then what follows the name (a date, a read time).
    let mut rest = after_label(&text, label)?;
    // "<div>Written by</div><div>Jane Doe</div><div>Jane covers…</div>": the label alone,
    // the name in the next element.
    let next;
    if rest.is_empty() {
        // A menu entry ("Contributors") is a label of nothing.
        let in_menu = self_and_ancestors(el, 6)
            .any(|a| matches!(a.value().name(), "a" | "li" | "nav" | "button" | "label"));
        if in_menu {
            return None;
        }
        // Only an element right after it: "<b>By</b> Jane Doe for <a>Example News</a>"
        // names no one in its link.
        next = next_element_text(el, 60)?;
        rest = &next;
    }
    // "By <a>Name</a> View in digital edition": the link right after the label is the name.
    let mut to_author_page = false;
    if let Some((link, href)) = el
        .descendent_elements()
        .find(|d| d.value().name() == "a")
        .map(|a| (element_text(a), a.value().get_attr("href").unwrap_or("")))
        && !link.is_empty()
        && rest.starts_with(link.as_str())
        // "By <a>A</a> and <a>B</a>" names both.
        && !another_name_follows(&rest[link.len()..])
    {
        rest = &rest[..link.len()];
        to_author_page = is_author_page(href);
    }
    let name = byline::clean_byline(rest)?;
    let words: Vec<&str> = name.split_whitespace().collect();
    // A bare "By" takes two words at least: "By Car", "By Category" are menus; one word
    // will do when it links to the author's page ("by <a href=/author/amanda/>Amanda</a>").
    let fewest = if label == "by" && !to_author_page {
        2
    } else {
        1
    };
    let name_word = |w: &&str| is_name_word(w) || NAME_JOINERS.contains(w);
    // Up to two or three short names: a name with its job title, or a name printed once
    // per screen width, is longer.
    // A brand may open with a digit ("By 3i Global"), a number alone ("By 2025") is none.
    let opens_name = |w: &&str| {
        w.starts_with(char::is_uppercase)
            || (w.starts_with(|c: char| c.is_ascii_digit()) && w.contains(char::is_alphabetic))
    };
    ((fewest..=6).contains(&words.len())
        && words.first().is_some_and(opens_name)
        && words.iter().skip(1).all(name_word))
    .then_some(name)
}

/// Whether a link leads to an author's page (`/author/amanda/`, `/contributors/jane-doe`):
/// what the CMS links a byline's name to, and no menu entry.
fn is_author_page(href: &str) -> bool {
    // Asked of every link of every page: no allocation.
    let path = href.split(['?', '#']).next().unwrap_or("");
    let mut segments = path
        .split('/')
        .filter(|s| !s.is_empty() && !s.contains('.'));
    let is_author_word = |s: &str| {
        ["author", "authors", "contributor", "contributors"]
            .iter()
            .any(|w| s.eq_ignore_ascii_case(w))
    };
    // `/author/jane-doe/`: the word, then the author's own segment (`/authors/` alone is
    // the index of all of them).
    segments.any(is_author_word) && segments.next().is_some()
}

/// The name a link to an author's page gives (its text, else its label), when it is a name
/// and the link is no menu entry, footer or comment.
fn author_link_name(a: ElementRef<'_>) -> Option<String> {
    let text = element_text(a);
    let text = if text.is_empty() {
        a.value()
            .get_attr("aria-label")
            .or_else(|| a.value().get_attr("title"))
            .map(clean)?
    } else {
        text
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    let named = (2..=4).contains(&words.len())
        && words
            .first()
            .is_some_and(|w| w.starts_with(char::is_uppercase))
        && words.iter().all(|w| is_name_word(w));
    let furniture = self_and_ancestors(a, 8)
        .any(|e| matches!(e.value().name(), "nav" | "footer" | "aside" | "li"));
    (named && !furniture && !in_comments(a)).then_some(text)
}

/// Collects metadata in one pass over the elements.
pub(crate) fn collect(doc: &Html, page_url: &Url) -> Meta {
    let mut m = Meta::default();
    let mut ld_done = false;
    let mut ld_seen = 0;
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
                // Every script is read: sites put a WebPage or BreadcrumbList first and
                // the article after it. A real article type wins over a WebPage.
                if is_ld && ld_seen < MAX_LD_SCRIPTS && (!ld_done || m.ld.web_page) {
                    ld_seen += 1;
                    let text: String = el.text().collect();
                    if let Some(a) = parse_ld(&text)
                        && (!ld_done || !a.web_page)
                    {
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
            "time" if m.times.len() + m.other_times.len() < MAX_TIMES => {
                let v = match e.get_attr("datetime") {
                    Some(d) if !d.trim().is_empty() => d.to_string(),
                    _ => element_text(el),
                };
                if !v.is_empty() && v.len() < 200 {
                    if is_foreign_time(el) {
                        m.other_times.push(v);
                    } else {
                        m.times.push(v);
                    }
                }
            }
            "p" | "div" | "span" | "li" | "small" | "strong" | "b" | "em" | "address" | "h3"
            | "h4" | "h5" | "h6"
                if m.labelled_bylines.len() < 3
                    || m.published_lines.len() < MAX_PUBLISHED_LINES =>
            {
                // Read once for both label sets; the labels first, as the caption test walks
                // the ancestors.
                let first = opening_text(el).unwrap_or_default();
                if m.published_lines.len() < MAX_PUBLISHED_LINES
                    && let Some(t) = labelled_line(el, first, PUBLISHED_LABELS, 80)
                        .filter(|_| !in_caption(el) && !in_comments(el))
                {
                    m.published_lines.push(t);
                }
                if m.labelled_bylines.len() < 3
                    && let Some(b) =
                        labelled_byline(el, first).filter(|_| !in_caption(el) && !in_comments(el))
                {
                    push_byline(&mut m.labelled_bylines, b);
                    // "<p>Written by Jane Doe</p><p>April 8, 2024</p>": the date beside an
                    // unnamed byline is in its parent, when that is a box of a line or two.
                    if m.byline_box_texts.len() < 5 {
                        let t = el
                            .parent()
                            .and_then(ElementRef::wrap)
                            .and_then(|p| dom::short_text(p, 4 * MAX_DATE_TEXT_BYTES))
                            .filter(|t| t.len() < MAX_DATE_TEXT_BYTES)
                            .unwrap_or_else(|| element_text(el));
                        m.byline_box_texts.push(t);
                    }
                }
            }
            "a" if m.bylines.len() < MAX_BYLINES
                && e.get_attr("rel").is_some_and(|r| {
                    r.split_ascii_whitespace()
                        .any(|w| w.eq_ignore_ascii_case("author"))
                }) =>
            {
                push_byline(&mut m.bylines, element_text(el));
            }
            "a" if m.author_links.len() < 3 && e.get_attr("href").is_some_and(is_author_page) => {
                if let Some(name) = author_link_name(el) {
                    push_byline(&mut m.author_links, name);
                }
            }
            _ => {}
        }
        if let Some(ip) = e.get_attr("itemprop")
            && e.name() != "meta"
        {
            if ip.eq_ignore_ascii_case("datePublished") {
                match e.get_attr("datetime").or_else(|| e.get_attr("content")) {
                    Some(v) => m
                        .metas
                        .push(("itempropdatepublished".to_string(), v.to_string())),
                    None if m.itemprop_date_texts.len() < MAX_TIMES => {
                        m.itemprop_date_texts.push(element_text(el));
                    }
                    None => {}
                }
            } else if ip.eq_ignore_ascii_case("author") && m.bylines.len() < MAX_BYLINES {
                // `itemprop=author` holds the name or a Person with `itemprop=name` inside.
                let name = el
                    .descendent_elements()
                    .find(|d| {
                        d.value()
                            .get_attr("itemprop")
                            .is_some_and(|p| p.eq_ignore_ascii_case("name"))
                    })
                    .map(element_text)
                    .unwrap_or_else(|| element_text(el));
                push_byline(&mut m.bylines, name);
            }
        }
        if e.get_attr("class").is_some() || e.get_attr("id").is_some() {
            let words = ClassWords::of(e);
            if m.date_texts.len() < 5
                && words.has(ClassWords::DATE)
                && let Some(t) = dom::short_text(el, 4 * MAX_DATE_TEXT_BYTES)
                && !t.is_empty()
                && t.len() < MAX_DATE_TEXT_BYTES
            {
                m.date_texts.push(t);
            }
            let boxes_wanted = m.byline_box_texts.len() < 5;
            let bylines_wanted = m.bylines.len() < MAX_BYLINES;
            if (boxes_wanted || bylines_wanted) && words.has(ClassWords::AUTHOR) && !in_comments(el)
            {
                // The whole box's text, read once for both uses.
                let mut whole = boxes_wanted.then(|| element_text(el));
                if let Some(t) = whole
                    .as_ref()
                    .filter(|t| !t.is_empty() && t.len() < MAX_DATE_TEXT_BYTES)
                {
                    m.byline_box_texts.push(t.clone());
                }
                if bylines_wanted {
                    let t = named_part(el)
                        .or_else(|| whole.take())
                        .unwrap_or_else(|| element_text(el));
                    // An author box (name, title, bio) is no byline, but its name is in it.
                    match byline::clean_byline(&t) {
                        Some(_) if t.chars().count() <= MAX_BYLINE_CHARS => {
                            push_byline(&mut m.bylines, t)
                        }
                        // A box the size of a bio, not a container of the article.
                        _ if t.len() <= 600 => {
                            if let Some(name) = name_inside(el) {
                                push_byline(&mut m.bylines, name);
                            }
                        }
                        _ => {}
                    }
                }
            }
            if m.lead_candidates.len() < 50 && words.has(ClassWords::LEAD) && !in_caption(el) {
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

    /// The author in Twitter's label/data card pairs (`twitter:label1` "Written by",
    /// `twitter:data1` the name), which SEO plugins print on pages with no author meta.
    fn twitter_written_by(&self) -> Option<&str> {
        self.metas.iter().find_map(|(k, v)| {
            let n = k.strip_prefix("twitter:label")?;
            let label = v.trim().to_ascii_lowercase();
            matches!(label.as_str(), "written by" | "author" | "by")
                .then(|| self.meta(&format!("twitter:data{n}")))
                .flatten()
        })
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
        // The closest agreement first: a site-name `<h1>` ("Stanford Online") is inside the
        // `<title>` too ("Certificate vs Certification | Stanford Online").
        let agreements: [fn(&str, &str) -> bool; 3] =
            [|m, f| m == f, |m, f| m.starts_with(f), |m, f| m.contains(f)];
        for agrees in agreements {
            for (h1, _) in &self.h1s {
                let f = fold(h1);
                if f.chars().count() >= 3 && metas.iter().any(|m| agrees(m, &f)) {
                    return Some(h1.clone());
                }
            }
        }
        // The one headline-sized `<h1>` of the page is what readers see as the headline,
        // even where og:title is a rewritten social-media line ("Top 10: … (tested by experts)").
        let mut headlines: Vec<&String> = Vec::new();
        for (h1, _) in &self.h1s {
            if dom::count_words(h1) >= 3 && !headlines.contains(&h1) {
                headlines.push(h1);
            }
        }
        if let [only] = headlines[..] {
            return Some(only.clone());
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

    /// Whether `text` is the site's name: `og:site_name`, or the part of `<title>` after its
    /// last separator ("September open thread - The GiveWell Blog").
    pub fn names_site(&self, text: &str) -> bool {
        let f = fold(text);
        if f.is_empty() {
            return false;
        }
        if self.meta("og:site_name").is_some_and(|s| fold(s) == f) {
            return true;
        }
        let Some(title) = self.html_title.as_deref().map(fold) else {
            return false;
        };
        TITLE_SEPARATORS
            .iter()
            .filter_map(|sep| title.rsplit_once(sep))
            .any(|(_, last)| last.trim() == f)
    }

    /// Published date and where it came from: JSON-LD, meta, `itemprop`, `<time>`. (The
    /// visible date near the headline, date-classed text and the URL's date are the caller's
    /// later fallbacks: the first needs the document, the last the URL.)
    pub fn published(&self) -> Option<(Stamp, &'static str)> {
        if let Some(d) = self.ld.published.as_deref().and_then(date::parse_machine) {
            return Some((d, "json-ld"));
        }
        for key in PUBLISHED_KEYS {
            if let Some(d) = self.meta_all(key).find_map(date::parse_machine) {
                return Some((d, "meta"));
            }
        }
        if let Some(d) = self
            .metas
            .iter()
            .filter(|(k, _)| is_publish_date_key(k))
            .find_map(|(_, v)| date::parse_machine(v))
        {
            return Some((d, "meta"));
        }
        if let Some(d) = self
            .itemprop_date_texts
            .iter()
            .find_map(|t| date::parse_text(t))
        {
            return Some((d, "text"));
        }
        self.times
            .iter()
            .find_map(|t| date::parse_machine(t).or_else(|| date::parse_text(t)))
            .map(|d| (d, "time"))
    }

    /// The first date in a date-classed element (`.post-date`, `.entry-meta`), anywhere on
    /// the page: after the date beside the headline, which a sidebar's or a teaser's dated
    /// element cannot be.
    pub fn date_classed(&self) -> Option<(Stamp, &'static str)> {
        self.date_texts
            .iter()
            .find_map(|t| date::parse_text(t))
            .map(|d| (d, "text"))
    }

    /// The first date a publication label opens ("Published March 9, 2026"): what the page
    /// tells its readers, which outranks a machine date on another day.
    pub fn published_line(&self) -> Option<Stamp> {
        self.published_lines
            .iter()
            .find_map(|t| date::parse_text(t))
    }

    /// The first date in a short author box: after the date-classed ones, for pages that
    /// print the date beside the byline in an element named only for the author.
    pub fn date_beside_byline(&self) -> Option<(Stamp, &'static str)> {
        self.byline_box_texts
            .iter()
            .find_map(|t| date::first_in(t))
            .map(|d| (d, "text"))
    }

    /// The offset the page's own machine dates carry, for a wall-clock time it writes
    /// elsewhere without one. A local offset wins over UTC: CMSs store instants in UTC and
    /// print them in the site's zone.
    pub fn declared_offset(&self) -> Option<FixedOffset> {
        let ld = [self.ld.published.as_deref(), self.ld.modified.as_deref()];
        let metas = self
            .metas
            .iter()
            .filter(|(k, _)| k.contains("time") || k.contains("date"))
            .map(|(_, v)| Some(v.as_str()));
        let times = self
            .times
            .iter()
            .chain(&self.other_times)
            .map(|t| Some(t.as_str()));
        let mut offsets = ld
            .into_iter()
            .chain(metas)
            .chain(times)
            .flatten()
            .filter_map(|v| date::parse_machine(v).and_then(|d| d.offset()));
        let first = offsets.next()?;
        if first.local_minus_utc() != 0 {
            return Some(first);
        }
        Some(offsets.find(|o| o.local_minus_utc() != 0).unwrap_or(first))
    }

    /// Last-modified date from JSON-LD or meta.
    pub fn updated(&self) -> Option<Stamp> {
        self.ld
            .modified
            .as_deref()
            .and_then(date::parse_machine)
            .or_else(|| {
                [
                    "article:modified_time",
                    "og:updated_time",
                    "datemodified",
                    "last-modified",
                ]
                .iter()
                .find_map(|k| self.meta_all(k).find_map(date::parse_machine))
            })
    }

    /// Authors named by the page's metadata and bylines, best source first: JSON-LD
    /// people, author meta tags, then byline elements. A name equal to the site's own
    /// name (og:site_name, the host) or an organisation is kept only when no person is
    /// named: many CMSs put the publisher there when the real byline is in the text, but
    /// a company blog's author may well be the company.
    pub fn authors(&self, host: &str, byline_block: Option<&str>) -> Authors {
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
        let ld: Vec<String> = self
            .ld
            .authors
            .iter()
            .filter_map(|a| byline::clean_byline(a))
            .collect();
        let metas: Vec<String> = AUTHOR_KEYS
            .iter()
            .flat_map(|k| self.meta_all(k))
            .filter(|a| !a.trim_start().starts_with("http"))
            .filter_map(byline::clean_byline)
            .collect();
        let dom: Vec<String> = self
            .bylines
            .iter()
            .map(String::as_str)
            .chain(byline_block)
            .filter_map(byline::clean_byline)
            .collect();
        let people = |names: &[String]| dedup(names.iter().filter(|a| !is_site(a)).cloned());
        let person = |a: &&String| !is_site(a);
        // One source, the best that names a person: JSON-LD lists each author apart; a meta
        // tag or byline gives them in one string as the page prints them; several byline
        // elements after a first that names the site are listed as they are.
        // A login name ("jdoe42", "jane.doe") where JSON-LD or the author meta tag should
        // name a person yields to a byline that prints a full name.
        let printed_name = dom.first().is_some_and(|d| is_full_name(d));
        let ld_people = people(&ld);
        let ld_people = if printed_name && ld_people.iter().all(|a| is_handle(a)) {
            Vec::new()
        } else {
            ld_people
        };
        Authors::listed(&ld_people)
            .map(|listed| listed.with_printed_line(metas.iter().chain(&dom)))
            // One meta tag per author (`citation_author`, `DC.Creator` on papers): each is one.
            // Not `author`, which themes and plugins both print, with different names.
            .or_else(|| {
                ["citation_author", "citation_authors", "dc.creator"]
                    .iter()
                    .map(|k| {
                        people(
                            &self
                                .meta_all(k)
                                .filter_map(byline::clean_byline)
                                .collect::<Vec<_>>(),
                        )
                    })
                    .find(|names| names.len() > 1)
                    .and_then(|names| Authors::listed(&names))
                    .map(|listed| listed.with_printed_line(metas.iter().chain(&dom)))
            })
            .or_else(|| {
                metas
                    .first()
                    .filter(person)
                    .filter(|a| !(is_handle(a) && printed_name))
                    .map(|a| Authors::printed(a))
            })
            .or_else(|| dom.first().filter(person).map(|a| Authors::printed(a)))
            .or_else(|| {
                let list = people(&dom);
                (dom.len() > 1 && !list.is_empty()).then(|| Authors {
                    line: Some(list.join(", ")),
                    names: list,
                })
            })
            .or_else(|| {
                self.twitter_written_by()
                    .filter(|a| !a.trim_start().starts_with("http"))
                    .and_then(byline::clean_byline)
                    .filter(|a| !is_site(a))
                    .map(|a| Authors::printed(&a))
            })
            .or_else(|| {
                self.labelled_bylines
                    .first()
                    .filter(|a| !is_site(a))
                    .map(|a| Authors::printed(a))
            })
            .or_else(|| {
                self.author_links
                    .first()
                    .filter(|a| !is_site(a))
                    .map(|a| Authors::printed(a))
            })
            .or_else(|| {
                // Last resort: the site or an organisation named as the author.
                let fallback: Vec<String> = ld
                    .iter()
                    .chain(&metas)
                    .chain(&dom)
                    .cloned()
                    .chain(
                        self.ld
                            .org_authors
                            .iter()
                            .filter_map(|a| byline::clean_byline(a)),
                    )
                    .collect();
                fallback.first().map(|f| Authors {
                    line: Some(f.clone()),
                    names: vec![f.clone()],
                })
            })
            .unwrap_or_default()
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

/// A login name rather than a person's: one word without a capital, or with dots, digits
/// or underscores in it.
fn is_handle(name: &str) -> bool {
    !name.contains(' ')
        && (!name.chars().any(char::is_uppercase)
            || name
                .chars()
                .any(|c| c.is_ascii_digit() || c == '.' || c == '_'))
}

/// Two to four capitalised words: a person's name as a byline prints it.
fn is_full_name(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    (2..=4).contains(&words.len()) && words.iter().all(|w| w.starts_with(char::is_uppercase))
}

/// The page's authors: the byline as one line (as the page prints it) and each name.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Authors {
    pub line: Option<String>,
    pub names: Vec<String>,
}

impl Authors {
    /// Authors given apart (JSON-LD people, a rule's matches): the line joins them, and
    /// each is split into its names.
    pub fn listed(people: &[String]) -> Option<Self> {
        // "Roy, Aniruddha; Patel, Jyoti": names printed surname first keep their commas.
        let sep = if people.iter().any(|p| p.contains(',')) {
            "; "
        } else {
            ", "
        };
        (!people.is_empty()).then(|| Self {
            line: Some(people.join(sep)),
            names: people.iter().flat_map(|p| byline::split_names(p)).collect(),
        })
    }

    /// Several authors given apart keep their names, but take as their line a byline of the
    /// page that names exactly them ("A, B and C"): `author` is the byline as printed.
    fn with_printed_line<'a>(self, bylines: impl Iterator<Item = &'a String>) -> Self {
        if self.names.len() < 2 {
            return self;
        }
        let key = |names: &[String]| {
            let mut k: Vec<String> = names.iter().map(|n| fold(n)).collect();
            k.sort();
            k
        };
        let want = key(&self.names);
        match bylines
            .into_iter()
            .find(|b| key(&byline::split_names(b)) == want)
        {
            Some(printed) => Self {
                line: Some(printed.clone()),
                ..self
            },
            None => self,
        }
    }

    /// One byline as the page prints it: the line itself, and the names in it.
    fn printed(byline: &str) -> Self {
        Self {
            line: Some(byline.to_string()),
            names: byline::split_names(byline),
        }
    }
}

/// Most authors kept per story (a physics paper lists thousands).
const MAX_AUTHORS: usize = 50;

fn dedup(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .filter(|n| seen.insert(fold(n)))
        .take(MAX_AUTHORS)
        .collect()
}

/// Meta keys of the publication date, best first.
const PUBLISHED_KEYS: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "article:published",
    "itempropdatepublished",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "published-date",
    "published_date",
    "date-pub",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "dcterms.issued",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "published_time",
    "published",
    "citation_publication_date",
    "citation_date",
    "citation_online_date",
];

/// Any other key naming a publication date (`cludo:date` aside): `w-published-date`,
/// `bt:pubdate`, `pubdate_iso`.
fn is_publish_date_key(k: &str) -> bool {
    (k.contains("publish") || k.contains("pubdate"))
        && (k.contains("date") || k.contains("time"))
        && !k.contains("modif")
        && !k.contains("updat")
}

/// Meta keys of authors, best first.
const AUTHOR_KEYS: &[&str] = &[
    "author",
    "article:author",
    "dc.creator",
    "parsely-author",
    "sailthru.author",
    "cxenseparse:author",
    "byl",
    "citation_author",
    "citation_authors",
];

/// What sets a site's name off a `<title>` ("Headline | Site"), in the order tried.
const TITLE_SEPARATORS: [&str; 11] = [
    " | ", " – ", " — ", " :: ", " » ", " - ", " « ", " › ", " ‹ ", " · ", " • ",
];

/// `<title>` minus a trailing " | Site" / " - Site" part: keeps the longest
/// segment, which is the headline on news sites.
fn strip_site_suffix(t: &str, site: Option<&str>) -> String {
    let site = site.map(fold);
    for sep in TITLE_SEPARATORS {
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
    let (people, orgs) = obj.get("author").map(|a| names(a, &v)).unwrap_or_default();
    Some(LdArticle {
        web_page: type_is(obj, "WebPage"),
        org_authors: orgs,
        headline: s("headline").or_else(|| s("name")),
        description: s("description"),
        published: s("datePublished").or_else(|| s("dateCreated")),
        modified: s("dateModified"),
        authors: people,
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
            let own = o.get("@type").is_some_and(is_article_type).then_some(o);
            // A WebPage or Blog often holds the article as `mainEntity` / `blogPost`.
            let inner = ["@graph", "mainEntity", "blogPost", "hasPart"]
                .iter()
                .filter_map(|k| o.get(*k))
                .find_map(|g| find_article(g, depth + 1));
            match (own, inner) {
                (Some(me), Some(child)) if type_is(me, "WebPage") && !type_is(child, "WebPage") => {
                    Some(child)
                }
                (Some(me), _) => Some(me),
                (None, child) => child,
            }
        }
        _ => None,
    }
}

/// The node of a JSON-LD document (its `@graph`, an array of nodes) whose `@id` is `id`.
fn node_by_id<'a>(v: &'a Value, id: &str, depth: usize) -> Option<&'a Value> {
    if depth > 3 {
        return None;
    }
    match v {
        Value::Array(items) => items.iter().find_map(|i| node_by_id(i, id, depth + 1)),
        Value::Object(o) => {
            if o.get("@id").and_then(Value::as_str) == Some(id) && o.contains_key("name") {
                return Some(v);
            }
            o.get("@graph").and_then(|g| node_by_id(g, id, depth + 1))
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

/// Author names of a JSON-LD `author` value: people, and organisations apart.
/// `doc` is the whole JSON-LD script: an author given as `{"@id": …}` alone (Yoast's graph)
/// is the node of the graph with that `@id`.
fn names(v: &Value, doc: &Value) -> (Vec<String>, Vec<String>) {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let (mut people, mut orgs) = (Vec::new(), Vec::new());
    for item in items.into_iter().take(MAX_AUTHORS) {
        let item = match item.as_object() {
            Some(o) if !o.contains_key("name") => o
                .get("@id")
                .and_then(Value::as_str)
                .and_then(|id| node_by_id(doc, id, 0))
                .unwrap_or(item),
            _ => item,
        };
        let Some(name) = value_text(item).map(|s| clean(&s)) else {
            continue;
        };
        let org = item
            .as_object()
            .is_some_and(|o| type_is(o, "Organization") || type_is(o, "NewsMediaOrganization"));
        if org {
            orgs.push(name)
        } else {
            people.push(name)
        }
    }
    (people, orgs)
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

/// The text node printing the page's title in the body, for a page whose headline is no
/// `<h1>` (a styled paragraph, an `<h4>`).
fn headline_text(doc: &Html, m: &Meta) -> Option<NodeId> {
    let title = fold(&m.title()?);
    if title.chars().count() < MIN_HEADLINE_CHARS {
        return None;
    }
    let body = doc
        .root_element()
        .child_elements()
        .find(|e| e.value().name() == "body")?;
    body.descendants().find_map(|n| {
        let t = n.value().as_text()?;
        // Cheap length test before folding every text node of the page.
        let len = t.trim().len();
        (len >= title.len() / 2 && len <= title.len() * 2 && fold(t) == title).then(|| n.id())
    })
}

/// Shortest title looked for in the body: a word or two match menu entries.
const MIN_HEADLINE_CHARS: usize = 20;

/// Characters of visible text searched after the headline for the date a reader sees.
const AFTER_HEADLINE_CHARS: usize = 1500;

/// Characters at the start of a line under the headline searched for its date.
const DATE_OPENING_CHARS: usize = 100;

/// Characters searched before it (a date set above the headline).
const BEFORE_HEADLINE_CHARS: usize = 300;

/// The first full date in the visible text after the page's first `<h1>`, then the first
/// just above it: most pages print the date in the byline even when no metadata carries
/// it. Both are offered, so that a date the caller finds implausible (a historical date in
/// a caption under the headline) leaves the other.
pub(crate) fn dates_near_headline(doc: &Html, m: &Meta) -> [Option<Stamp>; 2] {
    let anchor = match m.h1s.first() {
        Some((_, id)) => Some(*id),
        None => headline_text(doc, m),
    };
    let Some(h1) = anchor.as_ref() else {
        return [None, None];
    };
    let mut before = String::new();
    let mut after = String::new();
    let mut passed = false;
    let mut skip: Option<NodeId> = None;
    for edge in doc.root_element().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => {
                if skip.is_some() {
                    continue;
                }
                if node.id() == *h1 {
                    passed = true;
                }
                match node.value() {
                    scraper::Node::Element(e)
                        if dom::is_non_content(e.name()) || dom::is_hidden(e) =>
                    {
                        skip = Some(node.id());
                    }
                    // Each block's text on a line of its own, for the line test below.
                    scraper::Node::Element(e) if passed && dom::is_block(e.name()) => {
                        after.push('\n');
                    }
                    scraper::Node::Text(t) => {
                        let buf = if passed { &mut after } else { &mut before };
                        buf.push_str(t);
                        buf.push(' ');
                        if after.len() > AFTER_HEADLINE_CHARS * 4 {
                            break;
                        }
                        // Only the text just above the headline is kept.
                        if before.len() > BEFORE_HEADLINE_CHARS * 16 {
                            let keep = before.len() - BEFORE_HEADLINE_CHARS * 8;
                            let cut = (keep..before.len())
                                .find(|i| before.is_char_boundary(*i))
                                .unwrap_or(before.len());
                            before.drain(..cut);
                        }
                    }
                    _ => {}
                }
            }
            ego_tree::iter::Edge::Close(node) => {
                if skip == Some(node.id()) {
                    skip = None;
                }
            }
        }
    }
    // A hidden headline was never passed: the text before it is the whole page.
    if !passed {
        return [None, None];
    }
    // A date the reader sees under the headline opens a line (a date line, "WASHINGTON,
    // March 5, 2024 —"); one further into a paragraph is a date the story speaks of.
    let mut budget = AFTER_HEADLINE_CHARS;
    let mut below = None;
    for line in after.lines() {
        if budget == 0 {
            break;
        }
        let line = clean(line);
        let n = line.chars().count();
        let opening: String = line.chars().take(DATE_OPENING_CHARS.min(budget)).collect();
        budget = budget.saturating_sub(n);
        if let Some(d) = date::first_in(&opening) {
            below = Some(d);
            break;
        }
    }
    let before = clean(&before);
    let tail: String = {
        let chars: Vec<char> = before.chars().collect();
        chars[chars.len().saturating_sub(BEFORE_HEADLINE_CHARS)..]
            .iter()
            .collect()
    };
    [below, date::first_in(&tail)]
}

/// Longest line read as a post's meta line ("Posted by Jane on March 5, 2013 | 3 comments").
const MAX_META_LINE_CHARS: usize = 200;

/// How much more text the post's box may hold than its body: a title, a byline, a footer.
const POST_BOX_EXTRA_CHARS: usize = 1500;

/// Levels looked up from the content for the box holding the post.
const POST_BOX_LEVELS: usize = 3;

/// Class words of the line a blog engine prints above or below a post with its date and
/// author (`entry-meta`, `post-footer`, Drupal's `submitted`, `asset-meta`).
const META_LINE_WORDS: &[&str] = &["meta", "footer", "submitted", "byline", "info", "posted"];

/// The first date in the post's own meta line, for pages that print the date nowhere else:
/// a short element classed as one ([`META_LINE_WORDS`]) inside the content or beside it in
/// the box that holds the post and little else (a sidebar's teasers have such lines too).
pub(crate) fn date_in_post_meta(roots: &[ElementRef<'_>], stats: &dom::DomStats) -> Option<Stamp> {
    let root = roots.first()?;
    let body = stats.get(root.id()).text;
    let scope = root
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take(POST_BOX_LEVELS)
        .take_while(|a| {
            !matches!(a.value().name(), "body" | "html")
                && stats.get(a.id()).text <= body + POST_BOX_EXTRA_CHARS
        })
        .last()
        .unwrap_or(*root);
    scope.descendent_elements().find_map(|el| {
        let text = stats.get(el.id()).text;
        let named = || {
            dom::class_tokens(el.value())
                .any(|t| META_LINE_WORDS.iter().any(|w| t.eq_ignore_ascii_case(w)))
        };
        if text == 0 || text > MAX_META_LINE_CHARS || !named() {
            return None;
        }
        // Only a named line's ancestors are walked. One in a list of other stories dates
        // one of them.
        let listed = self_and_ancestors(el, TIME_BOX_LEVELS)
            .any(|a| matches!(a.value().name(), "li" | "aside" | "nav"));
        if listed || in_comments(el) {
            return None;
        }
        let line = element_text(el);
        let f = fold(&line);
        if UPDATE_WORDS.iter().any(|w| f.contains(w)) {
            return None;
        }
        date::first_in(&line)
    })
}

/// Words of a line that dates the last change, not the publication ("Last updated July 2,
/// 2024", "Zuletzt aktualisiert", "Mis à jour le").
const UPDATE_WORDS: &[&str] = &[
    "updated",
    "modified",
    "revised",
    "aktualisiert",
    "geändert",
    "mis à jour",
    "actualizado",
    "atualizado",
    "aggiornato",
    "bijgewerkt",
    "zaktualizowano",
    "обновлено",
    "güncellendi",
    "diperbarui",
    "cập nhật",
    "更新",
];
