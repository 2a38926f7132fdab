//! Unit tests of the generic extractor's techniques and of the pre-parse
//! guard, one per trap, on small English pages shaped like the AEB pages
//! that showed each trap.

use super::*;

const P1: &str = "The council met on Monday evening, and after a long debate, the members voted to approve the new budget.";
const P2: &str = "Opponents said the plan, which raises fees for parking, would hurt small shops in the old town centre.";
const P3: &str = "The mayor said the money, about two million dollars, would go to roads, schools and the public library.";
const P4: &str = "A final vote on the details, including the parking fees, is expected at the next meeting in December.";

fn url() -> Url {
    Url::parse("https://news.example.com/2019/11/council-budget").unwrap()
}

fn page(head: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Council approves budget</title>{head}</head>\
         <body><nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>{body}\
         <footer><p>Copyright News Example, all rights reserved.</p></footer></body></html>"
    )
}

fn generic(html: &str) -> Extracted {
    extract(html, &url(), None).unwrap()
}

fn sidebar() -> String {
    let links: String = (0..12)
        .map(|i| format!("<li><a href=\"/archive/{i}\">Archive of month number {i}</a></li>"))
        .collect();
    format!("<div class=\"col-md-3\"><ul>{links}</ul></div>")
}

#[test]
fn loose_text_between_brs_beside_block_children_is_the_article() {
    let body = format!(
        "{}<div class=\"col-md-9\"><h2>Council approves budget</h2>\
         <br><br>{P1} {P2}<br><br>{P3}<br>\
         <div class=\"row\"><a href=\"/share\">Facebook</a></div></div>\
         <div class=\"bottom\"><div>News Example - Main Street, 1111 - Phone: (047) 2106-8000</div></div>",
        sidebar()
    );
    let x = generic(&page("", &body));
    assert_eq!(x.body, vec![format!("{P1} {P2}"), P3.to_string()]);
}

#[test]
fn one_wrapper_div_per_paragraph_keeps_every_paragraph() {
    let cards: String = [P1, P2, P3, P4]
        .iter()
        .map(|p| {
            format!(
                "<div class=\"card collection-item\"><div class=\"card-content\"><p>{p}</p></div></div>"
            )
        })
        .collect();
    let body = format!("<div id=\"article-body\">{cards}</div>{}", sidebar());
    let x = generic(&page("", &body));
    assert_eq!(x.body, vec![P1, P2, P3, P4]);
}

#[test]
fn article_chunks_split_by_an_ad_row_are_merged() {
    let chunk = |ps: &[&str]| {
        let inner: String = ps.iter().map(|p| format!("<p>{p}</p>")).collect();
        format!(
            "<div class=\"grid narrow\"><div class=\"body article__body\">{inner}</div>\
             <div class=\"grid-layout__aside\"></div></div>"
        )
    };
    let body = format!(
        "<article><div class=\"chunks\">{}<div class=\"row ad\"><span>Advertisement</span></div>{}</div></article>",
        chunk(&[P1, P2]),
        chunk(&[P3, P4])
    );
    let x = generic(&page("", &body));
    assert_eq!(x.body, vec![P1, P2, P3, P4]);
}

#[test]
fn summary_classed_body_wrapper_is_not_the_lead() {
    let paras: String = (0..10)
        .map(|i| format!("<p>{} Item {i}.</p>", [P2, P3, P4][i % 3]))
        .collect();
    let head = format!("<meta name=\"description\" content=\"{P1}\">");
    let body = format!(
        "<div class=\"field field-type-text-with-summary\"><p>{P1}</p>{paras}</div>{}",
        sidebar()
    );
    let x = generic(&page(&head, &body));
    assert_eq!(x.lead.as_deref(), Some(P1));
    assert_eq!(x.body.len(), 10);
    assert_eq!(
        x.body.first().map(String::as_str),
        Some(&*format!("{P2} Item 0."))
    );
}

