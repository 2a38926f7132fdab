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

pub fn shown(a: &Shown, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(a).unwrap_or_default());
        return;
    }
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    println!("id:         {}", a.id);
    println!("url:        {}", a.url);
    println!(
        "status:     {}{}",
        a.status,
        a.error
            .as_ref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default()
    );
    println!("title:      {}", opt(&a.title));
    println!(
        "published:  {} (from {})",
        opt(&a.published),
        opt(&a.published_source)
    );
    println!("updated:    {}", opt(&a.updated));
    println!("author:     {}", opt(&a.author));
    println!(
        "category:   {}   tags: {}",
        opt(&a.category),
        a.tags.join(", ")
    );
    println!(
        "method:     {}   language: {}",
        opt(&a.method),
        opt(&a.language)
    );
    println!(
        "fetched:    {} (first seen {}), revisions: {}",
        a.fetched, a.first_seen, a.revisions
    );
    println!(
        "cluster:    {} {}",
        a.cluster
            .map(|c| c.to_string())
            .unwrap_or_else(|| "-".into()),
        a.cluster_members.join(" ")
    );
    println!("feeds:      {}", a.feeds.join(" "));
    println!("aliases:    {}", a.aliases.join(" "));
    println!("captions:   {}", a.captions.join(" | "));
    println!("\n{}\n\n{}", opt(&a.lead), opt(&a.body));
}
