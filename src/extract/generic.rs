//! Generic content finder: readability-style paragraph scoring.
//!
//! Used when no site rule is configured or the rule no longer matches (a
//! redesign), so it must work on any news page: every paragraph-like
//! element scores by length and commas and passes its score to its
//! ancestors; class/id words nudge candidates; link-heavy candidates lose
//! score; the best one and its qualifying siblings become the content.
//! Furniture inside it (related boxes, share bars, ads, tag lists, author
//! boxes, link lists) is then marked for skipping.

use std::collections::{HashMap, HashSet};

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};
use url::Url;

use super::dom::{self, AttrExt, DomStats, IdMap};
use super::{furniture, lines};
use crate::host;

/// Minimum text of a paragraph-like element to be scored.
const MIN_PARAGRAPH_CHARS: usize = 20;

/// How many ancestor levels receive a paragraph's score.
const ANCESTOR_LEVELS: usize = 5;

/// Finds the content elements (best candidate and qualifying siblings, in
/// document order). Falls back to `<body>` when nothing scores.
pub(crate) fn find_content<'a>(doc: &'a Html, stats: &DomStats) -> Vec<ElementRef<'a>> {
    let root = doc.root_element();
    let page_text = stats.get(root.id()).text.max(1);
    let mut cands: HashMap<NodeId, (ElementRef<'a>, f64)> = HashMap::new();
    let mut prose_own: IdMap<f64> = IdMap::default();
    let mut skip: Option<NodeId> = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skip.is_some() {
                    continue;
                }
                let Some(el) = ElementRef::wrap(node) else {
                    continue;
                };
                let name = el.value().name();
                if dom::is_non_content(name) || is_unlikely(el, stats, page_text) {
                    skip = Some(node.id());
                    continue;
                }
                let st = stats.get(el.id());
                // Readability wraps text set loose in a container (next to
                // block children) in a paragraph of its own; that virtual
                // paragraph's parent is the container itself.
                let (para, loose) = match name {
                    "p" | "pre" | "td" | "blockquote" => (Some((st.text, st.commas)), false),
                    "div" | "section" | "article" if !st.block_children => {
                        (Some((st.text, st.commas)), false)
                    }
                    "div" | "section" | "article" => (Some((st.loose_text, st.loose_commas)), true),
                    _ => (None, false),
                };
                if let Some((chars, commas)) = para
                    && chars >= MIN_PARAGRAPH_CHARS
                    && !opens_with_placeholder(el)
                {
                    // Prose: each paragraph's non-link text counted once (a `td` or
                    // `blockquote` holding paragraphs leaves them to count themselves).
                    if loose || !st.block_children {
                        let own = chars as f64 * (1.0 - st.link_density());
                        *prose_own.entry(el.id()).or_insert(0.0) += own;
                    }
                    let score = 1.0 + commas as f64 + (chars as f64 / 90.0).min(3.0);
                    let own = loose.then_some(el);
                    let ancestors = own
                        .into_iter()
                        .chain(el.ancestors().filter_map(ElementRef::wrap))
                        .filter(|a| a.value().name() != "html")
                        .take(ANCESTOR_LEVELS);
                    for (level, anc) in ancestors.enumerate() {
                        let divider = match level {
                            0 => 1.0,
                            1 => 2.0,
                            n => n as f64 * 3.0,
                        };
                        let entry = cands
                            .entry(anc.id())
                            .or_insert_with(|| (anc, initial_score(anc, stats)));
                        entry.1 += score / divider;
                    }
                }
            }
            Edge::Close(node) => {
                if skip == Some(node.id()) {
                    skip = None;
                }
            }
        }
    }
    let fin: HashMap<NodeId, f64> = cands
        .iter()
        .map(|(id, (_, s))| (*id, s * (1.0 - stats.get(*id).link_density())))
        .collect();
    let score_of = |id: NodeId| fin.get(&id).copied();
    let best = cands
        .values()
        .filter_map(|(el, _)| score_of(el.id()).map(|s| (*el, s)))
        .max_by(|a, b| {
            a.1.total_cmp(&b.1)
                .then_with(|| stats.get(b.0.id()).order.cmp(&stats.get(a.0.id()).order))
        });
    let Some((mut top, mut top_score)) = best else {
        return body_or_root(doc);
    };
    if let Some(anc) = common_ancestor_of_rivals(top, top_score, &cands, &score_of) {
        top = anc;
        top_score = score_of(anc.id()).unwrap_or(top_score);
    }
    // Climb while a parent clearly holds more of the article (content split
    // over sibling blocks accumulates in their common parent).
    let threshold = top_score / 3.0;
    let mut last = top_score;
    let mut cur = top;
    while let Some(parent) = cur.parent().and_then(ElementRef::wrap) {
        if matches!(parent.value().name(), "body" | "html") {
            break;
        }
        let Some(ps) = score_of(parent.id()) else {
            cur = parent;
            continue;
        };
        if ps < threshold {
            break;
        }
        if ps > last {
            top = parent;
            top_score = ps;
            break;
        }
        last = ps;
        cur = parent;
    }
    let prose = Prose::total(root, &prose_own);
    let top = widen_to_prose(top, &prose, stats);
    let top = first_of_many_articles(top, stats);
    let top_score = score_of(top.id()).unwrap_or(top_score);
    siblings(sole_wrapper(top, stats), top_score, stats, &score_of)
}

