//! How `show` and `search` print what they found.

use std::io::Write;

use crate::store::{SearchHit, Shown};

/// `search`: one tab-separated line a hit, or one JSON array.
pub fn hits(hits: &[SearchHit], json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, hits)?;
        return writeln!(out);
    }
    for hit in hits {
        writeln!(
            out,
            "{}\t{}\t{}\t{}",
            hit.id,
            hit.published.as_deref().unwrap_or_default(),
            hit.title.as_deref().unwrap_or_default(),
            hit.url
        )?;
    }
    Ok(())
}

/// `show`: the story as labelled lines, its lead and body, or one JSON object.
pub fn shown(a: &Shown, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, a)?;
        return writeln!(out);
    }
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let error = a
        .error
        .as_ref()
        .map(|e| format!(" ({e})"))
        .unwrap_or_default();
    let cluster = a.cluster.map_or_else(|| "-".into(), |c| c.to_string());
    writeln!(out, "id:         {}", a.id)?;
    writeln!(out, "url:        {}", a.url)?;
    writeln!(out, "status:     {}{error}", a.status)?;
    writeln!(out, "title:      {}", opt(&a.title))?;
    writeln!(
        out,
        "published:  {} (from {})",
        opt(&a.published),
        opt(&a.published_source)
    )?;
    writeln!(out, "updated:    {}", opt(&a.updated))?;
    writeln!(out, "author:     {}", opt(&a.author))?;
    writeln!(
        out,
        "category:   {}   tags: {}",
        opt(&a.category),
        a.tags.join(", ")
    )?;
    writeln!(
        out,
        "method:     {}   language: {}",
        opt(&a.method),
        opt(&a.language)
    )?;
    writeln!(
        out,
        "fetched:    {} (first seen {}), revisions: {}",
        a.fetched, a.first_seen, a.revisions
    )?;
    writeln!(out, "cluster:    {cluster} {}", a.cluster_members.join(" "))?;
    writeln!(out, "feeds:      {}", a.feeds.join(" "))?;
    writeln!(out, "aliases:    {}", a.aliases.join(" "))?;
    writeln!(out, "captions:   {}", a.captions.join(" | "))?;
    writeln!(out, "\n{}\n\n{}", opt(&a.lead), opt(&a.body))
}
