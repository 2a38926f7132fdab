//! The only module that speaks HTTP.
//!
//! Every request, feed or article, goes through one [`Fetcher`] so the politeness budget
//! (per-host concurrency, minimum gap, `Retry-After`) is shared, and every response comes back
//! as UTF-8 text with the facts the store's audit log needs (status, bytes, elapsed).

mod budget;
mod config;
mod hosts;
pub mod policy;
pub mod robots;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

pub use budget::{MemoryBudget, PARSE_FACTOR, RECORD_FACTOR, Reservation};
pub use config::FetchConfig;
use hosts::HostLimits;
pub use policy::AddressPolicy;
use robots::Robots;

/// The longest wait a server's `Cache-Control`, `Expires` or `Retry-After` can impose.
const MAX_HINT: Duration = Duration::from_secs(7 * 24 * 3600);

/// How long a host's robots.txt is trusted before it is fetched again.
const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long an unreachable robots.txt (5xx, network) blocks article fetches before a retry.
const ROBOTS_ERROR_TTL: Duration = Duration::from_secs(600);

/// A host's rules, `None` while its robots.txt cannot be read; when they were read (by this
/// process's clock and the wall clock); for how long.
type RobotsCell = Arc<tokio::sync::OnceCell<(Option<Robots>, Instant, Duration, DateTime<Utc>)>>;

/// One origin's robots.txt as a process read it, for other workers of a shared store to
/// trust until it expires instead of asking the host again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedRobots {
    /// `scheme://host[:port]`.
    pub origin: String,
    /// The rules as JSON; `None`: robots.txt could not be read (stay away until it expires).
    pub rules: Option<String>,
    pub fetched_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What robots.txt says about one URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RobotsVerdict {
    Allowed,
    Disallowed,
    /// robots.txt answered 5xx/429 or not at all: RFC 9309 says stay away for now, which is a
    /// reason to try again later, not to give up on the article.
    Unreachable,
}

/// A robots.txt check, with the robots.txt request if this check made one (so the pipeline
/// can audit it like any other request).
#[derive(Debug)]
pub struct RobotsCheck {
    pub verdict: RobotsVerdict,
    pub fetched: Option<(Url, Report)>,
}

/// HTTP Basic credentials of one feed. The password is never printed: not by `Debug`, not in
/// any message, log line or stored row.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    password: String,
}

impl Credentials {
    /// Credentials read from the environment or a file by the config.
    pub fn new(username: String, password: String) -> Self {
        Self { username, password }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ***)", self.username)
    }
}

/// Validators from the previous successful fetch, for a conditional GET.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Caching hints the server gave, used by the scheduler to choose the next poll.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheHints {
    pub max_age: Option<Duration>,
    pub retry_after: Option<Duration>,
}

/// A successful response body, decoded.
#[derive(Debug)]
pub struct Page {
    /// The URL after redirects.
    pub url: Url,
    pub text: String,
    pub content_type: Option<String>,
    pub validators: Validators,
    /// The memory budget this page's text holds: kept with what it becomes until stored.
    pub memory: Reservation,
}

/// What a request came to when the server answered usefully.
#[derive(Debug)]
pub enum Outcome {
    /// 304: what we have is current; nothing to parse.
    NotModified,
    Fetched(Box<Page>),
}

/// Why a request gave no usable body.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum FetchError {
    #[error("HTTP {status}")]
    Status { status: u16 },
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("body larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("redirect refused: {0}")]
    Redirect(String),
    /// The host asked us (429/503 `Retry-After`) to stay away longer than a cycle waits.
    #[error("host asked for a pause (Retry-After); {} s left, not requested", .0.as_secs())]
    HostPaused(Duration),
    /// The network policy forbids the address or scheme; no request was sent.
    #[error("{0}")]
    Refused(String),
    #[error("connection failed: {0}")]
    Connect(String),
    #[error("request failed: {0}")]
    Other(String),
}

impl FetchError {
    /// A stable word for the audit row and metrics: what kind of failure, without the details.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Status { .. } => "http_status",
            Self::Timeout(_) => "timeout",
            Self::TooLarge { .. } => "too_large",
            Self::Redirect(_) => "redirect",
            Self::HostPaused(_) => "host_paused",
            Self::Refused(_) => "refused",
            Self::Connect(_) => "connect",
            Self::Other(_) => "request",
        }
    }
}

