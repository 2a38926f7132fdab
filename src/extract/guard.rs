//! Cheap pre-parse check of the markup's shape.
//!
//! The HTML parser checks "is X in scope" by walking its stack of open
//! elements, so its cost grows with nesting depth times tag count: a page of
//! 20,000 nested `<div>`s takes most of a second, and a page nested a
//! thousand deep with a lot of content takes longer still. The DOM also
//! costs a few hundred bytes per node, so millions of tiny elements exhaust
//! memory. One linear scan over the bytes estimates both figures so that
//! such pages are refused before parsing.
//!
//! The same scan finds the page chrome: `<header>`, `<nav>` and `<footer>`
//! landmarks that sit outside any `<article>` or `<main>` and hold no
//! headline, article, `<time>`, microdata, JSON-LD or lead/author class. On news sites that is the mega menu
//! and the site footer, often most of a page's elements (70% of the parse
//! time on the PLVN-style farm), and never article text, so it is cut before
//! parsing. A landmark with any such sign, or one left unclosed, is kept.
//!
//! It also finds the text of every `<script>` and `<style>`: on average a quarter of a real
//! page's bytes (inline bundles, hydration state, CSS), tokenized by the parser a character
//! at a time, never shown and never read but for JSON-LD, which is kept; and the content of
//! every inline `<svg>` (icon paths, 8% of what is left), unless it holds HTML.

use std::ops::Range;

use super::dom::{ClassWords, contains_ignore_case};

/// Deepest nesting accepted. Real pages stay well below 200.
pub(crate) const MAX_DEPTH: usize = 1_000;

/// Most start tags accepted: keeps one page near 100 MB and 0.5 s
/// (real article pages have a few thousand).
pub(crate) const MAX_TAGS: usize = 150_000;

/// Largest accepted product of depth and tag count: the parser's scope
/// checks cost about that many steps (5·10⁷ is about 0.2 s).
pub(crate) const MAX_DEPTH_X_TAGS: usize = 50_000_000;

/// What the scan found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Estimated deepest nesting of elements.
    pub max_depth: usize,
    /// Number of start tags.
    pub tags: usize,
    /// Byte ranges of page chrome (whole elements, in order) to cut.
    pub chrome: Vec<Range<usize>>,
    /// Byte ranges of script and style text and of inline drawings' content (in order, the
    /// tags kept): never shown as text and, but for JSON-LD, never read, yet a third of a
    /// real page's bytes on average, which the parser otherwise tokenizes character by
    /// character.
    pub code: Vec<Range<usize>>,
}

/// A chrome candidate being scanned: which landmark, where it starts, how
/// deep it nests in itself, and whether something in it must be kept.
struct Candidate<'a> {
    name: &'a [u8],
    start: usize,
    depth: usize,
    keep: bool,
}

fn is_landmark(name: &[u8]) -> bool {
    [b"header".as_slice(), b"nav", b"footer"]
        .iter()
        .any(|l| name.eq_ignore_ascii_case(l))
}

fn is_container(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"article") || name.eq_ignore_ascii_case(b"main")
}

/// Start tags that make a landmark worth keeping: headline, article, main
/// content, a date, microdata (`itemprop`), JSON-LD, or a class/id naming a
/// lead or an author (`sapo`, `byline`): an article's own header set outside
/// `<article>`. A class naming a date is no sign: site headers show today's.
fn keeps(name: &[u8], tag: &[u8]) -> bool {
    if is_container(name) || name.eq_ignore_ascii_case(b"h1") || name.eq_ignore_ascii_case(b"time")
    {
        return true;
    }
    let script = name.eq_ignore_ascii_case(b"script");
    let (mut class, mut id): (&[u8], &[u8]) = (b"", b"");
    for (attr, value) in attributes(tag) {
        if attr.eq_ignore_ascii_case(b"itemprop")
            || (script && attr.eq_ignore_ascii_case(b"type") && names_json_ld(value))
        {
            return true;
        }
        if attr.eq_ignore_ascii_case(b"class") {
            class = value;
        } else if attr.eq_ignore_ascii_case(b"id") {
            id = value;
        }
    }
    if class.is_empty() && id.is_empty() {
        return false;
    }
    let text = |v| std::str::from_utf8(v).unwrap_or_default();
    ClassWords::lead_or_author(text(class), text(id))
}

