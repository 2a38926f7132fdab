//! Unit tests for the failure classes seen on real pages the extractor was not tuned on
//! (WCXB and other held-out sets), one per trap, on small hand-written pages.

use super::*;

const P: [&str; 6] = [
    "The valley floor was quiet in the early morning, and the first hikers were only starting up the trail.",
    "By noon the ranger station had counted more than two hundred visitors, most of them from the city.",
    "Water levels in the river were higher than usual for the season, which made the crossing slow.",
    "The park service said it would add a second footbridge next year, paid for by the entrance fees.",
    "Volunteers repaired the lower switchbacks over the weekend, working in teams of four or five people.",
    "Visitors are asked to stay on marked paths, to carry water, and to pack out everything they bring.",
];

fn url() -> Url {
    Url::parse("https://outdoors.example.org/guides/valley-trail").unwrap()
}

fn page(body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>A day on the valley trail</title></head>\
         <body><nav><a href=\"/\">Home</a> <a href=\"/guides\">Guides</a></nav>{body}\
         <footer><p>Copyright Outdoors Example, all rights reserved.</p></footer></body></html>"
    )
}

fn body_of(html: &str) -> Vec<String> {
    extract(html, &url(), None)
        .map(|x| x.body)
        .unwrap_or_default()
}

/// Asserts that the body of `html` has a line starting with `prefix`.
fn assert_line_starting(html: &str, prefix: &str) {
    let body = body_of(html);
    assert!(body.iter().any(|b| b.starts_with(prefix)), "{body:?}");
}

fn all() -> Vec<String> {
    P.iter().map(|p| p.to_string()).collect()
}

#[test]
fn page_builder_widget_wrappers_are_not_furniture() {
    let widgets: String = P
        .iter()
        .map(|p| {
            format!(
                "<div class=\"elementor-element elementor-widget elementor-widget-text-editor\">\
                 <div class=\"elementor-widget-container\"><p>{p}</p></div></div>"
            )
        })
        .collect();
    let html = page(&format!(
        "<div class=\"elementor-widget-wrap elementor-element-populated\">{widgets}</div>"
    ));
    assert_eq!(body_of(&html), all());
}

#[test]
fn utility_classes_do_not_say_what_an_element_is() {
    // `[&_figcaption]:…` styles the figcaptions inside, `overflow-hidden` clips: neither makes
    // a part of the article a caption or hidden furniture.
    let half = |ps: &[&str]| ps.iter().map(|p| format!("<p>{p}</p>")).collect::<String>();
    let html = page(&format!(
        "<div class=\"post\"><div class=\"[&_figcaption]:mt-2 lg:[&_img]:my-4\">{}</div>\
         <div class=\"relative overflow-hidden\">{}</div></div>",
        half(&P[..3]),
        half(&P[3..])
    ));
    assert_eq!(body_of(&html), all());
}

#[test]
fn streamed_react_segment_is_shown_text() {
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = page(&format!(
        "<div id=\"B:0\"></div><div hidden id=\"S:0\"><article>{paras}</article></div>\
         <script>$RC(\"B:0\",\"S:0\")</script><div hidden><p>{}</p></div>",
        "This collapsed panel is never shown to a reader and is not part of the article."
    ));
    assert_eq!(body_of(&html), all());
}

#[test]
fn an_article_streamed_paragraph_by_paragraph_is_put_back_in_place_of_its_fallbacks() {
    // Next.js streams each paragraph as a hidden segment at the end of <body>; in place a
    // "Loading…" fallback, and a short summary box that alone would outscore any one segment.
    let slots: String = (0..P.len())
        .map(|i| format!("<!--$?--><template id=\"B:{i}\"></template><div>Loading paragraph...</div><!--/$-->"))
        .collect();
    let segments: String = P
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "<div hidden id=\"S:{i}\"><p>{p}</p></div><script>$RC(\"B:{i}\",\"S:{i}\")</script>"
            )
        })
        .collect();
    let html = page(&format!(
        "<main><div class=\"card\"><h2>Key points</h2><ul><li>One short point, said plainly here.</li>\
         <li>Another short point, said plainly too.</li></ul></div><div class=\"article-body\">{slots}</div></main>{segments}"
    ));
    assert_eq!(body_of(&html), all());
}

#[test]
fn article_wrapped_in_a_header_element_is_kept() {
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = page(&format!(
        "<main><header class=\"section_blog\"><div class=\"container\"><h1>A day on the valley trail</h1>\
         <div class=\"rich-text\">{paras}</div></div></header></main>"
    ));
    assert_eq!(body_of(&html), all());
}

/// A dense summary box first, then one deep wrapper per subhead, each section a `tag`
/// element (`div`, `article`) holding a subhead and one paragraph.
fn summary_then_sections(tag: &str) -> String {
    let summary = "<div class=\"box\"><p>In short: the trail is open, the river is high, the bridge is slow, \
        the rangers are busy, the weekend is crowded, and the views, as always, are worth it.</p>\
        <p>Bring water, a map, a jacket, good shoes, some food, and, if you can, a friend.</p></div>";
    let sections: String = P
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "<div class=\"row\"><div class=\"col\"><div class=\"cell\"><{tag} id=\"s{i}\">\
                 <h2>Part {i}</h2><p>{p}</p></{tag}></div></div></div>"
            )
        })
        .collect();
    page(&format!(
        "<main><div class=\"col\">{summary}{sections}</div></main>"
    ))
}

#[test]
fn article_cut_into_sections_is_kept_whole() {
    // The densest block alone is a fragment, and the sections' wrappers score too little to
    // join it as siblings.
    let body = body_of(&summary_then_sections("div"));
    for p in &P {
        assert!(body.contains(&p.to_string()), "{p:?} lost: {body:?}");
    }
}

#[test]
fn teasers_beside_the_article_do_not_grow_it() {
    let paras: String = P[..4].iter().map(|p| format!("<p>{p}</p>")).collect();
    let teasers: String = (0..6)
        .map(|i| {
            format!(
                "<div class=\"item\"><h3><a href=\"/guides/{i}\">Another trail guide, number {i}, for the long weekend ahead</a></h3>\
                 <p>A short excerpt of that other guide, with a few words about the trail and the view.</p></div>"
            )
        })
        .collect();
    let html = page(&format!(
        "<div class=\"wrap\"><div class=\"text\">{paras}</div><div class=\"list\">{teasers}</div></div>"
    ));
    assert_eq!(body_of(&html), P[..4].to_vec());
}

#[test]
fn newsletter_box_around_a_form_is_dropped() {
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = page(&format!(
        "<article>{paras}<div class=\"cta-block\"><h3>Join 80,000 readers</h3>\
         <p>Get our trail guides in your inbox every week, free.</p>\
         <div class=\"w-form\"><form><input type=\"email\" name=\"email\"><input type=\"submit\" value=\"Subscribe\"></form>\
         <div class=\"w-form-done\"><div>Thank you! Your submission has been received!</div></div></div></div></article>"
    ));
    assert_eq!(body_of(&html), all());
}

#[test]
fn next_article_of_an_infinite_scroll_page_is_not_appended() {
    let story = |h: &str, ps: &[&str]| {
        let paras: String = ps.iter().map(|p| format!("<p>{p}</p>")).collect();
        format!("<article><h1>{h}</h1>{paras}</article>")
    };
    let html = page(&format!(
        "<main>{}{}{}</main>",
        story("A day on the valley trail", &P[..3]),
        story("Next: the ridge loop", &P[3..5]),
        story("Later: the lake path", &P[5..])
    ));
    assert_eq!(body_of(&html), P[..3].to_vec());
}