/// Whether the element's text opens with a theme's placeholder ("Lorem ipsum…"): a box
/// the site never filled scores nothing, however long and comma-rich its text.
fn opens_with_placeholder(el: ElementRef<'_>) -> bool {
    el.descendants()
        .filter_map(|n| n.value().as_text())
        .find(|t| !t.trim().is_empty())
        .is_some_and(|t| lines::is_placeholder(t))
}

/// Paragraph text (outside links) held by each element's subtree.
struct Prose(IdMap<f64>);

impl Prose {
    /// Sums each paragraph's own prose into every ancestor: one pass over the elements in
    /// reverse document order, where every child comes before its parent.
    fn total(root: ElementRef<'_>, own: &IdMap<f64>) -> Self {
        let mut sum = own.clone();
        let order: Vec<_> = root.descendants().collect();
        for node in order.iter().rev() {
            if let (Some(v), Some(parent)) = (sum.get(&node.id()).copied(), node.parent()) {
                *sum.entry(parent.id()).or_insert(0.0) += v;
            }
        }
        Self(sum)
    }

    fn of(&self, id: NodeId) -> f64 {
        self.0.get(&id).copied().unwrap_or(0.0)
    }
}

/// The outermost ancestor that holds nothing but `top` (no text of its
/// own beyond a few characters). Articles cut into chunks by ads are often
/// one wrapper per chunk around the scored element, so the chunks are
/// siblings only at the wrapper level.
fn sole_wrapper<'a>(top: ElementRef<'a>, stats: &DomStats) -> ElementRef<'a> {
    let text = stats.get(top.id()).text;
    let mut cur = top;
    while let Some(parent) = cur.parent().and_then(ElementRef::wrap) {
        if matches!(parent.value().name(), "body" | "html") {
            break;
        }
        if stats.get(parent.id()).text > text + text / 20 {
            break;
        }
        cur = parent;
    }
    cur
}

/// How many runner-up candidates are compared with the best one.
const RIVALS: usize = 5;

/// How many close rivals must share an ancestor for it to win.
const MIN_RIVALS: usize = 3;

/// Readability's "better top candidate" step. When the article's
/// paragraphs each sit in their own small wrapper (one `div` per
/// paragraph, or per chunk between ads), those wrappers score about the
/// same and the best alone is a fragment. If at least three of the five
/// runners-up score within 75 % of the best, the nearest ancestor of the
/// best holding three of them is the real container.
fn common_ancestor_of_rivals<'a>(
    top: ElementRef<'a>,
    top_score: f64,
    cands: &HashMap<NodeId, (ElementRef<'a>, f64)>,
    score_of: &dyn Fn(NodeId) -> Option<f64>,
) -> Option<ElementRef<'a>> {
    if top_score <= 0.0 {
        return None;
    }
    let mut ranked: Vec<(ElementRef<'a>, f64)> = cands
        .values()
        .filter(|(el, _)| el.id() != top.id())
        .filter_map(|(el, _)| score_of(el.id()).map(|s| (*el, s)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let rivals: Vec<ElementRef<'a>> = ranked
        .into_iter()
        .take(RIVALS)
        .filter(|(_, s)| *s / top_score >= 0.75)
        .map(|(el, _)| el)
        .collect();
    if rivals.len() < MIN_RIVALS {
        return None;
    }
    for anc in top.ancestors().filter_map(ElementRef::wrap) {
        if matches!(anc.value().name(), "body" | "html") {
            return None;
        }
        let held = rivals
            .iter()
            .filter(|r| r.ancestors().any(|a| a.id() == anc.id()))
            .count();
        if held >= MIN_RIVALS {
            return Some(anc);
        }
    }
    None
}

fn body_or_root(doc: &Html) -> Vec<ElementRef<'_>> {
    let root = doc.root_element();
    let body = root
        .child_elements()
        .find(|c| c.value().name() == "body")
        .unwrap_or(root);
    vec![body]
}

/// Readability's sibling step: siblings scoring at least a fifth of the top
/// candidate, and prose paragraphs next to it, belong to the article too.
fn siblings<'a>(
    top: ElementRef<'a>,
    top_score: f64,
    stats: &DomStats,
    score_of: &dyn Fn(NodeId) -> Option<f64>,
) -> Vec<ElementRef<'a>> {
    let Some(parent) = top.parent().and_then(ElementRef::wrap) else {
        return vec![top];
    };
    if parent.value().name() == "html" {
        return vec![top];
    }
    let threshold = (top_score * 0.2).max(10.0);
    let top_class = top.value().get_attr("class").unwrap_or("");
    let top_is_article = top.value().name() == "article" && has_headline(top);
    let mut out = Vec::new();
    for sib in parent.child_elements() {
        if sib.id() == top.id() {
            out.push(sib);
            continue;
        }
        let e = sib.value();
        if dom::is_non_content(e.name()) || dom::is_hidden(e) || dom::is_boilerplate_class(e) {
            continue;
        }
        // The story after this one (infinite scroll: each story an `<article>` with its
        // own headline) is not more of it.
        if top_is_article && e.name() == "article" && has_headline(sib) {
            continue;
        }
        let mut bonus = 0.0;
        if !top_class.is_empty() && e.get_attr("class") == Some(top_class) {
            bonus = top_score * 0.2;
        }
        if score_of(sib.id()).is_some_and(|s| s + bonus >= threshold) {
            out.push(sib);
            continue;
        }
        if e.name() == "p" {
            let st = stats.get(sib.id());
            let ld = st.link_density();
            if (st.text > 70 && ld < 0.25) || (st.text > 0 && st.text <= 70 && ld == 0.0) {
                out.push(sib);
            }
        }
    }
    out
}

