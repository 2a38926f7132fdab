//! Webhook delivery: events from the store's outbox, posted to their receivers, signed,
//! retried with backoff until they are taken, and audited.
//!
//! The outbox row is written in the same transaction as the story it announces, so a
//! receiver that is down, or a tindex killed between storing and delivering, delays an event
//! and never loses it. Delivery is at least once: an event whose answer was lost is posted
//! again with the same `event_id` (`X-Tindex-Event-Id`), which receivers deduplicate by.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::sync::watch;
use tracing::{info, warn};
use url::Url;

use crate::config::Config;
use crate::fetch::Fetcher;
use crate::store::{Attempt, PendingEvent, StoreHandle};

/// Events taken from the outbox at a time.
const BATCH: usize = 32;
/// How often the outbox is looked at when there is nothing to send.
const IDLE: Duration = Duration::from_secs(1);

/// `sha256=<hex>` of the body under `secret`: what `X-Tindex-Signature` carries.
pub fn signature(secret: &str, body: &str) -> String {
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// Posts every due event once, a batch at a time and the events of a batch concurrently
/// (the fetcher's per-host limit paces them); returns how many were delivered.
pub async fn deliver_due(fetcher: &Fetcher, store: &StoreHandle, config: Arc<Config>) -> usize {
    let mut delivered = 0;
    loop {
        let due = match store.run(|s| s.due_events(Utc::now(), BATCH)).await {
            Ok(d) => d,
            Err(e) => {
                warn!(error = %e, "webhook outbox unreadable");
                return delivered;
            }
        };
        if due.is_empty() {
            if delivered > 0 {
                // Delivered bodies were emptied: give their pages back to the file system.
                if let Err(e) = store.run(|s| s.release_free_pages()).await {
                    warn!(error = %e, "could not release free pages");
                }
            }
            return delivered;
        }
        let mut posts = tokio::task::JoinSet::new();
        for event in due {
            let (fetcher, config) = (fetcher.clone(), config.clone());
            posts.spawn(async move {
                let attempt = post(&fetcher, &config, &event).await;
                (event.id, attempt)
            });
        }
        let mut attempts = Vec::new();
        while let Some(done) = posts.join_next().await {
            match done {
                Ok(a) => attempts.push(a),
                Err(e) => warn!(error = %e, "webhook delivery task failed"),
            }
        }
        delivered += attempts.iter().filter(|(_, a)| a.error.is_none()).count();
        if let Err(e) = store
            .run(move |s| {
                for (id, attempt) in &attempts {
                    s.record_attempt(*id, attempt)?;
                }
                Ok(())
            })
            .await
        {
            warn!(error = %e, "webhook attempts not recorded");
            return delivered;
        }
    }
}

async fn post(fetcher: &Fetcher, config: &Config, event: &PendingEvent) -> Attempt {
    let hook = config
        .webhooks
        .iter()
        .find(|w| crate::store::hook_key(&w.url) == event.hook);
    let name = &event.event;
    let mut headers = vec![
        ("x-tindex-event", name.clone()),
        ("x-tindex-event-id", event.event_id.clone()),
    ];
    if let Some(secret) = hook.and_then(|h| h.secret.as_deref()) {
        headers.push(("x-tindex-signature", signature(secret, &event.payload)));
    }
    let started = Instant::now();
    let result = match hook.map(|h| (h, Url::parse(&h.url))) {
        None => Err("webhook no longer configured".to_string()),
        Some((_, Err(e))) => Err(format!("bad URL: {e}")),
        Some((h, Ok(url))) => fetcher
            .post_json(&url, event.payload.clone(), &headers)
            .await
            // Error texts may quote the URL, and with it the receiver's token.
            .map_err(|e| {
                e.to_string()
                    .replace(url.as_str(), &event.hook)
                    .replace(h.url.as_str(), &event.hook)
            }),
    };
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let at = Utc::now();
    let (status, error) = match result {
        Ok(s) if (200..300).contains(&s) => (Some(s), None),
        Ok(s) => (Some(s), Some(format!("HTTP {s}"))),
        Err(e) => (None, Some(e)),
    };
    let d = &config.webhook_delivery;
    let attempts = event.attempts + 1;
    let retry_at = match &error {
        Some(_) if attempts < d.max_attempts => {
            let wait = d
                .retry_secs
                .saturating_mul(1u64 << (attempts - 1).min(30))
                .min(d.max_retry_secs);
            Some(at + chrono::Duration::seconds(wait as i64))
        }
        _ => None,
    };
    match (&error, retry_at) {
        (None, _) => {
            info!(hook = %event.hook, event = %name, event_id = %event.event_id, status, elapsed_ms, "webhook delivered")
        }
        (Some(e), Some(r)) => {
            warn!(hook = %event.hook, event = %name, event_id = %event.event_id, status, elapsed_ms, error = %e, attempts, "webhook failed; retrying at {}", crate::store::ts(r))
        }
        (Some(e), None) => {
            warn!(hook = %event.hook, event = %name, event_id = %event.event_id, status, elapsed_ms, error = %e, attempts, "webhook failed for good; given up")
        }
    }
    Attempt {
        at,
        status,
        elapsed_ms,
        error,
        retry_at,
    }
}

/// Delivers events in the background for as long as the daemon runs, with the fetcher and
/// config the daemon runs with (both replaced on reload: a changed network policy applies to
/// webhooks too).
pub fn spawn(store: StoreHandle, mut config: watch::Receiver<(Fetcher, Arc<Config>)>) {
    tokio::spawn(async move {
        loop {
            let (fetcher, current) = config.borrow_and_update().clone();
            if !current.webhooks.is_empty() {
                deliver_due(&fetcher, &store, current).await;
            }
            tokio::select! {
                _ = tokio::time::sleep(IDLE) => {}
                changed = config.changed() => if changed.is_err() { return },
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2.
    #[test]
    fn the_signature_is_hmac_sha256_of_the_body() {
        assert_eq!(
            signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