#[test]
fn article_printed_once_per_screen_width_is_taken_once() {
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = page(&format!(
        "<div class=\"page\"><div class=\"variant-desktop\">{paras}</div>\
         <div class=\"variant-mobile\">{paras}</div></div>"
    ));
    assert_eq!(body_of(&html), all());
}

#[test]
fn a_few_repeated_paragraphs_of_the_article_stay() {
    let meal =
        "Breakfast: one cup of oats, half a cup of berries, and a spoon of nut butter, every day.";
    let days: String = P
        .iter()
        .enumerate()
        .map(|(i, p)| match i {
            1 | 4 => format!("<p>{p}</p><p>{meal}</p>"),
            _ => format!("<p>{p}</p>"),
        })
        .collect();
    let html = page(&format!("<article>{days}</article>"));
    let body = body_of(&html);
    assert_eq!(body.iter().filter(|b| b.as_str() == meal).count(), 2);
}

#[test]
fn a_page_of_a_few_words_is_not_an_article() {
    let r = extract("<html><body><p>hi</p></body></html>", &url(), None);
    assert!(matches!(r, Err(ExtractError::NotAnArticle(_))), "{r:?}");
    let untitled = format!(
        "<html><body><div><p>{}</p><p>{}</p></div></body></html>",
        P[0], P[1]
    );
    let r = extract(&untitled, &url(), None);
    assert!(matches!(r, Err(ExtractError::NotAnArticle(_))), "{r:?}");
    assert_eq!(
        body_of(&page(&format!("<p>{}</p><p>{}</p>", P[0], P[1]))),
        P[..2].to_vec()
    );
}

#[test]
fn inline_link_with_a_tag_like_class_keeps_its_words() {
    let paras: String = P[1..].iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = page(&format!(
        "<article><p>The valley floor was quiet in the early morning, and the first \
         <a class=\"tag-link\" href=\"/tags/hikers\">hikers</a> were only starting up the \
         <span class=\"share-word\">trail</span>.</p>{paras}</article>"
    ));
    assert_eq!(body_of(&html), all());
}

#[test]
fn checklist_of_linked_items_is_part_of_the_article() {
    let paras: String = P[..3].iter().map(|p| format!("<p>{p}</p>")).collect();
    let items: String = ["Tent", "Rainfly", "Tent poles or trekking poles", "Stakes"]
        .iter()
        .map(|i| format!("<li><a href=\"/gear/{}\">{i}</a></li>", i.len()))
        .collect();
    let html = page(&format!(
        "<article>{paras}<h2>Shelter</h2><ul>{items}</ul><p>{}</p></article>",
        P[3]
    ));
    let body = body_of(&html);
    assert!(body.iter().any(|b| b == "Rainfly"), "{body:?}");
    assert!(body.iter().any(|b| b == P[3]), "{body:?}");
}

#[test]
fn list_of_related_headlines_is_not() {
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    let items: String = (0..4)
        .map(|i| format!("<li><a href=\"/guides/{i}\">Another guide to a long trail walk in the valley, part {i}</a></li>"))
        .collect();
    let html = page(&format!("<article>{paras}<ul>{items}</ul></article>"));
    assert_eq!(body_of(&html), all());
}

#[test]
fn stock_disclosures_and_prompts_inside_the_article_are_dropped() {
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = page(&format!(
        "<article><p><em>We earn a commission for products purchased through some links in this article.</em></p>\
         {paras}<p><strong>Sign up for our newsletter</strong></p><p>Subscribe</p></article>"
    ));
    assert_eq!(body_of(&html), all());
}

#[test]
fn a_streamed_segment_repeated_or_holding_its_own_placeholder_breaks_nothing() {
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    for trap in [
        "<template id=\"B:0\"></template><div hidden id=\"S:0\"><p>a</p></div><div hidden id=\"S:0\"><p>b</p></div>",
        "<div hidden id=\"S:0\"><template id=\"B:0\"></template></div>",
        "<div hidden id=\"S:0\"><div><template id=\"B:0\"></template></div></div>",
    ] {
        let html = page(&format!("<article>{paras}</article>{trap}"));
        let x = extract(&html, &url(), None).unwrap();
        assert!(x.body.len() >= P.len(), "{trap}");
    }
}

#[test]
fn typography_utility_classes_do_not_make_a_caption_the_article() {
    // `text-sm text-gray-500` on a caption and `text-lg` on a pull quote say "text", a content
    // word, of blocks that are not the article; the article's container has no class word.
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = page(&format!(
        "<div class=\"mx-auto max-w-3xl\"><h1>A day on the valley trail</h1>\
         <div class=\"space-y-4\">{paras}</div></div>\
         <div class=\"text-sm text-gray-500\"><p>Photo of the valley floor taken from the upper \
         switchbacks of the trail, looking east over the river in the early morning light.</p></div>"
    ));
    assert_eq!(body_of(&html), all());
}

#[test]
fn an_article_part_named_by_a_weak_furniture_word_keeps_its_prose() {
    // `entry-meta` and `more-info` name furniture on most sites; here `more-info` wraps half
    // the article, paragraphs of prose with no links.
    let half = |ps: &[&str]| ps.iter().map(|p| format!("<p>{p}</p>")).collect::<String>();
    let html = page(&format!(
        "<article><h1>A day on the valley trail</h1><div class=\"entry-content\">{}\
         <div class=\"more-info\">{}</div></div>\
         <div class=\"entry-meta\"><a href=\"/tag/trails\">Trails</a> <a href=\"/tag/parks\">Parks</a></div>\
         </article>",
        half(&P[..3]),
        half(&P[3..])
    ));
    assert_eq!(body_of(&html), all());
}

#[test]
fn sections_wrapped_in_article_elements_are_one_article() {
    // Each section an `<article>` with no headline of its own and no linked title: growing
    // the content over them is not appending other stories.
    let body = body_of(&summary_then_sections("article"));
    for p in &P {
        assert!(body.contains(&p.to_string()), "{p:?} lost: {body:?}");
    }
}

#[test]
fn a_linked_list_in_its_own_wrapper_after_a_lead_in_stays() {
    // Items too long for a checklist and mostly links: only the lead-in says the list
    // belongs to the text.
    let items: String = [
        ("A printed paper trail map", "from the gate office"),
        ("A big steel water bottle", "with a wide screw top"),
        ("A light folding rain jacket", "that packs very small"),
    ]
    .iter()
    .map(|(link, rest)| format!("<li><a href=\"/gear/x\">{link}</a> {rest}</li>"))
    .collect();
    let html = page(&format!(
        "<article><p>{}</p><p>{}</p><p>Before you set out, pack these:</p>\
         <div class=\"ulist\"><ul>{items}</ul></div><p>{}</p><p>{}</p></article>",
        P[0], P[1], P[2], P[3]
    ));
    let body = body_of(&html);
    assert!(
        body.iter()
            .any(|b| b.contains("rain jacket that packs very small")),
        "checklist lost: {body:?}"
    );
}

#[test]
fn placeholder_text_of_a_theme_is_not_the_article() {
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = page(&format!(
        "<article>{paras}<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do \
         eiusmod tempor incididunt ut labore et dolore magna aliqua.</p></article>"
    ));
    assert_eq!(body_of(&html), all());
}

#[test]
fn an_unfilled_placeholder_box_does_not_win_over_the_article() {
    // A theme's sample section: subheads between placeholder paragraphs.
    let lorem: String = (1..=8)
        .map(|i| {
            format!(
                "<h3>Head line {i}</h3><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, \
                 sed do eiusmod tempor incididunt ut labore et dolore magna aliqua, ut enim ad \
                 minim veniam, quis nostrud.</p>"
            )
        })
        .collect();
    let paras: String = P[..3].iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = page(&format!(
        "<div class=\"template-box\">{lorem}</div><div class=\"page\">{paras}</div>"
    ));
    assert_eq!(body_of(&html), P[..3].to_vec());
}

