//! DOM figures computed once per page and the tag/class vocabularies.
//!
//! Scoring and cleaning need, for every element, how much text it holds,
//! how much of it is link text, and how many images it has. Computing that
//! once bottom-up (one non-recursive traversal) keeps the whole extractor
//! linear in the size of the page, however deep or large it is.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::node::Element;
use scraper::{ElementRef, Node};

use super::text::count_chars_commas;

/// Per-element totals over its subtree (scripts, styles and hidden
/// elements excluded, as the text walk skips them too).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ElStats {
    /// Non-whitespace characters of text.
    pub text: usize,
    /// Non-whitespace characters inside `<a>`.
    pub links: usize,
    /// Commas, a cheap sign of prose (readability's heuristic).
    pub commas: usize,
    /// `<img>` elements in the subtree.
    pub imgs: usize,
    /// Whether any child is a block-level element.
    pub block_children: bool,
    /// Text not inside a block-level child: the element's own text nodes
    /// and inline children. Article text set loose in a container (text
    /// between `<br>`s next to block children) only shows up here.
    pub loose_text: usize,
    /// Commas of `loose_text`.
    pub loose_commas: usize,
    /// Position in document order, for "comes before" tests.
    pub order: usize,
}

impl ElStats {
    /// Share of text inside links; 0 for elements without text.
    pub fn link_density(&self) -> f64 {
        if self.text == 0 {
            0.0
        } else {
            self.links as f64 / self.text as f64
        }
    }
}

/// Hasher for node ids. Ids are small distinct integers, not attacker
/// controlled keys, so a multiplicative hash is enough and much cheaper
/// than SipHash on pages with hundreds of thousands of elements.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0 ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Map keyed by node id with the cheap hasher.
pub(crate) type IdMap<V> = HashMap<NodeId, V, BuildHasherDefault<IdHasher>>;

/// Figures of every element of one document, keyed by node id.
#[derive(Debug, Default)]
pub(crate) struct DomStats {
    map: IdMap<ElStats>,
}

impl DomStats {
    /// Computes the figures for `root` and everything below it.
    pub fn build(root: ElementRef<'_>) -> Self {
        let mut map = IdMap::default();
        let mut stack: Vec<(NodeId, bool, ElStats)> = Vec::new();
        let mut skip: Option<NodeId> = None;
        let mut order = 0usize;
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) => {
                    if skip.is_some() {
                        continue;
                    }
                    match node.value() {
                        Node::Element(e) => {
                            if (is_non_content(e.name()) || is_hidden(e)) && node.id() != root.id()
                            {
                                skip = Some(node.id());
                                continue;
                            }
                            order += 1;
                            let st = ElStats {
                                order,
                                ..ElStats::default()
                            };
                            stack.push((node.id(), e.name() == "a", st));
                        }
                        Node::Text(t) => {
                            if let Some((_, _, top)) = stack.last_mut() {
                                let (chars, commas) = count_chars_commas(t);
                                top.text += chars;
                                top.commas += commas;
                                top.loose_text += chars;
                                top.loose_commas += commas;
                            }
                        }
                        _ => {}
                    }
                }
                Edge::Close(node) => {
                    if let Some(id) = skip {
                        if id == node.id() {
                            skip = None;
                        }
                        continue;
                    }
                    let Node::Element(e) = node.value() else {
                        continue;
                    };
                    let Some((id, is_link, mut st)) = stack.pop() else {
                        continue;
                    };
                    if is_link {
                        st.links = st.text;
                    }
                    if let Some((_, _, parent)) = stack.last_mut() {
                        parent.text += st.text;
                        parent.links += st.links;
                        parent.commas += st.commas;
                        parent.imgs += st.imgs + usize::from(e.name() == "img");
                        if is_block(e.name()) {
                            parent.block_children = true;
                        } else if !st.block_children {
                            parent.loose_text += st.text;
                            parent.loose_commas += st.commas;
                        }
                    }
                    map.insert(id, st);
                }
            }
        }
        DomStats { map }
    }

    /// Figures of one element (zeros for elements not seen, e.g. in scripts).
    pub fn get(&self, id: NodeId) -> ElStats {
        self.map.get(&id).copied().unwrap_or_default()
    }
}

