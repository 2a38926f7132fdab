//! Property tests over the untrusted-input edges other than the extractor (which has its own):
//! feed parsing, URL canonicalisation, charset decoding and robots.txt. No panic, bounded
//! time, and the invariants later stages rely on.

use proptest::prelude::*;
use tindex::charset;
use tindex::dedup::canonical_url;
use tindex::feed;
use tindex::fetch::robots::Robots;
use unicode_normalization::UnicodeNormalization;
use url::Url;

const RSS_PIECES: &[&str] = &[
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
    "<rss version=\"2.0\">",
    "<channel>",
    "</channel>",
    "</rss>",
    "<item>",
    "</item>",
    "<title>",
    "</title>",
    "<link>",
    "</link>",
    "<guid isPermaLink=\"false\">",
    "</guid>",
    "<pubDate>Sat, 01 Jun 2024 09:00:00 +0700</pubDate>",
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
    "</feed>",
    "<entry>",
    "</entry>",
    "<link href=\"/a-post1.html\"/>",
    "<id>urn:x</id>",
    "https://h.vn/b?utm_source=x",
    "/relative/path.html",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "Hoà bình",
    "Ho\u{61}\u{300}",
    "&amp;",
    "&#x1EA1;",
    "&bogus;",
    "<![CDATA[x]]>",
    "\u{0}",
    "\u{feff}",
    "<!DOCTYPE x [<!ENTITY a \"b\">]>",
    "&a;",
    " ",
    "\n",
    "<ttl>15</ttl>",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(RSS_PIECES), 0..60).prop_map(|v| v.concat())
}

fn url_like() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec!["http", "https", "HTTP", "HtTpS"]);
    let host = prop::sample::select(vec![
        "Example.VN",
        "baophapluat.vn",
        "xn--bao-phap-lut.vn",
        "127.0.0.1",
        "[::1]",
    ]);
    let port = prop::sample::select(vec!["", ":80", ":443", ":8080"]);
    let path = "(/[a-zA-Z0-9%._~-]{0,8}){0,4}";
    let key = prop::sample::select(vec![
        "utm_source",
        "UTM_Medium",
        "fbclid",
        "gclid",
        "id",
        "p",
        "a b",
        "q",
    ]);
    let query = prop::collection::vec((key, "[a-z0-9%+&=]{0,6}"), 0..5);
    let fragment = prop::option::of("[a-z0-9]{0,6}");
    (scheme, host, port, path, query, fragment).prop_map(|(s, h, p, path, q, f)| {
        let q: Vec<String> = q.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut u = format!("{s}://{h}{p}{path}");
        if !q.is_empty() {
            u.push('?');
            u.push_str(&q.join("&"));
        }
        if let Some(f) = f {
            u.push('#');
            u.push_str(&f);
        }
        u
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn feed_parser_never_panics_and_only_yields_http_links(xml in soup()) {
        let base = Url::parse("https://baophapluat.vn/rss/home.rss").unwrap();
        if let Ok(parsed) = feed::parse(&xml, &base) {
            for item in &parsed.items {
                prop_assert!(matches!(item.link.scheme(), "http" | "https"), "{}", item.link);
                if let Some(t) = &item.title {
                    prop_assert_eq!(t.nfc().collect::<String>(), t.clone());
                }
            }
        }
    }

    #[test]
    fn random_bytes_are_not_a_feed_and_do_not_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..2000),
        untagged in any::<bool>(),
    ) {
        let base = Url::parse("https://h.vn/rss").unwrap();
        // Long random byte strings nearly always hold a '<'; half the cases are made without.
        let bytes: Vec<u8> = if untagged {
            bytes.into_iter().filter(|b| *b != b'<').collect()
        } else {
            bytes
        };
        let (text, _) = charset::decode(&bytes, None);
        let parsed = feed::parse(&text, &base);
        if !text.contains('<') {
            prop_assert!(parsed.is_err(), "no markup, yet a feed: {:?}", parsed);
        }
    }

    #[test]
    fn random_text_escaped_into_an_rss_item_title_is_one_item_with_that_title(
        bytes in prop::collection::vec(any::<u8>(), 0..2000),
    ) {
        let base = Url::parse("https://h.vn/rss").unwrap();
        let (text, _) = charset::decode(&bytes, None);
        // What XML 1.0 can carry: no C0 controls but tab and line breaks, no U+FFFE or U+FFFF.
        let text: String = text
            .chars()
            .filter(|c| matches!(c, '\t' | '\n' | '\r') || (*c >= ' ' && !matches!(c, '\u{fffe}' | '\u{ffff}')))
            .collect();
        let escaped = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let xml = format!(
            "<rss version=\"2.0\"><channel><title>T</title><item><title>{escaped}</title>\
             <link>https://h.vn/a.html</link></item></channel></rss>"
        );
        let parsed = feed::parse(&xml, &base);
        prop_assert!(parsed.is_ok(), "{:?}", parsed.err());
        let parsed = parsed.unwrap();
        prop_assert_eq!(parsed.items.len(), 1);
        prop_assert_eq!(parsed.items[0].link.as_str(), "https://h.vn/a.html");
        let title: String = text.split_whitespace().collect::<Vec<_>>().join(" ").nfc().collect();
        prop_assert_eq!(parsed.items[0].title.clone(), Some(title).filter(|t| !t.is_empty()));
    }

    #[test]
    fn canonical_urls_are_idempotent_untracked_and_fragment_free(raw in url_like()) {
        if let Ok(url) = Url::parse(&raw) {
            let c = canonical_url(&url);
            prop_assert_eq!(canonical_url(&c), c.clone(), "idempotent");
            prop_assert!(c.fragment().is_none());
            let keys: Vec<String> = c.query_pairs().map(|(k, _)| k.to_lowercase()).collect();
            prop_assert!(!keys.iter().any(|k| k.starts_with("utm_") || k == "fbclid" || k == "gclid"));
            let mut sorted = keys.clone();
            sorted.sort();
            let pairs: Vec<(String, String)> = c.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            let mut sorted_pairs = pairs.clone();
            sorted_pairs.sort();
            prop_assert_eq!(pairs, sorted_pairs, "query sorted");
            prop_assert_eq!(c.scheme(), c.scheme().to_lowercase());
        }
    }

    #[test]
    fn charset_decoding_accepts_any_bytes_and_any_header(
        bytes in prop::collection::vec(any::<u8>(), 0..3000),
        ct in prop::option::of("[a-z/+;= -]{0,20}(charset=(utf-8|latin1|windows-1258|utf-16|bogus|\"x\"))?"),
    ) {
        let (text, encoding) = charset::decode(&bytes, ct.as_deref());
        prop_assert!(!encoding.is_empty());
        prop_assert!(text.len() <= bytes.len() * 3 + 3);
    }

    #[test]
    fn robots_txt_parsing_never_panics(text in "(User-agent: [a-z*]{0,6}\n|Disallow: [/a-z*$]{0,8}\n|Allow: [/a-z*$]{0,8}\n|#[^\n]{0,8}\n|[^\n]{0,10}\n){0,20}", path in "/[a-z/*$?=]{0,12}") {
        let robots = Robots::parse(&text, "tindex");
        let _ = robots.allows(&path);
    }
}
