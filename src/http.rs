//! The opt-in monitoring listener (`[http] listen`): `/metrics` (Prometheus text format),
//! `/healthz` (the process and the store answer) and `/readyz` (a cycle completed recently),
//! for Prometheus, systemd, Docker or Kubernetes probes.
//!
//! It serves nothing but these three read-only answers, each request on its own task with a
//! header deadline, so a slow or malformed client costs a task and never the cycle. A
//! non-loopback address is refused unless the config says `allow_remote = true`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tracing::{info, warn};

use crate::store::StoreHandle;

/// Longest a client may take to send its request head.
const HEADER_DEADLINE: Duration = Duration::from_secs(5);
/// Longest `/healthz` waits for the store (a long write holds it).
const STORE_DEADLINE: Duration = Duration::from_secs(5);

/// Why the listener could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr}: {source}")]
pub struct ListenError {
    pub addr: SocketAddr,
    pub source: std::io::Error,
}

/// Binds `addr` (the config checked it is loopback or allowed) and serves until the process
/// ends. `ready_within`: how recent the last completed cycle must be for `/readyz`.
pub async fn start(
    addr: SocketAddr,
    store: StoreHandle,
    ready_within: Duration,
) -> Result<SocketAddr, ListenError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ListenError { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| ListenError { addr, source })?;
    info!(listen = %bound, "monitoring listener started (/metrics, /healthz, /readyz)");
    tokio::spawn(accept(listener, store, ready_within));
    Ok(bound)
}

async fn accept(listener: TcpListener, store: StoreHandle, ready_within: Duration) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                warn!(error = %e, "monitoring listener: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let store = store.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let store = store.clone();
                async move { Ok::<_, Infallible>(answer(req, &store, ready_within).await) }
            });
            let served = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_DEADLINE)
                .keep_alive(false)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Err(e) = served {
                tracing::debug!(%peer, error = %e, "monitoring request not served");
            }
        });
    }
}

/// `/healthz`: 200 when the store answers within `deadline`, else 503 and why.
async fn health(store: &StoreHandle, deadline: Duration) -> (StatusCode, String) {
    let probe = store.schema_version();
    match tokio::time::timeout(deadline, probe).await {
        Ok(Ok(_)) => (StatusCode::OK, "ok\n".into()),
        Ok(Err(e)) => (StatusCode::SERVICE_UNAVAILABLE, format!("store: {e}\n")),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("store did not answer within {} ms\n", deadline.as_millis()),
        ),
    }
}

fn text(status: StatusCode, body: String, content_type: &'static str) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    if let Ok(v) = hyper::header::HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    resp
}

async fn answer(
    req: Request<Incoming>,
    store: &StoreHandle,
    ready_within: Duration,
) -> Response<Full<Bytes>> {
    const PLAIN: &str = "text/plain; charset=utf-8";
    if req.method() != hyper::Method::GET && req.method() != hyper::Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "GET only\n".into(), PLAIN);
    }
    match req.uri().path() {
        "/metrics" => text(
            StatusCode::OK,
            crate::metrics::global().encode(),
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        ),
        "/healthz" => {
            let (status, body) = health(store, STORE_DEADLINE).await;
            text(status, body, PLAIN)
        }
        "/readyz" => {
            let now = chrono::Utc::now().timestamp();
            match crate::metrics::global().last_cycle_at() {
                Some(at) if now - at <= ready_within.as_secs() as i64 => text(
                    StatusCode::OK,
                    format!("ok: last cycle {} s ago\n", now - at),
                    PLAIN,
                ),
                Some(at) => text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "last cycle completed {} s ago, more than {} s\n",
                        now - at,
                        ready_within.as_secs()
                    ),
                    PLAIN,
                ),
                None => text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "no cycle completed yet\n".into(),
                    PLAIN,
                ),
            }
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "not found: /metrics, /healthz, /readyz\n".into(),
            PLAIN,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// A store stuck in a long write (another call holding it) makes /healthz 503, and it
    /// answers 200 again once the store is free.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn healthz_is_503_while_the_store_does_not_answer() {
        let dir = tempfile::tempdir().unwrap();
        let store = StoreHandle::new(Store::open(&dir.path().join("t.sqlite")).unwrap());
        assert_eq!(
            health(&store, Duration::from_secs(30)).await.0,
            StatusCode::OK
        );
        let (held_tx, held_rx) = std::sync::mpsc::channel::<()>();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let holder = store.clone();
        let busy = tokio::spawn(async move {
            holder
                .run(move |_| {
                    let _ = held_tx.send(());
                    let _ = release_rx.recv();
                    Ok(())
                })
                .await
        });
        tokio::task::spawn_blocking(move || held_rx.recv())
            .await
            .unwrap()
            .unwrap();
        let (status, body) = health(&store, Duration::from_millis(100)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body, "store did not answer within 100 ms\n");
        release_tx.send(()).unwrap();
        busy.await.unwrap().unwrap();
        assert_eq!(
            health(&store, Duration::from_secs(30)).await.0,
            StatusCode::OK
        );
    }
}
