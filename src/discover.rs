//! Feed discovery: the feeds a site publishes, found from one of its pages instead of guessed.
//!
//! Sites move their feeds (PLVN's section feeds gained a `-c<N>` suffix), and a guessed URL
//! answers 404 for ever. A site says where its feeds are in three ways, tried in order:
//! `<link rel="alternate">` in the page head (RSS, Atom, JSON Feed), links to feed-like URLs
//! in the page, and an RSS index page linked from it ("RSS" in the link, a page listing many
//! feeds, as PLVN and most Vietnamese news sites publish). Only when none of these gives a
//! feed are a few common paths (`/rss`, `/feed`, …) tried. Every candidate is fetched and
//! parsed before it is reported, so what comes back is a list of working feeds.

use std::collections::HashSet;

use scraper::{Html, Selector};
use url::Url;

use chrono::Utc;
use tracing::{info, warn};

use crate::config::DiscoverConfig;
use crate::fetch::Fetcher;
use crate::store::StoreHandle;

/// Most candidate URLs fetched to verify them: a hostile page linking ten thousand "feeds"
/// costs this many requests, no more.
const MAX_CANDIDATES: usize = 120;
/// Most RSS index pages followed from the page.
const MAX_INDEX_PAGES: usize = 3;
/// Paths tried when the page names no feed.
const COMMON_PATHS: [&str; 7] = [
    "/rss",
    "/feed",
    "/rss.xml",
    "/feed.xml",
    "/atom.xml",
    "/index.xml",
    "/rss/home.rss",
];

/// How a feed was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// `<link rel="alternate">` in the page.
    Alternate,
    /// A link in the page.
    Link,
    /// A link on an RSS index page the page links to.
    Index,
    /// A common path on the site.
    CommonPath,
}

impl Via {
    /// The word shown for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alternate => "alternate",
            Self::Link => "link",
            Self::Index => "index",
            Self::CommonPath => "common_path",
        }
    }
}

/// A working feed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Discovered {
    /// Where the feed answered (after redirects).
    pub url: String,
    pub title: Option<String>,
    pub items: usize,
    pub via: Via,
}

/// Feeds declared in the head: `<link rel="alternate" type="application/rss+xml" href=…>`.
pub fn alternates(html: &Html, base: &Url) -> Vec<(Url, Option<String>)> {
    let Ok(sel) = Selector::parse("link[href]") else {
        return Vec::new();
    };
    html.select(&sel)
        .filter(|l| {
            let e = l.value();
            let rel = e.attr("rel").unwrap_or("").to_ascii_lowercase();
            let ty = e.attr("type").unwrap_or("").to_ascii_lowercase();
            rel.split_whitespace().any(|r| r == "alternate")
                && (ty.contains("rss") || ty.contains("atom") || ty.contains("feed+json"))
        })
        .filter_map(|l| {
            let url = resolve(base, l.value().attr("href")?)?;
            let title = l.value().attr("title").map(|t| t.trim().to_string());
            Some((url, title.filter(|t| !t.is_empty())))
        })
        .collect()
}

/// Links on the page to feed-like URLs of the same site, with the link text.
pub fn feed_links(html: &Html, base: &Url) -> Vec<(Url, Option<String>)> {
    links(html, base)
        .into_iter()
        .filter(|(u, _)| looks_like_feed(u) && same_site(u, base))
        .collect()
}

/// Links on the page to its RSS index pages: same site, "rss" in the path or the link text,
/// not themselves feed-like.
pub fn index_pages(html: &Html, base: &Url) -> Vec<Url> {
    let mut out: Vec<Url> = links(html, base)
        .into_iter()
        .filter(|(u, text)| {
            let path = u.path().to_ascii_lowercase();
            let text = text.as_deref().unwrap_or("").to_ascii_lowercase();
            same_site(u, base)
                && !looks_like_feed(u)
                && (path.contains("rss") || text.trim() == "rss" || text.contains("rss "))
        })
        .map(|(u, _)| u)
        .collect();
    dedup(&mut out);
    out.truncate(MAX_INDEX_PAGES);
    out
}

fn links(html: &Html, base: &Url) -> Vec<(Url, Option<String>)> {
    let Ok(sel) = Selector::parse("a[href]") else {
        return Vec::new();
    };
    html.select(&sel)
        .filter_map(|a| {
            let url = resolve(base, a.value().attr("href")?)?;
            let text: String = a.text().collect::<String>();
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            Some((url, (!text.is_empty()).then_some(text)))
        })
        .collect()
}

fn resolve(base: &Url, href: &str) -> Option<Url> {
    let mut url = base.join(href.trim()).ok()?;
    url.set_fragment(None);
    matches!(url.scheme(), "http" | "https").then_some(url)
}

fn same_site(a: &Url, b: &Url) -> bool {
    match (a.host_str(), b.host_str()) {
        (Some(x), Some(y)) => crate::host::covers(y, x) || crate::host::covers(x, y),
        _ => false,
    }
}

