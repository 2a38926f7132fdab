//! Related-links boxes and other in-body furniture, recognised by their
//! headings ("TIN LIÊN QUAN", "Cùng chuyên mục", "Đọc thêm", "Xem thêm"…).
//!
//! Such boxes sit inside the article container on many Vietnamese sites and
//! carry other articles' titles, which must not end up in the body. A box is
//! dropped whole; a heading set directly in the body drops itself and the
//! link lists that follow it.

use std::collections::HashSet;
use std::sync::LazyLock;

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
    // The same boxes on sites in other languages. Only phrases that never head an
    // article's own section: "more information" and its kin are left out.
    // German
    "lesen sie auch",
    "lesen sie mehr",
    "mehr zum thema",
    "zum thema",
    "das könnte sie auch interessieren",
    "das könnte sie interessieren",
    "auch interessant",
    "weitere artikel",
    "verwandte artikel",
    "ähnliche artikel",
    "meistgelesen",
    // French
    "lire aussi",
    "à lire aussi",
    "a lire aussi",
    "lire également",
    "à lire également",
    "sur le même sujet",
    "articles similaires",
    "articles liés",
    "voir aussi",
    "à voir aussi",
    "vous aimerez aussi",
    "les plus lus",
    "dans la même rubrique",
    // Spanish
    "lee también",
    "lea también",
    "leer también",
    "te puede interesar",
    "le puede interesar",
    "también te puede interesar",
    "noticias relacionadas",
    "artículos relacionados",
    "contenido relacionado",
    "te recomendamos",
    "lo más leído",
    // Portuguese
    "leia também",
    "leia mais",
    "veja também",
    "notícias relacionadas",
    "artigos relacionados",
    "você pode gostar",
    "mais lidas",
    // Italian
    "leggi anche",
    "articoli correlati",
    "notizie correlate",
    "potrebbe interessarti",
    "ti potrebbe interessare",
    "i più letti",
    // Dutch
    "lees ook",
    "lees meer",
    "gerelateerde artikelen",
    "meest gelezen",
    // Polish, Czech, Romanian, Hungarian
    "czytaj także",
    "czytaj też",
    "zobacz także",
    "zobacz też",
    "przeczytaj także",
    "przeczytaj też",
    "powiązane artykuły",
    "najczęściej czytane",
    "čtěte také",
    "přečtěte si také",
    "související články",
    "mohlo by vás zajímat",
    "citește și",
    "citeşte şi",
    "articole similare",
    "kapcsolódó cikkek",
    // Scandinavian, Finnish
    "läs också",
    "läs även",
    "relaterade artiklar",
    "les også",
    "relaterte artikler",
    "læs også",
    "relaterede artikler",
    "lue myös",
    // Russian, Ukrainian
    "читайте также",
    "читайте еще",
    "читайте ещё",
    "смотрите также",
    "похожие новости",
    "похожие статьи",
    "другие новости",
    "новости по теме",
    "по теме",
    "самое читаемое",
    "читайте також",
    "дивіться також",
    "новини по темі",
    "по темі",
    // Greek, Turkish
    "διαβάστε επίσης",
    "σχετικά άρθρα",
    "ilgili haberler",
    "benzer haberler",
    "ilginizi çekebilir",
    "bunlar da ilginizi çekebilir",
    "en çok okunanlar",
    // Indonesian, Malay
    "baca juga",
    "berita terkait",
    "artikel terkait",
    "baca lagi",
    "terpopuler",
    // Arabic, Persian, Hebrew
    "اقرأ أيضا",
    "اقرأ أيضاً",
    "اقرأ ايضا",
    "مقالات ذات صلة",
    "أخبار ذات صلة",
    "مواضيع ذات صلة",
    "بیشتر بخوانید",
    "مطالب مرتبط",
    "اخبار مرتبط",
    "כתבות נוספות",
    "עוד בנושא",
    // Hindi, Thai
    "ये भी पढ़ें",
    "यह भी पढ़ें",
    "संबंधित खबरें",
    "เรื่องที่เกี่ยวข้อง",
    "ข่าวที่เกี่ยวข้อง",
    "ข่าวเกี่ยวข้อง",
    "อ่านเพิ่มเติม",
    // Chinese, Japanese, Korean
    "相关阅读",
    "相关新闻",
    "相关文章",
    "延伸阅读",
    "推荐阅读",
    "相關閱讀",
    "相關新聞",
    "相關文章",
    "延伸閱讀",
    "推薦閱讀",
    "関連記事",
    "関連ニュース",
    "あわせて読みたい",
    "관련기사",
    "관련 기사",
    "관련뉴스",
    "관련 뉴스",
    "많이 본 뉴스",
];

fn strip_marks(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ':' | '：'
                    | '»'
                    | '›'
                    | '>'
                    | '«'
                    | '‹'
                    | '<'
                    | '-'
                    | '–'
                    | '|'
                    | '.'
                    | '【'
                    | '】'
            )
    })
}

/// [`HEADINGS`] as a set: every short element and block of every page is looked up.
static HEADING_SET: LazyLock<HashSet<&str>> = LazyLock::new(|| HEADINGS.iter().copied().collect());

/// Whether `text` is exactly a furniture heading (ignoring case, marks).
pub(crate) fn is_heading(text: &str) -> bool {
    folded_heading_is(text, |h| HEADING_SET.contains(h))
}

/// Whether `text` is exactly one of `headings` (folded), ignoring case and marks.
pub(crate) fn is_heading_of(text: &str, headings: &[&str]) -> bool {
    folded_heading_is(text, |h| headings.contains(&h))
}

/// Whether the short `text`, folded and stripped of marks, is a heading `known` knows.
fn folded_heading_is(text: &str, known: impl Fn(&str) -> bool) -> bool {
    if text.chars().count() > 40 {
        return false;
    }
    known(strip_marks(&fold(text)))
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
    if !head.contains([':', '：']) {
        return false;
    }
    // No heading holds a colon: the first one is the one after the heading.
    let f = fold(head);
    f.split_once([':', '：'])
        .is_some_and(|(before, _)| HEADING_SET.contains(before.trim_end()))
}

/// Whether the heading `h` opens a box of whole teaser stories: nothing with text before it,
/// and two or more `<article>` elements, and only those, after it. Their excerpts are prose
/// and pass the link test; an article *before* the heading is the page's own.
fn opens_teaser_articles(h: ElementRef<'_>, stats: &DomStats) -> bool {
    let has_text = |c: &ElementRef<'_>| stats.get(c.id()).text > 0;
    if h.prev_siblings()
        .filter_map(ElementRef::wrap)
        .any(|c| has_text(&c))
    {
        return false;
    }
    let mut after = h
        .next_siblings()
        .filter_map(ElementRef::wrap)
        .filter(has_text)
        .map(|c| c.value().name() == "article");
    after.clone().filter(|a| *a).nth(1).is_some() && after.all(|a| a)
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
            // One of several parts taken for the article is this box of teaser stories: a
            // part cannot be skipped, its children can.
            if roots.len() > 1 && opens_teaser_articles(cur, stats) {
                out.extend(
                    parent
                        .children()
                        .filter_map(ElementRef::wrap)
                        .map(|c| c.id()),
                );
                return;
            }
            break;
        }
        let p_st = stats.get(parent.id());
        if p_st.text <= h_st.text + 2 {
            cur = parent;
            continue;
        }
        let rest_text = p_st.text.saturating_sub(h_st.text);
        let rest_links = p_st.links.saturating_sub(h_st.links);
        if rest_links as f64 >= rest_text as f64 * 0.35 || opens_teaser_articles(cur, stats) {
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
