//! Unit tests on small hand-written pages, one per trap.

use super::*;
use unicode_normalization::UnicodeNormalization;

const P1: &str = "Ngày 22/10, cơ quan chức năng cho biết vụ việc đã được xử lý, các bên liên quan đã được mời làm việc.";
const P2: &str = "Theo kết quả kiểm tra, nhiều sai phạm đã được phát hiện, trong đó có việc cấp phép không đúng quy định.";
const P3: &str = "Cơ quan điều tra đang tiếp tục làm rõ trách nhiệm của các cá nhân, tổ chức có liên quan đến vụ việc.";

fn url() -> Url {
    Url::parse("https://baophapluat.vn/mot-bai-viet-post1.html").unwrap()
}

/// A PLVN-like page with `body` inside the article body container.
fn page(body: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Tiêu đề bài viết | Báo Pháp luật Việt Nam điện tử</title>
<meta property="og:title" content="Tiêu đề bài viết">
<meta name="description" content="Tóm tắt nội dung của bài viết thử nghiệm.">
<meta property="article:published_time" content="2026-11-05T14:30:00+07:00">
</head><body>
<header class="header"><nav><a href="/">Trang chủ</a> <a href="/phap-luat/">Pháp luật</a></nav></header>
<article class="article">
<h1 class="article__title">Tiêu đề bài viết</h1>
<div class="article__sapo">(PLVN) - Tóm tắt nội dung của bài viết thử nghiệm.</div>
<div class="article__body cms-body" itemprop="articleBody">
{body}
</div></article>
<aside class="sidebar"><h2>Đọc nhiều</h2><ul><li><a href="/a">Bài khác một</a></li><li><a href="/b">Bài khác hai</a></li></ul></aside>
<footer class="footer"><p>Cơ quan chủ quản: Bộ Tư pháp</p></footer>
</body></html>"#
    )
}

fn paras() -> String {
    format!("<p>{P1}</p><p>{P2}</p><p>{P3}</p>")
}

fn rule() -> SiteRule {
    SiteRule {
        hosts: vec!["baophapluat.vn".into()],
        title: Some("h1.article__title".into()),
        lead: Some(".article__sapo".into()),
        body: Some("[itemprop=articleBody], .detail-content".into()),
        captions: Some("figcaption, .image_desc".into()),
        author: Some(".article__author".into()),
        published: Some("time.article__time".into()),
        strip: vec![
            ".box-related".into(),
            ".ads".into(),
            ".article__author".into(),
        ],
        ..SiteRule::default()
    }
}

fn both(html: &str) -> [Extracted; 2] {
    let r = rule();
    [
        extract(html, &url(), Some(&r)).unwrap(),
        extract(html, &url(), None).unwrap(),
    ]
}

#[test]
fn basic_page_fields() {
    for x in both(&page(&paras())) {
        assert_eq!(x.title, "Tiêu đề bài viết");
        assert_eq!(
            x.lead.as_deref(),
            Some("(PLVN) - Tóm tắt nội dung của bài viết thử nghiệm.")
        );
        assert_eq!(x.body, vec![P1, P2, P3]);
        assert_eq!(
            x.published.map(|d| d.to_string()).as_deref(),
            Some("2026-11-05T14:30:00+07:00")
        );
        assert_eq!(x.published_source.as_deref(), Some("meta"));
        assert_eq!(x.language.as_deref(), Some("vi"));
    }
}

#[test]
fn caption_in_alt_and_figcaption_is_one_caption() {
    let body = format!(
        r#"<p>{P1}</p><figure class="image"><img src="/media/1.jpg" alt="Quang cảnh  phiên tòa. ">
<figcaption>Quang cảnh phiên tòa.</figcaption></figure><p>{P2}</p><p>{P3}</p>"#
    );
    for x in both(&page(&body)) {
        assert_eq!(x.captions, vec!["Quang cảnh phiên tòa."]);
        assert_eq!(x.body, vec![P1, P2, P3]);
        assert_eq!(x.images.len(), 1);
        let img = &x.images[0];
        assert_eq!(img.caption.as_deref(), Some("Quang cảnh phiên tòa."));
        assert_eq!(img.alt.as_deref(), Some("Quang cảnh phiên tòa."));
        assert_eq!(img.position, 1);
    }
}

#[test]
fn same_caption_twice_is_deduplicated() {
    let fig =
        r#"<figure><img src="/a.jpg" alt="x"><figcaption>Ảnh minh họa.</figcaption></figure>"#;
    let body = format!("<p>{P1}</p>{fig}<p>{P2}</p>{fig}<p>{P3}</p>");
    for x in both(&page(&body)) {
        assert_eq!(x.captions, vec!["Ảnh minh họa."]);
    }
}