/// Least text (non-space characters) a candidate holds for a content word in its class to
/// count: `text-content-style` on a one-line block must not outweigh the article.
const MIN_TEXT_FOR_CLASS_BONUS: usize = 100;

/// Starting score of a candidate: class words plus readability's tag bias.
fn initial_score(el: ElementRef<'_>, stats: &DomStats) -> f64 {
    let tag = match el.value().name() {
        "div" | "article" | "main" => 5.0,
        "pre" | "td" | "blockquote" | "section" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    };
    let class = dom::class_weight(el.value());
    if class > 0.0 && stats.get(el.id()).text < MIN_TEXT_FOR_CLASS_BONUS {
        return tag;
    }
    tag + class
}

/// Page furniture that never holds the article: nav/aside/footer tags,
/// ARIA landmarks, hidden elements and furniture classes — unless the
/// element holds half the page's text (a badly named wrapper).
fn is_unlikely(el: ElementRef<'_>, stats: &DomStats, page_text: usize) -> bool {
    let e = el.value();
    let name = e.name();
    if matches!(name, "html" | "body" | "main" | "article" | "a" | "p") {
        return false;
    }
    let role = e.get_attr("role").unwrap_or("");
    let furniture = dom::is_furniture_tag(name)
        || matches!(
            role,
            "navigation" | "complementary" | "banner" | "contentinfo" | "menu" | "dialog"
        )
        || dom::is_hidden(e)
        || (dom::is_boilerplate_class(e)
            // `entry-more`, `post-meta` around paragraphs of the post: a weak furniture
            // word, belied by the prose it holds.
            && !(dom::is_weak_boilerplate_class(e) && holds_prose(el, stats)));
    furniture && stats.get(el.id()).text * 2 < page_text && !holds_article_body(el)
}

/// Whether `el` holds the element the page's own markup names the article's body
/// (`itemprop="articleBody"`): an `<aside>` or a `sidebar` wrapper around it is misnamed.
fn holds_article_body(el: ElementRef<'_>) -> bool {
    el.descendent_elements().any(|d| {
        d.value().get_attr("itemprop").is_some_and(|p| {
            p.split_ascii_whitespace()
                .any(|w| w.eq_ignore_ascii_case("articleBody"))
        })
    })
}