#[test]
fn paragraphs_classed_with_a_weak_furniture_word_are_the_article() {
    // `topic-paragraph`: every paragraph of an encyclopedia entry says "topic".
    let paras: String = P
        .iter()
        .map(|p| format!("<p class=\"topic-paragraph\">{p}</p>"))
        .collect();
    let html = page(&format!("<div class=\"reading-channel\">{paras}</div>"));
    assert_eq!(body_of(&html), all());
}

#[test]
fn a_one_line_block_with_a_content_class_does_not_win_over_the_article() {
    // `text-content-style` says "content" of a notice line; the article sits in layout
    // cells with no class word.
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = page(&format!(
        "<div class=\"container\"><div class=\"text-content-style\"><p>Conditions change fast, check often.</p></div></div>\
         <table class=\"layout\"><tr><td><div class=\"group\">{paras}</div></td></tr></table>"
    ));
    assert_eq!(body_of(&html), all());
}

#[test]
fn a_readers_comment_whose_class_says_body_is_not_the_article() {
    // Old blog engines: `comments-body` under the post in the same cell; "body" there names
    // the comment's text, not the article's.
    let paras: String = P[..4].iter().map(|p| format!("<p>{p}</p>")).collect();
    let comments: String = (0..3)
        .map(|i| {
            format!(
                "<div class=\"comments-body\"><p>I walked this trail last spring with my kids, number {i}, \
                 and the river crossing was the best part of the whole day for all of us.</p>\
                 <span class=\"comments-post\">Posted by: Reader {i} at December 18, 2025 05:48 PM</span></div>"
            )
        })
        .collect();
    let html = page(&format!(
        "<table><tr><td class=\"blog\"><div class=\"blogbody\">{paras}</div>{comments}</td></tr></table>"
    ));
    assert_eq!(body_of(&html), P[..4].to_vec());
}

#[test]
fn an_english_related_heading_is_not_part_of_the_article() {
    // "You might also like..." over teasers whose excerpts are prose: the heading, at least,
    // says what follows is not this article.
    let paras: String = P[..4].iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = page(&format!(
        "<article>{paras}<div class=\"box\"><h3>You might also like...</h3>\
         <div><a href=\"/guides/ridge\">The ridge trail</a><p>Snow closes the upper half by \
         December, but the lower loop stays open all winter for walkers.</p></div></div></article>"
    ));
    let body = body_of(&html);
    assert_eq!(body.get(..4), Some(&all()[..4]), "{body:?}");
    assert!(
        !body.iter().any(|b| b.contains("You might also like")),
        "{body:?}"
    );
}

#[test]
fn a_teaser_box_named_by_a_weak_furniture_word_is_dropped_though_its_excerpts_are_long() {
    // `box-hot` inside the content: linked titles over excerpts of prose length.
    let paras: String = P[..4].iter().map(|p| format!("<p>{p}</p>")).collect();
    let teasers: String = (0..3)
        .map(|i| {
            format!(
                "<div><h3><a href=\"/guides/{i}\">Another trail guide number {i}</a></h3>\
                 <p class=\"sapo\">A long excerpt of that other guide, with a few words about its \
                 trail, its river and the view from the top, number {i}.</p></div>"
            )
        })
        .collect();
    let html = page(&format!(
        "<article>{paras}<div class=\"box-hot\">{teasers}</div></article>"
    ));
    assert_eq!(body_of(&html), P[..4].to_vec());
}

#[test]
fn a_guide_cut_into_listings_is_kept_whole_not_its_longest_listing() {
    // One `<li>` per listing, each a "pros" part and a summary part. The first listing's long
    // summary wins the scoring; its own listing adds a moderate share to it (as a sidebar
    // would), and only the list of all listings holds the whole guide.
    let paras = |n: usize, tag: &str| -> String {
        (0..n)
            .map(|k| format!("<p>{} ({tag} {k})</p>", P[k % P.len()]))
            .collect()
    };
    let listings: String = (0..8)
        .map(|i| {
            let summary = if i == 0 { 10 } else { 2 };
            format!(
                "<li class=\"listing\"><h2>{i}. Trail number {i}</h2><div class=\"inner\">\
                 <div class=\"part\">{}</div><div class=\"part\">{}</div></div></li>",
                paras(3, &format!("pros {i}")),
                paras(summary, &format!("summary {i}"))
            )
        })
        .collect();
    let html = page(&format!(
        "<main><h1>A day on the valley trail</h1><ul class=\"listings\">{listings}</ul></main>"
    ));
    let body = body_of(&html);
    for i in 0..8 {
        let want = format!("{} (summary {i} 1)", P[1]);
        assert!(body.contains(&want), "{want:?} lost: {body:?}");
    }
}

#[test]
fn a_section_listing_many_links_after_its_own_sentence_keeps_the_sentence() {
    // Mostly links, but a section of the article: its heading and its prose stay.
    let paras: String = P
        .iter()
        .chain(&P)
        .enumerate()
        .map(|(i, p)| format!("<p>{p} ({i})</p>"))
        .collect();
    let links: String = [
        "Lower footbridge repaired in May",
        "Upper switchbacks rebuilt this year",
        "New signs at the river crossing",
        "Second bench at the lookout point",
        "Drainage ditches cleared in June",
        "Ranger station roof replaced early",
    ]
    .iter()
    .map(|l| format!("<li><a href=\"/work/x\">{l}</a></li>"))
    .collect();
    let html = page(&format!(
        "<article><div class=\"content\">{paras}<div class=\"sect1\"><h2>Repairs</h2>\
         <div class=\"sectionbody\"><p>There has been good progress on the trail these past months, thanks to the volunteers who came out every weekend.</p>\
         <ul>{links}</ul></div></div></div></article>"
    ));
    let body = body_of(&html);
    assert!(
        body.iter()
            .any(|b| b == "There has been good progress on the trail these past months, thanks to the volunteers who came out every weekend."),
        "{body:?}"
    );
}

/// The article's paragraphs, then `tail` (inside the same article container).
fn article_with(tail: &str) -> String {
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    page(&format!(
        "<article><div class=\"content\">{paras}{tail}</div></article>"
    ))
}

/// Linked items, each a whole headline-like line, pointing at `base`.
fn linked_items(base: &str) -> String {
    [
        "Trail crews add a second footbridge over the lower river",
        "Rangers count record visitors on the valley floor this spring",
        "Volunteers rebuild the upper switchbacks in a single weekend",
    ]
    .iter()
    .enumerate()
    .map(|(i, l)| format!("<li><a href=\"{base}{i}\">{l}</a></li>"))
    .collect()
}

#[test]
fn a_list_of_links_elsewhere_cited_after_a_lead_in_sentence_is_kept() {
    // Each item is all link and reads like a headline, yet the sentence before introduces
    // it: the article cites these pages.
    let html = article_with(&format!(
        "<p>The park service filed these reports with the state:</p>\
         <ul>{}</ul>",
        linked_items("https://records.example.gov/report/")
    ));
    let body = body_of(&html);
    assert!(
        body.iter()
            .any(|b| b == "Volunteers rebuild the upper switchbacks in a single weekend"),
        "{body:?}"
    );
}

#[test]
fn a_list_of_the_sites_own_pages_after_a_you_may_also_like_sentence_is_dropped() {
    // The same shape pointing at the site's own stories is related reading.
    let html = article_with(&format!(
        "<p>If you liked this guide you might also like:</p><ul>{}</ul>",
        linked_items("https://outdoors.example.org/guides/")
    ));
    let body = body_of(&html);
    assert!(
        !body.iter().any(|b| b.contains("Volunteers rebuild")),
        "{body:?}"
    );
}