/// One request's result plus what the audit log records about it.
#[derive(Debug)]
pub struct Report {
    pub url: Url,
    pub status: Option<u16>,
    pub bytes: usize,
    pub elapsed: Duration,
    pub hints: CacheHints,
    pub result: Result<Outcome, FetchError>,
}

impl Report {
    /// A request that was never sent, and why.
    fn unsent(url: &Url, error: FetchError, hints: CacheHints) -> Self {
        Self {
            url: url.clone(),
            status: None,
            bytes: 0,
            elapsed: Duration::ZERO,
            hints,
            result: Err(error),
        }
    }
}

/// Shared HTTP client with the politeness budget; cheap to clone.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    hosts: HostLimits,
    max_body: usize,
    timeout: Duration,
    robots: Option<Arc<Mutex<HashMap<String, RobotsCell>>>>,
    policy: AddressPolicy,
    budget: MemoryBudget,
}

impl Fetcher {
    /// The memory budget of this fetcher's pages, for the parse share.
    pub fn budget(&self) -> &MemoryBudget {
        &self.budget
    }

    /// Builds the client: rustls, compression, timeouts, bounded redirects, a clear User-Agent.
    pub fn new(cfg: &FetchConfig) -> Result<Self, FetchError> {
        let policy = AddressPolicy::new(&cfg.allow_addresses).map_err(FetchError::Refused)?;
        let redirect_policy = {
            let policy = policy.clone();
            let max = cfg.max_redirects;
            reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() > max {
                    let n = attempt.previous().len();
                    return attempt.error(format!("more than {max} redirects ({n})"));
                }
                match policy.check_url(attempt.url()) {
                    Ok(()) => attempt.follow(),
                    Err(reason) => attempt.error(reason),
                }
            })
        };
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .connect_timeout(cfg.connect_timeout())
            // The whole-request timeout is the fetcher's own deadline (`send`), which a wait
            // for memory budget does not use up.
            .redirect(redirect_policy)
            .dns_resolver(policy.resolver())
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .pool_max_idle_per_host(cfg.per_host.max(2))
            // A proxy from the environment would resolve names itself, past the network
            // policy's resolver: tindex connects directly.
            .no_proxy()
            .build()
            .map_err(|e| FetchError::Other(e.to_string()))?;
        Ok(Self {
            client,
            hosts: HostLimits::new(
                cfg.concurrency,
                cfg.per_host,
                Duration::from_millis(cfg.per_host_gap_ms),
            ),
            max_body: cfg.max_body_bytes,
            timeout: cfg.timeout(),
            robots: cfg.robots_txt.then(Arc::default),
            policy,
            budget: MemoryBudget::new(cfg.memory_budget_mib, cfg.concurrency),
        })
    }

    /// Whether the host's robots.txt lets us fetch `url` (always true when the check is off).
    /// One robots.txt request per host per day, through the same politeness budget.
    pub async fn robots_allow(&self, url: &Url) -> RobotsCheck {
        let checked = |verdict| RobotsCheck {
            verdict,
            fetched: None,
        };
        let Some(cache) = &self.robots else {
            return checked(RobotsVerdict::Allowed);
        };
        if self.policy.check_url(url).is_err() {
            // The request itself will be refused, with the policy's reason.
            return checked(RobotsVerdict::Allowed);
        }
        let origin = url.origin().ascii_serialization();
        let cell = {
            let mut map = cache.lock().unwrap_or_else(|p| p.into_inner());
            let cell = map.entry(origin.clone()).or_default();
            if cell
                .get()
                .is_some_and(|(_, at, ttl, _)| at.elapsed() > *ttl)
            {
                *cell = RobotsCell::default();
            }
            cell.clone()
        };
        // Only the check that fills the cache made a request.
        let mut fetched = None;
        let (rules, _, _, _) = cell
            .get_or_init(|| async {
                let (robots, ttl, request) = self.fetch_robots(&origin).await;
                fetched = request;
                (robots, Instant::now(), ttl, Utc::now())
            })
            .await;
        let verdict = match rules {
            None => RobotsVerdict::Unreachable,
            Some(robots) => {
                let mut path = url.path().to_owned();
                if let Some(q) = url.query() {
                    path.push('?');
                    path.push_str(q);
                }
                if robots.allows(&path) {
                    RobotsVerdict::Allowed
                } else {
                    RobotsVerdict::Disallowed
                }
            }
        };
        RobotsCheck { verdict, fetched }
    }

    /// Every robots.txt this fetcher holds and still trusts, for a shared store.
    pub fn robots_snapshot(&self) -> Vec<SharedRobots> {
        let Some(cache) = &self.robots else {
            return Vec::new();
        };
        let map = cache.lock().unwrap_or_else(|p| p.into_inner());
        map.iter()
            .filter_map(|(origin, cell)| {
                let (rules, at, ttl, fetched_at) = cell.get()?;
                let left = ttl.checked_sub(at.elapsed())?;
                Some(SharedRobots {
                    origin: origin.clone(),
                    rules: rules.as_ref().and_then(|r| serde_json::to_string(r).ok()),
                    fetched_at: *fetched_at,
                    expires_at: Utc::now() + chrono::Duration::from_std(left).ok()?,
                })
            })
            .collect()
    }

    /// Trusts robots.txt rules another worker read, where this fetcher holds none that are
    /// current: the host is not asked again before they expire.
    pub fn seed_robots(&self, shared: Vec<SharedRobots>) {
        let Some(cache) = &self.robots else { return };
        let mut map = cache.lock().unwrap_or_else(|p| p.into_inner());
        for s in shared {
            let Ok(left) = (s.expires_at - Utc::now()).to_std() else {
                continue;
            };
            let rules = match &s.rules {
                Some(json) => match serde_json::from_str::<Robots>(json) {
                    Ok(r) => Some(r),
                    // Unreadable (written by another version): ask the host ourselves.
                    Err(_) => continue,
                },
                None => None,
            };
            let cell = map.entry(s.origin).or_default();
            if cell
                .get()
                .is_some_and(|(_, at, ttl, _)| at.elapsed() <= *ttl)
            {
                continue;
            }
            let fresh = RobotsCell::default();
            let _ = fresh.set((rules, Instant::now(), left, s.fetched_at));
            *cell = fresh;
        }
    }

    /// Hosts paused by a `Retry-After` still running, and until when.
    pub fn pauses(&self) -> Vec<(String, DateTime<Utc>)> {
        self.hosts
            .paused()
            .into_iter()
            .filter_map(|(host, left)| {
                Some((host, Utc::now() + chrono::Duration::from_std(left).ok()?))
            })
            .collect()
    }

    /// Holds requests to `host` back until `until` (a pause another worker was asked for).
    pub fn pause_until(&self, host: &str, until: DateTime<Utc>) {
        if let Ok(wait) = (until - Utc::now()).to_std() {
            self.hosts.pause(host, wait);
        }
    }

    async fn fetch_robots(
        &self,
        origin: &str,
    ) -> (Option<Robots>, Duration, Option<(Url, Report)>) {
        let Ok(url) = Url::parse(&format!("{origin}/robots.txt")) else {
            return (Some(Robots::allow_all()), ROBOTS_TTL, None);
        };
        let report = self.get(&url, &Validators::default()).await;
        let (robots, ttl, what) = match (&report.result, report.status) {
            (Ok(Outcome::Fetched(page)), _) => (
                Some(Robots::parse(&page.text, "tindex")),
                ROBOTS_TTL,
                "parsed",
            ),
            // RFC 9309: 4xx (but 429, a request to slow down) means no rules; 5xx or no
            // answer means stay away until it can be read.
            (Err(_), Some(status @ 400..=499)) if status != 429 => {
                (Some(Robots::allow_all()), ROBOTS_TTL, "absent")
            }
            _ => (
                None,
                ROBOTS_ERROR_TTL,
                "unreachable; article pages deferred",
            ),
        };
        tracing::info!(url = %url, status = report.status, elapsed_ms = report.elapsed.as_millis() as u64, "robots.txt {what}");
        (robots, ttl, Some((url, report)))
    }

    /// GETs `url`, conditionally when validators are given, within the host's budget.
    pub async fn get(&self, url: &Url, validators: &Validators) -> Report {
        self.get_as(url, validators, None).await
    }

    /// [`Fetcher::get`] with HTTP Basic credentials (a feed behind a login). reqwest drops
    /// the `Authorization` header on a redirect to another host.
    pub async fn get_as(
        &self,
        url: &Url,
        validators: &Validators,
        credentials: Option<&Credentials>,
    ) -> Report {
        if let Err(reason) = self.policy.check_url(url) {
            return Report::unsent(url, FetchError::Refused(reason), CacheHints::default());
        }
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let _permit = match self.hosts.acquire(&host).await {
            Ok(permit) => permit,
            Err(left) => {
                let hints = CacheHints {
                    max_age: None,
                    retry_after: Some(left),
                };
                return Report::unsent(url, FetchError::HostPaused(left), hints);
            }
        };
        // After the concurrency slot: at most `concurrency` reads hold a small reservation.
        let memory = self.budget.reserve().await;
        let started = Instant::now();
        let mut report = Report::unsent(
            url,
            FetchError::Other("not sent".into()),
            CacheHints::default(),
        );
        report.result = self
            .send(url, validators, credentials, &mut report, memory)
            .await;
        report.elapsed = started.elapsed();
        if let (Some(wait), Some(429 | 503)) = (report.hints.retry_after, report.status) {
            self.hosts.pause(&host, wait);
        }
        report
    }

    /// One page fetched outside a cycle (discovery, `rules test`): robots.txt first when
    /// `honour_robots`, then a plain GET; the error is one line naming the URL's problem.
    pub async fn get_once(&self, url: &Url, honour_robots: bool) -> Result<Box<Page>, String> {
        if honour_robots {
            match self.robots_allow(url).await.verdict {
                RobotsVerdict::Allowed => {}
                RobotsVerdict::Disallowed => return Err("robots.txt disallows it".into()),
                RobotsVerdict::Unreachable => {
                    return Err("robots.txt unreachable; not fetched".into());
                }
            }
        }
        match self.get(url, &Validators::default()).await.result {
            Ok(Outcome::Fetched(page)) => Ok(page),
            Ok(Outcome::NotModified) => Err("unexpected 304".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// POSTs a JSON `body` (a webhook event) with `headers`, under the same network policy,
    /// timeout and per-host limits as every other request. Answers the status, or why there is
    /// none; the response body is not read.
    pub async fn post_json(
        &self,
        url: &Url,
        body: String,
        headers: &[(&'static str, String)],
    ) -> Result<u16, FetchError> {
        self.policy.check_url(url).map_err(FetchError::Refused)?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let _permit = self
            .hosts
            .acquire(&host)
            .await
            .map_err(FetchError::HostPaused)?;
        let mut request = self
            .client
            .post(url.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = tokio::time::timeout(self.timeout, request.send())
            .await
            .map_err(|_| FetchError::Timeout(self.timeout))?
            .map_err(|e| self.classify(e))?;
        // The client follows redirects, re-sending a POST as a GET without its body: whatever
        // answered there did not take the event.
        if response.url() != url {
            return Err(FetchError::Redirect(format!(
                "redirected to {}; an event is only delivered where it is posted",
                response.url().host_str().unwrap_or("another address")
            )));
        }
        Ok(response.status().as_u16())
    }

    async fn send(
        &self,
        url: &Url,
        validators: &Validators,
        credentials: Option<&Credentials>,
        report: &mut Report,
        mut memory: Reservation,
    ) -> Result<Outcome, FetchError> {
        let timed_out = |_| FetchError::Timeout(self.timeout);
        let mut deadline = tokio::time::Instant::now() + self.timeout;
        let mut request = self.client.get(url.clone());
        if let Some(etag) = &validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, lm);
        }
        if let Some(c) = credentials {
            request = request.basic_auth(&c.username, Some(&c.password));
        }
        let mut response = tokio::time::timeout_at(deadline, request.send())
            .await
            .map_err(timed_out)?
            .map_err(|e| self.classify(e))?;
        let status = response.status();
        report.status = Some(status.as_u16());
        report.url = response.url().clone();
        report.hints = hints(response.headers());
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Outcome::NotModified);
        }
        if status.is_redirection() {
            // The client follows every http(s) redirect the policy allows; one it hands back
            // leads somewhere it will not go.
            let target = header_str(response.headers(), header::LOCATION);
            return Err(FetchError::Redirect(
                match target.and_then(|t| report.url.join(&t).ok()) {
                    Some(to) => format!(
                        "HTTP {} to a {}: URL, which is never followed",
                        status.as_u16(),
                        to.scheme()
                    ),
                    None => format!("HTTP {} without a usable Location", status.as_u16()),
                },
            ));
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                status: status.as_u16(),
            });
        }
        if response
            .content_length()
            .is_some_and(|n| n > self.max_body as u64)
        {
            return Err(FetchError::TooLarge {
                limit: self.max_body,
            });
        }
        let content_type = header_str(response.headers(), header::CONTENT_TYPE);
        let new_validators = Validators {
            etag: header_str(response.headers(), header::ETAG),
            last_modified: header_str(response.headers(), header::LAST_MODIFIED),
        };
        // Read chunk by chunk so the limit holds for decompressed bytes and lying lengths.
        let mut body = Vec::new();
        while let Some(chunk) = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .map_err(timed_out)?
            .map_err(|e| self.classify(e))?
        {
            let needed = body.len() + chunk.len();
            if needed > self.max_body {
                return Err(FetchError::TooLarge {
                    limit: self.max_body,
                });
            }
            if needed > body.capacity() {
                // Grow by doubling but never past the limit: a body at the limit costs the
                // limit, not the next power of two above it.
                let target = (body.capacity() * 2).clamp(needed, self.max_body);
                // Budget first; the time spent waiting for it is not the server's.
                deadline += memory.grow_to(target.saturating_mul(RECORD_FACTOR)).await;
                body.reserve_exact(target - body.len());
            }
            body.extend_from_slice(&chunk);
        }
        report.bytes = body.len();
        // A body that is itself a gzip file (`sitemap.xml.gz`, served as application/gzip,
        // not as a Content-Encoding) is inflated, under the same size limit.
        if body.starts_with(&[0x1f, 0x8b]) {
            body = gunzip(&body, self.max_body)?;
            // The inflated body is charged like a body read at that size.
            deadline += memory
                .grow_to(body.len().saturating_mul(RECORD_FACTOR))
                .await;
        }
        let (text, _encoding) = crate::charset::decode(&body, content_type.as_deref());
        drop(body);
        memory.settle(text.len().saturating_mul(RECORD_FACTOR));
        Ok(Outcome::Fetched(Box::new(Page {
            url: report.url.clone(),
            text,
            content_type,
            validators: new_validators,
            memory,
        })))
    }

    fn classify(&self, e: reqwest::Error) -> FetchError {
        let chain = error_chain(&e);
        if let Some(at) = chain.find("refused by network policy") {
            FetchError::Refused(chain[at..].to_owned())
        } else if e.is_timeout() {
            FetchError::Timeout(self.timeout)
        } else if e.is_redirect() {
            FetchError::Redirect(chain)
        } else if e.is_connect() {
            FetchError::Connect(error_chain(&e))
        } else {
            FetchError::Other(error_chain(&e))
        }
    }
}

