//! Sitemap documents (sitemaps.org 0.9, the Google News extension) and the `Sitemap:` lines
//! of robots.txt, parsed into what the pipeline polls: child documents to read, or story
//! entries shaped like feed items so they fold, dedup and triage exactly as feed entries do.
//!
//! A site's feeds list its latest stories only, and often not all of them; its sitemaps list
//! every story, by day. Entries on another site than the document's are dropped (a sitemap
//! may only speak for its own site), as are links tindex would never fetch.

use chrono::{DateTime, NaiveDate, Utc};
use quick_xml::Reader;
use quick_xml::events::Event;
use url::Url;

use crate::feed::{FeedItem, clean, usable};

/// The protocol's own limit on URLs in one document; more is cut, not fatal.
pub const MAX_URLS: usize = 50_000;

/// A parsed sitemap document.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// A `<sitemapindex>` (or robots.txt): documents to read, with when they last changed.
    Index(Vec<Child>),
    /// A `<urlset>`: story entries.
    Urls {
        items: Vec<FeedItem>,
        skipped: usize,
    },
}

/// One document listed by an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    pub url: Url,
    /// The index's `<lastmod>`: a shard whose date did not change since we read it is not
    /// requested again.
    pub lastmod: Option<DateTime<Utc>>,
}

/// Why a document could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SitemapError {
    #[error("not a sitemap: {0}")]
    NotSitemap(String),
    #[error("malformed sitemap at byte {position}: {message}")]
    Xml { position: u64, message: String },
}

/// Whether `url` names a robots.txt (a source whose children are its `Sitemap:` lines).
pub fn is_robots(url: &Url) -> bool {
    url.path() == "/robots.txt"
}

/// The `Sitemap:` lines of a robots.txt, in order, each once. The protocol lets robots.txt
/// name sitemaps on other hosts (a CDN), so they are not held to the site.
pub fn robots_sitemaps(text: &str, base: &Url) -> Document {
    let mut children: Vec<Child> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if !key.trim().eq_ignore_ascii_case("sitemap") {
            continue;
        }
        let Some(url) = base.join(value.trim()).ok().and_then(usable) else {
            continue;
        };
        if children.len() < MAX_URLS && seen.insert(url.clone()) {
            children.push(Child { url, lastmod: None });
        }
    }
    Document::Index(children)
}

/// Parses any document below a sitemap source on `site` (its host): a robots.txt by its path,
/// else a sitemap.
pub fn parse_any(text: &str, doc_url: &Url, site: &str) -> Result<Document, SitemapError> {
    if is_robots(doc_url) {
        Ok(robots_sitemaps(text, doc_url))
    } else {
        parse(text, doc_url, site)
    }
}

