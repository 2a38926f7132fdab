//! robots.txt for article pages (RFC 9309): the group for our product token, else `*`;
//! the longest matching Allow/Disallow rule wins, Allow on a tie; `*` and `$` wildcards.
//!
//! Feeds are not checked: a site that publishes a feed invites readers to poll it, and feed
//! readers conventionally do not consult robots.txt for the feed URL.

/// One user-agent group: (names us, names `*`, (allow?, pattern) rules).
type Group = (bool, bool, Vec<(bool, String)>);

/// The rules of one host that apply to us.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Robots {
    rules: Vec<(bool, String)>,
}

impl Robots {
    /// Everything allowed: what a missing robots.txt (404) means.
    pub fn allow_all() -> Self {
        Self::default()
    }

    /// Parses a robots.txt body for the product token `agent` (e.g. "tindex").
    pub fn parse(text: &str, agent: &str) -> Self {
        let agent = agent.to_ascii_lowercase();
        let mut groups: Vec<Group> = Vec::new();
        let mut in_agents = false;
        for line in text.lines().take(10_000) {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "user-agent" => {
                    let v = value.to_ascii_lowercase();
                    if !in_agents {
                        groups.push((false, false, Vec::new()));
                    }
                    in_agents = true;
                    if let Some(g) = groups.last_mut() {
                        // RFC 9309: the product token, matched case-insensitively.
                        g.0 |= v == agent;
                        g.1 |= v == "*";
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    if let Some(g) = groups.last_mut().filter(|_| !value.is_empty()) {
                        g.2.push((key == "allow", normalize(value)));
                    }
                }
                _ => {}
            }
        }
        let pick = |mine: bool| {
            groups
                .iter()
                .filter(|g| if mine { g.0 } else { g.1 })
                .flat_map(|g| g.2.iter().cloned())
                .collect::<Vec<_>>()
        };
        let ours = pick(true);
        let rules = if groups.iter().any(|g| g.0) {
            ours
        } else {
            pick(false)
        };
        Self { rules }
    }

    /// Whether `path_and_query` (e.g. "/a/b.html?x=1") may be fetched.
    pub fn allows(&self, path_and_query: &str) -> bool {
        let path = normalize(path_and_query);
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if matches(pattern, &path) {
                let len = pattern.len();
                let better = match best {
                    None => true,
                    Some((l, a)) => len > l || (len == l && *allow && !a),
                };
                if better {
                    best = Some((len, *allow));
                }
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// One spelling for a path or pattern, as RFC 9309 §2.2.2 compares them: octets outside
/// US-ASCII percent-encoded (`/tìm` → `/t%C3%ACm`), escapes of unreserved characters decoded
/// (`%41` → `A`), every other escape in upper case (`%2f` → `%2F`). So `Disallow: /tìm`
/// stops `/t%C3%ACm-x.html`, as `Disallow: /t%c3%acm` does.
fn normalize(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let hex = |c: u8| (c as char).to_digit(16);
        if b == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            let v = (h * 16 + l) as u8;
            if v.is_ascii_alphanumeric() || b"-._~".contains(&v) {
                out.push(v as char);
            } else {
                out.push_str(&format!("%{v:02X}"));
            }
            i += 3;
            continue;
        }
        if b.is_ascii() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        i += 1;
    }
    out
}

/// Prefix match with `*` (any run) and a trailing `$` (end of path).
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let Some((first, others)) = parts.split_first() else {
        return true;
    };
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    for (i, part) in others.iter().enumerate() {
        if anchored && i + 1 == others.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    !anchored || rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TXT: &str = "User-agent: *\nDisallow: /private/\nDisallow: /*.pdf$\n\n\
                       User-agent: badbot\nUser-agent: tindex\nDisallow: /search\nAllow: /search/ok\n";

    /// RFC 9309 §2.2.2: a rule written in UTF-8 stops the percent-encoded path a URL has.
    #[test]
    fn a_non_ascii_rule_matches_its_percent_encoded_path() {
        let r = Robots::parse("User-agent: *\nDisallow: /tìm\n", "tindex");
        assert!(!r.allows("/t%C3%ACm-x.html"));
        assert!(
            !r.allows("/t%c3%acm-x.html"),
            "escapes compare case-insensitively"
        );
        assert!(r.allows("/tim-x.html"));
        let encoded = Robots::parse("User-agent: *\nDisallow: /t%c3%acm\n", "tindex");
        assert!(!encoded.allows("/t%C3%ACm-x.html"));
        let unreserved = Robots::parse("User-agent: *\nDisallow: /%7Euser/\n", "tindex");
        assert!(!unreserved.allows("/~user/page"), "%7E is ~");
    }

    #[test]
    fn our_group_wins_over_star() {
        let r = Robots::parse(TXT, "tindex");
        assert!(!r.allows("/search?q=x"));
        assert!(r.allows("/search/ok/1"), "longer allow wins");
        assert!(
            r.allows("/private/x"),
            "the * group does not apply when ours exists"
        );
    }

    #[test]
    fn star_group_with_wildcards() {
        let r = Robots::parse(TXT, "otherbot");
        assert!(!r.allows("/private/a.html"));
        assert!(!r.allows("/files/a.pdf"));
        assert!(r.allows("/files/a.pdf.html"));
        assert!(r.allows("/news/a-post1.html"));
    }

    #[test]
    fn empty_or_garbage_allows_everything() {
        assert!(Robots::parse("", "tindex").allows("/x"));
        assert!(Robots::parse("\u{0}\u{1}<html>", "tindex").allows("/x"));
        assert!(Robots::parse("User-agent: *\nDisallow:\n", "tindex").allows("/x"));
        assert!(!Robots::parse("User-agent: *\nDisallow: /\n", "tindex").allows("/x"));
    }
}