#[test]
fn lazy_data_src_becomes_absolute() {
    let body = format!(
        r#"<p>{P1}</p><figure><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/media/2026/11/05/1-1.jpg" class="lazyload" alt="Ảnh hiện trường vụ việc."><figcaption>Ảnh hiện trường vụ việc.</figcaption></figure><p>{P2}</p><p>{P3}</p>"#
    );
    for x in both(&page(&body)) {
        assert_eq!(
            x.images.first().map(|i| i.src.as_str()),
            Some("https://baophapluat.vn/media/2026/11/05/1-1.jpg")
        );
    }
}

#[test]
fn tin_lien_quan_box_inside_body_dropped() {
    let body = format!(
        r#"<p>{P1}</p><div class="box-related box-related--inline"><div class="box-related__title">TIN LIÊN QUAN</div>
<ul><li><a href="/x-post2.html">Một bài khác hoàn toàn</a></li><li><a href="/y-post3.html">Bài thứ ba</a></li></ul></div><p>{P2}</p><p>{P3}</p>"#
    );
    for x in both(&page(&body)) {
        assert_eq!(x.body, vec![P1, P2, P3]);
    }
}

#[test]
fn unclassed_related_box_dropped_by_heading() {
    // No telltale class: only the heading says what the box is.
    let body = format!(
        r#"<p>{P1}</p><div class="box"><p><strong>Tin liên quan</strong></p>
<p><a href="/x-post2.html">Một bài khác hoàn toàn</a></p><p><a href="/y-post3.html">Bài thứ ba</a></p></div><p>{P2}</p><p>{P3}</p>"#
    );
    for x in both(&page(&body)) {
        assert_eq!(x.body, vec![P1, P2, P3]);
    }
}

#[test]
fn doc_them_line_dropped() {
    let body = format!(
        r#"<p>{P1}</p><p><strong>Đọc thêm:</strong> <a href="/z-post9.html">Một bài viết khác về chủ đề này</a></p><p>{P2}</p><p>{P3}</p>"#
    );
    for x in both(&page(&body)) {
        assert_eq!(x.body, vec![P1, P2, P3]);
    }
}

#[test]
fn nfd_paragraph_becomes_nfc() {
    let nfd: String = P2.nfd().collect();
    assert_ne!(nfd, P2);
    let body = format!("<p>{P1}</p><p>{nfd}</p><p>{P3}</p>");
    for x in both(&page(&body)) {
        assert_eq!(x.body, vec![P1, P2, P3]);
    }
}

#[test]
fn numeric_char_refs_decoded() {
    let ncr: String = P2
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("&#{};", u32::from(c))
            }
        })
        .collect();
    let body = format!("<p>{P1}</p><p>{ncr}</p><p>{P3}</p>");
    for x in both(&page(&body)) {
        assert_eq!(x.body, vec![P1, P2, P3]);
    }
}

#[test]
fn table_caption_is_caption_not_body() {
    let body = format!(
        r#"<p>{P1}</p><table class="image center"><tbody><tr><td><img src="/m/1.jpg" alt="Đoàn công tác làm việc tại địa phương."></td></tr>
<tr><td class="image_desc"><p>Đoàn công tác làm việc tại địa phương.</p></td></tr></tbody></table><p>{P2}</p><p>{P3}</p>"#
    );
    for x in both(&page(&body)) {
        assert_eq!(x.body, vec![P1, P2, P3]);
        assert_eq!(x.captions, vec!["Đoàn công tác làm việc tại địa phương."]);
        assert_eq!(x.images.first().map(|i| i.position), Some(1));
    }
}

#[test]
fn author_line_and_ads_dropped() {
    let body = format!(
        r#"<p>{P1}</p><div class="ads ads-inread"><script>var a=1;</script></div><p>{P2}</p><p>{P3}</p>
<p class="article__author" style="text-align: right;"><strong>Minh Anh</strong></p>"#
    );
    for x in both(&page(&body)) {
        assert_eq!(x.body, vec![P1, P2, P3]);
        assert_eq!(x.author.as_deref(), Some("Minh Anh"));
    }
}

#[test]
fn unclassed_trailing_byline_dropped_in_generic() {
    let body = format!(
        r#"<p>{P1}</p><p>{P2}</p><p>{P3}</p><p style="text-align:right;"><strong>Lê Phương</strong></p>"#
    );
    let x = extract(&page(&body), &url(), None).unwrap();
    assert_eq!(x.body, vec![P1, P2, P3]);
    assert_eq!(x.author.as_deref(), Some("Lê Phương"));
}

#[test]
fn subheads_kept_in_order() {
    let body = format!(
        "<p>{P1}</p><h2>Nhiều sai phạm</h2><p>{P2}</p><p><strong>Làm rõ trách nhiệm</strong></p><p>{P3}</p>"
    );
    for x in both(&page(&body)) {
        assert_eq!(
            x.body,
            vec![P1, "Nhiều sai phạm", P2, "Làm rõ trách nhiệm", P3]
        );
    }
}