/// A URL that names a feed by its shape: `.rss`, `.atom`, an `.xml` under a feed-ish name,
/// or a path ending in `/feed` or `/rss`.
pub fn looks_like_feed(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    path.ends_with(".rss")
        || path.ends_with(".atom")
        || (path.ends_with(".xml") && ["rss", "feed", "atom"].iter().any(|w| path.contains(w)))
        || matches!(last, "feed" | "rss" | "atom")
}

fn dedup(urls: &mut Vec<Url>) {
    let mut seen = HashSet::new();
    urls.retain(|u| seen.insert(u.to_string()));
}

/// Why discovery found nothing to report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoverError {
    #[error("{url}: {message}")]
    Page { url: String, message: String },
}

/// The working feeds `page` leads to, in the order found, each once.
pub async fn discover(fetcher: &Fetcher, page: &Url) -> Result<Vec<Discovered>, DiscoverError> {
    let (landed, html) = get_page(fetcher, page)
        .await
        .map_err(|message| DiscoverError::Page {
            url: page.to_string(),
            message,
        })?;
    let mut candidates: Vec<(Url, Option<String>, Via)> = Vec::new();
    let indexes = {
        let doc = Html::parse_document(&html);
        candidates.extend(
            alternates(&doc, &landed)
                .into_iter()
                .map(|(u, t)| (u, t, Via::Alternate)),
        );
        candidates.extend(
            feed_links(&doc, &landed)
                .into_iter()
                .map(|(u, t)| (u, t, Via::Link)),
        );
        index_pages(&doc, &landed)
    };
    for index in indexes {
        let Ok((at, text)) = get_page(fetcher, &index).await else {
            continue;
        };
        let doc = Html::parse_document(&text);
        candidates.extend(
            feed_links(&doc, &at)
                .into_iter()
                .map(|(u, t)| (u, t, Via::Index)),
        );
    }
    if candidates.is_empty() {
        for path in COMMON_PATHS {
            if let Ok(u) = landed.join(path) {
                candidates.push((u, None, Via::CommonPath));
            }
        }
    }
    let mut seen = HashSet::new();
    candidates.retain(|(u, _, _)| seen.insert(u.to_string()));
    candidates.truncate(MAX_CANDIDATES);
    let mut found: Vec<Discovered> = Vec::new();
    for (url, link_title, via) in candidates {
        let Ok(feed_page) = fetcher.get_once(&url, false).await else {
            continue;
        };
        let Ok(parsed) = crate::feed::parse(&feed_page.text, &feed_page.url) else {
            continue;
        };
        let url = feed_page.url.to_string();
        if found.iter().any(|f| f.url == url) {
            continue;
        }
        found.push(Discovered {
            url,
            title: parsed.title.or(link_title),
            items: parsed.items.len(),
            via,
        });
    }
    Ok(found)
}

async fn get_page(fetcher: &Fetcher, url: &Url) -> Result<(Url, String), String> {
    let page = fetcher.get_once(url, false).await?;
    crate::extract::accepts_content_type(page.content_type.as_deref())
        .map_err(|e| e.to_string())?;
    Ok((page.url.clone(), page.text))
}

/// How long a failed check waits before it is tried again.
const RETRY_FAILED: chrono::Duration = chrono::Duration::hours(1);

/// Re-checks every configured page whose check is due (`[discover]`), and logs what changed:
/// one line per feed that appeared or vanished. Failures are logged and retried later; they
/// never stop the daemon.
pub async fn recheck_due(fetcher: &Fetcher, store: &StoreHandle, cfg: &DiscoverConfig) {
    let every = chrono::Duration::hours(i64::from(cfg.every_hours));
    for page in &cfg.pages {
        let Ok(url) = crate::config::parse_feed_url(page) else {
            continue;
        };
        let key = url.to_string();
        let k = key.clone();
        let now = Utc::now();
        let due = match store.run(move |s| s.discovery_checked(&k)).await {
            Ok(None) => true,
            Ok(Some((at, failed))) => now - at >= if failed { RETRY_FAILED } else { every },
            Err(e) => {
                warn!(page = %key, error = %e, "feed discovery state unreadable");
                continue;
            }
        };
        if !due {
            continue;
        }
        let started = std::time::Instant::now();
        let result: Result<Vec<(String, Option<String>)>, String> = discover(fetcher, &url)
            .await
            .map_err(|e| e.to_string())
            .and_then(|found| {
                // A maintenance or error page answering 200 lists nothing: that is a failed
                // check (tried again in an hour), not every known feed vanishing at once.
                if found.is_empty() {
                    Err("the page leads to no working feed".to_string())
                } else {
                    Ok(found.into_iter().map(|f| (f.url, f.title)).collect())
                }
            });
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let k = key.clone();
        let recorded = result.clone();
        let diff = store
            .run(move |s| {
                s.record_discovery(&k, Utc::now(), recorded.as_deref().map_err(String::as_str))
            })
            .await;
        match (result, diff) {
            (Err(error), _) => {
                warn!(page = %key, elapsed_ms, %error, "feed discovery failed; trying again in an hour")
            }
            (Ok(found), Ok(diff)) => {
                info!(page = %key, feeds = found.len(), elapsed_ms, "feeds discovered");
                for url in &diff.appeared {
                    if diff.first {
                        info!(page = %key, url = %url, "feed found");
                    } else {
                        info!(page = %key, url = %url, "feed appeared");
                    }
                }
                for url in &diff.vanished {
                    warn!(page = %key, url = %url, "feed vanished from the site's pages");
                }
            }
            (Ok(_), Err(e)) => warn!(page = %key, error = %e, "feed discovery not recorded"),
        }
    }
}