/// Furniture inside the content to skip: furniture classes, landmark roles
/// and link lists — each only while it is a minor part of the content.
pub(crate) fn skips(
    roots: &[ElementRef<'_>],
    stats: &DomStats,
    page: &Url,
    out: &mut HashSet<NodeId>,
) {
    let total: usize = roots.iter().map(|r| stats.get(r.id()).text).sum();
    let teaser_counts = teasers(roots, page);
    for root in roots {
        for el in root.descendent_elements().skip(1) {
            let e = el.value();
            let st = stats.get(el.id());
            let minor = st.text * 10 < total * 6;
            if !minor {
                continue;
            }
            let role = e.get_attr("role").unwrap_or("");
            if (dom::is_boilerplate_class(e) && !belies_its_class(el, stats))
                || matches!(
                    role,
                    "navigation" | "complementary" | "contentinfo" | "menu"
                )
            {
                out.insert(el.id());
                continue;
            }
            // The innermost element named as a hover card is the card; one around it also
            // holds the word the card is about ("Ilhan Omar" and her latest stories).
            if is_hover_card(el) {
                out.insert(el.id());
                continue;
            }
            if e.name() == "form" {
                mark_form_box(el, total, stats, out);
                continue;
            }
            let list_like = matches!(
                e.name(),
                "ul" | "ol" | "div" | "section" | "table" | "dl" | "nav" | "aside"
            );
            let teasers = teaser_counts.get(&el.id()).copied().unwrap_or(0);
            // Cards are mostly their linked titles; a digest's sections linking back to
            // earlier coverage carry their own prose.
            if list_like
                && teasers >= MIN_TEASERS
                && st.text <= teasers * MAX_TEASER_CHARS
                && st.link_density() >= MIN_TEASER_LINK_DENSITY
            {
                out.insert(el.id());
                continue;
            }
            // One teaser card set in the article ("How we test", a linked title and a line);
            // a list of such cards is a list article's entries, or a grid handled above.
            if e.name() == "article"
                && st.text <= MAX_TEASER_CHARS
                && first_heading(el).is_some_and(|h| is_teaser_title(h, page))
                && !has_article_sibling(el)
            {
                out.insert(el.id());
                continue;
            }
            if list_like
                && st.text > 0
                && st.link_density() > 0.5
                && st.text * 3 < total
                && !is_listed_in_prose(el, stats)
                && !is_section_with_prose(el, stats)
            {
                out.insert(el.id());
            }
        }
    }
}

/// Whether `el` is a hover card set inside a sentence: a glossary's definition after the
/// term, a person's latest stories after the name. It is the innermost element named so
/// (`role="tooltip"`, `tooltip`, `rollover`), inline, inside a paragraph; the one around it
/// also holds the word the card is about. Icon labels named `icon-tooltip` in a list are
/// the page's own text.
fn is_hover_card(el: ElementRef<'_>) -> bool {
    // Asked of every element of the content: the tag first.
    let e = el.value();
    !dom::is_block(e.name())
        && dom::is_tooltip(e)
        && el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .take(MAX_HOVER_CARD_DEPTH)
            .any(|a| a.value().name() == "p")
        && !el
            .descendent_elements()
            .skip(1)
            .any(|d| dom::is_tooltip(d.value()))
}

/// Levels between a hover card and the paragraph it is set in.
const MAX_HOVER_CARD_DEPTH: usize = 6;

/// Whether an element named as furniture is the article's all the same: a word inside a
/// sentence, a token of a code listing, or prose in a box named by a weak furniture word.
fn belies_its_class(el: ElementRef<'_>, stats: &DomStats) -> bool {
    is_inline_in_prose(el, stats)
        || is_in_code(el)
        || (dom::is_weak_boilerplate_class(el.value()) && holds_prose(el, stats))
}

/// Whether `el` lies inside a code listing, where classes name syntax tokens
/// (`hljs-comment`, `token meta`), never page furniture.
fn is_in_code(el: ElementRef<'_>) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .any(|a| matches!(a.value().name(), "pre" | "code"))
}

/// A section of the article that lists many links after a sentence of its own prose
/// ("Many patches were sent for review:" and the patches): its lists are judged one by one,
/// not the section whole. Teaser boxes have linked headings, or excerpts inside their list.
fn is_section_with_prose(el: ElementRef<'_>, stats: &DomStats) -> bool {
    if !matches!(el.value().name(), "div" | "section") || has_linked_heading(el) {
        return false;
    }
    el.descendent_elements().any(|p| {
        is_prose_paragraph(p, stats)
            && !p
                .ancestors()
                .take_while(|a| a.id() != el.id())
                .filter_map(ElementRef::wrap)
                .any(|a| matches!(a.value().name(), "li" | "ul" | "ol" | "a"))
    })
}

/// Paragraphs of prose that make an element named by a weak furniture word (`post-meta`,
/// `more`) part of the article.
const MIN_PROSE_PARAGRAPHS: usize = 2;

/// Shortest paragraph counted as prose there, in non-space characters (a sentence of about
/// seventy characters).
const MIN_PROSE_PARAGRAPH_CHARS: usize = 60;

/// Whether `el` holds paragraphs of prose (long, few links): the article's text, not the
/// tags, dates or teaser titles such a box holds elsewhere.
/// A paragraph named so (`topic-paragraph`) is itself the article's prose when it reads as
/// a sentence. A box of teasers (linked titles over excerpts) is no prose, however long
/// the excerpts.
fn holds_prose(el: ElementRef<'_>, stats: &DomStats) -> bool {
    if stats.get(el.id()).link_density() >= MAX_ADDED_LINK_DENSITY || has_linked_heading(el) {
        return false;
    }
    if el.value().name() == "p" {
        // A byline or a date line is long enough too; a sentence ends or pauses.
        return is_prose_paragraph(el, stats) && reads_as_sentence(el, stats);
    }
    let mut paragraphs = el
        .descendent_elements()
        .filter(|p| is_prose_paragraph(*p, stats));
    match (paragraphs.next(), paragraphs.nth(MIN_PROSE_PARAGRAPHS - 2)) {
        (Some(_), Some(_)) => true,
        // One long paragraph: a section's text, not a tag line or a teaser's excerpt.
        (Some(p), None) => {
            stats.get(p.id()).text >= MIN_LONE_PROSE_CHARS && reads_as_sentence(p, stats)
        }
        _ => false,
    }
}

/// Shortest lone paragraph (non-space characters) that makes a box its section's text.
const MIN_LONE_PROSE_CHARS: usize = 400;

/// A `<p>` of prose: long enough for a sentence, few of its words in links.
fn is_prose_paragraph(p: ElementRef<'_>, stats: &DomStats) -> bool {
    let st = stats.get(p.id());
    p.value().name() == "p"
        && st.text >= MIN_PROSE_PARAGRAPH_CHARS
        && st.link_density() < MAX_ADDED_LINK_DENSITY
}

/// Whether a paragraph reads as a sentence: a comma in it, or a full stop, question or
/// exclamation mark at its end.
fn reads_as_sentence(p: ElementRef<'_>, stats: &DomStats) -> bool {
    stats.get(p.id()).commas > 0
        || p.text()
            .filter(|t| !t.trim().is_empty())
            .last()
            .is_some_and(|t| t.trim_end().ends_with(['.', '!', '?', '…', '"', '”']))
}

/// How much more prose an ancestor must hold for the content to grow to it.
const PROSE_GAIN: f64 = 1.4;

/// Prose an ancestor must add (characters) before it counts as holding more of the article:
/// one adding less (an ad slot's label, a hidden sign-up box) is a wrapper, passed through.
const MIN_PROSE_GAIN: f64 = 200.0;

/// An ancestor adding less than this share of prose is a wrapper: passed through.
const WRAPPER_GAIN: f64 = 0.1;

/// Readability's winner is the densest block, which on pages cut into many sections (one
/// wrapper per subhead, a summary box first, a hero intro) is one section of the article.
/// The content grows to an ancestor while each step up adds much more prose (paragraph
/// text outside links), passing wrappers that add little (under a tenth of its prose or
/// under 200 characters); it stops at a step that adds a moderate amount (a sidebar or
/// comments next to the article) unless the wrapper of all the parts is a level or two
/// further up, or all it adds comes after the article with next to no links (an FAQ or notes
/// closing it past a share bar), at one whose added text is link-heavy (teasers), and at one
/// that holds other stories (a list or an infinite-scroll page).
fn widen_to_prose<'a>(top: ElementRef<'a>, prose: &Prose, stats: &DomStats) -> ElementRef<'a> {
    let mut best = top;
    let mut best_prose = prose.of(top.id());
    // Levels passed since a moderate step: one part of an article cut into many (a listing
    // of a buying guide) sits one or two levels below the wrapper of all the parts.
    let mut moderate = 0;
    for anc in top.ancestors().filter_map(ElementRef::wrap) {
        if matches!(anc.value().name(), "body" | "html") {
            break;
        }
        let p = prose.of(anc.id());
        let gain = p - best_prose;
        if gain < MIN_PROSE_GAIN {
            continue;
        }
        // The cheap tests first: every level of every page asks.
        let closing = |questions: bool| {
            moderate == 0
                && text_before(anc, best, stats) < MIN_PROSE_GAIN as usize
                && added_link_density(anc, best, stats) <= MAX_CLOSING_LINK_DENSITY
                && (!questions || adds_questions(anc, best))
                && !holds_other_articles(anc, best, stats)
        };
        if gain <= best_prose * WRAPPER_GAIN {
            // A short FAQ after a long guide adds little, yet is the article's; other small
            // closing additions (disclaimers, testimonials, bios) are not.
            if closing(true) {
                best = anc;
                best_prose = p;
            }
            continue;
        }
        let needed = if moderate > 0 { PARTS_GAIN } else { PROSE_GAIN };
        if p < best_prose * needed {
            if closing(false) {
                best = anc;
                best_prose = p;
                continue;
            }
            if moderate < MAX_MODERATE_LEVELS {
                moderate += 1;
                continue;
            }
            break;
        }
        if added_link_density(anc, best, stats) > MAX_ADDED_LINK_DENSITY
            || holds_other_articles(anc, best, stats)
        {
            break;
        }
        best = anc;
        best_prose = p;
        moderate = 0;
    }
    best
}