/// The `(name, value)` attributes of a start tag's bytes (`<name a=1 b="2" c>`), in one
/// pass; a value-less attribute has an empty value.
fn attributes(tag: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let name_end = tag
        .iter()
        .position(|c| c.is_ascii_whitespace() || matches!(c, b'>' | b'/'))
        .unwrap_or(tag.len());
    let mut rest = tag.get(name_end..).unwrap_or_default();
    std::iter::from_fn(move || {
        let start = rest
            .iter()
            .position(|c| !c.is_ascii_whitespace() && *c != b'/')?;
        rest = rest.get(start..)?;
        if rest.first() == Some(&b'>') {
            return None;
        }
        let len = rest
            .iter()
            .position(|c| c.is_ascii_whitespace() || matches!(c, b'=' | b'>' | b'/'))
            .unwrap_or(rest.len())
            .max(1);
        let name = rest.get(..len)?;
        rest = rest.get(len..)?;
        let ws = rest.iter().take_while(|c| c.is_ascii_whitespace()).count();
        if rest.get(ws) != Some(&b'=') {
            return Some((name, &b""[..]));
        }
        rest = rest.get(ws + 1..)?;
        let ws = rest.iter().take_while(|c| c.is_ascii_whitespace()).count();
        rest = rest.get(ws..)?;
        let value = match rest.first() {
            Some(&q @ (b'"' | b'\'')) => {
                let body = rest.get(1..)?;
                let end = body.iter().position(|&c| c == q).unwrap_or(body.len());
                rest = body.get((end + 1).min(body.len())..)?;
                body.get(..end)?
            }
            _ => {
                let end = rest
                    .iter()
                    .position(|c| c.is_ascii_whitespace() || *c == b'>')
                    .unwrap_or(rest.len());
                let v = rest.get(..end)?;
                rest = rest.get(end..)?;
                v
            }
        };
        Some((name, value))
    })
}

/// The byte ranges to cut before parsing, in order: the chrome when `chrome` is true, and
/// the script and style text outside it.
pub(crate) fn cuts(shape: &Shape, chrome: bool) -> Vec<Range<usize>> {
    if !chrome {
        return shape.code.clone();
    }
    let mut out = Vec::with_capacity(shape.chrome.len() + shape.code.len());
    let mut code = shape.code.iter().peekable();
    for c in &shape.chrome {
        while let Some(r) = code.next_if(|r| r.start < c.start) {
            out.push(r.clone());
        }
        // Code inside the chrome goes with it.
        while code.next_if(|r| r.start < c.end).is_some() {}
        out.push(c.clone());
    }
    out.extend(code.cloned());
    out
}

/// `html` without the byte ranges `cut` (sorted, disjoint, on tag
/// boundaries or inside a raw-text element).
pub(crate) fn without(html: &str, cut: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    for r in cut {
        out.push_str(html.get(at..r.start).unwrap_or_default());
        at = r.end;
    }
    out.push_str(html.get(at..).unwrap_or_default());
    out
}

