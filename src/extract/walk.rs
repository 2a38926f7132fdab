//! The body walk: a body's subtrees in document order, turned into blocks (paragraphs and
//! subheads with the link, bold and alignment figures the filters need), captions and images.
//! String rules (cleaning, folding, counting) stay in `text`; this file owns only the walk.

use std::collections::HashSet;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Node};
use url::Url;

use super::Image;
use super::dom::{self, AttrExt, DomStats, element_text};
use super::generic;
use super::images;
use super::text::{clean, count_chars};

/// Whether a block is an ordinary paragraph or a subhead; kept so callers
/// can tell headings apart (e.g. to drop a repeated title).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    Paragraph,
    Heading,
}

/// One body block with the figures the filters need (link and bold share,
/// alignment) to recognise related-links lines and author lines.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub text: String,
    pub kind: BlockKind,
    pub chars: usize,
    pub link_chars: usize,
    /// Of those, characters in links to other sites.
    pub away_link_chars: usize,
    /// Words written outside links: a sentence citing its sources in links ("This hotel
    /// features in my lists of the best hotels in Bangkok and …") has many, a related link
    /// behind its label ("Read more: …") two.
    pub unlinked_words: usize,
    /// Words in the block's longest link: a sentence links phrases, a related box or a
    /// hover card headlines.
    pub longest_link_words: usize,
    pub bold_chars: usize,
    pub right_aligned: bool,
    /// Whether the block is a list item: a short linked item of a checklist is text, a
    /// lone link elsewhere a related link.
    pub in_list: bool,
    /// Whether the block is an item of a list cited after a lead-in sentence ("Many patches
    /// were sent for review:"): the article's own list, however linked its items.
    pub after_lead_in: bool,
}

impl Block {
    /// Share of the block's characters inside links.
    pub fn link_density(&self) -> f64 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f64 / self.chars as f64
        }
    }
}

/// What a walk produces: blocks in order, captions (deduplicated) and images.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    pub blocks: Vec<Block>,
    pub captions: Vec<String>,
    pub images: Vec<Image>,
}

impl Walk {
    /// Adds a caption unless an equal one (after folding) is already there:
    /// alt text and figcaption of one image, or the same photo twice, must
    /// give one caption.
    pub fn push_caption(&mut self, caption: &str) {
        let c = clean(caption);
        if c.is_empty() {
            return;
        }
        let f = c.to_lowercase();
        if !self.captions.iter().any(|x| x.to_lowercase() == f) {
            self.captions.push(c);
        }
    }
}

/// Inputs of a walk: which nodes to drop, which are captions, the base URL
/// for image sources and the precomputed DOM figures.
pub(crate) struct WalkCfg<'a> {
    pub skip: &'a HashSet<NodeId>,
    pub captions: &'a HashSet<NodeId>,
    pub base: &'a Url,
    pub stats: &'a DomStats,
    /// Generic mode also skips `aside`/`nav`/`form` furniture tags.
    pub generic: bool,
}

/// What an open `<a>` is to the text inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// A heading's link to its own anchor: not link text.
    Anchor,
    /// A link within the site.
    Own,
    /// A link to another site.
    Away,
}

#[derive(Default)]
struct Walker {
    out: Walk,
    buf: String,
    chars: usize,
    link_chars: usize,
    unlinked_words: usize,
    /// Words of the link open now, and of the longest link so far.
    link_words: usize,
    longest_link_words: usize,
    bold_chars: usize,
    link_depth: usize,
    bold_depth: usize,
    heading_depth: usize,
    list_depth: usize,
    /// One entry per open `a`.
    links: Vec<Link>,
    /// Open links leading to another site.
    away_depth: usize,
    away_chars: usize,
    /// One entry per open `ul`/`ol`: whether it is cited after a lead-in sentence.
    lists: Vec<bool>,
    align_stack: Vec<bool>,
}

