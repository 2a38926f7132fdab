//! Network policy: feeds are untrusted, and an article link, a redirect or a DNS answer must not
//! turn tindex against its own host or network. Only http(s) is fetched, and connections to
//! loopback, private, link-local (cloud metadata at 169.254.169.254), multicast and reserved
//! addresses are refused unless the config lists them in `fetch.allow_addresses`.
//!
//! The check sits where the address is known: in the DNS resolver for names (so a public name
//! that resolves to 127.0.0.1 is caught), and before the request and at every redirect for IP
//! literals (which never reach a resolver).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// An address range from the config: `127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    fn parse(s: &str) -> Result<Self, String> {
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or CIDR range"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: bad prefix length"))?,
        };
        Ok(Self { addr, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// An IPv6 address that carries an IPv4 one is judged as that IPv4 address: mapped
/// (`::ffff:a.b.c.d`), compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`, `64:ff9b:1::/48`)
/// and 6to4 (`2002:AABB:CCDD::/48`).
fn canonical(ip: IpAddr) -> IpAddr {
    let IpAddr::V6(v6) = ip else { return ip };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return IpAddr::V4(v4);
    }
    let s = v6.segments();
    let o = v6.octets();
    let tail = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    let compatible = s[..6].iter().all(|x| *x == 0) && !(s[6] == 0 && s[7] <= 1);
    let nat64 = s[0] == 0x64 && s[1] == 0xff9b && (s[2] == 1 || s[2..6].iter().all(|x| *x == 0));
    if compatible || nat64 {
        return IpAddr::V4(tail);
    }
    if s[0] == 0x2002 {
        return IpAddr::V4(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    ip
}

/// Why an address is not public, or `None` when it is.
fn special(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => special_v4(v4),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

fn special_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local (cloud metadata)")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Some("multicast or reserved")
    } else if (a == 192 && b == 0 && ip.octets()[2] == 0) || (a == 198 && (18..20).contains(&b)) {
        Some("reserved")
    } else {
        None
    }
}

fn special_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if first & 0xfe00 == 0xfc00 {
        Some("private (unique local)")
    } else if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 {
        Some("link-local or site-local")
    } else if first == 0x2001 && ip.segments()[1] == 0 {
        Some("Teredo tunnel")
    } else if ip.is_multicast() {
        Some("multicast")
    } else {
        None
    }
}

/// The configured policy; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    allow: Arc<Vec<Net>>,
}

impl AddressPolicy {
    /// Builds the policy from `fetch.allow_addresses`; an entry that does not parse is an error.
    pub fn new(allow: &[String]) -> Result<Self, String> {
        let nets = allow
            .iter()
            .map(|s| Net::parse(s))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            allow: Arc::new(nets),
        })
    }

    /// `Err(reason)` when tindex must not connect to `ip`.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), String> {
        match special(ip) {
            Some(kind) if !self.allow.iter().any(|n| n.contains(ip)) => Err(format!(
                "refused by network policy: {ip} is a {kind} address (allow it with fetch.allow_addresses)"
            )),
            _ => Ok(()),
        }
    }

    /// Checks a URL before a request or a redirect: scheme, and the host when it is an IP literal.
    pub fn check_url(&self, url: &Url) -> Result<(), String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "refused by network policy: scheme {:?} is not http or https",
                url.scheme()
            ));
        }
        match url.host() {
            Some(Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip)),
            Some(Host::Domain(_)) => Ok(()),
            None => Err("refused by network policy: URL has no host".into()),
        }
    }

    /// A DNS resolver that drops answers this policy refuses.
    pub(crate) fn resolver(&self) -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver {
            policy: self.clone(),
        })
    }
}

/// The system resolver, filtered by the policy: a name whose every address is refused fails
/// with the policy's reason.
pub(crate) struct GuardedResolver {
    policy: AddressPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match policy.check_ip(a.ip()) {
                    Ok(()) => true,
                    Err(e) => {
                        refused.get_or_insert(e);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let reason = refused.unwrap_or_else(|| format!("no address for {host}"));
                return Err(format!("{host}: {reason}").into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(policy: &AddressPolicy, url: &str) -> bool {
        policy.check_url(&Url::parse(url).unwrap()).is_err()
    }

    #[test]
    fn private_loopback_link_local_and_metadata_are_refused_by_default() {
        let p = AddressPolicy::default();
        for url in [
            "http://127.0.0.1/",
            "http://127.9.9.9:8080/x",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[fd00:ec2::254]/",
            "http://[fe80::1]/",
            "http://[fec0::1]/",
            "http://[64:ff9b::a00:1]/",
            "http://[::a00:1]/",
            "http://[2002:a00:1::1]/",
            "http://[2001:0:4136:e378::1]/",
            "ftp://example.com/",
            "file:///etc/passwd",
        ] {
            assert!(refused(&p, url), "{url} must be refused");
        }
        assert!(!refused(&p, "https://baophapluat.vn/rss/home.rss"));
        assert!(!refused(&p, "http://93.184.216.34/"));
        assert!(!refused(&p, "http://[2606:4700::1111]/"));
    }

    #[test]
    fn allow_list_opens_exactly_what_it_names() {
        let p = AddressPolicy::new(&["127.0.0.1".into(), "10.0.0.0/8".into()]).unwrap();
        assert!(!refused(&p, "http://127.0.0.1:18080/"));
        assert!(refused(&p, "http://127.0.0.2/"));
        assert!(!refused(&p, "http://10.200.0.1/"));
        assert!(refused(&p, "http://169.254.169.254/"));
        assert!(AddressPolicy::new(&["localhost".into()]).is_err());
        assert!(AddressPolicy::new(&["10.0.0.0/33".into()]).is_err());
    }

    #[test]
    fn refusal_says_why() {
        let err = AddressPolicy::default()
            .check_url(&Url::parse("http://169.254.169.254/").unwrap())
            .unwrap_err();
        assert_eq!(
            err,
            "refused by network policy: 169.254.169.254 is a link-local (cloud metadata) address (allow it with fetch.allow_addresses)"
        );
    }
}