impl Shape {
    /// Why the page is refused, if it is.
    pub fn refusal(&self) -> Option<String> {
        if self.max_depth > MAX_DEPTH {
            return Some(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        if self.tags > MAX_TAGS {
            return Some(format!("more than {MAX_TAGS} elements"));
        }
        if self.max_depth.saturating_mul(self.tags) > MAX_DEPTH_X_TAGS {
            return Some(format!(
                "nested {} levels deep over {} elements",
                self.max_depth, self.tags
            ));
        }
        None
    }
}

/// What the scan needs to know about a tag name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Has content and an end tag: deepens the tree.
    Normal,
    /// No content or end tag (`br`, `img`…), or an end tag that may be
    /// left out (`p`, `li`…, the parser closes them when a sibling opens):
    /// counting either would overestimate the depth.
    Flat,
    /// Raw text content (`script`, `style`…): tags inside are not markup.
    RawText,
}

fn kind(name: &[u8]) -> Kind {
    // Every name of interest is short; longer ones are ordinary elements.
    let mut buf = [0u8; 8];
    let Some(lower) = buf.get_mut(..name.len()) else {
        return Kind::Normal;
    };
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    match &*lower {
        b"area" | b"base" | b"br" | b"col" | b"embed" | b"hr" | b"img" | b"input" | b"link"
        | b"meta" | b"param" | b"source" | b"track" | b"wbr" | b"keygen" => Kind::Flat,
        b"p" | b"li" | b"dt" | b"dd" | b"option" | b"optgroup" | b"tr" | b"td" | b"th"
        | b"thead" | b"tbody" | b"tfoot" | b"colgroup" | b"caption" | b"rb" | b"rt" | b"rtc"
        | b"rp" | b"html" | b"head" | b"body" => Kind::Flat,
        b"script" | b"style" | b"textarea" | b"title" | b"xmp" | b"iframe" | b"noembed"
        | b"noframes" => Kind::RawText,
        _ => Kind::Normal,
    }
}

/// Scans the markup once, estimating nesting depth and counting tags.
pub(crate) fn scan(html: &str) -> Shape {
    let b = html.as_bytes();
    let mut shape = Shape::default();
    let mut depth = 0usize;
    let mut i = 0usize;
    // Open <article>/<main> elements, and the chrome candidate being scanned.
    let mut containers = 0usize;
    let mut candidate: Option<Candidate<'_>> = None;
    while let Some(off) = find_byte(b, i, b'<') {
        let lt = i + off;
        let next = b.get(lt + 1).copied().unwrap_or(0);
        if b.get(lt..).is_some_and(|s| s.starts_with(b"<!--")) {
            i = comment_end(b, lt + 4);
        } else if next == b'!' || next == b'?' {
            i = tag_end(b, lt + 2);
        } else if next == b'/' {
            let name = tag_name(b, lt + 2);
            if !name.is_empty() && kind(name) != Kind::Flat {
                depth = depth.saturating_sub(1);
            }
            i = tag_end(b, lt + 2);
            if is_container(name) {
                containers = containers.saturating_sub(1);
            }
            if let Some(c) = candidate.as_mut()
                && name.eq_ignore_ascii_case(c.name)
            {
                c.depth -= 1;
                if c.depth == 0 {
                    if !c.keep {
                        shape.chrome.push(c.start..i);
                    }
                    candidate = None;
                }
            }
        } else if next.is_ascii_alphabetic() {
            let name = tag_name(b, lt + 1);
            shape.tags += 1;
            let end = tag_end(b, lt + 1);
            let self_closing = end >= 2 && b.get(end - 2) == Some(&b'/');
            let kind = kind(name);
            if !self_closing && kind != Kind::Flat {
                depth += 1;
                shape.max_depth = shape.max_depth.max(depth);
            }
            let tag = b.get(lt..end).unwrap_or_default();
            match candidate.as_mut() {
                Some(c) => {
                    c.keep = c.keep || keeps(name, tag);
                    if !self_closing && name.eq_ignore_ascii_case(c.name) {
                        c.depth += 1;
                    }
                }
                None if containers == 0 && !self_closing && is_landmark(name) => {
                    candidate = Some(Candidate {
                        name,
                        start: lt,
                        depth: 1,
                        keep: keeps(name, tag),
                    });
                }
                None => {}
            }
            if is_container(name) && !self_closing {
                containers += 1;
            }
            i = end;
            if !self_closing
                && name.eq_ignore_ascii_case(b"svg")
                && let Some(close) = drawing_end(b, end)
            {
                // The drawing is cut, its element kept; its end tag is read next.
                if close > end {
                    shape.code.push(end..close);
                }
                i = close;
            }
            if kind == Kind::RawText && !self_closing {
                let (close, after) = raw_text_end(b, i, name);
                if is_code(name, tag) && close > end {
                    let text = b.get(end..close).unwrap_or_default();
                    // `<!--` in a script can hide its first `</script>` from the parser
                    // (the escaped states): such text is left for the parser to read.
                    if memchr::memmem::find(text, b"<!--").is_none() {
                        shape.code.push(end..close);
                    }
                }
                i = after;
                depth = depth.saturating_sub(1);
            }
        } else {
            i = lt + 1;
        }
    }
    shape
}

/// Index just past the comment whose text starts at `from` (after `<!--`), as
/// HTML ends one: `<!-->` and `<!--->` are whole comments, and `--!>` ends
/// one as `-->` does.
fn comment_end(b: &[u8], from: usize) -> usize {
    match b.get(from..) {
        Some([b'>', ..]) => from + 1,
        Some([b'-', b'>', ..]) => from + 2,
        _ => {
            // Each search stops at its first hit, and the scan resumes past it: linear.
            let plain = find_seq(b, from, b"-->");
            let window = b.get(from..plain.unwrap_or(b.len())).unwrap_or_default();
            match memchr::memmem::find(window, b"--!>") {
                Some(p) => from + p + 4,
                None => plain.map_or(b.len(), |p| p + 3),
            }
        }
    }
}

fn find_byte(b: &[u8], from: usize, needle: u8) -> Option<usize> {
    memchr::memchr(needle, b.get(from..)?)
}

fn find_seq(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(b.get(from..)?, needle).map(|p| p + from)
}

/// The tag name starting at `start` (letters, digits, `-`, `:`).
fn tag_name(b: &[u8], start: usize) -> &[u8] {
    let rest = b.get(start..).unwrap_or(&[]);
    let len = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b':'))
        .count();
    rest.get(..len).unwrap_or(&[])
}