/// The discovered feed that most likely replaces `gone` (a feed that stopped answering):
/// same site, and the same section name once numbers and suffixes are set aside
/// (`/rss/thoi-su.rss` → `/rss/thoi-su-c2.rss`, `/rss/kinh-te-13.rss` → `/rss/kinh-te-c3.rss`).
pub fn replacement<'a>(gone: &str, discovered: &'a [String]) -> Option<&'a String> {
    let gone_url = Url::parse(gone).ok()?;
    let stem = section(&gone_url)?;
    discovered.iter().find(|d| {
        Url::parse(d).ok().is_some_and(|u| {
            same_site(&u, &gone_url) && u.as_str() != gone && section(&u).as_deref() == Some(&stem)
        })
    })
}

/// A feed URL's section name: its last path segment without extension and without a
/// trailing `-<digits>` or `-c<digits>` id.
fn section(url: &Url) -> Option<String> {
    let last = url.path().trim_end_matches('/').rsplit('/').next()?;
    let name = last.split('.').next()?.to_ascii_lowercase();
    let is_id = |id: &str| {
        let digits = id.strip_prefix('c').unwrap_or(id);
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
    };
    let name = match name.rsplit_once('-') {
        Some((head, id)) if !head.is_empty() && is_id(id) => head.to_string(),
        _ => name,
    };
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://baophapluat.vn/").unwrap()
    }

    #[test]
    fn alternate_links_of_feed_types_are_found_and_others_are_not() {
        let doc = Html::parse_document(
            r#"<head><link rel="alternate" type="application/rss+xml" title="Trang chủ" href="/rss/home.rss">
            <link rel="alternate" type="application/atom+xml" href="https://baophapluat.vn/atom.xml">
            <link rel="alternate" hreflang="en" href="/en/">
            <link rel="stylesheet" type="text/css" href="/a.css"></head>"#,
        );
        let found: Vec<(String, Option<String>)> = alternates(&doc, &base())
            .into_iter()
            .map(|(u, t)| (u.to_string(), t))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "https://baophapluat.vn/rss/home.rss".to_string(),
                    Some("Trang chủ".to_string())
                ),
                ("https://baophapluat.vn/atom.xml".to_string(), None)
            ]
        );
    }

    #[test]
    fn an_rss_index_page_is_followed_but_other_sites_are_not() {
        let doc = Html::parse_document(
            r#"<a href="/rss.html">RSS</a> <a href="/tin-tuc.html">Tin tức</a>
               <a href="https://other.vn/rss.html">RSS</a>"#,
        );
        let pages: Vec<String> = index_pages(&doc, &base())
            .iter()
            .map(Url::to_string)
            .collect();
        assert_eq!(pages, ["https://baophapluat.vn/rss.html"]);
    }

    #[test]
    fn feed_shaped_urls() {
        for yes in [
            "/rss/home.rss",
            "/feed",
            "/feed/",
            "/rss",
            "/news/rss.xml",
            "/a.atom",
        ] {
            assert!(looks_like_feed(&base().join(yes).unwrap()), "{yes}");
        }
        for no in ["/rss.html", "/sitemap.xml", "/tin-tuc/", "/feedback.html"] {
            assert!(!looks_like_feed(&base().join(no).unwrap()), "{no}");
        }
    }

    #[test]
    fn a_gone_section_feed_is_replaced_by_the_same_section_with_a_new_id() {
        let found = vec![
            "https://baophapluat.vn/rss/home.rss".to_string(),
            "https://baophapluat.vn/rss/kinh-te-c3.rss".to_string(),
            "https://baophapluat.vn/rss/thoi-su-c2.rss".to_string(),
        ];
        assert_eq!(
            replacement("https://baophapluat.vn/rss/thoi-su.rss", &found).map(String::as_str),
            Some("https://baophapluat.vn/rss/thoi-su-c2.rss")
        );
        assert_eq!(
            replacement("https://baophapluat.vn/rss/kinh-te-13.rss", &found).map(String::as_str),
            Some("https://baophapluat.vn/rss/kinh-te-c3.rss")
        );
        assert_eq!(
            replacement("https://baophapluat.vn/rss/the-thao.rss", &found),
            None
        );
        assert_eq!(replacement("https://other.vn/rss/home-1.rss", &found), None);
    }
}