#[test]
fn comment_tokens_of_a_highlighted_code_listing_are_kept() {
    // Syntax highlighters class a code comment `hljs-comment`: a token, not readers' comments.
    let html = article_with(
        "<pre><code class=\"language-bash\"><span class=\"hljs-comment\"># stage only the files \
         you name on the command line, separated by a space, and leave every other change unstaged</span>\ngit add notes.txt</code></pre>",
    );
    let body = body_of(&html);
    assert!(
        body.iter()
            .any(|b| b.contains("separated by a space, and leave every other change unstaged")),
        "{body:?}"
    );
}

/// Cards of a grid: a heading linking to `base` + i, a line of excerpt, a date.
fn cards(base: &str) -> String {
    [
        "Trail crews add a second footbridge",
        "Rangers count record spring visitors",
        "Volunteers rebuild the switchbacks",
        "New signs at the river crossing",
    ]
    .iter()
    .enumerate()
    .map(|(i, t)| {
        format!(
            "<div class=\"item\"><h3><a href=\"{base}{i}\">{t}</a></h3>\
             <div class=\"excerpt\">A short look at what changed on the trail this season, \
             and what comes next for crew {i}.</div><div class=\"date\">Mar {i}, 2026</div></div>"
        )
    })
    .collect()
}

#[test]
fn a_grid_of_teasers_of_the_sites_own_stories_inside_the_article_is_dropped() {
    // Linked titles over excerpts: the excerpts alone read as prose, and the grid sits in
    // the article's container (a carousel of recent posts).
    let html = article_with(&format!(
        "<div class=\"carousel\"><div class=\"slides\">{}</div></div>",
        cards("/guides/story-")
    ));
    let body = body_of(&html);
    assert_eq!(body, all());
}

#[test]
fn a_roundup_whose_headings_link_to_other_sites_is_kept() {
    // The same shape linking to other sites' projects is the article's roundup.
    let html = article_with(&format!(
        "<div class=\"picks\">{}</div>",
        cards("https://projects.example.net/p/")
    ));
    let body = body_of(&html);
    let want =
        "A short look at what changed on the trail this season, and what comes next for crew 2.";
    assert!(body.iter().any(|b| b == want), "{body:?}");
}

/// Ten short steps of a method, each in its own list item.
fn steps() -> Vec<String> {
    (1..=10)
        .map(|i| format!("Step {i}: carry the pack up to the next marker post"))
        .collect()
}

#[test]
fn an_intro_and_its_steps_in_two_sections_above_a_shop_strip_are_one_article() {
    // The intro wins the scoring; the steps sit in another section of the same main, next
    // to a strip of linked products the content drops anyway: those links must not stop
    // the content from growing to the steps.
    let items: String = steps()
        .iter()
        .map(|s| format!("<li><p>{s}</p></li>"))
        .collect();
    let products: String = (0..12)
        .map(|i| format!("<li><a href=\"/shop/p{i}\">Trail pack model {i} in green</a></li>"))
        .collect();
    let html = page(&format!(
        "<main><section class=\"page-top\"><div class=\"quickview\"><h1>A day on the valley trail</h1>\
         <p>{} {}</p></div></section>\
         <section class=\"page-steps\"><div class=\"method\"><ol>{items}</ol></div></section>\
         <div class=\"related related--products\"><ul>{products}</ul></div></main>",
        P[0], P[1]
    ));
    let body = body_of(&html);
    for s in steps() {
        assert!(body.contains(&s), "{s:?} lost: {body:?}");
    }
    assert!(
        !body.iter().any(|b| b.contains("Trail pack model")),
        "{body:?}"
    );
}

#[test]
fn a_section_in_an_article_element_linking_a_heading_further_down_is_not_another_story() {
    // Each part of the page is an `<article>`; the method's own heading is plain, and a
    // "read more" heading inside it links elsewhere: no teaser card, no other story.
    let items: String = steps()
        .iter()
        .map(|s| format!("<li><p>{s}</p></li>"))
        .collect();
    let html = page(&format!(
        "<main><section class=\"page-top\"><article class=\"quickview\"><h1>A day on the valley trail</h1>\
         <p>{} {}</p><p>{} {}</p></article></section>\
         <section class=\"page-steps\"><article class=\"method\"><h2>Method</h2><ol>{items}</ol>\
         <h5><a href=\"/guides/packing\">Packing for the trail</a></h5></article></section></main>",
        P[0], P[1], P[2], P[3]
    ));
    let body = body_of(&html);
    for s in steps() {
        assert!(body.contains(&s), "{s:?} lost: {body:?}");
    }
}

#[test]
fn a_short_slot_between_the_intro_and_the_listings_does_not_stop_the_article() {
    // The intro wins the scoring; its wrapper adds a one-line sponsor slot (some prose,
    // far from a sidebar), and the listings sit one level further up.
    let intro = P[..5].join(" ");
    let tiles: String = (0..2)
        .map(|i| {
            format!(
                "<article class=\"tile\"><h3>Trail number {i}</h3><p>The trail climbs through pine \
                 forest to a ridge with wide views of the valley {i}.</p><p>Most hikers take about \
                 three hours for the loop and carry two litres of water.</p><p>Parking at the \
                 trailhead fills early on summer weekends so arrive before eight.</p></article>"
            )
        })
        .collect();
    let html = page(&format!(
        "<section class=\"listing\"><div class=\"hero\"><div class=\"intro\"><p>{intro}</p></div>\
         <div class=\"slot\"><p>A word from the trail shop down the road: boots and poles for every season.</p></div></div>\
         <div class=\"zone\"><h2>Valley trails</h2><div class=\"items\">{tiles}</div></div></section>"
    ));
    let body = body_of(&html);
    assert!(body.iter().any(|b| b.contains("valley 1.")), "{body:?}");
}

/// An article in two parts, the second nested deeper, with a "how we test" card between.
fn article_around_a_card() -> String {
    let lead = "<p>Spring came late to the valley this year, and with it, as always, the first \
                long lines of cars, cyclists and walkers at the gate.</p>";
    let first: String = P[..3].iter().map(|p| format!("<p>{p}</p>")).collect();
    let first = format!("{lead}{first}");
    let second: String = P[3..].iter().map(|p| format!("<p>{p}</p>")).collect();
    page(&format!(
        "<div class=\"guide\"><div class=\"part\">{first}</div><article class=\"card\"><h3>\
         <a href=\"/guides/how-we-test\">How we test trails</a></h3><p>Our method, step by step.</p>\
         </article><div class=\"rest\"><div class=\"box\"><div class=\"part\">{second}</div></div></div></div>"
    ))
}

#[test]
fn one_teaser_card_among_the_sections_of_a_long_article_does_not_cut_it() {
    // One card, small beside the parts around it, is no list of stories.
    let body = body_of(&article_around_a_card());
    for p in P {
        assert!(body.iter().any(|b| b == p), "{p:?} lost: {body:?}");
    }
}

#[test]
fn a_lone_teaser_card_inside_the_article_is_dropped() {
    let body = body_of(&article_around_a_card());
    assert!(!body.iter().any(|b| b.contains("Our method")), "{body:?}");
}

#[test]
fn the_authors_bio_after_the_article_is_dropped() {
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>A day on the valley trail</title>\
         <meta name=\"author\" content=\"Jane Doe\"></head><body><article><h1>A day on the \
         valley trail</h1><div class=\"entry\">{paras}<p>Contributing Writer</p><p>Jane Doe is a \
         freelance writer who has walked every trail in the valley twice.</p></div></article></body></html>"
    );
    assert_eq!(body_of(&html), all());
}