/// Index just past the `>` closing the tag, skipping quoted attribute
/// values; the end of input if there is none.
fn tag_end(b: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(rest) = b.get(i..) {
        let Some(p) = memchr::memchr3(b'>', b'"', b'\'', rest) else {
            break;
        };
        let at = i + p;
        match b.get(at) {
            Some(b'>') => return at + 1,
            Some(&q) => match find_byte(b, at + 1, q) {
                Some(close) => i = at + 1 + close + 1,
                None => break,
            },
            None => break,
        }
    }
    b.len()
}

/// Where the end tag `</name…>` of a raw-text element starts, and the index just past it
/// (both the end of input if there is none). As in the parser, `</scripts` ends nothing.
fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> (usize, usize) {
    let mut i = from;
    while let Some(p) = find_seq(b, i, b"</") {
        let after_name = p + 2 + name.len();
        let cand = b.get(p + 2..after_name).unwrap_or(&[]);
        let ends_name = b
            .get(after_name)
            .is_none_or(|&c| c.is_ascii_whitespace() || matches!(c, b'/' | b'>'));
        if cand.eq_ignore_ascii_case(name) && ends_name {
            return (p, tag_end(b, p + 2));
        }
        i = p + 2;
    }
    (b.len(), b.len())
}

/// Where the `</svg>` closing an inline drawing whose content starts at `from` begins: its
/// paths are often the longest attribute values of a page (icons repeated in every card),
/// and nothing in them is text. `None`, the drawing left to the parser, when it has no end
/// tag, or holds HTML (`<foreignObject>`, or a tag such as `<p>` that the parser would take
/// out of the drawing: article text in broken markup).
fn drawing_end(b: &[u8], from: usize) -> Option<usize> {
    let mut depth = 1usize;
    let mut i = from;
    while let Some(off) = find_byte(b, i, b'<') {
        let lt = i + off;
        if b.get(lt..).is_some_and(|s| s.starts_with(b"<!--")) {
            i = comment_end(b, lt + 4);
            continue;
        }
        // Its text may hold anything, an end tag too.
        if b.get(lt..).is_some_and(|s| s.starts_with(b"<![CDATA[")) {
            return None;
        }
        let closing = b.get(lt + 1) == Some(&b'/');
        let name = tag_name(b, lt + 1 + usize::from(closing));
        let end = tag_end(b, lt + 1);
        if name.eq_ignore_ascii_case(b"svg") {
            if closing {
                depth -= 1;
                if depth == 0 {
                    return Some(lt);
                }
            } else if b.get(end.wrapping_sub(2)) != Some(&b'/') {
                depth += 1;
            }
        } else if !closing && !name.is_empty() && leaves_drawing(name) {
            return None;
        }
        i = end.max(lt + 1);
    }
    None
}

