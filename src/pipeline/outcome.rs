//! Typed outcomes of the cycle's stages. Each failure keeps its cause's type up to the store
//! edge, where it becomes the article's `error` text and the audit row's stable `failure`
//! word ([`Failure::kind`]).

use std::time::Duration;

use crate::extract::{ExtractError, NotAPage};
use crate::feed::FeedError;
use crate::fetch::FetchError;
use crate::store::{Content, FetchResult};

/// What fetching one story came to.
#[derive(Debug)]
pub enum ArticleOutcome {
    /// The page was fetched and an article extracted.
    Fetched(Box<Content>),
    /// This attempt failed; it counts against `article_retries`.
    Failed(Failure),
    /// Not attempted for a passing reason: nothing is written but the audit row, and the
    /// feeds that listed it keep their old validators so the next poll tries again.
    Deferred(DeferReason),
}

/// Why a story has no content this time.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("disallowed by robots.txt")]
    RobotsDisallowed,
    #[error(transparent)]
    Fetch(FetchError),
    #[error("unexpected 304 for an unconditional request")]
    Unexpected304,
    #[error(transparent)]
    NotAPage(NotAPage),
    #[error("extraction failed: {0}")]
    Extract(ExtractError),
    /// The extractor panicked on this page (a bug, contained to the page).
    #[error("extractor crashed: {0}")]
    Crashed(String),
}

impl Failure {
    /// A stable word for the audit row and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::RobotsDisallowed => "robots_disallowed",
            Self::Fetch(e) => e.kind(),
            Self::Unexpected304 => "unexpected_304",
            Self::NotAPage(_) => "not_a_page",
            Self::Extract(e) => e.kind(),
            Self::Crashed(_) => "extractor_crashed",
        }
    }
}

/// Why a story was left for a later poll.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeferReason {
    /// RFC 9309: while robots.txt answers 5xx or not at all, stay away.
    #[error("robots.txt unreachable; deferred to a later poll")]
    RobotsUnreachable,
    /// The host asked (429/503 `Retry-After`) for a pause longer than a cycle waits.
    #[error("host asked for a pause (Retry-After); {} s left, not requested", .0.as_secs())]
    HostPaused(Duration),
    /// Another worker on the shared store holds the page's host: fetching it too would
    /// break the host's `per_host` across the cluster.
    #[error("host held by another worker; deferred to a later poll")]
    HostHeld,
    /// Another worker stored the story while this one waited for its host: seen again on
    /// the next poll, as any stored story is.
    #[error("stored by another worker meanwhile; not fetched again")]
    StoredElsewhere,
}

impl DeferReason {
    /// A stable word for the audit row and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::RobotsUnreachable => "robots_unreachable",
            Self::HostPaused(_) => "host_paused",
            Self::HostHeld => "host_held",
            Self::StoredElsewhere => "stored_elsewhere",
        }
    }
}

/// Why a feed poll gave no entries.
#[derive(Debug, thiserror::Error)]
pub enum FeedFailure {
    #[error("bad feed URL {0:?}")]
    BadUrl(String),
    #[error(transparent)]
    Fetch(FetchError),
    #[error(transparent)]
    Parse(FeedError),
    #[error(transparent)]
    Sitemap(crate::sitemap::SitemapError),
    /// A listing page whose `links` selector found no story link: the page changed.
    #[error("listing page: the links selector {0:?} matched no story link")]
    NoLinks(String),
    #[error("feed parser crashed: {0}")]
    ParserCrashed(String),
}

impl FeedFailure {
    /// A stable word for the audit row and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::BadUrl(_) => "bad_url",
            Self::Fetch(e) => e.kind(),
            Self::Parse(_) => "feed_parse",
            Self::Sitemap(_) => "sitemap_parse",
            Self::NoLinks(_) => "listing_empty",
            Self::ParserCrashed(_) => "parser_crashed",
        }
    }
}

/// The audit row's result for a failure of any stage.
pub fn failed(kind: &'static str, error: &dyn std::fmt::Display) -> FetchResult {
    FetchResult::Failed {
        kind,
        message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The audit row's `error` text is what the log and the article row said before the
    /// outcomes were typed: operators' queries and alerts match on it.
    #[test]
    fn messages_keep_their_wording_and_kinds_are_stable_words() {
        let failures = [
            (
                Failure::RobotsDisallowed,
                "disallowed by robots.txt",
                "robots_disallowed",
            ),
            (
                Failure::Fetch(FetchError::Status { status: 404 }),
                "HTTP 404",
                "http_status",
            ),
            (
                Failure::NotAPage(NotAPage("image/png".into())),
                "not an HTML page: Content-Type image/png",
                "not_a_page",
            ),
            (
                Failure::Extract(ExtractError::NoContent),
                "extraction failed: no article content found",
                "no_content",
            ),
        ];
        for (failure, text, kind) in failures {
            assert_eq!((failure.to_string().as_str(), failure.kind()), (text, kind));
        }
        let deferrals = [
            (
                DeferReason::RobotsUnreachable,
                "robots.txt unreachable; deferred to a later poll",
                "robots_unreachable",
            ),
            (
                DeferReason::HostPaused(Duration::from_secs(90)),
                "host asked for a pause (Retry-After); 90 s left, not requested",
                "host_paused",
            ),
        ];
        for (reason, text, kind) in deferrals {
            assert_eq!((reason.to_string().as_str(), reason.kind()), (text, kind));
        }
    }

    /// A deferral and a host pause met as a fetch error say the same thing.
    #[test]
    fn a_host_pause_reads_the_same_as_the_fetch_error() {
        let wait = Duration::from_secs(42);
        assert_eq!(
            DeferReason::HostPaused(wait).to_string(),
            FetchError::HostPaused(wait).to_string()
        );
    }
}
