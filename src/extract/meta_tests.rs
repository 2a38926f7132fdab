//! Dates and authors users can trust, one trap per test, on small hand-written pages.

use super::*;

const P: &str = "The council met on Monday evening and, after a long debate, voted to approve the new budget for the coming year.";

fn url() -> Url {
    Url::parse("https://news.example.com/council-budget").unwrap()
}

fn page(head: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Council approves budget</title>{head}</head>\
         <body><article><h1>Council approves budget</h1>{body}<p>{P}</p><p>{P} Again.</p></article></body></html>"
    )
}

fn meta(key: &str, value: &str) -> String {
    format!("<meta property=\"{key}\" content=\"{value}\">")
}

fn published(html: &str, rule: Option<&SiteRule>) -> (Option<String>, Option<String>) {
    let x = extract(html, &url(), rule).unwrap();
    (x.published.map(|d| d.to_string()), x.published_source)
}

#[test]
fn offset_without_colon_is_read() {
    let html = page(
        &meta("article:published_time", "2023-04-28T18:11:01+0200"),
        "",
    );
    assert_eq!(
        published(&html, None).0.as_deref(),
        Some("2023-04-28T18:11:01+02:00")
    );
}

#[test]
fn local_time_takes_the_offset_the_page_declares_elsewhere() {
    let head = meta("article:published_time", "2023-04-28 18:11:01")
        + &meta("article:modified_time", "2023-04-29T09:00:00+02:00");
    let (d, src) = published(&page(&head, ""), None);
    assert_eq!(d.as_deref(), Some("2023-04-28T18:11:01+02:00"));
    assert_eq!(src.as_deref(), Some("meta, zone of the page or site"));
}

#[test]
fn a_utc_date_is_shown_in_the_local_offset_the_page_prints() {
    // Stored at 02:41 UTC on the 19th, printed "December 18, 9:41 pm" in New York: the same
    // instant, on the page's own day.
    let head = meta("article:published_time", "2025-12-19T02:41:41+00:00");
    let body = "<time datetime=\"2025-12-18T21:41:41-05:00\">December 18, 2025</time>";
    assert_eq!(
        published(&page(&head, body), None).0.as_deref(),
        Some("2025-12-18T21:41:41-05:00")
    );
}

#[test]
fn local_time_takes_the_sites_time_zone() {
    let rule = SiteRule {
        hosts: vec!["news.example.com".into()],
        timezone: Some("Asia/Ho_Chi_Minh".into()),
        ..SiteRule::default()
    };
    let html = page(&meta("article:published_time", "2023-04-28 18:11:01"), "");
    assert_eq!(
        published(&html, Some(&rule)).0.as_deref(),
        Some("2023-04-28T18:11:01+07:00")
    );
}

#[test]
fn local_time_with_no_zone_anywhere_is_not_made_utc() {
    let (d, src) = published(
        &page(&meta("article:published_time", "2023-04-28 18:11:01"), ""),
        None,
    );
    assert_eq!(d.as_deref(), Some("2023-04-28T18:11:01"));
    assert_eq!(src.as_deref(), Some("meta, offset unknown"));
}

#[test]
fn date_only_stays_date_only() {
    let (d, src) = published(
        &page(&meta("article:published_time", "2023-04-28"), ""),
        None,
    );
    assert_eq!(d.as_deref(), Some("2023-04-28"));
    assert_eq!(src.as_deref(), Some("meta, date only"));
}

#[test]
fn placeholder_year_is_dropped_with_its_reason() {
    let head = meta("article:published_time", "9999-12-31T00:00:00Z");
    let x = extract(
        &page(&head, "<p class=\"date\">28/04/2023</p>"),
        &url(),
        None,
    )
    .unwrap();
    assert_eq!(
        x.published.map(|d| d.to_string()).as_deref(),
        Some("2023-04-28")
    );
    assert!(
        x.date_notes
            .iter()
            .any(|n| n.contains("9999") && n.contains("ahead")),
        "{:?}",
        x.date_notes
    );
}

#[test]
fn visible_date_beside_the_headline_when_no_metadata_has_one() {
    let (d, src) = published(
        &page(
            "",
            "<div class=\"byline-row\">Jane Doe · March 5, 2024</div>",
        ),
        None,
    );
    assert_eq!(d.as_deref(), Some("2024-03-05"));
    assert_eq!(src.as_deref(), Some("text, date only"));
}