/// Inflates a gzip file body, refusing one that inflates past `limit` (a compression bomb).
fn gunzip(body: &[u8], limit: usize) -> Result<Vec<u8>, FetchError> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(body)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| FetchError::Other(format!("gzip body: {e}")))?;
    if out.len() > limit {
        return Err(FetchError::TooLarge { limit });
    }
    Ok(out)
}

/// reqwest's top-level message is vague ("error sending request"); the sources say why.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .map(str::to_owned)
}

/// Reads `Cache-Control: max-age`, `Expires` and `Retry-After` (seconds or HTTP date).
fn hints(headers: &HeaderMap) -> CacheHints {
    let now = chrono::Utc::now();
    let until = |value: &str| -> Option<Duration> {
        let value = value.trim();
        if let Ok(secs) = value.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
        (at.with_timezone(&chrono::Utc) - now).to_std().ok()
    };
    // Servers' numbers are untrusted: a week is the most any hint may ask for.
    let cap = |d: Duration| d.min(MAX_HINT);
    let max_age = header_str(headers, header::CACHE_CONTROL)
        .and_then(|cc| {
            cc.split(',').find_map(|d| {
                d.trim()
                    .strip_prefix("max-age=")
                    .and_then(|v| v.trim().parse::<u64>().ok())
            })
        })
        .map(Duration::from_secs)
        .or_else(|| header_str(headers, header::EXPIRES).and_then(|v| until(&v)))
        .map(cap);
    let retry_after = header_str(headers, header::RETRY_AFTER)
        .and_then(|v| until(&v))
        .map(cap);
    CacheHints {
        max_age,
        retry_after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_hints_read_max_age_and_retry_after_seconds() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=600"),
        );
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("120"));
        assert_eq!(
            hints(&h),
            CacheHints {
                max_age: Some(Duration::from_secs(600)),
                retry_after: Some(Duration::from_secs(120)),
            }
        );
    }
}