/// Walks `roots` in order and returns their body blocks, captions and images.
pub(crate) fn walk(roots: &[ElementRef<'_>], cfg: &WalkCfg<'_>) -> Walk {
    let mut w = Walker::default();
    for root in roots {
        w.run(*root, cfg);
        w.flush();
    }
    w.out
}

impl Walker {
    fn run(&mut self, root: ElementRef<'_>, cfg: &WalkCfg<'_>) {
        let mut skip: Option<NodeId> = None;
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) => {
                    if skip.is_some() {
                        continue;
                    }
                    match node.value() {
                        Node::Text(t) => self.text(t),
                        Node::Element(_) => {
                            let Some(el) = ElementRef::wrap(node) else {
                                continue;
                            };
                            if self.open(el, root, cfg) {
                                skip = Some(node.id());
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
                    if let Node::Element(e) = node.value() {
                        self.close(e.name());
                    }
                }
            }
        }
    }

    fn text(&mut self, t: &str) {
        let n = count_chars(t);
        self.buf.push_str(t);
        self.chars += n;
        let words = t
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .count();
        if self.link_depth > 0 {
            self.link_chars += n;
            self.link_words += words;
            self.longest_link_words = self.longest_link_words.max(self.link_words);
        } else {
            self.unlinked_words += words;
        }
        if self.away_depth > 0 {
            self.away_chars += n;
        }
        if self.bold_depth > 0 {
            self.bold_chars += n;
        }
    }

    /// Handles an opening tag; returns true when its subtree must be skipped.
    fn open(&mut self, el: ElementRef<'_>, root: ElementRef<'_>, cfg: &WalkCfg<'_>) -> bool {
        let e = el.value();
        let name = e.name();
        let is_root = el.id() == root.id();
        if !is_root {
            if cfg.skip.contains(&el.id())
                || dom::is_non_content(name)
                || dom::is_hidden(e)
                || (cfg.generic
                    && dom::is_furniture_tag(name)
                    && !holds_most_of(el, root, cfg.stats))
            {
                return true;
            }
            if images::is_image_figure(el, cfg.stats) || images::is_image_table(el, cfg.stats) {
                self.flush();
                let position = self.out.blocks.len();
                let caption = images::figure_caption(el);
                if let Some(c) = &caption {
                    self.out.push_caption(c);
                }
                images::collect_imgs(el, cfg.base, caption, position, &mut self.out.images);
                return true;
            }
            if cfg.captions.contains(&el.id()) || name == "figcaption" || dom::is_caption_class(e) {
                self.flush();
                let position = self.out.blocks.len();
                let cap = element_text(el);
                self.out.push_caption(&cap);
                images::collect_imgs(el, cfg.base, None, position, &mut self.out.images);
                return true;
            }
        }
        match name {
            "img" => {
                let position = self.out.blocks.len();
                images::collect_imgs(el, cfg.base, None, position, &mut self.out.images);
            }
            "br" | "hr" => self.flush(),
            "a" => {
                let link = match e.get_attr("href") {
                    // A placeholder (an accordion's title, a script's button): no link.
                    None => Link::Anchor,
                    // A heading linking to itself (`<h3><a href="#benefits">`, or
                    // `<a href="#benefits"><h2>`) is a subhead, not a related link. (The URL
                    // join is asked last: pages hold thousands of links.)
                    Some(h)
                        if (self.heading_depth > 0 || holds_heading(el))
                            && generic::is_same_page(h, cfg.base) =>
                    {
                        Link::Anchor
                    }
                    Some(h) if generic::leads_off_site(h, cfg.base) => Link::Away,
                    Some(_) => Link::Own,
                };
                if link != Link::Anchor {
                    if self.link_depth == 0 {
                        self.link_words = 0;
                    }
                    self.link_depth += 1;
                }
                if link == Link::Away {
                    self.away_depth += 1;
                }
                self.links.push(link);
            }
            "b" | "strong" => self.bold_depth += 1,
            "td" | "th" => self.buf.push(' '),
            _ => {}
        }
        if dom::is_block(name) {
            self.flush();
            // After the flush: the text before a nested list is its parent item's.
            if matches!(name, "ul" | "ol") {
                self.lists
                    .push(cfg.generic && generic::is_cited_list(el, cfg.stats, cfg.base));
            }
            if name == "li" {
                self.list_depth += 1;
            }
            self.align_stack.push(dom::is_right_aligned(e));
            if dom::is_heading(name) {
                self.heading_depth += 1;
            }
        }
        false
    }

    fn close(&mut self, name: &str) {
        match name {
            "a" => match self.links.pop() {
                Some(Link::Own) => self.link_depth = self.link_depth.saturating_sub(1),
                Some(Link::Away) => {
                    self.link_depth = self.link_depth.saturating_sub(1);
                    self.away_depth = self.away_depth.saturating_sub(1);
                }
                Some(Link::Anchor) | None => {}
            },
            "b" | "strong" => self.bold_depth = self.bold_depth.saturating_sub(1),
            "td" | "th" => self.buf.push(' '),
            _ => {}
        }
        if dom::is_block(name) {
            self.flush();
            if matches!(name, "ul" | "ol") {
                self.lists.pop();
            }
            if name == "li" {
                self.list_depth = self.list_depth.saturating_sub(1);
            }
            self.align_stack.pop();
            if dom::is_heading(name) {
                self.heading_depth = self.heading_depth.saturating_sub(1);
            }
        }
    }

    fn flush(&mut self) {
        if !self.buf.is_empty() {
            let text = clean(&self.buf);
            if !text.is_empty() {
                self.out.blocks.push(Block {
                    text,
                    kind: if self.heading_depth > 0 {
                        BlockKind::Heading
                    } else {
                        BlockKind::Paragraph
                    },
                    chars: self.chars,
                    link_chars: self.link_chars,
                    away_link_chars: self.away_chars,
                    unlinked_words: self.unlinked_words,
                    longest_link_words: self.longest_link_words,
                    bold_chars: self.bold_chars,
                    right_aligned: self.align_stack.iter().any(|a| *a),
                    in_list: self.list_depth > 0,
                    after_lead_in: self.list_depth > 0 && self.lists.last() == Some(&true),
                });
            }
        }
        self.buf.clear();
        self.chars = 0;
        self.link_chars = 0;
        self.unlinked_words = 0;
        self.link_words = 0;
        self.longest_link_words = 0;
        self.away_chars = 0;
        self.bold_chars = 0;
    }
}

/// Whether `el` holds more than half of `root`'s text: a `<header>` or `<aside>` wrapping the
/// article itself (site builders put whole pages in `header.section_…`) is not furniture.
fn holds_most_of(el: ElementRef<'_>, root: ElementRef<'_>, stats: &DomStats) -> bool {
    stats.get(el.id()).text * 2 > stats.get(root.id()).text
}

/// Whether a heading is inside `el` (a link wrapped around a subhead).
fn holds_heading(el: ElementRef<'_>) -> bool {
    el.descendent_elements()
        .skip(1)
        .any(|d| dom::is_heading(d.value().name()))
}
