//! Derived indexes kept in step with article content, inside the same transaction: the
//! diacritics-folded full-text index and the near-duplicate fingerprints that assign clusters.

use rusqlite::{OptionalExtension, Transaction, params};

use super::StoreError;
use crate::dedup::fingerprint::{self, BANDS, MIN_SHARED_BANDS, Signature};
use crate::textfold::SearchText;

/// Adds the article's full-text entry (it has none: new, or [`unindex_text`] ran first).
pub(super) fn index_text(
    tx: &Transaction<'_>,
    id: i64,
    text: &SearchText,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO articles_fts (rowid, title, lead, body) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, text.title, text.lead, text.body])?;
    Ok(())
}

/// Removes a stored story's full-text entry, before its text changes or it is deleted.
///
/// The index is contentless without `contentless_delete` (that option needs SQLite 3.43,
/// newer than the SQLite of Debian 12 or Ubuntu 22.04, which then cannot open the archive at
/// all): FTS5 removes an entry only when given the exact text that was indexed. That text is
/// a pure function of the stored title, lead and body, so it is recomputed from the row
/// (a migration rebuilds the whole index whenever that function changes). A story that was
/// never indexed (`failed`) is left alone.
pub(super) fn unindex_text(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    let stored: Option<(String, Option<String>, String)> = tx
        .prepare_cached(
            "SELECT coalesce(title, ''), lead, coalesce(body, '') FROM articles
             WHERE id = ?1 AND status = 'ok'",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    if let Some((title, lead, body)) = stored {
        let text = SearchText::of(&title, lead.as_deref(), &body);
        tx.prepare_cached(
            "INSERT INTO articles_fts (articles_fts, rowid, title, lead, body)
             VALUES ('delete', ?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, text.title, text.lead, text.body])?;
    }
    Ok(())
}

/// Stores the article's fingerprint and, if it has no cluster yet, joins the cluster of the
/// most similar stored story (or starts its own).
pub(super) fn fingerprint_story(
    tx: &Transaction<'_>,
    id: i64,
    signature: Option<&Signature>,
) -> Result<(), StoreError> {
    // Bands are keyed by band, not by story: the previous signature says which to remove.
    let previous: Option<Vec<u8>> = tx
        .prepare_cached("SELECT signature FROM fingerprints WHERE article_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    if let Some(blob) = previous {
        match Signature::from_bytes(&blob) {
            Some(old) => {
                let mut del = tx.prepare_cached(
                    "DELETE FROM fingerprint_bands WHERE key = ?1 AND article_id = ?2",
                )?;
                for key in old.bands() {
                    del.execute(params![key, id])?;
                }
            }
            // An unreadable blob (edited by hand): find the story's bands the slow way.
            None => {
                tx.execute("DELETE FROM fingerprint_bands WHERE article_id = ?1", [id])?;
            }
        }
        tx.prepare_cached("DELETE FROM fingerprints WHERE article_id = ?1")?
            .execute([id])?;
    }
    let mut cluster = id;
    if let Some(sig) = signature {
        if let Some((other, _)) = fingerprint::most_similar(sig, candidates(tx, id, sig)?) {
            cluster = tx
                .prepare_cached("SELECT coalesce(cluster_id, id) FROM articles WHERE id = ?1")?
                .query_row([other], |r| r.get(0))?;
        }
        insert_signature(tx, id, sig)?;
    }
    tx.prepare_cached("UPDATE articles SET cluster_id = coalesce(cluster_id, ?2) WHERE id = ?1")?
        .execute(params![id, cluster])?;
    Ok(())
}

/// Writes the signature of a story that has none stored, with its band keys.
pub(super) fn insert_signature(
    tx: &Transaction<'_>,
    id: i64,
    sig: &Signature,
) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT INTO fingerprints (article_id, signature) VALUES (?1, ?2)")?
        .execute(params![id, sig.to_bytes()])?;
    let mut band = tx.prepare_cached(
        "INSERT OR IGNORE INTO fingerprint_bands (key, article_id) VALUES (?1, ?2)",
    )?;
    for key in sig.bands() {
        band.execute(params![key, id])?;
    }
    Ok(())
}

