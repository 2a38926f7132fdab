//! Conversions at the store edge: an extracted page into the content the store writes, a
//! fetched story into its record, a request into its audit row.

use chrono::Utc;
use sha2::{Digest, Sha256};

use super::outcome::ArticleOutcome;
use crate::dedup::fingerprint::Signature;
use crate::extract::Extracted;
use crate::fetch::{Outcome, Report};
use crate::store::{Content, FetchKind, FetchLog, FetchResult, ImageRow};
use crate::textfold::{SearchText, fold_search};

/// What the store writes as a story's content: the content, or the failure's message; `None`
/// for a deferred story, which the store never sees.
pub fn stored_content(outcome: ArticleOutcome) -> Option<Result<Content, String>> {
    match outcome {
        ArticleOutcome::Fetched(content) => Some(Ok(*content)),
        ArticleOutcome::Failed(failure) => Some(Err(failure.to_string())),
        ArticleOutcome::Deferred(_) => None,
    }
}

/// What the store writes of an extracted page: the text as extracted, plus what is derived
/// from it off the writer thread (content hash, folded search text, fingerprint).
pub fn to_content(x: Extracted) -> Content {
    let body = x.body_text();
    let mut hasher = Sha256::new();
    for part in [
        x.title.as_str(),
        x.lead.as_deref().unwrap_or(""),
        body.as_str(),
    ]
    .into_iter()
    .chain(x.captions.iter().map(String::as_str))
    {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let hash: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let folded_body = fold_search(&body);
    let search = SearchText::of_folded(
        &fold_search(&x.title),
        &fold_search(x.lead.as_deref().unwrap_or("")),
        &folded_body,
    );
    Content {
        signature: Signature::of(&folded_body),
        search,
        method: x.method,
        images: x
            .images
            .into_iter()
            .map(|i| ImageRow {
                src: i.src,
                alt: i.alt,
                caption: i.caption,
                credit: i.credit,
                position: i.position,
            })
            .collect(),
        title: x.title,
        lead: x.lead,
        body,
        captions: x.captions,
        author: x.author,
        authors: x.authors,
        published: x.published.map(|d| d.to_string()),
        published_source: x.published_source,
        updated: x.updated.map(|d| d.to_string()),
        tags: x.tags,
        category: x.category,
        language: x.language,
        content_hash: hash,
    }
}

/// The result of a request as the fetcher saw it: a response, or the fetcher's own error.
pub fn fetched(report: &Report) -> FetchResult {
    match &report.result {
        Ok(Outcome::NotModified) => FetchResult::NotModified,
        Ok(Outcome::Fetched(_)) => FetchResult::Fetched,
        Err(e) => super::outcome::failed(e.kind(), e),
    }
}

/// One audit row: the request's facts from `report` (none when it was never sent) and what
/// the stage made of it.
pub fn audit(kind: FetchKind, url: &str, report: Option<&Report>, result: FetchResult) -> FetchLog {
    FetchLog {
        at: Utc::now(),
        kind,
        url: url.to_owned(),
        final_url: report.map(|r| r.url.to_string()).filter(|f| f != url),
        status: report.and_then(|r| r.status),
        bytes: report.map_or(0, |r| r.bytes),
        elapsed_ms: report.map_or(0, |r| r.elapsed.as_millis() as u64),
        result,
    }
}

/// About what a record holds in memory until it is stored: its texts and their index form.
pub fn bytes(c: &Content) -> usize {
    let texts = c.title.len()
        + c.lead.as_ref().map_or(0, String::len)
        + c.body.len()
        + c.captions.iter().map(String::len).sum::<usize>();
    texts + c.search.title.len() + c.search.lead.len() + c.search.body.len() + 4096
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Method;
    use crate::pipeline::outcome::{DeferReason, Failure};

    fn extracted() -> Extracted {
        Extracted {
            title: "Thi hành án".into(),
            lead: Some("(PLVN) - Đà Nẵng".into()),
            body: vec!["Đoạn một.".into(), "Đoạn hai.".into()],
            captions: vec!["Ảnh: tư liệu".into()],
            images: Vec::new(),
            author: None,
            authors: Vec::new(),
            date_notes: Vec::new(),
            published: None,
            updated: None,
            published_source: None,
            tags: Vec::new(),
            category: None,
            language: Some("vi".into()),
            canonical_url: None,
            method: Method::SiteRule,
        }
    }

    #[test]
    fn body_blocks_join_with_a_blank_line_and_search_text_is_folded() {
        let c = to_content(extracted());
        assert_eq!(c.body, "Đoạn một.\n\nĐoạn hai.");
        assert_eq!(c.search.title, "thi hanh an");
        assert_eq!(c.search.lead, "plvn da đa nang");
        assert_eq!(c.search.body, "doan đoan mot doan đoan hai");
        assert_eq!(c.method, Method::SiteRule);
    }

    /// The hash covers captions too: a changed caption is an edit, which the store keeps as
    /// a revision.
    #[test]
    fn a_changed_caption_changes_the_content_hash() {
        let a = to_content(extracted());
        let mut x = extracted();
        x.captions[0].push('!');
        assert_ne!(a.content_hash, to_content(x).content_hash);
        assert_eq!(a.content_hash, to_content(extracted()).content_hash);
        assert_eq!(a.content_hash.len(), 64);
    }

    #[test]
    fn a_failure_is_recorded_with_its_message_and_a_deferral_not_at_all() {
        let failed = stored_content(ArticleOutcome::Failed(Failure::RobotsDisallowed));
        let failed = failed.expect("a failure is written");
        assert_eq!(failed.unwrap_err(), "disallowed by robots.txt");
        let deferred = ArticleOutcome::Deferred(DeferReason::RobotsUnreachable);
        assert!(stored_content(deferred).is_none());
    }
}
