//! DOM figures computed once per page and the tag/class vocabularies.
//!
//! Scoring and cleaning need, for every element, how much text it holds,
//! how much of it is link text, and how many images it has. Computing that
//! once bottom-up (one non-recursive traversal) keeps the whole extractor
//! linear in the size of the page, however deep or large it is.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::node::Element;
use scraper::{ElementRef, Html, Node};

use super::text::{clean, count_chars_commas};

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
    /// Document-order counter, continued across the subtrees added.
    order: usize,
}

impl DomStats {
    /// Computes the figures for `root` and everything below it.
    pub fn build(root: ElementRef<'_>) -> Self {
        let mut stats = Self::default();
        stats.add(root);
        stats
    }

    /// Figures for the subtrees of `roots` only (in document order): all a
    /// site rule's body needs, at a fraction of the cost of the whole page.
    pub fn build_within(roots: &[ElementRef<'_>]) -> Self {
        let mut stats = Self::default();
        for root in roots {
            stats.add(*root);
        }
        stats
    }

    fn add(&mut self, root: ElementRef<'_>) {
        let map = &mut self.map;
        let mut order = self.order;
        let mut stack: Vec<(NodeId, bool, ElStats)> = Vec::new();
        let mut skip: Option<NodeId> = None;
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
        self.order = order;
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
        // React's streaming render sends late parts of the page in `<div hidden id="S:0">`
        // and a script swaps them in: that text is shown, often the whole article.
        return !e.get_attr("id").is_some_and(is_streamed_segment_id);
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

/// Most streamed segments put in place per page.
const MAX_SEGMENTS: usize = 1000;

/// React's streaming render sends the page's late parts (often the article, paragraph by
/// paragraph) in `<div hidden id="S:n">` at the end of `<body>`, and a script moves each to
/// its placeholder: `<template id="P:n">`, or a Suspense boundary's `<template id="B:n">`
/// in place of the fallback beside it ("Loading paragraph…", up to the `<!--/$-->` that
/// closes the boundary). Doing the same move here puts the article back in one piece where
/// the page shows it.
pub(crate) fn inline_streamed_segments(doc: &mut Html) {
    let mut templates: HashMap<String, (NodeId, bool)> = HashMap::new();
    let mut segments: Vec<(String, NodeId)> = Vec::new();
    for el in doc.root_element().descendent_elements() {
        let e = el.value();
        let Some(id) = e.get_attr("id") else {
            continue;
        };
        match (e.name(), id.split_once(':')) {
            // B: a Suspense boundary's (with its fallback), P: a segment's placeholder.
            ("template", Some((kind @ ("B" | "P"), n))) => {
                templates
                    .entry(n.to_string())
                    .or_insert((el.id(), kind == "B"));
            }
            (_, Some(("S", n))) if is_streamed_segment_id(id) && segments.len() < MAX_SEGMENTS => {
                segments.push((n.to_string(), el.id()));
            }
            _ => {}
        }
    }
    let mut moved = std::collections::HashSet::new();
    for (n, segment) in segments {
        let Some(&(template, boundary)) = templates.get(&n) else {
            continue;
        };
        // Each placeholder is filled once (a page may repeat an id), never from a segment
        // that holds it (the move would make a node its own ancestor), and only while it is
        // still in the tree.
        let (placed, inside) = doc.tree.get(template).map_or((false, false), |t| {
            (
                t.parent().is_some(),
                t.ancestors().any(|a| a.id() == segment),
            )
        });
        if !moved.insert(n) || !placed || inside {
            continue;
        }
        // A segment inside another segment moves with it.
        let children: Vec<NodeId> = match doc.tree.get(segment) {
            Some(s) => s.children().map(|c| c.id()).collect(),
            None => continue,
        };
        if children.is_empty() {
            continue;
        }
        if boundary {
            for f in fallback_after(doc, template) {
                if let Some(mut node) = doc.tree.get_mut(f) {
                    node.detach();
                }
            }
        }
        let Some(mut place) = doc.tree.get_mut(template) else {
            continue;
        };
        for child in children {
            place.insert_id_before(child);
        }
        place.detach();
    }
}

/// Shows the panels of an accordion that the page sends collapsed (`display:none` until a
/// reader opens them): a guide's steps, an FAQ's answers. Only a panel named by a heading's
/// toggle (`<h3><button aria-expanded="false" aria-controls="step-1">`, or a toggle holding
/// the heading) is opened; a menu's toggle is no heading and its menu stays hidden.
pub(crate) fn open_collapsed_panels(doc: &mut Html) {
    let mut panels: HashSet<String> = HashSet::new();
    for el in doc.root_element().descendent_elements() {
        let e = el.value();
        let Some(controls) = e.get_attr("aria-controls") else {
            continue;
        };
        let toggle = e.get_attr("aria-expanded").is_some()
            || e.name() == "button"
            || e.get_attr("role") == Some("button");
        if !toggle {
            continue;
        }
        let in_heading = el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .take(3)
            .any(|a| is_heading_element(a.value()));
        let holds_heading = el
            .descendent_elements()
            .any(|d| is_heading_element(d.value()));
        if in_heading || holds_heading {
            panels.extend(controls.split_whitespace().map(str::to_owned));
        }
    }
    if panels.is_empty() {
        return;
    }
    // The panel, or the collapsing wrapper just around it (`div.chakra-collapse`).
    let hidden: Vec<NodeId> = doc
        .root_element()
        .descendent_elements()
        .filter(|el| {
            el.value()
                .get_attr("id")
                .is_some_and(|id| panels.contains(id))
        })
        .flat_map(|el| {
            std::iter::once(el)
                .chain(el.ancestors().filter_map(ElementRef::wrap).take(2))
                .filter(|e| is_hidden(e.value()))
                .map(|e| e.id())
        })
        .collect();
    edit_elements(doc, hidden, |e| {
        e.attrs
            .retain(|(k, _)| !matches!(&*k.local, "style" | "hidden"));
    });
}

/// Applies `edit` to each element of `ids` (collected first: the tree is borrowed while
/// they are looked for).
fn edit_elements(doc: &mut Html, ids: Vec<NodeId>, edit: impl Fn(&mut Element)) {
    for id in ids {
        if let Some(mut node) = doc.tree.get_mut(id)
            && let Node::Element(e) = node.value()
        {
            edit(e);
        }
    }
}

/// Shows the panels of an accordion whose collapsed state is a class, not a style
/// (`<div class="kt-accordion-panel kt-accordion-panel-hidden">`, `accordion-content hidden`)
/// right after the header holding its toggle button: a buying guide's methodology, an FAQ's
/// answers. The class word `hidden` would otherwise mark the panel as furniture; a panel that
/// is not named an accordion's or no button opens it stays hidden.
pub(crate) fn open_class_collapsed_panels(doc: &mut Html) {
    let collapsed: Vec<NodeId> = doc
        .root_element()
        .descendent_elements()
        .filter(|el| {
            el.value()
                .get_attr("class")
                .is_some_and(names_collapsed_accordion_panel)
        })
        .filter(|el| {
            el.prev_siblings()
                .find_map(ElementRef::wrap)
                .is_some_and(holds_toggle_button)
        })
        .map(|el| el.id())
        .collect();
    edit_elements(doc, collapsed, |e| {
        for (k, v) in e.attrs.iter_mut() {
            if &*k.local == "class" {
                let shown: Vec<&str> = v
                    .split_ascii_whitespace()
                    .filter(|name| {
                        !class_name_words(name).any(|w| w.eq_ignore_ascii_case("hidden"))
                    })
                    .collect();
                *v = shown.join(" ").into();
            }
        }
    });
}

/// A class naming an accordion's panel (`accordion`, `panel`) and saying it is `hidden`.
fn names_collapsed_accordion_panel(class: &str) -> bool {
    // Asked of every classed element of a page with an accordion: the cheap test first.
    if !contains_ignore_case(class.as_bytes(), b"hidden") {
        return false;
    }
    let words = || {
        class
            .split_ascii_whitespace()
            .filter(|name| describes_role(name))
            .flat_map(class_name_words)
    };
    words().any(|w| w.eq_ignore_ascii_case("hidden"))
        && words().any(|w| w.eq_ignore_ascii_case("accordion") || w.eq_ignore_ascii_case("panel"))
}

/// The alphanumeric words of one class name.
fn class_name_words(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// A header of a few words holding (or being) the button that opens the panel after it.
fn holds_toggle_button(header: ElementRef) -> bool {
    let is_button = |e: &Element| e.name() == "button" || e.get_attr("role") == Some("button");
    header.descendent_elements().any(|d| is_button(d.value()))
        && header.text().map(str::len).sum::<usize>() <= 200
}

/// A heading tag, or an element given the heading role.
fn is_heading_element(e: &Element) -> bool {
    is_heading(e.name()) || e.get_attr("role") == Some("heading")
}

/// The fallback a streamed segment replaces: the siblings after its template up to the
/// boundary's closing `<!--/$-->`, or, where the page was saved without comments, the one
/// short element right after it.
fn fallback_after(doc: &Html, template: NodeId) -> Vec<NodeId> {
    let Some(t) = doc.tree.get(template) else {
        return Vec::new();
    };
    let mut seen = Vec::new();
    for sib in t.next_siblings().take(8) {
        match sib.value() {
            Node::Comment(c) if c.trim() == "/$" => return seen,
            _ => seen.push(sib.id()),
        }
    }
    t.next_siblings()
        .find_map(ElementRef::wrap)
        .filter(|e| e.text().map(str::len).sum::<usize>() <= 60)
        .map(|e| vec![e.id()])
        .unwrap_or_default()
}

/// `S:0`, `S:1a`: the id React gives a streamed segment (a hexadecimal number).
fn is_streamed_segment_id(id: &str) -> bool {
    id.strip_prefix("S:")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_hexdigit()))
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
///
/// A heading's id of three words or more is its anchor, spelled from its own text
/// (`how-popular-are-meditation-apps`, `h-what-is-social-shopping`): those words say what
/// the section is about, not what the element is.
pub(crate) fn class_tokens(e: &Element) -> impl Iterator<Item = &str> {
    let id = e
        .get_attr("id")
        .filter(|id| !(is_heading(e.name()) && is_text_anchor(id)));
    words_of(e.get_attr("class").unwrap_or(""), id.unwrap_or(""))
}

/// Three or more alphabetic words: an id made from a text, not a role name.
fn is_text_anchor(id: &str) -> bool {
    class_name_words(id)
        .filter(|w| w.bytes().all(|b| b.is_ascii_alphabetic()))
        .nth(2)
        .is_some()
}

/// The words of a class and an id attribute value, as [`class_tokens`] reads them.
fn words_of<'a>(class: &'a str, id: &'a str) -> impl Iterator<Item = &'a str> {
    let (class, id) = (attr_head(class), attr_head(id));
    class
        .split_ascii_whitespace()
        .filter(|name| describes_role(name))
        .chain(id.split_ascii_whitespace())
        .flat_map(|name| class_name_words(main_part(name)))
}

/// Whether a class name can say what an element is. Utility classes cannot: variants and
/// arbitrary selectors (`md:hidden`, `[&_figcaption]:mt-2`, which style other elements or
/// apply at one screen width), overflow utilities (`overflow-hidden`) and responsive
/// visibility (`hidden-xs`, `hidden-12t0irv`: hidden at one width, shown at another), and
/// typography utilities (`text-lg`, `text-gray-500`, `text-center`), which say "text" of
/// every heading, caption and button they style.
fn describes_role(name: &str) -> bool {
    let b = name.as_bytes();
    !(b.contains(&b':')
        || b.contains(&b'[')
        || contains_ignore_case(b, b"overflow")
        || starts_with_ignore_case(b, b"hidden-")
        || is_text_utility(name))
}

/// `text-` + a utility value as its last part: a size (`xs` … `9xl`, `base`), a colour or
/// shade (`gray-500`, `black/50`), an alignment. `text-content`, `text-body` still describe.
/// A framework's short prefix may come first (`sk-text-center`, `u-text-left`,
/// `has-text-align-center`).
fn is_text_utility(name: &str) -> bool {
    let name = match name.split_once('-') {
        Some((prefix, rest))
            if (1..=3).contains(&prefix.len())
                && prefix.bytes().all(|c| c.is_ascii_alphabetic())
                && !prefix.eq_ignore_ascii_case("text") =>
        {
            rest
        }
        _ => name,
    };
    let Some(rest) = name
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("text-"))
        .and_then(|_| name.get(5..))
    else {
        return false;
    };
    if rest.contains('/') {
        return true;
    }
    // Lower-cased on the stack: no utility value is longer than 11 bytes.
    let mut buf = [0u8; 12];
    let last = rest.rsplit('-').next().unwrap_or(rest).as_bytes();
    let Some(lower) = buf.get_mut(..last.len()) else {
        return false;
    };
    lower.copy_from_slice(last);
    lower.make_ascii_lowercase();
    let last = std::str::from_utf8(lower).unwrap_or("");
    let size = last
        .strip_suffix("xl")
        .is_some_and(|n| n.bytes().all(|c| c.is_ascii_digit()));
    size || (!last.is_empty() && last.bytes().all(|c| c.is_ascii_digit()))
        || matches!(
            last,
            "xs" | "sm"
                | "md"
                | "lg"
                | "base"
                | "size"
                | "left"
                | "right"
                | "center"
                | "justify"
                | "start"
                | "end"
                | "white"
                | "black"
                | "gray"
                | "grey"
                | "red"
                | "blue"
                | "green"
                | "yellow"
                | "orange"
                | "amber"
                | "lime"
                | "emerald"
                | "teal"
                | "cyan"
                | "sky"
                | "indigo"
                | "violet"
                | "purple"
                | "fuchsia"
                | "pink"
                | "rose"
                | "slate"
                | "zinc"
                | "neutral"
                | "stone"
                | "primary"
                | "secondary"
                | "muted"
                | "dark"
                | "light"
                | "inherit"
                | "current"
                | "transparent"
                | "balance"
                | "wrap"
                | "nowrap"
                | "pretty"
                | "ellipsis"
                | "clip"
        )
}

fn starts_with_ignore_case(hay: &[u8], prefix: &[u8]) -> bool {
    hay.get(..prefix.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

/// The element part of a BEM name: after the last `__`, before the first `--` after it.
/// (Byte scans: a substring searcher per class name costs more than the name is long.)
fn main_part(name: &str) -> &str {
    let b = name.as_bytes();
    let start = b.windows(2).rposition(|w| w == b"__").map_or(0, |p| p + 2);
    let rest = b.get(start..).unwrap_or_default();
    let end = rest
        .windows(2)
        .position(|w| w == b"--")
        .map_or(b.len(), |p| start + p);
    name.get(start..end).unwrap_or_default()
}

/// Which vocabularies the class/id words of an element belong to, found in
/// one pass over the words: every element of every page is asked several
/// such questions.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClassWords(u16);

/// A class and id whose words were read, and what they say.
struct Memo {
    class: Box<str>,
    id: Box<str>,
    heading: bool,
    words: u16,
}

/// Longest class and id (bytes together) remembered: real ones are far shorter, and a
/// hostile page's megabyte-long class is read each time rather than kept.
const MEMO_MAX_NAME_BYTES: usize = 256;

/// Most class/id pairs remembered per thread before the memo starts over.
const MEMO_MAX_ENTRIES: usize = 4096;

thread_local! {
    /// The words of class/id pairs already read, by a hash of the pair: half a page's
    /// elements repeat another's class and id, and several passes ask of every element,
    /// while reading the words is the costliest test of an element. The pair is compared
    /// on a hit, so a collision only costs a miss.
    static CLASS_WORDS_MEMO: RefCell<HashMap<u64, Memo>> = RefCell::new(HashMap::new());
}

impl ClassWords {
    /// Content words: article, body, content, detail…
    pub const POSITIVE: u16 = 1 << 0;
    /// Furniture words: related, share, ads, menu, tags, author…
    pub const NEGATIVE: u16 = 1 << 1;
    /// Visible-date containers.
    pub const DATE: u16 = 1 << 2;
    /// Author lines.
    pub const AUTHOR: u16 = 1 << 3;
    /// Lead/sapo/summary containers.
    pub const LEAD: u16 = 1 << 4;
    /// Half of an image-description class (`image_desc`).
    pub const DESC: u16 = 1 << 5;
    /// The other half of it.
    pub const IMAGE: u16 = 1 << 6;
    /// A word containing "caption" (`wp-caption-text`, `imgCaption`).
    pub const CAPTION: u16 = 1 << 7;
    /// The name part of an author box (`author__name`, `byline-name`), beside its job title,
    /// bio or date.
    pub const NAME: u16 = 1 << 8;
    /// Furniture words that some sites also give a part of the article (`meta`, `more`,
    /// `topic`): they weigh against a candidate as the others do, but an element inside the
    /// content named by them alone is skipped only when it holds no prose.
    pub const WEAK_NEGATIVE: u16 = 1 << 9;
    /// A card shown while the pointer rests on a word (`tooltip`, `popover`, `hovercard`,
    /// `rollover`): a glossary's definition or a person's latest stories, set inside the
    /// sentence that names them.
    pub const TOOLTIP: u16 = 1 << 10;
    /// A furniture word glued into a longer class or id (`tinlienquan`, `box_xemthem`):
    /// read from the raw value, not from its words.
    const GLUED_NEGATIVE: u16 = 1 << 11;

    /// Classifies the words of `e`'s class and id.
    ///
    /// On a heading, `header` and the words naming an ad (`ad`, `ads`, `adv`) are dropped:
    /// a heading is a header (`et_pb_module_header`, a page builder's section title), and
    /// no ad is set as one, while page builders abbreviate "advanced" (`kt-adv-heading`).
    pub fn of(e: &Element) -> Self {
        let (class, id) = (
            e.get_attr("class").unwrap_or(""),
            e.get_attr("id").unwrap_or(""),
        );
        if class.is_empty() && id.is_empty() {
            return Self(0);
        }
        let heading = is_heading(e.name());
        let read = || {
            let glued = has_glued_negative(class, id).then_some(Self::GLUED_NEGATIVE);
            class_tokens(e)
                .filter(|t| !(heading && is_heading_neutral(t)))
                .fold(glued.unwrap_or(0), |acc, t| acc | Self::word(t))
        };
        if class.len() + id.len() > MEMO_MAX_NAME_BYTES {
            return Self(read());
        }
        let mut h = std::hash::DefaultHasher::new();
        (class, id, heading).hash(&mut h);
        let key = h.finish();
        let known = CLASS_WORDS_MEMO.with_borrow(|memo| {
            memo.get(&key)
                .filter(|m| m.heading == heading && *m.class == *class && *m.id == *id)
                .map(|m| m.words)
        });
        if let Some(words) = known {
            return Self(words);
        }
        let words = read();
        CLASS_WORDS_MEMO.with_borrow_mut(|memo| {
            if memo.len() >= MEMO_MAX_ENTRIES {
                memo.clear();
            }
            memo.insert(
                key,
                Memo {
                    class: class.into(),
                    id: id.into(),
                    heading,
                    words,
                },
            );
        });
        Self(words)
    }

    /// Whether some word is in vocabulary `set` (one of the constants).
    pub fn has(self, set: u16) -> bool {
        self.0 & set != 0
    }

    /// Whether a raw class or id value (before parsing) names a lead or an author: the signs
    /// of an article's own header.
    pub fn lead_or_author(class: &str, id: &str) -> bool {
        words_of(class, id).any(|t| Self::vocabulary(t) & (Self::LEAD | Self::AUTHOR) != 0)
    }

    fn word(tok: &str) -> u16 {
        let caption = if contains_ignore_case(tok.as_bytes(), b"caption") {
            Self::CAPTION
        } else {
            0
        };
        caption | Self::vocabulary(tok)
    }

    /// The vocabularies `tok` is a word of (all but [`Self::CAPTION`], a substring test).
    fn vocabulary(tok: &str) -> u16 {
        // No vocabulary word is longer than 13 bytes.
        let mut buf = [0u8; 13];
        let Some(lower) = buf.get_mut(..tok.len()) else {
            return 0;
        };
        lower.copy_from_slice(tok.as_bytes());
        lower.make_ascii_lowercase();
        match &*lower {
            b"abstract" | b"chapeau" | b"deck" | b"dek" | b"excerpt" | b"intro" | b"lead"
            | b"lede" | b"sapo" | b"standfirst" | b"subtitle" | b"summary" | b"tomtat" => {
                Self::LEAD
            }
            // Not `widget`: page builders (Elementor) wrap every block of an article in
            // `elementor-widget-container`; sidebars are told by `sidebar`, `aside` and links.
            b"ad" | b"ads" | b"adv" | b"advert" | b"advertisement" | b"banner" | b"breadcrumb"
            | b"breadcrumbs" | b"combx" | b"comment" | b"comments" | b"cookie" | b"copyright"
            | b"disqus" | b"docthem" | b"follow" | b"footer" | b"gdpr" | b"hidden" | b"keyword"
            | b"keywords" | b"lienquan" | b"login" | b"masthead" | b"menu" | b"modal" | b"nav"
            | b"navigation" | b"newsletter" | b"outbrain" | b"pager" | b"pagination" | b"popup"
            | b"print" | b"promo" | b"readmore" | b"recommend" | b"recommended" | b"relate"
            | b"related" | b"share" | b"sharing" | b"shoutbox" | b"sidebar" | b"signup"
            | b"skyscraper" | b"social" | b"sponsor" | b"sponsored" | b"subscribe" | b"taboola"
            | b"testimonial" | b"testimonials" | b"timeline" | b"tinkhac" | b"toolbar"
            | b"trending" | b"vote" | b"xemthem" => Self::NEGATIVE,
            // Words that name furniture on most sites but a part of the article on some
            // (`post-meta` around the whole entry, `more` sections, `topic` blocks).
            b"header" | b"hot" | b"meta" | b"more" | b"popular" | b"rating" | b"tag" | b"tags"
            | b"tool" | b"tools" | b"topic" | b"topics" => Self::WEAK_NEGATIVE,
            b"article" | b"articlebody" | b"blog" | b"body" | b"cms" | b"content" | b"detail"
            | b"entry" | b"fck" | b"hentry" | b"main" | b"post" | b"prose" | b"richtext"
            | b"story" | b"text" => Self::POSITIVE,
            b"author" | b"byline" => Self::NEGATIVE | Self::AUTHOR,
            // `blog__authorname`: the two words glued.
            b"authorname" => Self::NEGATIVE | Self::AUTHOR | Self::NAME,
            b"name" => Self::NAME,
            b"date" | b"datetime" | b"pubdate" | b"publish" | b"published" | b"time" => Self::DATE,
            b"des" | b"desc" => Self::DESC,
            b"description" => Self::LEAD | Self::DESC,
            b"image" | b"img" | b"photo" | b"pic" => Self::IMAGE,
            b"tacgia" => Self::AUTHOR,
            b"tooltip" | b"tooltips" | b"popover" | b"hovercard" | b"rollover" => Self::TOOLTIP,
            _ => 0,
        }
    }
}

/// `header`, and `ad`, `ads`, `adv` (the short names of an ad slot): words that say nothing
/// of a heading.
fn is_heading_neutral(tok: &str) -> bool {
    ["header", "ad", "ads", "adv"]
        .iter()
        .any(|w| tok.eq_ignore_ascii_case(w))
}

/// ASCII case-insensitive substring test without allocating.
pub(crate) fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Substrings of the raw class/id that mark Vietnamese related boxes even
/// when not split into words (`tinlienquan`, `box_xemthem`).
const NEGATIVE_SUBSTR: &[&str] = &["lienquan", "xemthem", "docthem", "tinkhac", "relate"];

/// Readability-style class weight: +25 for content words, -25 for furniture.
pub(crate) fn class_weight(e: &Element) -> f64 {
    let words = ClassWords::of(e);
    let mut w = 0.0;
    if words.has(ClassWords::POSITIVE) {
        w += 25.0;
    }
    if is_negative(words) {
        w -= 25.0;
    }
    w
}

fn is_negative(words: ClassWords) -> bool {
    words.has(ClassWords::NEGATIVE | ClassWords::WEAK_NEGATIVE | ClassWords::GLUED_NEGATIVE)
}

/// Furniture words no article part is named by, or a furniture word glued into a longer
/// name (`tinlienquan`, `box_xemthem`).
fn is_strong_negative(words: ClassWords) -> bool {
    words.has(ClassWords::NEGATIVE | ClassWords::GLUED_NEGATIVE)
}

/// Whether a raw class or id value holds a furniture word glued into a longer name.
fn has_glued_negative(class: &str, id: &str) -> bool {
    [attr_head(class), attr_head(id)]
        .iter()
        .any(|v| holds_any_ignore_case(v.as_bytes(), NEGATIVE_SUBSTR))
}

/// Whether `hay` holds one of `needles` (lower-case ASCII), ASCII case ignored, in one pass
/// that compares only where a needle's first letter stands: asked of every new class of
/// every page, where a search per needle read each value five times.
fn holds_any_ignore_case(hay: &[u8], needles: &[&str]) -> bool {
    hay.iter().enumerate().any(|(i, c)| {
        let c = c.to_ascii_lowercase();
        needles.iter().any(|n| {
            let n = n.as_bytes();
            n.first() == Some(&c)
                && hay
                    .get(i..i + n.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(n))
        })
    })
}

/// Furniture by class/id: negative words and no content word.
pub(crate) fn is_boilerplate_class(e: &Element) -> bool {
    let words = ClassWords::of(e);
    (is_negative(words) && !words.has(ClassWords::POSITIVE)) || names_comment_part(e)
}

/// A class or id naming a part of a reader's comment (`comments-body`, `comment-content`,
/// `commentText`): the content word there says what of the comment it is.
fn names_comment_part(e: &Element) -> bool {
    let (class, id) = (
        attr_head(e.get_attr("class").unwrap_or("")),
        attr_head(e.get_attr("id").unwrap_or("")),
    );
    class
        .split_ascii_whitespace()
        .chain(id.split_ascii_whitespace())
        .any(|name| {
            let b = name.as_bytes();
            // Named for the comment first: `content-with-comments` wraps the article too.
            starts_with_ignore_case(b, b"comment")
                // `commentary` is an article.
                && !starts_with_ignore_case(b, b"commentar")
                && [b"body".as_slice(), b"content", b"text"]
                    .iter()
                    .any(|w| contains_ignore_case(b, w))
        })
}

/// Furniture by class/id only through words some sites also give a part of the article
/// (`post-meta`, `more-content`): such an element holding prose is kept.
pub(crate) fn is_weak_boilerplate_class(e: &Element) -> bool {
    let words = ClassWords::of(e);
    words.has(ClassWords::WEAK_NEGATIVE)
        && !words.has(ClassWords::POSITIVE)
        && !is_strong_negative(words)
}

/// Whether `e` is a hover card by its role or name (`role="tooltip"`, `term-tooltip-…`,
/// `rollover-people-block`).
pub(crate) fn is_tooltip(e: &Element) -> bool {
    e.get_attr("role") == Some("tooltip") || ClassWords::of(e).has(ClassWords::TOOLTIP)
}

/// Caption containers by class (`caption`, `wp-caption-text`, `image_desc`).
pub(crate) fn is_caption_class(e: &Element) -> bool {
    let words = ClassWords::of(e);
    words.has(ClassWords::CAPTION) || (words.has(ClassWords::DESC) && words.has(ClassWords::IMAGE))
}

/// Number of whitespace-separated words.
pub(crate) fn count_words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Plain text of an element with block boundaries turned into spaces,
/// scripts and styles skipped; used for titles, leads and captions.
pub fn element_text(el: ElementRef<'_>) -> String {
    short_text(el, usize::MAX).unwrap_or_default()
}

/// [`element_text`] of an element whose text is short: `None` as soon as it has more than
/// `max_raw` bytes of characters other than spaces, the rest unread. A class naming a date
/// or an author is also worn by wrappers of the whole article, whose text is no date line
/// and cost more to read than the rest of the page's metadata.
pub(crate) fn short_text(el: ElementRef<'_>, max_raw: usize) -> Option<String> {
    let mut buf = String::new();
    let mut raw = 0usize;
    let mut skip: Option<NodeId> = None;
    for edge in el.traverse() {
        match edge {
            Edge::Open(node) => {
                if skip.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => {
                        if max_raw != usize::MAX {
                            raw += t.bytes().filter(|b| !b.is_ascii_whitespace()).count();
                            if raw > max_raw {
                                return None;
                            }
                        }
                        buf.push_str(t);
                    }
                    Node::Element(e) => {
                        let name = e.name();
                        if is_non_content(name) {
                            skip = Some(node.id());
                        } else if is_block(name) || name == "br" || name == "td" {
                            buf.push(' ');
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skip == Some(node.id()) {
                    skip = None;
                } else if skip.is_none()
                    && let Node::Element(e) = node.value()
                    && is_block(e.name())
                {
                    buf.push(' ');
                }
            }
        }
    }
    Some(clean(&buf))
}

#[cfg(test)]
mod tests {
    use super::{ClassWords, element_text, main_part, short_text};
    use scraper::{ElementRef, Html, Selector};

    #[test]
    fn a_short_read_stops_at_a_long_text_and_counts_no_spaces() {
        let html = Html::parse_fragment(
            "<div class=a>  Posted   <b>March 9, 2026</b>\n\n\n          </div>\
             <div class=b><p>One two three four five six.</p><p>Seven eight nine.</p></div>",
        );
        let pick = |sel: &str| -> ElementRef<'_> {
            let sel = Selector::parse(sel).unwrap();
            html.select(&sel).next().unwrap()
        };
        // Spaces do not count: 17 characters, however the markup is indented.
        assert_eq!(
            short_text(pick(".a"), 17).as_deref(),
            Some("Posted March 9, 2026")
        );
        assert_eq!(short_text(pick(".a"), 16), None);
        let b = pick(".b");
        assert_eq!(short_text(b, 10), None);
        assert_eq!(short_text(b, 1000), Some(element_text(b)));
    }

    #[test]
    fn a_furniture_word_glued_into_a_class_marks_furniture() {
        let doc = Html::parse_fragment(
            "<div class=\"boxtinlienquan\"></div><div id=\"BoxXemThem2\"></div><div class=\"lien\"></div>",
        );
        let sel = Selector::parse("div").unwrap();
        let found: Vec<bool> = doc
            .select(&sel)
            .map(|d| super::is_boilerplate_class(d.value()))
            .collect();
        assert_eq!(found, [true, true, false]);
    }

    #[test]
    fn a_heading_and_a_div_sharing_a_class_are_read_apart() {
        // The words are remembered by class and id: the heading's own reading (where
        // `header` names nothing) must not be served to the div, nor the div's to it.
        let doc = Html::parse_fragment(
            "<div class=\"module-header\"></div><h2 class=\"module-header\">T</h2>",
        );
        let words = |sel: &str| {
            let sel = Selector::parse(sel).unwrap();
            ClassWords::of(doc.select(&sel).next().unwrap().value())
        };
        for _ in 0..2 {
            assert!(words("div").has(ClassWords::WEAK_NEGATIVE));
            assert!(!words("h2").has(ClassWords::WEAK_NEGATIVE));
        }
    }

    #[test]
    fn bem_names_read_as_their_element_part() {
        for (name, part) in [
            ("article__author", "author"),
            ("block__el--mod", "el"),
            ("a__b__c--x--y", "c"),
            ("plain", "plain"),
            ("mod--only", "mod"),
            ("trailing__", ""),
            ("đặc__biệt", "biệt"),
        ] {
            assert_eq!(main_part(name), part, "{name}");
        }
    }
}
