//! Story identity: which feed entries are the same article.
//!
//! An article is known by its canonical URL (the page's `rel=canonical`/`og:url` once fetched,
//! else the normalised link) and by every alias it was ever seen under: raw links, normalised
//! links and feed GUIDs. Before any page is fetched, a cycle's entries are folded by their
//! aliases, so one story listed by five feeds costs one request.

pub mod fingerprint;

use std::collections::HashMap;

use url::Url;

use crate::feed::FeedItem;

/// Query parameters that identify a campaign or a click, never the content.
fn is_tracking_param(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("utm_")
        || matches!(
            k.as_str(),
            "fbclid"
                | "gclid"
                | "dclid"
                | "gbraid"
                | "wbraid"
                | "msclkid"
                | "yclid"
                | "mc_cid"
                | "mc_eid"
                | "igshid"
                | "_ga"
                | "_gl"
                | "ref_src"
                | "zarsrc"
                | "mkt_tok"
        )
}

/// The normal form of a link: scheme and host lower-cased (the `url` crate does that and drops
/// default ports), fragment dropped, tracking parameters removed, remaining query sorted.
pub fn canonical_url(url: &Url) -> Url {
    let mut url = url.clone();
    drop_fragment(&mut url);
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking_param(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        pairs.sort();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url
}

/// Whether a page's `rel=canonical`/`og:url` may become its story's key: only on the same site
/// as the page (a syndicated copy pointing at the original must not merge into it) and never
/// the site's front page (what soft-404, paywall and consent pages often claim).
pub fn trustworthy_canonical(canonical: &Url, page: &Url) -> bool {
    matches!(canonical.scheme(), "http" | "https")
        && canonical
            .host_str()
            .zip(page.host_str())
            .is_some_and(|(c, p)| crate::host::same_site(c, p))
        && canonical.path() != "/"
}

/// Who a fetched page is: the key its story is stored under, and the alias a redirect added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The page's own canonical link when it may be trusted ([`trustworthy_canonical`]),
    /// normalised; else the candidate's key.
    pub key: String,
    /// Where a redirect landed, normalised, when that is not the link that was fetched: the
    /// next feed that links there directly finds the story.
    pub redirect_alias: Option<String>,
}

/// The identity of a fetched story: `key` is the candidate's key from the feeds, `fetched`
/// the link requested, `landed` the URL after redirects, `page_canonical` what the page's
/// `rel=canonical`/`og:url` said.
pub fn identify(key: &Url, fetched: &Url, landed: &Url, page_canonical: Option<&str>) -> Identity {
    let canonical = page_canonical
        .and_then(|u| Url::parse(u).ok())
        .filter(|u| trustworthy_canonical(u, landed))
        .map(|u| canonical_url(&u).to_string());
    Identity {
        key: canonical.unwrap_or_else(|| key.to_string()),
        redirect_alias: (landed != fetched).then(|| canonical_url(landed).to_string()),
    }
}

/// Drops a fragment unless it is a route (`#/news/1`, `#!/news/1`): single-page sites put
/// the article's identity there.
pub fn drop_fragment(url: &mut Url) {
    if !url
        .fragment()
        .is_some_and(|f| f.starts_with('/') || f.starts_with('!'))
    {
        url.set_fragment(None);
    }
}

/// Every key an entry can be recognised by later: its normalised link, its raw link and its
/// GUID (prefixed, so a GUID that looks like a URL never collides with a link of another story).
pub fn aliases(item: &FeedItem) -> Vec<String> {
    let mut keys = vec![canonical_url(&item.link).to_string()];
    if item.link.as_str() != keys[0] {
        keys.push(item.link.to_string());
    }
    if let Some(guid) = &item.guid {
        keys.push(guid_alias(item.link.host_str().unwrap_or_default(), guid));
    }
    keys
}

/// The alias under which a feed GUID is stored. Scoped by the link's host: GUIDs are meant to
/// be global but many sites use bare numbers, and two sites' "1234" are different stories.
pub fn guid_alias(host: &str, guid: &str) -> String {
    format!("guid:{}:{guid}", host.to_ascii_lowercase())
}

/// A story to fetch: one or more feed entries (from one or more feeds) that share an alias.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The story's key until the page names its canonical URL: the first entry's link, normalised.
    pub url: Url,
    /// The link as the publisher wrote it (fragment dropped): what is fetched, since
    /// normalising a query can change what some servers answer.
    pub fetch_url: Url,
    pub guid: Option<String>,
    pub feed_title: Option<String>,
    /// Every alias of every entry folded into this story.
    pub aliases: Vec<String>,
    /// Feed ids that listed it.
    pub feeds: Vec<i64>,
    /// The latest `updated` time any entry gave.
    pub updated: Option<chrono::DateTime<chrono::Utc>>,
    /// The earliest publication time any entry gave: the story's date when its page has none.
    pub published: Option<chrono::DateTime<chrono::Utc>>,
}

