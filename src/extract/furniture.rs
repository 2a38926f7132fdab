//! Related-links boxes and other in-body furniture, recognised by their
//! headings ("TIN LIÊN QUAN", "Cùng chuyên mục", "Đọc thêm", "Xem thêm"…).
//!
//! Such boxes sit inside the article container on many Vietnamese sites and
//! carry other articles' titles, which must not end up in the body. A box is
//! dropped whole; a heading set directly in the body drops itself and the
//! link lists that follow it.

use std::collections::HashSet;

use ego_tree::NodeId;
use scraper::ElementRef;

use super::dom::{DomStats, element_text};
use super::text::fold;

/// Headings of related/teaser boxes, folded (lower case, NFC).
const HEADINGS: &[&str] = &[
    "tin liên quan",
    "bài liên quan",
    "tin cùng chuyên mục",
    "cùng chuyên mục",
    "bài cùng chuyên mục",
    "đọc thêm",
    "xem thêm",
    "tin khác",
    "tin mới",
    "tin mới nhất",
    "đọc nhiều",
    "tin nổi bật",
    "có thể bạn quan tâm",
    "bạn có thể quan tâm",
    "bạn đọc quan tâm",
    "related",
    "related articles",
    "related stories",
    "related news",
    "read more",
    "read next",
    "more stories",
    "more from",
    "see also",
    "you may also like",
    "you might also like",
    "you may also enjoy",
    "you might also enjoy",
    "you may like",
    "you might like",
    "other posts you may enjoy",
    "recommended",
    "recommended posts",
    "recommended articles",
    "recommended reading",
    "recommended for you",
    "related posts",
    "related blog posts",
    "related reading",
    "related content",
    "what others are reading",
    "more posts",
    "more articles",
    "more to read",
    "more like this",
    "keep reading",
    "up next",
    "popular posts",
    "recent posts",
    "latest posts",
    "most read",
    "most popular",
];

fn strip_marks(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ':' | '»' | '›' | '>' | '«' | '‹' | '<' | '-' | '–' | '|' | '.'
            )
    })
}

/// Whether `text` is exactly a furniture heading (ignoring case, marks).
pub(crate) fn is_heading(text: &str) -> bool {
    is_heading_of(text, HEADINGS)
}

/// Whether `text` is exactly one of `headings` (folded), ignoring case and marks.
pub(crate) fn is_heading_of(text: &str, headings: &[&str]) -> bool {
    if text.chars().count() > 40 {
        return false;
    }
    let f = fold(text);
    headings.contains(&strip_marks(&f))
}

/// Whether `text` starts with a furniture heading followed by a colon,
/// as in "Đọc thêm: <linked title>".
pub(crate) fn has_heading_prefix(text: &str) -> bool {
    // Only the start matters; folding a whole long block would be waste, and folding one
    // without a colon in it (most of them) too.
    let head = text
        .char_indices()
        .nth(80)
        .map_or(text, |(at, _)| &text[..at]);
    if !head.contains(':') {
        return false;
    }
    let f = fold(head);
    HEADINGS.iter().any(|h| {
        f.strip_prefix(h)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// Nodes to drop inside `roots` because of furniture headings.
pub(crate) fn skips(roots: &[ElementRef<'_>], stats: &DomStats, out: &mut HashSet<NodeId>) {
    let root_ids: Vec<NodeId> = roots.iter().map(|r| r.id()).collect();
    for root in roots {
        for el in root.descendent_elements().skip(1) {
            let st = stats.get(el.id());
            if st.text < 4 || st.text > 40 {
                continue;
            }
            let text = element_text(el);
            if !is_heading(&text) {
                continue;
            }
            mark(el, &root_ids, stats, out);
        }
    }
}

fn mark(h: ElementRef<'_>, roots: &[NodeId], stats: &DomStats, out: &mut HashSet<NodeId>) {
    let h_st = stats.get(h.id());
    let mut cur = h;
    while let Some(parent) = cur.parent().and_then(ElementRef::wrap) {
        if roots.contains(&parent.id()) {
            break;
        }
        let p_st = stats.get(parent.id());
        if p_st.text <= h_st.text + 2 {
            cur = parent;
            continue;
        }
        let rest_text = p_st.text.saturating_sub(h_st.text);
        let rest_links = p_st.links.saturating_sub(h_st.links);
        if rest_links as f64 >= rest_text as f64 * 0.35 {
            out.insert(parent.id());
        } else {
            out.insert(cur.id());
        }
        return;
    }
    // The heading is set directly in the content: drop it and the link
    // lists right after it.
    out.insert(cur.id());
    for sib in cur.next_siblings().filter_map(ElementRef::wrap) {
        let st = stats.get(sib.id());
        if st.text == 0 && st.imgs == 0 {
            continue;
        }
        if st.text > 0 && st.link_density() >= 0.5 {
            out.insert(sib.id());
        } else {
            break;
        }
    }
}