/// A page whose headline is no `<h1>`: `headline` is printed as given, then `body`.
fn page_without_h1(headline: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Council approves budget for next year \
         | City News</title></head><body><div class=\"top\">{headline}</div>{body}<p>{P}</p>\
         <p>{P} Again.</p></body></html>"
    )
}

#[test]
fn the_date_under_a_headline_that_is_no_h1_is_found() {
    let html = page_without_h1(
        "<p class=\"display-title\">Council approves budget for next year</p>",
        "<p>March 5, 2024</p>",
    );
    assert_eq!(published(&html, None).0.as_deref(), Some("2024-03-05"));
}

#[test]
fn the_date_printed_in_the_author_box_is_found() {
    // No headline element to search from and no element named as a date: the author box
    // prints it beside the name.
    let html = page_without_h1(
        "",
        "<div class=\"resource-author\"><p>Jane Doe</p><small>March 5, 2024</small></div>",
    );
    assert_eq!(published(&html, None).0.as_deref(), Some("2024-03-05"));
}

#[test]
fn a_historical_date_in_a_caption_under_the_headline_leaves_the_date_above_it() {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Council approves budget</title></head>\
         <body><article><div class=\"info\"><span>Dec 17, 2025</span><span>Jane Doe</span></div>\
         <h1>Council approves budget</h1><figure><img src=\"/hall.jpg\">\
         <figcaption>The town hall as it opened, August 12, 1898.</figcaption></figure>\
         <p>{P}</p><p>{P} Again.</p></article></body></html>"
    );
    assert_eq!(published(&html, None).0.as_deref(), Some("2025-12-17"));
}

#[test]
fn json_ld_article_after_a_web_page_script_is_read() {
    let head = r#"<script type="application/ld+json">{"@type":"WebPage","name":"Council"}</script>
        <script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-03-05T10:00:00-05:00",
        "author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Person","name":"John Roe"}]}</script>"#;
    let x = extract(&page(head, ""), &url(), None).unwrap();
    assert_eq!(
        x.published.map(|d| d.to_string()).as_deref(),
        Some("2024-03-05T10:00:00-05:00")
    );
    assert_eq!(x.authors, vec!["Jane Doe", "John Roe"]);
    assert_eq!(x.author.as_deref(), Some("Jane Doe, John Roe"));
}

#[test]
fn byline_loses_its_by_and_its_date() {
    let x = extract(
        &page(
            "",
            "<p class=\"author\">By Jane Doe and John Roe 30 August 2023 • 4:45pm</p>",
        ),
        &url(),
        None,
    )
    .unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe and John Roe"));
    assert_eq!(x.authors, vec!["Jane Doe", "John Roe"]);
}

#[test]
fn a_person_wins_over_the_site_named_as_author() {
    let head =
        meta("og:site_name", "News Example") + "<meta name=\"author\" content=\"News Example\">";
    let x = extract(
        &page(&head, "<span class=\"byline\">By Jane Doe</span>"),
        &url(),
        None,
    )
    .unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
    let only_site = page(&meta("og:site_name", "News Example"), "").replace(
        "</head>",
        "<meta name=\"author\" content=\"News Example\"></head>",
    );
    let x = extract(&only_site, &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("News Example"));
}

#[test]
fn a_photo_caption_is_never_the_lead() {
    let body = "<figure><img src=\"/a.jpg\"><figcaption class=\"summary\">Council members during the vote on Monday evening in the city hall.</figcaption></figure>";
    let x = extract(&page("", body), &url(), None).unwrap();
    assert_eq!(x.lead, None);
    assert_eq!(
        x.captions,
        vec!["Council members during the vote on Monday evening in the city hall."]
    );
}

#[test]
fn the_pages_one_headline_beats_a_rewritten_social_title() {
    let head = meta(
        "og:title",
        "Top 10: council budget votes you must see (tested by experts)",
    );
    let x = extract(&page(&head, ""), &url(), None).unwrap();
    assert_eq!(x.title, "Council approves budget");
}