/// The stored stories that could be copies of `sig`: those sharing at least
/// [`MIN_SHARED_BANDS`] bands (one shared band is common between unrelated stories written
/// from the same templates, two are rare, and a true copy, similarity 0.7 and up, shares two
/// or more with probability above 0.9), with their signatures. Which one, if any, is a copy is
/// `dedup`'s decision.
fn candidates(
    tx: &Transaction<'_>,
    id: i64,
    sig: &Signature,
) -> Result<Vec<(i64, Signature)>, StoreError> {
    let placeholders = vec!["?"; BANDS].join(", ");
    let mut sharing = tx.prepare_cached(&format!(
        "SELECT article_id FROM fingerprint_bands WHERE key IN ({placeholders})
         GROUP BY article_id HAVING count(*) >= {MIN_SHARED_BANDS}"
    ))?;
    let ids: Vec<i64> = sharing
        .query_map(rusqlite::params_from_iter(sig.bands()), |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut load = tx.prepare_cached("SELECT signature FROM fingerprints WHERE article_id = ?1")?;
    let mut out = Vec::with_capacity(ids.len());
    for other in ids.into_iter().filter(|other| *other != id) {
        let blob: Option<Vec<u8>> = load.query_row([other], |r| r.get(0)).optional()?;
        if let Some(theirs) = blob.as_deref().and_then(Signature::from_bytes) {
            out.push((other, theirs));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn archive() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrations::migrate(&mut conn).unwrap();
        conn
    }

    fn terms(conn: &Connection) -> Vec<String> {
        conn.execute_batch(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, articles_fts, row)",
        )
        .unwrap();
        let mut st = conn
            .prepare("SELECT term FROM temp.v ORDER BY term")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn set_text(tx: &Transaction<'_>, id: i64, title: &str) {
        tx.execute(
            "INSERT INTO articles (id, url, status, title, first_seen_at, fetched_at)
             VALUES (?1, ?2, 'ok', ?3, 't', 't')
             ON CONFLICT (id) DO UPDATE SET title = excluded.title",
            params![id, format!("https://a.vn/{id}"), title],
        )
        .unwrap();
    }

    /// Without `contentless_delete`, a wrong 'delete' would leave the old words matching:
    /// after a story's text changes, none of its old words are left in the index.
    #[test]
    fn a_revised_story_leaves_no_old_word_in_the_index() {
        let mut conn = archive();
        let tx = conn.transaction().unwrap();
        set_text(&tx, 1, "Đất nền Đà Lạt");
        index_text(&tx, 1, &SearchText::of("Đất nền Đà Lạt", None, "")).unwrap();
        unindex_text(&tx, 1).unwrap();
        set_text(&tx, 1, "Thi hành án");
        index_text(&tx, 1, &SearchText::of("Thi hành án", None, "")).unwrap();
        tx.commit().unwrap();
        assert_eq!(terms(&conn), ["an", "hanh", "thi"]);
        conn.execute_batch("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
            .unwrap();
    }

    /// A failed story was never indexed: removing its entry must not touch the index.
    #[test]
    fn unindexing_a_failed_story_is_a_no_op() {
        let mut conn = archive();
        let tx = conn.transaction().unwrap();
        set_text(&tx, 1, "Đất");
        index_text(&tx, 1, &SearchText::of("Đất", None, "")).unwrap();
        tx.execute(
            "INSERT INTO articles (id, url, status, title, first_seen_at, fetched_at)
             VALUES (2, 'https://a.vn/2', 'failed', 'Đất', 't', 't')",
            [],
        )
        .unwrap();
        unindex_text(&tx, 2).unwrap();
        tx.commit().unwrap();
        assert_eq!(terms(&conn), ["dat", "đat"]);
    }
}