#[test]
fn rule_matching_nothing_falls_back_to_generic() {
    let mut r = rule();
    r.body = Some("div.no-such-body".into());
    r.title = Some("h1.no-such-title".into());
    r.lead = Some(".no-such-lead".into());
    let x = extract(&page(&paras()), &url(), Some(&r)).unwrap();
    assert_eq!(x.method, Method::SiteRuleFellBack);
    assert_eq!(x.method.as_str(), "site_rule_fallback");
    assert_eq!(x.title, "Tiêu đề bài viết");
    assert_eq!(
        x.lead.as_deref(),
        Some("(PLVN) - Tóm tắt nội dung của bài viết thử nghiệm.")
    );
    assert_eq!(x.body, vec![P1, P2, P3]);
}

#[test]
fn method_names() {
    let r = rule();
    assert_eq!(
        extract(&page(&paras()), &url(), Some(&r)).unwrap().method,
        Method::SiteRule
    );
    assert_eq!(Method::SiteRule.as_str(), "site_rule");
    assert_eq!(Method::Generic.as_str(), "generic");
}

#[test]
fn not_html_and_empty_input_are_errors() {
    for input in ["", "   \n ", "{\"a\": 1}", "%PDF-1.4 ...", "just some text"] {
        let r = extract(input, &url(), None);
        assert!(
            matches!(r, Err(ExtractError::NotHtml(_))),
            "{input:?}: {r:?}"
        );
    }
    let r = extract(
        "<html><body><nav><a href='/'>Home</a></nav></body></html>",
        &url(),
        None,
    );
    assert!(matches!(r, Err(ExtractError::NoContent)), "{r:?}");
}

#[test]
fn too_large_input_is_refused() {
    let big = "<p>a</p>".repeat(MAX_HTML_BYTES / 8 + 1);
    assert!(matches!(
        extract(&big, &url(), None),
        Err(ExtractError::TooLarge(_))
    ));
}

#[test]
fn deep_and_broken_markup_does_not_panic() {
    let deep = format!(
        "{}<p>{P1}</p>{}",
        "<div>".repeat(5_000),
        "</div>".repeat(10)
    );
    assert!(matches!(
        extract(&deep, &url(), None),
        Err(ExtractError::TooComplex(_))
    ));
    let broken = format!("<html><body><p>{P1}<table><td><figure><img data-src='::'></table>");
    let _ = extract(&broken, &url(), Some(&rule()));
    let bad_ld = format!(
        "<title>Thi hành án</title><script type='application/ld+json'>{{\"@type\": [1, {{}}], \"datePublished\": 5</script><p>{P1}</p><p>{P2}</p>"
    );
    let x = extract(&bad_ld, &url(), None).unwrap();
    assert_eq!(x.body, vec![P1, P2]);
}

#[test]
fn json_ld_date_preferred() {
    let html = page(&paras()).replace(
        "</head>",
        r#"<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},{"@type":"NewsArticle","headline":"Tiêu đề bài viết","datePublished":"2026-11-04T08:00:00+07:00","author":{"@type":"Person","name":"Trần Văn A"}}]}</script></head>"#,
    );
    let x = extract(&html, &url(), None).unwrap();
    assert_eq!(
        x.published.map(|d| d.to_string()).as_deref(),
        Some("2026-11-04T08:00:00+07:00")
    );
    assert_eq!(x.published_source.as_deref(), Some("json-ld"));
    assert_eq!(x.author.as_deref(), Some("Trần Văn A"));
}

#[test]
fn json_ld_typed_with_a_character_reference_is_still_read() {
    // Script text is cut before parsing; JSON-LD must survive the cut however its type
    // attribute is written.
    let html = page(&paras()).replace(
        "</head>",
        r#"<script>var a = "<p>not text</p>";</script><script type="application/ld&#x2B;json">{"@type":"NewsArticle","datePublished":"2026-11-04T08:00:00+07:00"}</script></head>"#,
    );
    let x = extract(&html, &url(), None).unwrap();
    assert_eq!(x.published_source.as_deref(), Some("json-ld"));
    assert_eq!(
        x.published.map(|d| d.to_string()).as_deref(),
        Some("2026-11-04T08:00:00+07:00")
    );
}

/// The date and its source the PLVN rule gives a page with `body` whose headline has the
/// rule's `<time>` (3 November 2026, 09:15) above it.
fn rule_published(body: &str) -> (Option<String>, Option<String>) {
    let html = page(body).replace(
        r#"<h1 class="article__title">"#,
        r#"<time class="article__time" datetime="2026-11-03T09:15:00+07:00">Thứ Ba, 03/11/2026 09:15 (GMT+7)</time><h1 class="article__title">"#,
    );
    let x = extract(&html, &url(), Some(&rule())).unwrap();
    (x.published.map(|d| d.to_string()), x.published_source)
}

