//! Text normalisation and the block walker.
//!
//! Every string that leaves the extractor goes through [`clean`], so that
//! NFD pages, numeric character references (already decoded by the parser),
//! non-breaking spaces and zero-width characters all end up as the same
//! NFC, single-spaced text. The walker turns a subtree into ordered blocks
//! (paragraphs and subheads) while routing figures and captions to the
//! image collector, in one non-recursive pass.

use std::collections::HashSet;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Node};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
use url::Url;

use super::Image;
use super::dom::{self, DomStats};
use super::images;

/// Collapses every run of whitespace (NBSP included) to one space, trims,
/// drops zero-width characters and returns NFC text, because the farm and
/// real Vietnamese sites mix NFD and NFC and stored text must compare equal.
pub fn clean(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    // Kept characters are copied a run at a time; the scan is over bytes, as
    // every text node of the article goes through here.
    let mut run: Option<usize> = None;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let len = utf8_len(c);
        let ch = b.get(i..i + len).unwrap_or_default();
        let space = is_space(ch);
        // Zero-width space/joiner, BOM, soft hyphen, word joiner.
        let invisible = !space
            && matches!(
                ch,
                [0xE2, 0x80, 0x8B | 0x8D] | [0xEF, 0xBB, 0xBF] | [0xC2, 0xAD] | [0xE2, 0x81, 0xA0]
            );
        if space || invisible {
            if let Some(start) = run.take() {
                out.push_str(s.get(start..i).unwrap_or_default());
            }
            pending_space |= space;
        } else if run.is_none() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            run = Some(i);
        }
        i += len;
    }
    if let Some(start) = run {
        out.push_str(s.get(start..).unwrap_or_default());
    }
    if surely_nfc(&out) {
        return out;
    }
    // The quick check settles almost all the rest without the much slower
    // full normalisation.
    match is_nfc_quick(out.chars()) {
        IsNormalized::Yes => out,
        _ => out.nfc().collect(),
    }
}

/// Length of the UTF-8 sequence starting with byte `c` (1 for a stray
/// continuation byte, which valid `str` never has at a char start).
fn utf8_len(c: u8) -> usize {
    match c {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

/// Whether the UTF-8 sequence `ch` is a `char::is_whitespace` character:
/// ASCII \t \n \v \f \r and space, U+0085, U+00A0, U+1680, U+2000..U+200A,
/// U+2028, U+2029, U+202F, U+205F, U+3000.
fn is_space(ch: &[u8]) -> bool {
    matches!(
        ch,
        [b'\t'..=b'\r' | b' ']
            | [0xC2, 0x85 | 0xA0]
            | [0xE1, 0x9A, 0x80]
            | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF]
            | [0xE2, 0x81, 0x9F]
            | [0xE3, 0x80, 0x80]
    )
}

/// True when every character is below U+0300 or in U+1E00..U+1EFF (Latin
/// Extended Additional, where precomposed Vietnamese letters live): such
/// characters are all NFC and never combine, so the text is NFC as it is.
/// A byte test, much cheaper than the per-character quick check.
fn surely_nfc(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            // ASCII, continuation bytes, and lead bytes of U+0080..U+02FF.
            ..0xCC => i += 1,
            0xE1 if matches!(b.get(i + 1), Some(0xB8..=0xBB)) => i += 3,
            _ => return false,
        }
    }
    true
}

/// Lower-cased, cleaned form used to compare strings (title vs og:title,
/// lead vs first paragraph, caption dedup) independent of case and spacing.
pub fn fold(s: &str) -> String {
    clean(s).to_lowercase()
}

/// Number of non-whitespace characters; the unit for every density figure,
/// so that indentation in the source does not count as text.
pub fn count_chars(s: &str) -> usize {
    count_chars_commas(s).0
}

/// Non-whitespace characters and commas (`,` `،` `，`) of `s` in one pass
/// over the bytes: every text node of every page goes through here, and
/// decoding each char to ask `char::is_whitespace` costs several times more.
pub fn count_chars_commas(s: &str) -> (usize, usize) {
    let b = s.as_bytes();
    let (mut chars, mut commas) = (0usize, 0usize);
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c < 0x80 {
            // The common case, kept apart: it is most of any text and three times faster so.
            chars += usize::from(!is_space(&[c]));
            commas += usize::from(c == b',');
            i += 1;
            continue;
        }
        let len = utf8_len(c);
        let ch = b.get(i..i + len).unwrap_or_default();
        chars += usize::from(!is_space(ch));
        commas += usize::from(matches!(ch, [0xD8, 0x8C] | [0xEF, 0xBC, 0x8C]));
        i += len;
    }
    (chars, commas)
}