/// Start tags the parser reads as HTML inside a drawing (the "breakout" tags of foreign
/// content, and `foreignObject`'s), so that a drawing holding one may hold text.
fn leaves_drawing(name: &[u8]) -> bool {
    let mut buf = [0u8; 16];
    let Some(lower) = buf.get_mut(..name.len()) else {
        return false;
    };
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    matches!(
        &*lower,
        b"foreignobject"
            | b"b"
            | b"big"
            | b"blockquote"
            | b"body"
            | b"br"
            | b"center"
            | b"code"
            | b"dd"
            | b"div"
            | b"dl"
            | b"dt"
            | b"em"
            | b"embed"
            | b"font"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"head"
            | b"hr"
            | b"i"
            | b"img"
            | b"li"
            | b"listing"
            | b"menu"
            | b"meta"
            | b"nobr"
            | b"ol"
            | b"p"
            | b"pre"
            | b"ruby"
            | b"s"
            | b"small"
            | b"span"
            | b"strike"
            | b"strong"
            | b"sub"
            | b"sup"
            | b"table"
            | b"tt"
            | b"u"
            | b"ul"
            | b"var"
    )
}

/// A `<script>` (but JSON-LD, which metadata reads) or `<style>` start tag: text no reader
/// sees and extraction never reads.
fn is_code(name: &[u8], tag: &[u8]) -> bool {
    if name.eq_ignore_ascii_case(b"style") {
        return true;
    }
    name.eq_ignore_ascii_case(b"script")
        && !attributes(tag)
            .any(|(attr, value)| attr.eq_ignore_ascii_case(b"type") && names_json_ld(value))
}