#[test]
fn the_byline_left_at_the_top_of_the_body_is_dropped() {
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>A day on the valley trail</title>\
         <meta name=\"author\" content=\"Jane Doe\"></head><body><article><h1>A day on the \
         valley trail</h1><div class=\"entry\"><p>Written by Jane Doe</p>{paras}</div></article></body></html>"
    );
    let x = extract(&html, &url(), None).unwrap();
    assert_eq!(x.body, all());
    assert_eq!(x.author.as_deref(), Some("Jane Doe"));
}

#[test]
fn a_prefixed_text_utility_class_does_not_make_a_sidebar_box_content() {
    // `sk-text-center` centres text: no "text" of the article, so the box stays a sidebar's.
    let html = article_with(
        "<div class=\"sidebar-cta sk-text-center\"><p>Get more real-time trail reports with \
         our app, free for a month.</p></div>",
    );
    assert_eq!(body_of(&html), all());
}

#[test]
fn a_subhead_linking_to_its_own_anchor_is_kept() {
    // Static-site generators link each heading to itself: a subhead, not a related link.
    let html = page(&format!(
        "<article><p>{}</p><p>{}</p><p>{}</p><h3 id=\"crossing\"><a href=\"#crossing\">The river \
         crossing</a></h3><p>{}</p><p>{}</p><p>{}</p></article>",
        P[0], P[1], P[2], P[3], P[4], P[5]
    ));
    let body = body_of(&html);
    assert!(body.iter().any(|b| b == "The river crossing"), "{body:?}");
}

#[test]
fn a_subhead_linking_to_another_site_is_kept() {
    // A roundup names each pick in a subhead linking to the pick's own site.
    let html = page(&format!(
        "<article><p>{}</p><p>{}</p><p>{}</p><h3><strong>1. <a href=\"https://bridges.example.net/\">\
         Footbridge Works</a></strong></h3><p>{}</p><p>{}</p><p>{}</p></article>",
        P[0], P[1], P[2], P[3], P[4], P[5]
    ));
    let body = body_of(&html);
    assert!(body.iter().any(|b| b == "1. Footbridge Works"), "{body:?}");
}

#[test]
fn a_digest_whose_sections_link_back_to_earlier_coverage_is_kept() {
    // Each item's heading links to the site's earlier story, but the item is written out:
    // a digest, not a grid of teasers.
    let items: String = (0..3)
        .map(|i| {
            format!(
                "<div class=\"item\"><h3><a href=\"/guides/earlier-{i}\">Update {i}</a></h3>\
                 <p>Crew {i} cleared the fallen trees from the northern loop this week, and the \
                 rangers reopened it to walkers on Saturday.</p></div>"
            )
        })
        .collect();
    let html = article_with(&format!("<div class=\"digest\">{items}</div>"));
    assert_line_starting(&html, "Crew 2 cleared");
}

#[test]
fn a_teaser_title_linking_to_another_site_with_no_prose_under_it_is_dropped() {
    // A partner's linked headline closing the article is a related link, not a subhead.
    let html = article_with(
        "<h3><a href=\"https://partner.example.net/story\">Partner paper: ten trails to walk \
         this spring</a></h3>",
    );
    assert_eq!(body_of(&html), all());
}

#[test]
fn the_byline_printed_under_the_article_is_dropped() {
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>A day on the valley trail</title>\
         <meta name=\"author\" content=\"Jane Doe\"></head><body><article><h1>A day on the \
         valley trail</h1><div class=\"entry\">{paras}<p>Written by Jane Doe</p></div></article></body></html>"
    );
    assert_eq!(body_of(&html), all());
}

#[test]
fn a_list_of_notes_written_around_their_links_is_kept() {
    // Each item opens with its own label and holds a note citing other pages: mostly link
    // text, yet the article's, not a related box.
    let item = |label: &str, name: &str| {
        format!(
            "<li>{label}: <a href=\"https://parks.example.gov/{name}\">{name}</a>\
             <ul><li>This trail features in my lists of the <a href=\"/best-day-hikes\">best \
             day hikes in the state</a> and the <a href=\"/river-walks\">most scenic river \
             walks in the west</a>.</li></ul></li>"
        )
    };
    let html = article_with(&format!(
        "<ul>{}{}</ul><p>{}</p><p>{}</p>",
        item("Official site", "Upper Valley Trail Authority"),
        item("Flagship trail", "Upper Valley Loop Trail"),
        "The loop is busiest on summer weekends, when the lots by the trailhead fill by nine.",
        "In winter the upper half closes, and only the river path stays open to walkers."
    ));
    let body = body_of(&html);
    assert!(
        body.iter()
            .any(|b| b == "Flagship trail: Upper Valley Loop Trail"),
        "{body:?}"
    );
}

#[test]
fn a_sentence_citing_its_sources_in_links_is_kept() {
    // Most of its characters are links, but it is written around them phrase by phrase.
    let sentence = "Everything here draws on what we read in the spring state trail condition \
                    reports, weekly ranger river level bulletins and volunteer trail crew logbooks.";
    let html = article_with(
        "<p>Everything here draws on what we read in the <a href=\"/reports\">spring state \
         trail condition reports</a>, <a href=\"/bulletins\">weekly ranger river level \
         bulletins</a> and <a href=\"/logbooks\">volunteer trail crew logbooks</a>.</p>",
    );
    assert!(
        body_of(&html).iter().any(|b| b == sentence),
        "{:?}",
        body_of(&html)
    );
}

#[test]
fn headlines_linked_inside_a_sentence_are_still_a_related_line() {
    // A few words around whole linked headlines: related reading, however it ends.
    let html = article_with(
        "<p>More from the valley desk this week: <a href=\"/footbridge\">Trail crews add a \
         second footbridge over the lower river before the summer crowds arrive</a> and also \
         <a href=\"/visitors\">Rangers count record visitors on the valley floor this spring \
         after the long winter</a>.</p>",
    );
    assert_eq!(body_of(&html), all());
}

#[test]
fn a_carousel_of_readers_testimonials_is_not_the_article() {
    let quotes: String = [
        "This guide changed how I plan every single one of my weekend hikes. Thank you!",
        "The most useful trail newsletter I have ever subscribed to, clear and practical.",
    ]
    .iter()
    .map(|q| format!("<div class=\"testimonial-card\"><blockquote><p>{q}</p></blockquote></div>"))
    .collect();
    let html = article_with(&format!(
        "<div class=\"testimonials-wrapper\">{quotes}</div>"
    ));
    assert_eq!(body_of(&html), all());
}

#[test]
fn the_steps_of_an_accordion_sent_collapsed_are_kept() {
    // Each step's text is in the page, hidden until its heading's toggle opens it.
    let step = |n: usize, text: &str| {
        format!(
            "<h3><button aria-expanded=\"false\" aria-controls=\"step-{n}\">Step {n}</button></h3>\
             <div id=\"step-{n}\" role=\"region\" style=\"display:none\"><p>{text}</p></div>"
        )
    };
    let html = article_with(&format!(
        "{}{}",
        step(
            1,
            "Pack two litres of water per person and a layer for the wind on the ridge."
        ),
        step(
            2,
            "Start before eight so that you reach the upper falls before the midday heat."
        )
    ));
    assert_line_starting(&html, "Start before eight");
}

#[test]
fn a_hidden_menu_opened_by_a_toggle_stays_hidden() {
    // A menu button is no heading: the panel it controls is not the article's.
    let html = article_with(
        "<button aria-expanded=\"false\" aria-controls=\"visit\">Visit</button>\
         <div id=\"visit\" style=\"display:none\"><p>Our trail maps, guided walks and the gift \
         shop are open every day of the week from nine until five.</p></div>",
    );
    assert_eq!(body_of(&html), all());
}

