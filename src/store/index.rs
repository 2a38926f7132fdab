//! Derived indexes kept in step with article content, inside the same transaction: the
//! diacritics-folded full-text index and the near-duplicate fingerprints that assign clusters.

use rusqlite::{OptionalExtension, Transaction, params};

use super::StoreError;
use crate::dedup::fingerprint::{self, BANDS, MIN_SHARED_BANDS, Signature};
use crate::textfold::SearchText;

/// Replaces the article's full-text entry with its current (already folded) text.
pub(super) fn index_text(
    tx: &Transaction<'_>,
    id: i64,
    text: &SearchText,
) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM articles_fts WHERE rowid = ?1")?
        .execute([id])?;
    tx.prepare_cached(
        "INSERT INTO articles_fts (rowid, title, lead, body) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, text.title, text.lead, text.body])?;
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