/// A script `type` naming JSON-LD, read from the raw bytes where its `+` may still be a
/// character reference (`application/ld&#x2B;json`).
fn names_json_ld(value: &[u8]) -> bool {
    contains_ignore_case(value, b"ld") && contains_ignore_case(value, b"json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_divs_are_measured() {
        let html = format!("{}x{}", "<div>".repeat(30), "</div>".repeat(30));
        assert_eq!(
            scan(&html),
            Shape {
                max_depth: 30,
                tags: 30,
                chrome: Vec::new(),
                code: Vec::new(),
            }
        );
    }

    #[test]
    fn unclosed_paragraphs_and_void_tags_do_not_deepen() {
        let html = "<div><p>a<p>b<br><img src=x><li>c<hr/></div>".repeat(100);
        assert_eq!(scan(&html).max_depth, 1);
    }

    #[test]
    fn tags_in_scripts_comments_and_attributes_are_not_markup() {
        let html = "<script>var s = '<div><div><div>';</script>\
                    <!-- <div><div> --><a title=\"<div>\" href='>'>x</a>";
        assert_eq!(scan(html).max_depth, 1);
    }

    #[test]
    fn truncated_tag_at_end_of_input_is_harmless() {
        assert_eq!(scan("<div><span class=\"a").tags, 2);
        assert_eq!(scan("<").tags, 0);
        assert_eq!(scan("<!--").tags, 0);
    }

    #[test]
    fn refusal_names_the_depth_limit() {
        let s = Shape {
            max_depth: 20_000,
            tags: 20_000,
            chrome: Vec::new(),
            code: Vec::new(),
        };
        assert_eq!(
            s.refusal().as_deref(),
            Some("nested deeper than 1000 levels")
        );
    }

    fn cut(html: &str) -> String {
        without(html, &scan(html).chrome)
    }

    /// The page as parsed: chrome and script/style text cut.
    fn parsed(html: &str) -> String {
        without(html, &cuts(&scan(html), true))
    }

    #[test]
    fn script_and_style_text_is_cut_but_their_tags_stay() {
        let html = "<head><style>p{color:red}</style><script src=a.js></script></head>\
                    <p>x</p><script>var s = '<p>not text</p>';</script><SCRIPT>f()</SCRIPT>";
        assert_eq!(
            parsed(html),
            "<head><style></style><script src=a.js></script></head>\
             <p>x</p><script></script><SCRIPT></SCRIPT>"
        );
    }

    #[test]
    fn json_ld_text_is_kept_even_with_its_plus_written_as_a_reference() {
        for html in [
            "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\"}</script>",
            "<script type=\"application/ld&#x2B;json\">{\"@type\":\"NewsArticle\"}</script>",
        ] {
            assert_eq!(parsed(html), html);
        }
    }

    #[test]
    fn a_script_whose_comment_may_hide_its_end_tag_is_left_to_the_parser() {
        let html = "<script><!-- document.write('<script>x()</script>'); --></script><p>x</p>";
        assert_eq!(parsed(html), html);
    }

    #[test]
    fn a_longer_tag_name_does_not_end_a_script() {
        let html = "<script>var t = '</scripts>'; go();</script><p>x</p>";
        assert_eq!(parsed(html), "<script></script><p>x</p>");
    }

    #[test]
    fn a_drawing_is_emptied_but_its_element_stays() {
        let html = "<p>x<svg viewBox=\"0 0 9 9\"><title>Share</title><path d=\"M0 0L9 9\"/>\
                    <svg><circle r=1 /></svg><g><path d=\"M1 1\"></path></g></SVG> y</p>";
        assert_eq!(parsed(html), "<p>x<svg viewBox=\"0 0 9 9\"></SVG> y</p>");
    }

    #[test]
    fn a_drawing_holding_html_or_left_open_is_left_to_the_parser() {
        for html in [
            // The parser takes the paragraph out of the drawing: it is page text.
            "<svg><path d=\"M0 0\"/><p>Article text in broken markup.</p></svg>",
            "<svg><foreignObject><div>Label</div></foreignObject></svg>",
            "<svg><text><![CDATA[ a </svg> b ]]></text></svg><p>x</p>",
            "<p>x</p><svg><path d=\"M0 0\"/>",
        ] {
            assert_eq!(parsed(html), html);
        }
    }

    #[test]
    fn script_text_inside_cut_chrome_goes_with_the_chrome() {
        let html = "<script>a()</script><header><nav><script>b()</script></nav></header>\
                    <p>x</p><style>c</style>";
        assert_eq!(parsed(html), "<script></script><p>x</p><style></style>");
        let shape = scan(html);
        assert_eq!(shape.code.len(), 3, "every script and style is found");
    }

    #[test]
    fn page_header_nav_and_footer_are_cut() {
        let html = "<body><header class=h><nav><ul><li><a href=/a>A</a></li>\
                    <li><header>x</header></li></ul></nav></header>\
                    <NAV>menu</NAV><main><p>Body</p></main><footer>© site</footer></body>";
        assert_eq!(cut(html), "<body><main><p>Body</p></main></body>");
    }

    #[test]
    fn landmarks_inside_articles_or_with_content_signs_are_kept() {
        let kept = [
            "<article><header><h2>T</h2></header><p>x</p><footer>By A</footer></article>",
            "<main><nav>crumbs</nav><p>x</p></main>",
            "<header><h1>Headline</h1></header><p>x</p>",
            "<header><time datetime=2024-01-01>1/1</time></header>",
            "<header><span itemprop=author>A</span></header>",
            "<header><h2>T</h2><p class=\"entry-sapo\">Lead</p></header><p>x</p>",
            "<footer><div id='post__byline'>A</div></footer>",
            "<header><script type=\"application/ld+json\">{}</script></header>",
            "<header><div><article>teaser</article></div></header>",
            "<header><nav>never closed",
            "<header/><p>x</p>",
        ];
        for html in kept {
            assert_eq!(cut(html), html);
        }
    }

    #[test]
    fn a_site_header_with_todays_date_is_still_chrome() {
        let html = "<header><span class=\"header__date\">Thứ Tư, 25/11/2026</span>\
                    <nav class=menu><a href=/x>x</a></nav></header><p>x</p>";
        assert_eq!(cut(html), "<p>x</p>");
        let html = "<header><span class=\"header__date\">Thứ Tư</span></header><p>x</p>";
        assert_eq!(cut(html), "<p>x</p>");
    }

    #[test]
    fn short_and_bang_comments_end_where_html_ends_them() {
        for c in ["<!-->", "<!--->", "<!-- x --!>", "<!-- x -->"] {
            let html = format!("<header>{c}<h1>T</h1></header><p>x</p>");
            assert_eq!(
                cut(&html),
                html,
                "{c}: the headline is seen, the header kept"
            );
        }
    }

    #[test]
    fn attributes_are_read_from_start_tags() {
        let tag = b"<div data-class=\"no\" class = 'a b' hidden id=main-lead>";
        let got: Vec<(&[u8], &[u8])> = attributes(tag).collect();
        assert_eq!(
            got,
            vec![
                (&b"data-class"[..], &b"no"[..]),
                (b"class", b"a b"),
                (b"hidden", b""),
                (b"id", b"main-lead"),
            ]
        );
        assert_eq!(attributes(b"<p>").count(), 0);
        let got: Vec<_> = attributes(b"<p class=\"unterminated").collect();
        assert_eq!(got, vec![(&b"class"[..], &b"unterminated"[..])]);
    }

    #[test]
    fn markup_in_scripts_comments_and_attributes_does_not_end_a_landmark() {
        let html = "<header><script>var s = '</header><h1>';</script>\
                    <!-- </header> --><a title=\"</header>\">x</a></header><p>Body</p>";
        assert_eq!(cut(html), "<p>Body</p>");
    }

    proptest::proptest! {
        /// On any mix of landmarks, containers, headings and text, the ranges
        /// cut are in order, disjoint, on char boundaries, and each is one
        /// whole landmark element.
        #[test]
        fn chrome_ranges_are_whole_disjoint_landmarks(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "<header>", "</header>", "<nav class=\"m\">", "</nav>", "<footer>",
                    "</footer>", "<article>", "</article>", "<main>", "</main>", "<h1>",
                    "</h1>", "<p>", "ý nghĩa ", "<script>", "</script>", "<!--", "-->",
                    "<a title='</nav>'>", "<header/>", "\u{1F600}",
                ]),
                0..40,
            )
        ) {
            let html: String = parts.concat();
            let shape = scan(&html);
            let mut at = 0;
            for r in &shape.chrome {
                proptest::prop_assert!(at <= r.start && r.start < r.end && r.end <= html.len());
                proptest::prop_assert!(html.is_char_boundary(r.start) && html.is_char_boundary(r.end));
                let el = &html[r.clone()];
                let lower = el.to_ascii_lowercase();
                proptest::prop_assert!(
                    ["header", "nav", "footer"].iter().any(|n| {
                        lower.starts_with(&format!("<{n}")) && lower.ends_with(&format!("</{n}>"))
                    }),
                    "{el}"
                );
                at = r.end;
            }
            let kept = without(&html, &shape.chrome);
            let cut: usize = shape.chrome.iter().map(|r| r.len()).sum();
            proptest::prop_assert_eq!(kept.len() + cut, html.len());
        }
    }
}