/// Whether `anc` adds, outside `inner`, two or more headings asking a question: the
/// article's FAQ, whatever share of the article it is.
fn adds_questions(anc: ElementRef<'_>, inner: ElementRef<'_>) -> bool {
    let mut questions = 0;
    let mut stack: Vec<ElementRef<'_>> = anc.child_elements().collect();
    while let Some(el) = stack.pop() {
        if el.id() == inner.id() {
            continue;
        }
        if dom::is_heading(el.value().name()) {
            let text: String = el.text().collect();
            if text.trim_end().ends_with('?') {
                questions += 1;
                if questions >= 2 {
                    return true;
                }
            }
        } else {
            stack.extend(el.child_elements());
        }
    }
    false
}

/// Most link share of prose a moderate step adds after the article for it to be the
/// article's closing sections (an FAQ, notes): sidebars and comments carry links.
const MAX_CLOSING_LINK_DENSITY: f64 = 0.02;

/// Text `anc` holds before `inner` in document order.
fn text_before(anc: ElementRef<'_>, inner: ElementRef<'_>, stats: &DomStats) -> usize {
    let mut text = 0;
    let mut cur = inner;
    while cur.id() != anc.id() {
        text += cur
            .prev_siblings()
            .filter_map(ElementRef::wrap)
            .map(|s| stats.get(s.id()).text)
            .sum::<usize>();
        match cur.parent().and_then(ElementRef::wrap) {
            Some(p) => cur = p,
            None => break,
        }
    }
    text
}

/// How much more prose the wrapper of all the parts holds than the part it grows from, past
/// a moderate step: many parts, not one part and a sidebar.
const PARTS_GAIN: f64 = 4.0;

/// Levels looked above a moderate step for the wrapper of all the parts.
const MAX_MODERATE_LEVELS: usize = 2;

/// Link share of the text an ancestor adds: article sections have few links, lists of
/// teasers (a linked title over each excerpt) many.
const MAX_ADDED_LINK_DENSITY: f64 = 0.2;

/// The share counts only text outside the furniture the content drops wherever it grows
/// (boxes named as related products or recommended reads, navigation, asides): a recipe
/// whose intro and steps sit in two sections above a shop strip is one article.
fn added_link_density(anc: ElementRef<'_>, inner: ElementRef<'_>, stats: &DomStats) -> f64 {
    let share = |(a_text, a_links): (usize, usize), (i_text, i_links): (usize, usize)| {
        let text = a_text.saturating_sub(i_text);
        if text == 0 {
            0.0
        } else {
            a_links.saturating_sub(i_links) as f64 / text as f64
        }
    };
    let (a, i) = (stats.get(anc.id()), stats.get(inner.id()));
    let whole = share((a.text, a.links), (i.text, i.links));
    if whole <= MAX_ADDED_LINK_DENSITY {
        return whole;
    }
    share(
        text_outside_furniture(anc, stats),
        text_outside_furniture(inner, stats),
    )
}

/// Text and link characters of `el` outside the furniture inside it.
fn text_outside_furniture(el: ElementRef<'_>, stats: &DomStats) -> (usize, usize) {
    let st = stats.get(el.id());
    let (mut text, mut links) = (st.text, st.links);
    let mut stack: Vec<ElementRef<'_>> = el.child_elements().collect();
    while let Some(c) = stack.pop() {
        let e = c.value();
        if dom::is_furniture_tag(e.name()) || dom::is_hidden(e) || dom::is_boilerplate_class(e) {
            let cs = stats.get(c.id());
            text = text.saturating_sub(cs.text);
            links = links.saturating_sub(cs.links);
        } else {
            stack.extend(c.child_elements());
        }
    }
    (text, links)
}

