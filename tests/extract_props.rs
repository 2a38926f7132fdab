//! Property tests: `extract` never panics on hostile or broken input, and
//! every text it returns is NFC, free of NUL and trimmed — with and without
//! a site rule.
//!
//! Inputs are random tag soup over a small alphabet (Vietnamese text in NFC
//! and NFD, entities, hidden and furniture elements), real fixture pages cut
//! at a random point and spliced with soup, and random bytes read as lossy
//! UTF-8.

use proptest::prelude::*;
use tindex::extract::{Extracted, SiteRule, extract};
use unicode_normalization::is_nfc;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/extract");

const FIXTURES: &[&str] = &[
    "plvn-nfd-page.html",
    "plvn-sapo-h2-table-caption-itemprop.html",
    "plvn-sapo-div-detail-content-inline-related.html",
];

/// Pieces of markup and text the soup is made of.
const PIECES: &[&str] = &[
    "<div>",
    "</div>",
    "<p>",
    "</p>",
    "<span class=\"x\">",
    "</span>",
    "<a href=\"/tin-khac\">",
    "</a>",
    "<article class=\"article__body\">",
    "</article>",
    "<h1 class=\"article__title\">",
    "</h1>",
    "<h2>",
    "</h2>",
    "<div class=\"article__sapo\">",
    "<figure>",
    "<figcaption>",
    "</figcaption>",
    "</figure>",
    "<img src=\"a.jpg\" alt=\"Ảnh\">",
    "<img data-src=\"//cdn/x.png\">",
    "<br>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<script>var x = '<div>';</script>",
    "<style>p{}</style>",
    "<div style=\"display:none\">",
    "<div hidden>",
    "<nav>",
    "</nav>",
    "<ul><li>",
    "</li></ul>",
    "<b>",
    "</b>",
    "<time class=\"article__time\" datetime=\"2025-10-22T10:15:00+07:00\">",
    "</time>",
    "<meta property=\"og:title\" content=\"Tie\u{302}u \u{111}e\u{302}\u{300}\">",
    "<meta name=\"description\" content=\"Hà Nội, ngày mới\">",
    "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"headline\":\" x \"}</script>",
    "<!-- <div> -->",
    "<",
    ">",
    "&amp;",
    "&#x300;",
    "&#0;",
    "&nbsp;",
    "\u{0}",
    "\u{FEFF}",
    "\u{200B}",
    "  \n\t ",
    "Hà Nội mùa thu, phố phường rực rỡ.",
    // The same words in NFD: combining marks after the base letters.
    "Ha\u{300} No\u{323}\u{302}i mu\u{300}a thu, pho\u{302}\u{301} phu\u{31b}\u{31b}\u{300}ng.",
    "The council met on Monday, and the vote, held late, passed easily.",
    "Đọc thêm:",
    "TIN LIÊN QUAN",
    "Cập nhật 10:15 ngày 22/10/2025",
    "Chia sẻ",
    " ",
];

fn plvn_rule() -> SiteRule {
    SiteRule {
        hosts: vec!["127.0.0.1".into()],
        title: Some("h1.article__title".into()),
        lead: Some(".article__sapo".into()),
        body: Some(".article__body, [itemprop=articleBody]".into()),
        captions: Some("figcaption".into()),
        author: Some(".article__author".into()),
        published: Some("time.article__time".into()),
        strip: vec![".box-related".into()],
        ..SiteRule::default()
    }
}

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..120).prop_map(|v| v.concat())
}

fn cut_fixture() -> impl Strategy<Value = String> {
    (
        prop::sample::select(FIXTURES),
        0.0f64..=1.0,
        0.0f64..=1.0,
        soup(),
    )
        .prop_map(|(name, cut, at, insert)| {
            let bytes = std::fs::read(format!("{DIR}/{name}")).unwrap_or_default();
            let end = (bytes.len() as f64 * cut) as usize;
            let mut page = String::from_utf8_lossy(bytes.get(..end).unwrap_or(&[])).into_owned();
            let mut pos = (page.len() as f64 * at) as usize;
            while !page.is_char_boundary(pos) {
                pos -= 1;
            }
            page.insert_str(pos, &insert);
            page
        })
}

fn lossy_bytes() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), 0..2000)
        .prop_map(|b| format!("<p>{}", String::from_utf8_lossy(&b)))
}

/// Every text field of a result.
fn texts(x: &Extracted) -> Vec<&str> {
    let mut v: Vec<&str> = vec![x.title.as_str()];
    v.extend(x.lead.as_deref());
    v.extend(x.body.iter().map(String::as_str));
    v.extend(x.captions.iter().map(String::as_str));
    v.extend(x.author.as_deref());
    v.extend(x.tags.iter().map(String::as_str));
    v.extend(x.category.as_deref());
    v.extend(x.language.as_deref());
    for img in &x.images {
        v.extend(img.alt.as_deref());
        v.extend(img.caption.as_deref());
    }
    v
}

fn check(html: &str) -> Result<(), TestCaseError> {
    let url = url::Url::parse("http://127.0.0.1/bai-viet.html").unwrap();
    let rule = plvn_rule();
    for r in [None, Some(&rule)] {
        let Ok(x) = extract(html, &url, r) else {
            continue;
        };
        for t in texts(&x) {
            prop_assert!(is_nfc(t), "not NFC: {t:?}");
            prop_assert!(!t.contains('\u{0}'), "NUL in {t:?}");
            prop_assert_eq!(t, t.trim(), "untrimmed text");
        }
        for b in &x.body {
            prop_assert!(!b.is_empty(), "empty body block");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn tag_soup_never_panics_and_text_is_clean(html in soup()) {
        check(&html)?;
    }

    #[test]
    fn cut_and_spliced_fixtures_never_panic(html in cut_fixture()) {
        check(&html)?;
    }

    #[test]
    fn random_bytes_never_panic(html in lossy_bytes()) {
        check(&html)?;
    }
}
