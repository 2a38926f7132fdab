//! Host names as tindex compares them, in one place: site rules choosing a page, and the
//! same-site test that decides whether a page's canonical link may become its story's key.
//!
//! DNS names are case-insensitive and may be written fully qualified (`example.vn.`), and
//! `www.` is the same site as the bare name on every news site we archive, so all of those
//! compare equal here. Configured hosts are untrusted text: surrounding spaces are ignored.

/// The comparable form of a host: trimmed, lower-case, no trailing dot, no leading `www.`.
pub fn site(host: &str) -> String {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    match h.strip_prefix("www.") {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => h,
    }
}

/// The comparable host of a URL ([`site`]), empty when it has none: how rule health and the
/// metrics name the site a story came from.
pub fn site_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(site))
        .unwrap_or_default()
}

/// Whether `listed` (a host named in the config) covers `host`: the same site, or a
/// subdomain of it on a label boundary (`m.example.vn`, never `notexample.vn`).
pub fn covers(listed: &str, host: &str) -> bool {
    let (listed, host) = (site(listed), site(host));
    !listed.is_empty()
        && (host == listed
            || host
                .strip_suffix(listed.as_str())
                .is_some_and(|rest| rest.ends_with('.')))
}

/// Whether `s` is a host written bare ("baophapluat.vn"): no scheme, port, path, user or
/// space, which would never match a URL's host.
pub fn is_bare(s: &str) -> bool {
    !s.is_empty() && !s.contains(|c: char| c == '/' || c == ':' || c == '@' || c.is_whitespace())
}

/// Whether two hosts are one site (`www.` and case aside).
pub fn same_site(a: &str, b: &str) -> bool {
    let a = site(a);
    !a.is_empty() && a == site(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_trailing_dot_and_www_do_not_matter() {
        assert!(covers("BaoPhapLuat.vn", "baophapluat.vn"));
        assert!(covers("baophapluat.vn.", "www.baophapluat.vn"));
        assert!(covers("www.baophapluat.vn", "baophapluat.vn."));
        assert!(covers(" baophapluat.vn ", "M.BaoPhapLuat.VN"));
    }

    #[test]
    fn subdomains_match_only_on_label_boundaries() {
        assert!(covers("baophapluat.vn", "m.baophapluat.vn"));
        assert!(!covers("baophapluat.vn", "notbaophapluat.vn"));
        assert!(!covers("m.baophapluat.vn", "baophapluat.vn"));
        assert!(!covers("", "baophapluat.vn"));
        assert!(!covers(".", "baophapluat.vn"));
    }

    #[test]
    fn same_site_ignores_www_and_case_but_not_subdomains() {
        assert!(same_site("www.Example.vn", "example.vn."));
        assert!(!same_site("m.example.vn", "example.vn"));
        assert!(!same_site("", ""));
    }
}