#[test]
fn an_accordion_answer_hidden_by_its_collapsing_wrapper_is_kept() {
    // The toggle names the panel; the wrapper around it is what carries display:none.
    let html = article_with(
        "<h2><button aria-expanded=\"false\" aria-controls=\"answer-1\">When is the trail \
         open?</button></h2><div class=\"collapse\" style=\"overflow:hidden;display:none\">\
         <div id=\"answer-1\" role=\"region\"><p>The trail is open from the first of May to \
         the end of October, weather permitting.</p></div></div>",
    );
    assert_line_starting(&html, "The trail is open from");
}

#[test]
fn one_long_paragraph_in_a_box_named_more_is_the_articles() {
    // Sites name a collapsible section by its heading ("More"): a weak furniture word, and
    // the box holds a single long paragraph of the article.
    let html = article_with(
        "<div id=\"section-more\"><h4>More</h4><div><p>A review of eighty studies found that a \
         small share of walkers reported sore knees after steep descents, which is similar to \
         the rate seen for other outdoor exercise; most said the pain passed within a day, and \
         the researchers concluded that poles, slower steps and rest on the way down help most \
         people who are new to mountain trails, while those with earlier injuries should talk \
         to a physiotherapist before a long descent or a multi-day trip in the high country. Rangers now print this advice on the map handed out \
         at the entrance station.</p></div></div>",
    );
    assert_line_starting(&html, "A review of eighty studies");
}

#[test]
fn a_hover_card_inside_a_sentence_is_dropped_and_the_sentence_kept_whole() {
    // A person's name opens a card of her latest stories on hover: the card is in the
    // paragraph's markup, between the name and the rest of the sentence.
    let html = article_with(
        "<p>The council heard from Rep. <span class=\"rollover-people\"><a href=\"/people/jane-roe\">\
         Jane Roe</a><span class=\"rollover-people-block\"><a href=\"/news/1\">Roe asks the state \
         to fund a second footbridge over the lower river before the summer</a> <a \
         href=\"/news/2\">Roe and rangers count record visitors on the valley floor this \
         spring</a></span></span> (D-Valley), who spoke for the trail crews on Monday.</p>",
    );
    let body = body_of(&html);
    assert!(
        body.iter().any(|b| b
            == "The council heard from Rep. Jane Roe (D-Valley), who spoke for the trail crews on Monday."),
        "{body:?}"
    );
}

/// A page whose headline sits in a hero block of its own, with `hero` under it, above the
/// component holding the body.
fn hero_page(hero: &str) -> String {
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    page(&format!(
        "<div class=\"hero\"><h1>A day on the valley trail</h1>{hero}</div>\
         <div class=\"section\"><div class=\"body-copy\">{paras}</div></div>"
    ))
}

#[test]
fn an_intro_in_a_hero_block_above_the_body_is_kept() {
    let intro = "Few walks in the park change as much between dawn and dusk, and this is how one \
                 spring day on it went.";
    let html = hero_page(&format!("<div class=\"hero-copy\"><p>{intro}</p></div>"));
    let body = body_of(&html);
    assert_eq!(body.first().map(String::as_str), Some(intro), "{body:?}");
}

#[test]
fn a_photo_caption_between_the_headline_and_the_body_is_no_intro() {
    let html = hero_page(
        "<div class=\"photo\"><img src=\"/falls.jpg\" alt=\"\"><p>Rangers at the upper falls, in \
         a file photo from 2006, during the spring count of visitors.</p></div>",
    );
    assert_eq!(body_of(&html), all());
}

#[test]
fn an_intro_with_a_picture_set_among_its_paragraphs_is_kept() {
    // The picture's wrapper holds the intro's two paragraphs: they are no caption.
    let intro = "Few walks in the park change as much between dawn and dusk, and this is how one \
                 spring day on it went.";
    let html = hero_page(&format!(
        "<div class=\"hero-copy\"><img src=\"/falls.jpg\" alt=\"\"><p>{intro}</p><p>We \
         started at the car park before six, with coffee, two maps and far too many layers.</p></div>"
    ));
    let body = body_of(&html);
    assert_eq!(body.first().map(String::as_str), Some(intro), "{body:?}");
}

#[test]
fn a_standfirst_between_the_headline_and_the_body_stays_the_lead() {
    // Two sentences in the standfirst's box: neither is the lead's whole text, and neither
    // is an intro to add to the body.
    let html = hero_page(
        "<div class=\"standfirst\"><p>Few walks in the park change as much between dawn and \
         dusk as the valley trail does in spring.</p><p>This is how one spring day on the valley \
         trail went, hour by hour, from the car park to the falls.</p></div>",
    );
    let x = extract(&html, &url(), None).unwrap();
    assert!(x.lead.is_some_and(|l| l.starts_with("Few walks")));
    assert_eq!(x.body, all());
}

/// A longer article: the six paragraphs and six more.
fn twelve_paragraphs() -> String {
    let more = [
        "The lower loop stays flat for the first two miles and follows the river past the old mill.",
        "Past the mill the path climbs in long switchbacks to a bench with a view of the falls.",
        "Most walkers turn back at the bench, but the upper trail goes on to the ridge and the lake.",
        "The lake is cold all summer, and swimming there is allowed only from the wooden dock.",
        "On the way down, take the east fork: it is shadier in the afternoon and less steep.",
        "Back at the trailhead, the ranger station sells maps, water and a guide to the birds.",
    ];
    P.iter()
        .chain(more.iter())
        .map(|p| format!("<p>{p}</p>"))
        .collect()
}

#[test]
fn a_linked_about_box_after_the_article_does_not_join_it() {
    // Prose as well, but it sends readers elsewhere: a sidebar's blurb, not a closing section.
    let html = page(&format!(
        "<div class=\"post-column\"><div class=\"field-body\">{}</div>\
         <div class=\"blurb\"><p>Walking Notes is written by two retired rangers who have \
         walked every trail in the valley over forty years of work in the park, from the river \
         meadows to the high lakes and the glacier above them, in every season and every kind of weather; before your \
         next trip read <a href=\"/guides\">our other guides</a> and \
         <a href=\"/about\">how we started</a>.</p></div></div>",
        twelve_paragraphs()
    ));
    assert!(
        !body_of(&html)
            .iter()
            .any(|b| b.starts_with("Walking Notes")),
        "{:?}",
        body_of(&html)
    );
}

#[test]
fn an_faq_closing_the_article_after_its_share_bar_is_kept() {
    // The body field ends at the share bar; the FAQ sits in a field of its own after it,
    // in the same column: prose with no links, nothing before the body but its byline.
    let paras = twelve_paragraphs();
    let faq = |q: &str, a: &str| format!("<div class=\"faq-item\"><h3>{q}</h3><p>{a}</p></div>");
    let html = page(&format!(
        "<div class=\"post-column\"><div class=\"post-byline\">Jane Doe</div>\
         <div class=\"field-body\">{paras}</div><div class=\"share\"><a href=\"/share\">Share</a></div>\
         <div class=\"extra-sections\"><h2>Trail FAQs</h2>{}{}{}</div></div>",
        faq(
            "When does the trail open?",
            "The trail opens on the first of May and closes at the end of October, or earlier \
             when the first snow falls on the upper switchbacks."
        ),
        faq(
            "Can I bring my dog?",
            "Dogs are welcome on a leash on the lower loop, but not above the footbridge, where \
             the path narrows along the river and crews are at work."
        ),
        faq(
            "Is there water on the way?",
            "There is no water after the ranger station, so carry at least two litres each, \
             more on hot afternoons in July and August."
        )
    ));
    assert_line_starting(&html, "Dogs are welcome on a leash");
}

