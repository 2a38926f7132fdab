//! tindex: a polite news archiver.
//!
//! Data flows one way through one module per stage:
//! `config` → `scheduler` → `fetch` → `feed` → `dedup` → `fetch` (article) → `extract` → `store`.
//! Stages hand plain structs to the next; only `store` speaks SQL and only `fetch` speaks HTTP.
//! `pipeline` wires the stages into one poll cycle; `cli` is the thin front the binary calls.

pub mod charset;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod datasette;
pub mod dedup;
pub mod discover;
pub mod export;
pub mod extract;
pub mod feed;
pub mod fetch;
pub mod health;
pub mod host;
pub mod http;
pub mod listing;
pub mod logging;
pub mod metrics;
pub mod opml;
pub mod pipeline;
pub mod scheduler;
pub mod sitemap;
pub mod store;
pub mod textfold;
pub mod webhooks;
pub mod worker;