/// Plain text of an element with block boundaries turned into spaces,
/// scripts and styles skipped; used for titles, leads and captions.
pub fn element_text(el: ElementRef<'_>) -> String {
    let mut buf = String::new();
    let mut skip: Option<NodeId> = None;
    for edge in el.traverse() {
        match edge {
            Edge::Open(node) => {
                if skip.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => buf.push_str(t),
                    Node::Element(e) => {
                        let name = e.name();
                        if dom::is_non_content(name) {
                            skip = Some(node.id());
                        } else if dom::is_block(name) || name == "br" || name == "td" {
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
                    && dom::is_block(e.name())
                {
                    buf.push(' ');
                }
            }
        }
    }
    clean(&buf)
}

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
    pub bold_chars: usize,
    pub right_aligned: bool,
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

#[derive(Default)]
struct Walker {
    out: Walk,
    buf: String,
    chars: usize,
    link_chars: usize,
    bold_chars: usize,
    link_depth: usize,
    bold_depth: usize,
    heading_depth: usize,
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
        if self.link_depth > 0 {
            self.link_chars += n;
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
                || (cfg.generic && dom::is_furniture_tag(name))
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
            "a" => self.link_depth += 1,
            "b" | "strong" => self.bold_depth += 1,
            "td" | "th" => self.buf.push(' '),
            _ => {}
        }
        if dom::is_block(name) {
            self.flush();
            self.align_stack.push(dom::is_right_aligned(e));
            if dom::is_heading(name) {
                self.heading_depth += 1;
            }
        }
        false
    }

    fn close(&mut self, name: &str) {
        match name {
            "a" => self.link_depth = self.link_depth.saturating_sub(1),
            "b" | "strong" => self.bold_depth = self.bold_depth.saturating_sub(1),
            "td" | "th" => self.buf.push(' '),
            _ => {}
        }
        if dom::is_block(name) {
            self.flush();
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
                    bold_chars: self.bold_chars,
                    right_aligned: self.align_stack.iter().any(|a| *a),
                });
            }
        }
        self.buf.clear();
        self.chars = 0;
        self.link_chars = 0;
        self.bold_chars = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_collapses_nbsp_and_zero_width() {
        assert_eq!(clean("  a\u{00A0}\u{00A0}b\u{200B}c \n d "), "a bc d");
    }

    #[test]
    fn clean_makes_nfc() {
        let nfd = "Ho\u{0300}a";
        assert_eq!(clean(nfd), "Hòa");
    }

    /// The byte-level count must agree with the char-level definition on
    /// any text, Unicode whitespace and multi-byte commas included.
    fn naive(s: &str) -> (usize, usize) {
        (
            s.chars().filter(|c| !c.is_whitespace()).count(),
            s.chars().filter(|c| matches!(c, ',' | '،' | '，')).count(),
        )
    }

    #[test]
    fn counts_every_unicode_space() {
        let spaces: String = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        let s = format!("a,{spaces}b،c，đ\u{1F600}");
        assert_eq!(count_chars_commas(&s), naive(&s));
        assert_eq!(count_chars_commas(&s), (8, 3));
    }

    proptest::proptest! {
        #[test]
        fn byte_count_matches_char_count(s in "(\\PC|\\s|[,،，\u{2000}-\u{200B}\u{3000}])*") {
            proptest::prop_assert_eq!(count_chars_commas(&s), naive(&s));
        }
    }

    #[test]
    fn fast_nfc_ranges_hold_only_plain_nfc_characters() {
        use unicode_normalization::char::canonical_combining_class;
        let ranges = [0..0x300u32, 0x1E00..0x1F00];
        for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            assert!(surely_nfc(c.encode_utf8(&mut [0; 4])), "{c:?}");
        }
        assert!(!surely_nfc("Ho\u{0300}a"));
        assert!(!surely_nfc("\u{1F00}"));
        assert!(surely_nfc("Thi hành án dân sự, Đặng Thủy"));
    }

    proptest::proptest! {
        #[test]
        fn clean_matches_char_by_char(s in "(\\PC|\\s|[\u{200B}\u{200D}\u{FEFF}\u{00AD}\u{2060}\u{0300}-\u{0323}])*") {
            let mut slow = String::new();
            let mut pending = false;
            for c in s.chars() {
                if c.is_whitespace() {
                    pending = true;
                    continue;
                }
                if matches!(c, '\u{200B}' | '\u{200D}' | '\u{FEFF}' | '\u{00AD}' | '\u{2060}') {
                    continue;
                }
                if pending && !slow.is_empty() {
                    slow.push(' ');
                }
                pending = false;
                slow.push(c);
            }
            let slow: String = slow.nfc().collect();
            proptest::prop_assert_eq!(clean(&s), slow);
        }
    }
}