#[test]
fn heading_anchor_spelled_from_its_text_is_no_furniture_name() {
    // `id="h-what-social-hikers-share"`: the anchor says "social" because the heading does.
    let body = body_around("<h2 id=\"h-what-social-hikers-share\">What social hikers share</h2>");
    assert!(
        body.iter().any(|b| b == "What social hikers share"),
        "{body:?}"
    );
}

#[test]
fn accordion_panel_collapsed_by_a_class_is_article_text() {
    // The panel is shown by a script that drops `…-panel-hidden` when its button is pressed.
    let html = page(&format!(
        "<article><p>{}</p><p>{}</p><div class=\"kt-accordion-pane\">\
         <div class=\"kt-accordion-header-wrap\"><button type=\"button\">How we tested</button></div>\
         <div class=\"kt-accordion-panel kt-accordion-panel-hidden\"><p>{}</p><p>{}</p></div>\
         </div><p>{}</p></article>",
        P[0], P[1], P[2], P[3], P[4]
    ));
    let body = body_of(&html);
    assert!(body.contains(&P[2].to_string()), "{body:?}");
    assert!(body.contains(&P[3].to_string()), "{body:?}");
}

#[test]
fn a_short_faq_after_a_long_article_is_no_wrapper_to_pass_through() {
    // Two questions after a long guide add under a tenth of its prose: the growth step is
    // too small to count, yet the FAQ is the article's.
    let paras: String = ["Day one", "Day two", "Day three"]
        .iter()
        .flat_map(|day| {
            twelve_paragraphs()
                .split("<p>")
                .filter(|p| !p.is_empty())
                .map(|p| format!("<p>{day}: {p}"))
                .collect::<Vec<_>>()
        })
        .collect();
    let html = page(&format!(
        "<div class=\"post-column\"><div class=\"field-body\">{paras}</div>\
         <div class=\"extra-sections\"><h2>Trail FAQs</h2>\
         <h3>When does the trail open?</h3><p>The trail opens on the first of May and closes \
         at the end of October, or earlier when the first snow falls on the upper switchbacks \
         and the rangers close the gate at the footbridge.</p>\
         <h3>Can I bring my dog?</h3><p>Dogs are welcome on a leash on the lower loop, but \
         not above the footbridge, where the path narrows along the river and the crews are at \
         work on the new railings all summer.</p></div></div>"
    ));
    assert_line_starting(&html, "Dogs are welcome on a leash");
}

#[test]
fn pull_quote_figure_with_a_portrait_is_article_text_not_a_caption() {
    let quote = "We have never seen the river this high in May, and the crossing will stay closed until it drops.";
    let body = body_around(&format!(
        "<figure class=\"quote\"><img src=\"/ranger.jpg\" alt=\"Portrait\">\
         <blockquote><p>{quote}</p></blockquote><figcaption>Ana Ruiz, head ranger</figcaption>\
         </figure>"
    ));
    assert!(body.iter().any(|b| b == quote), "{body:?}");
}

/// The body of an article printing `markup` between its second and third paragraphs.
fn body_around(markup: &str) -> Vec<String> {
    body_of(&page(&format!(
        "<article><p>{}</p><p>{}</p>{markup}<p>{}</p><p>{}</p></article>",
        P[0], P[1], P[2], P[3]
    )))
}

/// Asserts that the subhead "The river crossing", written as `markup` between the article's
/// paragraphs, is kept in the body.
fn assert_subhead_kept(markup: &str) {
    let body = body_around(markup);
    assert!(body.iter().any(|b| b == "The river crossing"), "{body:?}");
}

#[test]
fn anchor_without_href_is_a_placeholder_not_a_link() {
    // `<a name=…>` marks a place in the page; a subhead wrapped in one is no linked headline.
    assert_subhead_kept("<h2><a class=\"section\" name=\"crossing\">The river crossing</a></h2>");
}

#[test]
fn advanced_heading_block_is_no_ad() {
    // Kadence names its heading block `kt-adv-heading…`: "adv" there is "advanced".
    assert_subhead_kept(
        "<h2 class=\"kt-adv-heading104_b4-17 wp-block-kadence-advancedheading\">The river crossing</h2>",
    );
}

#[test]
fn heading_named_a_header_is_a_subhead() {
    // Divi titles each text module `<h3 class="et_pb_module_header">`.
    assert_subhead_kept("<h3 class=\"et_pb_module_header\"><span>The river crossing</span></h3>");
}

#[test]
fn a_link_to_this_page_around_a_subhead_leaves_it_a_subhead() {
    // `<a href="/this-page#crossing"><h2>…</h2></a>`: the jump list's target, not a teaser.
    assert_subhead_kept(
        "<a href=\"/guides/valley-trail#crossing\" id=\"crossing\"><h2>The river crossing</h2></a>",
    );
}

#[test]
fn a_listicles_numbered_subhead_linking_its_pick_is_kept() {
    // "1. <a>Valley Trail</a>" over the section about it: the pick's own page is linked,
    // and the number says it is an item of the article's list, not a teaser's title.
    let section = format!("{} {} {}", P[2], P[3], P[4]);
    let html = page(&format!(
        "<article><p>{}</p><p>{}</p><h2>1. <a href=\"/trails/valley\">Valley Trail</a></h2>\
         <p>{section}</p><h2>2. <a href=\"/trails/ridge\">Ridge Trail</a></h2><p>{} {}</p></article>",
        P[0], P[1], P[4], P[5]
    ));
    let body = body_of(&html);
    assert!(body.iter().any(|b| b == "1. Valley Trail"), "{body:?}");
}

#[test]
fn numbered_teaser_titles_over_one_line_excerpts_stay_out() {
    let teasers: String = (1..=3)
        .map(|n| {
            format!(
                "<h3>{n}. <a href=\"/news/{n}\">Rangers count record visitors on trail {n}</a></h3>\
                 <p>The spring count is the highest since records began.</p>"
            )
        })
        .collect();
    let paras: String = P.iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = page(&format!(
        "<article>{paras}<div class=\"list\">{teasers}</div></article>"
    ));
    let body = body_of(&html);
    assert!(
        !body
            .iter()
            .any(|b| b.contains("Rangers count record visitors")),
        "{body:?}"
    );
}

#[test]
fn a_photo_credit_set_beside_an_image_is_not_body_text() {
    // The credit overlaid on the photo in a plain `<div>`, outside any caption element.
    let figure = "<div class=\"relative\"><img src=\"/valley.jpg\" alt=\"The valley\">\
                  <div class=\"absolute bottom-0\">Jane Doe via Getty Images</div></div>";
    let html = page(&format!(
        "<article><h1>A day on the valley trail</h1><p>{}</p><p>{}</p>{figure}<p>{}</p><p>{}</p></article>",
        P[0], P[1], P[2], P[3]
    ));
    assert_eq!(body_of(&html), &all()[..4]);
}

#[test]
fn a_date_line_under_a_byline_line_is_not_body_text() {
    // Two plain lines over the standfirst and a kicker: the byline kept the date line out
    // of the first three lines the clean-up reads for datelines.
    let html = page(&format!(
        "<article><h1>A day on the valley trail</h1><div>Outdoors</div><p>{}</p>\
         <div><span>By</span> <span>Jane Doe</span></div><div>Published March 9, 2026</div>\
         <p>{}</p><p>{}</p><p>{}</p></article>",
        P[0], P[1], P[2], P[3]
    ));
    let body = body_of(&html);
    assert!(!body.iter().any(|b| b.contains("March 9")), "{body:?}");
}

