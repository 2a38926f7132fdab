//! `tindex feeds …`: the feed list kept in the archive.

use std::io::Write;

use chrono::Utc;

use super::{CliError, FeedsCommand};
use crate::config;
use crate::opml;
use crate::store::{FeedSource, Store};

pub fn run(cmd: &FeedsCommand, store: &mut Store) -> Result<(), CliError> {
    let now = Utc::now();
    match cmd {
        FeedsCommand::Add { url, title } => {
            let url = config::parse_feed_url(url).map_err(CliError::Usage)?;
            let added = store.add_feed(url.as_str(), title.as_deref(), FeedSource::Cli, now)?;
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
            let text = std::fs::read_to_string(file)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
            let outlines = opml::parse(&text)
                .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
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
                    now,
                )?);
            }
            println!("imported {added} new feeds of {}", outlines.len());
        }
        FeedsCommand::ExportOpml => {
            let outlines: Vec<_> = store
                .list_feeds()?
                .into_iter()
                .filter(|f| f.active)
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
