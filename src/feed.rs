//! Feed parsing: RSS 0.9x/1.0/2.0, Atom and JSON Feed (through feed-rs) into plain items.
//!
//! The text arrives already decoded to UTF-8 by `fetch`; the prolog is rewritten to say so, so
//! feed-rs never decodes twice. Items without a usable http(s) link are dropped here, with a
//! count, because there is no article page to fetch for them.

use chrono::{DateTime, Utc};
use unicode_normalization::UnicodeNormalization;
use url::Url;

use crate::charset::xml_as_utf8;

/// Upper bound on items taken from one feed document; a feed listing more is cut, not fatal.
pub const MAX_ITEMS: usize = 5000;

/// A feed document, reduced to what later stages use.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeed {
    pub title: Option<String>,
    /// RSS `<ttl>`: the publisher's own idea of a polling interval.
    pub ttl_minutes: Option<u32>,
    pub items: Vec<FeedItem>,
    /// Entries skipped because they had no http(s) link.
    pub skipped: usize,
}

/// One entry of a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    /// The entry id as the feed gives it (RSS guid, Atom id); may equal the link.
    pub guid: Option<String>,
    /// The article link, resolved against the feed URL.
    pub link: Url,
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    /// When the publisher says the entry last changed (Atom `<updated>`): a later value than
    /// our last fetch makes the article be fetched again to catch edits.
    pub updated: Option<DateTime<Utc>>,
}

/// Why a feed document could not be used.
#[derive(Debug, thiserror::Error)]
#[error("not a feed: {0}")]
pub struct FeedError(String);

/// Parses a feed document fetched from `feed_url`.
pub fn parse(text: &str, feed_url: &Url) -> Result<ParsedFeed, FeedError> {
    let xml = xml_as_utf8(text);
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(feed_url.as_str()))
        // No invented ids: an entry without a guid is known by its link alone.
        .id_generator(|_, _, _| String::new())
        .build();
    let feed = parser
        .parse(xml.as_bytes())
        .map_err(|e| FeedError(e.to_string()))?;
    let mut items = Vec::new();
    let mut skipped = 0;
    for entry in feed.entries.into_iter().take(MAX_ITEMS) {
        let link = entry
            .links
            .iter()
            // The article is the alternate link (or one without rel); never self, edit,
            // enclosure or replies.
            .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .find_map(|l| resolve(feed_url, &l.href));
        let guid = Some(entry.id.trim().to_owned()).filter(|g| !g.is_empty());
        // Some feeds put the only link in a permalink guid.
        let link = link.or_else(|| {
            guid.as_deref()
                .and_then(|g| Url::parse(g).ok())
                .and_then(usable)
        });
        let Some(link) = link else {
            skipped += 1;
            continue;
        };
        items.push(FeedItem {
            guid,
            link,
            title: entry
                .title
                .map(|t| clean(&t.content))
                .filter(|t| !t.is_empty()),
            published: entry.published.or(entry.updated),
            // feed-rs copies RSS pubDate into `updated`; an `updated` equal to the
            // publication time, or in the future (a mislabelled time zone), says nothing.
            updated: entry
                .updated
                .filter(|u| Some(*u) != entry.published && *u <= Utc::now()),
        });
    }
    Ok(ParsedFeed {
        title: feed
            .title
            .map(|t| clean(&t.content))
            .filter(|t| !t.is_empty()),
        ttl_minutes: feed.ttl,
        items,
        skipped,
    })
}

fn resolve(base: &Url, href: &str) -> Option<Url> {
    usable(base.join(href.trim()).ok()?)
}

/// An article link tindex will fetch and store: http(s), at most
/// [`crate::config::MAX_URL_BYTES`], and without any `user:password@` a hostile or careless
/// feed put there (removed: never sent, logged or stored).
pub(crate) fn usable(mut url: Url) -> Option<Url> {
    if !matches!(url.scheme(), "http" | "https")
        || url.as_str().len() > crate::config::MAX_URL_BYTES
    {
        return None;
    }
    if !url.username().is_empty() || url.password().is_some() {
        url.set_username("").ok()?;
        url.set_password(None).ok()?;
    }
    Some(url)
}

/// NFC and collapsed whitespace: feeds mix NFD titles with NFC ones. NUL, which no title
/// means and PostgreSQL refuses, is dropped.
pub(crate) fn clean(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.replace('\0', ""))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .nfc()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("http://example.test/rss/home.rss").unwrap()
    }

    #[test]
    fn rss_items_keep_guid_link_title_and_date() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>PLVN</title><ttl>15</ttl>
<item><title>Ho&#x61;̀ng</title><link>/a-post1.html</link>
<guid isPermaLink="false">plvn-1</guid><pubDate>Sat, 01 Jun 2024 09:00:00 +0700</pubDate></item>
<item><title>no link</title></item>
</channel></rss>"#;
        let feed = parse(xml, &base()).unwrap();
        assert_eq!(feed.title.as_deref(), Some("PLVN"));
        assert_eq!(feed.ttl_minutes, Some(15));
        assert_eq!(feed.skipped, 1);
        assert_eq!(feed.items.len(), 1);
        let item = &feed.items[0];
        assert_eq!(item.link.as_str(), "http://example.test/a-post1.html");
        assert_eq!(item.guid.as_deref(), Some("plvn-1"));
        assert_eq!(
            item.title.as_deref(),
            Some("Hoàng"),
            "NFD title becomes NFC"
        );
        assert_eq!(
            item.published.unwrap().to_rfc3339(),
            "2024-06-01T02:00:00+00:00"
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse("<html><body>hi</body></html>", &base()).is_err());
        assert!(parse("", &base()).is_err());
        // Truncated input may parse partially or fail; it must not panic.
        let _ = parse("<rss version=\"2.0\"><channel><item>", &base());
    }

    /// A feed cannot make tindex send, log or store credentials, nor store a 100 KB link.
    #[test]
    fn item_links_lose_credentials_and_huge_ones_are_skipped() {
        let feed = format!(
            "<rss version=\"2.0\"><channel><title>t</title>\
             <item><link>http://bob:hunter2@example.test/a-post1.html</link></item>\
             <item><link>http://example.test/{}</link></item></channel></rss>",
            "y".repeat(100_000)
        );
        let parsed = parse(&feed, &Url::parse("http://example.test/rss").unwrap()).unwrap();
        assert_eq!(parsed.items.len(), 1);
        assert_eq!(
            parsed.items[0].link.as_str(),
            "http://example.test/a-post1.html"
        );
        assert_eq!(parsed.skipped, 1);
    }
}