#[test]
fn a_related_heading_in_another_language_is_dropped_with_its_links() {
    // A German site's "Lesen Sie auch:" over a list of its own stories, set in the body.
    let html = page(&format!(
        "<article><p>{}</p><p>{}</p><p><strong>Lesen Sie auch:</strong></p><ul>\
         <li><a href=\"/guides/ridge\">Der Gratweg im Winter: was Wanderer wissen müssen</a></li>\
         <li><a href=\"/guides/lake\">Rund um den Bergsee in drei Stunden</a></li></ul>\
         <p>{}</p><p>{}</p></article>",
        P[0], P[1], P[2], P[3]
    ));
    assert_eq!(body_of(&html), &all()[..4]);
}

#[test]
fn a_related_heading_ending_in_a_full_width_colon_is_dropped() {
    let html = page(&format!(
        "<article><p>{}</p><p>{}</p><p>{}</p><h3>相关阅读：</h3><p>{}</p></article>",
        P[0], P[1], P[2], P[3]
    ));
    assert_eq!(body_of(&html), &all()[..4]);
}

#[test]
fn an_ad_label_in_another_language_is_not_body_text() {
    let html = page(&format!(
        "<article><p>{}</p><p>{}</p><div>Anzeige</div><p>{}</p><div>Реклама</div><p>{}</p></article>",
        P[0], P[1], P[2], P[3]
    ));
    assert_eq!(body_of(&html), &all()[..4]);
}

#[test]
fn a_prompt_to_report_a_typo_with_ctrl_enter_is_not_body_text() {
    let html = page(&format!(
        "<article><p>{}</p><p>{}</p><p>{}</p><p>{}</p>\
         <p>Нашли ошибку? Выделите фрагмент текста и нажмите Ctrl+Enter.</p></article>",
        P[0], P[1], P[2], P[3]
    ));
    assert_eq!(body_of(&html), &all()[..4]);
}

#[test]
fn the_editor_credit_under_a_chinese_article_is_not_body_text() {
    let html = page(&format!(
        "<article><p>{}</p><p>{}</p><p>{}</p><p>{}</p><p>【责任编辑：张三】</p></article>",
        P[0], P[1], P[2], P[3]
    ));
    assert_eq!(body_of(&html), &all()[..4]);
}

#[test]
fn a_comment_forms_heading_in_another_language_is_not_body_text() {
    // WordPress's "Leave a Reply" in German, left at the end of the entry.
    let html = page(&format!(
        "<article><p>{}</p><p>{}</p><p>{}</p><p>{}</p><h3>Schreibe einen Kommentar</h3></article>",
        P[0], P[1], P[2], P[3]
    ));
    assert_eq!(body_of(&html), &all()[..4]);
}

#[test]
fn a_sibling_box_of_teaser_articles_taken_with_the_article_is_dropped() {
    // A theme's "You may like..." box: each teaser an `<article>` with its excerpt in prose,
    // so the box is not link-dense.
    let teaser = |slug: &str, text: &str| {
        format!(
            "<article class=\"post\"><a href=\"/guides/{slug}\"><img src=\"/{slug}.jpg\"></a>\
             <div><a href=\"/share?u={slug}\">Share</a></div><p>{text}</p></article>"
        )
    };
    let html = page(&format!(
        "<main><h1>A day on the valley trail</h1><article class=\"post\">\
         <p>{}</p><p>{}</p><p>{}</p><p>{}</p><p>{}</p><p>{}</p></article>\
         <article class=\"post\"><h3>You may like...</h3>{}{}</article></main>",
        P[0],
        P[1],
        P[2],
        P[3],
        P[4],
        P[5],
        teaser(
            "ridge",
            "Snow closes the upper half of the ridge trail by December, but the lower loop stays open."
        ),
        teaser(
            "lake",
            "The lake path is flat and short, which makes it the park's favourite walk for families."
        ),
    ));
    assert_eq!(body_of(&html), all());
}

#[test]
fn a_related_box_of_teaser_articles_inside_the_content_is_dropped_whole() {
    // The box and the article under one wrapper taken whole: the heading's box goes.
    let teaser = |slug: &str, text: &str| {
        format!(
            "<article><a href=\"/guides/{slug}\"><img src=\"/{slug}.jpg\"></a><p>{text}</p></article>"
        )
    };
    let html = page(&format!(
        "<div id=\"content\"><article class=\"post\"><h1>A day on the valley trail</h1>\
         <p>{}</p><p>{}</p><p>{}</p><p>{}</p></article>\
         <section><h3>Lire aussi</h3>{}{}</section></div>",
        P[0],
        P[1],
        P[2],
        P[3],
        teaser(
            "ridge",
            "Snow closes the upper half of the ridge trail by December, but the lower loop stays \
             open all winter for walkers who bring the right boots and start early in the day."
        ),
        teaser(
            "lake",
            "The lake path is flat and short, which makes it the park's favourite walk for \
             families, and the boathouse at its far end sells coffee from April to October."
        ),
    ));
    assert_eq!(body_of(&html), &all()[..4]);
}

#[test]
fn wire_brief_whose_teaser_repeats_its_only_paragraph_is_not_empty() {
    let brief = P[0..3].join(" ");
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>A day on the valley trail</title>\
         <meta name=\"description\" content=\"{brief}\"></head><body>\
         <h1>A day on the valley trail</h1><div class=\"teaser\" itemprop=\"description\">\
         <p>{brief}</p></div><div class=\"story-text\" itemprop=\"articleBody\"><p>{brief}</p>\
         </div><footer><p>Copyright Outdoors Example.</p></footer></body></html>"
    );
    assert_eq!(body_of(&html), vec![brief]);
}

#[test]
fn article_body_inside_an_aside_is_not_sidebar() {
    let paras: String = P[..3].iter().map(|p| format!("<p>{p}</p>")).collect();
    let teasers: String = (1..=8)
        .map(|i| format!("<li><a href=\"/guides/{i}\">Another guide to read, number {i}</a></li>"))
        .collect();
    let html = page(&format!(
        "<main><aside class=\"paywall-direct\"><section><h1>A day on the valley trail</h1>\
         <article><div itemprop=\"articleBody\">{paras}</div></article></section></aside></main>\
         <div class=\"more\"><p>{}</p><p>{}</p><ul>{teasers}</ul></div>",
        P[4], P[5]
    ));
    assert_eq!(body_of(&html), P[..3].to_vec());
}

#[test]
fn extended_entry_in_a_more_named_box_is_the_articles() {
    let more = [
        P[4],
        P[5],
        "Rangers will lead free walks to the lower falls every Saturday morning until the end of October.",
    ];
    let html = page(&format!(
        "<div class=\"asset-header\"><h1>A day on the valley trail</h1></div>\
         <div class=\"asset-content\"><div class=\"asset-body\"><p>{}</p></div>\
         <div class=\"asset-more\"><p>{}</p><p>{}</p><p>{}</p></div></div>",
        P[..4].join(" "),
        more[0],
        more[1],
        more[2]
    ));
    let mut want = vec![P[..4].join(" ")];
    want.extend(more.iter().map(|p| p.to_string()));
    assert_eq!(body_of(&html), want);
}

#[test]
fn a_link_alone_on_the_line_a_sentence_announces_with_a_colon_is_text() {
    let html = page(&format!(
        "<article><h1>A day on the valley trail</h1><p>{}</p><p>{}</p>\
         <p>The park service has set up a mailbox for reports from the trail:</p>\
         <p><a href=\"mailto:trail.reports@outdoors.example.org\">trail.reports@outdoors.example.org</a></p>\
         <p>{}</p></article>",
        P[0], P[1], P[2]
    ));
    assert!(
        body_of(&html).contains(&"trail.reports@outdoors.example.org".to_string()),
        "{:?}",
        body_of(&html)
    );
}