/// Paragraphs of prose printed between the headline and the content found (an intro in
/// a hero block of its own, two components above the body): in document order, each a
/// sentence, outside furniture, fewer than the content's own.
pub(crate) fn intro_between<'a>(
    doc: &'a Html,
    headline: NodeId,
    roots: &[ElementRef<'a>],
    stats: &DomStats,
) -> Vec<ElementRef<'a>> {
    let Some(first) = roots.first() else {
        return Vec::new();
    };
    let (from, to) = (stats.get(headline).order, stats.get(first.id()).order);
    if from == 0 || from >= to {
        return Vec::new();
    }
    let page_text = stats.get(doc.root_element().id()).text.max(1);
    let paragraphs: Vec<ElementRef<'a>> = doc
        .root_element()
        .descendent_elements()
        .filter(|p| {
            // Asked of every element of the page: the tag first.
            p.value().name() == "p" && {
                let order = stats.get(p.id()).order;
                order > from && order < to && is_intro_paragraph(*p, *first, stats, page_text)
            }
        })
        .collect();
    let text: usize = paragraphs.iter().map(|p| stats.get(p.id()).text).sum();
    if paragraphs.len() > MAX_INTRO_PARAGRAPHS || text * 2 > stats.get(first.id()).text {
        return Vec::new();
    }
    paragraphs
}

/// Whether `p`, printed above the content `first`, is a paragraph of an intro: a sentence of
/// prose, no photo's caption or quote, outside furniture and links.
fn is_intro_paragraph(
    p: ElementRef<'_>,
    first: ElementRef<'_>,
    stats: &DomStats,
    page_text: usize,
) -> bool {
    if !is_prose_paragraph(p, stats)
        || !reads_as_sentence(p, stats)
        || dom::is_caption_class(p.value())
        || first.ancestors().any(|a| a.id() == p.id())
    {
        return false;
    }
    // A photo's caption sits beside its picture, the only text there: a picture set among
    // the paragraphs of an intro leaves them the intro's.
    let beside_picture = p.parent().and_then(ElementRef::wrap).is_some_and(|w| {
        let wrap = stats.get(w.id());
        wrap.imgs > 0 && stats.get(p.id()).text * 5 >= wrap.text * 4
    });
    let in_furniture = p.ancestors().filter_map(ElementRef::wrap).any(|a| {
        is_unlikely(a, stats, page_text)
            || dom::is_boilerplate_class(a.value())
            || dom::is_caption_class(a.value())
            || matches!(
                a.value().name(),
                "a" | "li" | "figure" | "form" | "blockquote"
            )
    });
    !beside_picture && !in_furniture
}

/// Most paragraphs taken for an intro above the content.
const MAX_INTRO_PARAGRAPHS: usize = 4;

/// Whether `anc` holds other stories besides `inner`: `<article>`s that neither contain nor
/// lie inside it, holding a fair share of the text `anc` adds. One teaser card set among
/// the sections of a long article ("How we test") is furniture inside it, not a sign that
/// the ancestor is a list of stories.
fn holds_other_articles(anc: ElementRef<'_>, inner: ElementRef<'_>, stats: &DomStats) -> bool {
    let inner_ancestors: Vec<NodeId> = inner.ancestors().map(|a| a.id()).collect();
    let others: usize = anc
        .descendent_elements()
        .filter(|d| {
            d.value().name() == "article"
                && d.id() != inner.id()
                && !inner_ancestors.contains(&d.id())
                && !d.ancestors().any(|a| a.id() == inner.id())
                // A story has its own headline; a teaser card opens with a linked heading or
                // is mostly its link. Sites that wrap each section or quote of one article
                // in an `<article>` are neither, even when a section links a heading further
                // down.
                && (stats.get(d.id()).link_density() > 0.5
                    || has_headline(*d)
                    || opens_with_linked_heading(*d))
        })
        .map(|d| stats.get(d.id()).text)
        .sum();
    let added = stats
        .get(anc.id())
        .text
        .saturating_sub(stats.get(inner.id()).text);
    others > 0 && others * OTHER_STORIES_SHARE >= added
}

/// Other stories hold at least 1/this of the text an ancestor adds for it to be a list of
/// stories.
const OTHER_STORIES_SHARE: usize = 4;

/// Most text a sign-up or comment box around a form holds (its heading, pitch and
/// "Thank you! Your submission has been received!" messages).
const MAX_FORM_BOX_CHARS: usize = 400;

/// A form inside the content (newsletter sign-up, comment form, search) goes with the box
/// around it: the largest ancestor that still holds only a little text besides the form.
fn mark_form_box(form: ElementRef<'_>, total: usize, stats: &DomStats, out: &mut HashSet<NodeId>) {
    let mut boxed = form;
    for anc in form.ancestors().filter_map(ElementRef::wrap) {
        let text = stats.get(anc.id()).text;
        if text > MAX_FORM_BOX_CHARS || text * 4 > total {
            break;
        }
        boxed = anc;
    }
    out.insert(boxed.id());
}

/// Whether a heading of `el` is (or holds) a link: a teaser's title leading to its story.
fn has_linked_heading(el: ElementRef<'_>) -> bool {
    el.descendent_elements().any(is_linked_heading)
}

/// Whether another `<article>` shares `el`'s parent.
fn has_article_sibling(el: ElementRef<'_>) -> bool {
    el.prev_siblings()
        .chain(el.next_siblings())
        .filter_map(ElementRef::wrap)
        .any(|s| s.value().name() == "article")
}

/// Whether the first heading of `el` links to another page: a teaser card's title.
fn opens_with_linked_heading(el: ElementRef<'_>) -> bool {
    first_heading(el).is_some_and(is_linked_heading)
}