#[test]
fn display_none_and_hidden_attribute_text_dropped() {
    let body = format!(
        "<article><p>{P1}<span style=\"Display: None\"> Hover card: more stories about the council</span></p>\
         <div hidden><p>{P2}</p></div><p>{P3}</p></article>"
    );
    let x = generic(&page("", &body));
    assert_eq!(x.body, vec![P1, P3]);
}

#[test]
fn aria_hidden_pull_quote_is_visible_text_and_kept() {
    let body = format!(
        "<article><p>{P1}</p><blockquote aria-hidden=\"true\">{P2}</blockquote><p>{P3}</p></article>"
    );
    let x = generic(&page("", &body));
    assert_eq!(x.body, vec![P1, P2, P3]);
}

#[test]
fn hidden_lead_classed_box_is_not_the_lead() {
    let body = format!(
        "<div class=\"sub-box\" style=\"display:none\"><div class=\"description\">\
         Sign up to get our exclusive scoops and entertainment news</div></div>\
         <article><p>{P1}</p><p>{P2}</p><p>{P3}</p></article>"
    );
    let x = generic(&page("", &body));
    assert_eq!(x.lead, None);
    assert_eq!(x.body, vec![P1, P2, P3]);
}

#[test]
fn datelines_above_and_below_the_article_dropped() {
    let body = format!(
        "<article><p>Associated Press November 19, 2019, 9:02 AM</p>\
         <p>Updated 1:39 am EST, Wednesday, November 20, 2019</p>\
         <p>{P1}</p><p>{P2}</p><p>{P3}</p><p>Posted: 18 Nov 2019 8:11 pm</p></article>"
    );
    let x = generic(&page("", &body));
    assert_eq!(x.body, vec![P1, P2, P3]);
}

#[test]
fn tweet_attribution_with_date_kept() {
    let body = format!(
        "<article><p>{P1}</p><p>{P2}</p><blockquote><p>We did it.</p>\
         <p>— Jane Doe (@janedoe) November 18, 2019</p></blockquote></article>"
    );
    let x = generic(&page("", &body));
    assert_eq!(
        x.body,
        vec![
            P1,
            P2,
            "We did it.",
            "— Jane Doe (@janedoe) November 18, 2019"
        ]
    );
}

#[test]
fn share_prompts_and_ad_labels_dropped() {
    let body = format!(
        "<article><p>Sharing is caring!</p><p>{P1}</p><div>ADVERTISEMENT</div><p>{P2}</p>\
         <p>{P3}</p><p>Like this:</p></article>"
    );
    let x = generic(&page("", &body));
    assert_eq!(x.body, vec![P1, P2, P3]);
}

#[test]
fn markup_nested_twenty_thousand_deep_refused_before_parsing() {
    let deep = format!(
        "<html><body>{}<p>{P1}</p>{}</body></html>",
        "<div>".repeat(20_000),
        "</div>".repeat(20_000)
    );
    let err = extract(&deep, &url(), None).unwrap_err();
    assert!(matches!(err, ExtractError::TooComplex(_)));
    assert_eq!(
        err.to_string(),
        "markup too complex: nested deeper than 1000 levels"
    );
}

#[test]
fn flood_of_tiny_elements_refused_before_parsing() {
    let flood = format!(
        "<html><body><p>{P1}</p>{}</body></html>",
        "<a href=\"/a\">x</a>".repeat(250_000)
    );
    let err = extract(&flood, &url(), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "markup too complex: more than 150000 elements"
    );
}

#[test]
fn ordinary_nesting_and_unclosed_paragraphs_accepted() {
    let body = format!(
        "<article>{}<p>{P1}<p>{P2}<p>{P3}{}</article>",
        "<div>".repeat(150),
        "</div>".repeat(150)
    );
    let x = generic(&page("", &body));
    assert_eq!(x.body, vec![P1, P2, P3]);
}
