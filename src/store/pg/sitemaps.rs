//! The documents below a sitemap source on PostgreSQL, as `store::sitemaps` keeps them in
//! SQLite: what each index last listed and what was last read of each.

use std::collections::HashMap;

use deadpool_postgres::Transaction;
use tokio_postgres::types::ToSql;

use super::super::{DocState, DocSummary, DocUpdate, StoreError};
use super::PgStore;

impl PgStore {
    /// Every document known below `source_id`, by URL.
    pub async fn sitemap_docs(
        &self,
        source_id: i64,
    ) -> Result<HashMap<String, DocState>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT url, parent, listed_lastmod, wanted, read_lastmod, read_at IS NOT NULL,
                        etag, last_modified
                 FROM sitemap_docs WHERE source_id = $1",
                &[&source_id],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let doc = DocState {
                    url: r.get(0),
                    parent: r.get(1),
                    listed_lastmod: r.get(2),
                    wanted: r.get(3),
                    read_lastmod: r.get(4),
                    read: r.get(5),
                    etag: r.get(6),
                    last_modified: r.get(7),
                };
                (doc.url.clone(), doc)
            })
            .collect())
    }

    /// Per sitemap source: documents known, read, left to backfill, failing.
    pub async fn sitemap_summary(&self) -> Result<Vec<DocSummary>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT f.url, count(d.id), count(d.read_at),
                        count(d.id) FILTER (WHERE NOT d.wanted), count(d.last_error)
                 FROM feeds f LEFT JOIN sitemap_docs d ON d.source_id = f.id
                 WHERE f.kind = 'sitemap' AND f.active GROUP BY f.id ORDER BY f.url",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| DocSummary {
                source: r.get(0),
                docs: r.get(1),
                read: r.get(2),
                left_to_backfill: r.get(3),
                failing: r.get(4),
            })
            .collect())
    }
}

/// Writes one poll's documents, as `store::sitemaps::write_docs`.
pub(super) async fn write_docs(
    tx: &Transaction<'_>,
    source_id: i64,
    docs: &[DocUpdate],
    at: &str,
) -> Result<(), StoreError> {
    if docs.is_empty() {
        return Ok(());
    }
    let listed = tx
        .prepare_cached(
            "INSERT INTO sitemap_docs (source_id, url, parent, listed_lastmod, wanted, listed_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (source_id, url) DO UPDATE SET parent = excluded.parent,
                 listed_lastmod = excluded.listed_lastmod, listed_at = excluded.listed_at,
                 wanted = sitemap_docs.wanted OR excluded.wanted",
        )
        .await?;
    let read = tx
        .prepare_cached(
            "UPDATE sitemap_docs SET read_lastmod = listed_lastmod, read_at = $3,
                 etag = coalesce($4, etag), last_modified = coalesce($5, last_modified),
                 entries = coalesce($6, entries), last_status = $7, last_error = NULL
             WHERE source_id = $1 AND url = $2",
        )
        .await?;
    let failed = tx
        .prepare_cached(
            "UPDATE sitemap_docs SET last_status = $3, last_error = $4
             WHERE source_id = $1 AND url = $2",
        )
        .await?;
    for d in docs {
        let params: [&(dyn ToSql + Sync); 6] = [
            &source_id,
            &d.url,
            &d.parent,
            &d.listed_lastmod,
            &d.wanted,
            &at,
        ];
        tx.execute(&listed, &params).await?;
        let Some(r) = &d.read else { continue };
        let status = r.status.map(i32::from);
        match &r.error {
            None => {
                let entries = r.entries.map(|n| n as i64);
                let params: [&(dyn ToSql + Sync); 7] = [
                    &source_id,
                    &d.url,
                    &at,
                    &r.etag,
                    &r.last_modified,
                    &entries,
                    &status,
                ];
                tx.execute(&read, &params).await?
            }
            Some(error) => {
                let error = super::text(error);
                tx.execute(&failed, &[&source_id, &d.url, &status, &error])
                    .await?
            }
        };
    }
    Ok(())
}