fn first_heading(el: ElementRef<'_>) -> Option<ElementRef<'_>> {
    el.descendent_elements()
        .find(|h| dom::is_heading(h.value().name()))
}

/// Whether `h` is a heading that is (or holds) a link to another page. A link to a place on
/// this page (`<h2><a href="#part-2">`, a contents plugin's anchor) leads to no other story.
fn is_linked_heading(h: ElementRef<'_>) -> bool {
    let leads_away = |a: ElementRef<'_>| {
        a.value().name() == "a" && a.value().get_attr("href").is_some_and(|h| !is_anchor(h))
    };
    dom::is_heading(h.value().name())
        && (h.descendent_elements().any(leads_away)
            || h.parent()
                .and_then(ElementRef::wrap)
                .is_some_and(leads_away))
}

/// Teasers of the site's own pages (headings linking to another page of the site) under
/// each element of `roots`. A roundup's headings link to other sites' projects and stay.
fn teasers(roots: &[ElementRef<'_>], page: &Url) -> IdMap<usize> {
    let mut counts = IdMap::default();
    for root in roots {
        for h in root
            .descendent_elements()
            .filter(|h| is_teaser_title(*h, page))
        {
            for anc in h.ancestors() {
                *counts.entry(anc.id()).or_insert(0) += 1;
                if anc.id() == root.id() {
                    break;
                }
            }
        }
    }
    counts
}

/// Whether `h` is a teaser's title: a heading linking to another page of `page`'s site.
fn is_teaser_title(h: ElementRef<'_>, page: &Url) -> bool {
    is_linked_heading(h) && links_within_site(h, page)
}

/// Whether the first link in or around `h` leads to another page of `page`'s site.
fn links_within_site(h: ElementRef<'_>, page: &Url) -> bool {
    h.descendent_elements()
        .chain(h.parent().and_then(ElementRef::wrap))
        .find_map(|a| {
            (a.value().name() == "a")
                .then(|| a.value().get_attr("href"))
                .flatten()
        })
        .is_some_and(|href| !leads_off_site(href, page) && !is_same_page(href, page))
}

/// Whether `href` is an anchor on the same page (`#part-2`).
fn is_anchor(href: &str) -> bool {
    href.trim_start().starts_with('#')
}

/// Whether `href` leads to `page` itself (`#part-2`, or the page's own address with a
/// fragment): a contents link or a headline's permalink, no other story.
pub(crate) fn is_same_page(href: &str, page: &Url) -> bool {
    if is_anchor(href) {
        return true;
    }
    let Ok(mut target) = page.join(href.trim()) else {
        return false;
    };
    let mut here = page.clone();
    target.set_fragment(None);
    here.set_fragment(None);
    target == here
}

/// Whether `href` (relative or absolute) leads to another site than `page`'s.
pub(crate) fn leads_off_site(href: &str, page: &Url) -> bool {
    let Some(page_host) = page.host_str() else {
        return false;
    };
    page.join(href)
        .ok()
        .and_then(|u| u.host_str().map(|h| !host::same_site(h, page_host)))
        .unwrap_or(false)
}

/// Most text (non-space characters) per card of a grid of teasers: a linked title, a line
/// of excerpt and a date. An article's sections under linked headings run longer.
const MAX_TEASER_CHARS: usize = 400;

/// Least link share of a grid of teasers' text: its titles are links (a digest's written-out
/// items link a word or two).
const MIN_TEASER_LINK_DENSITY: f64 = 0.1;

/// Cards a grid of teasers has at least.
const MIN_TEASERS: usize = 3;

/// Whether `el` has its own `<h1>`: a story's headline (tabs and cards use lower levels).
fn has_headline(el: ElementRef<'_>) -> bool {
    el.descendent_elements().any(|h| h.value().name() == "h1")
}

/// An infinite-scroll page or a wrapper holds the article and the next ones, each an
/// `<article>` with its own headline: the content is the first of them (the one the URL
/// names; the ones after it were appended).
fn first_of_many_articles<'a>(top: ElementRef<'a>, stats: &DomStats) -> ElementRef<'a> {
    if top.value().name() == "article" {
        return top;
    }
    let headed: Vec<ElementRef<'a>> = top
        .descendent_elements()
        .filter(|d| {
            d.value().name() == "article"
                && !d
                    .ancestors()
                    .take_while(|a| a.id() != top.id())
                    .any(|a| ElementRef::wrap(a).is_some_and(|a| a.value().name() == "article"))
        })
        .filter(|a| has_headline(*a))
        .collect();
    // Only when each of them is a whole story, not a card: cards are small beside the page.
    let total = stats.get(top.id()).text.max(1);
    let substantial = headed
        .iter()
        .filter(|a| stats.get(a.id()).text * 5 >= total)
        .count();
    match headed.first() {
        Some(first) if headed.len() >= 2 && substantial >= 2 => *first,
        _ => top,
    }
}

/// Longest text of an inline element kept for sitting in a sentence (a word or a name, not
/// an ad line).
const MAX_INLINE_WORD_CHARS: usize = 60;

/// An inline element (a link, a span) set inside running text: `<a class="tag-link">`
/// around a word of a sentence is part of the sentence, whatever its class says.
fn is_inline_in_prose(el: ElementRef<'_>, stats: &DomStats) -> bool {
    if dom::is_block(el.value().name()) || stats.get(el.id()).text > MAX_INLINE_WORD_CHARS {
        return false;
    }
    // Text right beside it: it sits mid-sentence.
    let words_beside = |n: Option<ego_tree::NodeRef<'_, scraper::Node>>| {
        n.and_then(|n| n.value().as_text().map(|t| t.trim().chars().count() >= 3))
            .unwrap_or(false)
    };
    words_beside(el.prev_sibling()) || words_beside(el.next_sibling())
}