/// Folds a cycle's entries into one candidate per story, by shared aliases (union-find over
/// alias keys, so "A shares a GUID with B, B shares a link with C" is one story).
pub fn fold(entries: impl IntoIterator<Item = (i64, FeedItem)>) -> Vec<Candidate> {
    let mut by_alias: HashMap<String, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    let mut items: Vec<(i64, FeedItem, Vec<String>)> = Vec::new();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let entries: Vec<(i64, FeedItem)> = entries.into_iter().collect();
    // A GUID one feed gives to entries with different links (all "0", or the feed's own URL)
    // identifies nothing: it must not fold those stories together.
    let mut guid_links: HashMap<(i64, &str), Vec<String>> = HashMap::new();
    for (feed_id, item) in &entries {
        if let Some(g) = &item.guid {
            let links = guid_links.entry((*feed_id, g.as_str())).or_default();
            let link = canonical_url(&item.link).to_string();
            if !links.contains(&link) {
                links.push(link);
            }
        }
    }
    let reused: Vec<(i64, String)> = guid_links
        .into_iter()
        .filter(|(_, links)| links.len() > 1)
        .map(|((feed, guid), _)| (feed, guid.to_owned()))
        .collect();
    for (feed_id, mut item) in entries {
        if item
            .guid
            .as_ref()
            .is_some_and(|g| reused.iter().any(|(f, r)| *f == feed_id && r == g))
        {
            item.guid = None;
        }
        let keys = aliases(&item);
        let me = items.len();
        parent.push(me);
        for key in &keys {
            match by_alias.get(key) {
                Some(&other) => {
                    let (a, b) = (find(&mut parent, other), find(&mut parent, me));
                    if a != b {
                        parent[b.max(a)] = a.min(b);
                    }
                }
                None => {
                    by_alias.insert(key.clone(), me);
                }
            }
        }
        items.push((feed_id, item, keys));
    }
    let mut out: Vec<Candidate> = Vec::new();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    for (i, (feed_id, item, keys)) in items.iter().enumerate() {
        let root = find(&mut parent, i);
        let idx = *slot.entry(root).or_insert_with(|| {
            out.push(Candidate {
                url: canonical_url(&item.link),
                fetch_url: {
                    let mut u = item.link.clone();
                    drop_fragment(&mut u);
                    u
                },
                guid: item.guid.clone(),
                feed_title: item.title.clone(),
                aliases: Vec::new(),
                feeds: Vec::new(),
                updated: None,
                published: None,
            });
            out.len() - 1
        });
        let c = &mut out[idx];
        for k in keys {
            if !c.aliases.contains(k) {
                c.aliases.push(k.clone());
            }
        }
        if !c.feeds.contains(feed_id) {
            c.feeds.push(*feed_id);
        }
        c.updated = c.updated.max(item.updated);
        c.published = match (c.published, item.published) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(link: &str, guid: Option<&str>) -> FeedItem {
        FeedItem {
            guid: guid.map(str::to_owned),
            link: Url::parse(link).unwrap(),
            title: None,
            published: None,
            updated: None,
        }
    }

    #[test]
    fn canonical_drops_tracking_fragment_default_port_and_sorts() {
        let u = Url::parse(
            "HTTP://Example.VN:80/a-post1.html?utm_source=fb&b=2&fbclid=x&a=1&UTM_Medium=m#top",
        )
        .unwrap();
        assert_eq!(
            canonical_url(&u).as_str(),
            "http://example.vn/a-post1.html?a=1&b=2"
        );
        let bare = Url::parse("https://example.vn/x?utm_campaign=c").unwrap();
        assert_eq!(canonical_url(&bare).as_str(), "https://example.vn/x");
    }

    #[test]
    fn a_guid_reused_for_different_links_in_one_feed_folds_nothing() {
        let c = fold([
            (1, item("http://h/a.html", Some("0"))),
            (1, item("http://h/b.html", Some("0"))),
            (2, item("http://h/c.html", Some("0"))),
        ]);
        assert_eq!(c.len(), 3);
        assert!(c[0].aliases.iter().all(|a| !a.starts_with("guid:")));
        assert_eq!(
            c[2].aliases,
            vec!["http://h/c.html", "guid:h:0"],
            "other feed's own guid kept"
        );
    }

    #[test]
    fn route_fragments_are_identity_plain_ones_are_not() {
        let u = |s: &str| canonical_url(&Url::parse(s).unwrap()).to_string();
        assert_eq!(u("https://h/app#/news/1"), "https://h/app#/news/1");
        assert_eq!(u("https://h/app#!/news/2"), "https://h/app#!/news/2");
        assert_eq!(u("https://h/a.html#comments"), "https://h/a.html");
    }

    #[test]
    fn entries_sharing_link_or_guid_fold_into_one_story() {
        let c = fold([
            (1, item("http://h/a.html?utm_source=x", Some("plvn-1"))),
            (2, item("http://h/a.html", None)),
            (3, item("http://h/other.html", Some("plvn-1"))),
            (3, item("http://h/b.html", Some("http://h/b.html"))),
        ]);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].url.as_str(), "http://h/a.html");
        assert_eq!(c[0].feeds, vec![1, 2, 3]);
        assert!(c[0].aliases.contains(&"guid:h:plvn-1".to_string()));
        assert!(c[0].aliases.contains(&"http://h/other.html".to_string()));
        assert_eq!(c[1].feeds, vec![3]);
    }

    #[test]
    fn a_same_site_canonical_becomes_the_key_and_a_redirect_its_alias() {
        let u = |s: &str| Url::parse(s).unwrap();
        let key = u("https://h.vn/a.html");
        let landed = u("https://www.h.vn/new/a.html?utm_source=x");
        let id = identify(&key, &key, &landed, Some("https://H.vn/story-1.html#top"));
        assert_eq!(id.key, "https://h.vn/story-1.html");
        assert_eq!(
            id.redirect_alias.as_deref(),
            Some("https://www.h.vn/new/a.html")
        );
    }

    #[test]
    fn a_foreign_or_front_page_canonical_is_not_trusted() {
        let u = |s: &str| Url::parse(s).unwrap();
        let key = u("https://h.vn/a.html");
        for canonical in [
            "https://other.vn/a.html",
            "https://h.vn/",
            "ftp://h.vn/a",
            "::",
        ] {
            let id = identify(&key, &key, &key, Some(canonical));
            assert_eq!(id.key, key.as_str(), "{canonical}");
            assert_eq!(id.redirect_alias, None);
        }
    }
}