/// Elements whose content is never article text.
pub(crate) fn is_non_content(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "object"
            | "embed"
            | "svg"
            | "canvas"
            | "head"
            | "title"
            | "meta"
            | "link"
            | "button"
            | "select"
            | "input"
            | "textarea"
            | "option"
            | "audio"
            | "video"
            | "source"
            | "map"
    )
}

/// Page furniture tags that generic mode drops inside the content.
pub(crate) fn is_furniture_tag(name: &str) -> bool {
    matches!(
        name,
        "nav" | "aside" | "form" | "footer" | "header" | "menu" | "dialog"
    )
}

/// Block-level elements: they start and end a text block.
pub(crate) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "caption"
            | "figure"
            | "figcaption"
            | "address"
            | "center"
            | "form"
            | "fieldset"
            | "details"
            | "summary"
            | "hr"
            | "body"
            | "html"
    )
}

/// `h1`–`h6`.
pub(crate) fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// `hidden` attribute, `aria-hidden="true"` or inline `display:none` /
/// `visibility:hidden`: text a reader never sees (hover cards, collapsed
/// duplicates, screen-reader-hidden widgets) is not article text.
pub(crate) fn is_hidden(e: &Element) -> bool {
    if e.get_attr("hidden").is_some() {
        return true;
    }
    match e.get_attr("style") {
        Some(style) => {
            let s: String = attr_head(style)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>();
            let s = s.to_ascii_lowercase();
            s.contains("display:none") || s.contains("visibility:hidden")
        }
        None => false,
    }
}

/// `text-align: right` or `align="right"`: how author lines are set.
pub(crate) fn is_right_aligned(e: &Element) -> bool {
    if e.get_attr("align")
        .is_some_and(|a| a.eq_ignore_ascii_case("right"))
    {
        return true;
    }
    e.get_attr("style").is_some_and(|style| {
        let s: String = attr_head(style)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>();
        s.to_ascii_lowercase().contains("text-align:right")
    })
}

/// Longest class/id prefix looked at. Real ones are far shorter; a
/// megabyte-long class attribute must not cost a megabyte of work per test.
const MAX_ATTR_BYTES: usize = 512;

/// The first [`MAX_ATTR_BYTES`] of an attribute, cut at a char boundary.
fn attr_head(s: &str) -> &str {
    let mut end = s.len().min(MAX_ATTR_BYTES);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

/// Attribute lookup by plain name without interning it: scraper's own
/// `Element::attr` turns the name into an atom (a hash lookup, for some
/// names a global lock) on every call, and the extractor asks a few
/// attributes of every element of every page.
pub(crate) trait AttrExt {
    /// Value of the attribute `name` (no namespace), if present.
    fn get_attr(&self, name: &str) -> Option<&str>;
}

impl AttrExt for Element {
    fn get_attr(&self, name: &str) -> Option<&str> {
        self.attrs().find(|(k, _)| *k == name).map(|(_, v)| v)
    }
}

/// Words of the class and id attributes, as written (compare them with
/// `eq_ignore_ascii_case`; every vocabulary word here is lower-case ASCII).
/// BEM names (`block__element--mod`) contribute only their element part,
/// so `article__author` reads as "author" and `article__body` as "body".
pub(crate) fn class_tokens(e: &Element) -> impl Iterator<Item = &str> {
    let class = attr_head(e.get_attr("class").unwrap_or(""));
    let id = attr_head(e.get_attr("id").unwrap_or(""));
    class
        .split_ascii_whitespace()
        .chain(id.split_ascii_whitespace())
        .flat_map(|name| {
            let main = name.rsplit_once("__").map_or(name, |(_, el)| el);
            let main = main.split("--").next().unwrap_or(main);
            main.split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|t| !t.is_empty())
        })
}