/// Longest sentence read as a list's lead-in ("You will need:").
const MAX_LEAD_IN_CHARS: usize = 300;

/// Most words a list item of a checklist has (related-story lists carry whole headlines).
const MAX_CHECKLIST_ITEM_WORDS: usize = 6;

/// A list of links that belongs to the text: introduced by a sentence ending in a colon
/// ("What's ahead:", "You will need:"), or a checklist of short items (gear, ingredients,
/// steps) each linking somewhere. Related-story lists carry whole headlines and no lead-in.
fn is_listed_in_prose(el: ElementRef<'_>, stats: &DomStats) -> bool {
    let list = if is_list(el) {
        el
    } else {
        match sole_child(el, stats) {
            Some(only) if is_list(only) => only,
            _ => return false,
        }
    };
    if follows_lead_in(list, stats) {
        return true;
    }
    let items: Vec<ElementRef<'_>> = list
        .child_elements()
        .filter(|c| c.value().name() == "li")
        .collect();
    if written_around_links(&items) {
        return true;
    }
    items.len() >= 3
        && items.iter().all(|li| {
            let st = stats.get(li.id());
            // A word is at least two characters: longer items cannot be short enough.
            st.text > 0
                && st.text <= MAX_CHECKLIST_ITEM_WORDS * 16
                && dom::count_words(&dom::element_text(*li)) <= MAX_CHECKLIST_ITEM_WORDS
        })
}

/// Whether list items are written around their links: most open with words of their own,
/// each item differently ("Official website: …", "Flagship hotel: …", "This hotel features
/// in my lists of …"), as an article's notes do. Related stories are their links, with a
/// date or one repeated label ("Read more:") before each.
fn written_around_links(items: &[ElementRef<'_>]) -> bool {
    let openings: Vec<String> = items
        .iter()
        .filter_map(|li| {
            let words = opening_words(*li);
            (words.split_whitespace().count() >= MIN_OPENING_WORDS).then_some(words)
        })
        .collect();
    let distinct: HashSet<&str> = openings.iter().map(|w| w.as_str()).collect();
    items.len() >= 2 && openings.len() * 3 >= items.len() * 2 && distinct.len() * 2 > openings.len()
}

/// Fewest words before an item's first link for it to open with words of its own.
const MIN_OPENING_WORDS: usize = 2;

/// The lower-cased alphabetic words of `li` before its first link (all of them when it has
/// none).
fn opening_words(li: ElementRef<'_>) -> String {
    let mut out = String::new();
    for node in li.descendants() {
        match node.value() {
            Node::Element(e) if e.name() == "a" => break,
            Node::Text(t) => {
                for w in t.split_whitespace() {
                    if w.chars().any(char::is_alphabetic) {
                        out.push_str(&w.to_lowercase());
                        out.push(' ');
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether a list set after a lead-in sentence is the article's own, however linked its
/// items ("Many patches were sent for review:" and the patches): its links lead off the
/// site. A list of the site's own pages after "You might also like:" is related reading.
pub(crate) fn is_cited_list(list: ElementRef<'_>, stats: &DomStats, page: &Url) -> bool {
    // Asked of every list the walk meets: the cheap sibling test first.
    if !follows_lead_in(list, stats) {
        return false;
    }
    let (mut away, mut links) = (0usize, 0usize);
    for href in list
        .descendent_elements()
        .filter(|a| a.value().name() == "a")
        .filter_map(|a| a.value().get_attr("href"))
    {
        links += 1;
        if leads_off_site(href, page) {
            away += 1;
        }
    }
    away * 2 > links
}

/// Whether `e` is a list element (`ul`, `ol`).
fn is_list(e: ElementRef<'_>) -> bool {
    matches!(e.value().name(), "ul" | "ol")
}

/// The only element of `outer`, holding all of its text.
fn sole_child<'a>(outer: ElementRef<'a>, stats: &DomStats) -> Option<ElementRef<'a>> {
    let mut children = outer.child_elements();
    match (children.next(), children.next()) {
        (Some(only), None) if stats.get(only.id()).text == stats.get(outer.id()).text => Some(only),
        _ => None,
    }
}

/// Whether a list follows a sentence ending in a colon ("Many patches were sent for
/// review:"): its items are the article's, however much of them is links. A list in a
/// wrapper of its own (`div.ulist > ul`) is read with the wrapper's lead-in. A related box's
/// heading ("Read more:") is no lead-in.
pub(crate) fn follows_lead_in(list: ElementRef<'_>, stats: &DomStats) -> bool {
    let anchor = list
        .parent()
        .and_then(ElementRef::wrap)
        .filter(|w| sole_child(*w, stats).is_some_and(|c| c.id() == list.id()))
        .unwrap_or(list);
    anchor
        .prev_siblings()
        .filter_map(ElementRef::wrap)
        .find(|s| stats.get(s.id()).text > 0)
        .is_some_and(|s| {
            // A lead-in is a sentence, not a section: only short ones are read.
            let st = stats.get(s.id());
            if st.text > MAX_LEAD_IN_CHARS || st.link_density() >= 0.5 {
                return false;
            }
            let text = dom::element_text(s);
            text.trim_end().ends_with(':') && !furniture::is_heading(&text)
        })
}