/// Parses a sitemap or sitemap index fetched from `doc_url` (already decoded to UTF-8) for a
/// source on `site`: stories and nested sitemaps elsewhere are dropped (counted as skipped),
/// wherever the document itself is served from.
pub fn parse(text: &str, doc_url: &Url, site: &str) -> Result<Document, SitemapError> {
    // The site or its subdomains (a section on `doanhnhan.` of the site).
    let on_site = |u: &Url| u.host_str().is_some_and(|h| crate::host::covers(site, h));
    let mut reader = Reader::from_str(text);
    let mut root: Option<String> = None;
    let mut children = Vec::new();
    let mut items = Vec::new();
    let mut skipped = 0;
    // The entry being read and the text of the element being read.
    let mut entry = Entry::default();
    let mut field: Option<Field> = None;
    let mut buf = String::new();
    let mut path: Vec<String> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| SitemapError::Xml {
            position: reader.buffer_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_owned();
                if root.is_none() {
                    if !matches!(name.as_str(), "urlset" | "sitemapindex") {
                        return Err(SitemapError::NotSitemap(format!("root element <{name}>")));
                    }
                    root = Some(name.clone());
                }
                // Fields by their place, so an image extension's <image:loc> or
                // <image:title> is never taken for the story's.
                field = match (path.len(), path.last().map(String::as_str), name.as_str()) {
                    (2, _, "loc") => Some(Field::Loc),
                    (2, _, "lastmod") => Some(Field::Lastmod),
                    (3, Some("news"), "publication_date") => Some(Field::Published),
                    (3, Some("news"), "title") => Some(Field::Title),
                    _ => None,
                };
                if path.len() == 1 {
                    entry = Entry::default();
                }
                path.push(name);
                buf.clear();
            }
            Event::Text(t) if field.is_some() => buf.push_str(&t.xml10_content()),
            Event::CData(t) if field.is_some() => buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if field.is_some() => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    buf.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    buf.push_str(s);
                }
            }
            Event::End(_) => {
                let Some(name) = path.pop() else { continue };
                if let Some(f) = field.take() {
                    let text = buf.trim();
                    match f {
                        Field::Loc => entry.loc = Some(text.to_owned()),
                        Field::Lastmod => entry.lastmod = w3c_date(text),
                        Field::Published => entry.published = w3c_date(text),
                        Field::Title => entry.title = Some(clean(text)).filter(|t| !t.is_empty()),
                    }
                    buf.clear();
                }
                if path.len() != 1 {
                    continue;
                }
                let e = std::mem::take(&mut entry);
                let loc = e.loc.and_then(|l| doc_url.join(&l).ok()).and_then(usable);
                match name.as_str() {
                    "sitemap" => match loc.filter(on_site) {
                        Some(url) if children.len() < MAX_URLS => children.push(Child {
                            url,
                            lastmod: e.lastmod,
                        }),
                        _ => skipped += 1,
                    },
                    "url" => match loc.filter(on_site) {
                        Some(link) if items.len() < MAX_URLS => items.push(FeedItem {
                            guid: None,
                            link,
                            title: e.title,
                            published: e.published,
                            updated: e.lastmod.filter(|u| *u <= Utc::now()),
                        }),
                        _ => skipped += 1,
                    },
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match root.as_deref() {
        Some("sitemapindex") => Ok(Document::Index(children)),
        Some(_) => Ok(Document::Urls { items, skipped }),
        None => Err(SitemapError::NotSitemap("no root element".into())),
    }
}

#[derive(Default)]
struct Entry {
    loc: Option<String>,
    lastmod: Option<DateTime<Utc>>,
    published: Option<DateTime<Utc>>,
    title: Option<String>,
}

#[derive(Clone, Copy)]
enum Field {
    Loc,
    Lastmod,
    Published,
    Title,
}

/// A W3C datetime as sitemaps write it: full RFC 3339, minutes without seconds, or a day
/// (midnight UTC). Anything else is no date.
pub fn w3c_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z") {
        return Some(t.with_timezone(&Utc));
    }
    if let Some(day) = s.strip_suffix('Z')
        && let Ok(t) = chrono::NaiveDateTime::parse_from_str(day, "%Y-%m-%dT%H:%M")
    {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// The day a dated shard covers, from its URL (`2024-05-31`, `2024/05/31`, `20240531`), else
/// the month (`2024-05`, `news-2019-4`), as the first and last day; `None` for an undated one.
pub fn shard_days(url: &Url) -> Option<(NaiveDate, NaiveDate)> {
    let path = url.path();
    let digits: Vec<(usize, &str)> = path
        .match_indices(|c: char| c.is_ascii_digit())
        .fold(Vec::<(usize, usize)>::new(), |mut runs, (i, _)| {
            match runs.last_mut() {
                Some((_, end)) if *end == i => *end = i + 1,
                _ => runs.push((i, i + 1)),
            }
            runs
        })
        .into_iter()
        .map(|(s, e)| (s, &path[s..e]))
        .collect();
    let num = |s: &str| s.parse::<u32>().ok();
    for (k, (_, run)) in digits.iter().enumerate() {
        if run.len() == 8 {
            let (y, m, d) = (num(&run[..4])?, num(&run[4..6])?, num(&run[6..])?);
            if let Some(day) = NaiveDate::from_ymd_opt(y as i32, m, d) {
                return Some((day, day));
            }
        }
        if run.len() != 4 || !(1990..=2100).contains(&num(run)?) {
            continue;
        }
        let year = num(run)? as i32;
        let next = |j: usize| {
            digits.get(j).filter(|(s, r)| {
                let (ps, pr) = digits[j - 1];
                *s == ps + pr.len() + 1 && r.len() <= 2
            })
        };
        let Some((_, month)) = next(k + 1) else {
            continue;
        };
        let month = num(month)?;
        if let Some((_, day)) = next(k + 2)
            && let Some(d) = NaiveDate::from_ymd_opt(year, month, num(day)?)
        {
            return Some((d, d));
        }
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let last = first
            .checked_add_months(chrono::Months::new(1))?
            .pred_opt()?;
        return Some((first, last));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn a_news_sitemap_gives_link_title_and_publication_date() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://example.test/a-post1.html?x=1&amp;y=2</loc>
<news:news><news:publication><news:name>PLVN</news:name><news:language>vi</news:language>
</news:publication><news:publication_date>2024-06-01T09:00:00+07:00</news:publication_date>
<news:title><![CDATA[Hoa&#768; thuận]]></news:title></news:news></url>
<url><loc>https://elsewhere.test/spam.html</loc></url>
<url><loc>javascript:alert(1)</loc></url>
</urlset>"#;
        let Document::Urls { items, skipped } = parse(
            xml,
            &url("https://example.test/sitemaps/news.xml"),
            "example.test",
        )
        .unwrap() else {
            panic!("a urlset is a list of stories");
        };
        assert_eq!(
            skipped, 2,
            "another site's entry and a non-http link dropped"
        );
        assert_eq!(items.len(), 1);
        let i = &items[0];
        assert_eq!(i.link.as_str(), "https://example.test/a-post1.html?x=1&y=2");
        assert_eq!(
            i.title.as_deref(),
            Some("Hoa&#768; thuận"),
            "CDATA is literal"
        );
        assert_eq!(
            i.published.unwrap().to_rfc3339(),
            "2024-06-01T02:00:00+00:00"
        );
        assert_eq!(i.guid, None);
    }

    #[test]
    fn an_index_lists_shards_with_their_lastmod() {
        let xml = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>/sitemaps/2024-05-31.xml</loc><lastmod>2024-05-31T22:10:00+07:00</lastmod></sitemap>
<sitemap><loc>https://example.test/sitemaps/2024-05-30.xml</loc><lastmod>2024-05-30</lastmod></sitemap>
<sitemap><loc>https://example.test/categories.xml</loc></sitemap>
<sitemap><loc>https://other.test/their-stories.xml</loc></sitemap>
</sitemapindex>"#;
        let Document::Index(children) = parse(
            xml,
            &url("https://example.test/sitemap.xml"),
            "example.test",
        )
        .unwrap() else {
            panic!("an index lists documents");
        };
        assert_eq!(children.len(), 3, "another site's sitemap is not followed");
        assert_eq!(
            children[0].url.as_str(),
            "https://example.test/sitemaps/2024-05-31.xml"
        );
        assert_eq!(
            children[0].lastmod.unwrap().to_rfc3339(),
            "2024-05-31T15:10:00+00:00"
        );
        assert_eq!(
            children[1].lastmod.unwrap().to_rfc3339(),
            "2024-05-30T00:00:00+00:00"
        );
        assert_eq!(children[2].lastmod, None);
    }

    #[test]
    fn an_html_page_or_a_feed_is_not_a_sitemap() {
        let base = url("https://example.test/sitemap.xml");
        assert!(parse("<html><body>404</body></html>", &base, "example.test").is_err());
        assert!(
            parse(
                "<rss version=\"2.0\"><channel/></rss>",
                &base,
                "example.test"
            )
            .is_err()
        );
        assert!(parse("", &base, "example.test").is_err());
        assert!(
            parse(
                "<urlset><url><loc>https://example.test/a",
                &base,
                "example.test"
            )
            .is_ok_and(|d| matches!(d, Document::Urls { items, .. } if items.is_empty()))
        );
    }

    #[test]
    fn robots_sitemap_lines_are_read_case_blind_and_once() {
        let robots = "User-agent: *\nDisallow: /admin\n\nSitemap: https://example.test/sitemap.xml\n\
                      sitemap: /sitemaps/news.xml # news\nSITEMAP: https://example.test/sitemap.xml\n";
        let Document::Index(children) =
            robots_sitemaps(robots, &url("https://example.test/robots.txt"))
        else {
            unreachable!()
        };
        let urls: Vec<&str> = children.iter().map(|c| c.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://example.test/sitemap.xml",
                "https://example.test/sitemaps/news.xml"
            ]
        );
    }

    #[test]
    fn shard_dates_come_from_the_url_by_day_or_month() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let days = |s: &str| shard_days(&url(s));
        assert_eq!(
            days("https://x.test/sitemaps/2024-05-31.xml"),
            Some((d(2024, 5, 31), d(2024, 5, 31)))
        );
        assert_eq!(
            days("https://x.test/sitemap/2024/05/31/index.xml"),
            Some((d(2024, 5, 31), d(2024, 5, 31)))
        );
        assert_eq!(
            days("https://x.test/sitemap-20240531.xml"),
            Some((d(2024, 5, 31), d(2024, 5, 31)))
        );
        assert_eq!(
            days("http://baophapluat.vn/sitemaps/news-2019-4.xml"),
            Some((d(2019, 4, 1), d(2019, 4, 30)))
        );
        assert_eq!(days("https://x.test/sitemaps/categories.xml"), None);
        assert_eq!(days("https://x.test/sitemap-posts-3.xml"), None);
    }

    #[test]
    fn lastmod_forms_of_the_w3c_profile() {
        assert!(w3c_date("2024-05-31T22:10+07:00").is_some());
        assert!(w3c_date("2024-05-31T22:10:05.5Z").is_some());
        assert!(w3c_date("2024-05-31").is_some());
        assert_eq!(w3c_date("yesterday"), None);
    }
}