/// Whether any class/id word is one of `words` (lower-case).
pub(crate) fn has_class_word(e: &Element, words: &[&str]) -> bool {
    class_tokens(e).any(|t| words.iter().any(|w| t.eq_ignore_ascii_case(w)))
}

/// ASCII case-insensitive substring test without allocating.
fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// Class words that mark article content.
const POSITIVE: &[&str] = &[
    "article",
    "articlebody",
    "body",
    "content",
    "entry",
    "hentry",
    "main",
    "post",
    "text",
    "blog",
    "detail",
    "cms",
    "prose",
    "richtext",
    "story",
    "fck",
];

/// Class words that mark page furniture: related links, sharing, comments,
/// ads, navigation, tags and author boxes.
const NEGATIVE: &[&str] = &[
    "related",
    "relate",
    "comment",
    "comments",
    "share",
    "sharing",
    "social",
    "sidebar",
    "footer",
    "breadcrumb",
    "breadcrumbs",
    "ads",
    "ad",
    "advert",
    "advertisement",
    "adv",
    "banner",
    "sponsor",
    "sponsored",
    "promo",
    "newsletter",
    "subscribe",
    "popup",
    "modal",
    "cookie",
    "gdpr",
    "tags",
    "tag",
    "keyword",
    "keywords",
    "author",
    "byline",
    "menu",
    "nav",
    "navigation",
    "pagination",
    "pager",
    "widget",
    "recommend",
    "recommended",
    "popular",
    "trending",
    "toolbar",
    "print",
    "rating",
    "vote",
    "hidden",
    "masthead",
    "header",
    "meta",
    "disqus",
    "outbrain",
    "taboola",
    "skyscraper",
    "shoutbox",
    "combx",
    "follow",
    "signup",
    "login",
    "copyright",
    "readmore",
    "more",
    "topics",
    "topic",
    "timeline",
    "tool",
    "tools",
    "hot",
    "lienquan",
    "xemthem",
    "docthem",
    "tinkhac",
];

/// Substrings of the raw class/id that mark Vietnamese related boxes even
/// when not split into words (`tinlienquan`, `box_xemthem`).
const NEGATIVE_SUBSTR: &[&str] = &["lienquan", "xemthem", "docthem", "tinkhac", "relate"];

/// Readability-style class weight: +25 for content words, -25 for furniture.
pub(crate) fn class_weight(e: &Element) -> f64 {
    let mut w = 0.0;
    if has_class_word(e, POSITIVE) {
        w += 25.0;
    }
    if is_negative(e) {
        w -= 25.0;
    }
    w
}

fn is_negative(e: &Element) -> bool {
    if has_class_word(e, NEGATIVE) {
        return true;
    }
    let class = attr_head(e.get_attr("class").unwrap_or(""));
    let id = attr_head(e.get_attr("id").unwrap_or(""));
    NEGATIVE_SUBSTR
        .iter()
        .any(|s| contains_ignore_case(class, s) || contains_ignore_case(id, s))
}

/// Furniture by class/id: negative words and no content word.
pub(crate) fn is_boilerplate_class(e: &Element) -> bool {
    is_negative(e) && !has_class_word(e, POSITIVE)
}

/// Caption containers by class (`caption`, `wp-caption-text`, `image_desc`).
pub(crate) fn is_caption_class(e: &Element) -> bool {
    if class_tokens(e).any(|t| contains_ignore_case(t, "caption")) {
        return true;
    }
    has_class_word(e, &["desc", "description", "des"])
        && has_class_word(e, &["image", "img", "photo", "pic"])
}

/// Number of whitespace-separated words.
pub(crate) fn count_words(s: &str) -> usize {
    s.split_whitespace().count()
}
