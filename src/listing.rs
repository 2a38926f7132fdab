//! Listing pages (a site's section pages) read as a source: the story links a CSS selector
//! picks, shaped like feed items, for sites whose feeds do not list every story.

use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::feed::{FeedItem, MAX_ITEMS, ParsedFeed, clean, usable};

/// Why a listing page gave nothing.
#[derive(Debug, thiserror::Error)]
#[error("bad links selector {0:?}")]
pub struct BadSelector(pub String);

/// The story links `selector` picks on the page at `page_url`: an `a` element's `href`, or the
/// first link inside the element picked; on the page's own site only, each once, in page
/// order. The link text is the title.
pub fn links(html: &str, page_url: &Url, selector: &str) -> Result<ParsedFeed, BadSelector> {
    let picks = Selector::parse(selector).map_err(|_| BadSelector(selector.to_owned()))?;
    let any_link = Selector::parse("a[href]").map_err(|_| BadSelector("a[href]".into()))?;
    let doc = Html::parse_document(html);
    let site = page_url
        .host_str()
        .map(crate::host::site)
        .unwrap_or_default();
    let mut items: Vec<FeedItem> = Vec::new();
    let mut skipped = 0;
    for el in doc.select(&picks) {
        let link: Option<ElementRef<'_>> = if el.value().name() == "a" {
            Some(el)
        } else {
            el.select(&any_link).next()
        };
        let href = link.and_then(|a| a.value().attr("href"));
        let url = href
            .and_then(|h| page_url.join(h.trim()).ok())
            .and_then(usable)
            .map(|mut u| {
                u.set_fragment(None);
                u
            })
            .filter(|u| u.host_str().is_some_and(|h| crate::host::covers(&site, h)))
            .filter(|u| u != page_url);
        let Some(url) = url else {
            skipped += 1;
            continue;
        };
        if items.iter().any(|i| i.link == url) {
            continue;
        }
        if items.len() >= MAX_ITEMS {
            break;
        }
        let title = link.map(|a| clean(&a.text().collect::<String>()));
        items.push(FeedItem {
            guid: None,
            link: url,
            title: title.filter(|t| !t.is_empty()),
            published: None,
            updated: None,
        });
    }
    let title = Selector::parse("title")
        .ok()
        .and_then(|t| doc.select(&t).next())
        .map(|t| clean(&t.text().collect::<String>()))
        .filter(|t| !t.is_empty());
    Ok(ParsedFeed {
        title,
        ttl_minutes: None,
        items,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selected_links_become_items_on_the_site_once() {
        let html = r##"<html><head><title>Pháp luật</title></head><body>
<nav><a href="/thoi-su">Thời sự</a></nav>
<div class="story"><h3 class="story__title"><a href="/a-post1.html">Một</a></h3></div>
<div class="story"><h3 class="story__title"><a href="https://www.example.test/b-post2.html#c">Hai</a></h3></div>
<div class="story"><h3 class="story__title"><a href="/a-post1.html">Một lần nữa</a></h3></div>
<div class="story"><h3 class="story__title"><a href="https://ads.other.test/x">Quảng cáo</a></h3></div>
<div class="story"><h3 class="story__title">no link</h3></div>
</body></html>"##;
        let page = Url::parse("https://example.test/phap-luat").unwrap();
        let parsed = links(html, &page, "h3.story__title").unwrap();
        let urls: Vec<&str> = parsed.items.iter().map(|i| i.link.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://example.test/a-post1.html",
                "https://www.example.test/b-post2.html"
            ]
        );
        assert_eq!(parsed.items[0].title.as_deref(), Some("Một"));
        assert_eq!(
            parsed.skipped, 2,
            "another site's link and a title without one"
        );
        assert_eq!(parsed.title.as_deref(), Some("Pháp luật"));
    }
}
