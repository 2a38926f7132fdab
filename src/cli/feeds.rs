//! `tindex feeds …`: the feed list kept in the archive.

use std::io::Write;

use chrono::Utc;

use super::{CliError, FeedsCommand};
use crate::config::{self, SourceKind};
use crate::discover::Discovered;
use crate::opml;
use crate::store::{Archive, FeedSource};

/// Limits of one OPML import: subscription lists of real readers are kilobytes and hundreds
/// of feeds; anything far past that is a mistake or an attack, refused before anything is
/// written.
const MAX_OPML_BYTES: u64 = 16 * 1024 * 1024;
const MAX_OPML_FEEDS: usize = 10_000;
/// Longer feed titles are cut.
const MAX_TITLE_CHARS: usize = 300;

/// `feeds discover`: one line a feed (URL, items, how found, title), or one JSON array.
pub fn print_discovered(
    found: &[Discovered],
    json: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, found)?;
        return writeln!(out);
    }
    for f in found {
        writeln!(
            out,
            "{}\t{}\t{}\t{}",
            f.url,
            f.items,
            f.via.as_str(),
            f.title.as_deref().unwrap_or_default()
        )?;
    }
    Ok(())
}

/// `feeds discover --add`: every feed found, as if added by hand.
pub fn add_discovered(found: &[Discovered], store: &mut Archive) -> Result<(), CliError> {
    let now = Utc::now();
    let mut added = 0;
    for f in found {
        let Ok(url) = config::parse_feed_url(&f.url) else {
            continue;
        };
        let title = f
            .title
            .as_deref()
            .map(|t| t.chars().take(MAX_TITLE_CHARS).collect::<String>());
        added += usize::from(store.add_feed(
            url.as_str(),
            title.as_deref(),
            FeedSource::Cli,
            SourceKind::Feed,
            now,
        )?);
    }
    eprintln!("added {added} of {} feeds found", found.len());
    Ok(())
}

pub fn run(cmd: &FeedsCommand, store: &mut Archive) -> Result<(), CliError> {
    let now = Utc::now();
    match cmd {
        FeedsCommand::Discover { .. } => {}
        FeedsCommand::Add {
            url,
            title,
            sitemap,
        } => {
            let url = config::parse_feed_url(url).map_err(CliError::Usage)?;
            let kind = if *sitemap {
                SourceKind::Sitemap
            } else {
                SourceKind::Feed
            };
            let added =
                store.add_feed(url.as_str(), title.as_deref(), FeedSource::Cli, kind, now)?;
            println!("{} {url}", if added { "added" } else { "already present:" });
        }
        FeedsCommand::Remove { url } => {
            // The same spelling `feeds add` stored (e.g. a trailing slash added).
            let url = config::parse_feed_url(url)
                .map(|u| u.to_string())
                .unwrap_or_else(|_| url.clone());
            store.remove_feed(&url)?;
            println!("removed {url}");
        }
        FeedsCommand::List => {
            let mut out = std::io::stdout().lock();
            for f in store.list_feeds()? {
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    if f.active { "active" } else { "inactive" },
                    f.source,
                    f.articles,
                    f.url,
                    f.title.unwrap_or_default()
                );
            }
        }
        FeedsCommand::ImportOpml { file } => {
            let usage = |m: String| CliError::Usage(format!("{}: {m}", file.display()));
            let size = std::fs::metadata(file)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?
                .len();
            if size > MAX_OPML_BYTES {
                return Err(usage(format!(
                    "{size} bytes, over the {MAX_OPML_BYTES}-byte limit for an OPML file"
                )));
            }
            let text = std::fs::read_to_string(file)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
            let mut outlines = opml::parse(&text).map_err(|e| usage(e.to_string()))?;
            if outlines.is_empty() {
                return Err(usage("no feeds in it (no outline with an xmlUrl)".into()));
            }
            if outlines.len() > MAX_OPML_FEEDS {
                return Err(usage(format!(
                    "{} feeds, over the limit of {MAX_OPML_FEEDS} for one import",
                    outlines.len()
                )));
            }
            for o in &mut outlines {
                if let Some(t) = &mut o.title
                    && t.chars().count() > MAX_TITLE_CHARS
                {
                    *t = t.chars().take(MAX_TITLE_CHARS).collect();
                }
            }
            // Check every URL before writing any, so a bad file changes nothing.
            let mut valid = Vec::new();
            for o in &outlines {
                let url = config::parse_feed_url(&o.url)
                    .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
                valid.push((url, o.title.clone()));
            }
            let mut added = 0;
            for (url, title) in valid {
                added += usize::from(store.add_feed(
                    url.as_str(),
                    title.as_deref(),
                    FeedSource::Opml,
                    SourceKind::Feed,
                    now,
                )?);
            }
            println!("imported {added} new feeds of {}", outlines.len());
        }
        FeedsCommand::ExportOpml => {
            let outlines: Vec<_> = store
                .list_feeds()?
                .into_iter()
                // Other readers take feeds only: sitemaps and listing pages stay out.
                .filter(|f| f.active && f.kind == crate::config::SourceKind::Feed)
                .map(|f| opml::Outline {
                    url: f.url,
                    title: f.title,
                })
                .collect();
            print!("{}", opml::render(&outlines));
        }
    }
    Ok(())
}