#[test]
fn rule_published_from_time_element() {
    let (date, source) = rule_published(&paras());
    assert_eq!(date.as_deref(), Some("2026-11-03T09:15:00+07:00"));
    assert_eq!(source.as_deref(), Some("rule"));
}

#[test]
fn rule_published_date_is_not_replaced_by_a_printed_line() {
    // The operator's selector is the word on this site; a "Ngày đăng" line of another day
    // (a related item's, a republication's) must not overrule it.
    let (date, source) = rule_published(&format!("<p>Ngày đăng: 20/10/2026</p>{}", paras()));
    assert_eq!(date.as_deref(), Some("2026-11-03T09:15:00+07:00"));
    assert_eq!(source.as_deref(), Some("rule"));
}

#[test]
fn title_suffix_removed_without_h1() {
    let html = format!(
        "<html><head><title>Tiêu đề bài viết | Báo Pháp luật Việt Nam điện tử</title></head><body><div class='content'><p>{P1}</p><p>{P2}</p></div></body></html>"
    );
    let x = extract(&html, &url(), None).unwrap();
    assert_eq!(x.title, "Tiêu đề bài viết");
}

#[test]
fn title_suffix_set_off_by_a_guillemet_or_a_middle_dot_removed() {
    for sep in ["‹", "«", "·"] {
        let html = format!(
            "<html><head><title>Tiêu đề bài viết {sep} Báo Pháp luật</title></head><body>\
             <div class='content'><p>{P1}</p><p>{P2}</p></div></body></html>"
        );
        let x = extract(&html, &url(), None).unwrap();
        assert_eq!(x.title, "Tiêu đề bài viết", "{sep}");
    }
}

#[test]
fn validate_names_field_and_selector() {
    let mut r = rule();
    assert_eq!(r.validate(), Ok(()));
    r.lead = Some("div[[".into());
    let err = r.validate().unwrap_err();
    assert!(err.contains("`lead`") && err.contains("div[["), "{err}");
    let mut r = rule();
    r.strip.push("..x".into());
    let err = r.validate().unwrap_err();
    assert!(err.contains("`strip`") && err.contains("..x"), "{err}");
    let r = SiteRule::default();
    assert!(r.validate().unwrap_err().contains("hosts"));
}

#[test]
fn invalid_rule_falls_back_without_panic() {
    let mut r = rule();
    r.body = Some(":::".into());
    let x = extract(&page(&paras()), &url(), Some(&r)).unwrap();
    assert_eq!(x.method, Method::SiteRuleFellBack);
    assert_eq!(x.body, vec![P1, P2, P3]);
}

#[test]
fn host_matching_includes_subdomains() {
    let r = rule();
    assert!(r.matches_host("baophapluat.vn"));
    assert!(r.matches_host("www.baophapluat.vn"));
    assert!(r.matches_host("M.BaoPhapLuat.vn."));
    assert!(!r.matches_host("notbaophapluat.vn"));
    assert!(!r.matches_host("baophapluat.vn.evil.com"));
}

#[test]
fn canonical_resolved_absolute() {
    let html = page(&paras()).replace(
        "</head>",
        r#"<link rel="canonical" href="/mot-bai-viet-post1.html"></head>"#,
    );
    let x = extract(&html, &url(), None).unwrap();
    assert_eq!(
        x.canonical_url.as_deref(),
        Some("https://baophapluat.vn/mot-bai-viet-post1.html")
    );
}

/// The page chrome is cut before parsing, but a site rule that points into it still finds
/// its element: the page is parsed whole when a selector naming something in the chrome
/// comes back empty.
#[test]
fn a_rule_pointing_into_the_page_chrome_still_finds_its_element() {
    let html = page(&paras()).replace(
        "<footer class=\"footer\">",
        "<footer class=\"footer\"><span class=\"writer\">Lê Phương</span>",
    );
    let mut r = rule();
    r.author = Some("footer .writer".into());
    let x = extract(&html, &url(), Some(&r)).unwrap();
    assert_eq!(x.author.as_deref(), Some("Lê Phương"));
    assert_eq!(x.body, vec![P1, P2, P3]);
    assert_eq!(x.method, Method::SiteRule);
    // Without the rule the footer is chrome and nothing of it reaches the article.
    let x = extract(&html, &url(), None).unwrap();
    assert_ne!(x.author.as_deref(), Some("Lê Phương"));
}

#[test]
fn rules_that_count_positions_are_recognised() {
    let mut r = rule();
    assert!(!r.counts_positions());
    r.title = Some("article > h1:nth-child(1)".into());
    assert!(r.counts_positions());
    r.title = None;
    r.strip = vec!["h2 + ul".into()];
    assert!(r.counts_positions());
}