#[test]
fn a_site_name_h1_inside_the_title_loses_to_the_headline() {
    // `<title>` ends with the site's name, which the logo's `<h1>` also prints.
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Council approves budget | City News</title>\
         </head><body><header><h1 class=\"site-name\"><a href=\"/\">City News</a></h1></header>\
         <article><h1>Council approves budget</h1><p>{P}</p><p>{P} Again.</p></article></body></html>"
    );
    let x = extract(&html, &url(), None).unwrap();
    assert_eq!(x.title, "Council approves budget");
}

#[test]
fn the_site_name_h1_above_the_headline_is_no_body_text() {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Council approves budget - City News</title>\
         </head><body><div class=\"wrap\"><h1 class=\"title\">City News</h1><div class=\"post\">\
         <h1>Council approves budget</h1><p>{P}</p><p>{P} Again.</p></div></div></body></html>"
    );
    let x = extract(&html, &url(), None).unwrap();
    assert!(!x.body.iter().any(|b| b == "City News"), "{:?}", x.body);
}

#[test]
fn authors_listed_apart_keep_the_byline_as_the_page_prints_it() {
    let ld = r#"<script type="application/ld+json">{"@type":"NewsArticle","headline":"Council approves budget",
        "author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Person","name":"John Roe"},{"@type":"Person","name":"Ann Poe"}]}</script>"#;
    let printed = page(
        ld,
        "<p class=\"byline\">By Jane Doe, John Roe, and Ann Poe</p>",
    );
    let x = extract(&printed, &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe, John Roe, and Ann Poe"));
    assert_eq!(x.authors, vec!["Jane Doe", "John Roe", "Ann Poe"]);
    // A byline naming someone else is not taken for theirs: the list is joined.
    let other = page(ld, "<p class=\"byline\">By Jane Doe and Max Moe</p>");
    let x = extract(&other, &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe, John Roe, Ann Poe"));
}

#[test]
fn an_author_box_gives_its_name_not_its_bio() {
    let body = "<div class=\"blog_author-wrapper\"><img alt=\"\" src=\"/a.jpg\"><div>Jane Doe</div>\
                <div>Jane covers city hall and has written about local budgets for twenty years, after a career in accounting.</div></div>";
    let x = extract(&page("", body), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
}

#[test]
fn a_byline_printed_without_markup_is_found_after_its_label() {
    let split = "<div class=\"text-body\"><p class=\"grey\">Written by</p><p class=\"grey\">Jane Doe</p></div>";
    let x = extract(&page("", split), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
    let inline = "<p class=\"text\">Written by Jane Doe</p>";
    let x = extract(&page("", inline), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
    // A sentence that starts with "By" is no byline.
    let sentence = "<p>By the end of the night the council had agreed.</p>";
    let x = extract(&page("", sentence), &url(), None).unwrap();
    assert_eq!(x.author, None);
}

#[test]
fn a_menu_entry_after_by_or_an_about_heading_is_no_author() {
    let menu = "<ul><li>By Category</li><li>By Car</li></ul>";
    let x = extract(&page("", menu), &url(), None).unwrap();
    assert_eq!(x.author, None);
    let about = "<div class=\"author-box\"><h4>About Jane Doe</h4><p>Jane Doe</p>\
                 <p>Jane covers city hall and has written about local budgets for twenty years.</p></div>";
    let x = extract(&page("", about), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
}

#[test]
fn a_labelled_byline_may_name_several_authors_and_carry_a_date() {
    let two = "<p class=\"meta\">Written by <a href=\"/a/jd\">Jane Doe and John Roe</a></p>";
    let x = extract(&page("", two), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe and John Roe"));
    assert_eq!(x.authors, vec!["Jane Doe", "John Roe"]);
    let dated = "<p class=\"meta\">by: Jane Doe, Dec 17, 2025</p>";
    let x = extract(&page("", dated), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
    let heading = "<div class=\"item\"><h3>Author</h3><p>Jane Doe</p></div>";
    let x = extract(&page("", heading), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
}

#[test]
fn an_author_box_gives_its_name_element_not_the_job_title_beside_it() {
    let body = "<div class=\"author-info\"><div class=\"author-info__name\">Jane Doe</div>\
                <div class=\"author-info__position\">Senior Reporter</div></div>";
    let x = extract(&page("", body), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
}

#[test]
fn a_byline_with_one_author_element_drops_its_kicker_and_job_title() {
    let body = "<div class=\"byline\"><span class=\"kind\">Guide</span> by \
                <span class=\"author\"><a href=\"/a/jd\">Jane Doe</a></span> \
                <span class=\"job\">Deputy Editor</span></div>";
    let x = extract(&page("", body), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
}

#[test]
fn a_byline_with_two_author_elements_keeps_both() {
    let body = "<div class=\"byline\">By <span class=\"author\">Jane Doe</span> and \
                <span class=\"author\">John Roe</span></div>";
    let x = extract(&page("", body), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe and John Roe"));
    assert_eq!(x.authors, vec!["Jane Doe", "John Roe"]);
}

#[test]
fn an_author_box_whose_bio_says_in_still_gives_its_name() {
    let body = "<div class=\"blog_author-box\"><div class=\"blog_author-text\"><div>Jane Doe</div>\
                <div class=\"rich-text_author\"><p>Jane Doe is a reporter specialising in city budgets, \
                housing and transport, and has covered the council for ten years.</p></div></div></div>";
    let x = extract(&page("", body), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
}

#[test]
fn twitters_written_by_card_names_the_author() {
    let head = "<meta name=\"twitter:label1\" content=\"Written by\"><meta name=\"twitter:data1\" content=\"Jane Doe\">\
                <meta name=\"twitter:label2\" content=\"Est. reading time\"><meta name=\"twitter:data2\" content=\"3 minutes\">";
    let x = extract(&page(head, ""), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
}

#[test]
fn a_labelled_byline_ends_at_its_link_unless_another_name_follows() {
    let button = "<p>By <a href=\"/c/jd\">Jane Doe</a> <a class=\"btn\" href=\"/ed\">View In Digital Edition</a></p>";
    let x = extract(&page("", button), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
    let two = "<p>By <a href=\"/c/jd\">Jane Doe</a> and <a href=\"/c/jr\">John Roe</a></p>";
    let x = extract(&page("", two), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe and John Roe"));
}

#[test]
fn a_reviewer_or_editor_after_the_author_is_not_the_author() {
    let body = "<div class=\"author-line\">By <a href=\"/a/jd\">Jane Doe, DVM</a>. Reviewed by <a href=\"/a/jr\">John Roe</a></div>";
    let x = extract(&page("", body), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe, DVM"));
}

#[test]
fn a_label_alone_takes_the_name_in_the_next_element_not_the_bio_after_it() {
    let body = "<div class=\"card\"><div class=\"small\">Written by</div><div class=\"big\">Jane Doe</div>\
                <div>Hi! I'm Jane, and I have covered the council and its budgets for twenty years now.</div></div>";
    let x = extract(&page("", body), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
}

#[test]
fn a_menu_entry_named_like_a_label_takes_no_name_from_the_next_entry() {
    let menu = "<ul><li><a href=\"/c\"><span>Contributors</span></a></li><li><a href=\"/s\"><span>Online Services</span></a></li></ul>";
    let x = extract(&page("", menu), &url(), None).unwrap();
    assert_eq!(x.author, None);
}

#[test]
fn one_meta_tag_per_author_lists_every_author_of_a_paper() {
    let head = "<meta name=\"citation_author\" content=\"Jane Doe\"><meta name=\"citation_author\" content=\"John Roe\">\
                <meta name=\"citation_author\" content=\"Ann Poe\">";
    let x = extract(&page(head, ""), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe, John Roe, Ann Poe"));
    assert_eq!(x.authors, vec!["Jane Doe", "John Roe", "Ann Poe"]);
}

#[test]
fn authors_printed_surname_first_are_joined_without_losing_their_commas() {
    let head = "<meta name=\"citation_author\" content=\"Doe, Jane\"><meta name=\"citation_author\" content=\"Roe, John\">";
    let x = extract(&page(head, ""), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Doe, Jane; Roe, John"));
    assert_eq!(x.authors, vec!["Doe, Jane", "Roe, John"]);
}

#[test]
fn a_commenters_name_is_not_the_author() {
    let body = "<div class=\"comments\"><article class=\"comment-body\"><div class=\"comment-author vcard\">\
                <b class=\"fn\">Max Moe</b> says:</div><p>Great piece.</p></article></div>";
    let x = extract(&page("", body), &url(), None).unwrap();
    assert_eq!(x.author, None);
}

#[test]
fn a_login_name_in_the_author_meta_yields_to_the_printed_full_name() {
    let head = meta("author", "jane.doe42");
    let body = "<div class=\"author-info\"><span>Jane Doe</span></div>";
    let x = extract(&page(&head, body), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
    // Alone, the login name is all the page gives.
    let x = extract(&page(&head, ""), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("jane.doe42"));
}

#[test]
fn an_author_given_by_its_graph_id_is_the_person_with_that_id() {
    let ld = r#"<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
        {"@type":"Article","headline":"Council approves budget","author":[{"@id":"https://news.example.com/#/person/1"}]},
        {"@type":"Person","@id":"https://news.example.com/#/person/1","name":"Jane Doe"}]}</script>"#;
    let x = extract(&page(ld, ""), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
}

#[test]
fn a_publication_name_beside_two_author_elements_is_not_the_author() {
    let body = "<div class=\"byline\"><a class=\"author\">Jane Doe</a> and <a class=\"author\">John Roe</a>, \
                <span class=\"publication-name\">Reuters</span></div>";
    let x = extract(&page("", body), &url(), None).unwrap();
    assert_ne!(x.author.as_deref(), Some("Reuters"));
    assert_eq!(x.authors.first().map(String::as_str), Some("Jane Doe"));
}

#[test]
fn one_author_element_and_a_co_author_in_plain_text_are_both_kept() {
    let body = "<div class=\"byline\">By <span class=\"author\">Jane Doe</span> and John Roe</div>";
    let x = extract(&page("", body), &url(), None).unwrap();
    assert_eq!(x.authors, vec!["Jane Doe", "John Roe"]);
}

#[test]
fn a_label_followed_by_text_takes_no_name_from_a_later_link() {
    let body = "<p class=\"x\"><b>By</b> Jane Doe for <a href=\"/\">Example News</a></p>";
    let x = extract(&page("", body), &url(), None).unwrap();
    assert_ne!(x.author.as_deref(), Some("Example News"));
}

#[test]
fn a_commentary_page_keeps_its_byline() {
    let body = "<section class=\"commentary\"><div class=\"author\">Jane Doe</div></section>";
    let x = extract(&page("", body), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
}

#[test]
fn two_author_meta_tags_of_a_theme_and_a_plugin_are_not_two_authors() {
    let head = format!(
        "{}{}",
        meta("author", "Jane Doe"),
        meta("author", "Site Staff")
    );
    let x = extract(&page(&head, ""), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
}

#[test]
fn a_login_name_in_json_ld_yields_to_the_printed_full_name() {
    let ld = r#"<script type="application/ld+json">{"@type":"Article","headline":"Council approves budget",
        "author":{"@type":"Person","name":"andrew.keaveney"}}</script>"#;
    let body = "<div class=\"author-info\"><span>Jane Doe</span></div>";
    let x = extract(&page(ld, body), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
}

#[test]
fn a_one_word_name_linked_to_its_author_page_after_by_is_the_author() {
    let linked = "<p class=\"meta\">by <a href=\"/author/amanda/\">Amanda</a> · Dec 20, 2025</p>";
    let x = extract(&page("", linked), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Amanda"));
    // Linked elsewhere, one word after "By" is a menu entry.
    let menu = "<p>By <a href=\"/category/cars\">Cars</a></p>";
    let x = extract(&page("", menu), &url(), None).unwrap();
    assert_eq!(x.author, None);
}

#[test]
fn a_link_to_an_author_page_with_no_label_names_the_author() {
    let card = "<div class=\"flex gap-2\"><a href=\"/blog/authors/jane-doe\" aria-label=\"Jane Doe\">\
                <img src=\"/jd.png\" alt=\"\"></a><span>Dec 17, 2025</span></div>";
    let x = extract(&page("", card), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
    // The site's list of its writers, in the footer, names no author of this page.
    let footer = "<footer><a href=\"/authors/john-roe\">John Roe</a></footer>";
    let x = extract(&page("", footer), &url(), None).unwrap();
    assert_eq!(x.author, None);
}

#[test]
fn a_brand_opening_with_a_digit_after_by_is_the_author() {
    let brand = "<p class=\"text-with-icon\">By 3i Global</p>";
    let x = extract(&page("", brand), &url(), None).unwrap();
    assert_eq!(x.author.as_deref(), Some("3i Global"));
    let year = "<p>By 2025 Edition</p>";
    let x = extract(&page("", year), &url(), None).unwrap();
    assert_eq!(x.author, None);
}

#[test]
fn a_sidebars_dated_teaser_before_the_article_does_not_date_it() {
    // "Recent posts" set before the article in the markup, each date in a date-classed
    // element; the article's own date is printed beside its headline without a class.
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Council approves budget</title></head><body>\
         <aside class=\"recent\"><div class=\"teaser\"><a href=\"/old\">An older post about the budget</a>\
         <span class=\"post-date\">October 30, 2025</span></div></aside>\
         <main><h1>Council approves the new budget</h1><p>Back to blog · Dec 12, 2025 · 4 min read</p>\
         <p>{P}</p><p>{P} Again.</p></main></body></html>"
    );
    let (date, source) = published(&html, None);
    assert_eq!(date.as_deref(), Some("2025-12-12"));
    assert_eq!(source.as_deref(), Some("text, date only"));
}

/// A body long enough that nothing after it is "beside the headline".
fn long_article(closing: &str) -> String {
    let paras: String = (0..16).map(|k| format!("<p>{P} Part {k}.</p>")).collect();
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Council approves budget</title></head><body>\
         <article><h1>Council approves budget</h1>{paras}{closing}</article></body></html>"
    )
}

#[test]
fn a_posted_on_line_closing_an_undated_article_dates_it() {
    // A hand-made blog: no date metadata, no date-classed element, only the line after the
    // article that the clean-up takes out of the body.
    let closing = "<div style=\"text-align:center\">Posted on the 15/12/2025 at 19:00 by \
                   <a href=\"https://example.org/jane\">@janedoe</a></div>";
    let x = extract(&long_article(closing), &url(), None).unwrap();
    assert_eq!(
        x.published.map(|d| d.to_string()).as_deref(),
        Some("2025-12-15T19:00:00")
    );
    assert!(
        !x.body_text().contains("Posted on"),
        "the line stays out of the body"
    );
}

#[test]
fn an_updated_line_closing_an_undated_article_is_no_publication_date() {
    let closing = "<p>Last updated on 03/05/2024 at 10:00</p>";
    let x = extract(&long_article(closing), &url(), None).unwrap();
    assert_eq!(x.published, None);
}

#[test]
fn a_date_printed_beside_an_unnamed_written_by_line_dates_the_page() {
    // Utility classes only: neither the byline nor the date is named for what it is.
    let byline = "<div class=\"mt-4 flex\"><p class=\"text-sm\">Written by <a href=\"/blog/author/jane-doe\">\
                  Jane Doe</a></p><p class=\"text-sm\">April 8, 2024</p></div>";
    let html = long_article("").replace("</article>", &format!("</article>{byline}"));
    let (date, source) = published(&html, None);
    assert_eq!(date.as_deref(), Some("2024-04-08"));
    assert_eq!(source.as_deref(), Some("text, date only"));
}

#[test]
fn a_published_line_outranks_machine_dates_of_another_day() {
    // An SEO plugin wrote the last update's day as datePublished.
    let ld = r#"<script type="application/ld+json">{"@type":"Article","datePublished":"Aug 21, 2025"}</script>"#;
    let line = "<div class=\"flex gap-2\">Published Apr 26, 2023 Updated Aug 21, 2025</div>";
    let (date, source) = published(&page(ld, line), None);
    assert_eq!(date.as_deref(), Some("2023-04-26"));
    assert_eq!(source.as_deref(), Some("text, date only"));
}

#[test]
fn a_published_label_alone_takes_the_date_in_the_next_element() {
    // `03-09-2026` in the metadata reads as 3 September; the page prints March 9.
    let head = "<meta name=\"article:published_time\" content=\"03-09-2026\">";
    let line =
        "<div><span>By Jane Doe</span> <span>Published</span> <span>March 9, 2026</span></div>";
    let (date, _) = published(&page(head, line), None);
    assert_eq!(date.as_deref(), Some("2026-03-09"));
}

#[test]
fn a_published_line_a_day_off_the_machine_date_is_only_its_zone() {
    let head = meta("article:published_time", "2025-12-02T23:00:55+00:00");
    let line = "<p>Published December 3, 2025</p>";
    let (date, source) = published(&page(&head, line), None);
    assert_eq!(date.as_deref(), Some("2025-12-02T23:00:55+00:00"));
    assert_eq!(source.as_deref(), Some("meta"));
}

#[test]
fn a_publication_line_in_another_language_outranks_a_machine_date_weeks_off() {
    // As "Published …" does: the page's own words over a CMS field it misfilled.
    let head = meta("article:published_time", "2024-04-20T09:00:00+01:00");
    let line = "<p class=\"meta\">Veröffentlicht am 5. März 2024, 14:30 Uhr</p>";
    let (date, _) = published(&page(&head, line), None);
    assert_eq!(date.as_deref(), Some("2024-03-05T14:30:00+01:00"));
}

#[test]
fn a_byline_labelled_in_another_language_names_the_author_and_leaves_the_body() {
    // No class and no metadata name the author: only the label does.
    let x = extract(
        &page("", "<div><span>Autorin: Anna Schmidt</span></div>"),
        &url(),
        None,
    )
    .unwrap();
    assert_eq!(x.author.as_deref(), Some("Anna Schmidt"));
    assert!(!x.body.iter().any(|b| b.contains("Anna")), "{:?}", x.body);
}

#[test]
fn an_embedded_posts_time_is_not_the_storys_date() {
    let html = page(
        "",
        "<div class=\"publish-date\">29. Januar 2019</div>\
         <blockquote class=\"instagram-media\"><p>A post shared by the club \
         <time datetime=\"2018-03-12T19:30:12+00:00\">Mar 12, 2018</time></p></blockquote>",
    );
    assert_eq!(published(&html, None).0.as_deref(), Some("2019-01-29"));
}

#[test]
fn a_sidebar_lists_times_are_not_the_storys_date() {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Council approves budget</title></head>\
         <body><aside><ul><li><a href=\"/older\">An older story</a> \
         <time datetime=\"2019-07-30\">30 July 2019</time></li></ul></aside>\
         <article><h1>Council approves budget</h1><div class=\"post-date\">27 June 2019</div>\
         <p>{P}</p><p>{P} Again.</p></article></body></html>"
    );
    assert_eq!(published(&html, None).0.as_deref(), Some("2019-06-27"));
}

#[test]
fn a_date_the_first_paragraph_speaks_of_is_not_the_storys_date() {
    let html = page(
        "",
        "<p>Members of the council who had argued for a smaller budget all year said they \
         would meet again on 23 August 2017 to look at the figures once more.</p>\
         <div class=\"post-date\">24 July 2017</div>",
    );
    assert_eq!(published(&html, None).0.as_deref(), Some("2017-07-24"));
}

#[test]
fn a_press_releases_dateline_opening_its_first_paragraph_is_its_date() {
    let html = page(
        "",
        "<p>WASHINGTON, March 5, 2024 /PRNewswire/ -- The council said on Tuesday that it had \
         approved the budget for the coming year.</p>",
    );
    assert_eq!(published(&html, None).0.as_deref(), Some("2024-03-05"));
}

/// A blog post whose date is printed only in the meta line under it, `line` that line, too
/// far below the headline to be read as the date printed under it.
fn post_with_meta_line(line: &str) -> String {
    let paras = format!("<p>{P}</p>").repeat(16);
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Council approves budget</title></head>\
         <body><div class=\"entry-asset\"><div class=\"asset-header\"><h2>Council approves \
         budget</h2></div><div class=\"asset-content\"><div class=\"asset-body\">{paras}</div>\
         </div><div class=\"asset-footer\"><div class=\"asset-meta\">{line}</div></div></div>\
         <div class=\"sidebar\"><h3>Older posts</h3><ul><li><a href=\"/older\">Older post</a>\
         <span class=\"meta\">9 September 2019</span></li></ul></div></body></html>"
    )
}

#[test]
fn the_date_in_the_posts_meta_line_is_its_date() {
    let html = post_with_meta_line("Von Christian am 03.05.2013, 11:51 | 0 Meinungen");
    assert_eq!(
        published(&html, None).0.as_deref(),
        Some("2013-05-03T11:51:00")
    );
}

#[test]
fn a_meta_lines_last_update_is_not_the_publication_date() {
    let html = post_with_meta_line("Zuletzt aktualisiert am 03.05.2013");
    assert_eq!(published(&html, None).0, None);
}
